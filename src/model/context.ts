/** What every model component is built with: the kernel, the run's extent and the cluster. */
import type { Simulation } from '../kernel/simulation.js';
import type { Brokers } from './brokers.js';

export interface ModelContext {
  sim: Simulation;
  end: number;
  interval: number;
  rtt: number;
  batched: boolean;
  /** Partition leaders over time (a lost broker's partitions cannot be fetched until failover) and quotas. */
  brokers?: Brokers;
}

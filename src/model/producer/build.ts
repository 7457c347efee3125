/**
 * The scenario's producers, built the same way wherever they run: on the run's own kernel, or
 * on a kernel of their own in a producer thread (producer-thread.ts). They share one
 * BlockedMemory, the run's limit on what their blocked callers hold (model/run-limit.ts), fixed
 * by the scenario alone, so a run stops at the same caller wherever its producers run.
 */
import type { Scenario } from '../../scenario/schema.js';
import type { MarkedEvent } from '../../metrics/result.js';
import { compile } from '../../random/distributions.js';
import { stream } from '../../random/stream.js';
import { AliasTable } from '../../random/alias.js';
import type { Simulation } from '../../kernel/simulation.js';
import type { AppendTarget } from '../log.js';
import type { Brokers } from '../brokers.js';
import { KafkaProducer } from './kafka-producer.js';
import { Arrivals } from './arrivals.js';
import type { ProducerMetrics } from './metrics.js';
import { compileProfile } from '../rate-profile.js';
import { partitionWeights } from '../keys.js';
import type { ProducersOutcome } from '../../metrics/summarise.js';
import { maxOf } from '../../metrics/extremes.js';
import { estimate, MAX_RUN_BYTES } from '../estimate.js';
import { BlockedMemory, blockedLimit } from '../run-limit.js';
import { CALLER_BYTES, CALLER_BYTES_SIZED, Waiters } from './waiters.js';

/** What a source producer writes to: its topic's logs (or streams to them), cluster view and counters. */
export interface ProducerTarget {
  logs: readonly AppendTarget[];
  brokers: Brokers;
  metrics: ProducerMetrics;
  onAppend: (partition: number) => void;
  minInsyncReplicas: number;
}

export interface ProducerSetup {
  scenario: Scenario;
  sim: Simulation;
  /** The target of the producers writing topic `name`. */
  topic: (name: string) => ProducerTarget;
  onSliceEnd?: (next: number | null) => void;
  batched: boolean;
  /** The most bytes the producers' blocked callers may hold (default: the scenario's, `blockedLimit`); for tests. */
  blockedLimit?: number;
}

/**
 * A producer spec with N instances is N KafkaProducers, each sending 1/N of the rate with its
 * own accumulator (so its own, smaller batches) and its own random stream. Also returns the rate
 * profiles' marks ("sale starts"), in the producers' order.
 */
export function buildProducers(o: ProducerSetup): { producers: KafkaProducer[]; marks: MarkedEvent[] } {
  const { scenario } = o;
  const end = scenario.duration;
  const marks: MarkedEvent[] = [];
  const blocked = new BlockedMemory(o.blockedLimit ?? blockedLimit(estimate(scenario).bytes, MAX_RUN_BYTES));
  const producers = scenario.producers.flatMap((spec) => {
    const target = o.topic(spec.topic);
    const P = target.logs.length;
    const { segments: whole, marks: m } = compileProfile(spec.rate, end);
    marks.push(...m);
    const n = spec.instances;
    const peakRate = maxOf(whole.map((s) => Math.max(s.r0, s.r1) * 1e6), 0);
    // Every record has one size in the batched fidelity (the mean) and with a constant law.
    const sized = !o.batched && spec['record-size'].dist !== 'constant';
    const segments = whole.map((s) => ({ ...s, r0: s.r0 / n, r1: s.r1 / n }));
    const weights = spec.keys.dist === 'null' ? null : partitionWeights(spec.keys, P);
    const partitioner = weights ? new AliasTable(weights) : null;
    if (weights) {
      const total = weights.reduce((a, b) => a + b, 0);
      for (let p = 0; p < P; p++) weights[p] /= total;
    }
    return Array.from({ length: n }, (_, i) => {
      const id = n === 1 ? spec.name : `${spec.name}-${i}`;
      const producer = new KafkaProducer({
        id,
        topic: spec.topic,
        client: spec.name,
        spec,
        logs: target.logs,
        senderRng: stream(scenario.seed, `sender:${id}`),
        brokers: target.brokers,
        minInsyncReplicas: target.minInsyncReplicas,
        appendLatency: compile(scenario.brokers['append-latency']),
        replicationLatency: compile(scenario.brokers['replication-latency']),
        rtt: scenario.network.rtt,
        end,
        interval: scenario['sample-interval'],
        metrics: target.metrics,
        onAppend: target.onAppend,
        batched: o.batched,
        waiters: new Waiters(blocked, {
          producer: spec.name,
          instances: n,
          instance: id,
          rate: peakRate,
          bytesPerCaller: sized ? CALLER_BYTES_SIZED : CALLER_BYTES,
          bufferMemory: spec.config['buffer.memory'],
          maxBlock: spec.config['max.block.ms'],
        }),
      });
      producer.application = new Arrivals(producer, {
        sim: o.sim,
        spec,
        segments,
        partitioner,
        weights,
        rng: stream(scenario.seed, `producer:${id}`),
        end,
        onSliceEnd: o.onSliceEnd,
        batched: o.batched,
      });
      return producer;
    });
  });
  return { producers, marks };
}

/** The rate profiles' marks alone (a run whose producers run in another thread still shows them). */
export function producerMarks(scenario: Scenario): MarkedEvent[] {
  return scenario.producers.flatMap((spec) => compileProfile(spec.rate, scenario.duration).marks);
}

/** What the run reads from its producers once they have finished, summed or maxed over them (the summary's input). */
export type ProducerOutcome = ProducersOutcome;

/** The producers' outcome, once they have finished. */
export function producerOutcome(producers: readonly KafkaProducer[]): ProducerOutcome {
  const rejected: Record<string, number> = {};
  for (const p of producers) for (const [k, n] of Object.entries(p.rejected)) rejected[k] = (rejected[k] ?? 0) + n;
  return {
    offered: producers.reduce((s, p) => s + p.offered, 0),
    rejected,
    inProducer: producers.reduce((s, p) => s + p.inProducer(), 0),
    blockedTime: producers.reduce((s, p) => s + p.blockedTime, 0),
    maxBufferBytes: maxOf(producers.map((p) => p.maxBufferBytes), 0),
    maxThrottleMs: maxOf(producers.map((p) => p.maxThrottleMs), 0),
    retries: producers.reduce((s, p) => s + p.retries, 0),
  };
}

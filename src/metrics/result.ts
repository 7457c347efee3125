/**
 * What one simulation run recorded: the only thing reports, charts, CSV and summary.json read.
 *
 * Time in a RunResult is in seconds of simulated time (the kernel's integer microsecond ticks
 * divided by 1e6), latencies in milliseconds, rates in records per second. Every series has one
 * value per sample window; the window i covers [time[i] - interval, time[i]). Values that do not
 * exist for a window (no record completed, so no latency percentile) are `null`.
 *
 * Definitions (DESIGN.md, "What comes out"):
 * - lag (records) of a partition = log end offset - committed offset of the group, sampled at the
 *   window's end; group lag = sum over partitions.
 * - lag (seconds) = age of the oldest appended record whose processing has not completed,
 *   max over partitions, at the window's end.
 * - end-to-end latency = processing completed - handed to the producer, of records completing
 *   in the window.
 */

export interface RunResult {
  scenario: ScenarioInfo;
  /** Window end times, seconds. */
  time: number[];
  series: Series;
  /** Lag per partition at each sample: partitionLag[sample][partition], records. */
  partitionLag: number[][];
  /** Things that happened at a time, to mark on charts' time axis. */
  events: MarkedEvent[];
  summary: Summary;
}

export interface ScenarioInfo {
  name: string;
  title: string;
  description: string;
  seed: number;
  durationSeconds: number;
  sampleIntervalSeconds: number;
  topic: string;
  partitions: number;
  group: string;
  consumers: number;
  /** How records were drawn: every record (`exact`) or per slice and poll batch (`batched`). */
  fidelity: 'exact' | 'batched';
  /** Which Kafka version's defaults were applied where the scenario is silent. */
  kafkaDefaults: string;
}

export interface Series {
  /** Records handed to producers per second in the window. */
  producedRate: number[];
  /** Records appended to the topic (visible to consumers) per second. */
  appendedRate: number[];
  /** Records whose processing completed per second. */
  processedRate: number[];
  groupLag: number[];
  maxPartitionLag: number[];
  lagSeconds: number[];
  latencyP50: (number | null)[];
  latencyP95: (number | null)[];
  latencyP99: (number | null)[];
  latencyMax: (number | null)[];
  consumers: number[];
  /** Partitions with an owner that may not consume them (revoked, awaiting a rebalance), at the sample. */
  pausedPartitions: number[];
  /** Partitions no member of the group owns, at the sample. */
  unownedPartitions: number[];
  /** Producer buffer in use (`buffer.memory`), bytes, summed over producer instances, at the sample. */
  producerBufferBytes: number[];
  /** Fraction of the window application threads spent blocked in send(), summed over instances. */
  producerBlocked: number[];
  /** Records rejected by producers (all reasons) per second. */
  rejectedRate: number[];
  /** Records lost (retention, offset reset) per second. */
  lostRate: number[];
  /** Per downstream service, by name: mean calls in flight and mean calls waiting over the window. */
  services: Record<string, { inFlight: number[]; queued: number[] }>;
}

export interface MarkedEvent {
  timeSeconds: number;
  /** Short label for a chart annotation, e.g. "ramp to 120k/s", "payments slow". */
  label: string;
  kind: 'traffic' | 'service' | 'group' | 'fault';
  /** For windows (a service slow between two times): when it ends. */
  endSeconds?: number;
}

export interface LatencySummary {
  count: number;
  meanMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
}

export interface Summary {
  /** Every record accounted for; the run throws if these do not balance. */
  accounting: Accounting;
  lag: {
    peakRecords: number;
    peakAtSeconds: number;
    peakSeconds: number;
    maxPartitionLagRecords: number;
    finalRecords: number;
    /**
     * Seconds from the peak until group lag first falls to 10% of the peak or less;
     * null if it never does before the run ends (or if the peak is 0).
     */
    timeToDrainSeconds: number | null;
  };
  latency: LatencySummary;
  throughput: {
    meanProducedPerSecond: number;
    peakProducedPerSecond: number;
    meanProcessedPerSecond: number;
    peakProcessedPerSecond: number;
  };
  services: Record<string, ServiceSummary>;
  group: GroupSummary;
  producer: ProducerSummary;
  /** Kernel events executed; a measure of the run's cost, not of the pipeline. */
  kernelEvents: number;
}

export interface GroupSummary {
  /** Rebalances completed (each round of a cooperative handover counts). */
  rebalances: number;
  /** Joins and leaves of members (start-up excluded). */
  membershipChanges: number;
  /** Sum over partitions of the time each spent paused or unowned after start-up, seconds. */
  pausedPartitionSeconds: number;
  /** Longest single pause of one partition, seconds. */
  longestPartitionPauseSeconds: number;
  /** Records processed more than once (redelivered after a rebalance or crash). */
  duplicates: number;
  /** Longest fetch throttle (consumer_byte_rate), ms. */
  maxFetchThrottleMs: number;
}

export interface ProducerSummary {
  /** Time application threads spent blocked in send(), summed over producer instances, seconds. */
  blockedSeconds: number;
  /** Highest buffer use (`buffer.memory`) of one producer instance, bytes. */
  maxBufferBytes: number;
  /** Longest produce throttle (producer_byte_rate), ms. */
  maxThrottleMs: number;
  /** Produce requests retried (a batch sent again). */
  retries: number;
}

export interface ServiceSummary {
  calls: number;
  latency: LatencySummary;
  /** Highest mean number of calls in flight over one sample window. */
  maxInFlight: number;
  /** Highest mean number of calls waiting over one sample window. */
  maxQueued: number;
  meanQueueWaitMs: number | null;
}

export interface Accounting {
  offered: number;
  /** By reason: `buffer-exhausted` (max.block.ms), `delivery-timeout`, `dropped` (application chose to drop). */
  rejected: Record<string, number>;
  appended: number;
  /** Records whose processing completed at least once (duplicates are in summary.group). */
  processed: number;
  /** By reason: `retention` (deleted before processed), `offset-reset` (skipped by auto.offset.reset=latest). */
  lost: Record<string, number>;
  /** Appended, not yet fetched, or fetched but not yet handed to the application by poll(). */
  inLog: number;
  /** Returned by poll() and still being processed when the run ended. */
  inProcessing: number;
  /** Handed to a producer but not yet appended (in the accumulator or in a produce request). */
  inProducer: number;
}

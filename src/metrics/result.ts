/**
 * What one simulation run recorded (RunResult, version 2): the only thing reports, charts, CSV,
 * summary.json, objectives and studies read.
 *
 * The result is keyed the way the model is: by topic, by consumer group and by downstream
 * service, with an end-to-end section for what spans the pipeline (latency from the first
 * producer's hand-over to the last processing). The same keys appear in three parallel trees:
 * - `topology`: what the run was made of (partitions, instances, which topic a group reads);
 * - `series`: one value per sample window (window i covers [i * interval, time[i]); the last
 *   ends with the run, shorter when the duration is not a multiple of the interval);
 * - `summary`: the run's figures, named by their dotted path, which is how objectives, sweeps
 *   and replication estimates name them (`groups.orders-app.lag.peakRecords`,
 *   `endToEnd.latency.p99Ms`, `services.payments.latency.p99Ms`, `accounting.lost`).
 *
 * Time is in seconds of simulated time (the kernel's integer microsecond ticks divided by 1e6),
 * latencies in milliseconds, rates in records per second. Values that do not exist for a window
 * (no record completed, so no latency percentile) are `null`.
 *
 * Definitions (docs/definitions.md):
 * - lag (records) of a partition = log end offset - committed offset of the group, sampled at the
 *   window's end; group lag = sum over the topic's partitions.
 * - lag (seconds) = age of the oldest appended record whose processing has not completed,
 *   max over partitions, at the window's end.
 * - end-to-end latency = processing completed - handed to the first producer, of records
 *   completing in the window.
 */

/** The version of this shape; summary.json records it. */
export const RESULT_VERSION = 2;

export interface RunResult {
  version: typeof RESULT_VERSION;
  scenario: ScenarioInfo;
  topology: Topology;
  /** Window end times, seconds. */
  time: number[];
  series: Series;
  /**
   * Lag per partition at each sample, per group: partitionLag[group][sample][partition], records.
   * A run's rows are views of one Float64Array per group (one allocation, off the JavaScript
   * heap, however long the run); read them by index, or Array.from one for an array's methods.
   */
  partitionLag: Record<string, ArrayLike<number>[]>;
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
  /** How records were drawn: every record (`exact`) or per slice and poll batch (`batched`). */
  fidelity: 'exact' | 'batched';
  /** Which Kafka version's defaults were applied where the scenario is silent. */
  kafkaDefaults: string;
}

/** The components of the run, by name, in the scenario's order. */
export interface Topology {
  topics: Record<string, { partitions: number; replicationFactor: number }>;
  /** Each group, the topic it reads, the instances it starts with, and the topic it produces to (null: a last stage). */
  groups: Record<string, { topic: string; instances: number; produces: string | null }>;
  /** Each service and the groups that call it. */
  services: Record<string, { callers: string[] }>;
  /** Each source producer and the topic it writes. */
  producers: Record<string, { topic: string; instances: number }>;
}

export interface Series {
  topics: Record<string, TopicSeries>;
  groups: Record<string, GroupSeries>;
  services: Record<string, ServiceSeries>;
  endToEnd: EndToEndSeries;
}

/** What the topic's producers did, and what reached its log. */
export interface TopicSeries {
  /** Records handed to the topic's producers per second in the window. */
  producedRate: number[];
  /** Records appended to the topic (visible to consumers) per second. */
  appendedRate: number[];
  /** Producer buffer in use (`buffer.memory`), bytes, summed over the topic's producer instances, at the sample. */
  producerBufferBytes: number[];
  /** Fraction of the window application threads spent blocked in send(), summed over instances. */
  producerBlocked: number[];
  /** Records rejected by the topic's producers (all reasons) per second. */
  rejectedRate: number[];
}

/** A consumer group on its topic. */
export interface GroupSeries {
  /** Records whose processing completed per second. */
  processedRate: number[];
  /** Sum over the topic's partitions of log end offset - committed offset, at the sample. */
  lag: number[];
  maxPartitionLag: number[];
  lagSeconds: number[];
  consumers: number[];
  /** Partitions with an owner that may not consume them (revoked, awaiting a rebalance), at the sample. */
  pausedPartitions: number[];
  /** Partitions no member of the group owns, at the sample. */
  unownedPartitions: number[];
  /** Records lost to this group (retention, offset reset) per second. */
  lostRate: number[];
  /** The stage's latency (create time in its topic -> processed) of records completing in the window, ms. */
  latencyP50: (number | null)[];
  latencyP99: (number | null)[];
  /** Mean number of the group's application threads busy processing over the window. */
  busyInstances: number[];
}

/** A downstream service: mean calls in flight and mean calls waiting over the window. */
export interface ServiceSeries {
  inFlight: number[];
  queued: number[];
}

/** End-to-end latency percentiles of the records completing in the window, ms. */
export interface EndToEndSeries {
  latencyP50: (number | null)[];
  latencyP95: (number | null)[];
  latencyP99: (number | null)[];
  latencyMax: (number | null)[];
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
  topics: Record<string, TopicSummary>;
  groups: Record<string, GroupSummary>;
  services: Record<string, ServiceSummary>;
  endToEnd: { latency: LatencySummary };
  /** Kernel events executed; a measure of the run's cost, not of the pipeline. */
  kernelEvents: number;
}

export interface TopicSummary {
  /** The topic's books over every producer writing it (source producers and stages). */
  books: TopicBooks;
  throughput: {
    meanProducedPerSecond: number;
    peakProducedPerSecond: number;
  };
  producer: ProducerSummary;
}

export interface LagSummary {
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
}

export interface GroupSummary {
  /** The group's books on its topic. */
  books: GroupBooks;
  /** The topic it produces to, or null for a last stage. */
  produces: string | null;
  lag: LagSummary;
  /** The stage's latency: from a record's create time in the group's topic to the end of its processing. */
  latency: LatencySummary;
  /** From create time to being handed to the application by poll(): time in the topic and the consumer's buffer. */
  inTopic: LatencySummary;
  /** From being handed over by poll() to the end of processing (a poll batch's records wait for the ones before them). */
  inProcessing: LatencySummary;
  /** Processing time over the time the group's instances ran (their consumers at each sample x the window), 0 to 1. */
  busyFraction: number;
  throughput: {
    meanProcessedPerSecond: number;
    peakProcessedPerSecond: number;
  };
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

/** A topic's books: every record handed to a producer writing it is rejected, appended, or still in a producer. */
export interface TopicBooks {
  offered: number;
  rejected: Record<string, number>;
  appended: number;
  inProducer: number;
}

/** A group's books on its topic: every record appended is processed, lost, still in the log, or in processing. */
export interface GroupBooks {
  appended: number;
  processed: number;
  lost: Record<string, number>;
  inLog: number;
  inProcessing: number;
  /** Records processed more than once (not in `processed` again). */
  duplicates: number;
}

/**
 * The books of the first stage (the first group on its topic): a single stage's whole books. A
 * pipeline's other topics and groups have their own (TopicSummary.books, GroupSummary.books).
 */
export interface Accounting {
  offered: number;
  /** By reason: `buffer-exhausted` (max.block.ms), `delivery-timeout`, `dropped` (application chose to drop). */
  rejected: Record<string, number>;
  appended: number;
  /** Records whose processing completed at least once (duplicates are in summary.groups). */
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

/**
 * The stage a single-stage report describes: the first consumer group and the topic it reads.
 * Reports of one stage read their series and figures through this, so a run's other groups and
 * topics are named, never guessed.
 */
export interface Stage {
  topic: string;
  group: string;
  partitions: number;
  instances: number;
  topicSeries: TopicSeries;
  groupSeries: GroupSeries;
  topicSummary: TopicSummary;
  groupSummary: GroupSummary;
  partitionLag: ArrayLike<number>[];
}

export function mainStage(result: RunResult): Stage {
  const group = Object.keys(result.topology.groups)[0];
  if (group === undefined) throw new Error('internal: a run with no consumer group');
  return stageOf(result, group);
}

export function stageOf(result: RunResult, group: string): Stage {
  const g = result.topology.groups[group];
  if (g === undefined) throw new Error(`internal: no group ${group} in the run`);
  return {
    topic: g.topic,
    group,
    partitions: result.topology.topics[g.topic].partitions,
    instances: g.instances,
    topicSeries: result.series.topics[g.topic],
    groupSeries: result.series.groups[group],
    topicSummary: result.summary.topics[g.topic],
    groupSummary: result.summary.groups[group],
    partitionLag: result.partitionLag[group],
  };
}

/**
 * In a pipeline, the group a comparison of variants follows: the one with the highest peak lag
 * (where the pipeline backs up). Null for a single stage.
 */
export function focusGroup(result: RunResult): string | null {
  const names = Object.keys(result.topology.groups);
  if (names.length < 2) return null;
  let best = names[0];
  for (const n of names) if (result.summary.groups[n].lag.peakRecords > result.summary.groups[best].lag.peakRecords) best = n;
  return best;
}

/** The topology of one group and its topic alone: one-stage figure paths resolve to them. */
export function stageTopology(topology: Topology, group: string): Topology {
  const topic = topology.groups[group].topic;
  return { ...topology, groups: { [group]: topology.groups[group] }, topics: { [topic]: topology.topics[topic] } };
}

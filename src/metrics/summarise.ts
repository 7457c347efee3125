/**
 * The summary phase: what a run recorded (Recording: the recorder's windows and samples, and
 * each component's end-of-run outcome) becomes a RunResult, keyed by topic, group and service.
 * Nothing here reads a component; everything it reads was handed over at the run's end.
 */
import type { TopicBooks } from './result.js';
import type { Scenario } from '../scenario/schema.js';
import { KAFKA_DEFAULTS_VERSION } from '../scenario/schema.js';
import type { Histogram } from './histogram.js';
import { maxOf } from './extremes.js';
import type { Recorder } from './recorder.js';
import {
  RESULT_VERSION,
  type Accounting,
  type GroupSeries,
  type GroupSummary,
  type LatencySummary,
  type MarkedEvent,
  type RunResult,
  type ServiceSeries,
  type ServiceSummary,
  type TopicSeries,
  type TopicSummary,
} from './result.js';

/** What the run's producers did, summed or maxed over the instances writing one topic. */
export interface ProducersOutcome {
  offered: number;
  rejected: Record<string, number>;
  inProducer: number;
  blockedTime: number;
  maxBufferBytes: number;
  maxThrottleMs: number;
  retries: number;
}

/** A group's figures from its end-of-run outcome (lag and throughput come from the recorder), its topic and instances. */
export type GroupOutcome = Omit<GroupSummary, 'lag' | 'throughput' | 'latency' | 'inTopic' | 'inProcessing' | 'busyFraction'> & { topic: string; instances: number };

export interface ServiceOutcome {
  callers: string[];
  calls: number;
  latency: Histogram;
  queueWait: Histogram;
  /** Per window, the integral of calls in flight (and waiting) over time, ticks. */
  inFlightTime: Float64Array;
  queuedTime: Float64Array;
}

/** Everything a run hands to the summary. */
export interface Recording {
  scenario: Scenario;
  fidelity: 'exact' | 'batched';
  recorder: Recorder;
  topics: Record<string, { partitions: number; replicationFactor: number; producers: ProducersOutcome; books: TopicBooks }>;
  producers: Record<string, { topic: string; instances: number }>;
  groups: Record<string, GroupOutcome>;
  services: Record<string, ServiceOutcome>;
  accounting: Accounting;
  marks: MarkedEvent[];
  kernelEvents: number;
}

const US = 1e6;

export function summarise(run: Recording): RunResult {
  const { scenario, recorder, accounting } = run;
  const end = scenario.duration;
  const interval = scenario['sample-interval'];
  if (recorder.sampled !== recorder.sampling.count) throw new Error(`internal: ${recorder.sampled} of ${recorder.sampling.count} windows sampled`);
  // RunResult's series are plain arrays (readers test them with Array.isArray): the recorder's
  // typed arrays are copied into them once, here. Partition lag, windows x partitions, is not:
  // its rows are views of the recorder's one array.
  const time = Array.from(recorder.time);
  const windowSeconds = (w: number) => (recorder.sampling.endOf(w) - recorder.sampling.startOf(w)) / US;
  const perSecond = (values: Float64Array) => Array.from(values, (v, w) => v / windowSeconds(w));
  const meanLevel = (values: Float64Array) => Array.from(values, (v, w) => v / (windowSeconds(w) * US));
  const ms = (v: number | null) => (v === null ? null : v / 1000);
  const seconds = end / US;

  const topicSeries: Record<string, TopicSeries> = {};
  const topicSummaries: Record<string, TopicSummary> = {};
  for (const [name, t] of Object.entries(run.topics)) {
    const c = recorder.producerMetrics(name);
    const producedRate = perSecond(c.produced.values);
    topicSeries[name] = {
      producedRate,
      appendedRate: perSecond(c.appended.values),
      producerBufferBytes: Array.from(c.buffer.values),
      producerBlocked: meanLevel(c.blocked.values),
      rejectedRate: perSecond(c.rejected.values),
    };
    const o = t.producers;
    topicSummaries[name] = {
      books: t.books,
      throughput: { meanProducedPerSecond: o.offered / seconds, peakProducedPerSecond: maxOf(producedRate, 0) },
      producer: { blockedSeconds: o.blockedTime / US, maxBufferBytes: o.maxBufferBytes, maxThrottleMs: o.maxThrottleMs, retries: o.retries },
    };
  }

  const groupSeries: Record<string, GroupSeries> = {};
  const groupSummaries: Record<string, GroupSummary> = {};
  const partitionLag: Record<string, ArrayLike<number>[]> = {};
  for (const [name, g] of Object.entries(run.groups)) {
    const c = recorder.groupMetrics(name);
    const s = recorder.samples(name, run.topics[g.topic].partitions);
    const processedRate = perSecond(c.processed.values);
    const lag = Array.from(s.lag);
    const maxPartitionLag = Array.from(s.maxPartitionLag);
    const lagSeconds = Array.from(s.lagSeconds);
    groupSeries[name] = {
      processedRate,
      lag,
      maxPartitionLag,
      lagSeconds,
      consumers: Array.from(s.consumers),
      pausedPartitions: Array.from(s.pausedPartitions),
      unownedPartitions: Array.from(s.unownedPartitions),
      lostRate: perSecond(c.lost.values),
      latencyP50: [],
      latencyP99: [],
      busyInstances: [],
    };
    partitionLag[name] = Array.from({ length: recorder.sampled }, (_, w) => s.partitionLagAt(w));
    const { topic: _topic, instances: _instances, books, produces, ...figures } = g;
    let instanceTime = 0;
    let busy = 0;
    for (let w = 0; w < recorder.sampled; w++) {
      instanceTime += s.consumers[w] * windowSeconds(w) * US;
      busy += c.busy.values[w];
    }
    groupSeries[name].latencyP50 = latencyMsOf(c.latency.p50);
    groupSeries[name].latencyP99 = latencyMsOf(c.latency.p99);
    groupSeries[name].busyInstances = meanLevel(c.busy.values);
    groupSummaries[name] = {
      books,
      produces,
      lag: lagSummary(time, lag, lagSeconds, maxPartitionLag),
      latency: latencySummary(c.latency.overall),
      inTopic: latencySummary(c.inTopic),
      inProcessing: latencySummary(c.inProcessing),
      busyFraction: instanceTime > 0 ? Math.min(1, busy / instanceTime) : 0,
      throughput: { meanProcessedPerSecond: books.processed / seconds, peakProcessedPerSecond: maxOf(processedRate, 0) },
      ...figures,
    };
  }

  const serviceSeries: Record<string, ServiceSeries> = {};
  const serviceSummaries: Record<string, ServiceSummary> = {};
  for (const [name, s] of Object.entries(run.services)) {
    const inFlight = meanLevel(s.inFlightTime);
    const queued = meanLevel(s.queuedTime);
    serviceSeries[name] = { inFlight, queued };
    serviceSummaries[name] = {
      calls: s.calls,
      latency: latencySummary(s.latency),
      maxInFlight: maxOf(inFlight, 0),
      maxQueued: maxOf(queued, 0),
      meanQueueWaitMs: ms(s.queueWait.mean()),
    };
  }

  const e2e = recorder.endToEnd;
  const latencyMs = latencyMsOf;
  return {
    version: RESULT_VERSION,
    scenario: {
      name: scenario.name,
      title: scenario.title ?? scenario.name,
      description: scenario.description,
      seed: scenario.seed,
      durationSeconds: seconds,
      sampleIntervalSeconds: interval / US,
      fidelity: run.fidelity,
      kafkaDefaults: KAFKA_DEFAULTS_VERSION,
    },
    topology: {
      topics: Object.fromEntries(Object.entries(run.topics).map(([n, t]) => [n, { partitions: t.partitions, replicationFactor: t.replicationFactor }])),
      groups: Object.fromEntries(Object.entries(run.groups).map(([n, g]) => [n, { topic: g.topic, instances: g.instances, produces: g.produces }])),
      services: Object.fromEntries(Object.entries(run.services).map(([n, s]) => [n, { callers: s.callers }])),
      producers: run.producers,
    },
    time,
    series: {
      topics: topicSeries,
      groups: groupSeries,
      services: serviceSeries,
      endToEnd: {
        latencyP50: latencyMs(e2e.p50),
        latencyP95: latencyMs(e2e.p95),
        latencyP99: latencyMs(e2e.p99),
        latencyMax: latencyMs(e2e.max),
      },
    },
    partitionLag,
    events: run.marks,
    summary: {
      accounting,
      topics: topicSummaries,
      groups: groupSummaries,
      services: serviceSummaries,
      endToEnd: { latency: latencySummary(recorder.endToEnd.overall) },
      kernelEvents: run.kernelEvents,
    },
  };
}

function latencyMsOf(values: Float64Array): (number | null)[] {
  return Array.from(values, (v) => (Number.isNaN(v) ? null : v / 1000));
}

function lagSummary(time: readonly number[], lag: readonly number[], lagSeconds: readonly number[], maxPartitionLag: readonly number[]): GroupSummary['lag'] {
  let peakIdx = 0;
  for (let i = 1; i < lag.length; i++) if (lag[i] > lag[peakIdx]) peakIdx = i;
  const peak = lag[peakIdx] ?? 0;
  let drain: number | null = null;
  if (peak > 0) {
    for (let i = peakIdx + 1; i < lag.length; i++) {
      if (lag[i] <= peak * 0.1) {
        drain = time[i] - time[peakIdx];
        break;
      }
    }
  }
  return {
    peakRecords: peak,
    peakAtSeconds: time[peakIdx] ?? 0,
    peakSeconds: maxOf(lagSeconds, 0),
    maxPartitionLagRecords: maxOf(maxPartitionLag, 0),
    finalRecords: lag[lag.length - 1] ?? 0,
    timeToDrainSeconds: drain,
  };
}

function latencySummary(h: Histogram): LatencySummary {
  const ms = (v: number | null) => (v === null ? null : v / 1000);
  return {
    count: h.count,
    meanMs: ms(h.mean()),
    p50Ms: ms(h.quantile(0.5)),
    p95Ms: ms(h.quantile(0.95)),
    p99Ms: ms(h.quantile(0.99)),
    p999Ms: ms(h.quantile(0.999)),
    maxMs: h.count > 0 ? h.max / 1000 : null,
  };
}

/**
 * Tests of one-stage runs (one topic, one group) read and build results through these two
 * helpers, so an assertion reads as the figure it checks (`one(r).lag.peakRecords`) while the
 * result itself stays keyed by topic, group and service (RunResult v2).
 * - `one(r)`: the first stage's figures and series by their one-stage names;
 * - `oneStageResult(flat)`: a v2 RunResult from one stage's figures and series (hand-made fixtures).
 */
import { mainStage, RESULT_VERSION, type Accounting, type EndToEndSeries, type GroupSeries, type GroupSummary, type LatencySummary, type MarkedEvent, type ProducerSummary, type RunResult, type ScenarioInfo, type ServiceSeries, type ServiceSummary, type TopicSeries } from '../../src/metrics/result.js';

export interface OneStageSeries extends TopicSeries, Omit<GroupSeries, 'lag' | 'busyInstances'>, EndToEndSeries {
  groupLag: number[];
  /** Defaults to none busy. */
  busyInstances?: number[];
}

export interface OneStage {
  topicName: string;
  groupName: string;
  partitions: number;
  consumers: number;
  lag: GroupSummary['lag'];
  latency: LatencySummary;
  /** The group's figures (rebalances, duplicates, ...). */
  group: GroupSummary;
  producer: ProducerSummary;
  throughput: { meanProducedPerSecond: number; peakProducedPerSecond: number; meanProcessedPerSecond: number; peakProcessedPerSecond: number };
  series: OneStageSeries;
  partitionLag: ArrayLike<number>[];
}

export function one(r: RunResult): OneStage {
  const st = mainStage(r);
  const { lag, throughput } = st.groupSummary;
  const { lag: groupLag, ...groupSeries } = st.groupSeries;
  return {
    topicName: st.topic,
    groupName: st.group,
    partitions: st.partitions,
    consumers: st.instances,
    lag,
    latency: r.summary.endToEnd.latency,
    group: st.groupSummary,
    producer: st.topicSummary.producer,
    throughput: { ...st.topicSummary.throughput, ...throughput },
    series: { ...st.topicSeries, ...groupSeries, groupLag, ...r.series.endToEnd },
    partitionLag: st.partitionLag,
  };
}

/** What a hand-made one-stage result is given. */
export interface OneStageInput {
  scenario: ScenarioInfo;
  topic: string;
  partitions: number;
  group: string;
  consumers: number;
  time: number[];
  series: OneStageSeries;
  services: { series: Record<string, ServiceSeries>; summary: Record<string, ServiceSummary> };
  partitionLag: ArrayLike<number>[];
  events: MarkedEvent[];
  summary: {
    accounting: Accounting;
    lag: GroupSummary['lag'];
    latency: LatencySummary;
    throughput: OneStage['throughput'];
    group: Omit<GroupSummary, 'lag' | 'throughput' | 'books' | 'produces' | 'latency' | 'inTopic' | 'inProcessing' | 'busyFraction'>;
    producer: ProducerSummary;
    kernelEvents: number;
  };
}

export function oneStageResult(x: OneStageInput): RunResult {
  const s = x.series;
  const t = x.summary.throughput;
  const a = x.summary.accounting;
  return {
    version: RESULT_VERSION,
    scenario: x.scenario,
    topology: {
      topics: { [x.topic]: { partitions: x.partitions, replicationFactor: 1 } },
      groups: { [x.group]: { topic: x.topic, instances: x.consumers, produces: null } },
      services: Object.fromEntries(Object.keys(x.services.summary).map((n) => [n, { callers: [x.group] }])),
      producers: { checkout: { topic: x.topic, instances: 1 } },
    },
    time: x.time,
    series: {
      topics: {
        [x.topic]: { producedRate: s.producedRate, appendedRate: s.appendedRate, producerBufferBytes: s.producerBufferBytes, producerBlocked: s.producerBlocked, rejectedRate: s.rejectedRate },
      },
      groups: {
        [x.group]: {
          processedRate: s.processedRate,
          lag: s.groupLag,
          maxPartitionLag: s.maxPartitionLag,
          lagSeconds: s.lagSeconds,
          consumers: s.consumers,
          pausedPartitions: s.pausedPartitions,
          unownedPartitions: s.unownedPartitions,
          lostRate: s.lostRate,
          latencyP50: s.latencyP50,
          latencyP99: s.latencyP99,
          busyInstances: s.busyInstances ?? x.time.map(() => 0),
        },
      },
      services: x.services.series,
      endToEnd: { latencyP50: s.latencyP50, latencyP95: s.latencyP95, latencyP99: s.latencyP99, latencyMax: s.latencyMax },
    },
    partitionLag: { [x.group]: x.partitionLag },
    events: x.events,
    summary: {
      accounting: x.summary.accounting,
      topics: {
        [x.topic]: {
          books: { offered: a.offered, rejected: a.rejected, appended: a.appended, inProducer: a.inProducer },
          throughput: { meanProducedPerSecond: t.meanProducedPerSecond, peakProducedPerSecond: t.peakProducedPerSecond },
          producer: x.summary.producer,
        },
      },
      groups: {
        [x.group]: {
          books: { appended: a.appended, processed: a.processed, lost: a.lost, inLog: a.inLog, inProcessing: a.inProcessing, duplicates: x.summary.group.duplicates },
          produces: null,
          lag: x.summary.lag,
          latency: x.summary.latency,
          inTopic: x.summary.latency,
          inProcessing: x.summary.latency,
          busyFraction: 0,
          throughput: { meanProcessedPerSecond: t.meanProcessedPerSecond, peakProcessedPerSecond: t.peakProcessedPerSecond },
          ...x.summary.group,
        },
      },
      services: x.services.summary,
      endToEnd: { latency: x.summary.latency },
      kernelEvents: x.summary.kernelEvents,
    },
  };
}

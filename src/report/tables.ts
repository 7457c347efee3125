/**
 * The tables of a run's report as plain rows, shared by report.md and report.html so the two can
 * never disagree. Text that comes from the scenario (names, labels, reasons) goes through the
 * caller's `userText`, which escapes it for the target format; everything else is text this
 * module wrote. A renderer escapes cells for its own format on top (HTML escapes every cell).
 */
import { mainStage, type Accounting, type MarkedEvent, type RunResult } from '../metrics/result.js';
import type { Replicated } from '../metrics/study.js';
import { formatBytes, formatCount, formatExact, formatMs, formatPercent, formatSeconds } from './format.js';

export type Align = 'left' | 'right';

export interface Table {
  header: string[];
  rows: string[][];
  /** Per column; left if not given. */
  align?: Align[];
}

/** Makes one line of scenario text safe for the target format. */
export type UserText = (text: string) => string;

const FIDELITY: Record<string, string> = {
  exact: 'exact: every record drawn one by one',
  batched: 'batched: records drawn per time slice and poll batch',
};

/** The run's settings; the topic and group are those of its first stage. */
export function scenarioTable(result: RunResult, userText: UserText): Table {
  const scenario = result.scenario;
  const stage = mainStage(result);
  return {
    header: ['Setting', 'Value'],
    rows: [
      ['Scenario', userText(scenario.name)],
      ['Topic', `${userText(stage.topic)}, ${stage.partitions} partitions`],
      ['Consumer group', `${userText(stage.group)}, ${stage.instances} consumers`],
      [
        'Simulated time',
        `${formatSeconds(scenario.durationSeconds)}, sampled every ${formatSeconds(scenario.sampleIntervalSeconds)}`,
      ],
      ['Seed', String(scenario.seed)],
      ['Fidelity', FIDELITY[scenario.fidelity] ?? userText(String(scenario.fidelity))],
      ['Defaults', `Kafka ${userText(scenario.kafkaDefaults)} defaults where the scenario is silent`],
    ],
  };
}

/** The first stage's figures (its group and topic) and the end-to-end ones. */
export function summaryTable(result: RunResult, userText: UserText): Table {
  const stage = mainStage(result);
  const { accounting } = result.summary;
  const latency = result.summary.endToEnd.latency;
  const group = stage.groupSummary;
  const lag = group.lag;
  const producer = stage.topicSummary.producer;
  const throughput = { ...stage.topicSummary.throughput, ...group.throughput };
  const drain =
    lag.peakRecords === 0
      ? 'no lag built up'
      : lag.timeToDrainSeconds === null
        ? 'did not drain within the run'
        : `${formatSeconds(lag.timeToDrainSeconds)} after the peak`;
  const rows = [
    ['Peak group lag', `${formatCount(lag.peakRecords)} records at ${formatSeconds(lag.peakAtSeconds)}`],
    ['Peak lag in time (oldest unprocessed record)', formatSeconds(lag.peakSeconds)],
    ['Max partition lag', `${formatCount(lag.maxPartitionLagRecords)} records`],
    ['Group lag at the end', `${formatCount(lag.finalRecords)} records`],
    ['Time to drain (group lag back to 10% of its peak)', drain],
    ['End-to-end latency p50', formatMs(latency.p50Ms)],
    ['End-to-end latency p95', formatMs(latency.p95Ms)],
    ['End-to-end latency p99', formatMs(latency.p99Ms)],
    ['End-to-end latency p99.9', formatMs(latency.p999Ms)],
    ['End-to-end latency max', formatMs(latency.maxMs)],
    ['Records measured for latency', formatCount(latency.count)],
    [
      'Produced',
      `mean ${formatCount(throughput.meanProducedPerSecond)}/s, peak ${formatCount(throughput.peakProducedPerSecond)}/s`,
    ],
    [
      'Processed',
      `mean ${formatCount(throughput.meanProcessedPerSecond)}/s, peak ${formatCount(throughput.peakProcessedPerSecond)}/s`,
    ],
    ['Rejected by producers', byReason(accounting.rejected, accounting.offered, userText)],
    ['Lost', byReason(accounting.lost, accounting.offered, userText)],
    ['Rebalances', `${formatExact(group.rebalances)} (${formatExact(group.membershipChanges)} membership changes)`],
    [
      'Partitions not consumed (paused or unowned)',
      group.pausedPartitionSeconds === 0
        ? 'never'
        : `${formatSeconds(group.pausedPartitionSeconds)} partition-time in all, longest ${formatSeconds(group.longestPartitionPauseSeconds)}`,
    ],
    ['Duplicates (processed again after a rebalance or crash)', formatExact(group.duplicates)],
    ['Fetch throttled (longest)', group.maxFetchThrottleMs === 0 ? 'never' : formatMs(group.maxFetchThrottleMs)],
    ['Producer buffer (highest, one instance)', formatBytes(producer.maxBufferBytes)],
    ['Time blocked in send() (all instances)', producer.blockedSeconds === 0 ? 'never' : formatSeconds(producer.blockedSeconds)],
    ['Produce throttled (longest)', producer.maxThrottleMs === 0 ? 'never' : formatMs(producer.maxThrottleMs)],
    ['Produce requests retried', formatExact(producer.retries)],
  ];
  return { header: ['Measure', 'Value'], rows };
}

/** "1,237 (<0.1% of offered: dead-lettered 37, retention 1,200)", or "none". */
function byReason(reasons: Record<string, number>, offered: number, userText: UserText): string {
  const total = sum(reasons);
  if (total === 0) return 'none';
  const names = Object.keys(reasons).sort().filter((r) => reasons[r] !== 0);
  const parts = names.map((r) => `${userText(r)} ${formatExact(reasons[r])}`);
  return `${formatExact(total)} (${formatPercent(total, offered)} of offered: ${parts.join(', ')})`;
}

/** Every record by where it ended, and a sentence saying whether both sides balance. */
export function accountingTable(a: Accounting, userText: UserText): { table: Table; balance: string } {
  const rows: string[][] = [];
  const row = (what: string, n: number) => rows.push([what, formatExact(n), formatPercent(n, a.offered)]);
  const reasons = (what: string, byReason: Record<string, number>) => {
    const names = Object.keys(byReason).sort();
    if (names.length === 0) row(what, 0);
    for (const reason of names) row(`${what}: ${userText(reason)}`, byReason[reason]);
  };
  row('Offered (handed to producers)', a.offered);
  reasons('Rejected by producer', a.rejected);
  row('Appended to the topic', a.appended);
  row('Processed', a.processed);
  reasons('Lost', a.lost);
  row('Still in the log', a.inLog);
  row('Still in processing', a.inProcessing);
  row('Still in the producer', a.inProducer);

  const producerSide = a.offered - (sum(a.rejected) + a.appended + a.inProducer);
  const consumerSide = a.appended - (a.processed + sum(a.lost) + a.inLog + a.inProcessing);
  const check = (difference: number) => (difference === 0 ? 'balances' : `off by ${formatExact(difference)}`);
  return {
    table: { header: ['Records', 'Count', 'Share of offered'], rows, align: ['left', 'right', 'right'] },
    balance:
      `Offered = rejected + appended + still in the producer (${check(producerSide)}); ` +
      `appended = processed + lost + still in the log + still in processing (${check(consumerSide)}).`,
  };
}

export function servicesTable(summary: RunResult['summary'], userText: UserText): Table | undefined {
  const names = Object.keys(summary.services).sort();
  if (names.length === 0) return undefined;
  return {
    header: ['Service', 'Calls', 'Latency p99', 'In flight (peak window mean)', 'Queued (peak window mean)', 'Mean queue wait'],
    rows: names.map((name) => {
      const s = summary.services[name];
      return [
        userText(name),
        formatCount(s.calls),
        formatMs(s.latency.p99Ms),
        formatCount(s.maxInFlight),
        formatCount(s.maxQueued),
        formatMs(s.meanQueueWaitMs),
      ];
    }),
    align: ['left', 'right', 'right', 'right', 'right', 'right'],
  };
}

/** Events in time order (ties in the order the run recorded them), windows with their end. */
export function eventsTable(events: readonly MarkedEvent[], userText: UserText): Table | undefined {
  if (events.length === 0) return undefined;
  const rows = events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.timeSeconds - b.e.timeSeconds || a.i - b.i)
    .map(({ e }) => [
      e.endSeconds === undefined ? formatSeconds(e.timeSeconds) : `${formatSeconds(e.timeSeconds)} to ${formatSeconds(e.endSeconds)}`,
      userText(e.label),
      e.kind,
    ]);
  return { header: ['Time', 'Event', 'Kind'], rows };
}

export function sum(values: Record<string, number>): number {
  return Object.values(values).reduce((a, b) => a + b, 0);
}

/** The single-run caveat or nothing: reports say when there is no interval to give. */
export const SINGLE_RUN = 'Single run (one seed); no confidence interval.';

/** What a report says about the runs behind it: one seed, or replications and what the charts draw. */
export function runsNote(replicated: Replicated | undefined): string {
  if (replicated === undefined || replicated.runs.length <= 1) return SINGLE_RUN;
  const n = replicated.runs.length;
  return (
    `${n} runs (seeds ${replicated.seeds.join(', ')}). The summary and the record accounting are the first run's (seed ${replicated.seeds[0]}); ` +
    `"Replications" gives each figure's mean and 95% confidence interval over the ${n} runs (Student's t), and the charts draw the per-window median ` +
    `with a band from the 5th to the 95th percentile across runs.`
  );
}


/**
 * The tables of the reports as plain rows: a run's (report.md and report.html, which share them
 * so the two can never disagree) and a comparison's, which shows the same figures, estimates and
 * objective verdicts once per variant. Text that comes from the scenario (names, labels,
 * reasons) goes through the caller's `userText`, which escapes it for the target format;
 * everything else is text this module wrote. A renderer escapes cells for its own format on top
 * (HTML escapes every cell).
 */
import { focusGroup, mainStage, stageOf, stageTopology, type Accounting, type MarkedEvent, type RunResult, type Summary } from '../metrics/result.js';
import { resolveFigure, valueAt } from '../metrics/figures.js';
import { unevenSplit, type Why } from './why.js';
import type { Estimate, ObjectiveVerdict, Replicated, VariantResult } from '../metrics/study.js';
import { formatBytes, formatCount, formatExact, formatMs, formatPercent, formatSeconds, formatWithUnit } from './format.js';

/**
 * What a run's report adds when the run was studied: the replications behind it (charts then
 * draw their per-window median with a band, and a table gives each figure's mean and 95%
 * interval) and the verdicts on the scenario's objectives.
 */
export interface RunStudy {
  replicated?: Replicated;
  verdicts?: readonly ObjectiveVerdict[];
  /** What else summary.json records about how the run was made (the variant, `--set` overrides). */
  about?: Record<string, unknown>;
}

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

/**
 * One row per stage (consumer group), in the scenario's order: what it reads, how it is sized,
 * what it did, how far behind it fell, where its records' time went, and how long the producer
 * of the topic it writes blocked in send() (blank for a last stage).
 */
export function stagesTable(result: RunResult, userText: UserText): Table {
  const header = [
    'Stage (group)',
    'Topic',
    'Instances',
    'Partitions',
    'Processed/s',
    'Peak lag',
    'Peak lag (s)',
    'In topic p99',
    'Processing p99',
    'Stage p99',
    'Busy',
    'Writes to: blocked in send()',
  ];
  const rows = Object.keys(result.topology.groups).map((group) => {
    const st = stageOf(result, group);
    const g = st.groupSummary;
    const out = result.topology.groups[group].produces;
    const blocked = out === null ? '' : `${userText(out)}: ${result.summary.topics[out].producer.blockedSeconds === 0 ? 'never' : formatSeconds(result.summary.topics[out].producer.blockedSeconds)}`;
    return [
      userText(group),
      userText(st.topic),
      formatExact(st.instances),
      formatExact(st.partitions),
      formatCount(g.throughput.meanProcessedPerSecond),
      formatCount(g.lag.peakRecords),
      formatSeconds(g.lag.peakSeconds),
      formatMs(g.inTopic.p99Ms),
      formatMs(g.inProcessing.p99Ms),
      formatMs(g.latency.p99Ms),
      formatPercent(g.busyFraction, 1),
      blocked,
    ];
  });
  return { header, rows, align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'] };
}

/**
 * What "What limited this run" rests on, per stage (why.ts): partitions per consumer, since when
 * its consumers were all busy, rebalances, records lost to retention, and the producer it writes
 * through (highest buffer of one instance, time blocked in send()).
 */
function unevenCell(u: ReturnType<typeof unevenSplit>): string {
  return u === null ? '' : ` (uneven: ${u.few + 1} or ${u.few})`;
}

export function limitsTable(result: RunResult, why: Why, userText: UserText): Table {
  const rows = why.stages.map((s) => {
    const out = s.produces === null ? undefined : why.producers.find((p) => p.topic === s.produces);
    return [
      userText(s.group),
      formatCount(s.partitionsPerConsumer) + unevenCell(unevenSplit(s)),
      s.busyFrom === null ? 'never' : formatSeconds(s.busyFrom),
      formatExact(s.rebalances),
      formatExact(s.lostToRetention),
      out === undefined ? '' : `${formatBytes(out.maxBufferBytes)}, ${out.blockedSeconds === 0 ? 'never blocked' : `blocked ${formatSeconds(out.blockedSeconds)}`}`,
    ];
  });
  return {
    header: ['Stage', 'Partitions per consumer', 'All consumers busy from', 'Rebalances', 'Lost to retention', 'Its producer: highest buffer, blocked'],
    rows,
    align: ['left', 'right', 'right', 'right', 'right', 'left'],
  };
}

/** For a run with several stages: what the one-stage summary and charts describe. */
export function firstStageNote(result: RunResult, userText: UserText): string {
  const st = mainStage(result);
  return (
    `In the summary, the record accounting and the charts below, lag, throughput, the group and the producer are the first stage's ` +
    `(${userText(st.group)} on ${userText(st.topic)}); latency is end to end, from the first producer to the end of the last stage. ` +
    `Every stage has its own figures under "Stages" and its own chart under "Stage charts".`
  );
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

// ---------------------------------------------------------------------------------------------
// Figures of a summary, by path (a comparison's rows, a run's replications)

export type FigureFormat = 'count' | 'exact' | 'ms' | 'seconds' | 'bytes' | 'percent';

export interface Figure {
  path: string;
  label: string;
  format: FigureFormat;
}

export const FIGURES: readonly Figure[] = [
  { path: 'lag.peakRecords', label: 'Peak group lag (records)', format: 'count' },
  { path: 'lag.peakSeconds', label: 'Peak lag in time', format: 'seconds' },
  { path: 'lag.maxPartitionLagRecords', label: 'Max partition lag (records)', format: 'count' },
  { path: 'lag.finalRecords', label: 'Group lag at the end (records)', format: 'count' },
  { path: 'lag.timeToDrainSeconds', label: 'Time to drain (to 10% of peak)', format: 'seconds' },
  { path: 'latency.p50Ms', label: 'End-to-end latency p50', format: 'ms' },
  { path: 'latency.p95Ms', label: 'End-to-end latency p95', format: 'ms' },
  { path: 'latency.p99Ms', label: 'End-to-end latency p99', format: 'ms' },
  { path: 'latency.p999Ms', label: 'End-to-end latency p99.9', format: 'ms' },
  { path: 'latency.maxMs', label: 'End-to-end latency max', format: 'ms' },
  { path: 'throughput.meanProcessedPerSecond', label: 'Processed, mean (records/s)', format: 'count' },
  { path: 'throughput.peakProcessedPerSecond', label: 'Processed, peak (records/s)', format: 'count' },
  { path: 'group.busyFraction', label: 'Consumers busy (share of their time)', format: 'percent' },
  { path: 'group.inTopic.p99Ms', label: 'Time in topic and buffer p99 (to poll)', format: 'ms' },
  { path: 'group.inProcessing.p99Ms', label: 'Time in processing p99 (from poll)', format: 'ms' },
  { path: 'group.rebalances', label: 'Rebalances', format: 'exact' },
  { path: 'group.pausedPartitionSeconds', label: 'Partition-time not consumed', format: 'seconds' },
  { path: 'group.duplicates', label: 'Duplicates', format: 'exact' },
  { path: 'producer.blockedSeconds', label: 'Time blocked in send()', format: 'seconds' },
  { path: 'producer.maxBufferBytes', label: 'Producer buffer, highest', format: 'bytes' },
];

/** The fixed figures, then every rejection and loss reason any variant has, by reason. */
export function figuresFor(variants: readonly VariantResult[]): Figure[] {
  const reasons = (key: 'rejected' | 'lost') =>
    [...new Set(variants.flatMap((v) => Object.keys(v.result.median.summary.accounting[key])))].sort();
  return [
    ...FIGURES,
    ...reasons('rejected').map((r) => ({ path: `accounting.rejected.${r}`, label: `Rejected: ${r}`, format: 'exact' as const })),
    ...reasons('lost').map((r) => ({ path: `accounting.lost.${r}`, label: `Lost: ${r}`, format: 'exact' as const })),
  ];
}

/**
 * A figure of a summary by its path. Keys may hold dots themselves (a loss reason), so each step
 * takes the longest key that matches.
 */
export function figureAt(summary: Summary, path: string): number | null {
  const node = valueAt(summary, path);
  return typeof node === 'number' && Number.isFinite(node) ? node : null;
}

export interface Measured {
  /** The mean over runs, or the single run's value. */
  value: number | null;
  runs: number;
  estimate?: Estimate;
}

export function measure(variant: VariantResult, figure: string, comparedStage?: string | null): Measured {
  // The figures above are one stage's by their one-stage paths: in a pipeline, the stage where
  // the first variant backs up most (the one a comparison follows, `focusGroup`).
  const topology = variant.result.median.topology;
  const focus = comparedStage ?? focusGroup(variant.result.median);
  const path = resolveFigure(figure, focus === null ? topology : stageTopology(topology, focus));
  const runs = variant.result.runs.length;
  const estimate = variant.result.estimates[path];
  if (runs > 1 && estimate !== undefined) return { value: estimate.mean, runs, estimate };
  return { value: figureAt(variant.result.median.summary, path), runs };
}

export function formatFigure(value: number | null, f: FigureFormat): string {
  if (value === null) return 'n/a';
  switch (f) {
    case 'count':
      return formatCount(value);
    case 'exact':
      return Number.isInteger(value) ? formatExact(value) : formatCount(value);
    case 'ms':
      return formatMs(value);
    case 'seconds':
      return formatSeconds(value);
    case 'bytes':
      return formatBytes(value);
    case 'percent':
      return `${(value * 100).toFixed(value >= 0.995 || value < 0.1 ? 1 : 0)}%`;
  }
}

/** "+120k, +15%", "−2.3 s, −40%", "same"; the % is left out when the baseline is 0. */
export function formatDelta(value: number | null, baseline: number | null, f: FigureFormat): string {
  if (value === null || baseline === null) return 'n/a';
  const d = value - baseline;
  if (d === 0) return 'same';
  const sign = d > 0 ? '+' : '\u2212';
  // A share moves in points: 100% to 60% is 40 points, not -40%.
  if (f === 'percent') return `${sign}${(Math.abs(d) * 100).toFixed(1)} points`;
  const abs = formatFigure(Math.abs(d), f);
  if (baseline === 0) return `${sign}${abs}`;
  const percent = formatPercent(Math.abs(d), Math.abs(baseline));
  return `${sign}${abs}, ${sign}${percent}`;
}

export function runsText(n: number): string {
  return n === 1 ? '1 run' : `${n} runs`;
}

// ---------------------------------------------------------------------------------------------
// Estimates and objectives

/** Mean and 95% CI per variant where it ran more than once; "1 run" where it did not. */
export function estimatesTable(variants: readonly VariantResult[], labels: string[], userText: (t: string) => string): Table {
  const figures = figuresFor(variants);
  const header = ['Measure', ...labels.map((l, k) => `${userText(l)} (${runsText(variants[k].result.runs.length)})`)];
  const rows = figures.map((f) => [
    userText(f.label),
    ...variants.map((v) => {
      const m = measure(v, f.path);
      if (m.estimate === undefined) return `${formatFigure(m.value, f.format)}, 1 run`;
      const e = m.estimate;
      return `${formatFigure(e.mean, f.format)} [${formatFigure(e.low, f.format)}, ${formatFigure(e.high, f.format)}]`;
    }),
  ]);
  return { header, rows, align: ['left', ...variants.map(() => 'right' as const)] };
}

export const CONFIDENCE_WORDING: Record<ObjectiveVerdict['confidence'], string> = {
  holds: 'holds with 95% confidence',
  'on-average': 'only on average',
  fails: 'fails',
  'single-run': 'single run',
};

/** An objective's cells after its name (and variant): measured [interval], bound, margin, result, confidence. */
export function verdictCells(verdict: ObjectiveVerdict): string[] {
  const unit = verdict.unit;
  const interval =
    verdict.interval === undefined ? '' : ` [${formatWithUnit(verdict.interval.low, unit)}, ${formatWithUnit(verdict.interval.high, unit)}]`;
  return [
    formatWithUnit(verdict.measured, unit) + interval,
    `${verdict.comparison === 'at-most' ? '≤' : '≥'} ${formatWithUnit(verdict.bound, unit)}`,
    verdict.margin === null ? 'n/a' : (verdict.margin < 0 ? '\u2212' : '') + formatWithUnit(Math.abs(verdict.margin), unit),
    verdict.pass ? 'pass' : 'FAIL',
    CONFIDENCE_WORDING[verdict.confidence],
  ];
}

/**
 * When a lag or per-window objective's series first crossed its bound (seconds into the run,
 * "never") and the time past it in all, at window resolution (AlertFigures); "–" for others.
 */
export function alertCells(verdict: ObjectiveVerdict): string[] {
  if (verdict.alert === undefined) return ['\u2013', '\u2013'];
  const first = verdict.alert.firstCrossedSeconds;
  return [first === null ? 'never' : `at ${formatSeconds(first)}`, formatSeconds(verdict.alert.secondsAbove)];
}

/**
 * The objectives of one configuration (a run's report): one row each; with two more columns, first
 * crossing and time above the bound, when some objective has alert figures.
 */
export function objectivesTable(verdicts: readonly ObjectiveVerdict[], userText: (t: string) => string): Table | undefined {
  if (verdicts.length === 0) return undefined;
  if (!verdicts.some((v) => v.alert !== undefined)) {
    return {
      header: ['Objective', 'Measured', 'Bound', 'Margin', 'Result', 'Confidence'],
      rows: verdicts.map((v) => [userText(v.objective), ...verdictCells(v)]),
      align: ['left', 'right', 'right', 'right', 'left', 'left'],
    };
  }
  const several = verdicts.some((v) => v.interval !== undefined);
  return {
    header: ['Objective', 'Measured', 'Bound', 'Margin', several ? 'First crossed (earliest run)' : 'First crossed', several ? 'Time above (mean)' : 'Time above', 'Result', 'Confidence'],
    rows: verdicts.map((v) => {
      const [measured, bound, margin, result, confidence] = verdictCells(v);
      return [userText(v.objective), measured, bound, margin, ...alertCells(v), result, confidence];
    }),
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'left', 'left'],
  };
}

/** Mean and 95% CI of the key figures over one configuration's replications (a run's report). */
export function replicationEstimatesTable(label: string, replicated: Replicated, userText: (t: string) => string): Table {
  return estimatesTable([{ label, overrides: [], result: replicated, verdicts: [] }], [label], userText);
}

export const SLO_NOTE =
  'Margin is the room left before the bound (negative: how far past it). With several runs, pass is judged on the mean ' +
  'and the 95% interval is in brackets: "holds with 95% confidence" when the whole interval passes, "only on average" when ' +
  'only the mean does; "single run" means one seed, with no interval to judge by.';

/** Said under an objectives table that has alert columns. */
export const ALERT_NOTE =
  'For a lag or per-window objective, first crossed is the end of the first sample window whose value was past the bound (seconds ' +
  'into the run), and time above the total length of such windows: window resolution, as an alert evaluated once a window would see it.';

/** The notes under an objectives table. */
export function objectivesNote(verdicts: readonly ObjectiveVerdict[]): string {
  return verdicts.some((v) => v.alert !== undefined) ? `${SLO_NOTE} ${ALERT_NOTE}` : SLO_NOTE;
}

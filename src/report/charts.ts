/**
 * The charts of a run as Vega-Lite specs with their data inline, built from a RunResult only.
 *
 * Every chart shares one look so a design review can read them side by side:
 * - the same time axis (seconds, or minutes for runs longer than 20 minutes) with the same
 *   plot width, so a moment lines up across charts stacked in report.md;
 * - one colour per quantity wherever it appears (QUANTITY_COLOURS);
 * - the run's events on every time axis: a dashed rule with a short label above the plot,
 *   and a shaded span for events that last (a service slow between two times);
 * - legends below the plot, so they never change the plot's width.
 * Long series are decimated min/max per bucket (downsample.ts) before they go into a spec.
 */
import type { TopLevelSpec } from 'vega-lite';
import { mainStage, stageOf, type MarkedEvent, type RunResult } from '../metrics/result.js';
import { resolveSeries } from '../metrics/figures.js';
import { maxOf } from '../metrics/extremes.js';
import type { Band } from '../metrics/study.js';
import { bucketPartitionLag, minMaxIndices } from './downsample.js';
import { textWidth } from './text-metrics.js';
import { specBase, type Chart, type Layer } from './chart-base.js';
import { pipelineChart } from './pipeline.js';
import { whyLimited } from './why.js';

export { specBase, type Chart, type Layer } from './chart-base.js';

type Encoding = NonNullable<Extract<Layer, { mark: unknown }>['encoding']>;
export type PositionDef = NonNullable<Encoding['x']>;
type LegendDef = NonNullable<Extract<NonNullable<Encoding['color']>, { legend?: unknown }>['legend']>;
export type VConcatChild = Extract<TopLevelSpec, { vconcat: unknown }>['vconcat'][number];

export const PLOT_WIDTH = 700;
export const LINE_HEIGHT = 220;
/** Points per line after decimation; the CSVs keep every sample. */
export const MAX_POINTS_PER_LINE = 1500;
/** Time columns of the partition heat map. */
export const MAX_HEATMAP_BUCKETS = 150;

/** The same quantity has the same colour in every chart. */
export const QUANTITY_COLOURS = {
  groupLag: '#4c78a8',
  maxPartitionLag: '#f58518',
  lagSeconds: '#8c6bb1',
  p50: '#fc9272',
  p95: '#ef3b2c',
  p99: '#99000d',
  produced: '#bdbdbd',
  appended: '#1b7f79',
  processed: '#54a24b',
  consumers: '#1b7f79',
  paused: '#9467bd',
  unowned: '#d62728',
  buffer: '#4c78a8',
  blocked: '#e45756',
  rejected: '#e45756',
  lost: '#7f2704',
} as const;
/**
 * Partition lag is lag in records like max partition lag, so it uses the same hue; no lag is a
 * neutral light grey rather than a tint, so only partitions that are behind draw the eye.
 */
const HEATMAP_RANGE = ['#f2f2f2', '#fdd0a2', '#fd8d3c', '#d94801', '#7f2704'];
const SERVICE_COLOURS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#9d755d', '#ff9da6'];
const EVENT_COLOUR = '#525252';

const EVENT_LABEL_FONT_SIZE = 10;
const EVENT_LABEL_ROW_HEIGHT = 13;
const EVENT_LABEL_MAX_ROWS = 4;

/** How time is shown on every chart of a run. */
export interface TimeAxis {
  field: 'time_s' | 'time_min';
  title: string;
  /** Seconds per axis unit. */
  unit: number;
  max: number;
}

export function timeAxisFor(durationSeconds: number): TimeAxis {
  return durationSeconds > 20 * 60
    ? { field: 'time_min', title: 'time (min)', unit: 60, max: durationSeconds / 60 }
    : { field: 'time_s', title: 'time (s)', unit: 1, max: durationSeconds };
}

/** A chart left out because it would show nothing: what report.md says instead, in one line. */
export interface SkippedChart {
  name: string;
  title: string;
  note: string;
}

/**
 * Several runs behind the charts: their count and, per series of `RunResult.series` (by path),
 * the 5th-95th percentile band across them. The lines are then the per-window medians.
 */
export interface Spread {
  runs: number;
  bands: Record<string, Band>;
}

/** The caption's note on replications; `banded` names the one line with a band when not all have one. */
const spreadNote = (spread: Spread | undefined, banded?: string) =>
  spread === undefined
    ? ''
    : ` Lines are the per-window median of ${spread.runs} runs; the pale band ${banded === undefined ? 'around each is the' : `is ${banded}'s`} 5th–95th percentile across them.`;
const spreadSubtitle = (subtitle: string, spread: Spread | undefined): string | string[] =>
  spread === undefined ? subtitle : [subtitle, `median of ${spread.runs} runs, band = 5th–95th percentile across runs`];

/**
 * The series a run's report draws, by their one-stage names: those of the run's first stage (its
 * first group and the topic it reads), the end-to-end latency, and the services.
 */
function stageSeries(result: RunResult) {
  const stage = mainStage(result);
  return { ...stage.topicSeries, ...stage.groupSeries, groupLag: stage.groupSeries.lag, ...result.series.endToEnd, services: result.series.services };
}

/** The band across replications of a series named as in stageSeries (bands are keyed by series path). */
function bandOf(spread: Spread | undefined, result: RunResult, name: string): Band | undefined {
  return spread?.bands[resolveSeries(name, result.topology)];
}

/** The charts of a run, and those left out because their series are all zero. */
export function planCharts(result: RunResult, spread?: Spread): { charts: Chart[]; skipped: SkippedChart[] } {
  const axis = timeAxisFor(result.scenario.durationSeconds);
  const events = placeEvents(result.events, axis);
  const s = stageSeries(result);
  const charts = [
    lagRecordsChart(result, axis, events, spread),
    lagSecondsChart(result, axis, events, spread),
    latencyChart(result, axis, events, spread),
    throughputChart(result, axis, events, spread),
    partitionHeatmap(result, axis, events),
  ];
  const skipped: SkippedChart[] = [];
  const consider = (chart: () => Chart, name: string, title: string, shows: boolean, note: string) => {
    if (shows) charts.push(chart());
    else skipped.push({ name, title, note });
  };
  const groupChanged =
    anyNonZero(s.pausedPartitions) ||
    anyNonZero(s.unownedPartitions) ||
    s.consumers.some((c) => c !== s.consumers[0]) ||
    result.events.some((e) => e.kind === 'group');
  consider(
    () => groupChart(result, axis, events),
    'group',
    GROUP_TITLE,
    groupChanged,
    `No rebalance: the group kept ${s.consumers[0] ?? mainStage(result).instances} consumers and every partition was consumed throughout.`,
  );
  consider(
    () => producerChart(result, axis, events),
    'producer',
    PRODUCER_TITLE,
    anyNonZero(s.producerBufferBytes) || anyNonZero(s.producerBlocked),
    'No producer buffer pressure: the buffer stayed empty at every sample and send() never blocked.',
  );
  consider(
    () => lossesChart(result, axis, events),
    'losses',
    LOSSES_TITLE,
    anyNonZero(s.rejectedRate) || anyNonZero(s.lostRate),
    'No record was rejected by a producer or lost during the run.',
  );
  if (Object.keys(s.services).length > 0) charts.push(servicesChart(result, axis, events));
  // A pipeline's stages: its diagram, and each stage's own panels (the charts above are its first stage's).
  const groups = Object.keys(result.topology.groups);
  if (groups.length > 1) {
    charts.push({ ...pipelineChart(result, whyLimited(result)), section: { kind: 'pipeline' } });
    for (const group of groups) charts.push(stageChart(result, group, axis, events));
  }
  return { charts, skipped };
}

export function buildCharts(result: RunResult): Chart[] {
  return planCharts(result).charts;
}

function anyNonZero(values: readonly (number | null)[]): boolean {
  return values.some((v) => v !== null && v !== 0);
}

// ---------------------------------------------------------------------------------------------
// Charts

function lagRecordsChart(result: RunResult, axis: TimeAxis, events: EventMarks, spread?: Spread): Chart {
  const s = stageSeries(result);
  const lines: Line[] = [
    { name: 'group lag (all partitions)', colour: QUANTITY_COLOURS.groupLag, values: s.groupLag, spread: bandOf(spread, result, 'groupLag') },
    { name: 'max partition lag', colour: QUANTITY_COLOURS.maxPartitionLag, values: s.maxPartitionLag, spread: bandOf(spread, result, 'maxPartitionLag') },
  ];
  const title = 'Consumer lag (records)';
  return {
    name: 'lag-records',
    title,
    alt: 'Group lag and max partition lag in records over time',
    caption:
      'Records appended but not yet committed by the group. A rising line means consumers fall behind; ' +
      'the slope back down is the drain rate. Max partition lag close to group lag means one partition holds most of it (key skew). ' +
      'Purple shading: at least one partition was paused or unowned (a rebalance), so nobody consumed it.' +
      spreadNote(spread),
    spec: timeChart(result, axis, events, {
      title,
      subtitle: spreadSubtitle('log end offset − committed offset, summed over partitions and for the worst partition', spread),
      yTitle: 'lag (records)',
      lines,
      // Lag that climbs while partitions are paused is the rebalance's cost, not a capacity problem.
      extraShades: pausedShades(result, axis),
    }),
  };
}

function lagSecondsChart(result: RunResult, axis: TimeAxis, events: EventMarks, spread?: Spread): Chart {
  const title = 'Consumer lag (seconds behind)';
  return {
    name: 'lag-seconds',
    title,
    alt: 'Age of the oldest unprocessed record over time',
    caption:
      'How stale the output is: the age of the oldest appended record not yet processed, worst partition. ' +
      'Compare its peak with the freshness the pipeline promises.' +
      spreadNote(spread),
    spec: timeChart(result, axis, events, {
      title,
      subtitle: spreadSubtitle('age of the oldest appended record not yet processed (worst partition)', spread),
      yTitle: 'lag (s)',
      lines: [{ name: 'lag (s)', colour: QUANTITY_COLOURS.lagSeconds, values: stageSeries(result).lagSeconds, spread: bandOf(spread, result, 'lagSeconds') }],
      // Seconds read as plain numbers ("7,200"), not as counts ("7.2k").
      labelExpr: "format(datum.value, ',~r')",
    }),
  };
}

function latencyChart(result: RunResult, axis: TimeAxis, events: EventMarks, spread?: Spread): Chart {
  const s = stageSeries(result);
  // A log scale cannot show 0 ms; such a window is drawn as a gap like a window with no record.
  const positive = (values: readonly (number | null)[]) => values.map((v) => (v !== null && v > 0 ? v : null));
  // Only p99 gets a band: three overlapping bands on a log axis hide the lines.
  const p99Band = bandOf(spread, result, 'latencyP99');
  const lines: Line[] = [
    { name: 'p50', colour: QUANTITY_COLOURS.p50, values: positive(s.latencyP50) },
    { name: 'p95', colour: QUANTITY_COLOURS.p95, values: positive(s.latencyP95) },
    {
      name: 'p99',
      colour: QUANTITY_COLOURS.p99,
      values: positive(s.latencyP99),
      spread: p99Band && { low: positive(p99Band.low), high: positive(p99Band.high) },
    },
  ];
  const title = 'End-to-end latency per window';
  return {
    name: 'latency',
    title,
    alt: 'End-to-end latency percentiles p50, p95 and p99 per sample window, log scale',
    caption:
      'Time from send() to processing completed, for records that completed in each window. ' +
      'Log scale: each step up the axis is ten times slower. A gap means no record completed in that window.' +
      spreadNote(spread, 'p99'),
    spec: timeChart(result, axis, events, {
      title,
      subtitle: spreadSubtitle('from send() to processing completed, percentiles of the records completing in each window', spread),
      yTitle: 'latency (log scale)',
      lines,
      logMilliseconds: true,
    }),
  };
}

function throughputChart(result: RunResult, axis: TimeAxis, events: EventMarks, spread?: Spread): Chart {
  const s = stageSeries(result);
  const lines: Line[] = [
    // Appended follows produced closely; a wide pale line under a dashed one keeps both visible.
    { name: 'produced', colour: QUANTITY_COLOURS.produced, values: s.producedRate, width: 4 },
    { name: 'appended', colour: QUANTITY_COLOURS.appended, values: s.appendedRate, dash: [5, 3] },
    { name: 'processed', colour: QUANTITY_COLOURS.processed, values: s.processedRate, spread: bandOf(spread, result, 'processedRate') },
  ];
  const title = 'Throughput: in vs out';
  return {
    name: 'throughput',
    title,
    alt: 'Records produced, appended and processed per second over time',
    caption:
      'Produced = handed to producers, appended = written to the topic, processed = done by consumers. ' +
      'While processed stays below appended, lag grows; a gap between produced and appended is the producer falling behind.' +
      spreadNote(spread, 'processed'),
    spec: timeChart(result, axis, events, {
      title,
      subtitle: spreadSubtitle('records per second in each window', spread),
      yTitle: 'throughput (records/s)',
      lines,
    }),
  };
}

function partitionHeatmap(result: RunResult, axis: TimeAxis, events: EventMarks): Chart {
  const stage = mainStage(result);
  const { partitions, values, maxLag } = partitionLagCells(result, axis);
  // Rows of up to 20 px filling about 320 px (more only past 320 partitions, at 1 px a row);
  // where rows are thinner than a label, only some partitions are labelled.
  const step = Math.max(1, Math.min(20, Math.floor(320 / Math.max(1, partitions))));
  const height = step * partitions;
  const labelled = partitionLabels(stage.partitionLag, partitions, Math.ceil(12 / step));
  const title = 'Lag per partition';
  return {
    name: 'partition-lag-heatmap',
    title,
    alt: 'Heat map of lag per partition over time',
    caption:
      'One row per partition, one column per time slice, colour = the worst lag of that partition in the slice. ' +
      'A single dark row is a hot partition (key skew); a dark column is the whole group falling behind.',
    spec: {
      ...specBase(title, `${partitions} partitions of ${stage.topic}; darker = more records behind`),
      width: PLOT_WIDTH,
      height,
      layer: [partitionLagLayer(values, partitions, labelled, axis, maxLag), ...eventLayers(events, axis, height, { bandsAsOutline: true })],
    },
  };
}

/**
 * A run's per-partition lag (its first stage's group on its topic) as heat-map cells: one per
 * partition and time slice (at most MAX_HEATMAP_BUCKETS slices), each the worst lag of the
 * partition in the slice, and the worst of all.
 */
export function partitionLagCells(result: RunResult, axis: TimeAxis): { partitions: number; values: Record<string, number>[]; maxLag: number } {
  const stage = mainStage(result);
  const partitions = stage.partitionLag[0]?.length ?? stage.partitions;
  const buckets = bucketPartitionLag(result.time, stage.partitionLag, MAX_HEATMAP_BUCKETS);
  const values: Record<string, number>[] = [];
  let maxLag = 0;
  for (const b of buckets) {
    for (let p = 0; p < partitions; p++) {
      values.push({ start: chartNumber(b.startSeconds / axis.unit), end: chartNumber(b.endSeconds / axis.unit), partition: p, lag: b.maxLag[p] });
      if (b.maxLag[p] > maxLag) maxLag = b.maxLag[p];
    }
  }
  return { partitions, values, maxLag };
}

/**
 * The heat map of partitionLagCells: a row per partition (only `labelled` ones carry a label), a
 * column per time slice, coloured from none to `maxLag` (several heat maps pass the worst of
 * all, to share one scale).
 */
export function partitionLagLayer(values: Record<string, number>[], partitions: number, labelled: number[], axis: TimeAxis, maxLag: number): Layer {
  // Each cell reaches one pixel into the next, so anti-aliasing leaves no pale seams between them.
  const onePixel = axis.max / PLOT_WIDTH;
  return {
    data: { values },
    transform: [{ calculate: `datum.end + ${onePixel}`, as: 'end_drawn' }],
    mark: { type: 'rect', tooltip: false, clip: true },
    encoding: {
      x: timeX(axis, 'start'),
      x2: { field: 'end_drawn' },
      y: {
        field: 'partition',
        type: 'ordinal',
        title: 'partition',
        scale: { domain: Array.from({ length: partitions }, (_, p) => p), paddingInner: 0, paddingOuter: 0 },
        axis: { values: labelled, labelExpr: "'p' + datum.value", ticks: false, domain: false },
      },
      color: {
        field: 'lag',
        type: 'quantitative',
        title: 'lag (records, worst in each time slice)',
        scale: { range: HEATMAP_RANGE, domain: [0, Math.max(1, maxLag)], nice: false },
        legend: { orient: 'bottom', direction: 'horizontal', gradientLength: 320, labelExpr: COUNT_LABEL, titleLimit: 400 },
      },
    },
  };
}

const GROUP_TITLE = 'Consumer group: members and partitions not consumed';

function groupChart(result: RunResult, axis: TimeAxis, events: EventMarks): Chart {
  const s = stageSeries(result);
  const stage = mainStage(result);
  const partitions = stage.partitions;
  const consumers: Line[] = [{ name: 'consumers in the group', colour: QUANTITY_COLOURS.consumers, values: s.consumers }];
  const stalled: Line[] = [
    { name: 'paused (owned, may not fetch)', colour: QUANTITY_COLOURS.paused, values: s.pausedPartitions },
    { name: 'unowned', colour: QUANTITY_COLOURS.unowned, values: s.unownedPartitions, dash: [5, 3] },
  ];
  const maxConsumers = maxOf(s.consumers, 1);
  const title = GROUP_TITLE;
  return {
    name: 'group',
    title,
    alt: 'Consumers in the group, and partitions paused or unowned, over time, with rebalances and faults marked',
    caption:
      'Top: members of the group. Bottom: partitions nobody is consuming, out of ' +
      `${partitions}: paused (an owner that may not fetch them) and unowned (no owner). ` +
      'Amber shading is a rebalance in progress; dashed lines are membership changes and faults.',
    spec: panelsChart(title, `${partitions} partitions of ${stage.topic}, group ${stage.group}`, events, axis, result.time, [
      { lines: consumers, height: 110, yTitle: 'consumers', interpolate: 'step-after', yDomain: [0, maxConsumers], labelExpr: "format(datum.value, '~r')" },
      { lines: stalled, height: 170, yTitle: 'partitions not consumed', interpolate: 'step-after', yDomain: [0, Math.max(1, partitions)], labelExpr: "format(datum.value, '~r')" },
    ]),
  };
}

const PRODUCER_TITLE = 'Producer: buffer in use and time blocked in send()';

function producerChart(result: RunResult, axis: TimeAxis, events: EventMarks): Chart {
  const s = stageSeries(result);
  const mib = s.producerBufferBytes.map((b) => b / MIB);
  const title = PRODUCER_TITLE;
  return {
    name: 'producer',
    title,
    alt: 'Producer buffer use in MiB and the share of time send() blocked, over time',
    caption:
      'Top: bytes waiting in the producers\' accumulators (buffer.memory), all instances together. ' +
      'Bottom: share of each window application threads spent blocked in send() because the buffer was full; ' +
      'summed over instances, so 200% is two instances blocked all window. Blocking past max.block.ms rejects records.',
    spec: panelsChart(title, 'at each sample, summed over producer instances', events, axis, result.time, [
      { lines: [{ name: 'buffer in use', colour: QUANTITY_COLOURS.buffer, values: mib }], height: 150, yTitle: 'buffer in use (MiB)', labelExpr: "format(datum.value, '~r')" },
      { lines: [{ name: 'blocked in send()', colour: QUANTITY_COLOURS.blocked, values: s.producerBlocked }], height: 130, yTitle: 'blocked (% of window)', yFormat: '~%' },
    ]),
  };
}

const LOSSES_TITLE = 'Records rejected and lost';

function lossesChart(result: RunResult, axis: TimeAxis, events: EventMarks): Chart {
  const s = stageSeries(result);
  const { rejected, lost } = result.summary.accounting;
  // The series are totals per window; the reasons come from the run's accounting.
  const reasons = (what: string, byReason: Record<string, number>) => {
    const names = Object.keys(byReason).sort().filter((r) => byReason[r] > 0);
    return names.length === 0 ? undefined : `${what}: ${names.join(', ')}`;
  };
  const lines: Line[] = [
    { name: 'rejected by producers', colour: QUANTITY_COLOURS.rejected, values: s.rejectedRate },
    { name: 'lost', colour: QUANTITY_COLOURS.lost, values: s.lostRate },
  ];
  const why = [reasons('rejected', rejected), reasons('lost', lost)].filter((r) => r !== undefined).join('; ');
  const title = LOSSES_TITLE;
  return {
    name: 'losses',
    title,
    alt: 'Records rejected by producers and records lost per second over time',
    caption:
      'Rejected: send() failed (buffer full past max.block.ms, delivery timeout) or the application dropped the record. ' +
      'Lost: appended but never processed (deleted by retention before the group read it, skipped by auto.offset.reset). ' +
      'Totals by reason are in the record accounting above.',
    spec: timeChart(result, axis, events, {
      title,
      subtitle: 'records per second in each window' + (why === '' ? '' : ` (${why})`),
      yTitle: 'records/s',
      lines,
    }),
  };
}

interface Panel {
  lines: Line[];
  height: number;
  yTitle: string;
  logMilliseconds?: boolean;
  interpolate?: 'step-after';
  yDomain?: [number, number];
  labelExpr?: string;
  yFormat?: string;
}

/** Panels stacked on one time axis; event labels over the top panel only, shading in all. */
function panelsChart(
  title: string,
  subtitle: string,
  events: EventMarks,
  axis: TimeAxis,
  time: readonly number[],
  panels: Panel[],
): TopLevelSpec {
  return {
    ...specBase(title, subtitle),
    vconcat: panels.map(
      (panel, i): VConcatChild => ({
        width: PLOT_WIDTH,
        height: panel.height,
        layer: [
          ...eventLayers(events, axis, panel.height, { bandsOnly: true }),
          lineLayer(panel.lines, axis, time, {
            yTitle: panel.yTitle,
            logMilliseconds: panel.logMilliseconds,
            interpolate: panel.interpolate,
            yDomain: panel.yDomain,
            labelExpr: panel.labelExpr,
            yFormat: panel.yFormat,
          }),
          ...eventLayers(events, axis, panel.height, { rulesOnly: true, labels: i === 0 }),
        ],
      }),
    ),
    spacing: 12,
    // Each panel names its own lines; the shading means the same in all and is explained once.
    resolve: {
      scale: { color: 'independent', strokeDash: 'independent', fill: 'shared' },
      legend: { color: 'independent', strokeDash: 'independent', fill: 'shared' },
    },
  };
}

const MIB = 1024 * 1024;

/**
 * One stage of a pipeline on one time axis: its lag in records and in seconds, what reached its
 * topic against what it processed, its stage latency, and its consumers against how many of them
 * were busy processing (the two lines together mean the stage is saturated).
 */
function stageChart(result: RunResult, group: string, axis: TimeAxis, events: EventMarks): Chart {
  const st = stageOf(result, group);
  const g = st.groupSeries;
  const positive = (values: readonly (number | null)[]) => values.map((v) => (v !== null && v > 0 ? v : null));
  const count = "format(datum.value, '~r')";
  const title = `Stage ${group}`;
  return {
    name: `stage-${group}`,
    title,
    alt: `Stage ${group}: lag in records and seconds, appended vs processed, stage latency p50 and p99, consumers and busy consumers over time`,
    caption:
      `From the top: lag of ${group} on ${st.topic} (log end offset − committed offset, all partitions and the worst one); ` +
      'the age of its oldest unprocessed record; records appended to its topic against records it processed per second; ' +
      'its stage latency (create time in its topic to processed, log scale); its consumers against the mean number busy processing ' +
      '(the two together mean every consumer was busy: the stage is saturated).',
    section: { kind: 'stage', group },
    spec: panelsChart(title, `reads ${st.topic} (${st.partitions} partitions)${st.groupSummary.produces === null ? '' : `, writes ${st.groupSummary.produces}`}`, events, axis, result.time, [
      {
        lines: [
          { name: 'group lag', colour: QUANTITY_COLOURS.groupLag, values: g.lag },
          { name: 'max partition lag', colour: QUANTITY_COLOURS.maxPartitionLag, values: g.maxPartitionLag },
        ],
        height: 110,
        yTitle: 'lag (records)',
      },
      { lines: [{ name: 'lag (s)', colour: QUANTITY_COLOURS.lagSeconds, values: g.lagSeconds }], height: 90, yTitle: 'lag (s)', labelExpr: "format(datum.value, ',~r')" },
      {
        lines: [
          // Processed follows appended when the stage keeps up; dashed over solid keeps both visible.
          { name: 'appended to its topic', colour: QUANTITY_COLOURS.appended, values: st.topicSeries.appendedRate },
          { name: 'processed', colour: QUANTITY_COLOURS.processed, values: g.processedRate, dash: [5, 3] },
        ],
        height: 110,
        yTitle: 'records/s',
      },
      {
        lines: [
          { name: 'stage p50', colour: QUANTITY_COLOURS.p50, values: positive(g.latencyP50) },
          { name: 'stage p99', colour: QUANTITY_COLOURS.p99, values: positive(g.latencyP99) },
        ],
        height: 110,
        yTitle: 'stage latency',
        logMilliseconds: true,
      },
      {
        lines: [
          { name: 'consumers', colour: QUANTITY_COLOURS.consumers, values: g.consumers },
          { name: 'busy processing (mean)', colour: QUANTITY_COLOURS.blocked, values: g.busyInstances, dash: [5, 3] },
        ],
        height: 90,
        yTitle: 'consumers',
        yDomain: [0, Math.max(1, maxOf(g.consumers, 1))],
        labelExpr: count,
      },
    ]),
  };
}

/**
 * Which partitions get a label on the heat map's axis when rows are too thin to label them all:
 * the most lagging partition first (the one a reader will ask about), then every `every`-th
 * partition that does not crowd a label already there.
 */
export function partitionLabels(partitionLag: readonly ArrayLike<number>[], partitions: number, every: number): number[] {
  if (every <= 1) return Array.from({ length: partitions }, (_, p) => p);
  let hottest = 0;
  let worst = -Infinity;
  for (const row of partitionLag) {
    for (let p = 0; p < partitions; p++) {
      if (row[p] > worst) {
        worst = row[p];
        hottest = p;
      }
    }
  }
  const labelled = [hottest];
  for (let p = 0; p < partitions; p += every) {
    if (labelled.every((q) => Math.abs(q - p) >= every)) labelled.push(p);
  }
  return labelled.sort((a, b) => a - b);
}

function servicesChart(result: RunResult, axis: TimeAxis, events: EventMarks): Chart {
  const names = Object.keys(stageSeries(result).services).sort();
  const colours = names.map((_, i) => SERVICE_COLOURS[i % SERVICE_COLOURS.length]);
  const panel = (metric: 'inFlight' | 'queued', yTitle: string, withLabels: boolean): VConcatChild => {
    const lines: Line[] = names.map((name, i) => ({
      name,
      colour: colours[i],
      values: stageSeries(result).services[name][metric],
    }));
    return {
      width: PLOT_WIDTH,
      height: 150,
      layer: [
        ...eventLayers(events, axis, 150, { bandsOnly: true }),
        lineLayer(lines, axis, result.time, { yTitle, legendTitle: 'service' }),
        ...eventLayers(events, axis, 150, { rulesOnly: true, labels: withLabels }),
      ],
    };
  };
  const title = 'Downstream services: calls in flight and waiting';
  return {
    name: 'services',
    title,
    alt: 'Mean calls in flight and mean calls queued per downstream service over time',
    caption:
      'Top: calls in progress (mean over each window), capped by the concurrency limit. ' +
      'Bottom: calls waiting for a free slot; a queue that keeps growing means the service is saturated.',
    spec: {
      ...specBase(title, 'mean over each sample window, per service'),
      vconcat: [panel('inFlight', 'calls in flight', true), panel('queued', 'calls queued', false)],
      spacing: 12,
      resolve: { scale: { color: 'shared' }, legend: { color: 'shared' } },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Building blocks

interface Line {
  name: string;
  colour: string;
  values: readonly (number | null)[];
  /** Stroke width in pixels; 1.5 if not given. */
  width?: number;
  dash?: number[];
  /** With replications: the 5th-95th percentile across runs, drawn as a pale band under the line. */
  spread?: Band;
}

interface TimeChartOptions {
  title: string;
  subtitle: string | string[];
  yTitle: string;
  lines: Line[];
  /** y is milliseconds on a log axis labelled "10 ms", "1 s", ... */
  logMilliseconds?: boolean;
  /** Vega expression for the y labels; counts ("120k") if not given. */
  labelExpr?: string;
  extraShades?: Shade[];
}

function timeChart(result: RunResult, axis: TimeAxis, events: EventMarks, options: TimeChartOptions): TopLevelSpec {
  const spread = spreadLayer(options.lines, axis, result.time, options.yTitle, options.logMilliseconds === true);
  return {
    ...specBase(options.title, options.subtitle),
    width: PLOT_WIDTH,
    height: LINE_HEIGHT,
    layer: [
      ...eventLayers(events, axis, LINE_HEIGHT, { bandsOnly: true, extraShades: options.extraShades }),
      ...(spread === undefined ? [] : [spread]),
      lineLayer(options.lines, axis, result.time, {
        yTitle: options.yTitle,
        logMilliseconds: options.logMilliseconds,
        labelExpr: options.labelExpr,
      }),
      ...eventLayers(events, axis, LINE_HEIGHT, { rulesOnly: true }),
    ],
    // The bands' fill takes the lines' colours but adds no legend of its own.
    ...(spread === undefined ? {} : { resolve: { scale: { fill: 'independent' }, legend: { fill: 'independent' } } }),
  };
}

/**
 * The pale 5th-95th percentile bands of the lines that have one, in their lines' colours, or
 * undefined when none has. Windows are decimated as their line is (keeping its spikes).
 */
function spreadLayer(lines: Line[], axis: TimeAxis, time: readonly number[], yTitle: string, log: boolean): Layer | undefined {
  const banded = lines.filter((l) => l.spread !== undefined);
  if (banded.length === 0) return undefined;
  const rows: Record<string, number | string | null>[] = [];
  for (const line of banded) {
    const { low, high } = line.spread!;
    for (const i of minMaxIndices(line.values, MAX_POINTS_PER_LINE)) {
      const lo = low[i];
      const hi = high[i];
      if (lo === null || hi === null || lo === undefined || hi === undefined) continue;
      rows.push({ [axis.field]: chartNumber(time[i] / axis.unit), series: line.name, low: chartNumber(lo), high: chartNumber(hi) });
    }
  }
  return {
    data: { values: rows },
    mark: { type: 'area', opacity: 0.22, tooltip: false, clip: true },
    encoding: {
      x: timeX(axis, axis.field),
      // Same scale and title as the lines' y, so the layers share one axis (the lines' labels).
      y: { field: 'low', type: 'quantitative', title: yTitle, ...(log ? { scale: { type: 'log', domain: logDomain(lines) } } : {}) },
      y2: { field: 'high' },
      fill: {
        field: 'series',
        type: 'nominal',
        scale: { domain: banded.map((l) => l.name), range: banded.map((l) => l.colour) },
        legend: null,
      },
    },
  };
}

export function timeX(axis: TimeAxis, field: string): PositionDef {
  return {
    field,
    type: 'quantitative',
    title: axis.title,
    scale: { domain: [0, axis.max], nice: false, zero: false },
  };
}

/**
 * A number as a chart's data holds it: 7 significant digits, far finer than a pixel, so that
 * 1/60 of a minute is 0.01666667 and not 0.016666666666666666 (the CSVs keep full precision).
 */
export function chartNumber(value: number): number {
  return Number.isInteger(value) || !Number.isFinite(value) ? value : Number(value.toPrecision(7));
}

/** Long-form rows {time, series, value}, each line decimated on its own so its spikes survive. */
function lineRows(lines: Line[], time: readonly number[], axis: TimeAxis) {
  const rows: Record<string, number | string | null>[] = [];
  for (const line of lines) {
    for (const i of minMaxIndices(line.values, MAX_POINTS_PER_LINE)) {
      const v = line.values[i];
      rows.push({ [axis.field]: chartNumber(time[i] / axis.unit), series: line.name, value: v === null ? null : chartNumber(v) });
    }
  }
  return rows;
}

function lineLayer(
  lines: Line[],
  axis: TimeAxis,
  time: readonly number[],
  options: {
    yTitle: string;
    logMilliseconds?: boolean;
    legendTitle?: string;
    labelExpr?: string;
    /** 'step-after' for a state that holds until the next sample (a count of partitions). */
    interpolate?: 'step-after';
    yDomain?: [number, number];
    /** Vega-Lite number format of the y labels, instead of labelExpr ('%' for fractions). */
    yFormat?: string;
  },
): Layer {
  const y: PositionDef = options.logMilliseconds
    ? {
        field: 'value',
        type: 'quantitative',
        title: options.yTitle,
        scale: { type: 'log', domain: logDomain(lines) },
        axis: {
          values: logTicks(logDomain(lines)),
          labelExpr: "datum.value >= 1000 ? format(datum.value / 1000, '~g') + ' s' : format(datum.value, '~g') + ' ms'",
        },
      }
    : {
        field: 'value',
        type: 'quantitative',
        title: options.yTitle,
        ...(options.yDomain === undefined ? {} : { scale: { domain: options.yDomain, nice: false } }),
        axis: options.yFormat !== undefined ? { format: options.yFormat } : { labelExpr: options.labelExpr ?? COUNT_LABEL },
      };
  // One line needs no legend, unless the legend is what names it (a single service).
  const single = lines.length === 1 && options.legendTitle === undefined;
  const dashed = lines.some((l) => l.dash !== undefined);
  const wide = lines.some((l) => l.width !== undefined);
  const legend: LegendDef | null = single
    ? null
    : { orient: 'bottom', title: options.legendTitle ?? null, direction: 'horizontal' };
  return {
    data: { values: lineRows(lines, time, axis) },
    mark: { type: 'line', strokeWidth: 1.5, tooltip: false, ...(options.interpolate ? { interpolate: options.interpolate } : {}) },
    encoding: {
      x: timeX(axis, axis.field),
      y,
      color: {
        field: 'series',
        type: 'nominal',
        scale: { domain: lines.map((l) => l.name), range: lines.map((l) => l.colour) },
        legend,
        sort: lines.map((l) => l.name),
      },
      // Same field and legend as colour, so Vega-Lite draws one legend showing both.
      ...(dashed
        ? {
            strokeDash: {
              field: 'series',
              type: 'nominal',
              scale: { domain: lines.map((l) => l.name), range: lines.map((l) => l.dash ?? [1, 0]) },
              legend,
              sort: lines.map((l) => l.name),
            },
          }
        : {}),
      ...(wide
        ? {
            strokeWidth: {
              field: 'series',
              type: 'ordinal',
              scale: { domain: lines.map((l) => l.name), range: lines.map((l) => l.width ?? 1.5) },
              legend,
              sort: lines.map((l) => l.name),
            },
          }
        : {}),
    },
  };
}

function logDomain(lines: Line[]): [number, number] {
  return logDomainOf(lines.flatMap((l) => (l.spread === undefined ? [l.values] : [l.values, l.spread.low, l.spread.high])));
}

/** Whole decades around the positive values; 1 ms to 1 s when there are none. */
export function logDomainOf(series: readonly (readonly (number | null)[])[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const values of series) {
    for (const v of values) {
      if (v === null || v <= 0) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === Infinity) return [1, 1000];
  // Whole decades, so the axis starts and ends on a labelled tick.
  return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi) + (hi === lo ? 1 : 0))];
}

/** 1, 2, 5 per decade when the domain is narrow; decades only when it spans more than three. */
export function logTicks([lo, hi]: [number, number]): number[] {
  const decades = Math.round(Math.log10(hi / lo));
  const steps = decades > 3 ? [1] : [1, 2, 5];
  const ticks: number[] = [];
  for (let e = Math.round(Math.log10(lo)); e <= Math.round(Math.log10(hi)); e++) {
    for (const s of steps) {
      const v = Number((s * 10 ** e).toPrecision(6));
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  return ticks;
}

/**
 * Axis and legend labels for counts: "120k", "2.5M" from a thousand up, plain "12.5" below, and
 * "0" for zero (a plain d3 format with the axis's tick precision would say "0M" or "4e+1").
 */
export const COUNT_LABEL =
  "datum.value == 0 ? '0' : abs(datum.value) >= 1000 ? format(datum.value, '~s') : format(datum.value, '~r')";

// ---------------------------------------------------------------------------------------------
// Events on the time axis

/** Where the events go on a chart: one rule per event, one label per cluster of close events. */
interface EventMarks {
  rules: { t: number; event: string; top: number }[];
  /** Spans, merged per kind where they overlap (a rebalance storm is one span, not fifty). */
  bands: Shade[];
  labels: { t: number; text: string; y: number; align: 'left' | 'right' }[];
}

/** A shaded span of the time axis: an event that lasts, or a stretch of paused partitions. */
export interface Shade {
  start: number;
  end: number;
  /** What the shading means, as the legend says it (SHADE_MEANING). */
  shade: ShadeKind;
  /** Labels of the events merged into this span. */
  event: string;
}

export type ShadeKind = MarkedEvent['kind'] | 'paused';

/** What each kind of shading means, in the legend, and its colour (drawn at low opacity). */
export const SHADE_MEANING: Record<ShadeKind, { legend: string; colour: string }> = {
  traffic: { legend: 'traffic window', colour: '#525252' },
  service: { legend: 'service slow or down', colour: '#525252' },
  group: { legend: 'rebalance', colour: '#e8a317' },
  fault: { legend: 'fault', colour: '#d62728' },
  paused: { legend: 'partitions not consumed', colour: '#9467bd' },
};
const SHADE_ORDER: ShadeKind[] = ['paused', 'group', 'fault', 'service', 'traffic'];
const SHADE_OPACITY = 0.14;

interface Span {
  from: number;
  to: number;
  x: number;
  row: number;
}

/**
 * Lays out event labels on rows above the plot, each rule running down from its label into the
 * plot. Events a few pixels apart share one label ("consumer crash, rebalance"): their rules would
 * look like one anyway; so does a run of the same event close together ("rebalance ×12, +3 more"
 * in a rebalance storm). Each label takes the first row and side of its rule where, in order of
 * preference: (1) it overlaps no label, its rule crosses no label on a lower row, it covers no rule
 * coming up from a higher row, and it covers no rule of an event still to come; (2) the same but
 * ignoring events still to come; (3) it overlaps no label. If no row has room, the rules go
 * unlabelled. A white halo under each label keeps a rule that does cross it from hiding the text.
 * Positions are computed here rather than left to Vega so that every chart of a run places them
 * identically.
 */
export function placeEvents(events: readonly MarkedEvent[], axis: TimeAxis): EventMarks {
  const horizon = axis.max * axis.unit;
  const sorted = events
    .map((e, index) => ({ e, index }))
    .filter(({ e }) => e.timeSeconds >= 0 && e.timeSeconds <= horizon)
    .sort((a, b) => a.e.timeSeconds - b.e.timeSeconds || a.index - b.index)
    .map(({ e }) => ({ e, t: e.timeSeconds / axis.unit, x: (e.timeSeconds / horizon) * PLOT_WIDTH }));

  const clusters: (typeof sorted)[] = [];
  for (const item of sorted) {
    const cluster = clusters[clusters.length - 1];
    const previous = cluster?.[cluster.length - 1];
    const gap = previous === undefined ? Infinity : item.x - previous.x;
    const repeat = cluster?.some((c) => c.e.label === item.e.label) ?? false;
    const close = gap <= 6;
    if (close || (repeat && gap <= 40)) cluster.push(item);
    else clusters.push([item]);
  }

  const gap = 8;
  const placedSpans: Span[] = [];
  const marks: EventMarks = { rules: [], bands: [], labels: [] };
  const spans: Shade[] = [];
  const rules: (EventMarks['rules'][number] & { kind: MarkedEvent['kind']; lasts: boolean })[] = [];
  clusters.forEach((cluster, c) => {
    const { x, t } = cluster[0];
    const text = fitLabel(clusterLabel(cluster.map((item) => item.e.label)), Math.max(x, PLOT_WIDTH - x));
    const w = textWidth(text, EVENT_LABEL_FONT_SIZE) + 4;
    const laterRules = clusters.slice(c + 1).map((later) => later[0].x);
    const natural = x + w <= PLOT_WIDTH + 12 ? 'left' : 'right';
    const sides = natural === 'left' && x - w >= 0 ? (['left', 'right'] as const) : ([natural] as const);
    let best: { tier: number; span: Span; align: 'left' | 'right' } | undefined;
    for (let row = 0; row < EVENT_LABEL_MAX_ROWS && best?.tier !== 1; row++) {
      for (const align of sides) {
        const [from, to] = align === 'left' ? [x, x + w] : [x - w, x];
        const span = { from, to, x, row };
        const covers = (ruleX: number) => from - 2 <= ruleX && ruleX <= to + 2;
        const free = placedSpans.every((s) => s.row !== row || from >= s.to + gap || to + gap <= s.from);
        const clean = placedSpans.every(
          (s) => !(s.row < row && s.from - 2 <= x && x <= s.to + 2) && !(s.row > row && covers(s.x)),
        );
        const tier = !free ? 3 : !clean ? 3 : laterRules.some(covers) ? 2 : 1;
        if (!free) continue;
        if (best === undefined || tier < best.tier) best = { tier, span, align };
        if (tier === 1) break;
      }
    }
    // With every row taken here, the rules stand without a label rather than overprint others;
    // report.md's events table still lists them.
    let top = 0;
    if (best !== undefined) {
      placedSpans.push(best.span);
      const y = -4 - best.span.row * EVENT_LABEL_ROW_HEIGHT;
      marks.labels.push({ t, text, y, align: best.align });
      top = y - EVENT_LABEL_FONT_SIZE;
    }
    cluster.forEach((item, i) => {
      const lasts = item.e.endSeconds !== undefined && item.e.endSeconds > item.e.timeSeconds;
      // Only the first rule reaches up to the label; the others would cross it.
      rules.push({ t: item.t, event: item.e.label, top: i === 0 ? top : 0, kind: item.e.kind, lasts });
      if (lasts) {
        spans.push({ start: item.t, end: Math.min(item.e.endSeconds as number, horizon) / axis.unit, shade: item.e.kind, event: item.e.label });
      }
    });
  });
  marks.bands = mergeShades(spans, (MERGE_PIXELS * axis.max) / PLOT_WIDTH);
  // A span that starts inside an earlier span of its kind (the 2nd to 50th rebalance of a storm)
  // is already drawn by the shading: its rule would only add to a picket fence of dashes.
  const pixel = axis.max / PLOT_WIDTH;
  marks.rules = rules
    .filter((r) => !r.lasts || r.top !== 0 || !marks.bands.some((b) => b.shade === r.kind && b.start + pixel < r.t && r.t <= b.end))
    .map(({ t, event, top }) => ({ t, event, top }));
  return marks;
}

/**
 * Overlapping spans of one kind, or spans at most `gap` apart (in axis units), become one span, so that a storm
 * of fifty overlapping rebalances is drawn as one shade of one depth, not as fifty stacked layers.
 * Merged spans list each label once. Kinds keep the order of SHADE_ORDER, spans their time order.
 */
export function mergeShades(spans: readonly Shade[], gap: number): Shade[] {
  const merged: Shade[] = [];
  for (const kind of SHADE_ORDER) {
    const ofKind = spans.filter((s) => s.shade === kind).sort((a, b) => a.start - b.start || a.end - b.end);
    let current: (Shade & { labels: string[] }) | undefined;
    for (const span of ofKind) {
      if (current !== undefined && span.start <= current.end + gap) {
        current.end = Math.max(current.end, span.end);
        if (!current.labels.includes(span.event)) current.labels.push(span.event);
        continue;
      }
      if (current !== undefined) merged.push(finishShade(current, gap));
      current = { ...span, labels: [span.event] };
    }
    if (current !== undefined) merged.push(finishShade(current, gap));
  }
  return merged;
}

/** Spans closer than this many pixels are drawn as one: the gap between them would hardly show. */
const MERGE_PIXELS = 2;

/** Shorter spans are drawn this wide (in axis units per pixel), so a 3 s rebalance in a 2 h run still shows. */
const MIN_SHADE_PIXELS = 2;

function finishShade(span: Shade & { labels: string[] }, gap: number): Shade {
  const end = Math.max(span.end, span.start + (MIN_SHADE_PIXELS * gap) / MERGE_PIXELS);
  return { start: span.start, end, shade: span.shade, event: span.labels.join(', ') };
}

/**
 * The stretches of the run during which at least one partition was paused or unowned, as shades:
 * window i covers [time[i - 1], time[i]] (from 0 for the first). Stretches a pixel or two apart are joined, so a
 * long run with an on-off pattern draws at most one shade per pixel column.
 */
export function pausedShades(result: RunResult, axis: TimeAxis): Shade[] {
  const { pausedPartitions, unownedPartitions } = stageSeries(result);
  const spans: Shade[] = [];
  for (let i = 0; i < result.time.length; i++) {
    if ((pausedPartitions[i] ?? 0) + (unownedPartitions[i] ?? 0) <= 0) continue;
    const start = (i > 0 ? result.time[i - 1] : 0) / axis.unit;
    const end = Math.min(result.time[i], axis.max * axis.unit) / axis.unit;
    spans.push({ start, end, shade: 'paused', event: 'partitions paused or unowned' });
  }
  return mergeShades(spans, (MERGE_PIXELS * axis.max) / PLOT_WIDTH);
}

/** The label cut short with an ellipsis so it fits in `room` pixels: labels never spill out of the plot. */
function fitLabel(text: string, room: number): string {
  if (textWidth(text, EVENT_LABEL_FONT_SIZE) + 4 <= room) return text;
  let n = text.length;
  while (n > 1 && textWidth(`${text.slice(0, n)}\u2026`, EVENT_LABEL_FONT_SIZE) + 4 > room) n--;
  return `${text.slice(0, n).trimEnd()}\u2026`;
}

/**
 * "crash, rebalance"; a label that repeats is written once with its count ("rebalance ×12"), and
 * past two different labels the rest are counted: "rebalance ×12, deploy, +5 more".
 */
function clusterLabel(labels: string[]): string {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  const named = [...counts].slice(0, 2);
  const shown = named.map(([label, n]) => (n === 1 ? label : `${label} \u00d7${n}`));
  const rest = labels.length - named.reduce((sum, [, n]) => sum + n, 0);
  return shown.join(', ') + (rest > 0 ? `, +${rest} more` : '');
}

function eventLayers(
  events: EventMarks,
  axis: TimeAxis,
  height: number,
  options: {
    bandsOnly?: boolean;
    rulesOnly?: boolean;
    bandsAsOutline?: boolean;
    labels?: boolean;
    /** Shades that are not events (paused partitions), drawn with the events' spans. */
    extraShades?: Shade[];
  },
): Layer[] {
  const layers: Layer[] = [];
  // Paused partitions are what a rebalance does to consumption; where they are shaded, shading the
  // rebalance too would only muddy the colour.
  const extra = options.extraShades ?? [];
  const bands = [...extra, ...events.bands.filter((b) => !(extra.length > 0 && b.shade === 'group'))];
  if (!options.rulesOnly && bands.length > 0) {
    if (options.bandsAsOutline) {
      layers.push({
        data: { values: bands },
        mark: { type: 'rect', filled: false, stroke: EVENT_COLOUR, strokeDash: [4, 3], strokeWidth: 1, tooltip: false },
        encoding: { x: timeX(axis, 'start'), x2: { field: 'end' } },
      });
    } else {
      // The legend names only the kinds of shading this chart has, in a fixed order and colour.
      const kinds = SHADE_ORDER.filter((k) => bands.some((b) => b.shade === k));
      const meaning = kinds.map((k) => SHADE_MEANING[k].legend);
      layers.push({
        data: { values: bands.map((b) => ({ ...b, meaning: SHADE_MEANING[b.shade].legend })) },
        mark: { type: 'rect', opacity: SHADE_OPACITY, tooltip: false },
        encoding: {
          x: timeX(axis, 'start'),
          x2: { field: 'end' },
          fill: {
            field: 'meaning',
            type: 'nominal',
            scale: { domain: meaning, range: kinds.map((k) => SHADE_MEANING[k].colour) },
            legend: { orient: 'bottom', direction: 'horizontal', title: 'shaded:', symbolType: 'square', symbolOpacity: 0.35, symbolStrokeWidth: 0 },
          },
        },
      });
    }
  }
  if (options.bandsOnly || events.rules.length === 0) return layers;
  const labels = options.labels !== false;
  layers.push({
    data: { values: events.rules.map((r) => ({ event: r.event, [axis.field]: r.t, top: labels ? r.top : 0 })) },
    mark: { type: 'rule', color: EVENT_COLOUR, strokeDash: [4, 3], strokeWidth: 1, tooltip: false },
    encoding: {
      x: timeX(axis, axis.field),
      y: { field: 'top', type: 'quantitative', scale: null, axis: null },
      y2: { value: height },
    },
  });
  if (!labels) return layers;
  for (const align of ['left', 'right'] as const) {
    const side = events.labels.filter((l) => l.align === align);
    if (side.length === 0) continue;
    const text = {
      type: 'text',
      align,
      baseline: 'bottom',
      dx: align === 'left' ? 3 : -3,
      fontSize: EVENT_LABEL_FONT_SIZE,
      tooltip: false,
    } as const;
    const encoding = {
      x: timeX(axis, axis.field),
      y: { field: 'y', type: 'quantitative', scale: null, axis: null },
      text: { field: 'event', type: 'nominal' },
    } as const;
    const data = { values: side.map((l) => ({ event: l.text, [axis.field]: l.t, y: l.y })) };
    // A white halo under the text, so a rule passing behind a label never makes it hard to read.
    layers.push({ data, mark: { ...text, color: 'white', stroke: 'white', strokeWidth: 3 }, encoding });
    layers.push({ data, mark: { ...text, color: '#333333' }, encoding });
  }
  return layers;
}

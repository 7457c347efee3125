/**
 * Charts that put several configurations side by side (a comparison, a sweep, a plan), built from
 * VariantResults only, with the single-run charts' look (charts.ts).
 *
 * - Every variant has one colour in every chart, taken from VARIANT_PALETTE by its position in
 *   the list, so the first variant is always blue and the tenth is the same grey everywhere.
 * - A variant's line is its per-window median across runs (Replicated.median); with more than one
 *   run, the 5th-95th percentile band across runs (Replicated.bands) is drawn under it as a
 *   translucent area of the same colour. One run draws no band: there is nothing to spread.
 * - Events are not marked: variants need not share them (different faults, different rebalances).
 * - Per-partition lag is one heat map per variant, stacked, on one colour scale.
 *
 * A sweep's charts of one figure over a grid of configurations are grid-charts.ts's.
 */
import type { TopLevelSpec } from 'vega-lite';
import { resolveSeries, seriesOf } from '../metrics/figures.js';
import type { VariantResult } from '../metrics/study.js';
import { focusGroup, stageTopology, type Topology } from '../metrics/result.js';
import {
  COUNT_LABEL,
  LINE_HEIGHT,
  logDomainOf,
  logTicks,
  MAX_POINTS_PER_LINE,
  partitionLagCells,
  partitionLagLayer,
  PLOT_WIDTH,
  specBase,
  timeAxisFor,
  timeX,
  chartNumber,
  type Chart,
  type Layer,
  type PositionDef,
  type TimeAxis,
  type VConcatChild,
} from './charts.js';
import { minMaxIndices } from './downsample.js';
import { formatWithUnit } from './format.js';

/** Variant colours by position (Tableau 10); past ten they repeat. */
export const VARIANT_PALETTE = [
  '#4c78a8',
  '#f58518',
  '#54a24b',
  '#e45756',
  '#72b7b2',
  '#b279a2',
  '#eeca3b',
  '#9d755d',
  '#ff9da6',
  '#bab0ac',
];

export function variantColour(index: number): string {
  return VARIANT_PALETTE[index % VARIANT_PALETTE.length];
}

/** Labels as charts show them: unique, so two variants never share a colour entry. */
export function displayLabels(variants: readonly VariantResult[]): string[] {
  const seen = new Map<string, number>();
  return variants.map((v) => {
    const n = (seen.get(v.label) ?? 0) + 1;
    seen.set(v.label, n);
    return n === 1 ? v.label : `${v.label} (${n})`;
  });
}

/** A series by its one-stage name (metrics/figures.ts): the first stage's, or the end-to-end one. */
type NumericSeries = string;

interface ComparedSeries {
  key: NumericSeries;
  name: string;
  title: string;
  subtitle: string;
  yTitle: string;
  caption: string;
  /** Drawn only if some variant has a non-zero value. */
  onlyIfNonZero?: boolean;
  logMs?: boolean;
  /** Divide values by this before drawing (bytes to MiB). */
  scale?: number;
  labelExpr?: string;
  format?: string;
}

const COMPARED: ComparedSeries[] = [
  {
    key: 'groupLag',
    name: 'lag-records',
    title: 'Consumer lag (records)',
    subtitle: 'log end offset − committed offset, summed over partitions',
    yTitle: 'lag (records)',
    caption: 'Group lag of each variant. The lower and the sooner back to zero, the better.',
  },
  {
    key: 'lagSeconds',
    name: 'lag-seconds',
    title: 'Consumer lag (seconds behind)',
    subtitle: 'age of the oldest appended record not yet processed (worst partition)',
    yTitle: 'lag (s)',
    caption: 'How stale each variant\'s output gets.',
    labelExpr: "format(datum.value, ',~r')",
  },
  {
    key: 'latencyP99',
    name: 'latency-p99',
    title: 'End-to-end latency p99 per window',
    subtitle: 'from send() to processing completed, 99th percentile of the records completing in each window',
    yTitle: 'latency p99 (log scale)',
    caption: 'Log scale: each step up the axis is ten times slower. A gap means no record completed in that window.',
    logMs: true,
  },
  {
    key: 'processedRate',
    name: 'throughput',
    title: 'Throughput processed',
    subtitle: 'records processed per second in each window',
    yTitle: 'processed (records/s)',
    caption: 'What each variant\'s consumers got through; where it is flat below the produced rate, lag grows.',
  },
  {
    key: 'consumers',
    name: 'consumers',
    title: 'Consumers in the group',
    subtitle: 'members at each sample',
    yTitle: 'consumers',
    caption: 'Members of the group over time (crashes, deploys, autoscaling).',
    labelExpr: "format(datum.value, '~r')",
  },
  {
    key: 'pausedPartitions',
    name: 'paused-partitions',
    title: 'Partitions paused',
    subtitle: 'owned but not consumed (revoked or awaiting a rebalance), at each sample',
    yTitle: 'partitions paused',
    caption: 'Rebalances stop consumption; the area under each line is partition-time lost to them.',
    onlyIfNonZero: true,
    labelExpr: "format(datum.value, '~r')",
  },
  {
    key: 'producerBufferBytes',
    name: 'producer-buffer',
    title: 'Producer buffer in use',
    subtitle: 'bytes in the accumulators (buffer.memory), all producer instances together',
    yTitle: 'buffer in use (MiB)',
    caption: 'A buffer that stays full means send() blocks and, past max.block.ms, rejects records.',
    onlyIfNonZero: true,
    scale: 1024 * 1024,
    labelExpr: "format(datum.value, '~r')",
  },
  {
    key: 'rejectedRate',
    name: 'rejected',
    title: 'Records rejected by producers',
    subtitle: 'records per second in each window, all reasons',
    yTitle: 'rejected (records/s)',
    caption: 'Records send() failed on (buffer full, delivery timeout) or the application dropped.',
    onlyIfNonZero: true,
  },
  {
    key: 'lostRate',
    name: 'lost',
    title: 'Records lost',
    subtitle: 'records per second in each window: deleted by retention, skipped by offset reset',
    yTitle: 'lost (records/s)',
    caption: 'Appended but never processed.',
    onlyIfNonZero: true,
  },
];

/** The comparison's charts, in a fixed order; series that are all zero in every variant are left out. */
export function buildComparisonCharts(variants: readonly VariantResult[]): Chart[] {
  if (variants.length === 0) return [];
  const labels = displayLabels(variants);
  const axis = timeAxisFor(Math.max(...variants.map((v) => v.result.median.scenario.durationSeconds)));
  const charts: Chart[] = [];
  const focus = focusGroup(variants[0].result.median);
  for (const compared of COMPARED) {
    const c = focus === null ? compared : focused(compared, focus, variants[0].result.median.topology);
    const anyNonZero = variants.some((v) => seriesOf(v.result.median, c.key).some((x) => x !== null && x !== 0));
    if (c.onlyIfNonZero && !anyNonZero) continue;
    charts.push(comparedChart(c, variants, labels, axis));
  }
  charts.push(heatmapsChart(variants, labels, axis));
  return charts;
}

/** A compared series of one group (and its topic) in a pipeline: its path in full, the group in its title. */
function focused(c: ComparedSeries, group: string, topology: Topology): ComparedSeries {
  const key = resolveSeries(c.key, stageTopology(topology, group));
  return key === c.key ? c : { ...c, key, title: `${c.title}: stage ${group}` };
}

function colourScale(labels: readonly string[]) {
  return { domain: [...labels], range: labels.map((_, i) => variantColour(i)) };
}

function comparedChart(c: ComparedSeries, variants: readonly VariantResult[], labels: string[], axis: TimeAxis): Chart {
  const lineRows: Record<string, number | string | null>[] = [];
  const bandRows: Record<string, number | string | null>[] = [];
  const scale = c.scale ?? 1;
  const shown = (v: number | null) => (v === null || (c.logMs && v <= 0) ? null : chartNumber(v / scale));
  variants.forEach((variant, k) => {
    const { median, runs, bands } = variant.result;
    const values = seriesOf(median, c.key);
    const band = runs.length > 1 ? bands[resolveSeries(c.key, median.topology)] : undefined;
    for (const i of minMaxIndices(values, MAX_POINTS_PER_LINE)) {
      const t = chartNumber(median.time[i] / axis.unit);
      lineRows.push({ [axis.field]: t, variant: labels[k], value: shown(values[i]) });
      if (band !== undefined) {
        const low = shown(band.low[i]);
        const high = shown(band.high[i]);
        if (low !== null && high !== null) bandRows.push({ [axis.field]: t, variant: labels[k], low, high });
      }
    }
  });
  const replicated = variants.some((v) => v.result.runs.length > 1);
  const y: PositionDef = c.logMs
    ? (() => {
        const domain = logDomainOf(variants.map((v) => seriesOf(v.result.median, c.key)));
        return {
          field: 'value',
          type: 'quantitative',
          title: c.yTitle,
          scale: { type: 'log', domain },
          axis: {
            values: logTicks(domain),
            labelExpr: "datum.value >= 1000 ? format(datum.value / 1000, '~g') + ' s' : format(datum.value, '~g') + ' ms'",
          },
        } as PositionDef;
      })()
    : { field: 'value', type: 'quantitative', title: c.yTitle, axis: { labelExpr: c.labelExpr ?? COUNT_LABEL } };
  const color = {
    field: 'variant',
    type: 'nominal',
    title: null,
    scale: colourScale(labels),
    sort: [...labels],
    legend: { orient: 'bottom', direction: 'horizontal', title: null },
  } as const;
  const layers: Layer[] = [];
  if (bandRows.length > 0) {
    layers.push({
      data: { values: bandRows },
      mark: { type: 'area', opacity: 0.2, tooltip: false },
      encoding: {
        x: timeX(axis, axis.field),
        y: { ...(y as object), field: 'low' } as PositionDef,
        y2: { field: 'high' },
        // Fill, not colour: the same colours, but the legend stays the lines' (a band has none of its own).
        fill: { ...color, legend: null },
      },
    });
  }
  layers.push({
    data: { values: lineRows },
    mark: { type: 'line', strokeWidth: 1.5, tooltip: false },
    encoding: { x: timeX(axis, axis.field), y, color },
  });
  const bandNote = replicated ? ' Shaded: 5th–95th percentile across runs; the line is the median.' : '';
  return {
    name: c.name,
    title: c.title,
    alt: `${c.title}, one line per variant`,
    caption: c.caption + bandNote,
    spec: {
      ...specBase(c.title, replicated ? [c.subtitle, 'line = median of the runs, band = 5th–95th percentile across runs'] : c.subtitle),
      width: PLOT_WIDTH,
      height: LINE_HEIGHT,
      layer: layers,
      // The bands' fill has the lines' colours but no legend of its own.
      ...(bandRows.length > 0 ? { resolve: { scale: { fill: 'independent' }, legend: { fill: 'independent' } } } : {}),
    },
  };
}

/** One per-partition lag heat map per variant, stacked, on one shared colour scale. */
function heatmapsChart(variants: readonly VariantResult[], labels: string[], axis: TimeAxis): Chart {
  const cells = variants.map((variant) => partitionLagCells(variant.result.median, axis));
  // One domain for all: every variant's worst cell.
  const maxLag = cells.reduce((worst, c) => (c.maxLag > worst ? c.maxLag : worst), 0);
  const panels: VConcatChild[] = cells.map(({ partitions, values }, k) => {
    const step = Math.max(1, Math.min(10, Math.floor(160 / Math.max(1, partitions))));
    const every = Math.ceil(12 / step);
    const labelled = Array.from({ length: partitions }, (_, p) => p).filter((p) => p % every === 0);
    return {
      title: { text: labels[k], color: variantColour(k), fontSize: 12, anchor: 'start' },
      width: PLOT_WIDTH,
      height: step * partitions,
      ...partitionLagLayer(values, partitions, labelled, axis, maxLag),
    } as VConcatChild;
  });
  const title = 'Lag per partition, by variant';
  return {
    name: 'partition-lag-heatmaps',
    title,
    alt: 'Heat maps of lag per partition over time, one per variant, on one colour scale',
    caption:
      'One heat map per variant, same colours for the same lag in all: a dark row is a hot partition, a dark column the whole group behind. ' +
      'With several runs, each cell is the median across runs.',
    spec: {
      ...specBase(title, 'darker = more records behind; one colour scale for all variants'),
      vconcat: panels,
      spacing: 16,
      resolve: { scale: { color: 'shared', y: 'independent' }, legend: { color: 'shared' } },
    } as TopLevelSpec,
  };
}

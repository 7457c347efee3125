/**
 * The report of a comparison, sweep or plan: several configurations (VariantResults) side by
 * side. Writes report.md, report.html, one chart per compared series (.svg, .png, .vl.json,
 * all variants on the same axes), summary.json and comparison.csv, replacing the output
 * directory in one rename like a run's report.
 *
 * Figures are read by their summary path (study.ts): with several runs, from the run estimates
 * (mean and 95% CI); with one run, from that run's summary, and the report says "1 run".
 * Deltas are against the first variant, the baseline.
 */
import type { Summary } from '../metrics/result.js';
import { resolveFigure } from '../metrics/figures.js';
import type { Estimate, ObjectiveVerdict, Replicated, VariantResult } from '../metrics/study.js';
import { replaceDirectory, type OutputFile } from './atomic.js';
import type { Chart } from './charts.js';
import { buildComparisonCharts, displayLabels, formatWithUnit, gridHeatmapChart, type GridHeatmapInput } from './comparison-charts.js';
import { formatBytes, formatCount, formatExact, formatMs, formatPercent, formatSeconds } from './format.js';
import { chartSection, heading, htmlTable, list, oneLine, paragraph, quote, renderHtml } from './html.js';
import { prettyJson, sortKeys } from './json.js';
import { blockquote, headingText, inlineText, markdownTable } from './markdown.js';
import { compileChart, renderSvg, svgToPng } from './render.js';
import type { Table } from './tables.js';

export interface ComparisonOptions {
  /** The report's title; "Comparison: a vs b" (or "Comparison of N configurations") if not given. */
  title?: string;
  /** Free text under the title (what is being compared and why). */
  description?: string;
}

/**
 * Writes the comparison of `variants` (the first is the baseline) into `outDir`, replacing an
 * earlier report there, and returns the names of the files written.
 */
export async function writeComparison(outDir: string, variants: readonly VariantResult[], options: ComparisonOptions = {}): Promise<string[]> {
  const files = await renderComparison(variants, options);
  await replaceDirectory(outDir, files);
  return files.map((f) => f.name);
}

/** The comparison's files in memory, in the order writeComparison lists them. */
export async function renderComparison(variants: readonly VariantResult[], options: ComparisonOptions = {}): Promise<OutputFile[]> {
  if (variants.length === 0) throw new Error('a comparison needs at least one variant');
  const charts = buildComparisonCharts(variants);
  const title = options.title ?? defaultTitle(variants);
  const files: (OutputFile | Promise<OutputFile>)[] = [
    { name: 'report.md', content: comparisonMarkdown(variants, charts, title, options.description) },
    comparisonHtml(variants, charts, title, options.description).then((content) => ({ name: 'report.html', content })),
    { name: 'summary.json', content: comparisonJson(variants, title) },
    { name: 'comparison.csv', content: comparisonCsv(variants) },
  ];
  for (const chart of charts) files.push(...(await chartFiles(chart)));
  return Promise.all(files);
}

/**
 * A heat map of one figure over a 2-D grid of configurations, as chart files: `<name>.svg`,
 * `<name>.png`, `<name>.vl.json` (name defaults to 'grid-heatmap'). Write them with the rest of a
 * sweep's report, or alone.
 */
export async function renderGridHeatmap(input: GridHeatmapInput): Promise<OutputFile[]> {
  return chartFiles(gridHeatmapChart(input));
}

async function chartFiles(chart: Chart): Promise<OutputFile[]> {
  const { svg } = await renderSvg(compileChart(chart.spec).vega);
  return [
    { name: `${chart.name}.svg`, content: svg },
    { name: `${chart.name}.png`, content: await svgToPng(svg) },
    { name: `${chart.name}.vl.json`, content: prettyJson(chart.spec) },
  ];
}

function defaultTitle(variants: readonly VariantResult[]): string {
  return variants.length <= 3 ? `Comparison: ${variants.map((v) => v.label).join(' vs ')}` : `Comparison of ${variants.length} configurations`;
}

// ---------------------------------------------------------------------------------------------
// Figures

type Format = 'count' | 'exact' | 'ms' | 'seconds' | 'bytes';

interface Figure {
  path: string;
  label: string;
  format: Format;
}

const FIGURES: Figure[] = [
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
  { path: 'group.rebalances', label: 'Rebalances', format: 'exact' },
  { path: 'group.pausedPartitionSeconds', label: 'Partition-time not consumed', format: 'seconds' },
  { path: 'group.duplicates', label: 'Duplicates', format: 'exact' },
  { path: 'producer.blockedSeconds', label: 'Time blocked in send()', format: 'seconds' },
  { path: 'producer.maxBufferBytes', label: 'Producer buffer, highest', format: 'bytes' },
];

/** The fixed figures, then every rejection and loss reason any variant has, by reason. */
function figuresFor(variants: readonly VariantResult[]): Figure[] {
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
  let node: unknown = summary;
  let rest = path;
  while (rest !== '') {
    if (node === null || typeof node !== 'object') return null;
    const record = node as Record<string, unknown>;
    const key = Object.keys(record)
      .filter((k) => rest === k || rest.startsWith(k + '.'))
      .sort((a, b) => b.length - a.length)[0];
    if (key === undefined) return null;
    node = record[key];
    rest = rest.slice(key.length + 1);
  }
  return typeof node === 'number' && Number.isFinite(node) ? node : null;
}

interface Measured {
  /** The mean over runs, or the single run's value. */
  value: number | null;
  runs: number;
  estimate?: Estimate;
}

function measure(variant: VariantResult, figure: string): Measured {
  // The figures above are one stage's (the first group and its topic), by their one-stage paths.
  const path = resolveFigure(figure, variant.result.median.topology);
  const runs = variant.result.runs.length;
  const estimate = variant.result.estimates[path];
  if (runs > 1 && estimate !== undefined) return { value: estimate.mean, runs, estimate };
  return { value: figureAt(variant.result.median.summary, path), runs };
}

function format(value: number | null, f: Format): string {
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
  }
}

/** "+120k, +15%", "−2.3 s, −40%", "same"; the % is left out when the baseline is 0. */
export function formatDelta(value: number | null, baseline: number | null, f: Format): string {
  if (value === null || baseline === null) return 'n/a';
  const d = value - baseline;
  if (d === 0) return 'same';
  const sign = d > 0 ? '+' : '\u2212';
  const abs = format(Math.abs(d), f);
  if (baseline === 0) return `${sign}${abs}`;
  const percent = formatPercent(Math.abs(d), Math.abs(baseline));
  return `${sign}${abs}, ${sign}${percent}`;
}

function runsText(n: number): string {
  return n === 1 ? '1 run' : `${n} runs`;
}

// ---------------------------------------------------------------------------------------------
// Tables

function variantsTable(variants: readonly VariantResult[], labels: string[], userText: (t: string) => string): Table {
  return {
    header: ['Variant', 'Runs (seeds)', 'Changes from the base'],
    rows: variants.map((v, k) => [
      userText(labels[k]) + (k === 0 ? ' (baseline)' : ''),
      `${runsText(v.result.runs.length)} (${v.result.seeds.join(', ')})`,
      v.overrides.length === 0 ? 'none' : v.overrides.map(userText).join('; '),
    ]),
  };
}

/** Measures down, variants across; every variant after the first with its delta to the first. */
function sideBySideTable(variants: readonly VariantResult[], labels: string[], userText: (t: string) => string): Table {
  const figures = figuresFor(variants);
  const header = ['Measure', ...labels.map((l, k) => userText(l) + (k === 0 ? '' : ` (Δ vs ${userText(labels[0])})`))];
  const rows = figures.map((f) => {
    const base = measure(variants[0], f.path).value;
    return [
      userText(f.label),
      ...variants.map((v, k) => {
        const m = measure(v, f.path);
        return k === 0 ? format(m.value, f.format) : `${format(m.value, f.format)} (${formatDelta(m.value, base, f.format)})`;
      }),
    ];
  });
  return { header, rows, align: ['left', ...variants.map(() => 'right' as const)] };
}

/** Mean and 95% CI per variant where it ran more than once; "1 run" where it did not. */
function estimatesTable(variants: readonly VariantResult[], labels: string[], userText: (t: string) => string): Table {
  const figures = figuresFor(variants);
  const header = ['Measure', ...labels.map((l, k) => `${userText(l)} (${runsText(variants[k].result.runs.length)})`)];
  const rows = figures.map((f) => [
    userText(f.label),
    ...variants.map((v) => {
      const m = measure(v, f.path);
      if (m.estimate === undefined) return `${format(m.value, f.format)}, 1 run`;
      const e = m.estimate;
      return `${format(e.mean, f.format)} [${format(e.low, f.format)}, ${format(e.high, f.format)}]`;
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
function verdictCells(verdict: ObjectiveVerdict): string[] {
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

function sloTable(variants: readonly VariantResult[], labels: string[], userText: (t: string) => string): Table | undefined {
  const rows: string[][] = [];
  const objectives = [...new Set(variants.flatMap((v) => v.verdicts.map((o) => o.objective)))];
  for (const objective of objectives) {
    variants.forEach((v, k) => {
      for (const verdict of v.verdicts.filter((o) => o.objective === objective)) {
        rows.push([userText(objective), userText(labels[k]), ...verdictCells(verdict)]);
      }
    });
  }
  if (rows.length === 0) return undefined;
  return {
    header: ['Objective', 'Variant', 'Measured', 'Bound', 'Margin', 'Result', 'Confidence'],
    rows,
    align: ['left', 'left', 'right', 'right', 'right', 'left', 'left'],
  };
}

/** The objectives of one configuration (a run's report): one row each. */
export function objectivesTable(verdicts: readonly ObjectiveVerdict[], userText: (t: string) => string): Table | undefined {
  if (verdicts.length === 0) return undefined;
  return {
    header: ['Objective', 'Measured', 'Bound', 'Margin', 'Result', 'Confidence'],
    rows: verdicts.map((v) => [userText(v.objective), ...verdictCells(v)]),
    align: ['left', 'right', 'right', 'right', 'left', 'left'],
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

const CHARTS_NOTE =
  'Each variant has the same colour in every chart (the first is the baseline). Events are not marked: variants need not share them; ' +
  'each variant\'s own report lists its events.';

// ---------------------------------------------------------------------------------------------
// report.md, report.html, summary.json, comparison.csv

function comparisonMarkdown(variants: readonly VariantResult[], charts: readonly Chart[], title: string, description?: string): string {
  const labels = displayLabels(variants);
  const parts: string[] = [`# ${headingText(title)}`];
  if (description !== undefined && description.trim() !== '') parts.push(blockquote(description));
  parts.push('## Variants', markdownTable(variantsTable(variants, labels, inlineText)));
  parts.push('## Summary side by side', 'Deltas are against the first variant, the baseline.');
  parts.push(markdownTable(sideBySideTable(variants, labels, inlineText)));
  parts.push('## Estimates with 95% confidence intervals', markdownTable(estimatesTable(variants, labels, inlineText)));
  const slo = sloTable(variants, labels, inlineText);
  if (slo !== undefined) parts.push('## Objectives', markdownTable(slo), SLO_NOTE);
  parts.push('## Charts', CHARTS_NOTE);
  for (const chart of charts) parts.push(`### ${chart.title}`, `![${chart.alt}](${chart.name}.svg)`, `*${chart.caption}*`);
  parts.push(
    'Charts are also in `.png`, in `report.html` (interactive, works offline), and as Vega-Lite specs with their data in `.vl.json`. ' +
      'Every figure of every variant, with its interval, is in `comparison.csv` and `summary.json`.',
  );
  return parts.join('\n\n') + '\n';
}

async function comparisonHtml(variants: readonly VariantResult[], charts: readonly Chart[], title: string, description?: string): Promise<string> {
  const labels = displayLabels(variants);
  const body: string[] = [heading(1, title)];
  if (description !== undefined && description.trim() !== '') body.push(quote(description));
  body.push(heading(2, 'Variants'), htmlTable(variantsTable(variants, labels, oneLine)));
  body.push(heading(2, 'Summary side by side'), paragraph('Deltas are against the first variant, the baseline.', 'note'));
  body.push(htmlTable(sideBySideTable(variants, labels, oneLine)));
  body.push(heading(2, 'Estimates with 95% confidence intervals'), htmlTable(estimatesTable(variants, labels, oneLine)));
  const slo = sloTable(variants, labels, oneLine);
  if (slo !== undefined) {
    body.push(heading(2, 'Objectives'), htmlTable(slo).replace(/<td>pass<\/td>/g, '<td class="pass">pass</td>').replace(/<td>FAIL<\/td>/g, '<td class="fail">FAIL</td>'));
    body.push(paragraph(SLO_NOTE, 'note'));
  }
  body.push(heading(2, 'Charts'), paragraph(CHARTS_NOTE + ' Hover over a line or a cell for its values.', 'note'));
  for (const chart of charts) body.push(chartSection(chart));
  body.push(list(['Every figure of every variant, with its interval, is in comparison.csv and summary.json.']));
  return renderHtml({ title, body, charts });
}

function comparisonJson(variants: readonly VariantResult[], title: string): string {
  const labels = displayLabels(variants);
  const json = {
    title,
    baseline: labels[0],
    variants: variants.map((v, k) => ({
      label: labels[k],
      overrides: v.overrides,
      seeds: v.result.seeds,
      runs: v.result.runs.length,
      scenario: v.result.median.scenario,
      // With one run, its summary; with several, the first run's (the estimates hold the means).
      summary: v.result.median.summary,
      estimates: v.result.estimates,
      verdicts: v.verdicts,
    })),
  };
  return JSON.stringify(sortKeys(json), null, 2) + '\n';
}

/** One row per variant and figure: n, mean, sd and the 95% interval (equal to the mean for one run). */
function comparisonCsv(variants: readonly VariantResult[]): string {
  const labels = displayLabels(variants);
  const lines = ['variant,figure,runs,mean,sd,low,high'];
  const cell = (text: string) => (/[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text);
  const num = (v: number | null) => (v === null ? '' : String(v));
  variants.forEach((v, k) => {
    for (const f of figuresFor(variants)) {
      const m = measure(v, f.path);
      const e = m.estimate;
      lines.push(
        [cell(labels[k]), cell(resolveFigure(f.path, v.result.median.topology)), String(m.runs), num(m.value), num(e?.sd ?? (m.value === null ? null : 0)), num(e?.low ?? m.value), num(e?.high ?? m.value)].join(','),
      );
    }
  });
  return lines.join('\n') + '\n';
}

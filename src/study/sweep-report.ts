/**
 * The outputs of a sweep, from its SweepResult alone: a table with one row per grid point
 * (the grid's fields, the chosen figures, each objective's pass or fail) as Markdown and CSV,
 * charts of one figure and of the objectives over the grid, and the result itself as sweep.json.
 * The same result gives the same files, so a sweep merged from shards reports byte-identically.
 *
 * The Markdown table and the charts name figures in words with their units, as a run's report
 * does (report/figure-words.ts); sweep.csv keeps the paths, for scripts.
 *
 * Charts: a one-field grid draws the first figure as a line over the field, with the bound of an
 * objective on that figure as a rule; two fields draw it as a heat map, the last field along x and
 * the first down y; with more, y is every combination of the fields before the last
 * (`instances=4, partitions=24`). The objectives chart has a row per objective over a one-field
 * grid, and a cell per point saying whether it met every objective over a larger one. Drawing is
 * injected (`renderGridChart`), so this module decides what to show, not how.
 */
import type { OutputFile } from '../report/atomic.js';
import { replaceDirectory } from '../report/atomic.js';
import { formatCount, formatMs, formatSeconds } from '../report/format.js';
import { figureHeader, figureWords, objectiveWords, whyNoValue } from '../report/figure-words.js';
import type { GridCell, GridChartInput, GridVerdictCell } from '../report/grid-charts.js';
import { closest } from '../scenario/suggest.js';
import type { RunResult, Topology } from '../metrics/result.js';
import type { ObjectiveVerdict } from '../metrics/study.js';
import { figureNames, FigurePathError, resolveFigure } from '../metrics/figures.js';
import { axisNames, StudyInputError } from './grid.js';
import { unknownMetric } from './messages.js';
import { resultJson } from './shard.js';
import { figureAt, figurePaths, meetsObjectives } from './study.js';
import type { SweepPoint, SweepResult } from './sweep.js';

export const DEFAULT_METRICS = ['latency.p99Ms', 'lag.peakRecords', 'lag.peakSeconds'];

/** Draws one chart of the grid as files (`<name>.svg`, `.png`, `.vl.json`). */
export type RenderGridChart = (chart: GridChartInput) => Promise<OutputFile[]>;

export interface SweepReportOptions {
  /** Figures for the table's columns, by summary path; the first is charted. */
  metrics?: string[];
  renderGridChart: RenderGridChart;
}

/** Throws a StudyInputError for a metric that is not a figure of the run's summary (one-stage paths resolved first). */
export function checkMetrics(metrics: readonly string[], run: Pick<RunResult, 'topology' | 'summary'>): void {
  const known = figurePaths(run.summary);
  for (const m of metrics) {
    let path: string;
    try {
      path = resolveFigure(m, run.topology);
    } catch (e) {
      if (e instanceof FigurePathError) throw new StudyInputError(`--metric ${e.message}`);
      throw e;
    }
    if (!known.includes(path)) throw new StudyInputError(unknownMetric(m, closest(m, figureNames(known, run.topology))));
  }
}

interface Value {
  mean: number | null;
  low?: number;
  high?: number;
}

/** A figure of a point: the mean over replications with its CI when replicated, else the run's. */
export function pointFigure(point: SweepPoint, metric: string): Value {
  const path = point.runs.length ? resolveFigure(metric, point.runs[0].topology) : metric;
  const e = point.estimates[path];
  if (e && e.n > 1) return { mean: e.mean, low: e.low, high: e.high };
  if (e) return { mean: e.mean };
  const v = point.runs.length ? figureAt(point.runs[0].summary, path) : undefined;
  return { mean: typeof v === 'number' ? v : null };
}

export function formatFigure(metric: string, value: number | null): string {
  if (/Ms$/.test(metric)) return formatMs(value);
  if (/Seconds$/.test(metric)) return formatSeconds(value);
  return formatCount(value);
}

const NO_TOPOLOGY: Topology = { topics: {}, groups: {}, services: {}, producers: {} };

/** What the sweep's runs are made of, to name figures by (the first run's: a grid changes sizes, not names). */
function topologyOf(result: SweepResult): Topology {
  return result.points.find((p) => p.runs.length)?.runs[0].topology ?? NO_TOPOLOGY;
}

/** The objectives stated for the sweep's points, in order (from the first point that has any). */
function objectivesOf(result: SweepResult): string[] {
  return verdictsOf(result).map((v) => v.objective);
}

function verdictsOf(result: SweepResult): ObjectiveVerdict[] {
  return result.points.find((p) => p.verdicts.length)?.verdicts ?? [];
}

/**
 * An objective's cell at a point, the same word in report.md, sweep.csv and on the terminal:
 * pass, "pass on average" (the mean passes, its 95% interval crosses the bound), or fail.
 */
function verdictWord(v: ObjectiveVerdict | undefined): string {
  return !v ? '' : !v.pass ? 'fail' : v.confidence === 'on-average' ? 'pass on average' : 'pass';
}

function passText(point: SweepPoint, hasObjectives: boolean): string {
  return hasObjectives ? (point.pass ? 'pass' : 'fail') : 'n/a';
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvNumber(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '' : String(v);
}

export function sweepCsv(result: SweepResult, metrics: readonly string[]): string {
  const replicated = result.replications > 1;
  const objectives = objectivesOf(result);
  const header = [
    ...result.grid.map((a) => a.path),
    ...metrics.flatMap((m) => (replicated ? [m, `${m}.low`, `${m}.high`] : [m])),
    ...objectives,
    'objectives',
  ];
  const rows = result.points.map((p) => [
    ...p.assignments.map((a) => a.value),
    ...metrics.flatMap((m) => {
      const v = pointFigure(p, m);
      return replicated ? [csvNumber(v.mean), csvNumber(v.low), csvNumber(v.high)] : [csvNumber(v.mean)];
    }),
    ...objectives.map((o) => verdictWord(p.verdicts.find((x) => x.objective === o))),
    passText(p, objectives.length > 0),
  ]);
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function sweepTableMarkdown(result: SweepResult, metrics: readonly string[]): string {
  const names = axisNames(result.grid);
  const objectives = objectivesOf(result);
  const topology = topologyOf(result);
  const header = [
    ...names,
    ...metrics.map((m) => figureHeader(figureWords(m, topology))),
    ...verdictsOf(result).map((v) => objectiveWords(v, topology)),
    ...(objectives.length ? ['all objectives'] : []),
  ];
  const lines = [`| ${header.map(markdownCell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const p of result.points) {
    const cells = [
      ...p.assignments.map((a) => a.value),
      ...metrics.map((m) => {
        const v = pointFigure(p, m);
        // No value: say why ("never drained"), as the charts' legends do.
        if (v.mean === null && p.runs.length) return whyNoValue(m, p.runs[0].summary, p.runs[0].topology);
        const text = formatFigure(m, v.mean);
        return v.low === undefined || v.high === undefined ? text : `${text} (${formatFigure(m, v.low)} – ${formatFigure(m, v.high)})`;
      }),
      ...objectives.map((o) => verdictWord(p.verdicts.find((x) => x.objective === o))),
      ...(objectives.length ? [p.pass ? '**pass**' : 'fail'] : []),
    ];
    lines.push(`| ${cells.map(markdownCell).join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}

/** A figure of the sweep as a chart shows it: the unit the chart is given, and the factor from the figure's own unit to it. */
function chartUnit(unit: string): { unit: string; factor: number } {
  return unit === 'share' ? { unit: '%', factor: 100 } : { unit, factor: 1 };
}

/** A chart's words on how a point passes: "single runs", "mean of 3 runs, ...". */
function passRuleText(result: SweepResult): string {
  const r = result.replications;
  if (r === 1) return 'single runs: a point passes an objective when its run does';
  return result.passRule === 'holds'
    ? `${r} runs a point: an objective passes when its whole 95% confidence interval does`
    : `${r} runs a point: an objective passes when its mean does`;
}

/**
 * The charts of a sweep: `metric` over the grid (a line over one field, a heat map over more),
 * and the objectives' verdicts when there are objectives. None for a grid of one point.
 */
export function gridCharts(result: SweepResult, metric: string): GridChartInput[] {
  if (result.grid.length === 0) return []; // one point, nothing to chart
  const names = axisNames(result.grid);
  const last = result.grid.length - 1;
  const xName = names[last];
  const yName = result.grid.length === 2 ? names[0] : names.slice(0, last).join(', ');
  const yOf = (p: SweepPoint) => p.assignments.slice(0, last).map((a, i) => (last === 1 ? a.value : `${names[i]}=${a.value}`)).join(', ');
  const xOf = (p: SweepPoint) => p.assignments[last].value;
  const topology = topologyOf(result);
  const words = figureWords(metric, topology);
  const { unit, factor } = chartUnit(words.unit);
  const verdicts = verdictsOf(result);
  const path = resolveOr(metric, topology);
  // The objective on the figure shown, if one is stated: its bound is drawn and the points judged by it.
  const onFigure = verdicts.findIndex((v) => !v.window && resolveOr(v.figure, topology) === path);
  const bounded = onFigure < 0 ? undefined : verdicts[onFigure];
  const judged = bounded ? objectiveWords(bounded, topology) : verdicts.length ? 'every objective' : undefined;
  const passes = (p: SweepPoint): boolean | undefined =>
    bounded ? meetsObjectives([p.verdicts[onFigure]], result.passRule) : verdicts.length ? p.pass : undefined;
  const cells: GridCell[] = result.points.map((p) => {
    const v = pointFigure(p, metric);
    const scaled = (n: number | undefined) => (n === undefined ? undefined : n * factor);
    return {
      x: xOf(p),
      ...(last > 0 ? { y: yOf(p) } : {}),
      value: v.mean === null ? null : v.mean * factor,
      ...(v.low !== undefined && v.high !== undefined ? { low: scaled(v.low), high: scaled(v.high) } : {}),
      ...(passes(p) === undefined ? {} : { pass: passes(p) }),
      ...(v.mean === null && p.runs.length ? { missing: whyNoValue(metric, p.runs[0].summary, p.runs[0].topology) } : {}),
    };
  });
  const figure = {
    metric: words.label,
    unit,
    cells,
    better: bounded?.comparison === 'at-least' || /PerSecond$/.test(path) ? ('high' as const) : ('low' as const),
    ...(judged ? { judged } : {}),
    ...(bounded ? { bound: { value: bounded.bound * factor, comparison: bounded.comparison, objective: objectiveWords(bounded, topology) } } : {}),
    ...(result.replications > 1 ? { note: `mean of ${result.replications} runs at each point` + (last === 0 ? ', bars: 95% confidence interval' : '') } : {}),
  };
  const charts: GridChartInput[] = [
    last === 0
      ? { kind: 'line', name: `line-${metric}`, title: `${words.label} by ${xName}`, xField: xName, ...figure }
      : { kind: 'heatmap', name: `heatmap-${metric}`, title: `${words.label} by ${xName} and ${yName}`, xField: xName, yField: yName, ...figure },
  ];
  if (verdicts.length === 0) return charts;

  const word = (v: ObjectiveVerdict): GridVerdictCell['verdict'] => (!v.pass ? 'fail' : v.confidence === 'on-average' ? 'pass on average' : 'pass');
  const overall = (p: SweepPoint): { verdict: GridVerdictCell['verdict']; text: string } => {
    if (p.pass) return { verdict: 'pass', text: 'pass' };
    const failed = p.verdicts.filter((v) => !meetsObjectives([v], result.passRule)).length;
    return { verdict: 'fail', text: `fails ${failed} of ${p.verdicts.length}` };
  };
  if (last === 0) {
    const all = 'every objective';
    charts.push({
      kind: 'verdicts',
      name: 'objectives',
      title: `Objectives by ${xName}`,
      subtitle: `${passRuleText(result)}; the last row: the point meets every objective`,
      xField: xName,
      yField: 'objective',
      cells: result.points.flatMap((p) => [
        ...p.verdicts.map((v) => ({ x: xOf(p), y: objectiveWords(v, topology), verdict: word(v), text: word(v) })),
        { x: xOf(p), y: all, ...overall(p) },
      ]),
    });
  } else {
    charts.push({
      kind: 'verdicts',
      name: 'objectives',
      title: `Every objective met, by ${xName} and ${yName}`,
      subtitle: `${passRuleText(result)}; "fails 2 of 4": the point misses 2 of its 4 objectives`,
      xField: xName,
      yField: yName,
      cells: result.points.map((p) => ({ x: xOf(p), y: yOf(p), ...overall(p) })),
    });
  }
  return charts;
}

/** A figure's summary path in this run, or the path as given where it names no single group or topic. */
function resolveOr(path: string, topology: Topology): string {
  try {
    return resolveFigure(path, topology);
  } catch {
    return path;
  }
}

export function sweepMarkdown(result: SweepResult, metrics: readonly string[], images: readonly { file: string; title: string }[]): string {
  const r = result.replications;
  const lines = [
    `# Sweep of ${result.scenario}`,
    '',
    `${result.totalPoints} grid point${result.totalPoints === 1 ? '' : 's'}, ${r === 1 ? 'one run each (single runs: no confidence intervals)' : `${r} replications each (mean, with its 95% confidence interval in brackets)`}.`,
    '',
    ...result.grid.map((a) => `- \`${a.path}\`: ${a.values.join(', ')}`),
    '',
    sweepTableMarkdown(result, metrics),
    ...images.map((f) => `![${f.title}](${f.file})\n`),
    `Study ${result.study.slice(0, 12)}; every figure of every run is in sweep.json, the table in sweep.csv.`,
    '',
  ];
  return lines.join('\n');
}

/** Every file of a sweep's report, in memory. */
export async function renderSweepReport(result: SweepResult, options: SweepReportOptions): Promise<OutputFile[]> {
  const metrics = options.metrics?.length ? options.metrics : DEFAULT_METRICS;
  const files: OutputFile[] = [];
  const images: { file: string; title: string }[] = [];
  for (const chart of gridCharts(result, metrics[0])) {
    const drawn = await options.renderGridChart(chart);
    files.push(...drawn);
    const svg = drawn.find((f) => f.name.endsWith('.svg'));
    if (svg) images.push({ file: svg.name, title: chart.title ?? chart.name ?? svg.name });
  }
  return [
    { name: 'report.md', content: sweepMarkdown(result, metrics, images) },
    { name: 'sweep.csv', content: sweepCsv(result, metrics) },
    { name: 'sweep.json', content: resultJson(result) },
    ...files,
  ];
}

/** Writes the report into `dir`, replacing an earlier report there (never another kind of folder). */
export async function writeSweepReport(dir: string, result: SweepResult, options: SweepReportOptions): Promise<string[]> {
  const files = await renderSweepReport(result, options);
  await replaceDirectory(dir, files);
  return files.map((f) => f.name);
}

/**
 * The outputs of a sweep, from its SweepResult alone: a table with one row per grid point
 * (the grid's fields, the chosen figures, each objective's pass or fail) as Markdown and CSV,
 * heat maps of one figure and of pass/fail over the grid, and the result itself as sweep.json.
 * The same result gives the same files, so a sweep merged from shards reports byte-identically.
 *
 * Heat maps: the last grid field runs along x; with two fields the first is y; with more, y is
 * every combination of the fields before the last (`instances=4, partitions=24`). A one-field
 * grid gives a one-row heat map. Drawing is injected (`renderGridHeatmap`), so this module
 * decides what to show, not how.
 */
import type { OutputFile } from '../report/atomic.js';
import { replaceDirectory } from '../report/atomic.js';
import { formatCount, formatMs, formatSeconds } from '../report/format.js';
import { closest } from '../scenario/suggest.js';
import type { RunResult } from '../metrics/result.js';
import type { ObjectiveVerdict } from '../metrics/study.js';
import { figureNames, FigurePathError, resolveFigure } from '../metrics/figures.js';
import { axisNames, StudyInputError } from './grid.js';
import { unknownMetric } from './messages.js';
import { resultJson } from './shard.js';
import { figureAt, figurePaths } from './study.js';
import type { SweepPoint, SweepResult } from './sweep.js';

export const DEFAULT_METRICS = ['latency.p99Ms', 'lag.peakRecords', 'lag.peakSeconds'];

export interface GridHeatmap {
  /** File stem: `heatmap-latency.p99Ms`, `heatmap-objectives`. */
  name: string;
  title: string;
  /** The figure shown, by path; `objectives` for the pass/fail map. */
  metric: string;
  unit?: string;
  /** 'metric': colour by value; 'pass': cells read pass, fail or n/a (no objectives). */
  kind: 'metric' | 'pass';
  x: { name: string; values: string[] };
  /** Absent for a one-field grid. */
  y?: { name: string; values: string[] };
  cells: { x: string; y?: string; value: number | null; text: string }[];
}

export type RenderGridHeatmap = (map: GridHeatmap) => Promise<OutputFile[]>;

export interface SweepReportOptions {
  /** Figures for the table's columns, by summary path; the first is the heat map's. */
  metrics?: string[];
  renderGridHeatmap: RenderGridHeatmap;
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

function unitOf(metric: string): string | undefined {
  if (/Ms$/.test(metric)) return 'ms';
  if (/Seconds$/.test(metric)) return 's';
  return undefined;
}

/** The objectives stated for the sweep's points, in order (from the first point that has any). */
function objectivesOf(result: SweepResult): string[] {
  return result.points.find((p) => p.verdicts.length)?.verdicts.map((v) => v.objective) ?? [];
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
  const header = [...names, ...metrics, ...objectives, ...(objectives.length ? ['all objectives'] : [])];
  const lines = [`| ${header.map(markdownCell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const p of result.points) {
    const cells = [
      ...p.assignments.map((a) => a.value),
      ...metrics.map((m) => {
        const v = pointFigure(p, m);
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

/** The heat map of `metric` over the grid, and of pass/fail when there are objectives. */
export function gridHeatmaps(result: SweepResult, metric: string): GridHeatmap[] {
  if (result.grid.length === 0) return []; // one point, nothing to map
  const names = axisNames(result.grid);
  const last = result.grid.length - 1;
  const x = { name: names[last], values: result.grid[last].values };
  const yName = result.grid.length === 2 ? names[0] : names.slice(0, last).join(', ');
  const yOf = (p: SweepPoint) => (last === 0 ? undefined : p.assignments.slice(0, last).map((a, i) => (last === 1 ? a.value : `${names[i]}=${a.value}`)).join(', '));
  const yValues: string[] = [];
  if (last > 0) for (const p of result.points) if (!yValues.includes(yOf(p)!)) yValues.push(yOf(p)!);
  const y = last > 0 ? { name: yName, values: yValues } : undefined;
  const hasObjectives = objectivesOf(result).length > 0;
  const mean = result.replications > 1 ? ` (mean of ${result.replications} runs)` : '';
  const maps: GridHeatmap[] = [
    {
      name: `heatmap-${metric}`,
      title: `${metric}${mean}`,
      metric,
      unit: unitOf(metric),
      kind: 'metric',
      x,
      y,
      cells: result.points.map((p) => {
        const v = pointFigure(p, metric).mean;
        return { x: p.assignments[last].value, y: yOf(p), value: v, text: formatFigure(metric, v) };
      }),
    },
  ];
  if (hasObjectives) {
    maps.push({
      name: 'heatmap-objectives',
      title: `every objective met (${result.passRule === 'holds' && result.replications > 1 ? 'whole 95% CI' : result.replications > 1 ? 'on average' : 'single runs'})`,
      metric: 'objectives',
      kind: 'pass',
      x,
      y,
      cells: result.points.map((p) => ({ x: p.assignments[last].value, y: yOf(p), value: p.pass ? 1 : 0, text: passText(p, true) })),
    });
  }
  return maps;
}

export function sweepMarkdown(result: SweepResult, metrics: readonly string[], images: readonly string[]): string {
  const r = result.replications;
  const lines = [
    `# Sweep of ${result.scenario}`,
    '',
    `${result.totalPoints} grid point${result.totalPoints === 1 ? '' : 's'}, ${r === 1 ? 'one run each (single runs: no confidence intervals)' : `${r} replications each (mean, with its 95% confidence interval in brackets)`}.`,
    '',
    ...result.grid.map((a) => `- \`${a.path}\`: ${a.values.join(', ')}`),
    '',
    sweepTableMarkdown(result, metrics),
    ...images.map((f) => `![${f}](${f})\n`),
    `Study ${result.study.slice(0, 12)}; every figure of every run is in sweep.json, the table in sweep.csv.`,
    '',
  ];
  return lines.join('\n');
}

/** Every file of a sweep's report, in memory. */
export async function renderSweepReport(result: SweepResult, options: SweepReportOptions): Promise<OutputFile[]> {
  const metrics = options.metrics?.length ? options.metrics : DEFAULT_METRICS;
  const maps: OutputFile[] = [];
  for (const map of gridHeatmaps(result, metrics[0])) maps.push(...(await options.renderGridHeatmap(map)));
  const images = maps.map((f) => f.name).filter((n) => n.endsWith('.svg'));
  return [
    { name: 'report.md', content: sweepMarkdown(result, metrics, images) },
    { name: 'sweep.csv', content: sweepCsv(result, metrics) },
    { name: 'sweep.json', content: resultJson(result) },
    ...maps,
  ];
}

/** Writes the report into `dir`, replacing an earlier report there (never another kind of folder). */
export async function writeSweepReport(dir: string, result: SweepResult, options: SweepReportOptions): Promise<string[]> {
  const files = await renderSweepReport(result, options);
  await replaceDirectory(dir, files);
  return files.map((f) => f.name);
}

/**
 * The report of one run: report.md, charts (.svg, .png, .vl.json), summary.json and CSVs, all
 * from the RunResult alone, whose figures docs/definitions.md defines.
 *
 * Phases:
 *   1. text outputs: report.md, report.html (self-contained, interactive: html.ts), summary.json,
 *      timeseries.csv, partition-lag.csv;
 *   2. charts: Vega-Lite specs (charts.ts), each compiled and drawn to SVG in turn, while its PNG
 *      is rasterised on libuv's thread pool (draw.ts), on this thread or on a drawing thread the
 *      caller started ahead (drawing.ts); report.html embeds what drawing compiled for it;
 *   3. the files replace the output directory in one rename (atomic.ts).
 * The same RunResult gives byte-identical files: no clock, no locale, no randomness, fixed fonts.
 */
import type { RunResult } from '../metrics/result.js';
import { replaceDirectory, type OutputFile, type StagedFile } from './atomic.js';
import { planCharts, type Spread } from './charts.js';
import { partitionLagCsvChunks, timeseriesCsvChunks } from './csv.js';
import { sortKeys } from './json.js';
import { reportMarkdown } from './markdown.js';
import { reportHtml } from './run-html.js';
import { drawCharts, drawHere, type ChartDrawer } from './drawing.js';
import type { RunStudy } from './tables.js';

export { ReportDirectoryError, type OutputFile, type StagedFile } from './atomic.js';
export { startDrawingThreads, type ChartDrawer, type DrawingThreads } from './drawing.js';
export { renderComparison, renderGridChart, renderGridHeatmap, writeComparison, type ComparisonOptions } from './comparison.js';
export { VARIANT_PALETTE } from './comparison-charts.js';
export {
  gridChart,
  gridHeatmapChart,
  gridLineChart,
  gridVerdictsChart,
  type GridBound,
  type GridCell,
  type GridChartInput,
  type GridHeatmapInput,
  type GridLineInput,
  type GridVerdictCell,
  type GridVerdictsInput,
} from './grid-charts.js';
export type { RunStudy } from './tables.js';

/**
 * Writes the report of `result` into `outDir`, replacing an earlier report there, and returns the
 * names of the files written. Nothing is left half-written if it fails.
 */
export async function writeReport(result: RunResult, outDir: string, study: RunStudy = {}): Promise<string[]> {
  const files = await renderReport(result, study);
  await replaceDirectory(outDir, files);
  return files.map((f) => f.name);
}

/**
 * The report's files, in the order writeReport lists them: in memory, but for the CSVs, whose
 * text is made as they are written. The charts are drawn by `drawer` (drawing.ts): on this
 * thread unless the caller has a drawing thread ready.
 */
export async function renderReport(result: RunResult, study: RunStudy = {}, drawer: ChartDrawer = drawHere()): Promise<StagedFile[]> {
  const r = study.replicated;
  const spread: Spread | undefined = r !== undefined && r.runs.length > 1 ? { runs: r.runs.length, bands: r.bands } : undefined;
  const { charts, skipped } = planCharts(result, spread);
  const drawn = drawCharts(charts, drawer);
  const files: (StagedFile | Promise<OutputFile>)[] = [
    { name: 'report.md', content: reportMarkdown(result, charts, skipped, study) },
    drawn.pages.then((pages) => reportHtml(result, charts, skipped, study, pages)).then((content) => ({ name: 'report.html', content })),
    { name: 'summary.json', content: summaryJson(result, study) },
    { name: 'timeseries.csv', content: timeseriesCsvChunks(result) },
    { name: 'partition-lag.csv', content: partitionLagCsvChunks(result) },
  ];
  files.push(...drawn.files);
  return Promise.all(files);
}

/**
 * The result's version, the scenario, its topology and the summary, and what the study adds (replications' seeds and estimates, the
 * objectives' verdicts, how the run was made); keys sorted at every level, two-space indent,
 * final newline.
 */
export function summaryJson(result: RunResult, study: RunStudy = {}): string {
  const r = study.replicated;
  const json: Record<string, unknown> = { version: result.version, scenario: result.scenario, topology: result.topology, summary: result.summary, ...study.about };
  if (r !== undefined && r.runs.length > 1) json.replications = { n: r.runs.length, seeds: r.seeds, estimates: r.estimates };
  if (study.verdicts !== undefined && study.verdicts.length > 0) json.objectives = study.verdicts;
  return JSON.stringify(sortKeys(json), null, 2) + '\n';
}

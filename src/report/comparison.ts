/**
 * The report of a comparison, sweep or plan: several configurations (VariantResults) side by
 * side. Writes report.md, report.html, one chart per compared series (.svg, .png, .vl.json,
 * all variants on the same axes), summary.json and comparison.csv, replacing the output
 * directory in one rename like a run's report.
 *
 * Figures are read by their summary path (study.ts): with several runs, from the run estimates
 * (mean and 95% CI); with one run, from that run's summary, and the report says "1 run".
 * Deltas are against the first variant, the baseline. The figures and the estimate and
 * objective tables are tables.ts's, which a run's report shares.
 */
import { resolveFigure } from '../metrics/figures.js';
import { focusGroup, stageTopology } from '../metrics/result.js';
import type { VariantResult } from '../metrics/study.js';
import { replaceDirectory, type OutputFile } from './atomic.js';
import type { Chart } from './charts.js';
import { buildComparisonCharts, displayLabels } from './comparison-charts.js';
import { gridChart, gridHeatmapChart, type GridChartInput, type GridHeatmapInput } from './grid-charts.js';
import { chartSection, heading, htmlTable, list, oneLine, paragraph, quote, renderHtml } from './html.js';
import { sortKeys } from './json.js';
import { whyLimited, whyText } from './why.js';
import { blockquote, headingText, inlineText, markdownTable } from './markdown.js';
import {
  estimatesTable,
  figuresFor,
  formatDelta,
  formatFigure,
  measure,
  runsText,
  alertCells,
  objectivesNote,
  verdictCells,
  type Table,
} from './tables.js';

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
  // render.ts (vega) is loaded only when a comparison is drawn, so importing index.ts stays cheap.
  const { chartFiles } = await import('./render.js');
  for (const chart of charts) files.push(...(await chartFiles(chart)));
  return Promise.all(files);
}

/**
 * A heat map of one figure over a 2-D grid of configurations, as chart files: `<name>.svg`,
 * `<name>.png`, `<name>.vl.json` (name defaults to 'grid-heatmap'). Write them with the rest of a
 * sweep's report, or alone.
 */
export async function renderGridHeatmap(input: GridHeatmapInput): Promise<OutputFile[]> {
  const { chartFiles } = await import('./render.js');
  return Promise.all(await chartFiles(gridHeatmapChart(input)));
}

/** Any chart of a sweep's grid (a line over one knob, a heat map over two, the verdicts), as chart files named as renderGridHeatmap's. */
export async function renderGridChart(input: GridChartInput): Promise<OutputFile[]> {
  const { chartFiles } = await import('./render.js');
  return Promise.all(await chartFiles(gridChart(input)));
}

function defaultTitle(variants: readonly VariantResult[]): string {
  return variants.length <= 3 ? `Comparison: ${variants.map((v) => v.label).join(' vs ')}` : `Comparison of ${variants.length} configurations`;
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
  // In a pipeline every variant is measured at the stage where the baseline backs up most.
  const stage = focusGroup(variants[0].result.median);
  const rows = figures.map((f) => {
    const base = measure(variants[0], f.path, stage).value;
    return [
      userText(f.label),
      ...variants.map((v, k) => {
        const m = measure(v, f.path, stage);
        return k === 0 ? formatFigure(m.value, f.format) : `${formatFigure(m.value, f.format)} (${formatDelta(m.value, base, f.format)})`;
      }),
    ];
  });
  return { header, rows, align: ['left', ...variants.map(() => 'right' as const)] };
}

/** Objective by objective, a row per variant; first crossing and time above after the margin when some objective has them. */
function sloTable(variants: readonly VariantResult[], labels: string[], userText: (t: string) => string): Table | undefined {
  const rows: string[][] = [];
  const verdicts = variants.flatMap((v) => v.verdicts);
  const alerts = verdicts.some((v) => v.alert !== undefined);
  const objectives = [...new Set(verdicts.map((o) => o.objective))];
  for (const objective of objectives) {
    variants.forEach((v, k) => {
      for (const verdict of v.verdicts.filter((o) => o.objective === objective)) {
        const [measured, bound, margin, result, confidence] = verdictCells(verdict);
        rows.push([userText(objective), userText(labels[k]), measured, bound, margin, ...(alerts ? alertCells(verdict) : []), result, confidence]);
      }
    });
  }
  if (rows.length === 0) return undefined;
  const several = verdicts.some((v) => v.interval !== undefined);
  return {
    header: [
      'Objective',
      'Variant',
      'Measured',
      'Bound',
      'Margin',
      ...(alerts ? [several ? 'First crossed (earliest run)' : 'First crossed', several ? 'Time above (mean)' : 'Time above'] : []),
      'Result',
      'Confidence',
    ],
    rows,
    align: ['left', 'left', 'right', 'right', 'right', ...(alerts ? (['right', 'right'] as const) : []), 'left', 'left'],
  };
}

const CHARTS_NOTE =
  'Each variant has the same colour in every chart (the first is the baseline). Events are not marked: variants need not share them; ' +
  'each variant\'s own report lists its events.';

// ---------------------------------------------------------------------------------------------
// report.md, report.html, summary.json, comparison.csv

/** In a pipeline, which stage the per-stage figures are of (empty for a single stage). */
function stageNote(variants: readonly VariantResult[]): string {
  const stage = focusGroup(variants[0].result.median);
  if (stage === null) return '';
  const topic = variants[0].result.median.topology.groups[stage].topic;
  return ` The group's figures (lag, throughput, busy share, time in topic and processing, rebalances, producer) are those of stage ${stage} (reading ${topic}), where the baseline backs up most; end-to-end latency spans the whole pipeline.`;
}

const WHY_NOTE =
  'From each variant\'s median run alone, as in a single run\'s report: the stage that limited it and what throttled it first, then the limits it reached in the order reached.';

/** A variant's bottleneck sentence and its first limits (what a reader compares across variants). */
function whyOfVariant(v: VariantResult, userText: (t: string) => string): string[] {
  const text = whyText(whyLimited(v.result.median), userText);
  const limits = text.limits.slice(0, 3);
  return [text.bottleneck, ...(limits.length > 0 ? [`Limits reached: ${limits.join('; ')}${text.limits.length > 3 ? '; ...' : ''}.`] : [])];
}

function comparisonMarkdown(variants: readonly VariantResult[], charts: readonly Chart[], title: string, description?: string): string {
  const labels = displayLabels(variants);
  const parts: string[] = [`# ${headingText(title)}`];
  if (description !== undefined && description.trim() !== '') parts.push(blockquote(description));
  parts.push('## Variants', markdownTable(variantsTable(variants, labels, inlineText)));
  parts.push('## Summary side by side', 'Deltas are against the first variant, the baseline.' + stageNote(variants));
  parts.push(markdownTable(sideBySideTable(variants, labels, inlineText)));
  parts.push('## Estimates with 95% confidence intervals', markdownTable(estimatesTable(variants, labels, inlineText)));
  const slo = sloTable(variants, labels, inlineText);
  if (slo !== undefined) parts.push('## Objectives', markdownTable(slo), objectivesNote(variants.flatMap((v) => v.verdicts)));
  parts.push('## What limited each variant', WHY_NOTE);
  for (const [k, v] of variants.entries()) parts.push(`**${inlineText(labels[k])}**: ${whyOfVariant(v, inlineText).join(' ')}`);
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
  body.push(heading(2, 'Summary side by side'), paragraph('Deltas are against the first variant, the baseline.' + stageNote(variants), 'note'));
  body.push(htmlTable(sideBySideTable(variants, labels, oneLine)));
  body.push(heading(2, 'Estimates with 95% confidence intervals'), htmlTable(estimatesTable(variants, labels, oneLine)));
  const slo = sloTable(variants, labels, oneLine);
  if (slo !== undefined) {
    body.push(heading(2, 'Objectives'), htmlTable(slo).replace(/<td>pass<\/td>/g, '<td class="pass">pass</td>').replace(/<td>FAIL<\/td>/g, '<td class="fail">FAIL</td>'));
    body.push(paragraph(objectivesNote(variants.flatMap((v) => v.verdicts)), 'note'));
  }
  body.push(heading(2, 'What limited each variant'), paragraph(WHY_NOTE, 'note'));
  body.push(list(variants.map((v, k) => `${oneLine(labels[k])}: ${whyOfVariant(v, oneLine).join(' ')}`)));
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
  const stage = focusGroup(variants[0].result.median);
  variants.forEach((v, k) => {
    for (const f of figuresFor(variants)) {
      const m = measure(v, f.path, stage);
      const e = m.estimate;
      lines.push(
        [cell(labels[k]), cell(resolveFigure(f.path, stage === null ? v.result.median.topology : stageTopology(v.result.median.topology, stage))), String(m.runs), num(m.value), num(e?.sd ?? (m.value === null ? null : 0)), num(e?.low ?? m.value), num(e?.high ?? m.value)].join(','),
      );
    }
  });
  return lines.join('\n') + '\n';
}

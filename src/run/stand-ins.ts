/**
 * STAND-INS, to be replaced at merge by the real implementations, which other modules own:
 * - replicationSeeds and aggregate (statistics: seeds, per-window medians, bands, Student-t CIs);
 * - objectives and evaluateObjectives (the design layer: objectives stated in the scenario);
 * - renderGridHeatmap and writeComparison (reports).
 * Each does the least that lets `sim sweep`, `sim plan` and `sim merge` run end to end and be
 * tested; none is meant to outlive the merge. Only wiring.ts and tests import this module.
 */
import path from 'node:path';
import type { RunResult } from '../metrics/result.js';
import type { Estimate, ObjectiveVerdict, Replicated, VariantResult } from '../metrics/study.js';
import type { OutputFile } from '../report/atomic.js';
import { writeReport } from '../report/index.js';
import { compileChart, renderSvg } from '../report/render.js';
import { prettyJson } from '../report/json.js';
import { StudyInputError } from './grid.js';
import { figureAt, figurePaths } from './study.js';
import type { GridHeatmap } from './sweep-report.js';

/** The scenario's own seed first, then seeds spread by the golden-ratio increment. */
export function replicationSeeds(seed: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (seed + Math.imul(i, 0x9e3779b9)) >>> 0);
}

// Two-sided 95% Student t quantiles for 1..30 degrees of freedom.
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function estimate(values: readonly number[]): Estimate {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { n, mean, sd: 0, low: mean, high: mean };
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = (n - 1 <= 30 ? T975[n - 2] : 1.96) * (sd / Math.sqrt(n));
  return { n, mean, sd, low: mean - half, high: mean + half };
}

/** Estimates of every summary figure that every run measured; the median and bands are the first run's (stand-in). */
export function aggregate(seeds: number[], runs: RunResult[]): Replicated {
  const estimates: Record<string, Estimate> = {};
  for (const p of figurePaths(runs[0].summary)) {
    const values = runs.map((r) => figureAt(r.summary, p));
    if (values.every((v): v is number => typeof v === 'number' && Number.isFinite(v))) estimates[p] = estimate(values);
  }
  return { seeds, runs, median: runs[0], bands: {}, estimates };
}

export interface ObjectiveSpec {
  text: string;
  figure: string;
  comparison: 'at-most' | 'at-least';
  bound: number;
}

/** `latency.p99Ms<=5000`, `throughput.meanProcessedPerSecond>=20000`. */
export function parseObjective(text: string): ObjectiveSpec {
  const m = /^\s*([A-Za-z][\w.-]*)\s*(<=|>=)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i.exec(text);
  if (!m) throw new StudyInputError(`--objective ${text}: expected figure<=number or figure>=number, like latency.p99Ms<=5000`);
  return { text: text.trim(), figure: m[1], comparison: m[2] === '<=' ? 'at-most' : 'at-least', bound: Number(m[3]) };
}

function unitOf(figure: string): string {
  if (/Ms$/.test(figure)) return 'ms';
  if (/Seconds$/.test(figure)) return 's';
  if (/PerSecond$/.test(figure)) return 'records/s';
  if (/Bytes$/.test(figure)) return 'B';
  return '';
}

export function evaluateObjectives(objectives: readonly ObjectiveSpec[], result: Replicated): ObjectiveVerdict[] {
  const replicated = result.runs.length > 1;
  return objectives.map((o) => {
    const est = result.estimates[o.figure];
    const single = figureAt(result.runs[0].summary, o.figure);
    const measured = replicated ? (est?.mean ?? null) : (single ?? null);
    const ok = (x: number) => (o.comparison === 'at-most' ? x <= o.bound : x >= o.bound);
    const pass = measured !== null && ok(measured);
    let confidence: ObjectiveVerdict['confidence'] = 'single-run';
    if (replicated) confidence = !pass ? 'fails' : est && ok(est.low) && ok(est.high) ? 'holds' : 'on-average';
    const verdict: ObjectiveVerdict = {
      objective: o.text,
      figure: o.figure,
      comparison: o.comparison,
      bound: o.bound,
      measured,
      unit: unitOf(o.figure),
      margin: measured === null ? null : o.comparison === 'at-most' ? o.bound - measured : measured - o.bound,
      pass,
      confidence,
    };
    if (replicated && est) verdict.interval = { low: est.low, high: est.high };
    return verdict;
  });
}

/** A heat map as a Vega-Lite rect chart with the value written in each cell; SVG and spec. */
export async function renderGridHeatmap(map: GridHeatmap): Promise<OutputFile[]> {
  const pass = map.kind === 'pass';
  const values = map.cells.map((c) => ({ x: c.x, y: c.y ?? '', value: c.value, text: c.text }));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: map.title,
    data: { values },
    width: Math.max(200, Math.min(700, 60 * map.x.values.length)),
    height: map.y ? Math.max(60, Math.min(500, 30 * map.y.values.length)) : 40,
    encoding: {
      x: { field: 'x', type: 'ordinal', sort: map.x.values, title: map.x.name },
      y: map.y ? { field: 'y', type: 'ordinal', sort: map.y.values, title: map.y.name } : { field: 'y', type: 'ordinal', title: null },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: pass
            ? { field: 'text', type: 'nominal', title: 'objectives', scale: { domain: ['pass', 'fail', 'n/a'], range: ['#4c9a2a', '#c0392b', '#bbbbbb'] } }
            : { field: 'value', type: 'quantitative', title: map.unit ? `${map.metric} (${map.unit})` : map.metric, scale: { scheme: 'viridis' } },
        },
      },
      { mark: { type: 'text', fontSize: 10, color: 'white' }, encoding: { text: { field: 'text', type: 'nominal' } } },
    ],
    config: { background: 'white' },
  };
  // The spec is built here, so its type is checked by compiling it.
  const { svg } = await renderSvg(compileChart(spec as Parameters<typeof compileChart>[0]).vega);
  return [
    { name: `${map.name}.svg`, content: svg },
    { name: `${map.name}.vl.json`, content: prettyJson(spec) },
  ];
}

/** Each variant's own report (its first run) in a folder named after it. */
export async function writeComparison(dir: string, variants: VariantResult[]): Promise<void> {
  for (const v of variants) await writeReport(v.result.median, path.join(dir, v.label.replace(/[^\w.=-]+/g, '_')));
}

/**
 * VariantResults for comparison tests, built from the run fixture: a variant is `runs` copies of
 * makeRunResult with lag scaled by `lag` (and a little per run, so runs differ), bands of ±10%
 * around the median, and estimates of every numeric summary figure with a ±5% interval.
 */
import type { RunResult, Summary } from '../../src/metrics/result.js';
import type { Band, Estimate, ObjectiveVerdict, Replicated, VariantResult } from '../../src/metrics/study.js';
import { makeRunResult, type FixtureOptions } from './fixture.js';

export interface VariantOptions extends FixtureOptions {
  runs?: number;
  /** Lag and latency are multiplied by this (0.5: half the lag of the baseline). */
  lag?: number;
  overrides?: string[];
  verdicts?: ObjectiveVerdict[];
}

export function makeVariant(label: string, options: VariantOptions = {}): VariantResult {
  const runs = Array.from({ length: options.runs ?? 1 }, (_, r) => scaled(makeRunResult(options), (options.lag ?? 1) * (1 + 0.04 * r)));
  const median = runs[Math.floor(runs.length / 2)];
  // Bands keyed by series path, as aggregate() keys them (groups.<name>.lag, endToEnd.latencyP99).
  const bands: Record<string, Band> = {};
  const walk = (node: unknown, prefix: string) => {
    if (Array.isArray(node)) {
      const v = node as (number | null)[];
      if (!prefix.startsWith('services.')) bands[prefix] = { low: v.map((x) => (x === null ? null : x * 0.9)), high: v.map((x) => (x === null ? null : x * 1.1)) };
    } else if (node !== null && typeof node === 'object') {
      for (const [k, child] of Object.entries(node)) walk(child, prefix === '' ? k : `${prefix}.${k}`);
    }
  };
  walk(median.series, '');
  const estimates: Record<string, Estimate> = {};
  for (const [path, value] of numericPaths(median.summary)) {
    const n = runs.length;
    estimates[path] = n === 1 ? { n, mean: value, sd: 0, low: value, high: value } : { n, mean: value, sd: value * 0.03, low: value * 0.95, high: value * 1.05 };
  }
  const replicated: Replicated = { seeds: runs.map((_, r) => 42 + r), runs, median, bands, estimates };
  return { label, overrides: options.overrides ?? [], result: replicated, verdicts: options.verdicts ?? [] };
}

function scaled(result: RunResult, factor: number): RunResult {
  const times = (v: number[]) => v.map((x) => Math.round(x * factor));
  const timesNull = (v: (number | null)[]) => v.map((x) => (x === null ? null : x * factor));
  for (const [name, g] of Object.entries(result.series.groups)) {
    result.series.groups[name] = { ...g, lag: times(g.lag), maxPartitionLag: times(g.maxPartitionLag), lagSeconds: g.lagSeconds.map((x) => x * factor) };
    result.partitionLag[name] = result.partitionLag[name].map((row) => times(Array.from(row)));
    const figures = result.summary.groups[name];
    const lag = figures.lag;
    figures.lag = { ...lag, peakRecords: Math.round(lag.peakRecords * factor), maxPartitionLagRecords: Math.round(lag.maxPartitionLagRecords * factor) };
  }
  const e = result.series.endToEnd;
  result.series.endToEnd = { ...e, latencyP99: timesNull(e.latencyP99), latencyP50: timesNull(e.latencyP50) };
  const latency = result.summary.endToEnd.latency;
  result.summary.endToEnd.latency = { ...latency, p99Ms: latency.p99Ms === null ? null : latency.p99Ms * factor };
  return result;
}

function numericPaths(summary: Summary): [string, number][] {
  const out: [string, number][] = [];
  const walk = (node: unknown, prefix: string) => {
    if (typeof node === 'number') out.push([prefix, node]);
    else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) walk(v, prefix === '' ? k : `${prefix}.${k}`);
    }
  };
  walk(summary, '');
  return out;
}

export function verdict(over: Partial<ObjectiveVerdict> = {}): ObjectiveVerdict {
  return {
    objective: 'latency p99 <= 5s',
    figure: 'latency.p99Ms',
    comparison: 'at-most',
    bound: 5000,
    measured: 8123.4,
    unit: 'ms',
    margin: 5000 - 8123.4,
    pass: false,
    confidence: 'single-run',
    ...over,
  };
}

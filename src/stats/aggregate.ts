/**
 * Replications of one configuration, summed up (the contract is `Replicated` in
 * metrics/study.ts):
 *
 * - `median`: a RunResult whose every series (services' too) and partition lag is, window by
 *   window, the median across runs; its scenario, time axis, events and summary are the first
 *   run's (the run with the scenario's own seed). With one run it is that run.
 * - `bands`: per window, the 5th and 95th percentiles across runs of every numeric series, named
 *   by their path in `series` (`groups.<name>.lag`, `endToEnd.latencyP99`,
 *   `services.<name>.inFlight`).
 * - `estimates`: mean and 95% t interval of every numeric figure of the summary, by dotted path
 *   (`groups.<name>.lag.peakRecords`, `services.payments.latency.p99Ms`, `accounting.lost.retention`).
 *
 * Quantiles interpolate linearly (estimate.ts). A null in a series (no latency measured in that
 * window) is left out of that window's median and band; a window null in every run stays null.
 * A summary figure that is null in a run (time to drain when lag never drained) is left out of
 * its estimate, whose `n` then says how many runs had it; a figure null in every run has no
 * estimate. A reason absent from a run's `accounting.rejected` or `accounting.lost` counts as 0
 * there (nothing was rejected or lost for it).
 */
import type { RunResult, Series } from '../metrics/result.js';
import type { Band, Estimate, Replicated } from '../metrics/study.js';
import { estimate, quantileSorted } from './estimate.js';

export const BAND_LOW = 0.05;
export const BAND_HIGH = 0.95;

export function aggregate(seeds: readonly number[], runs: readonly RunResult[]): Replicated {
  if (runs.length === 0) throw new RangeError('aggregate needs at least one run');
  if (seeds.length !== runs.length) throw new RangeError(`aggregate needs one seed per run, got ${seeds.length} seeds for ${runs.length} runs`);
  const windows = runs[0].time.length;
  for (const r of runs) {
    if (r.time.length !== windows) throw new RangeError(`runs of one configuration have the same sample windows, got ${r.time.length} and ${windows}`);
  }
  const first = runs[0];
  // One run: quantiles of one value are that value, so the median is the run and each band is
  // its series, shared rather than rebuilt window by window (a day-long run would otherwise make
  // a second copy of every series and of its partitions' lag, and far more garbage).
  if (runs.length === 1) return { seeds: [...seeds], runs: [...runs], median: first, bands: ownBands(first.series, ''), estimates: estimates(runs) };
  const bands: Record<string, Band> = {};
  const medianOf = (name: string, pick: (r: RunResult) => readonly (number | null)[]): (number | null)[] => {
    const across = acrossRuns(runs.map(pick), windows);
    bands[name] = { low: across.map((w) => q(w, BAND_LOW)), high: across.map((w) => q(w, BAND_HIGH)) };
    return across.map((w) => q(w, 0.5));
  };

  // Every series by its path in RunResult.series (groups.<name>.lag, endToEnd.latencyP99, ...).
  const medianTree = (node: unknown, pick: (r: RunResult) => unknown, prefix: string): unknown => {
    if (Array.isArray(node)) {
      const m = medianOf(prefix, (r) => (pick(r) as (number | null)[] | undefined) ?? []);
      return isNullable(prefix) ? m : m.map((v) => v ?? 0);
    }
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(node as Record<string, unknown>)) {
      out[k] = medianTree(child, (r) => (pick(r) as Record<string, unknown> | undefined)?.[k], prefix === '' ? k : `${prefix}.${k}`);
    }
    return out;
  };
  const series = medianTree(first.series, (r) => r.series, '') as Series;
  const partitionLag: Record<string, number[][]> = {};
  for (const [g, rows] of Object.entries(first.partitionLag)) {
    partitionLag[g] = rows.map((row, w) => Array.from(row, (_, p) => q(sortedNumbers(runs.map((r) => r.partitionLag[g]?.[w]?.[p])), 0.5) ?? 0));
  }

  const median: RunResult = runs.length === 1 ? first : { ...first, series, partitionLag };

  return { seeds: [...seeds], runs: [...runs], median, bands, estimates: estimates(runs) };
}

/** Each series of one run as its own band, by its path in `series`; a value that is not finite is a null, as in a band across runs. */
function ownBands(node: unknown, prefix: string, out: Record<string, Band> = {}): Record<string, Band> {
  if (Array.isArray(node)) {
    const values = node as (number | null)[];
    const finite = (v: number | null) => typeof v === 'number' && Number.isFinite(v);
    const band = values.every((v) => v === null || finite(v)) ? values : values.map((v) => (finite(v) ? v : null));
    out[prefix] = { low: band, high: band };
  } else {
    for (const [k, child] of Object.entries(node as Record<string, unknown>)) ownBands(child, prefix === '' ? k : `${prefix}.${k}`, out);
  }
  return out;
}

/** Latency percentiles have no value in a window where nothing completed; every other series always has one. */
function isNullable(path: string): boolean {
  return /(^|\.)latency(P50|P95|P99|Max)$/.test(path);
}

/** For each window, the sorted non-null values across runs. */
function acrossRuns(perRun: readonly (readonly (number | null)[])[], windows: number): number[][] {
  return Array.from({ length: windows }, (_, w) => sortedNumbers(perRun.map((s) => s[w])));
}

function sortedNumbers(values: readonly (number | null | undefined)[]): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
}

function q(sorted: readonly number[], p: number): number | null {
  return sorted.length === 0 ? null : quantileSorted(sorted, p);
}

/** Every numeric figure of the runs' summaries by dotted path, in the first run's order. */
function estimates(runs: readonly RunResult[]): Record<string, Estimate> {
  const flat = runs.map((r) => flatten(r.summary, ''));
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const f of flat) for (const p of f.keys()) if (!seen.has(p)) (seen.add(p), paths.push(p));
  const out: Record<string, Estimate> = {};
  for (const path of paths) {
    const zeroIfAbsent = path.startsWith('accounting.rejected.') || path.startsWith('accounting.lost.');
    const values: number[] = [];
    for (const f of flat) {
      const v = f.has(path) ? f.get(path) : zeroIfAbsent ? 0 : null;
      if (typeof v === 'number') values.push(v);
    }
    if (values.length > 0) out[path] = estimate(values);
  }
  return out;
}

/** Numeric leaves (and nulls, as null) of a plain object by dotted path; other values are skipped. */
function flatten(value: unknown, prefix: string, out = new Map<string, number | null>()): Map<string, number | null> {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) out.set(prefix, value);
  } else if (value === null) {
    out.set(prefix, null);
  } else if (typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  }
  return out;
}

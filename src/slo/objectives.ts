/**
 * Verdicts on a scenario's objectives (schema.ts, `objectives:`), read from RunResults alone.
 *
 * The figure of an objective in one run:
 * - a summary figure by its path (`endToEnd.latency.p99Ms`, `groups.<name>.lag.peakRecords`), or
 *   by its one-stage path (`latency.p99Ms`, `lag.peakRecords`, `group.rebalances`) in a run of one
 *   topic and one group (metrics/figures.ts);
 * - `accounting.lost`, `accounting.rejected`: the sum over all reasons of records lost after
 *   append (retention, offset reset) or rejected by producers (buffer-exhausted, delivery-timeout,
 *   dropped, unacknowledged-loss); `accounting.lostOrRejected`: both, every record offered that
 *   will never be processed (what `lost:` in a scenario bounds);
 * - `lag.timeToDrainSeconds`: 0 when lag never rose (peak 0); null (not measured, so the
 *   objective fails) when lag never drained before the run ended;
 * - a per-window objective: the worst window, the largest value for an upper bound (the
 *   smallest for a lower bound), windows with no value (no record completed) left out. The
 *   objective holds in every window exactly when it holds for the worst one.
 * A figure that is null (no latency at all) is not measured and fails its objective.
 *
 * Bounds are inclusive: a figure equal to its bound passes. The margin is the room left, in the
 * figure's unit: bound - measured for an upper bound, measured - bound for a lower one; negative
 * when the objective fails.
 *
 * With replications the figure is taken in each run (the worst window of each run for a
 * per-window objective), and the verdict is on their mean with its 95% t interval: `pass` when
 * the mean passes; `confidence` 'holds' when the whole interval is on the passing side,
 * 'on-average' when only the mean is, 'fails' when the mean is not. If any run has no figure
 * the objective fails (measured null). One replication is judged as a single run.
 */
import type { Objective } from '../scenario/schema.js';
import type { RunResult, Summary } from '../metrics/result.js';
import type { ObjectiveVerdict, Replicated } from '../metrics/study.js';
import { estimate } from '../stats/estimate.js';
import { resolveFigure, resolveSeries, valueAt } from '../metrics/figures.js';

const sum = (reasons: Record<string, number>) => Object.values(reasons).reduce((a, b) => a + b, 0);

/** Figures an objective may name that are sums over a summary's per-reason counts, not paths in it. */
export const SUMMED_FIGURES: Readonly<Record<string, (s: Summary) => number>> = {
  'accounting.lost': (s) => sum(s.accounting.lost),
  'accounting.rejected': (s) => sum(s.accounting.rejected),
  'accounting.lostOrRejected': (s) => sum(s.accounting.lost) + sum(s.accounting.rejected),
};

export function evaluateObjectives(objectives: readonly Objective[], result: Replicated | RunResult): ObjectiveVerdict[] {
  const runs = 'runs' in result ? result.runs : [result];
  return objectives.map((o) => verdict(o, runs));
}

function verdict(o: Objective, runs: readonly RunResult[]): ObjectiveVerdict {
  const base = {
    objective: o.objective,
    figure: o.figure,
    ...(o.window ? { window: true } : {}),
    comparison: o.comparison,
    bound: o.bound,
    unit: o.unit,
  };
  const values = runs.map((r) => measure(o, r));
  const margin = (v: number) => (o.comparison === 'at-most' ? o.bound - v : v - o.bound);
  if (runs.length === 1) {
    const m = values[0];
    return { ...base, measured: m, margin: m === null ? null : margin(m), pass: m !== null && margin(m) >= 0, confidence: 'single-run' };
  }
  if (values.some((v) => v === null)) return { ...base, measured: null, margin: null, pass: false, confidence: 'fails' };
  const e = estimate(values as number[]);
  const pass = margin(e.mean) >= 0;
  // The end of the interval nearest the bound's wrong side.
  const worst = o.comparison === 'at-most' ? e.high : e.low;
  const confidence = !pass ? 'fails' : margin(worst) >= 0 ? 'holds' : 'on-average';
  return { ...base, measured: e.mean, margin: margin(e.mean), pass, confidence, interval: { low: e.low, high: e.high } };
}

/** The objective's figure in one run, or null when the run did not measure it. */
export function measure(o: Objective, run: RunResult): number | null {
  if (o.window) {
    const series = valueAt(run.series, resolveSeries(o.figure, run.topology));
    if (!Array.isArray(series)) throw new Error(`internal: no series ${o.figure} in the run`);
    let worst: number | null = null;
    for (const v of series as (number | null)[]) {
      if (v === null) continue;
      if (worst === null || (o.comparison === 'at-most' ? v > worst : v < worst)) worst = v;
    }
    return worst;
  }
  const s = run.summary;
  const summed = SUMMED_FIGURES[o.figure];
  if (summed !== undefined) return summed(s);
  const path = resolveFigure(o.figure, run.topology);
  const v = valueAt(s, path);
  if (v === null && path.endsWith('.lag.timeToDrainSeconds') && valueAt(s, path.replace(/timeToDrainSeconds$/, 'peakRecords')) === 0) return 0;
  if (v === null) return null;
  if (typeof v !== 'number') throw new Error(`internal: summary figure ${o.figure} is not a number`);
  return v;
}

/**
 * Verdicts on a scenario's objectives (schema.ts, `objectives:`), read from RunResults alone.
 *
 * The figure of an objective in one run:
 * - a summary figure by its path (`endToEnd.latency.p99Ms`, `groups.<name>.lag.peakRecords`), or
 *   by its one-stage path (`latency.p99Ms`, `lag.peakRecords`, `group.rebalances`) in a run of one
 *   topic and one group (metrics/figures.ts);
 * - `accounting.lost`, `accounting.rejected`: the sum over all reasons of records lost after
 *   append (retention, offset reset) or rejected by producers (buffer-exhausted, delivery-timeout,
 *   dropped, unacknowledged-loss), in the first stage's books (`summary.accounting`);
 *   `accounting.lostOrRejected` (what `lost:` in a scenario bounds): every topic's rejections and
 *   every group's losses, so that a record lost anywhere in a pipeline counts (a record two groups
 *   of one topic both lose counts twice: each group misses it). In a one-stage run that is the
 *   first stage's books, the same as `accounting.lost` + `accounting.rejected`;
 * - `groups.<g>.books.lost`, `topics.<t>.books.rejected`: that group's or topic's, summed over
 *   reasons;
 * - `lag.timeToDrainSeconds`: 0 when lag never rose (peak 0); null (not measured, so the
 *   objective fails) when lag never drained before the run ended;
 * - a per-window objective: the worst window, the largest value for an upper bound (the
 *   smallest for a lower bound), windows with no value (no record completed) left out. The
 *   objective holds in every window exactly when it holds for the worst one.
 * A figure that is null (no latency at all) is not measured and fails its objective.
 *
 * Alert figures (`alert`, metrics/study.ts AlertFigures) go with every per-window objective and
 * every lag objective (`...lag.peakRecords`, `...lag.peakSeconds`, `...lag.maxPartitionLagRecords`,
 * read from the group's `lag`, `lagSeconds` and `maxPartitionLag` series): when the series first
 * went past the bound and for how long in all, at window resolution.
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
import type { AlertFigures, ObjectiveVerdict, Replicated } from '../metrics/study.js';
import { estimate } from '../stats/estimate.js';
import { resolveFigure, resolveSeries, valueAt } from '../metrics/figures.js';

const sum = (reasons: Record<string, number>) => Object.values(reasons).reduce((a, b) => a + b, 0);

/** Every record a pipeline will never process: each topic's rejections and each group's losses (the first stage's books in a result without them). */
function lostOrRejected(s: Summary): number {
  const topics = Object.values(s.topics ?? {});
  const groups = Object.values(s.groups ?? {});
  if (topics.length === 0 || groups.length === 0) return sum(s.accounting.lost) + sum(s.accounting.rejected);
  return topics.reduce((n, t) => n + sum(t.books.rejected), 0) + groups.reduce((n, g) => n + sum(g.books.lost), 0);
}

/** Figures an objective may name that are sums over a summary's per-reason counts, not paths in it. */
export const SUMMED_FIGURES: Readonly<Record<string, (s: Summary) => number>> = {
  'accounting.lost': (s) => sum(s.accounting.lost),
  'accounting.rejected': (s) => sum(s.accounting.rejected),
  'accounting.lostOrRejected': lostOrRejected,
};

/** A lag figure's ending -> the group series its alert figures read. */
const LAG_SERIES: Readonly<Record<string, string>> = {
  '.lag.peakRecords': '.lag',
  '.lag.peakSeconds': '.lagSeconds',
  '.lag.maxPartitionLagRecords': '.maxPartitionLag',
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
  const alerts = runs.map((r) => alertFigures(o, r));
  const alert = alerts[0] === undefined ? {} : { alert: combine(alerts as AlertFigures[]) };
  if (runs.length === 1) {
    const m = values[0];
    return { ...base, measured: m, margin: m === null ? null : margin(m), pass: m !== null && margin(m) >= 0, confidence: 'single-run', ...alert };
  }
  if (values.some((v) => v === null)) return { ...base, measured: null, margin: null, pass: false, confidence: 'fails', ...alert };
  const e = estimate(values as number[]);
  const pass = margin(e.mean) >= 0;
  // The end of the interval nearest the bound's wrong side.
  const worst = o.comparison === 'at-most' ? e.high : e.low;
  const confidence = !pass ? 'fails' : margin(worst) >= 0 ? 'holds' : 'on-average';
  return { ...base, measured: e.mean, margin: margin(e.mean), pass, confidence, interval: { low: e.low, high: e.high }, ...alert };
}

/** Several runs' alert figures as one: the earliest crossing, the mean time past the bound. */
function combine(alerts: readonly AlertFigures[]): AlertFigures {
  const crossed = alerts.map((a) => a.firstCrossedSeconds).filter((t): t is number => t !== null);
  return {
    firstCrossedSeconds: crossed.length === 0 ? null : Math.min(...crossed),
    secondsAbove: alerts.reduce((n, a) => n + a.secondsAbove, 0) / alerts.length,
  };
}

/** The series an objective's alert figures read in this run: its own for a per-window objective, the group's lag series for a lag one; undefined for any other. */
function alertSeries(o: Objective, run: RunResult): string | undefined {
  if (o.window) return resolveSeries(o.figure, run.topology);
  if (SUMMED_FIGURES[o.figure] !== undefined) return undefined;
  const path = resolveFigure(o.figure, run.topology);
  if (!path.startsWith('groups.')) return undefined;
  const end = Object.keys(LAG_SERIES).find((e) => path.endsWith(e));
  return end === undefined ? undefined : path.slice(0, path.length - end.length) + LAG_SERIES[end];
}

/**
 * When the objective's series first went past its bound in this run, and for how long in all
 * (AlertFigures: window resolution, each window past the bound counted whole); undefined for an
 * objective with no series.
 */
export function alertFigures(o: Objective, run: RunResult): AlertFigures | undefined {
  const path = alertSeries(o, run);
  if (path === undefined) return undefined;
  const series = valueAt(run.series, path);
  if (!Array.isArray(series)) throw new Error(`internal: no series ${path} in the run`);
  let first: number | null = null;
  // In whole microseconds, the kernel's tick, so that the windows' lengths add up exactly.
  let aboveUs = 0;
  let startUs = 0;
  (series as (number | null)[]).forEach((v, i) => {
    const endUs = Math.round(run.time[i] * 1e6);
    if (v !== null && (o.comparison === 'at-most' ? v > o.bound : v < o.bound)) {
      if (first === null) first = run.time[i];
      aboveUs += endUs - startUs;
    }
    startUs = endUs;
  });
  return { firstCrossedSeconds: first, secondsAbove: aboveUs / 1e6 };
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
  if (/\.books\.(lost|rejected)$/.test(path) && typeof v === 'object' && v !== null) return sum(v as Record<string, number>);
  if (v === null && path.endsWith('.lag.timeToDrainSeconds') && valueAt(s, path.replace(/timeToDrainSeconds$/, 'peakRecords')) === 0) return 0;
  if (v === null) return null;
  if (typeof v !== 'number') throw new Error(`internal: summary figure ${o.figure} is not a number`);
  return v;
}

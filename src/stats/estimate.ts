/**
 * Summaries of a sample of runs: the mean with its 95% confidence interval (Student's t), and
 * quantiles for the bands drawn around replicated series.
 *
 * Quantiles interpolate linearly between order statistics: with the n values sorted, the
 * p-quantile is at position h = (n - 1) p (0-based), between the values at floor(h) and
 * ceil(h). This is Hyndman and Fan's definition 7 ("Sample quantiles in statistical packages",
 * The American Statistician 50(4), 1996), the default of R's quantile() and of NumPy; the
 * median of an even number of values is the mean of the middle two.
 */
import type { Estimate } from '../metrics/study.js';
import { t95 } from './student-t.js';

/** Mean, sample standard deviation and two-sided 95% t interval of `values` (at least one). */
export function estimate(values: readonly number[]): Estimate {
  const n = values.length;
  if (n === 0) throw new RangeError('an estimate needs at least one value');
  for (const v of values) if (!Number.isFinite(v)) throw new RangeError(`an estimate needs finite values, got ${v}`);
  // Sums of differences from the first value: equal values give sd 0 and their own mean exactly.
  const x0 = values[0];
  let sum = 0;
  for (const v of values) sum += v - x0;
  const mean = x0 + sum / n;
  if (n === 1) return { n, mean, sd: 0, low: mean, high: mean };
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  const sd = Math.sqrt(squares / (n - 1));
  const half = (t95(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, low: mean - half, high: mean + half };
}

/** The p-quantile (0 <= p <= 1) of `values` by linear interpolation (Hyndman-Fan 7); undefined for none. */
export function quantile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return quantileSorted(sorted, p);
}

/** Like `quantile`, for values already sorted ascending. */
export function quantileSorted(sorted: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`a quantile needs 0 <= p <= 1, got ${p}`);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return lo === hi ? sorted[lo] : sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function median(values: readonly number[]): number | undefined {
  return quantile(values, 0.5);
}

/**
 * The sum of k independent draws of a law, in one draw: what the batched fidelity uses for a
 * poll batch's per-record time when only the batch's total matters (app/processing.ts).
 *
 * - constant, exponential and gamma: exact for every k (k times the value; a gamma of k times
 *   the shape).
 * - lognormal: a shifted gamma with the sum's mean, variance and skewness (all three exact), used
 *   only from `minK` draws on, where the sum's skewness (the law's / sqrt(k)) is at most 0.35 and
 *   its excess kurtosis (the law's / k) at most 0.25. What is left differs from the true sum only
 *   in the fourth and higher cumulants; at that boundary its p1 to p99.9 are within 0.5% of the
 *   true sum's (test/random/sums.test.ts checks it at minK for two laws). Below minK, and for
 *   every other law, the caller draws each record.
 */
import { gamma, mean, variance, Z99, type Dist } from './distributions.js';
import type { Rng } from './stream.js';

export interface SumLaw {
  /** The fewest draws whose sum `draw` may stand for. */
  minK: number;
  /** The sum of k draws (k >= minK). */
  draw(rng: Rng, k: number): number;
}

/** Largest skewness and excess kurtosis of a sum drawn as a shifted gamma. */
export const MAX_SUM_SKEW = 0.35;
export const MAX_SUM_EXCESS_KURTOSIS = 0.25;

export function sumLaw(d: Dist): SumLaw | null {
  switch (d.dist) {
    case 'constant': {
      const v = d.value;
      return { minK: 1, draw: (_rng, k) => k * v };
    }
    case 'exponential': {
      const m = d.mean;
      return { minK: 1, draw: (rng, k) => gamma(rng, k, m) };
    }
    case 'gamma': {
      const shape = d.shape;
      const scale = d.mean / d.shape;
      return { minK: 1, draw: (rng, k) => gamma(rng, k * shape, scale) };
    }
    case 'lognormal': {
      const s2 = 'p50' in d ? (Math.log(d.p99 / d.p50) / Z99) ** 2 : Math.log(1 + (d.sd * d.sd) / (d.mean * d.mean));
      // No spread at all (p99 = p50, or sd 0): a constant, summed exactly.
      if (!(s2 > 0)) {
        const v = mean(d);
        return { minK: 1, draw: (_rng, k) => k * v };
      }
      const w = Math.exp(s2);
      const skew = (w + 2) * Math.sqrt(w - 1);
      const kurtosis = w ** 4 + 2 * w ** 3 + 3 * w ** 2 - 6;
      const minK = Math.max(2, Math.ceil(Math.max((skew / MAX_SUM_SKEW) ** 2, kurtosis / MAX_SUM_EXCESS_KURTOSIS) - 1e-9));
      const m = mean(d);
      const sd = Math.sqrt(variance(d));
      return { minK, draw: (rng, k) => shiftedGamma(rng, k * m, sd * Math.sqrt(k), skew / Math.sqrt(k)) };
    }
    default:
      return null;
  }
}

/** A draw with mean m, standard deviation s and skewness g > 0: c + Gamma(4 / g^2, s g / 2). */
function shiftedGamma(rng: Rng, m: number, s: number, g: number): number {
  const shape = 4 / (g * g);
  const scale = (s * g) / 2;
  return m - shape * scale + gamma(rng, shape, scale);
}

/**
 * random/sums.ts: the sum of k draws in one draw. Exact laws are checked by their moments; the
 * lognormal's shifted gamma at its boundary (the fewest draws it is used for) against true sums
 * drawn one by one.
 */
import { describe, expect, it } from 'vitest';
import { compile, mean, variance, type Dist } from '../../src/random/distributions.js';
import { sumLaw } from '../../src/random/sums.js';
import { stream } from '../../src/random/stream.js';

const quantile = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

function moments(xs: Float64Array): { mean: number; variance: number } {
  let s = 0;
  for (const x of xs) s += x;
  const m = s / xs.length;
  let v = 0;
  for (const x of xs) v += (x - m) ** 2;
  return { mean: m, variance: v / (xs.length - 1) };
}

describe('sums that are a law of their own', () => {
  it.each([
    ['constant', { dist: 'constant', value: 7 }],
    ['exponential', { dist: 'exponential', mean: 3 }],
    ['gamma', { dist: 'gamma', shape: 0.5, mean: 2 }],
  ] as [string, Dist][])('%s: any k, mean k x mean and variance k x variance', (_, d) => {
    const law = sumLaw(d)!;
    expect(law.minK).toBe(1);
    const rng = stream(1, 'sums');
    const k = 5;
    const xs = new Float64Array(200_000).map(() => law.draw(rng, k));
    const m = moments(xs);
    expect(Math.abs(m.mean - k * mean(d)) / (k * mean(d))).toBeLessThan(0.01);
    if (variance(d) === 0) expect(m.variance).toBe(0);
    else expect(Math.abs(m.variance - k * variance(d)) / (k * variance(d))).toBeLessThan(0.02);
  });

  it('a lognormal with no spread (p99 = p50) is a constant, summed exactly (not NaN)', () => {
    const law = sumLaw({ dist: 'lognormal', p50: 5000, p99: 5000 } as Dist)!;
    expect(law.minK).toBe(1);
    expect(law.draw(stream(1, 'sums'), 7)).toBeCloseTo(35_000, 6);
  });

  it('other laws have none (the caller draws each record)', () => {
    expect(sumLaw({ dist: 'uniform', min: 1, max: 2 })).toBeNull();
    expect(sumLaw({ dist: 'pareto', scale: 1, shape: 3 })).toBeNull();
  });
});

describe('lognormal: a shifted gamma from minK draws on', () => {
  it.each([
    ['p50 50us, p99 250us (cv 0.77)', { dist: 'lognormal', p50: 50, p99: 250 }, 69],
    ['mean 1ms, sd 1ms (cv 1)', { dist: 'lognormal', mean: 1000, sd: 1000 }, 152],
  ] as [string, Dist, number][])('%s: at minK, p1 to p99 within 0.5% and p99.9 within 1% of the true sum', (_, d, minK) => {
    const law = sumLaw(d)!;
    expect(law.minK).toBe(minK);
    const n = 200_000;
    const rng = stream(2, 'sums');
    const draw = compile(d);
    const truth = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let t = 0;
      for (let j = 0; j < minK; j++) t += draw(rng);
      truth[i] = t;
    }
    const approx = new Float64Array(n).map(() => law.draw(rng, minK));
    truth.sort();
    approx.sort();
    for (const q of [0.01, 0.1, 0.5, 0.9, 0.99, 0.999]) {
      const err = Math.abs(quantile(approx, q) / quantile(truth, q) - 1);
      expect(err, `p${q * 100}: ${quantile(approx, q)} vs ${quantile(truth, q)}`).toBeLessThan(q === 0.999 ? 0.01 : 0.005);
    }
  }, 60_000);
});

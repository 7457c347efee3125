import { describe, expect, it } from 'vitest';
import { binomial, compile, mean, poisson, variance, Z99, type Dist } from '../../src/random/distributions.js';
import { stream } from '../../src/random/stream.js';

const N = 200_000;

function draws(d: Dist, seed = 1): Float64Array {
  const rng = stream(seed, 'test');
  const s = compile(d);
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) out[i] = s(rng);
  return out;
}

function stats(xs: Float64Array) {
  let m = 0;
  for (const x of xs) m += x;
  m /= xs.length;
  let v = 0;
  for (const x of xs) v += (x - m) ** 2;
  const sorted = Float64Array.from(xs).sort();
  return { mean: m, variance: v / (xs.length - 1), q: (p: number) => sorted[Math.floor(p * (sorted.length - 1))], min: sorted[0] };
}

describe('streams', () => {
  it('the same seed and component give the same sequence; another component, another one', () => {
    const a = stream(7, 'producer:a');
    const b = stream(7, 'producer:a');
    const c = stream(7, 'producer:b');
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
  });
});

describe('distributions: moments and quantiles against closed forms', () => {
  const cases: [string, Dist][] = [
    ['uniform', { dist: 'uniform', min: 2, max: 10 }],
    ['exponential', { dist: 'exponential', mean: 5 }],
    ['lognormal mean/sd', { dist: 'lognormal', mean: 10, sd: 4 }],
    ['lognormal p50/p99', { dist: 'lognormal', p50: 50, p99: 400 }],
    ['gamma shape 2', { dist: 'gamma', shape: 2, mean: 6 }],
    ['gamma shape 0.5', { dist: 'gamma', shape: 0.5, mean: 6 }],
    ['pareto shape 3', { dist: 'pareto', scale: 1, shape: 3 }],
    ['empirical', { dist: 'empirical', percentiles: { p0: 1, p50: 5, p90: 10, p100: 30 } }],
    ['mixture 95/5', { dist: 'mixture', of: [{ weight: 95, value: { dist: 'constant', value: 1 } }, { weight: 5, value: { dist: 'exponential', mean: 100 } }] }],
  ];
  it.each(cases)('%s: sample mean and variance match mean() and variance()', (_, d) => {
    const s = stats(draws(d));
    expect(Math.abs(s.mean - mean(d)) / mean(d)).toBeLessThan(0.02);
    // Variance estimates converge slowly for heavy tails; 8% still catches a wrong formula.
    expect(Math.abs(s.variance - variance(d)) / variance(d)).toBeLessThan(0.08);
    expect(s.min).toBeGreaterThanOrEqual(0);
  });

  it('lognormal by p50/p99 hits both percentiles', () => {
    const s = stats(draws({ dist: 'lognormal', p50: 50, p99: 400 }));
    expect(Math.abs(s.q(0.5) - 50) / 50).toBeLessThan(0.02);
    expect(Math.abs(s.q(0.99) - 400) / 400).toBeLessThan(0.04);
    expect(Z99).toBeCloseTo(2.3263478740408408, 12);
  });

  it('exponential p99 is mean * ln(100)', () => {
    const s = stats(draws({ dist: 'exponential', mean: 1 }));
    expect(Math.abs(s.q(0.99) - Math.log(100)) / Math.log(100)).toBeLessThan(0.03);
  });

  it('empirical reproduces its percentile table', () => {
    const s = stats(draws({ dist: 'empirical', percentiles: { p0: 1, p50: 5, p90: 10, p100: 30 } }));
    expect(s.q(0.5)).toBeCloseTo(5, 0);
    expect(s.q(0.9)).toBeCloseTo(10, 0);
  });

  it('normal is truncated at zero and otherwise centred on its mean', () => {
    const s = stats(draws({ dist: 'normal', mean: 100, sd: 10 }));
    expect(Math.abs(s.mean - 100)).toBeLessThan(0.2);
    const t = stats(draws({ dist: 'normal', mean: 1, sd: 5 }));
    expect(t.min).toBeGreaterThanOrEqual(0);
  });

  it('constant is constant', () => {
    expect(new Set(draws({ dist: 'constant', value: 3 })).size).toBe(1);
  });
});

describe('count draws used by the batched fidelity', () => {
  it.each([3, 49, 50, 5000])('poisson(%d) has mean and variance equal to its parameter', (m) => {
    const rng = stream(3, 'poisson');
    const xs = Float64Array.from({ length: 100_000 }, () => poisson(rng, m));
    const s = stats(xs);
    expect(Math.abs(s.mean - m) / m).toBeLessThan(0.02);
    expect(Math.abs(s.variance - m) / m).toBeLessThan(0.05);
  });

  it.each([
    [20, 0.1],
    [1000, 0.02],
    [1000, 0.5],
    [100_000, 0.3],
    [50, 0.97],
  ])('binomial(%d, %d) has mean nq and variance nq(1-q), never outside [0, n]', (n, q) => {
    const rng = stream(4, 'binomial');
    const xs = Float64Array.from({ length: 50_000 }, () => binomial(rng, n, q));
    const s = stats(xs);
    expect(Math.abs(s.mean - n * q) / (n * q)).toBeLessThan(0.02);
    expect(Math.abs(s.variance - n * q * (1 - q)) / (n * q * (1 - q))).toBeLessThan(0.06);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(n);
  });
});

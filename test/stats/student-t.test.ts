import { describe, expect, it } from 'vitest';
import { incompleteBeta, logGamma, normalQuantile, studentTCdf, studentTQuantile, t95 } from '../../src/stats/student-t.js';

// Two-sided 95% critical values t(0.975, df) as printed in t tables (three decimals), e.g. the
// NIST/SEMATECH e-Handbook of Statistical Methods, 1.3.6.7.2 "Critical values of the Student's t
// distribution", column 0.975.
const TABLE: [number, number][] = [
  [1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [6, 2.447], [7, 2.365], [8, 2.306], [9, 2.262], [10, 2.228],
  [11, 2.201], [12, 2.179], [13, 2.16], [14, 2.145], [15, 2.131], [16, 2.12], [17, 2.11], [18, 2.101], [19, 2.093], [20, 2.086],
  [21, 2.08], [22, 2.074], [23, 2.069], [24, 2.064], [25, 2.06], [26, 2.056], [27, 2.052], [28, 2.048], [29, 2.045], [30, 2.042],
  [40, 2.021], [60, 2.0], [120, 1.98], [Infinity, 1.96],
];

// The same to ten decimals (scipy.stats.t.ppf(0.975, df), scipy.stats.norm.ppf(0.975)).
const PRECISE: [number, number][] = [
  [1, 12.7062047362], [2, 4.3026527297], [3, 3.1824463053], [4, 2.7764451052], [5, 2.5705818356], [9, 2.2621571628],
  [10, 2.228138852], [30, 2.0422724563], [60, 2.000297822], [120, 1.9799304051], [1000, 1.9623390808],
  [1e6, 1.9599663568], [Infinity, 1.95996398454],
];

describe('t95', () => {
  it('matches the textbook table for df 1..30, 40, 60, 120 and infinity', () => {
    for (const [df, t] of TABLE) expect(t95(df), `df ${df}`).toBeCloseTo(t, 3);
  });

  it('is within 1e-6 of the exact quantile, on both sides of the switch to the expansion', () => {
    for (const [df, t] of PRECISE) expect(Math.abs(t95(df) - t), `df ${df}`).toBeLessThan(1e-6);
    expect(Math.abs(t95(99_999) - 1.9599877078)).toBeLessThan(1e-9);
    expect(Math.abs(t95(100_001) - 1.9599877073)).toBeLessThan(1e-9);
  });

  it('decreases towards the normal quantile as df grows', () => {
    let prev = Infinity;
    for (let df = 1; df <= 200; df++) {
      const t = t95(df);
      expect(t).toBeLessThan(prev);
      expect(t).toBeGreaterThan(1.959963984540054);
      prev = t;
    }
  });
});

describe('studentTQuantile and studentTCdf', () => {
  it('invert each other, for any p and df including fractional df', () => {
    for (const df of [0.5, 1, 2.5, 7, 33, 500]) {
      for (const p of [0.001, 0.025, 0.3, 0.5, 0.8, 0.975, 0.9995]) {
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 12);
      }
    }
  });

  it('is symmetric about 0', () => {
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.7764451052, 9);
    expect(studentTQuantile(0.5, 4)).toBe(0);
    expect(studentTCdf(0, 3)).toBe(0.5);
  });

  it('has the closed forms of df 1 (Cauchy) and df 2', () => {
    for (const p of [0.6, 0.9, 0.99]) {
      expect(studentTQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 9);
      expect(studentTQuantile(p, 2)).toBeCloseTo((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 9);
    }
  });

  it('refuses probabilities outside (0, 1) and df <= 0', () => {
    expect(() => studentTQuantile(1, 5)).toThrow(RangeError);
    expect(() => studentTQuantile(0, 5)).toThrow(RangeError);
    expect(() => studentTQuantile(0.5, 0)).toThrow(RangeError);
    expect(() => studentTQuantile(0.5, NaN)).toThrow(RangeError);
  });
});

describe('the functions underneath', () => {
  it('logGamma matches factorials and Gamma(1/2) = sqrt(pi)', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14);
  });

  it('incompleteBeta has its closed forms and bounds', () => {
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(incompleteBeta(0.3, 2, 1)).toBeCloseTo(0.09, 14);
    expect(incompleteBeta(0.3, 1, 3)).toBeCloseTo(1 - 0.7 ** 3, 14);
    expect(incompleteBeta(0, 2, 3)).toBe(0);
    expect(incompleteBeta(1, 2, 3)).toBe(1);
  });

  it('normalQuantile is the standard normal quantile', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 14);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 10);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 9);
  });
});

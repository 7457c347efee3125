import { describe, expect, it } from 'vitest';
import { estimate, median, quantile } from '../../src/stats/estimate.js';

describe('estimate', () => {
  it("gives Student's 1908 sleep example: mean 1.58, 95% CI 0.700 to 2.460", () => {
    // Extra hours of sleep with drug 2 over drug 1 for ten patients, Cushny & Peebles (1905), as
    // analysed by Student, "The probable error of a mean", Biometrika 6(1), 1908. R's
    // `t.test(extra ~ group, data = sleep, paired = TRUE)` gives mean difference 1.58 and
    // 95 percent confidence interval 0.7001142 to 2.4598858 (with the sign of group 2 - group 1).
    const e = estimate([1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4]);
    expect(e.n).toBe(10);
    expect(e.mean).toBeCloseTo(1.58, 12);
    expect(e.sd).toBeCloseTo(1.229995, 6);
    expect(e.low).toBeCloseTo(0.7001142, 7);
    expect(e.high).toBeCloseTo(2.4598858, 7);
  });

  it('from one value: that value, sd 0, no interval', () => {
    expect(estimate([42])).toEqual({ n: 1, mean: 42, sd: 0, low: 42, high: 42 });
  });

  it('equal values give exactly that value and a zero-width interval', () => {
    expect(estimate([0.1, 0.1, 0.1])).toEqual({ n: 3, mean: 0.1, sd: 0, low: 0.1, high: 0.1 });
  });

  it('with two values uses t(0.975, 1) = 12.706', () => {
    const e = estimate([1, 3]);
    expect(e.mean).toBe(2);
    expect(e.sd).toBeCloseTo(Math.SQRT2, 14);
    expect(e.high - e.mean).toBeCloseTo(12.7062047362, 8);
  });

  it('refuses no values and values that are not finite', () => {
    expect(() => estimate([])).toThrow(RangeError);
    expect(() => estimate([1, NaN])).toThrow(RangeError);
    expect(() => estimate([1, Infinity])).toThrow(RangeError);
  });
});

describe('quantile (linear interpolation, Hyndman-Fan 7)', () => {
  it("matches R's quantile() default", () => {
    // quantile(c(1, 2, 3, 4), c(0.05, 0.5, 0.95)) = 1.15, 2.5, 3.85
    expect(quantile([4, 1, 3, 2], 0.05)).toBeCloseTo(1.15, 12);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0.95)).toBeCloseTo(3.85, 12);
    // quantile(c(10, 20, 30, 40, 50), 0.05) = 12
    expect(quantile([10, 20, 30, 40, 50], 0.05)).toBeCloseTo(12, 12);
    expect(quantile([7], 0.95)).toBe(7);
    expect(quantile([], 0.5)).toBeUndefined();
  });

  it('median of an odd and an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([3, 1, 2, 10])).toBe(2.5);
  });

  it('does not reorder its input', () => {
    const v = [3, 1, 2];
    quantile(v, 0.5);
    expect(v).toEqual([3, 1, 2]);
  });
});

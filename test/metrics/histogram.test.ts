import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bucketOf, bucketValue, BUCKETS, Histogram } from '../../src/metrics/histogram.js';

describe('Histogram', () => {
  it('reports any value within 0.4% (bounded relative error)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e12, noNaN: true }), (v) => {
        const b = bucketOf(v);
        expect(b).toBeGreaterThan(0);
        expect(b).toBeLessThan(BUCKETS);
        expect(Math.abs(bucketValue(b) - v) / v).toBeLessThanOrEqual(1 / 256 + 1e-12);
      }),
    );
  });

  it('bucket order follows value order', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e12, noNaN: true }), fc.double({ min: 0, max: 1e12, noNaN: true }), (a, b) => {
        if (a <= b) expect(bucketOf(a)).toBeLessThanOrEqual(bucketOf(b));
      }),
    );
  });

  it('quantiles of 1..100000 are within 1% of the exact ones, p100 exact', () => {
    const h = new Histogram();
    for (let i = 1; i <= 100_000; i++) h.record(i);
    for (const q of [0.5, 0.9, 0.95, 0.99, 0.999]) {
      const exact = Math.ceil(q * 100_000);
      expect(Math.abs(h.quantile(q)! - exact) / exact).toBeLessThan(0.01);
    }
    expect(h.quantile(1)).toBe(100_000);
    expect(h.mean()).toBeCloseTo(50_000.5, 6);
  });

  it('merging two histograms equals recording everything into one', () => {
    const a = new Histogram();
    const b = new Histogram();
    const all = new Histogram();
    for (let i = 0; i < 5000; i++) {
      const v = (i * 7919) % 100_003;
      (i % 2 ? a : b).record(v);
      all.record(v);
    }
    a.merge(b);
    expect(Array.from(a.counts)).toEqual(Array.from(all.counts));
    expect([a.count, a.min, a.max, a.sum]).toEqual([all.count, all.min, all.max, all.sum]);
  });

  it('is empty-safe', () => {
    const h = new Histogram();
    expect(h.quantile(0.99)).toBeNull();
    expect(h.mean()).toBeNull();
  });
});

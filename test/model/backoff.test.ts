/**
 * ExponentialBackoff as Kafka's: base x 2^attempt, jitter +-20%, capped before and after the
 * jitter; the draw is the caller's, so the same draws give the same delays.
 */
import { describe, expect, it } from 'vitest';
import { ExponentialBackoff } from '../../src/model/backoff.js';

describe('ExponentialBackoff', () => {
  const b = new ExponentialBackoff(100_000, 1_000_000);

  it('doubles per attempt from the base, with no jitter at the middle draw', () => {
    expect([0, 1, 2, 3].map((n) => b.delay(n, 0.5))).toEqual([100_000, 200_000, 400_000, 800_000]);
  });

  it('jitters within +-20% and caps at the maximum, also after the jitter', () => {
    expect(b.delay(0, 0)).toBe(80_000);
    expect(b.delay(0, 0.999)).toBeCloseTo(119_960, 6);
    expect(new ExponentialBackoff(100_000, 900_000).delay(3, 0.9)).toBe(900_000);
    expect(b.delay(10, 0)).toBe(800_000);
  });

  it('keeps a maximum below the base at the base (retry.backoff.max.ms never shortens retry.backoff.ms)', () => {
    expect(new ExponentialBackoff(500, 100).delay(4, 1 - 1e-12)).toBe(500);
  });

  it('refuses a negative base or a jitter of 1 or more', () => {
    expect(() => new ExponentialBackoff(-1, 10)).toThrow(/base -1/);
    expect(() => new ExponentialBackoff(1, 10, 2, 1)).toThrow(/jitter 1/);
  });
});

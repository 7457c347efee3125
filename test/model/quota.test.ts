/**
 * ClientQuota against Kafka's own arithmetic: the cases of ClientQuotaManagerTest
 * (testQuotaViolation) and QuotaUtils.throttleTime's formula, X = (O - T) / T x W.
 */
import { describe, expect, it } from 'vitest';
import { ClientQuota } from '../../src/model/quota.js';

describe('ClientQuota (ClientQuotaManager / QuotaUtils)', () => {
  it('testQuotaViolation: 400 B/s for 10 s under a 500 B/s quota, then 2300 B at 10.5 s -> 2100 ms', () => {
    const q = new ClientQuota(500);
    let t = 0;
    for (let i = 0; i < 10; i++) {
      expect(q.record(400, t)).toBe(0);
      t += 1000;
    }
    t += 500;
    // 400 x 10 + 2300 = 6300 B over 10.5 s = 600 B/s; (600 - 500) / 500 x 10.5 s = 2100 ms.
    expect(q.record(2300, t)).toBe(2100);
    t += 2100;
    for (let i = 0; i < 10; i++) {
      q.record(400, t);
      t += 1000;
    }
    expect(q.record(0, t)).toBe(0); // the bursty sample has rolled over
  });

  it('first window: the rate is taken over at least samples - 1 = 10 windows', () => {
    const q = new ClientQuota(500);
    // 11000 B at t = 0: 1100 B/s over 10 s; (1100 - 500) / 500 x 10000 ms = 12000 ms.
    expect(q.record(11_000, 0)).toBe(12_000);
  });

  it('exactly at the quota is not throttled; one byte more is', () => {
    const q = new ClientQuota(1000);
    expect(q.record(10_000, 0)).toBe(0);
    // 10001 B over 10 s = 1000.1 B/s: (0.1 / 1000) x 10000 ms = 1 ms.
    expect(q.record(1, 0)).toBe(1);
  });

  it('samples older than samples x window are purged', () => {
    const q = new ClientQuota(100);
    expect(q.record(5000, 0)).toBeGreaterThan(0);
    // 11 s later the burst is obsolete: a small record sees a fresh window.
    expect(q.record(10, 11_000)).toBe(0);
    expect(q.rate(11_000)).toBeCloseTo(1, 6);
  });

  it('window size grows past 10 s once 11 samples are retained', () => {
    const q = new ClientQuota(1e9);
    for (let t = 0; t <= 10_500; t += 500) q.record(1, t);
    // Oldest retained sample starts at t = 0 .. the window is now - oldest start, >= 10 s.
    expect(q.windowSize(10_500)).toBeGreaterThanOrEqual(10_000);
    expect(q.windowSize(10_500)).toBeLessThanOrEqual(10_500);
  });
});

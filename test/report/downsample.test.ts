import { describe, expect, it } from 'vitest';
import { bucketPartitionLag, minMaxIndices } from '../../src/report/downsample.js';

describe('minMaxIndices', () => {
  it('keeps every point of a short series', () => {
    expect(minMaxIndices([3, 1, 2], 10)).toEqual([0, 1, 2]);
  });

  it('keeps at most the budget, in time order, and a one-sample spike survives', () => {
    const values = Array.from({ length: 100_000 }, (_, i) => (i === 54_321 ? 1e9 : Math.sin(i / 500)));
    values[77_777] = -1e9;
    const kept = minMaxIndices(values, 1500);
    expect(kept.length).toBeLessThanOrEqual(1500);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(kept).toContain(54_321);
    expect(kept).toContain(77_777);
    expect(Math.max(...kept.map((i) => values[i]))).toBe(1e9);
  });

  it('keeps a null for a bucket with no value, so the line breaks there, and skips nulls elsewhere', () => {
    const values: (number | null)[] = Array.from({ length: 3000 }, (_, i) => i);
    for (let i = 1000; i < 1010; i++) values[i] = null; // a whole bucket of 4 and more
    values[2001] = null; // one null among values
    const kept = minMaxIndices(values, 1000);
    const keptValues = kept.map((i) => values[i]);
    expect(keptValues.filter((v) => v === null).length).toBeGreaterThan(0);
    expect(kept).not.toContain(2001);
  });
});

describe('bucketPartitionLag', () => {
  it('keeps the worst lag of each partition in each bucket and covers the whole run', () => {
    const time = Array.from({ length: 1000 }, (_, i) => i + 1);
    const lag = time.map((_, i) => [0, i === 500 ? 9999 : 1, 2]);
    const buckets = bucketPartitionLag(time, lag, 150);
    expect(buckets.length).toBe(150);
    expect(buckets[0].startSeconds).toBe(0);
    expect(buckets[buckets.length - 1].endSeconds).toBe(1000);
    for (let b = 1; b < buckets.length; b++) expect(buckets[b].startSeconds).toBe(buckets[b - 1].endSeconds);
    expect(Math.max(...buckets.map((b) => b.maxLag[1]))).toBe(9999);
    expect(buckets.every((b) => b.maxLag[2] === 2)).toBe(true);
  });

  it('makes one bucket per sample when there are few samples', () => {
    const buckets = bucketPartitionLag([0.5, 1, 1.5], [[1], [2], [3]], 150);
    expect(buckets.map((b) => [b.startSeconds, b.endSeconds, b.maxLag[0]])).toEqual([
      [0, 0.5, 1],
      [0.5, 1, 2],
      [1, 1.5, 3],
    ]);
  });

  it('starts a shorter last window where the one before ended (a duration not a multiple of the interval)', () => {
    const buckets = bucketPartitionLag([10, 20, 25], [[1], [2], [3]], 150);
    expect(buckets.map((b) => [b.startSeconds, b.endSeconds])).toEqual([
      [0, 10],
      [10, 20],
      [20, 25],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey, toPositive } from '../../src/model/murmur2.js';
import { partitionWeights } from '../../src/model/keys.js';

describe('murmur2 (Kafka Utils.murmur2)', () => {
  // Reference vectors from Kafka's own UtilsTest.testMurmur2.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('murmur2(%j) = %i, as the Java client computes it', (key, expected) => {
    expect(murmur2(new TextEncoder().encode(key))).toBe(expected);
  });

  it('toPositive clears the sign bit like Utils.toPositive (not Math.abs)', () => {
    expect(toPositive(-790332482)).toBe(-790332482 & 0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
  });

  it('partitions a key as toPositive(murmur2(key)) % partitions', () => {
    expect(partitionForKey('foobar', 50)).toBe(16);
    expect(partitionForKey('foobar', 10)).toBe(6);
  });

  it('folds a key law into partition weights that sum to 1 for uniform keys', () => {
    const w = partitionWeights({ dist: 'uniform', count: 10_000 }, 12);
    const total = w.reduce((a, b) => a + b, 0);
    expect(total).toBe(10_000);
    // Each partition gets roughly its share of 10k hashed keys.
    for (const x of w) expect(x / total).toBeGreaterThan(1 / 12 - 0.015);
  });

  it('sends all of a hot key share to the partitions those keys hash to', () => {
    const w = partitionWeights({ dist: 'hot', count: 1000, 'hot-keys': 1, 'hot-share': 0.5 }, 8);
    const hotPartition = partitionForKey('0', 8);
    expect(w[hotPartition]).toBeGreaterThanOrEqual(0.5);
  });
});

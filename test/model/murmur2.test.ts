import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decimalBytes, murmur2, partitionForKey, toPositive } from '../../src/model/murmur2.js';
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

  it("writes a key id's bytes as TextEncoder encodes String(id), and hashes a prefix of a longer buffer as the bytes alone", () => {
    const out = new Uint8Array(24).fill(0x55);
    const check = (n: number) => {
      const want = new TextEncoder().encode(String(n));
      const len = decimalBytes(n, out);
      expect(Array.from(out.subarray(0, len))).toStrictEqual(Array.from(want));
      expect(murmur2(out, len)).toBe(murmur2(want));
    };
    for (const n of [0, 1, 9, 10, 11, 99, 100, 101, 999_999, 1_000_000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER]) check(n);
    fc.assert(fc.property(fc.nat(), check), { numRuns: 2000 });
  });

  it('folds keys 0..count-1 into partitions as partitionForKey(String(i)) does, key by key', () => {
    const w = (i: number) => 1 / (i + 1);
    for (const [count, P] of [[1, 1], [5000, 7], [20_000, 48]] as const) {
      const want = new Float64Array(P);
      for (let i = 0; i < count; i++) want[partitionForKey(String(i), P)] += w(i);
      expect(partitionWeights({ dist: 'zipf', count, exponent: 1 }, P)).toStrictEqual(want);
    }
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

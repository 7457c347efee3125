import { describe, expect, it } from 'vitest';
import { replicationSeeds } from '../../src/stats/seeds.js';

describe('replicationSeeds', () => {
  it("starts with the scenario's seed, so one replication is the plain run", () => {
    expect(replicationSeeds(1, 1)).toEqual([1]);
    expect(replicationSeeds(7, 5)[0]).toBe(7);
    expect(replicationSeeds(0, 3)[0]).toBe(0);
    expect(replicationSeeds(2 ** 32 - 1, 3)[0]).toBe(2 ** 32 - 1);
  });

  it('is the same every time, and a prefix of a longer list', () => {
    expect(replicationSeeds(5, 10)).toEqual(replicationSeeds(5, 10));
    expect(replicationSeeds(5, 20).slice(0, 10)).toEqual(replicationSeeds(5, 10));
    // Pinned: a change here changes every replicated report.
    expect(replicationSeeds(5, 3)).toEqual([5, 1478832577, 3186062026]);
  });

  it('gives distinct integer seeds in 0..2^32-1', () => {
    for (const seed of [0, 1, 42, 2 ** 31, 2 ** 32 - 1]) {
      const seeds = replicationSeeds(seed, 1000);
      expect(new Set(seeds).size).toBe(1000);
      expect(seeds.every((s) => Number.isInteger(s) && s >= 0 && s <= 2 ** 32 - 1)).toBe(true);
    }
  });

  it('differs between scenario seeds', () => {
    expect(replicationSeeds(1, 5).slice(1)).not.toEqual(replicationSeeds(2, 5).slice(1));
  });

  it('refuses a bad seed or count', () => {
    expect(() => replicationSeeds(-1, 2)).toThrow(RangeError);
    expect(() => replicationSeeds(2 ** 32, 2)).toThrow(RangeError);
    expect(() => replicationSeeds(1, 0)).toThrow(RangeError);
    expect(() => replicationSeeds(1, 1.5)).toThrow(RangeError);
  });
});

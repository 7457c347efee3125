/**
 * Seeds of replications. The first replication runs with the scenario's own seed, so one
 * replication is the plain run. Replication i >= 1 takes the next value of
 *
 *   mix(seed + k * 0x9E3779B9 mod 2^32),  k = 1, 2, 3, ...
 *
 * that differs from every seed already taken, where mix is MurmurHash3's 32-bit finalizer
 * (fmix32: xor-shift 16, multiply 0x85EBCA6B, xor-shift 13, multiply 0xC2B2AE35, xor-shift 16).
 * fmix32 is a bijection of 0..2^32-1 and the additive sequence visits distinct inputs, so
 * collisions are rare and skipped; the seeds are the same on every machine.
 */

const GOLDEN = 0x9e3779b9;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** `n` distinct seeds in 0..2^32-1, the first of them `seed`. */
export function replicationSeeds(seed: number, n: number): number[] {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`a seed is an integer from 0 to 4294967295, got ${seed}`);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`replications must be a whole number >= 1, got ${n}`);
  const seeds = [seed];
  const taken = new Set(seeds);
  for (let k = 1; seeds.length < n; k++) {
    const s = fmix32((seed + Math.imul(k, GOLDEN)) >>> 0);
    if (taken.has(s)) continue;
    taken.add(s);
    seeds.push(s);
  }
  return seeds;
}

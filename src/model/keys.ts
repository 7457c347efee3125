/**
 * From a key distribution to a partition choice per record.
 *
 * Key ids 0..count-1 stand for the keys; key i is the UTF-8 string of its decimal digits
 * ("0", "1", ...), hashed with Kafka's murmur2 like the Java client does. The model never needs
 * a key's identity beyond its partition, so the key law is folded once into a law over
 * partitions (P(partition p) = sum of P(key i) over keys i with murmur2(i) mod P = p) and each
 * record draws its partition from that in O(1) (an AliasTable built from these weights). This is the same distribution of
 * records over partitions as drawing a key and hashing it, at a fraction of the cost; skew from
 * hot keys becomes partition skew one-for-one, as in Kafka.
 *
 * Null keys use the sticky partitioner (KIP-480, BuiltInPartitioner): a producer stays on one
 * partition until about batch.size bytes went to it, then moves to another chosen at random.
 * Kafka weighs that choice by queue sizes when adaptive partitioning is on; with no broker
 * backlog modelled those weights are equal, so the choice here is uniform.
 */
import type { KeyDist } from '../scenario/schema.js';
import { decimalBytes, murmur2, toPositive } from './murmur2.js';

export function keyWeights(keys: Exclude<KeyDist, { dist: 'null' }>): (i: number) => number {
  switch (keys.dist) {
    case 'uniform':
      return () => 1;
    case 'zipf': {
      const s = keys.exponent;
      return (i) => 1 / Math.pow(i + 1, s);
    }
    case 'hot': {
      const hot = keys['hot-keys'];
      const cold = keys.count - hot;
      const share = keys['hot-share'];
      // Keys 0..hot-1 share `hot-share` of the records equally, the rest share what remains.
      return (i) => (i < hot ? share / hot : cold > 0 ? (1 - share) / cold : 0);
    }
  }
}

/** Probability of each partition under a keyed distribution. */
export function partitionWeights(keys: Exclude<KeyDist, { dist: 'null' }>, partitions: number): Float64Array {
  const w = keyWeights(keys);
  const out = new Float64Array(partitions);
  const bytes = new Uint8Array(24);
  for (let i = 0; i < keys.count; i++) out[toPositive(murmur2(bytes, decimalBytes(i, bytes))) % partitions] += w(i);
  return out;
}

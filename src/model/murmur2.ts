/**
 * Kafka's murmur2, bit-exact with `org.apache.kafka.common.utils.Utils.murmur2` (seed
 * 0x9747b28c, m 0x5bd1e995, r 24, little-endian 4-byte words), and the keyed-partition rule of
 * `BuiltInPartitioner.partitionForKey`: `toPositive(murmur2(keyBytes)) % numPartitions`.
 */

const M = 0x5bd1e995;

/** murmur2 of data[0..length). */
export function murmur2(data: Uint8Array, length = data.length): number {
  let h = 0x9747b28c ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & ~3;
  switch (length & 3) {
    case 3:
      h ^= data[tail + 2] << 16;
    // falls through
    case 2:
      h ^= data[tail + 1] << 8;
    // falls through
    case 1:
      h ^= data[tail];
      h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: clears the sign bit (not Math.abs). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

const encoder = new TextEncoder();

/** The partition Kafka's default partitioner picks for a UTF-8 string key. */
export function partitionForKey(key: string | Uint8Array, numPartitions: number): number {
  const bytes = typeof key === 'string' ? encoder.encode(key) : key;
  return toPositive(murmur2(bytes)) % numPartitions;
}

/**
 * Writes the UTF-8 bytes of the decimal digits of `n` (a whole number >= 0, as `String(n)`
 * writes it) into `out` and returns how many there are: a key's bytes without encoding a
 * string (TextEncoder costs ~1 us a call, which adds up over 200k keys).
 */
export function decimalBytes(n: number, out: Uint8Array): number {
  let len = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) len++;
  for (let i = len - 1, x = n; i >= 0; i--, x = Math.floor(x / 10)) out[i] = 48 + (x % 10);
  return len;
}

/**
 * A streaming histogram with bounded relative error, for latencies in ticks (microseconds).
 *
 * Buckets are log-linear like HdrHistogram's: each power of two is split into 128 equal
 * sub-buckets, found from the IEEE-754 exponent and the top 7 bits of the mantissa (no log
 * call per value). A percentile is reported as the midpoint of its bucket, so its relative error
 * is at most 1/256 (0.39%). Values below 1 tick share bucket 0 (reported as 0); values from
 * 2^43 ticks (~101 days in us) share the last bucket. Memory is fixed (~44 KB) whatever the
 * number of values. The exact minimum, maximum and sum are kept beside the buckets.
 */

const SUB_BITS = 7;
const SUB = 1 << SUB_BITS;
const MAX_EXP = 43;
export const BUCKETS = 1 + MAX_EXP * SUB;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Bucket of a value >= 0. */
export function bucketOf(v: number): number {
  if (v < 1) return 0;
  f64[0] = v;
  const hi = u32[1];
  const e = (hi >>> 20) - 1023;
  if (e >= MAX_EXP) return BUCKETS - 1;
  return 1 + (e << SUB_BITS) + ((hi >>> (20 - SUB_BITS)) & (SUB - 1));
}

/** Midpoint of a bucket's range: the value reported for anything in it. */
export function bucketValue(b: number): number {
  if (b === 0) return 0;
  const e = (b - 1) >> SUB_BITS;
  const m = (b - 1) & (SUB - 1);
  return Math.pow(2, e) * (1 + (m + 0.5) / SUB);
}

export class Histogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  record(v: number): void {
    this.counts[bucketOf(v)]++;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** Records the value v k times (k > 0). */
  recordN(v: number, k: number): void {
    this.counts[bucketOf(v)] += k;
    this.count += k;
    this.sum += v * k;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /**
   * Takes back a value recorded earlier (a completion that a crash prevented). The exact
   * maximum cannot be restored once its value is gone, so it falls back to the top of the
   * highest non-empty bucket (within the histogram's 0.39%); the minimum likewise.
   */
  remove(v: number): void {
    const b = bucketOf(v);
    this.counts[b]--;
    this.count--;
    this.sum -= v;
    if (this.count === 0) {
      this.sum = 0;
      this.min = Infinity;
      this.max = -Infinity;
      return;
    }
    if (v >= this.max) {
      let top = BUCKETS - 1;
      while (top > 0 && this.counts[top] === 0) top--;
      this.max = Math.min(this.max, bucketValue(top + 1));
    }
    if (v <= this.min) {
      let low = 0;
      while (low < BUCKETS - 1 && this.counts[low] === 0) low++;
      this.min = Math.max(this.min, low === 0 ? 0 : bucketValue(low) * (1 - 1 / 256));
    }
  }

  /** Adds every value of `other` to this one. */
  merge(other: Histogram): void {
    const a = this.counts;
    const b = other.counts;
    for (let i = 0; i < BUCKETS; i++) a[i] += b[i];
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  mean(): number | null {
    return this.count > 0 ? this.sum / this.count : null;
  }

  /**
   * The value at quantile q (0 < q <= 1): the smallest bucket whose cumulative count reaches
   * ceil(q * count), clamped into [min, max] so that p100 is the exact maximum.
   */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let acc = 0;
    const c = this.counts;
    for (let i = 0; i < BUCKETS; i++) {
      acc += c[i];
      if (acc >= rank) return Math.min(this.max, Math.max(this.min, bucketValue(i)));
    }
    return this.max;
  }
}

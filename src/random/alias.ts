/**
 * Walker's alias method (Vose's variant): O(1) draws from a fixed discrete distribution after
 * O(n) set-up. Used for partition choice under key skew, where a per-record binary search
 * would cost more than the rest of the record's work.
 */
import type { Rng } from './stream.js';

export class AliasTable {
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;
  readonly size: number;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new RangeError('alias table needs at least one weight');
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (!(weights[i] >= 0)) throw new RangeError(`weight ${i} is ${weights[i]}`);
      total += weights[i];
    }
    if (!(total > 0)) throw new RangeError('weights sum to zero');
    this.size = n;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i] * n) / total;
      (scaled[i] < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      (scaled[l] < 1 ? small : large).push(l);
    }
    for (const i of large) this.prob[i] = 1;
    for (const i of small) this.prob[i] = 1;
  }

  sample(rng: Rng): number {
    const x = rng() * this.size;
    const i = x | 0;
    return x - i < this.prob[i] ? i : this.alias[i];
  }
}

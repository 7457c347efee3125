/**
 * Partitions keyed by a time, smallest first: an indexed binary min-heap over partition numbers
 * (each partition at most once), so a fetch can find the partitions with data visible by t, or
 * the earliest such time, without looking at the partitions that have none.
 *
 * Ties between equal keys come out in no particular order: callers use the set of partitions at
 * or below a time, or the smallest key, never the heap's order.
 */
export class PartitionHeap {
  size = 0;
  /** Each partition's key while it is in the heap. */
  readonly key: Float64Array;
  private readonly heap: Int32Array;
  /** Index of each partition in `heap`, -1 when absent. */
  private readonly index: Int32Array;
  private readonly stack: Int32Array;

  constructor(partitions: number) {
    this.key = new Float64Array(partitions);
    this.heap = new Int32Array(partitions);
    this.index = new Int32Array(partitions).fill(-1);
    this.stack = new Int32Array(partitions + 1);
  }

  has(p: number): boolean {
    return this.index[p] >= 0;
  }

  /** The partition with the smallest key (only while size > 0). */
  top(): number {
    return this.heap[0];
  }

  /** The partition at position i of the heap (0 <= i < size), to visit them all. */
  at(i: number): number {
    return this.heap[i];
  }

  /** Puts p in the heap with key k, or moves it to k if it is in already. */
  set(p: number, k: number): void {
    let i = this.index[p];
    if (i < 0) {
      i = this.size++;
      this.heap[i] = p;
      this.index[p] = i;
      this.key[p] = k;
      this.up(i);
      return;
    }
    const old = this.key[p];
    this.key[p] = k;
    if (k < old) this.up(i);
    else if (k > old) this.down(i);
  }

  remove(p: number): void {
    const i = this.index[p];
    if (i < 0) return;
    this.index[p] = -1;
    const last = this.heap[--this.size];
    if (i === this.size) return;
    this.heap[i] = last;
    this.index[last] = i;
    this.up(i);
    this.down(this.index[last]);
  }

  /** Writes into `out` every partition whose key is <= t; returns how many. */
  collect(t: number, out: Int32Array): number {
    if (this.size === 0 || this.key[this.heap[0]] > t) return 0;
    // A subtree whose root is above t holds nothing at or below it.
    const stack = this.stack;
    let top = 0;
    let n = 0;
    stack[top++] = 0;
    while (top > 0) {
      const i = stack[--top];
      const p = this.heap[i];
      if (this.key[p] > t) continue;
      out[n++] = p;
      const l = 2 * i + 1;
      if (l < this.size) stack[top++] = l;
      if (l + 1 < this.size) stack[top++] = l + 1;
    }
    return n;
  }

  private up(i: number): void {
    const heap = this.heap;
    const key = this.key;
    const p = heap[i];
    const k = key[p];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const q = heap[parent];
      if (key[q] <= k) break;
      heap[i] = q;
      this.index[q] = i;
      i = parent;
    }
    heap[i] = p;
    this.index[p] = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const key = this.key;
    const n = this.size;
    const p = heap[i];
    const k = key[p];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && key[heap[r]] < key[heap[l]] ? r : l;
      const q = heap[c];
      if (key[q] >= k) break;
      heap[i] = q;
      this.index[q] = i;
      i = c;
    }
    heap[i] = p;
    this.index[p] = i;
  }
}

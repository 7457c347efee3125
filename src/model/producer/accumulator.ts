/**
 * The record accumulator (`RecordAccumulator` in the Java client): one open batch per partition.
 * A partition's open batch takes records until the next one would not fit in `batch.size` or it
 * has waited `linger.ms` since it was created; it is then ready (`RecordAccumulator.ready`) and
 * closed, and goes to the Sender. When the buffer pool has waiters every open batch is ready at
 * once (the accumulator is "exhausted").
 *
 * Semantics choice: a batch stops taking records when it becomes ready, not when the sender
 * drains it. Kafka keeps appending to a ready batch that waits for an in-flight slot, so when the
 * in-flight limit binds Kafka's batches grow fuller than these (the Sender merges such batches
 * back when it drains them, see ReadyQueues).
 *
 * Compression (compression.ts): `bytes` counts a batch's uncompressed bytes; a batch is full by
 * Kafka's estimate of its compressed size (`fill` per byte, the new record counted
 * uncompressed), and goes to the sender with its compressed size (`wire` per byte). Without
 * compression both factors are 1.
 *
 * Ahead of the clock. While records come in faster than the sender needs to look at them (a
 * slice of arrivals that cannot exhaust buffer.memory, see Arrivals), batches close in whatever
 * order their partitions fill; they are kept and handed to the sender at the slice's end in
 * ready-time order (a counting sort), which is the order the sender would have seen them in.
 * Otherwise (`ahead` false) each batch goes to the sender as it closes, and the linger deadlines
 * are kept in creation order so the producer can bring them due in time order.
 */
import type { Batches } from './batches.js';
import type { BufferPool } from './buffer-pool.js';
import type { Sender } from './sender.js';
import type { Compression } from './compression.js';

export class RecordAccumulator {
  readonly linger: number;
  readonly batchSize: number;
  /** Compressed bytes per uncompressed byte, and Kafka's estimate of a filling batch's size per byte (compression.ts). */
  readonly wire: number;
  readonly fill: number;
  // The open batch of each partition. Public because the batched fidelity's generation loop
  // (Arrivals.spread) keeps a partition's batch state in locals and writes it back here.
  readonly open: Uint8Array;
  /** Creation time of partition p's open batch (linger.ms and delivery.timeout.ms count from it). */
  readonly opened: Float64Array;
  readonly first: Float64Array;
  /** Create time of the last record in partition p's open batch. */
  readonly last: Float64Array;
  /** A stage's producer: origin ages (create time - origin time) of the open batch's first and last record. */
  private readonly ageFirst: Float64Array | null;
  private readonly ageLast: Float64Array | null;
  readonly count: Int32Array;
  readonly bytes: Float64Array;
  readonly alloc: Float64Array;
  /** Batches opened since the application last reset it (it sizes its slices by it). */
  allocations = 0;
  /** Closed batches wait for the end of the application's slice (true), or go to the sender as they close. */
  ahead = false;

  private readonly partitions: number;
  private readonly exact: boolean;
  private readonly batches: Batches;
  private readonly pool: BufferPool;
  private readonly sender: Sender;

  /** Batches closed ahead of the clock, in closing order. */
  private closed = new Int32Array(1024);
  private nClosed = 0;
  private sortKeys = new Int32Array(0);
  private sortOut = new Int32Array(0);
  private sortBucket = new Int32Array(0);

  /** Open batches in creation order, for linger deadlines when batches go to the sender as they close. */
  private lingerQ: number[] = [];
  private lingerHead = 0;
  private lingerOpened: number[] = [];

  constructor(partitions: number, linger: number, batchSize: number, exact: boolean, batches: Batches, pool: BufferPool, sender: Sender, compression: Compression = { wire: 1, fill: 1 }) {
    this.partitions = partitions;
    this.wire = compression.wire;
    this.fill = compression.fill;
    this.linger = linger;
    this.batchSize = batchSize;
    this.exact = exact;
    this.batches = batches;
    this.pool = pool;
    this.sender = sender;
    this.open = new Uint8Array(partitions);
    this.opened = new Float64Array(partitions);
    this.first = new Float64Array(partitions);
    this.last = new Float64Array(partitions);
    this.ageFirst = batches.origins ? new Float64Array(partitions) : null;
    this.ageLast = batches.origins ? new Float64Array(partitions) : null;
    this.count = new Int32Array(partitions);
    this.bytes = new Float64Array(partitions);
    this.alloc = new Float64Array(partitions);
  }

  /** Records in open batches. */
  records(): number {
    let n = 0;
    for (let p = 0; p < this.partitions; p++) if (this.open[p]) n += this.count[p];
    return n;
  }

  hasOpen(): boolean {
    return this.open.some((o) => o === 1);
  }

  /** Puts one record (created at `createTime`, entered the pipeline at `origin`) into partition p's batch at time t. */
  append(p: number, t: number, createTime: number, size: number, origin = createTime): void {
    if (this.open[p]) {
      if (t >= this.opened[p] + this.linger) this.close(p, this.opened[p] + this.linger);
      else if (this.bytes[p] * this.fill + size > this.batchSize) this.close(p, t);
    }
    if (!this.open[p]) {
      this.openBatch(p, t, createTime, size > this.batchSize ? Math.ceil(size) : this.batchSize);
      if (this.ageFirst !== null) this.ageFirst[p] = createTime - origin;
    }
    if (this.exact) this.batches.stageTime(p, createTime, origin);
    if (this.ageLast !== null) this.ageLast[p] = createTime - origin;
    this.count[p]++;
    this.last[p] = createTime;
    this.bytes[p] += size;
    if (this.bytes[p] * this.fill >= this.batchSize) this.close(p, t);
  }

  /** As append, when the record may need memory the pool does not have at t: false if so (nothing done). */
  tryAppend(p: number, t: number, createTime: number, size: number, origin = createTime): boolean {
    if (this.open[p] && this.bytes[p] * this.fill + size > this.batchSize) this.close(p, t);
    if (!this.open[p]) {
      if (!this.pool.fits(t, size > this.batchSize ? Math.ceil(size) : this.batchSize)) return false;
      this.lingerQ.push(p);
      this.lingerOpened.push(t);
    }
    this.append(p, t, createTime, size, origin);
    return true;
  }

  openBatch(p: number, t: number, createTime: number, a: number): void {
    this.open[p] = 1;
    this.opened[p] = t;
    this.first[p] = createTime;
    this.count[p] = 0;
    this.bytes[p] = 0;
    this.alloc[p] = a;
    this.pool.opened(a);
    this.allocations++;
  }

  /** Partition p's open batch is ready at `ready`: it takes no more records and goes to the sender. */
  close(p: number, ready: number): void {
    const a = this.alloc[p];
    const id =
      this.ageFirst === null
        ? this.batches.close(p, this.opened[p], ready, this.first[p], this.last[p], this.count[p], this.bytes[p] * this.wire, a)
        : this.batches.close(p, this.opened[p], ready, this.first[p], this.last[p], this.count[p], this.bytes[p] * this.wire, a, this.ageFirst[p], this.ageLast![p]);
    this.pool.closed(a);
    this.open[p] = 0;
    if (this.ahead) {
      if (this.nClosed === this.closed.length) {
        const grown = new Int32Array(this.closed.length * 2);
        grown.set(this.closed);
        this.closed = grown;
      }
      this.closed[this.nClosed++] = id;
    } else {
      this.sender.feed(id, ready);
    }
  }

  /** The pool has waiters: every open batch is ready now (`RecordAccumulator.ready`, exhausted). */
  exhausted(t: number): void {
    for (let p = 0; p < this.partitions; p++) if (this.open[p]) this.close(p, t);
  }

  // ---- linger deadlines ---------------------------------------------------------------------

  /** Batches now go to the sender as they close: their linger deadlines, from the open batches (opened ahead in any order). */
  trackLingers(): void {
    const ps: number[] = [];
    for (let p = 0; p < this.partitions; p++) if (this.open[p]) ps.push(p);
    ps.sort((a, b) => this.opened[a] - this.opened[b] || a - b);
    this.lingerQ = ps;
    this.lingerOpened = ps.map((p) => this.opened[p]);
    this.lingerHead = 0;
  }

  /** Partition p's batch, opened at t, is tracked for its linger deadline (batches opened in time order, after every tracked one). */
  trackOpened(p: number, t: number): void {
    this.lingerQ.push(p);
    this.lingerOpened.push(t);
  }

  /** The earliest linger deadline of the tracked open batches, or Infinity. */
  nextLinger(): number {
    // Entries of batches closed since (full, or closed ahead) are stale: skip them.
    while (this.lingerHead < this.lingerQ.length) {
      const p = this.lingerQ[this.lingerHead];
      if (this.open[p] && this.opened[p] === this.lingerOpened[this.lingerHead]) break;
      this.lingerHead++;
    }
    return this.lingerHead < this.lingerQ.length ? this.lingerOpened[this.lingerHead] + this.linger : Infinity;
  }

  /** Closes the tracked batches whose linger.ms ran out by t. */
  expireLingers(t: number): void {
    while (this.lingerHead < this.lingerQ.length) {
      const p = this.lingerQ[this.lingerHead];
      const o = this.lingerOpened[this.lingerHead];
      if (this.open[p] && this.opened[p] === o) {
        if (o + this.linger > t) break;
        this.close(p, o + this.linger);
      }
      this.lingerHead++;
    }
    if (this.lingerHead > 4096 && this.lingerHead * 2 > this.lingerQ.length) {
      this.lingerQ = this.lingerQ.slice(this.lingerHead);
      this.lingerOpened = this.lingerOpened.slice(this.lingerHead);
      this.lingerHead = 0;
    }
  }

  // ---- ahead of the clock ----------------------------------------------------------------

  /** The end of a slice run ahead: batches whose linger.ms ran out before it saw every arrival they could get. */
  closeLingered(sliceEnd: number): void {
    for (let p = 0; p < this.partitions; p++) {
      if (this.open[p] && this.opened[p] + this.linger <= sliceEnd) this.close(p, this.opened[p] + this.linger);
    }
  }

  /**
   * Hands the batches closed ahead of the clock to the sender in ready-time order; `keepSender`
   * queues them without moving the sender on (Sender.enqueueAhead).
   */
  handOver(keepSender = false): void {
    const n = this.nClosed;
    if (n === 0) return;
    const ids = this.closed;
    const ready = this.batches.ready;
    let lo = Infinity;
    let hi = -Infinity;
    // Batches often close in ready order already (one partition, or exact fidelity's arrivals):
    // sortInReadyOrder is stable, so it would leave such a list as it is. (feed never closes a
    // batch, so `closed` is not written while it is read here.)
    let sorted = true;
    let prev = -Infinity;
    for (let i = 0; i < n; i++) {
      const r = ready[ids[i]];
      if (r < prev) sorted = false;
      prev = r;
      if (r < lo) lo = r;
      if (r > hi) hi = r;
    }
    this.nClosed = 0;
    const out = sorted ? ids : this.sortInReadyOrder(n, lo, hi);
    const sender = this.sender;
    if (keepSender) {
      for (let i = 0; i < n; i++) sender.enqueueAhead(out[i]);
      return;
    }
    for (let i = 0; i < n; i++) {
      const id = out[i];
      sender.feed(id, ready[id]);
    }
  }

  /** The n batches closed ahead by ready time, ties in closing order (lo, hi: the extreme ready times). */
  private sortInReadyOrder(n: number, lo: number, hi: number): Int32Array {
    const ids = this.closed;
    const ready = this.batches.ready;
    if (this.sortKeys.length < n + 1) {
      this.sortKeys = new Int32Array(2 * n + 2);
      this.sortOut = new Int32Array(2 * n + 2);
      this.sortBucket = new Int32Array(2 * n + 2);
    }
    const K = n;
    const counts = this.sortKeys;
    const keys = this.sortBucket;
    counts.fill(0, 0, K + 1);
    const scale = hi > lo ? (K - 1) / (hi - lo) : 0;
    for (let i = 0; i < n; i++) {
      const k = Math.floor((ready[ids[i]] - lo) * scale);
      keys[i] = k;
      counts[k + 1]++;
    }
    for (let k = 1; k <= K; k++) counts[k] += counts[k - 1];
    const out = this.sortOut;
    for (let i = 0; i < n; i++) out[counts[keys[i]]++] = ids[i];
    // Within a bucket, order by ready time then by closing order (insertion sort: buckets are small).
    for (let i = 1; i < n; i++) {
      const x = out[i];
      const rx = ready[x];
      let j = i - 1;
      while (j >= 0 && ready[out[j]] > rx) {
        out[j + 1] = out[j];
        j--;
      }
      out[j + 1] = x;
    }
    return out;
  }
}

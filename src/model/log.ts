/**
 * A partition's log: record batches with offsets, as the leader holds them.
 *
 * Producers append batches that become visible to consumers at a known time (after the
 * produce request reached the leader and, for acks=all, the high watermark covered it), which
 * may lie ahead of the simulation clock: arrivals are exogenous, so a producer computes a short
 * slice of its future at once. Readers therefore always ask "what is visible at time t".
 *
 * Memory stays proportional to what a consumer may still need: each batch's offsets, visibility
 * time, size and first and last create times, and (exact fidelity) each record's create time,
 * kept in growable rings from which the consumer side releases what it has finished with. In the
 * batched fidelity the records of a batch are spread evenly between its first and last create
 * time (as the producer made them), so no per-record array is kept and create times are
 * interpolated: the log then costs memory per batch, not per record.
 */

export class PartitionLog {
  /** Offsets of everything appended so far, visible or not yet: the next offset to assign. */
  end = 0;
  /** Records before this offset have been released and their create times forgotten. */
  private recordBase = 0;
  private createTimes = new Float64Array(1024);

  private batchHead = 0;
  private batchCount = 0;
  private batchEnd = new Float64Array(64);
  private batchVisible = new Float64Array(64);
  private batchBytes = new Float64Array(64);
  private batchStart = new Float64Array(64);
  private batchFirst = new Float64Array(64);
  private batchLast = new Float64Array(64);
  /** Index (from batchHead) of the first batch not yet visible at the last visibility query. */
  private visibleCursor = 0;
  private lastVisibleQuery = -Infinity;
  /** Visibility of the last batch appended: later batches never become visible before it. */
  lastVisible = 0;

  constructor(
    readonly partition: number,
    /** Keep every record's create time (exact fidelity), or only each batch's first and last. */
    private readonly perRecord = true,
  ) {}

  /**
   * Appends `n` records whose create times are `times[from..from+n)` as one batch of `bytes`
   * bytes visible from `visible` (raised to keep visibility in offset order, as the leader
   * appends a partition's batches in order). Returns the visibility time used.
   */
  append(times: Float64Array, from: number, n: number, bytes: number, visible: number): number {
    if (this.perRecord) {
      if (this.end + n - this.recordBase > this.createTimes.length) this.makeRoom(n);
      const dst = this.createTimes;
      const at = this.end - this.recordBase - from;
      for (let i = from; i < from + n; i++) dst[at + i] = times[i];
    }
    return this.appendBatch(n, bytes, visible, times[from], times[from + n - 1]);
  }

  /**
   * Appends a batch of `n` records whose create times are spread evenly from `first` to
   * `last` (batched fidelity: nothing is kept per record).
   */
  appendSpread(n: number, bytes: number, visible: number, first: number, last: number): number {
    return this.appendBatch(n, bytes, visible, first, last);
  }

  private appendBatch(n: number, bytes: number, visible: number, first: number, last: number): number {
    const v = visible > this.lastVisible ? visible : this.lastVisible;
    this.lastVisible = v;
    if (this.batchHead + this.batchCount >= this.batchEnd.length) this.growBatches();
    const i = this.batchHead + this.batchCount++;
    this.batchStart[i] = this.end;
    this.end += n;
    this.batchEnd[i] = this.end;
    this.batchVisible[i] = v;
    this.batchBytes[i] = bytes;
    this.batchFirst[i] = first;
    this.batchLast[i] = last;
    return v;
  }

  /** Log end offset as seen at time t: records in batches visible strictly before t. */
  endOffsetBefore(t: number): number {
    if (t < this.lastVisibleQuery) this.visibleCursor = 0;
    this.lastVisibleQuery = t;
    let c = this.visibleCursor;
    while (c < this.batchCount && this.batchVisible[this.batchHead + c] < t) c++;
    this.visibleCursor = c;
    return c > 0 ? this.batchEnd[this.batchHead + c - 1] : this.firstRetainedOffset();
  }

  /** Records appended but visible only at or after t (still in the producer's hands at t). */
  pendingAtOrAfter(t: number): number {
    return this.end - this.endOffsetBefore(t);
  }

  createTime(offset: number): number {
    if (this.perRecord) return this.createTimes[offset - this.recordBase];
    const i = this.batchHead + this.batchStartingAt(offset);
    const n = this.batchEnd[i] - this.batchStart[i];
    return n > 1
      ? this.batchFirst[i] + ((this.batchLast[i] - this.batchFirst[i]) * (offset - this.batchStart[i])) / (n - 1)
      : this.batchFirst[i];
  }

  /** Writes the create times of records [from, from+k) into dst starting at index `at`. */
  copyCreateTimes(from: number, k: number, dst: Float64Array, at: number): void {
    if (this.perRecord) {
      const src = this.createTimes;
      const base = from - this.recordBase;
      for (let j = 0; j < k; j++) dst[at + j] = src[base + j];
      return;
    }
    let i = this.batchHead + this.batchStartingAt(from);
    let off = from;
    const end = from + k;
    while (off < end) {
      const s = this.batchStart[i];
      const e = this.batchEnd[i];
      const first = this.batchFirst[i];
      const step = e - s > 1 ? (this.batchLast[i] - first) / (e - s - 1) : 0;
      const stop = e < end ? e : end;
      for (; off < stop; off++) dst[at++] = first + (off - s) * step;
      i++;
    }
  }

  /** Number of retained batches and accessors, for the fetch path. Index 0 = oldest retained. */
  get batches(): number {
    return this.batchCount;
  }
  batchEndAt(i: number): number {
    return this.batchEnd[this.batchHead + i];
  }
  batchVisibleAt(i: number): number {
    return this.batchVisible[this.batchHead + i];
  }
  batchBytesAt(i: number): number {
    return this.batchBytes[this.batchHead + i];
  }
  /** Index of the retained batch that starts at `offset` (fetches start at batch boundaries). */
  batchStartingAt(offset: number): number {
    // Batches are few per fetch position; search from the oldest retained.
    let lo = 0;
    let hi = this.batchCount;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.batchEnd[this.batchHead + mid] <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Forgets batches and create times below `offset` (nobody will read them again). */
  release(offset: number): void {
    let dropped = 0;
    while (dropped < this.batchCount && this.batchEnd[this.batchHead + dropped] <= offset) dropped++;
    if (dropped > 0) {
      this.batchHead += dropped;
      this.batchCount -= dropped;
      this.visibleCursor = Math.max(0, this.visibleCursor - dropped);
      this.releasedEnd = this.batchEnd[this.batchHead - 1];
    }
    // Only mark the records released; the array is compacted when it next needs room, so
    // releasing costs O(1) however long the retained log is.
    if (offset > this.recordFloor) this.recordFloor = offset;
  }

  /** Offsets below this have been released (create times may still sit in the array). */
  private recordFloor = 0;

  private releasedEnd = 0;
  private firstRetainedOffset(): number {
    return this.releasedEnd;
  }

  /** Makes room for n more create times: drop released ones, and double if still short. */
  private makeRoom(n: number): void {
    const live = this.end - this.recordFloor;
    let size = this.createTimes.length;
    while (live + n > size / 2) size *= 2;
    const from = this.recordFloor - this.recordBase;
    if (size === this.createTimes.length) {
      this.createTimes.copyWithin(0, from, from + live);
    } else {
      const a = new Float64Array(size);
      a.set(this.createTimes.subarray(from, from + live));
      this.createTimes = a;
    }
    this.recordBase = this.recordFloor;
  }

  private growBatches(): void {
    // Compact to the front, doubling only if more than half is live.
    const grow = this.batchCount * 2 > this.batchEnd.length;
    const n = grow ? this.batchEnd.length * 2 : this.batchEnd.length;
    const move = (src: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      if (!grow) return src.copyWithin(0, this.batchHead, this.batchHead + this.batchCount);
      const dst = new Float64Array(n);
      dst.set(src.subarray(this.batchHead, this.batchHead + this.batchCount));
      return dst;
    };
    this.batchEnd = move(this.batchEnd);
    this.batchVisible = move(this.batchVisible);
    this.batchBytes = move(this.batchBytes);
    this.batchStart = move(this.batchStart);
    this.batchFirst = move(this.batchFirst);
    this.batchLast = move(this.batchLast);
    this.batchHead = 0;
  }
}

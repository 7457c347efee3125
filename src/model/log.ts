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
 *
 * Segments and retention follow the broker (LogSegment.shouldRoll, UnifiedLog.deletableSegments
 * and its retention predicates). A batch starts a new segment when the active one is non-empty
 * and either would pass `segment.bytes` with it, or the batch's largest create time is more than
 * `segment.ms` after that of the segment's first batch (Kafka compares record timestamps here,
 * not the broker's clock; `segment.jitter.ms` is 0). Rolling depends only on the batches, so it
 * is decided at append, even for a batch that becomes visible later. `applyRetention(now)` is
 * the broker's retention check: oldest first, whole segments lying wholly below the high
 * watermark (every batch visible by `now`) go while `now - largest create time > retention.ms`,
 * then, by size, while the log's visible size minus the segment's is still >= `retention.bytes`;
 * each pass stops at the first segment it keeps. The active segment may go too (Kafka rolls it
 * first), but only once all its batches are visible: a batch already appended here but visible
 * later has not reached the leader's log yet, so the active segment is not wholly below the
 * high watermark (as in Kafka under steady load). The log start offset then jumps to the next
 * retained segment, `onDeleted` is told, and the deleted batches are freed.
 *
 * A consumer may still hold records of a deleted segment that it fetched before the deletion;
 * their create times are then interpolated within the deleted segment (first to last create
 * time), from a few summaries kept until the reader releases past them.
 *
 * Origin time. Beside its CreateTime (when the producer that wrote it to this topic got it), a
 * record carries its origin time: when the first producer in the pipeline got it, so that a
 * stage further down can measure latency from the start of the pipeline as well as from its own
 * topic. A source producer's records originate when they are created; a stage's producer says
 * how long before its hand-over the records of a batch originated (`originAge` of the batch's
 * first and last record, interpolated in between like batched create times: exact when the ages
 * are linear in offset, within the batch's first and last age otherwise). A log written only by
 * source producers keeps no ages at all. Records read after their segment was deleted have their
 * age forgotten: their origin is their create time.
 */

/** Topic-level segment and retention settings, durations in ticks (us). */
export interface RetentionConfig {
  /** `segment.bytes`. */
  segmentBytes: number;
  /** `segment.ms`. */
  segmentMs: number;
  /** `retention.ms`; -1 keeps data whatever its age. */
  retentionMs: number;
  /** `retention.bytes`; -1 keeps data whatever the log's size. */
  retentionBytes: number;
}

const DAY = 86_400_000_000;

/** Kafka 4.0's topic defaults: 1 GiB or 7 d segments, 7 d retention, no size limit. */
export const KAFKA_RETENTION_DEFAULTS: RetentionConfig = {
  segmentBytes: 1_073_741_824,
  segmentMs: 7 * DAY,
  retentionMs: 7 * DAY,
  retentionBytes: -1,
};

export interface LogOptions {
  retention?: RetentionConfig;
  /** Records [fromOffset, toOffset) of `partition` were deleted by the retention check at `now`. */
  onDeleted?: (partition: number, fromOffset: number, toOffset: number, now: number) => void;
  /**
   * A reader took create times of records that end below the log start offset (records it had
   * fetched before their segment was deleted).
   */
  onReadBelowStart?: (partition: number) => void;
}

/** One segment's bookkeeping: offsets [base, end), size, and the create times retention needs. */
interface Segment {
  base: number;
  end: number;
  bytes: number;
  /** Largest create time in the segment (LogSegment.largestTimestamp under CreateTime). */
  maxTime: number;
  /** Largest create time of its first batch: the segment rolls on time relative to this. */
  rollTime: number;
  /** Create times of its first and last record, to interpolate records once it is deleted. */
  firstTime: number;
  lastTime: number;
  /** Visibility of its last batch: the segment lies below the high watermark from then on. */
  lastVisible: number;
}

/** Deleted segments kept as summaries for readers that still hold their records. */
const MAX_DELETED_SUMMARIES = 32;

/** What a producer writes to: a partition's log, or a stream to one in another thread. */
export interface AppendTarget {
  /**
   * Appends n records with their create times times[from..from+n); returns the visibility used.
   * `ageFirst`/`ageLast`: how long before its create time the first and the last record
   * originated (0, the default, for a source producer's records).
   */
  append(times: Float64Array, from: number, n: number, bytes: number, visible: number, ageFirst?: number, ageLast?: number, origins?: Float64Array): number;
  /** Appends n records with create times spread from `first` to `last`; returns the visibility used. */
  appendSpread(n: number, bytes: number, visible: number, first: number, last: number, ageFirst?: number, ageLast?: number): number;
}

export class PartitionLog implements AppendTarget {
  /** Offsets of everything appended so far, visible or not yet: the next offset to assign. */
  end = 0;
  /** First offset still in the log; moves only forward, a whole segment at a time. */
  logStartOffset = 0;
  /** Records before this offset have been released and their create times forgotten. */
  private recordBase = 0;
  /** Exact fidelity: create times of records [recordBase, end); grown as needed (makeRoom). */
  private createTimes: Float64Array<ArrayBuffer>;
  /**
   * Exact fidelity, once a stage's producer has appended here: origin times of records
   * [recordBase, end), beside their create times (records before the first such append
   * originated when they were created). Null while only source producers wrote the log.
   */
  private originTimes: Float64Array<ArrayBuffer> | null = null;

  /** Retained batches, oldest at batchHead; a batch starts where the one before it ends. */
  private batchHead = 0;
  private batchCount = 0;
  private batchEnd = new Float64Array(64);
  private batchVisible = new Float64Array(64);
  private batchBytes = new Float64Array(64);
  private batchFirst = new Float64Array(64);
  private batchLast = new Float64Array(64);
  /** Origin ages of each batch's first and last record; null while every batch appended had none. */
  private batchAgeFirst: Float64Array<ArrayBuffer> | null = null;
  private batchAgeLast: Float64Array<ArrayBuffer> | null = null;
  /** Index (from batchHead) of the first batch not yet visible at the last visibility query. */
  private visibleCursor = 0;
  /** Absolute index of batchStartingAt's last answer (a hint; may be stale). */
  private startHint = 0;
  private lastVisibleQuery = -Infinity;
  /** Visibility of the last batch appended: later batches never become visible before it. */
  lastVisible = 0;

  /** Retained segments, oldest at segHead; the last one is the active segment. */
  private segments: Segment[] = [];
  private segHead = 0;
  /** Bytes of the retained segments, visible or not. */
  private segmentBytesTotal = 0;
  /** Summaries of deleted segments a reader may still need, oldest first. */
  private deleted: Segment[] = [];

  private readonly retention: RetentionConfig;
  private readonly onDeleted: LogOptions['onDeleted'];
  private readonly onReadBelowStart: LogOptions['onReadBelowStart'];

  constructor(
    readonly partition: number,
    /** Keep every record's create time (exact fidelity), or only each batch's first and last. */
    private readonly perRecord = true,
    options: LogOptions = {},
  ) {
    this.retention = options.retention ?? KAFKA_RETENTION_DEFAULTS;
    // The batched fidelity keeps no create time per record (a topic may have thousands of
    // partitions: 8 KiB each adds up).
    this.createTimes = new Float64Array(perRecord ? 1024 : 0);
    this.onDeleted = options.onDeleted;
    this.onReadBelowStart = options.onReadBelowStart;
  }

  /**
   * Appends `n` records whose create times are `times[from..from+n)` as one batch of `bytes`
   * bytes visible from `visible` (raised to keep visibility in offset order, as the leader
   * appends a partition's batches in order). Returns the visibility time used.
   */
  append(times: Float64Array, from: number, n: number, bytes: number, visible: number, ageFirst = 0, ageLast = ageFirst, origins?: Float64Array): number {
    let max = times[from];
    if (this.perRecord) {
      if (this.end + n - this.recordBase > this.createTimes.length) this.makeRoom(n);
      const dst = this.createTimes;
      const at = this.end - this.recordBase - from;
      for (let i = from; i < from + n; i++) {
        const t = times[i];
        dst[at + i] = t;
        if (t > max) max = t;
      }
      if (origins !== undefined || this.originTimes !== null) {
        if (this.originTimes === null) {
          // Records already here originated when they were created.
          this.originTimes = new Float64Array(this.createTimes.length);
          this.originTimes.set(this.createTimes.subarray(0, this.end - this.recordBase));
        }
        const o = this.originTimes;
        const src = origins ?? times;
        for (let i = from; i < from + n; i++) o[at + i] = src[i];
      }
    } else {
      for (let i = from + 1; i < from + n; i++) if (times[i] > max) max = times[i];
    }
    const v = this.appendBatch(n, bytes, visible, times[from], times[from + n - 1], max);
    if (ageFirst !== 0 || ageLast !== 0 || this.batchAgeFirst !== null) this.setAges(ageFirst, ageLast);
    return v;
  }

  /**
   * Appends a batch of `n` records whose create times are spread evenly from `first` to
   * `last` (batched fidelity: nothing is kept per record).
   */
  appendSpread(n: number, bytes: number, visible: number, first: number, last: number, ageFirst = 0, ageLast = ageFirst): number {
    const v = this.appendBatch(n, bytes, visible, first, last, first > last ? first : last);
    if (ageFirst !== 0 || ageLast !== 0 || this.batchAgeFirst !== null) this.setAges(ageFirst, ageLast);
    return v;
  }

  /** Records the origin ages of the batch just appended (the arrays exist from the first nonzero age). */
  private setAges(ageFirst: number, ageLast: number): void {
    // Batches appended before the first aged one had age 0: the new arrays start zeroed.
    if (this.batchAgeFirst === null) this.batchAgeFirst = new Float64Array(this.batchEnd.length);
    if (this.batchAgeLast === null) this.batchAgeLast = new Float64Array(this.batchEnd.length);
    const i = this.batchHead + this.batchCount - 1;
    this.batchAgeFirst[i] = ageFirst;
    this.batchAgeLast[i] = ageLast;
  }

  /** When the record at `offset` entered the pipeline: its create time less its origin age. */
  originTime(offset: number): number {
    const created = this.createTime(offset);
    if (this.originTimes !== null && offset >= this.logStartOffset) return this.originTimes[offset - this.recordBase];
    const ages = this.batchAgeFirst;
    if (ages === null || offset < this.logStartOffset) return created;
    const i = this.batchHead + this.batchStartingAt(offset);
    const start = this.batchStartAt(i);
    const n = this.batchEnd[i] - start;
    const a0 = ages[i];
    const age = n > 1 ? a0 + ((this.batchAgeLast![i] - a0) * (offset - start)) / (n - 1) : a0;
    return created - age;
  }

  private appendBatch(n: number, bytes: number, visible: number, first: number, last: number, maxTime: number): number {
    const v = visible > this.lastVisible ? visible : this.lastVisible;
    this.lastVisible = v;
    this.addToSegment(n, bytes, v, first, last, maxTime);
    if (this.batchHead + this.batchCount >= this.batchEnd.length) this.growBatches();
    const i = this.batchHead + this.batchCount++;
    this.end += n;
    this.batchEnd[i] = this.end;
    this.batchVisible[i] = v;
    this.batchBytes[i] = bytes;
    this.batchFirst[i] = first;
    this.batchLast[i] = last;
    return v;
  }

  /** Puts a batch starting at `this.end` into the active segment, rolling first if it must. */
  private addToSegment(n: number, bytes: number, visible: number, first: number, last: number, maxTime: number): void {
    const r = this.retention;
    let s = this.segHead < this.segments.length ? this.segments[this.segments.length - 1] : undefined;
    if (s === undefined || (s.bytes > 0 && (s.bytes > r.segmentBytes - bytes || maxTime - s.rollTime > r.segmentMs))) {
      s = { base: this.end, end: this.end, bytes: 0, maxTime, rollTime: maxTime, firstTime: first, lastTime: last, lastVisible: visible };
      this.segments.push(s);
    }
    s.end = this.end + n;
    s.bytes += bytes;
    if (maxTime > s.maxTime) s.maxTime = maxTime;
    s.lastTime = last;
    s.lastVisible = visible;
    this.segmentBytesTotal += bytes;
  }

  /**
   * The broker's retention check at `now` (LogManager.cleanupLogs -> UnifiedLog.deleteOldSegments):
   * deletes expired segments, then segments beyond `retention.bytes`. Returns the records deleted.
   */
  applyRetention(now: number): number {
    const r = this.retention;
    const from = this.logStartOffset;
    let next = this.segHead;
    const segs = this.segments;
    const belowHighWatermark = (s: Segment) => s.lastVisible <= now;
    if (r.retentionMs >= 0) {
      while (next < segs.length && belowHighWatermark(segs[next]) && now - segs[next].maxTime > r.retentionMs) next++;
    }
    if (r.retentionBytes >= 0) {
      let size = this.segmentBytesTotal - this.bytesVisibleAfter(now);
      for (let i = this.segHead; i < next; i++) size -= segs[i].bytes;
      let diff = size - r.retentionBytes;
      while (next < segs.length && belowHighWatermark(segs[next]) && diff - segs[next].bytes >= 0) {
        diff -= segs[next].bytes;
        next++;
      }
    }
    if (next === this.segHead) return 0;
    for (let i = this.segHead; i < next; i++) {
      this.segmentBytesTotal -= segs[i].bytes;
      this.keepSummary(segs[i]);
    }
    const to = segs[next - 1].end;
    this.segHead = next;
    if (this.segHead > 64 && this.segHead * 2 > segs.length) {
      this.segments = segs.slice(this.segHead);
      this.segHead = 0;
    }
    this.logStartOffset = to;
    this.trim(to);
    this.onDeleted?.(this.partition, from, to, now);
    return to - from;
  }

  /** Bytes of the batches that become visible only after `now` (newest batches, so few). */
  private bytesVisibleAfter(now: number): number {
    let bytes = 0;
    for (let i = this.batchHead + this.batchCount - 1; i >= this.batchHead && this.batchVisible[i] > now; i--) bytes += this.batchBytes[i];
    return bytes;
  }

  /** Keeps a deleted segment's offsets and create times while a reader may still need them. */
  private keepSummary(s: Segment): void {
    if (s.end <= this.recordFloor) return;
    const d = this.deleted;
    if (d.length === MAX_DELETED_SUMMARIES) {
      // Merge the two newest: readers work from the oldest, which stay exact.
      const a = d[d.length - 2];
      const b = d.pop()!;
      a.end = b.end;
      a.lastTime = b.lastTime;
    }
    d.push({ ...s });
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

  /** Number of segments in the log (the active one included), for tests and reports. */
  get segmentCount(): number {
    return this.segments.length - this.segHead;
  }

  /** Base offsets of the segments in the log, oldest first. */
  segmentBaseOffsets(): number[] {
    return this.segments.slice(this.segHead).map((s) => s.base);
  }

  /** Bytes in the log's segments (batches not yet visible included). */
  get sizeInBytes(): number {
    return this.segmentBytesTotal;
  }

  createTime(offset: number): number {
    if (offset < this.logStartOffset) return this.deletedCreateTime(offset);
    if (this.perRecord) return this.createTimes[offset - this.recordBase];
    const i = this.batchHead + this.batchStartingAt(offset);
    const start = this.batchStartAt(i);
    const n = this.batchEnd[i] - start;
    return n > 1 ? this.batchFirst[i] + ((this.batchLast[i] - this.batchFirst[i]) * (offset - start)) / (n - 1) : this.batchFirst[i];
  }

  /** Writes the create times of records [from, from+k) into dst starting at index `at`. */
  copyCreateTimes(from: number, k: number, dst: Float64Array, at: number): void {
    if (from < this.logStartOffset) {
      const gone = Math.min(k, this.logStartOffset - from);
      for (let j = 0; j < gone; j++) dst[at + j] = this.deletedCreateTime(from + j);
      if (from + k < this.logStartOffset) this.onReadBelowStart?.(this.partition);
      from += gone;
      at += gone;
      k -= gone;
      if (k === 0) return;
    }
    if (this.perRecord) {
      const src = this.createTimes;
      const base = from - this.recordBase;
      for (let j = 0; j < k; j++) dst[at + j] = src[base + j];
      return;
    }
    let i = this.batchHead + this.batchStartingAt(from);
    let off = from;
    const end = from + k;
    let s = this.batchStartAt(i);
    while (off < end) {
      const e = this.batchEnd[i];
      const first = this.batchFirst[i];
      const step = e - s > 1 ? (this.batchLast[i] - first) / (e - s - 1) : 0;
      const stop = e < end ? e : end;
      for (; off < stop; off++) dst[at++] = first + (off - s) * step;
      s = e;
      i++;
    }
  }

  /**
   * Writes the origin times of records [from, from+k) into dst from index `at`; `created` holds
   * their create times at the same indices (copyCreateTimes), which they are when the log keeps
   * no origins (only source producers wrote it, or the records' segment was deleted).
   */
  copyOriginTimes(from: number, k: number, dst: Float64Array, at: number, created: Float64Array): void {
    if (this.originTimes === null && this.batchAgeFirst === null) {
      for (let j = 0; j < k; j++) dst[at + j] = created[at + j];
      return;
    }
    // Records read after their segment was deleted have their origin forgotten: their create time.
    let j = 0;
    while (j < k && from + j < this.logStartOffset) {
      dst[at + j] = created[at + j];
      j++;
    }
    if (j === k) return;
    if (this.originTimes !== null) {
      const o = this.originTimes;
      const base = from - this.recordBase;
      for (; j < k; j++) dst[at + j] = o[base + j];
      return;
    }
    // The batches in turn, as originTime() computes each record (the same arithmetic).
    const ages0 = this.batchAgeFirst!;
    const ages1 = this.batchAgeLast!;
    let off = from + j;
    const end = from + k;
    let i = this.batchHead + this.batchStartingAt(off);
    let start = this.batchStartAt(i);
    while (off < end) {
      const e = this.batchEnd[i];
      const n = e - start;
      const first = this.batchFirst[i];
      const last = this.batchLast[i];
      const a0 = ages0[i];
      const a1 = ages1[i];
      const stop = e < end ? e : end;
      for (; off < stop; off++, j++) {
        const c = this.perRecord ? created[at + j] : n > 1 ? first + ((last - first) * (off - start)) / (n - 1) : first;
        const age = n > 1 ? a0 + ((a1 - a0) * (off - start)) / (n - 1) : a0;
        dst[at + j] = c - age;
      }
      start = e;
      i++;
    }
  }

  /** First offset of the batch at array index i (>= batchHead). */
  private batchStartAt(i: number): number {
    return i > this.batchHead ? this.batchEnd[i - 1] : this.releasedEnd;
  }

  /** Create time of a deleted record, spread evenly across its (summarised) segment. */
  private deletedCreateTime(offset: number): number {
    const d = this.deleted;
    let lo = 0;
    let hi = d.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (d[mid].end <= offset) lo = mid + 1;
      else hi = mid;
    }
    const s = d[lo];
    if (s === undefined || offset < s.base) {
      throw new Error(`partition ${this.partition}: create time of offset ${offset} asked after it was released`);
    }
    const n = s.end - s.base;
    return n > 1 ? s.firstTime + ((s.lastTime - s.firstTime) * (offset - s.base)) / (n - 1) : s.firstTime;
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
  /**
   * Index of the retained batch that starts at `offset` (fetches start at batch boundaries); an
   * offset below the log start offset gets the first batch at the log start.
   */
  batchStartingAt(offset: number): number {
    // Readers ask for the same position, or the next batch's, many times in a row: try the
    // last answer and the one after it before searching.
    const head = this.batchHead;
    const n = this.batchCount;
    const ends = this.batchEnd;
    for (let c = this.startHint - head, k = 0; k < 2; k++, c++) {
      if (c >= 0 && c < n && ends[head + c] > offset && (c === 0 || ends[head + c - 1] <= offset)) {
        this.startHint = head + c;
        return c;
      }
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[head + mid] <= offset) lo = mid + 1;
      else hi = mid;
    }
    this.startHint = head + lo;
    return lo;
  }

  /** Forgets batches and create times below `offset` (nobody will read them again). */
  release(offset: number): void {
    this.trim(offset);
    const d = this.deleted;
    let n = 0;
    while (n < d.length && d[n].end <= offset) n++;
    if (n > 0) d.splice(0, n);
  }

  /** Frees batches and create times below `offset`. */
  private trim(offset: number): void {
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
      this.originTimes?.copyWithin(0, from, from + live);
    } else {
      const a = new Float64Array(size);
      a.set(this.createTimes.subarray(from, from + live));
      this.createTimes = a;
      if (this.originTimes !== null) {
        const o = new Float64Array(size);
        o.set(this.originTimes.subarray(from, from + live));
        this.originTimes = o;
      }
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
    this.batchFirst = move(this.batchFirst);
    this.batchLast = move(this.batchLast);
    if (this.batchAgeFirst !== null && this.batchAgeLast !== null) {
      this.batchAgeFirst = move(this.batchAgeFirst);
      this.batchAgeLast = move(this.batchAgeLast);
    }
    this.batchHead = 0;
  }
}

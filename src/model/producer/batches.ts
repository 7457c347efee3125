/**
 * The producer's closed batches, from the moment the accumulator closes one until it is appended
 * or rejected: ready, queued for its partition's leader, in a request, or backing off before a
 * retry (`ProducerBatch` in the Java client). A struct of typed arrays indexed by batch id, ids
 * reused once a batch is done, so millions of batches allocate nothing per batch.
 *
 * Idempotence (`enable.idempotence`, the default since Kafka 3.0; the sequence numbers of
 * `TransactionManager`): each partition's batches get consecutive sequences, and a batch may go
 * out only when it is its partition's next (`sendSeq`), so a failed batch holds back the ones
 * behind it until it is retried, and a partition's records are appended in the order they were
 * sent. A batch rejected while an earlier one is still out is remembered (`skipped`) until the
 * partition's sequence reaches it.
 *
 * Exact fidelity: the create times of each partition's records not yet appended, oldest first.
 * Batches leave in sequence, so a batch's records are always the oldest `count` of its partition.
 */
import type { AppendTarget } from '../log.js';

export class Batches {
  part = new Int32Array(256);
  seq = new Float64Array(256);
  /** When the batch was opened (linger.ms and delivery.timeout.ms count from it). */
  created = new Float64Array(256);
  /** When it may go out: when it closed, or when its retry backoff ends. */
  ready = new Float64Array(256);
  /** Create times of its first and last records. */
  first = new Float64Array(256);
  last = new Float64Array(256);
  /** How long before their create times its first and last records entered the pipeline (a stage's producer; 0 otherwise). */
  ageFirst = new Float64Array(256);
  ageLast = new Float64Array(256);
  count = new Int32Array(256);
  bytes = new Float64Array(256);
  /** Bytes of buffer.memory it holds. */
  alloc = new Float64Array(256);
  attempts = new Int32Array(256);
  /** Sequences the batch covers (more than 1 once later batches of its partition were merged in). */
  span = new Int32Array(256);
  private free = new Int32Array(256);
  private nFree = 0;
  private next = 0;
  /** Records in closed batches not yet appended or rejected. */
  records = 0;

  /** Per partition: the next sequence to assign, and the next one allowed out. */
  private readonly nextSeq: Float64Array;
  readonly sendSeq: Float64Array;
  /** Per partition: sequences rejected while an earlier batch was still out, with their record counts. */
  private readonly skipped = new Map<number, Map<number, { n: number; span: number }>>();

  /** Exact fidelity: create times of partition p's records not yet appended, [stStart, stEnd). */
  private readonly stage: Float64Array[];
  private readonly stStart: Int32Array;
  private readonly stEnd: Int32Array;
  /** Exact fidelity, a stage's producer: origin times beside the create times in `stage`. */
  private readonly ostage: Float64Array[];
  private readonly exact: boolean;
  /** The records carry origin times other than their create times (a stage's producer). */
  readonly origins: boolean;

  constructor(partitions: number, exact: boolean, origins = false) {
    this.nextSeq = new Float64Array(partitions);
    this.sendSeq = new Float64Array(partitions);
    this.exact = exact;
    this.origins = origins;
    this.ostage = exact && origins ? Array.from({ length: partitions }, () => new Float64Array(64)) : [];
    this.stage = exact ? Array.from({ length: partitions }, () => new Float64Array(64)) : [];
    this.stStart = new Int32Array(partitions);
    this.stEnd = new Int32Array(partitions);
  }

  /** A batch the accumulator closed, taking partition p's next sequence; returns its id. */
  close(p: number, created: number, ready: number, first: number, last: number, count: number, bytes: number, alloc: number, ageFirst = 0, ageLast = 0): number {
    const id = this.newBatch();
    this.ageFirst[id] = ageFirst;
    this.ageLast[id] = ageLast;
    this.part[id] = p;
    this.seq[id] = this.nextSeq[p]++;
    this.created[id] = created;
    this.ready[id] = ready;
    this.first[id] = first;
    this.last[id] = last;
    this.count[id] = count;
    this.bytes[id] = bytes;
    this.alloc[id] = alloc;
    this.attempts[id] = 0;
    this.span[id] = 1;
    this.records += count;
    return id;
  }

  /** Batch `id` left in sequence (appended, or lost unacknowledged): its partition's next batch may go. */
  left(id: number): void {
    const p = this.part[id];
    this.records -= this.count[id];
    this.sendSeq[p] += this.span[id];
    if (this.skipped.size > 0) this.skipForward(p);
    this.release(id);
  }

  /** Batch `id` was rejected, perhaps while an earlier batch of its partition is still out. */
  rejected(id: number): void {
    const p = this.part[id];
    const n = this.count[id];
    this.records -= n;
    const seq = this.seq[id];
    if (seq === this.sendSeq[p]) {
      this.consumed(p, n);
      this.sendSeq[p] += this.span[id];
      this.skipForward(p);
    } else {
      let m = this.skipped.get(p);
      if (!m) this.skipped.set(p, (m = new Map()));
      m.set(seq, { n, span: this.span[id] });
    }
    this.release(id);
  }

  /** Batch `x`, the next in sequence after `id` in the same partition, joins it. */
  merge(id: number, x: number): void {
    this.count[id] += this.count[x];
    this.bytes[id] += this.bytes[x];
    this.last[id] = this.last[x];
    this.ageLast[id] = this.ageLast[x];
    this.alloc[id] += this.alloc[x];
    this.span[id] += this.span[x];
    this.release(x);
  }

  /** Past sequences of p rejected while an earlier batch was out. */
  private skipForward(p: number): void {
    const m = this.skipped.get(p);
    if (!m) return;
    let e = m.get(this.sendSeq[p]);
    while (e !== undefined) {
      m.delete(this.sendSeq[p]);
      this.consumed(p, e.n);
      this.sendSeq[p] += e.span;
      e = m.get(this.sendSeq[p]);
    }
    if (m.size === 0) this.skipped.delete(p);
  }

  // ---- exact fidelity: create times --------------------------------------------------------

  /** A record created at `createTime` joined partition p's open batch. */
  stageTime(p: number, createTime: number, origin: number): void {
    let stage = this.stage[p];
    if (this.stEnd[p] === stage.length) stage = this.makeRoom(p);
    if (this.origins) this.ostage[p][this.stEnd[p]] = origin;
    stage[this.stEnd[p]++] = createTime;
  }

  /** Appends partition p's oldest n records to its log; returns when they are visible. */
  appendTo(log: AppendTarget, p: number, n: number, bytes: number, visible: number): number {
    const v = this.origins
      ? log.append(this.stage[p], this.stStart[p], n, bytes, visible, 0, 0, this.ostage[p])
      : log.append(this.stage[p], this.stStart[p], n, bytes, visible);
    this.consumed(p, n);
    return v;
  }

  /** The oldest n records of p left the producer (appended or rejected): drop their create times. */
  consumed(p: number, n: number): void {
    if (!this.exact) return;
    this.stStart[p] += n;
    if (this.stStart[p] === this.stEnd[p]) this.stStart[p] = this.stEnd[p] = 0;
  }

  private makeRoom(p: number): Float64Array {
    const s = this.stStart[p];
    const live = this.stEnd[p] - s;
    let stage = this.stage[p];
    if (live * 2 > stage.length) {
      const grown = new Float64Array(stage.length * 2);
      grown.set(stage.subarray(s, s + live));
      stage = grown;
      if (this.origins) {
        const o = new Float64Array(grown.length);
        o.set(this.ostage[p].subarray(s, s + live));
        this.ostage[p] = o;
      }
    } else {
      stage.copyWithin(0, s, s + live);
      if (this.origins) this.ostage[p].copyWithin(0, s, s + live);
    }
    this.stage[p] = stage;
    this.stStart[p] = 0;
    this.stEnd[p] = live;
    return stage;
  }

  // ---- ids ------------------------------------------------------------------------------------

  private newBatch(): number {
    if (this.nFree > 0) return this.free[--this.nFree];
    const id = this.next++;
    if (id === this.part.length) {
      const n = id * 2;
      const g64 = (a: Float64Array) => {
        const b = new Float64Array(n);
        b.set(a);
        return b;
      };
      const g32 = (a: Int32Array) => {
        const b = new Int32Array(n);
        b.set(a);
        return b;
      };
      this.part = g32(this.part);
      this.seq = g64(this.seq);
      this.created = g64(this.created);
      this.ready = g64(this.ready);
      this.first = g64(this.first);
      this.last = g64(this.last);
      this.ageFirst = g64(this.ageFirst);
      this.ageLast = g64(this.ageLast);
      this.count = g32(this.count);
      this.bytes = g64(this.bytes);
      this.alloc = g64(this.alloc);
      this.attempts = g32(this.attempts);
      this.span = g32(this.span);
    }
    return id;
  }

  /** Batch `id` is done with: its id can be reused. */
  private release(id: number): void {
    if (this.nFree === this.free.length) {
      const g = new Int32Array(this.free.length * 2);
      g.set(this.free);
      this.free = g;
    }
    this.free[this.nFree++] = id;
  }
}

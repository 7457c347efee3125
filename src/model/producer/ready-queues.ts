/**
 * The batches ready for each broker (their partition's leader), in the order they became ready,
 * and how a request takes them (`RecordAccumulator.drain` in the Java client): the next batch in
 * sequence of each partition, partitions round-robin from where the broker's last request
 * stopped, up to `max.request.size`. The Sender owns them; a partition's batches queue only at
 * its current leader (the Sender moves them when the leader changes).
 *
 * A batch that waited for the connection would have kept taking records in Kafka; here those
 * records closed later batches of its partition, so drain merges them back in while they fit
 * (see RecordAccumulator's semantics choice).
 */
import type { Batches } from './batches.js';

export class ReadyQueues {
  readonly waiting: BatchQueue[];
  /** The batches drain() took for a request, and their bytes. */
  readonly taken: Int32Array;
  drainedBytes = 0;

  private readonly id: string;
  private readonly partitions: number;
  private readonly batches: Batches;
  private readonly maxRequest: number;
  private readonly batchSize: number;
  /** Per partition: its batches in a broker queue; per broker: partitions with some there. */
  private readonly queued: Int32Array;
  private readonly partsQueued: Int32Array;
  private readonly drainStart: Int32Array;
  /** Scratch for drain(): eligible batches, their queue positions and round-robin keys. */
  private readonly elId: Int32Array;
  private readonly elAt: Int32Array;
  private readonly elKey: Int32Array;

  constructor(id: string, partitions: number, brokers: number, batches: Batches, maxRequest: number, batchSize: number) {
    this.id = id;
    this.partitions = partitions;
    this.batches = batches;
    this.maxRequest = maxRequest;
    this.batchSize = batchSize;
    this.waiting = Array.from({ length: brokers }, () => new BatchQueue());
    this.queued = new Int32Array(partitions);
    this.partsQueued = new Int32Array(brokers);
    this.drainStart = new Int32Array(brokers);
    this.taken = new Int32Array(partitions + 1);
    this.elId = new Int32Array(partitions + 1);
    this.elAt = new Int32Array(partitions + 1);
    this.elKey = new Int32Array(partitions + 1);
  }

  /** Batch `id` joins broker b's queue. */
  enqueue(b: number, id: number): void {
    this.waiting[b].push(id);
    const p = this.batches.part[id];
    if (this.queued[p]++ === 0) this.partsQueued[b]++;
  }

  /** Batch `id` left broker b's queue (sent, merged, expired or moved). */
  dequeued(b: number, id: number): void {
    const p = this.batches.part[id];
    if (--this.queued[p] === 0) this.partsQueued[b]--;
  }

  /** Takes the batches a request to broker b at time s holds into `taken`; returns how many (their bytes: drainedBytes). */
  drain(b: number, s: number): number {
    const list = this.waiting[b];
    const taken = this.taken;
    let nt = 0;
    let bytes = 0;
    const batches = this.batches;
    const bPart = batches.part;
    const bBytes = batches.bytes;
    if (list.size === 1) {
      const id = list.a[list.head];
      taken[nt++] = id;
      bytes = bBytes[id];
      list.removeAt(list.head);
      this.dequeued(b, id);
      this.drainedBytes = bytes;
      return nt;
    }
    // Eligible: ready by s and next in its partition's sequence (so one per partition), taken
    // round-robin over partitions from where the last request stopped, up to max.request.size.
    // A partition's next batch sits near the queue's front, so a long queue (a slow broker)
    // is only read a few partitions' worth deep, and further only until one batch is found
    // (after a failover the next in sequence can sit behind many that must wait for it).
    const P = this.partitions;
    const start = this.drainStart[b];
    const e = this.elId;
    const ea = this.elAt;
    const ek = this.elKey;
    let ne = 0;
    const depth = 8 * P + 64;
    const parts = this.partsQueued[b];
    const la = list.a;
    const bReady = batches.ready;
    const bSeq = batches.seq;
    const sendSeq = batches.sendSeq;
    let seen = 0;
    for (let i = list.head, tail = list.tail; i < tail && ne < parts && (seen < depth || ne === 0); i++) {
      const id = la[i];
      if (id < 0) continue;
      seen++;
      const p = bPart[id];
      if (bReady[id] <= s && bSeq[id] === sendSeq[p]) {
        // Kept sorted by position after `start` in partition order (keys are distinct: one
        // batch per partition).
        const k = p >= start ? p - start : p - start + P;
        let j = ne - 1;
        while (j >= 0 && ek[j] > k) {
          e[j + 1] = e[j];
          ea[j + 1] = ea[j];
          ek[j + 1] = ek[j];
          j--;
        }
        e[j + 1] = id;
        ea[j + 1] = i;
        ek[j + 1] = k;
        ne++;
      }
    }
    const maxRequest = this.maxRequest;
    for (let i = 0; i < ne; i++) {
      const id = e[i];
      if (nt > 0 && bytes + bBytes[id] > maxRequest) break;
      taken[nt++] = id;
      bytes += bBytes[id];
      list.removeAt(ea[i]);
      this.dequeued(b, id);
    }
    // A batch that waited for the connection would have kept taking records up to batch.size
    // in Kafka; here those records closed later batches of the same partition behind it, so
    // they join it now (merged while they fit).
    for (let i = 0; i < nt; i++) {
      const id = taken[i];
      if (this.queued[bPart[id]] > 0) bytes += this.mergeFollowers(b, id, s, maxRequest - bytes);
    }
    // advanceBroker sends only when a batch may go: none here is a bookkeeping error, and
    // sending nothing would loop forever at the same instant.
    if (nt === 0) throw new Error(`${this.id}: no batch may go to broker ${b} at ${s} us, though one was due (internal error)`);
    const last = bPart[taken[nt - 1]] + 1;
    this.drainStart[b] = last === P ? 0 : last;
    this.drainedBytes = bytes;
    return nt;
  }

  /** Merges batches of id's partition that follow it in sequence into it; returns the bytes added. */
  private mergeFollowers(b: number, id: number, s: number, room: number): number {
    const list = this.waiting[b];
    const batches = this.batches;
    const p = batches.part[id];
    let added = 0;
    // Only as far as p's queued batches go.
    let left = this.queued[p];
    for (let i = list.head; i < list.tail && left > 0; i++) {
      const x = list.a[i];
      if (x < 0 || batches.part[x] !== p) continue;
      left--;
      if (batches.seq[x] !== batches.seq[id] + batches.span[id]) continue;
      if (batches.ready[x] > s || batches.bytes[id] + batches.bytes[x] > this.batchSize || added + batches.bytes[x] > room) break;
      added += batches.bytes[x];
      list.removeAt(i);
      this.dequeued(b, x);
      batches.merge(id, x);
    }
    return added;
  }
}

/**
 * Batches waiting for a broker, in the order they became ready: removal leaves a hole (-1) so
 * taking from the front of a long queue costs nothing per batch behind it.
 */
class BatchQueue {
  a = new Int32Array(16);
  head = 0;
  tail = 0;
  /** Batches in the queue (holes excluded). */
  size = 0;

  push(id: number): void {
    if (this.tail === this.a.length) this.makeRoom();
    this.a[this.tail++] = id;
    this.size++;
  }

  removeAt(i: number): void {
    this.a[i] = -1;
    this.size--;
    while (this.head < this.tail && this.a[this.head] < 0) this.head++;
    if (this.size === 0) this.head = this.tail = 0;
  }

  /** Keeps the batches for which keep(id) is true, in order. */
  retain(keep: (id: number) => boolean): void {
    let w = 0;
    for (let i = this.head; i < this.tail; i++) {
      const id = this.a[i];
      if (id >= 0 && keep(id)) this.a[w++] = id;
    }
    this.head = 0;
    this.tail = w;
    this.size = w;
  }

  private makeRoom(): void {
    if (this.size * 2 < this.a.length) {
      this.retain(() => true);
      if (this.tail < this.a.length) return;
    }
    const g = new Int32Array(this.a.length * 2);
    g.set(this.a.subarray(0, this.tail));
    this.a = g;
  }
}

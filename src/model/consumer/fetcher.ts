/**
 * A member's fetches and the buffer they fill, following the Java client's `Fetcher`
 * (C/internals/AbstractFetch.java) and the broker's `DelayedFetch` (core/server/DelayedFetch.scala):
 *
 * - At most one fetch is in flight, covering the partitions the member consumes that have nothing
 *   buffered (AbstractFetch.fetchablePartitions). It reaches the broker after half the round trip.
 * - The broker answers once `fetch.min.bytes` are visible or `fetch.max.wait.ms` has passed,
 *   with whole batches up to `max.partition.fetch.bytes` per partition and `fetch.max.bytes` in
 *   all (the first batch always, even if larger). A parked fetch is woken early by an append
 *   (`dataAppended`) that makes enough bytes visible sooner.
 * - A fetch offset below the log start (retention deleted it) is OFFSET_OUT_OF_RANGE: the group's
 *   books reset it by `auto.offset.reset` (consumer/offsets.ts).
 * - `consumer_byte_rate` quotas are enforced per broker, with the connection muted for the
 *   throttle time (KIP-219); see `respond`.
 * - The answer lands half a round trip later in the buffer (the client's FetchBuffer): a FIFO of
 *   one segment of offsets per partition, from which the poll loop (member.ts) takes
 *   `max.poll.records`. Data for a partition taken from the member while the fetch was in
 *   flight is dropped (a per-partition epoch, bumped on every assignment change).
 *
 * Only the partitions with data are looked at (what an incremental fetch session, KIP-227, asks
 * of the broker), so a fetch costs what it carries, not what the member owns. A fetch stands for
 * every partition the member consumes with nothing buffered, and that set is kept implicitly: a
 * partition p was in fetch number S (`serial`) iff the member consumes it, its assignment did not
 * change since the fetch was sent (`epochBump[p] < S`) and the send did not leave it out
 * (`excludedAt[p] !== S`: buffered, or its broker muted). The partitions that may answer are
 * kept apart:
 * - `ready`, a heap by the visibility of the first batch at the fetch offset: while a fetch is
 *   at the broker it holds every partition of the fetch with a batch there, and between fetches
 *   partitions not buffered with one. Visibility only grows along a log, so a partition with
 *   anything visible by t has its first batch visible by t: respond, the minimum-bytes check and
 *   the wake-up time need only the heap's partitions at or below t, or its top. A stored key may
 *   lie below the true one (retention or a commit dropped batches from the front, which only
 *   raises it), never above: every move of a fetch offset backward updates it.
 * - `deferred`, every other partition that may matter at the next send: the buffered ones (a
 *   partition becomes buffered only by a response, which puts it here), those whose data came
 *   while they were not in the fetch, and those whose assignment changed.
 * - `outOfRange`, partitions whose fetch offset may lie below the log start (a retention check
 *   deleted past it, or an offset was reset to a committed one): respond resets them whether or
 *   not anything is visible.
 * The response then treats the same partitions, in the same order (the member's assignment
 * order), with the same per-partition steps as a loop over all of the fetch's partitions.
 */
import { named, type Simulation, type EventHandle } from '../../kernel/simulation.js';
import type { ConsumerGroupSpec } from '../../scenario/schema.js';
import type { PartitionLog } from '../log.js';
import type { ModelContext } from '../context.js';
import { PartitionHeap } from './partition-heap.js';

/** What a fetcher reads and moves of its group: the logs and the fetch positions. */
export interface FetchHost {
  readonly ctx: ModelContext;
  readonly logs: PartitionLog[];
  /** Next offset to fetch, per partition. */
  readonly fetchOffset: Float64Array;
  /** Next offset to hand to the application, per partition (below it: buffered or handed out). */
  readonly position: Float64Array;
  /** OFFSET_OUT_OF_RANGE: the fetch offset of p is below the log start; where to fetch from now. */
  offsetOutOfRange(p: number): number;
}

/** The poll loop a fetcher fills the buffer for. */
export interface FetchOwner {
  /** Inside poll(), waiting for records (not processing a batch). */
  readonly waitingInPoll: boolean;
  /** A fetch response has landed in the buffer. */
  fetched(): void;
}

/** Shortest time a broker holds a fetch it cannot answer with data (1 ms, in ticks). */
const MIN_FETCH_WAIT = 1_000;

export class Fetcher {
  /** Longest fetch throttle (consumer_byte_rate), ms. */
  maxThrottleMs = 0;

  private closed = false;
  private readonly sim: Simulation;
  private readonly oneWay: number;
  private readonly minBytes: number;
  private readonly maxWait: number;
  private readonly maxPartitionBytes: number;
  private readonly maxBytes: number;

  // Buffered fetched records: a FIFO ring of segments [from, to), one partition each. A fetch
  // only asks for partitions with nothing buffered, so there is never more than one segment per
  // partition and the ring (sized to the topic) never needs to grow.
  private readonly segP: Int32Array;
  private readonly segFrom: Float64Array;
  private readonly segTo: Float64Array;
  /** The tick each segment's fetch response landed at. */
  private readonly segAt: Float64Array;
  private segHead = 0;
  private segCount = 0;
  /** Bumped whenever a partition is given to or taken from the member: stale fetch data is dropped. */
  private readonly epoch: Int32Array;

  // The one fetch in flight (number `serial`), its partitions (see the header), and the answer
  // it carries back.
  private fetchInFlight = false;
  /** The fetch in flight has been answered (its partitions no longer join it). */
  private answered = false;
  private serial = 0;
  /** Per partition: the number of the last fetch sent before its assignment last changed. */
  private readonly epochBump: Int32Array;
  /** Per partition: the last fetch that left it out (buffered, or its broker muted). */
  private readonly excludedAt: Int32Array;
  private readonly ready: PartitionHeap;
  private readonly deferred: Int32Array;
  private readonly isDeferred: Uint8Array;
  private nDeferred = 0;
  private readonly outOfRange: Int32Array;
  private readonly isOutOfRange: Uint8Array;
  private nOutOfRange = 0;
  /** Position of each partition in the member's assignment order, recomputed after a change. */
  private readonly rank: Int32Array;
  private rankStale = true;
  /** Scratch: the partitions a response looks at. */
  private readonly answering: Int32Array;
  private readonly isAnswering: Uint8Array;
  private parked = false;
  private parkedDeadline = 0;
  private wakeAt = Infinity;
  private wakeHandle: EventHandle = -1;
  private readonly respP: Int32Array;
  private readonly respFrom: Float64Array;
  private readonly respTo: Float64Array;
  private readonly respEpoch: Int32Array;
  private nResp = 0;
  private readonly leaderless: boolean;
  private readonly quotaName: string;
  /** Whether the group's client has a consumer_byte_rate quota (looked up once). */
  private readonly hasQuota: boolean;
  /** Per broker, the bytes a fetch takes from the partitions it leads (quota accounting). */
  private readonly quotaBytes: Float64Array;
  /** Per broker, until when it mutes this client's connection (a fetch throttle). */
  private readonly mutedUntil: Float64Array;

  constructor(
    private readonly group: FetchHost,
    private readonly owner: FetchOwner,
    /** The partitions the member consumes, in assignment order (the member's list, read live). */
    private readonly consuming: readonly number[],
    /** Per partition, 1 while the member consumes it (the member's array, read live). */
    private readonly isConsuming: Uint8Array,
    spec: ConsumerGroupSpec,
    /** Names its events in errors. */
    component: string,
  ) {
    const { ctx } = group;
    const c = spec.config;
    const P = group.logs.length;
    this.sim = ctx.sim;
    this.oneWay = Math.round(ctx.rtt / 2);
    this.minBytes = c['fetch.min.bytes'];
    this.maxWait = Math.round(c['fetch.max.wait.ms']);
    this.maxPartitionBytes = c['max.partition.fetch.bytes'];
    this.maxBytes = c['fetch.max.bytes'];
    this.leaderless = ctx.brokers?.hasLosses ?? false;
    this.quotaName = spec.name;
    this.hasQuota = ctx.brokers?.hasConsumerQuota(spec.name) ?? false;
    this.quotaBytes = new Float64Array(ctx.brokers?.count ?? 0);
    this.mutedUntil = new Float64Array(ctx.brokers?.count ?? 0);
    this.epoch = new Int32Array(P);
    this.segP = new Int32Array(P);
    this.segFrom = new Float64Array(P);
    this.segTo = new Float64Array(P);
    this.segAt = new Float64Array(P);
    this.epochBump = new Int32Array(P).fill(-1);
    this.excludedAt = new Int32Array(P);
    this.ready = new PartitionHeap(P);
    this.deferred = new Int32Array(P);
    this.isDeferred = new Uint8Array(P);
    this.outOfRange = new Int32Array(P);
    this.isOutOfRange = new Uint8Array(P);
    this.rank = new Int32Array(P);
    this.answering = new Int32Array(P);
    this.isAnswering = new Uint8Array(P);
    this.respP = new Int32Array(P);
    this.respFrom = new Float64Array(P);
    this.respTo = new Float64Array(P);
    this.respEpoch = new Int32Array(P);
    for (const event of ['fetchAtBroker', 'wake', 'fetchResponse', 'unmuted'] as const) named(component, event, this[event]);
  }

  // ---- assignment and the buffer ----------------------------------------------------------

  /** Partition p was given to or taken from the member: answers in flight for it are stale. */
  assignmentChanged(p: number): void {
    this.epoch[p]++;
    this.epochBump[p] = this.serial;
    this.ready.remove(p);
    this.defer(p);
    this.rankStale = true;
  }

  /** Drops what is buffered of partition p. */
  dropBuffered(p: number): void {
    const ring = this.segP.length;
    let kept = 0;
    for (let i = 0; i < this.segCount; i++) {
      const at = (this.segHead + i) % ring;
      if (this.segP[at] === p) continue;
      const to = (this.segHead + kept) % ring;
      this.segP[to] = this.segP[at];
      this.segFrom[to] = this.segFrom[at];
      this.segTo[to] = this.segTo[at];
      this.segAt[to] = this.segAt[at];
      kept++;
    }
    this.segCount = kept;
  }

  /** Whether anything is buffered. */
  hasRecords(): boolean {
    return this.segCount > 0;
  }

  /** Partition of the oldest buffered segment (only while hasRecords()). */
  headPartition(): number {
    return this.segP[this.segHead];
  }

  headFrom(): number {
    return this.segFrom[this.segHead];
  }

  headTo(): number {
    return this.segTo[this.segHead];
  }

  /** When the oldest buffered segment landed (a tick). */
  headLandedAt(): number {
    return this.segAt[this.segHead];
  }

  /** The poll loop took k records from the front of the oldest segment. */
  takeFromHead(k: number): void {
    const h = this.segHead;
    const from = this.segFrom[h] + k;
    if (from === this.segTo[h]) {
      this.segHead = (h + 1) % this.segP.length;
      this.segCount--;
    } else {
      this.segFrom[h] = from;
    }
  }

  /** The process stops: nothing in flight lands, and a parked fetch is forgotten. */
  close(): void {
    this.closed = true;
    this.parked = false;
  }

  private hasBuffered(p: number): boolean {
    return this.group.position[p] < this.group.fetchOffset[p];
  }

  // ---- which partitions may answer (see the header) ------------------------------------------

  /** Partition p (consumed by the member) got a batch appended. */
  dataAppended(p: number): void {
    if (this.closed) return;
    if (!this.ready.has(p)) this.reconsider(p);
    if (!this.parked || !this.current(p)) return;
    if (this.minBytes <= 1) {
      // Any one batch satisfies fetch.min.bytes, and visibility only grows along a log, so
      // only the first batch past the fetch position can bring the answer forward.
      const log = this.group.logs[p];
      const first = log.batchStartingAt(this.group.fetchOffset[p]);
      if (first !== log.batches - 1) return;
      const at = Math.max(this.sim.now, Math.min(this.parkedDeadline, log.batchVisibleAt(first)));
      if (at < this.wakeAt) this.reschedule(at);
      return;
    }
    this.rearm();
  }

  /** The log start of p moved (retention), or the group moved p's fetch offset and position. */
  offsetsMoved(p: number): void {
    if (this.closed || !this.isConsuming[p]) return;
    this.reconsider(p);
  }

  /** Files p where it belongs now: in the ready heap if it is in the fetch at the broker (or was there already), else deferred. */
  private reconsider(p: number): void {
    if (this.ready.has(p) || (this.fetchInFlight && !this.answered && this.inFetch(p))) this.track(p);
    else this.defer(p);
  }

  /** Puts p (in the fetch, or not buffered between fetches) in the ready heap if it has a batch at its fetch offset. */
  private track(p: number): void {
    const log = this.group.logs[p];
    const offset = this.group.fetchOffset[p];
    if (offset < log.logStartOffset && !this.isOutOfRange[p]) {
      this.isOutOfRange[p] = 1;
      this.outOfRange[this.nOutOfRange++] = p;
    }
    const i = log.batchStartingAt(offset);
    if (i < log.batches) this.ready.set(p, log.batchVisibleAt(i));
    else this.ready.remove(p);
  }

  private defer(p: number): void {
    if (this.isDeferred[p]) return;
    this.isDeferred[p] = 1;
    this.deferred[this.nDeferred++] = p;
  }

  /** Whether p is in the fetch in flight (see the header). */
  private inFetch(p: number): boolean {
    return this.isConsuming[p] === 1 && this.epochBump[p] < this.serial && this.excludedAt[p] !== this.serial;
  }

  // ---- the fetch ----------------------------------------------------------------------------

  /** Sends a fetch for the partitions with nothing buffered, unless one is in flight. */
  send(): void {
    if (this.fetchInFlight) return;
    const now = this.sim.now;
    const S = ++this.serial;
    let excluded = 0;
    let unmute = Infinity;
    if (this.hasQuota) {
      // A broker that throttled this client is muted until its throttle time is over. Which
      // partitions that leaves out is read for all of them.
      for (const p of this.consuming) {
        if (this.hasBuffered(p)) {
          this.excludedAt[p] = S;
          excluded++;
          continue;
        }
        const leader = this.group.ctx.brokers!.leaderAt(p, now);
        if (leader >= 0 && this.mutedUntil[leader] > now) {
          if (this.mutedUntil[leader] < unmute) unmute = this.mutedUntil[leader];
          this.excludedAt[p] = S;
          excluded++;
          this.ready.remove(p);
          this.defer(p);
        }
      }
    }
    // Every buffered partition is deferred: it stays so; the others join the fetch.
    let kept = 0;
    const deferred = this.deferred;
    for (let i = 0; i < this.nDeferred; i++) {
      const p = deferred[i];
      if (!this.isConsuming[p]) {
        this.isDeferred[p] = 0;
        continue;
      }
      if (this.excludedAt[p] !== S && this.hasBuffered(p)) {
        this.excludedAt[p] = S;
        excluded++;
      }
      if (this.excludedAt[p] === S) {
        deferred[kept++] = p;
        continue;
      }
      this.isDeferred[p] = 0;
      this.track(p);
    }
    this.nDeferred = kept;
    const n = this.consuming.length - excluded;
    if (n === 0) {
      if (unmute < Infinity) this.sim.at(unmute, this.unmuted, 0, 1);
      return;
    }
    this.fetchInFlight = true;
    this.answered = false;
    this.sim.schedule(this.oneWay, this.fetchAtBroker, 0, 1);
  }

  /** A throttled broker's mute ended: a member waiting inside poll() fetches from it again. */
  private readonly unmuted = (): void => {
    if (this.closed || !this.owner.waitingInPoll) return;
    this.send();
  };

  /**
   * Whether partition p is in the fetch and still this member's, as when the fetch was sent, and
   * has a leader to answer for it (a lost broker's partitions have none until failover).
   */
  private current(p: number): boolean {
    if (!this.inFetch(p)) return false;
    return !this.leaderless || this.group.ctx.brokers!.leaderAt(p, this.sim.now) >= 0;
  }

  private readonly fetchAtBroker = (): void => {
    if (this.closed) return;
    const now = this.sim.now;
    if (this.visibleBytes(now) >= this.minBytes) {
      this.respond();
      return;
    }
    this.parked = true;
    // At least 1 ms, the tick of the broker's purgatory timer (Kafka's SystemTimer wheel): with
    // fetch.max.wait.ms 0 and no round trip an empty answer would otherwise come back at the
    // same instant and an idle member would fetch forever without simulated time moving.
    this.parkedDeadline = now + Math.max(MIN_FETCH_WAIT, this.maxWait);
    this.wakeAt = Infinity;
    this.rearm();
  };

  /** Moves the parked fetch's answer to time `at`. */
  private reschedule(at: number): void {
    if (this.wakeHandle >= 0) this.sim.cancel(this.wakeHandle);
    this.wakeAt = at;
    this.wakeHandle = this.sim.at(at, this.wake, 0, 1);
  }

  /** Schedules the parked fetch's answer at the earlier of its deadline and enough data. */
  private rearm(): void {
    const at = Math.max(this.sim.now, Math.min(this.parkedDeadline, this.dataTime()));
    if (at < this.wakeAt) this.reschedule(at);
  }

  private readonly wake = (): void => {
    this.wakeHandle = -1;
    this.wakeAt = Infinity;
    if (this.closed) return;
    this.respond();
  };

  /** Bytes visible at time t from the fetch positions of the fetch's partitions (counted up to fetch.min.bytes). */
  private visibleBytes(t: number): number {
    const g = this.group;
    let total = 0;
    // Only a partition whose first batch is visible by t has anything visible by t.
    const parts = this.answering;
    const n = this.ready.collect(t, parts);
    for (let f = 0; f < n; f++) {
      const p = parts[f];
      if (!this.current(p)) continue;
      const log = g.logs[p];
      for (let i = log.batchStartingAt(g.fetchOffset[p]); i < log.batches && log.batchVisibleAt(i) <= t; i++) {
        total += log.batchBytesAt(i);
        if (total >= this.minBytes) return total;
      }
    }
    return total;
  }

  /** Earliest time at which `fetch.min.bytes` will be visible, from batches already appended. */
  private dataTime(): number {
    const g = this.group;
    const ready = this.ready;
    // Visibility only grows along a partition's log, so when the earliest first batch of the
    // fetch's partitions holds fetch.min.bytes (always, at the default of 1 byte), it decides:
    // nothing is visible before it, and it alone is enough. The top's key is made exact first
    // (a stored key may lie below the true one, never above).
    while (!this.leaderless && ready.size > 0) {
      const p = ready.top();
      const log = g.logs[p];
      const i = log.batchStartingAt(g.fetchOffset[p]);
      if (i >= log.batches) {
        ready.remove(p);
        continue;
      }
      const v = log.batchVisibleAt(i);
      if (v !== ready.key[p]) {
        ready.set(p, v);
        continue;
      }
      if (log.batchBytesAt(i) >= this.minBytes && this.current(p)) return v;
      break;
    }
    let earliest = Infinity;
    let simple = true;
    for (let f = 0; f < ready.size; f++) {
      const p = ready.at(f);
      if (!this.current(p)) continue;
      const log = g.logs[p];
      const i = log.batchStartingAt(g.fetchOffset[p]);
      if (i >= log.batches) continue;
      if (log.batchBytesAt(i) < this.minBytes) simple = false;
      if (log.batchVisibleAt(i) < earliest) earliest = log.batchVisibleAt(i);
    }
    if (simple) return earliest;
    const pending: [number, number][] = [];
    for (let f = 0; f < ready.size; f++) {
      const p = ready.at(f);
      if (!this.current(p)) continue;
      const log = g.logs[p];
      let bytes = 0;
      for (let i = log.batchStartingAt(g.fetchOffset[p]); i < log.batches && bytes < this.minBytes; i++) {
        pending.push([log.batchVisibleAt(i), log.batchBytesAt(i)]);
        bytes += log.batchBytesAt(i);
      }
    }
    pending.sort((a, b) => a[0] - b[0]);
    let total = 0;
    for (const [v, b] of pending) {
      total += b;
      if (total >= this.minBytes) return v;
    }
    return Infinity;
  }

  /** The fetch's partitions that may answer at `now`, in assignment order, into `answering`; returns how many. */
  private answeringPartitions(now: number): number {
    const parts = this.answering;
    const mark = this.isAnswering;
    let n = 0;
    const m = this.ready.collect(now, parts);
    for (let i = 0; i < m; i++) {
      const p = parts[i];
      if (!this.current(p)) continue;
      parts[n++] = p;
      mark[p] = 1;
    }
    const g = this.group;
    let kept = 0;
    for (let i = 0; i < this.nOutOfRange; i++) {
      const p = this.outOfRange[i];
      if (g.fetchOffset[p] >= g.logs[p].logStartOffset || !this.isConsuming[p]) {
        this.isOutOfRange[p] = 0;
        continue;
      }
      this.outOfRange[kept++] = p;
      if (!mark[p] && this.current(p)) {
        parts[n++] = p;
        mark[p] = 1;
      }
    }
    this.nOutOfRange = kept;
    if (n > 1) {
      if (this.rankStale) {
        for (let i = 0; i < this.consuming.length; i++) this.rank[this.consuming[i]] = i;
        this.rankStale = false;
      }
      const rank = this.rank;
      // Insertion sort: a response usually carries a few partitions, and they often come in order.
      for (let i = 1; i < n; i++) {
        const p = parts[i];
        const r = rank[p];
        let j = i - 1;
        while (j >= 0 && rank[parts[j]] > r) {
          parts[j + 1] = parts[j];
          j--;
        }
        parts[j + 1] = p;
      }
    }
    return n;
  }

  /** The broker answers now with what is visible; the answer lands after half a round trip. */
  private respond(): void {
    const g = this.group;
    const now = this.sim.now;
    this.parked = false;
    let total = 0;
    const quotaBytes = this.hasQuota ? this.quotaBytes.fill(0) : null;
    const parts = this.answering;
    const nParts = this.answeringPartitions(now);
    for (let f = 0; f < nParts; f++) {
      const p = parts[f];
      const log = g.logs[p];
      // Below the log start (retention deleted it): the consumer resets by auto.offset.reset.
      if (g.fetchOffset[p] < log.logStartOffset) g.position[p] = g.fetchOffset[p] = g.offsetOutOfRange(p);
      const from = g.fetchOffset[p];
      let to = from;
      let partBytes = 0;
      for (let i = log.batchStartingAt(from); i < log.batches; i++) {
        if (log.batchVisibleAt(i) > now) break;
        const b = log.batchBytesAt(i);
        const first = to === from;
        if (!first && partBytes + b > this.maxPartitionBytes) break;
        if (!(first && total === 0) && total + b > this.maxBytes) break;
        partBytes += b;
        total += b;
        to = log.batchEndAt(i);
      }
      if (to > from) {
        if (quotaBytes) {
          const leader = g.ctx.brokers!.leaderAt(p, now);
          if (leader >= 0) quotaBytes[leader] += partBytes;
        }
        this.respP[this.nResp] = p;
        this.respFrom[this.nResp] = from;
        this.respTo[this.nResp] = to;
        this.respEpoch[this.nResp] = this.epoch[p];
        this.nResp++;
        g.fetchOffset[p] = to;
      }
    }
    // consumer_byte_rate is enforced by each broker on the bytes it serves (ClientQuotaManager,
    // one per broker). A broker whose bytes would break the quota unrecords them, answers with
    // no records and mutes the connection for the throttle time (KafkaApis.handleFetchRequest,
    // KIP-219); the client sends that broker nothing more until the time is over. Its
    // partitions are fetched again from the same offsets; the other brokers' are answered.
    let throttle = 0;
    if (quotaBytes) {
      const brokers = g.ctx.brokers!;
      const timeMs = Math.floor(now / 1000);
      for (let b = 0; b < quotaBytes.length; b++) {
        if (quotaBytes[b] === 0) continue;
        const q = brokers.quota(this.quotaName, b, 'consumer_byte_rate');
        const t = q ? q.record(quotaBytes[b], timeMs) : 0;
        if (t > 0) {
          q!.unrecord(quotaBytes[b]);
          quotaBytes[b] = -1; // marks broker b as throttled for the loop below
          const until = now + this.oneWay + Math.round(t * 1000);
          if (until > this.mutedUntil[b]) this.mutedUntil[b] = until;
          if (t > throttle) throttle = t;
        }
      }
      if (throttle > 0) {
        let kept = 0;
        for (let i = 0; i < this.nResp; i++) {
          const p = this.respP[i];
          const leader = brokers.leaderAt(p, now);
          if (leader >= 0 && quotaBytes[leader] === -1) {
            g.fetchOffset[p] = this.respFrom[i];
            continue;
          }
          this.respP[kept] = p;
          this.respFrom[kept] = this.respFrom[i];
          this.respTo[kept] = this.respTo[i];
          this.respEpoch[kept] = this.respEpoch[i];
          kept++;
        }
        this.nResp = kept;
      }
      if (throttle > this.maxThrottleMs) this.maxThrottleMs = throttle;
    }
    // The fetch is answered: its partitions with a response are buffered now (deferred until
    // the poll loop has taken their records), the others stay ready with what is left.
    this.answered = true;
    for (let f = 0; f < nParts; f++) {
      const p = parts[f];
      this.isAnswering[p] = 0;
      if (this.hasBuffered(p)) {
        this.ready.remove(p);
        this.defer(p);
      } else {
        this.track(p);
      }
    }
    this.sim.schedule(this.oneWay, this.fetchResponse, 0, 1);
  }

  private readonly fetchResponse = (): void => {
    if (this.closed) return;
    const ring = this.segP.length;
    for (let i = 0; i < this.nResp; i++) {
      const p = this.respP[i];
      if (this.epoch[p] !== this.respEpoch[i]) continue; // taken away while in flight
      const at = (this.segHead + this.segCount++) % ring;
      this.segP[at] = p;
      this.segFrom[at] = this.respFrom[i];
      this.segTo[at] = this.respTo[i];
      this.segAt[at] = this.sim.now;
    }
    this.nResp = 0;
    this.fetchInFlight = false;
    this.owner.fetched();
  };
}

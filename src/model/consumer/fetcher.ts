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
 */
import { named, type Simulation, type EventHandle } from '../../kernel/simulation.js';
import type { ConsumerGroupSpec } from '../../scenario/schema.js';
import type { PartitionLog } from '../log.js';
import type { ModelContext } from '../context.js';

/** What a fetcher reads and moves of its group: the logs and the fetch positions. */
export interface FetchHost {
  readonly ctx: ModelContext;
  readonly logs: PartitionLog[];
  /** Next offset to fetch, per partition. */
  readonly fetchOffset: Float64Array;
  /** Next offset to hand to the application, per partition (below it: buffered or handed out). */
  readonly position: Float64Array;
  /** Fetches of the group parked at a broker (so appends need not look for one when none is). */
  parkedFetches: number;
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

  // The one fetch in flight, and the answer it carries back.
  private fetchInFlight = false;
  private readonly fetchParts: Int32Array;
  private readonly fetchEpochs: Int32Array;
  private nFetchParts = 0;
  private parked = false;
  private parkedDeadline = 0;
  private wakeAt = Infinity;
  private wakeHandle: EventHandle = -1;
  private readonly respP: Int32Array;
  private readonly respFrom: Float64Array;
  private readonly respTo: Float64Array;
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
    this.fetchParts = new Int32Array(P);
    this.fetchEpochs = new Int32Array(P);
    this.respP = new Int32Array(P);
    this.respFrom = new Float64Array(P);
    this.respTo = new Float64Array(P);
    for (const event of ['fetchAtBroker', 'wake', 'fetchResponse', 'unmuted'] as const) named(component, event, this[event]);
  }

  // ---- assignment and the buffer ----------------------------------------------------------

  /** Partition p was given to or taken from the member: answers in flight for it are stale. */
  assignmentChanged(p: number): void {
    this.epoch[p]++;
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
    if (this.parked) {
      this.parked = false;
      this.group.parkedFetches--;
    }
  }

  private hasBuffered(p: number): boolean {
    return this.group.position[p] < this.group.fetchOffset[p];
  }

  // ---- the fetch ----------------------------------------------------------------------------

  /** Sends a fetch for the partitions with nothing buffered, unless one is in flight. */
  send(): void {
    if (this.fetchInFlight) return;
    let n = 0;
    const now = this.sim.now;
    let unmute = Infinity;
    for (const p of this.consuming) {
      if (!this.hasBuffered(p)) {
        if (this.hasQuota) {
          // A broker that throttled this client is muted until its throttle time is over.
          const leader = this.group.ctx.brokers!.leaderAt(p, now);
          if (leader >= 0 && this.mutedUntil[leader] > now) {
            if (this.mutedUntil[leader] < unmute) unmute = this.mutedUntil[leader];
            continue;
          }
        }
        this.fetchEpochs[n] = this.epoch[p];
        this.fetchParts[n++] = p;
      }
    }
    if (n === 0) {
      if (unmute < Infinity) this.sim.at(unmute, this.unmuted, 0, 1);
      return;
    }
    this.fetchInFlight = true;
    this.nFetchParts = n;
    this.sim.schedule(this.oneWay, this.fetchAtBroker, 0, 1);
  }

  /** A throttled broker's mute ended: a member waiting inside poll() fetches from it again. */
  private readonly unmuted = (): void => {
    if (this.closed || !this.owner.waitingInPoll) return;
    this.send();
  };

  /**
   * Whether the fetch's i-th partition is still this member's, as when the fetch was sent, and
   * has a leader to answer for it (a lost broker's partitions have none until failover).
   */
  private current(i: number): boolean {
    if (this.epoch[this.fetchParts[i]] !== this.fetchEpochs[i]) return false;
    return !this.leaderless || this.group.ctx.brokers!.leaderAt(this.fetchParts[i], this.sim.now) >= 0;
  }

  private readonly fetchAtBroker = (): void => {
    if (this.closed) return;
    const now = this.sim.now;
    if (this.visibleBytes(now) >= this.minBytes) {
      this.respond();
      return;
    }
    this.parked = true;
    this.group.parkedFetches++;
    // At least 1 ms, the tick of the broker's purgatory timer (Kafka's SystemTimer wheel): with
    // fetch.max.wait.ms 0 and no round trip an empty answer would otherwise come back at the
    // same instant and an idle member would fetch forever without simulated time moving.
    this.parkedDeadline = now + Math.max(MIN_FETCH_WAIT, this.maxWait);
    this.wakeAt = Infinity;
    this.rearm();
  };

  /** A batch was appended to partition p: a parked fetch may be answerable earlier. */
  dataAppended(p: number): void {
    if (!this.parked) return;
    let asked = false;
    for (let i = 0; i < this.nFetchParts && !asked; i++) asked = this.fetchParts[i] === p && this.current(i);
    if (!asked) return;
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

  /** Bytes visible at time t from the fetch positions of the fetch's partitions. */
  private visibleBytes(t: number): number {
    const g = this.group;
    let total = 0;
    for (let f = 0; f < this.nFetchParts; f++) {
      if (!this.current(f)) continue;
      const p = this.fetchParts[f];
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
    // Visibility only grows along a partition's log, so when the first pending batch of any
    // partition already holds fetch.min.bytes (always, at the default of 1 byte), the earliest
    // such first batch decides; no list needs building.
    let earliest = Infinity;
    let simple = true;
    for (let f = 0; f < this.nFetchParts; f++) {
      if (!this.current(f)) continue;
      const p = this.fetchParts[f];
      const log = g.logs[p];
      const i = log.batchStartingAt(g.fetchOffset[p]);
      if (i >= log.batches) continue;
      if (log.batchBytesAt(i) < this.minBytes) simple = false;
      if (log.batchVisibleAt(i) < earliest) earliest = log.batchVisibleAt(i);
    }
    if (simple) return earliest;
    const pending: [number, number][] = [];
    for (let f = 0; f < this.nFetchParts; f++) {
      if (!this.current(f)) continue;
      const p = this.fetchParts[f];
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

  /** The broker answers now with what is visible; the answer lands after half a round trip. */
  private respond(): void {
    const g = this.group;
    const now = this.sim.now;
    if (this.parked) {
      this.parked = false;
      this.group.parkedFetches--;
    }
    let total = 0;
    const quotaBytes = this.hasQuota ? this.quotaBytes.fill(0) : null;
    for (let f = 0; f < this.nFetchParts; f++) {
      if (!this.current(f)) continue;
      const p = this.fetchParts[f];
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
        this.fetchEpochs[this.nResp] = this.fetchEpochs[f];
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
          this.fetchEpochs[kept] = this.fetchEpochs[i];
          kept++;
        }
        this.nResp = kept;
      }
      if (throttle > this.maxThrottleMs) this.maxThrottleMs = throttle;
    }
    this.sim.schedule(this.oneWay, this.fetchResponse, 0, 1);
  }

  private readonly fetchResponse = (): void => {
    if (this.closed) return;
    const ring = this.segP.length;
    for (let i = 0; i < this.nResp; i++) {
      const p = this.respP[i];
      if (this.epoch[p] !== this.fetchEpochs[i]) continue; // taken away while in flight
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

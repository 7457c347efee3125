/**
 * A consumer group member's poll loop, following the Java client (ClassicKafkaConsumer):
 *
 * - Fetch (AbstractFetch, DelayedFetch): a member has at most one fetch in flight, covering the
 *   partitions it consumes that have nothing buffered. It reaches the broker after half the
 *   round trip; the broker answers once `fetch.min.bytes` are visible or `fetch.max.wait.ms` has
 *   passed, with whole batches up to `max.partition.fetch.bytes` per partition and
 *   `fetch.max.bytes` in all (the first batch always, even if larger).
 * - poll() (FetchCollector): first does the group's work (ConsumerCoordinator.poll: rejoin,
 *   revoke, commit on revocation; see group.ts), then hands the application up to
 *   `max.poll.records` from the buffer, draining one partition's fetched records before the next;
 *   before returning, it sends the next fetch for partitions left with nothing buffered
 *   (pipelining). Auto-commit runs inside poll() every `auto.commit.interval.ms` and commits the
 *   positions of records returned by earlier polls.
 * - Processing: records one after another, each taking `per-record` time and its per-record
 *   service calls; then `per-batch` time and per-batch calls (a batched write). A record is done
 *   when the last step that concerns it is: its own calls, or the batch's if the batch has any.
 * - Fidelity `batched`: when a record has no calls of its own, a poll batch's total per-record
 *   time is drawn at once, as a gamma with the sum's mean and variance (n*mean, n*variance): exact
 *   when per-record time is exponential or gamma, and otherwise right in mean and variance with
 *   the positive skew a sum of durations has. Records complete at evenly spaced times across it.
 *   `exact` draws each record's time. Calls are always per call.
 * - Commit after each batch when auto-commit is off: sync (wait for the coordinator's answer)
 *   or async (carry on).
 * - The poll timer (`max.poll.interval.ms`): if processing a batch keeps the application from
 *   calling poll() for longer, the heartbeat thread gives up membership (handled by the group);
 *   the application thread does not know and finishes its batch anyway.
 *
 * Completion times of a batch's records are known when its processing starts, so they are
 * recorded then (into the windows they fall in). A crash in the middle of a batch takes back
 * the completions that had not happened yet.
 */
import { named, type Simulation, type EventHandle } from '../kernel/simulation.js';
import type { ConsumerGroupSpec } from '../scenario/schema.js';
import { compile, gamma, mean, variance, type Sampler } from '../random/distributions.js';
import type { Rng } from '../random/stream.js';
import type { PartitionLog } from './log.js';
import type { Caller, Service } from './app/service.js';
import type { WindowedCounter, WindowedHistogram } from '../metrics/windows.js';
import type { Histogram } from '../metrics/histogram.js';
import type { Brokers } from './brokers.js';

export interface GroupMetrics {
  processed: WindowedCounter;
  /** Records lost (deleted by retention before being fetched, skipped by auto.offset.reset), by time. */
  lost: WindowedCounter;
  /** End-to-end latency, ticks, by completion time. */
  latency: WindowedHistogram;
}

export interface ModelContext {
  sim: Simulation;
  end: number;
  interval: number;
  rtt: number;
  batched: boolean;
  /** Partition leaders over time (a lost broker's partitions cannot be fetched until failover) and quotas. */
  brokers?: Brokers;
}

/** What a member needs from its group: shared offsets and the coordinator's side of the protocol. */
export interface GroupHost {
  readonly ctx: ModelContext;
  readonly spec: ConsumerGroupSpec;
  readonly logs: PartitionLog[];
  readonly metrics: GroupMetrics;
  readonly committed: Float64Array;
  readonly fetchOffset: Float64Array;
  readonly position: Float64Array;
  parkedFetches: number;
  /** Group work at the start of poll(); true when the member may not fetch or process now. */
  onPoll(m: Member): boolean;
  /** The member's commit of these (partition, offset) pairs reaches the coordinator. */
  commitArrives(m: Member, snapshot: number[]): void;
  /** Records [from, to) of partition p completed processing (counted already in the windows). */
  completed(p: number, from: number, to: number): void;
  /** The member's poll timer ran out while it was processing. */
  pollTimeout(m: Member): void;
  /** The member finished a poll batch (before committing it). */
  batchFinished(m: Member): void;
  /** OFFSET_OUT_OF_RANGE: the fetch offset of p is below the log start; where to fetch from now. */
  offsetOutOfRange(p: number): number;
}

/** Shortest time a broker holds a fetch it cannot answer with data (1 ms, in ticks). */
const MIN_FETCH_WAIT = 1_000;

const enum State {
  Waiting,
  Processing,
  Committing,
}

export class Member implements Caller {
  /** The process is gone (crashed or shut down); its pending events do nothing. */
  dead = false;
  /** Generation (classic) or member epoch (KIP-848) of the assignment the member holds. */
  generation = -1;
  /** Time of the last call to poll(), for the poll timer. */
  lastPoll = 0;
  /** Time the member's heartbeats are phased from (its join). */
  heartbeatPhase = 0;
  // Protocol state the group sets and onPoll() acts on (group.ts).
  /** Learned of a rebalance: rejoin at the next poll(). */
  rejoinPending = false;
  /** Waiting for the assignment after joining; an eager member consumes nothing meanwhile. */
  awaitingAssignment = false;
  /** No longer a member (left on poll timeout, evicted, session expired) without knowing yet. */
  outOfGroup = false;
  /** Asked to shut down cleanly at its next poll(). */
  closing = false;
  /** Partitions to give up at the next poll() (cooperative handover, KIP-848 reconciliation). */
  toRevoke: number[] = [];
  /** Partitions this member consumes now, in assignment order. */
  readonly consuming: number[] = [];
  readonly isConsuming: Uint8Array;

  private state = State.Waiting;
  private readonly sim: Simulation;
  private readonly oneWay: number;
  private readonly maxPollRecords: number;
  private readonly minBytes: number;
  private readonly maxWait: number;
  private readonly maxPartitionBytes: number;
  private readonly maxBytes: number;
  private readonly autoCommit: boolean;
  private readonly autoCommitInterval: number;
  private readonly syncCommit: boolean;
  private readonly maxPollInterval: number;
  private nextAutoCommit: number;
  private pollTimerArmed = false;

  // Buffered fetched records: a FIFO ring of segments [from, to), one partition each. A fetch
  // only asks for partitions with nothing buffered, so there is never more than one segment per
  // partition and the ring (sized to the topic) never needs to grow.
  private readonly segP: Int32Array;
  private readonly segFrom: Float64Array;
  private readonly segTo: Float64Array;
  private segHead = 0;
  private segCount = 0;
  /** Bumped whenever a partition is given to or taken from this member: stale fetch data is dropped. */
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
  /** Longest fetch throttle (consumer_byte_rate), ms. */
  maxThrottleMs = 0;

  // The poll batch being processed: per record its partition, create and done times; and the
  // batch as runs of consecutive offsets of one partition.
  private readonly bPart: Int32Array;
  private readonly bCreate: Float64Array;
  private readonly bDone: Float64Array;
  private bN = 0;
  private bRecorded = 0;
  private readonly runP: Int32Array;
  private readonly runFrom: Float64Array;
  private readonly runTo: Float64Array;
  private nRuns = 0;
  private cursor = 0;
  private step = 0;
  private batchStep = 0;
  private t = 0;

  private readonly perRecord: Sampler;
  private readonly perRecordZero: boolean;
  private readonly perBatch: Sampler;
  private readonly recordCalls: Service[];
  private readonly batchCalls: Service[];
  private readonly batchLevel: boolean;
  private readonly allInline: boolean;
  /** Mean and variance of per-record time when the batched fidelity may sum it per batch. */
  private readonly cpuSum: { mean: number; variance: number } | null;
  private pendingCommits: number[][] = [];

  constructor(
    private readonly group: GroupHost,
    /** Application instance slot (0-based), stable across restarts. */
    readonly slot: number,
    /** member.id as the coordinator knows it (ordered by join); a dynamic member gets a new one when it rejoins after leaving. */
    public memberId: string,
    /** group.instance.id when static. */
    readonly instanceId: string | undefined,
    services: Map<string, Service>,
    private readonly rng: Rng,
  ) {
    const { spec, ctx } = group;
    const c = spec.config;
    const P = group.logs.length;
    this.sim = ctx.sim;
    this.oneWay = Math.round(ctx.rtt / 2);
    this.maxPollRecords = c['max.poll.records'];
    this.minBytes = c['fetch.min.bytes'];
    this.maxWait = Math.round(c['fetch.max.wait.ms']);
    this.maxPartitionBytes = c['max.partition.fetch.bytes'];
    this.maxBytes = c['fetch.max.bytes'];
    this.autoCommit = c['enable.auto.commit'];
    this.autoCommitInterval = Math.round(c['auto.commit.interval.ms']);
    this.maxPollInterval = Math.round(c['max.poll.interval.ms']);
    this.leaderless = ctx.brokers?.hasLosses ?? false;
    this.quotaName = spec.name;
    this.hasQuota = ctx.brokers?.hasConsumerQuota(spec.name) ?? false;
    this.quotaBytes = new Float64Array(ctx.brokers?.count ?? 0);
    this.mutedUntil = new Float64Array(ctx.brokers?.count ?? 0);
    this.nextAutoCommit = this.sim.now + this.autoCommitInterval;
    this.syncCommit = spec.processing.commit === 'sync';
    this.isConsuming = new Uint8Array(P);
    this.epoch = new Int32Array(P);
    this.segP = new Int32Array(P);
    this.segFrom = new Float64Array(P);
    this.segTo = new Float64Array(P);
    this.fetchParts = new Int32Array(P);
    this.fetchEpochs = new Int32Array(P);
    this.respP = new Int32Array(P);
    this.respFrom = new Float64Array(P);
    this.respTo = new Float64Array(P);
    this.runP = new Int32Array(P);
    this.runFrom = new Float64Array(P);
    this.runTo = new Float64Array(P);
    this.bPart = new Int32Array(this.maxPollRecords);
    this.bCreate = new Float64Array(this.maxPollRecords);
    this.bDone = new Float64Array(this.maxPollRecords);
    const proc = spec.processing;
    this.perRecord = compile(proc['per-record']);
    this.perRecordZero = proc['per-record'].dist === 'constant' && proc['per-record'].value === 0;
    this.perBatch = compile(proc['per-batch']);
    this.recordCalls = proc.calls.filter((x) => x.per === 'record').map((x) => services.get(x.service)!);
    this.batchCalls = proc.calls.filter((x) => x.per === 'batch').map((x) => services.get(x.service)!);
    const perBatchZero = proc['per-batch'].dist === 'constant' && proc['per-batch'].value === 0;
    this.batchLevel = this.batchCalls.length > 0 || !perBatchZero;
    this.allInline = this.recordCalls.every((s) => s.inline);
    for (const event of ['poll', 'fetchAtBroker', 'wake', 'fetchResponse', 'startCall', 'batchDone', 'commitArrives', 'pollTimer', 'unmuted'] as const) {
      named(memberId, event, this[event]);
    }
    const v = variance(proc['per-record']);
    this.cpuSum = ctx.batched && this.recordCalls.length === 0 && Number.isFinite(v) ? { mean: mean(proc['per-record']), variance: v } : null;
  }

  /** Busy with a poll batch (processing or waiting for its commit), so not inside poll(). */
  get processing(): boolean {
    return this.state !== State.Waiting;
  }

  // ---- assignment -----------------------------------------------------------------------

  /** Starts consuming partition p from the group's position for it (already set by the group). */
  startConsuming(p: number): void {
    if (this.isConsuming[p]) return;
    this.isConsuming[p] = 1;
    this.epoch[p]++;
    this.consuming.push(p);
  }

  /** Stops consuming partition p: buffered records of it are dropped, in-flight fetch data too. */
  stopConsuming(p: number): void {
    if (!this.isConsuming[p]) return;
    this.isConsuming[p] = 0;
    this.epoch[p]++;
    this.consuming.splice(this.consuming.indexOf(p), 1);
    this.dropBuffered(p);
  }

  /** The member may fetch again (new partitions, or the end of a rebalance): poll if idle. */
  resume(): void {
    if (this.dead || this.state !== State.Waiting) return;
    this.sim.schedule(0, this.poll, 0, 1);
  }

  private dropBuffered(p: number): void {
    const ring = this.segP.length;
    let kept = 0;
    for (let i = 0; i < this.segCount; i++) {
      const at = (this.segHead + i) % ring;
      if (this.segP[at] === p) continue;
      const to = (this.segHead + kept) % ring;
      this.segP[to] = this.segP[at];
      this.segFrom[to] = this.segFrom[at];
      this.segTo[to] = this.segTo[at];
      kept++;
    }
    this.segCount = kept;
  }

  /** The process stops now (crash or shutdown): completions after now did not happen. */
  kill(): void {
    if (this.dead) return;
    this.dead = true;
    const now = this.sim.now;
    if (this.parked) {
      this.parked = false;
      this.group.parkedFetches--;
    }
    for (const p of [...this.consuming]) this.stopConsuming(p);
    this.retractAfter(now);
    this.bN = 0;
    this.bRecorded = 0;
  }

  /** Takes back recorded completions later than t (they are a suffix of the batch). */
  private retractAfter(t: number): void {
    const g = this.group;
    let first = this.bRecorded;
    while (first > 0 && this.bDone[first - 1] > t) first--;
    if (first === this.bRecorded) {
      this.reportRuns(this.bRecorded);
      return;
    }
    for (let i = first; i < this.bRecorded; i++) {
      const done = this.bDone[i];
      if (done >= g.ctx.end) break;
      g.metrics.latency.at(done)!.remove(done - this.bCreate[i]);
      g.metrics.processed.values[Math.floor(done / g.ctx.interval)]--;
    }
    this.bRecorded = first;
    this.reportRuns(first);
  }

  // ---- poll -----------------------------------------------------------------------------

  readonly poll = (): void => {
    if (this.dead) return;
    const now = this.sim.now;
    this.lastPoll = now;
    this.state = State.Waiting;
    if (this.group.onPoll(this)) return;
    if (this.autoCommit && now >= this.nextAutoCommit) {
      this.sendCommit();
      this.nextAutoCommit = now + this.autoCommitInterval;
    }
    if (this.segCount > 0) {
      this.takeBatch();
      this.sendFetch();
      this.state = State.Processing;
      this.t = now;
      this.cursor = 0;
      this.step = 0;
      this.batchStep = 0;
      this.bRecorded = 0;
      this.armPollTimer();
      this.process();
    } else {
      this.sendFetch();
    }
  };

  private armPollTimer(): void {
    if (this.pollTimerArmed) return;
    this.pollTimerArmed = true;
    this.sim.at(this.lastPoll + this.maxPollInterval, this.pollTimer, 0, 1);
  }

  /** The heartbeat thread's check of the poll timer (AbstractCoordinator.HeartbeatThread). */
  private readonly pollTimer = (): void => {
    this.pollTimerArmed = false;
    if (this.dead || this.state === State.Waiting) return;
    const deadline = this.lastPoll + this.maxPollInterval;
    if (this.sim.now < deadline) return this.armPollTimer();
    this.group.pollTimeout(this);
  };

  private takeBatch(): void {
    const g = this.group;
    const ring = this.segP.length;
    let n = 0;
    const max = this.maxPollRecords;
    let runs = 0;
    while (n < max && this.segCount > 0) {
      const h = this.segHead;
      const p = this.segP[h];
      const from = this.segFrom[h];
      const k = Math.min(this.segTo[h] - from, max - n);
      g.logs[p].copyCreateTimes(from, k, this.bCreate, n);
      // A loop, not TypedArray#fill: that is a call into the runtime, and most runs are a
      // few records long (a consumer keeping up polls one or two at a time).
      const part = this.bPart;
      const done = this.bDone;
      for (let i = n; i < n + k; i++) {
        part[i] = p;
        done[i] = Infinity;
      }
      this.runP[runs] = p;
      this.runFrom[runs] = from;
      this.runTo[runs] = from + k;
      runs++;
      n += k;
      g.position[p] = from + k;
      if (from + k === this.segTo[h]) {
        this.segHead = (h + 1) % ring;
        this.segCount--;
      } else {
        this.segFrom[h] = from + k;
      }
    }
    this.bN = n;
    this.nRuns = runs;
  }

  private hasBuffered(p: number): boolean {
    return this.group.position[p] < this.group.fetchOffset[p];
  }

  // ---- fetch ----------------------------------------------------------------------------

  private sendFetch(): void {
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
    if (this.dead || this.state !== State.Waiting) return;
    this.sendFetch();
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
    if (this.dead) return;
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
    if (this.dead) return;
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
    if (this.dead) return;
    const ring = this.segP.length;
    for (let i = 0; i < this.nResp; i++) {
      const p = this.respP[i];
      if (this.epoch[p] !== this.fetchEpochs[i]) continue; // taken away while in flight
      const at = (this.segHead + this.segCount++) % ring;
      this.segP[at] = p;
      this.segFrom[at] = this.respFrom[i];
      this.segTo[at] = this.respTo[i];
    }
    this.nResp = 0;
    this.fetchInFlight = false;
    if (this.state === State.Waiting) this.poll();
  };

  // ---- processing -----------------------------------------------------------------------

  /** Runs the batch forward from the cursor until it is done or waits on a queued call. */
  private process(): void {
    const n = this.bN;
    if (this.allInline && this.step === 0) {
      this.cursor = this.processInline(this.cursor, n);
    } else {
      while (this.cursor < n) {
        if (this.step === 0) {
          this.t += this.perRecord(this.rng);
          this.step = 1;
        }
        while (this.step <= this.recordCalls.length) {
          const s = this.recordCalls[this.step - 1];
          if (!s.inline) return this.callLater(s);
          this.t = s.callAt(this.t);
          this.step++;
        }
        this.bDone[this.cursor] = this.t;
        if (!this.batchLevel) this.record(this.cursor, this.t);
        this.cursor++;
        this.step = 0;
      }
    }
    if (this.batchLevel) {
      if (this.batchStep === 0) {
        this.t += this.perBatch(this.rng);
        this.batchStep = 1;
      }
      while (this.batchStep <= this.batchCalls.length) {
        const s = this.batchCalls[this.batchStep - 1];
        if (!s.inline) return this.callLater(s);
        this.t = s.callAt(this.t);
        this.batchStep++;
      }
      this.bDone.fill(this.t, 0, n);
      this.recordLinear(0, n, this.t, 0);
    }
    this.sim.at(Math.ceil(this.t), this.batchDone, 0, 1);
  }

  /** The hot loop: every per-record call is inline, so no event is needed per record. */
  private processInline(from: number, n: number): number {
    const rng = this.rng;
    const calls = this.recordCalls;
    const nCalls = calls.length;
    const perRecord = this.perRecord;
    const zero = this.perRecordZero;
    const batchLevel = this.batchLevel;
    const done = this.bDone;
    let t = this.t;
    if (this.cpuSum && n - from > 1) {
      // Batched fidelity: the batch's total time at once, records spread evenly across it.
      const k = n - from;
      const m = k * this.cpuSum.mean;
      const v = k * this.cpuSum.variance;
      const total = v > 0 ? gamma(this.rng, (m * m) / v, v / m) : m;
      const step = total / k;
      for (let i = from; i < n; i++) done[i] = t + (i - from + 1) * step;
      if (!batchLevel) this.recordLinear(from, n, t, step);
      this.t = t + total;
      return n;
    }
    for (let i = from; i < n; i++) {
      if (!zero) t += perRecord(rng);
      for (let c = 0; c < nCalls; c++) t = calls[c].callAt(t);
      done[i] = t;
      if (!batchLevel) this.record(i, t);
    }
    this.t = t;
    return n;
  }

  private cachedWindow = -1;
  private cachedHist: Histogram | undefined;

  private windowStart = 0;
  private windowEnd = -1;

  /** Points the cached window at the one holding time t (none past the run's end). */
  private enterWindow(t: number): void {
    const g = this.group;
    const interval = g.ctx.interval;
    const w = Math.floor(t / interval);
    this.cachedWindow = w;
    this.windowStart = w * interval;
    this.windowEnd = Math.min(g.ctx.end, (w + 1) * interval);
    this.cachedHist = t < g.ctx.end ? g.metrics.latency.at(t) : undefined;
    if (this.cachedHist === undefined) this.windowEnd = Infinity;
  }

  /** Record i of the batch completes at t: count it and its end-to-end latency. */
  private record(i: number, t: number): void {
    if (t >= this.windowEnd || t < this.windowStart) this.enterWindow(t);
    const h = this.cachedHist;
    if (h === undefined) return;
    h.record(t - this.bCreate[i]);
    this.group.metrics.processed.values[this.cachedWindow]++;
    this.bRecorded++;
  }

  /**
   * Records from..to-1 complete at t0 + (i - from + 1) * step (all at t0 when step is 0): the
   * same as calling record() for each, with the counters bumped once per window instead.
   */
  private recordLinear(from: number, to: number, t0: number, step: number): void {
    const create = this.bCreate;
    let i = from;
    while (i < to) {
      const t = t0 + (i - from + 1) * step;
      if (t >= this.windowEnd || t < this.windowStart) this.enterWindow(t);
      const h = this.cachedHist;
      if (h === undefined) return; // past the run's end, and so are the records after it
      const windowEnd = this.windowEnd;
      let j = i;
      for (; j < to; j++) {
        const tj = t0 + (j - from + 1) * step;
        if (tj >= windowEnd) break;
        h.record(tj - create[j]);
      }
      const n = j - i;
      this.group.metrics.processed.values[this.cachedWindow] += n;
      this.bRecorded += n;
      i = j;
    }
  }

  /** Tells the group the offsets of the batch's first k records, which have completed. */
  private reportRuns(k: number): void {
    let i = 0;
    for (let r = 0; r < this.nRuns && i < k; r++) {
      const len = this.runTo[r] - this.runFrom[r];
      const n = Math.min(k - i, len);
      this.group.completed(this.runP[r], this.runFrom[r], this.runFrom[r] + n);
      i += len;
    }
    this.nRuns = 0;
  }

  /** At the run's end: reports what of the current batch completed, keeping the rest as unfinished. */
  settle(): void {
    if (this.dead || this.bN === 0) return;
    const unfinished = this.unfinishedRuns();
    this.reportRuns(this.bRecorded);
    this.settled = unfinished;
  }

  /** Unfinished offsets at the run's end, after settle(): [p, from, to] triples. */
  settled: number[] = [];

  private waitingOn: Service | null = null;

  /** A call to a service with a queue: it must start at its own event, in time order. */
  private callLater(s: Service): void {
    this.waitingOn = s;
    this.sim.at(Math.max(this.sim.now, Math.ceil(this.t)), this.startCall, 0, 1);
  }

  private readonly startCall = (): void => {
    if (this.dead) return;
    this.waitingOn!.request(this);
  };

  callDone(): void {
    if (this.dead) return;
    this.t = this.sim.now;
    this.waitingOn = null;
    if (this.cursor < this.bN) this.step++;
    else this.batchStep++;
    this.process();
  }

  private readonly batchDone = (): void => {
    if (this.dead) return;
    this.reportRuns(this.bRecorded);
    this.bN = 0;
    this.bRecorded = 0;
    this.group.batchFinished(this);
    if (this.autoCommit || this.outOfGroup) {
      // Out of the group, a commit would fail (CommitFailedException) and is not sent.
      this.poll();
    } else if (this.syncCommit) {
      this.state = State.Committing;
      this.sendCommit();
      this.sim.schedule(2 * this.oneWay, this.poll, 0, 1);
    } else {
      this.sendCommit();
      this.poll();
    }
  };

  // ---- commits --------------------------------------------------------------------------

  /** Commits the positions of the partitions it consumes; the coordinator has them half a round trip later. */
  sendCommit(): void {
    const g = this.group;
    const snapshot: number[] = [];
    for (const p of this.consuming) {
      if (g.position[p] > g.committed[p]) snapshot.push(p, g.position[p]);
    }
    if (snapshot.length === 0) return;
    this.pendingCommits.push(snapshot);
    this.sim.schedule(this.oneWay, this.commitArrives, 0, 1);
  }

  private readonly commitArrives = (): void => {
    this.group.commitArrives(this, this.pendingCommits.shift()!);
  };

  // ---- observation ----------------------------------------------------------------------

  /** Create time of the first record of partition p in the current batch not completed by t. */
  oldestIncompleteIn(p: number, t: number): number {
    if (this.bN === 0) return Infinity;
    const done = this.bDone;
    // Completion times never decrease along the batch; skip what completed before t.
    let lo = 0;
    let hi = this.bN;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (done[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.bN; i++) if (this.bPart[i] === p) return this.bCreate[i];
    return Infinity;
  }

  /** Offsets of the current batch whose completion is not recorded: [p, from, to] triples. */
  unfinishedRuns(): number[] {
    const out: number[] = [];
    let i = 0;
    for (let r = 0; r < this.nRuns && this.bN > 0; r++) {
      const len = this.runTo[r] - this.runFrom[r];
      const lo = Math.max(this.bRecorded, i);
      if (i + len > lo) out.push(this.runP[r], this.runFrom[r] + (lo - i), this.runTo[r]);
      i += len;
    }
    return out;
  }
}

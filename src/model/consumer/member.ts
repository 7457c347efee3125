/**
 * A consumer group member's poll loop, following the Java client (ClassicKafkaConsumer.poll,
 * C/internals/FetchCollector.java):
 *
 * - poll() first does the group's work (ConsumerCoordinator.poll: rejoin, revoke, commit on
 *   revocation; see group.ts and the protocols behind coordinator.ts), then hands the
 *   application up to `max.poll.records` from the fetched buffer (fetcher.ts), draining one
 *   partition's records before the next; before returning, it sends the next fetch for
 *   partitions left with nothing buffered (pipelining).
 * - Auto-commit runs inside poll() every `auto.commit.interval.ms` and commits the positions of
 *   records returned by earlier polls (ConsumerCoordinator.maybeAutoCommitOffsetsAsync). With
 *   auto-commit off the member commits after each batch: sync (waits for the coordinator's
 *   answer before polling again) or async (carries on).
 * - The poll timer (`max.poll.interval.ms`): if processing a batch keeps the application from
 *   calling poll() for longer, the heartbeat thread gives up membership (handled by the group;
 *   AbstractCoordinator.HeartbeatThread); the application thread does not know and finishes its
 *   batch anyway.
 *
 * The batch itself is processed by the application (app/processing.ts), which tells the member
 * which offsets ended and when the batch is over.
 *
 * The application's clock is not the kernel's: a batch ends at an exact, fractional time, and the
 * kernel's event for its end stands at the next whole tick. The poll that follows a batch straight
 * away (and the next batch it starts) stands at that exact end, not at the tick, unless records it
 * hands over landed only at the tick: otherwise a consumer working back to back would lose up to
 * a microsecond per batch, which near saturation with microseconds of work per record adds up to
 * a slower server (+8% mean sojourn for M/M/1 at 10 us and rho 0.9).
 */
import { named, type Simulation } from '../../kernel/simulation.js';
import type { ConsumerGroupSpec } from '../../scenario/schema.js';
import type { Rng } from '../../random/stream.js';
import type { WindowedCounter } from '../../metrics/windows.js';
import type { Service } from '../app/service.js';
import type { Sink } from '../app/sink.js';
import { Processing, type ProcessingListener, type ProcessingMetrics, type RecordOutcome } from '../app/processing.js';
import { Fetcher, type FetchHost, type FetchOwner } from './fetcher.js';

export interface GroupMetrics extends ProcessingMetrics {
  /** Records lost (deleted by retention before being fetched, skipped by auto.offset.reset), by time. */
  lost: WindowedCounter;
}

/** What a member needs from its group: shared offsets and the coordinator's side of the protocol. */
export interface GroupHost extends FetchHost {
  readonly spec: ConsumerGroupSpec;
  readonly metrics: GroupMetrics;
  readonly committed: Float64Array;
  /** Group work at the start of poll(); true when the member may not fetch or process now. */
  onPoll(m: Member): boolean;
  /** The member's commit of these (partition, offset) pairs reaches the coordinator. */
  commitArrives(m: Member, snapshot: number[]): void;
  /** Offsets [from, to) of partition p ended with `outcome` (counted already in the windows). */
  recordsEnded(p: number, from: number, to: number, outcome: RecordOutcome): void;
  /** The member's poll timer ran out while it was processing. */
  pollTimeout(m: Member): void;
}

const enum State {
  Waiting,
  Processing,
  Committing,
}

export class Member implements FetchOwner, ProcessingListener {
  /** The process is gone (crashed or shut down); its pending events do nothing. */
  dead = false;
  /** Generation (classic) or member epoch (KIP-848) of the assignment the member holds. */
  generation = -1;
  /** Time of the last call to poll(), for the poll timer. */
  lastPoll = 0;
  /** Time the member's heartbeats are phased from (its join). */
  heartbeatPhase = 0;
  // Protocol state the group sets and onPoll() acts on (group.ts, classic.ts, kip848.ts).
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
  readonly fetcher: Fetcher;
  /** The application's processing of the batches this member's poll() returns. */
  readonly processing: Processing;

  private state = State.Waiting;
  private readonly sim: Simulation;
  private readonly oneWay: number;
  private readonly maxPollRecords: number;
  private readonly autoCommit: boolean;
  private readonly autoCommitInterval: number;
  private readonly syncCommit: boolean;
  private readonly maxPollInterval: number;
  private nextAutoCommit: number;
  private pollTimerArmed = false;
  /** The exact time the application comes back to poll() after its batch (its event is at the next tick). */
  private resumeAt = -Infinity;
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
    rng: Rng,
    /** Where the application's processing produces to (app/sink.ts), or null. */
    sink: Sink | null = null,
  ) {
    const { spec, ctx } = group;
    const c = spec.config;
    this.sim = ctx.sim;
    this.oneWay = Math.round(ctx.rtt / 2);
    this.maxPollRecords = c['max.poll.records'];
    this.autoCommit = c['enable.auto.commit'];
    this.autoCommitInterval = Math.round(c['auto.commit.interval.ms']);
    this.maxPollInterval = Math.round(c['max.poll.interval.ms']);
    this.nextAutoCommit = this.sim.now + this.autoCommitInterval;
    this.syncCommit = spec.processing.commit === 'sync';
    this.isConsuming = new Uint8Array(group.logs.length);
    this.fetcher = new Fetcher(group, this, this.consuming, this.isConsuming, spec, memberId);
    this.processing = new Processing(ctx, spec.processing, services, rng, group.metrics, this, this.maxPollRecords, group.logs.length, memberId, sink);
    for (const event of ['poll', 'commitArrives', 'pollTimer'] as const) named(memberId, event, this[event]);
  }

  /** Busy with a poll batch (processing or waiting for its commit), so not inside poll(). */
  get busy(): boolean {
    return this.state !== State.Waiting;
  }

  get waitingInPoll(): boolean {
    return this.state === State.Waiting;
  }

  // ---- assignment -----------------------------------------------------------------------

  /** Starts consuming partition p from the group's position for it (already set by the group). */
  startConsuming(p: number): void {
    if (this.isConsuming[p]) return;
    this.isConsuming[p] = 1;
    this.fetcher.assignmentChanged(p);
    this.consuming.push(p);
  }

  /** Stops consuming partition p: buffered records of it are dropped, in-flight fetch data too. */
  stopConsuming(p: number): void {
    if (!this.isConsuming[p]) return;
    this.isConsuming[p] = 0;
    this.fetcher.assignmentChanged(p);
    this.consuming.splice(this.consuming.indexOf(p), 1);
    this.fetcher.dropBuffered(p);
  }

  /** The member may fetch again (new partitions, or the end of a rebalance): poll if idle. */
  resume(): void {
    if (this.dead || this.state !== State.Waiting) return;
    this.sim.schedule(0, this.poll, 0, 1);
  }

  /** The process stops now (crash or shutdown): completions after now did not happen. */
  kill(): void {
    if (this.dead) return;
    this.dead = true;
    this.fetcher.close();
    for (const p of [...this.consuming]) this.stopConsuming(p);
    this.processing.abort(this.sim.now);
  }

  // ---- poll -----------------------------------------------------------------------------

  readonly poll = (): void => {
    if (this.dead) return;
    const now = this.sim.now;
    // The application's time: the exact end of the batch this poll follows, within the tick.
    const at = this.resumeAt > now - 1 ? this.resumeAt : now;
    this.resumeAt = -Infinity;
    this.lastPoll = now;
    this.state = State.Waiting;
    if (this.group.onPoll(this)) return;
    if (this.autoCommit && now >= this.nextAutoCommit) {
      this.sendCommit();
      this.nextAutoCommit = now + this.autoCommitInterval;
    }
    if (this.fetcher.hasRecords()) {
      // Records that landed at this very tick were not there at a fractional `at` before it.
      const landed = this.takeBatch();
      this.fetcher.send();
      this.state = State.Processing;
      this.armPollTimer();
      this.processing.start(Math.max(at, landed));
    } else {
      this.fetcher.send();
    }
  };

  /** Hands the application up to max.poll.records from the buffer, oldest segment first; returns when the last of them landed. */
  private takeBatch(): number {
    const position = this.group.position;
    const logs = this.group.logs;
    const buffer = this.fetcher;
    const batch = this.processing;
    const max = this.maxPollRecords;
    batch.clear();
    let n = 0;
    let landed = 0;
    while (n < max && buffer.hasRecords()) {
      if (buffer.headLandedAt() > landed) landed = buffer.headLandedAt();
      const p = buffer.headPartition();
      const from = buffer.headFrom();
      const k = Math.min(buffer.headTo() - from, max - n);
      batch.add(p, from, k, logs[p]);
      buffer.takeFromHead(k);
      n += k;
      position[p] = from + k;
    }
    return landed;
  }

  fetched(): void {
    if (this.state === State.Waiting) this.poll();
  }

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

  // ---- what processing tells the member -------------------------------------------------

  recordsEnded(p: number, from: number, to: number, outcome: RecordOutcome): void {
    this.group.recordsEnded(p, from, to, outcome);
  }

  batchEnded(): void {
    this.resumeAt = this.processing.endedAt;
    if (this.autoCommit || this.outOfGroup) {
      // Out of the group, a commit would fail (CommitFailedException) and is not sent.
      this.poll();
    } else if (this.syncCommit) {
      this.state = State.Committing;
      this.sendCommit();
      this.resumeAt += 2 * this.oneWay;
      this.sim.schedule(2 * this.oneWay, this.poll, 0, 1);
    } else {
      this.sendCommit();
      this.poll();
    }
  }

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
}

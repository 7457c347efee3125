/**
 * A consumer group: its application instances (each running a Member's poll loop), the group
 * coordinator's view of membership, which member owns and consumes each partition, and what the
 * rest of the model asks of a group (appends, deletions, lag, the run's accounting).
 *
 * The parts, named after Kafka's:
 * - member.ts, fetcher.ts: the client's poll loop and Fetcher; app/processing.ts: the application.
 * - coordinator.ts: the rebalance protocol behind one interface, `classic.ts` (eager and
 *   cooperative JoinGroup/SyncGroup) or `kip848.ts` (the consumer protocol), as
 *   `group.protocol` chooses.
 * - offsets.ts: the books (committed offsets, positions, done frontier, losses, duplicates).
 * - lifecycle.ts: crashes, scaling and rolling restarts.
 *
 * Membership, here for both protocols: a member joins with JoinGroup (or its first heartbeat)
 * and gets a member id ordered by join. A crashed process stops heartbeating and is removed
 * `session.timeout.ms` after its last heartbeat reached the coordinator. A member whose poll()
 * does not come back within `max.poll.interval.ms` gives up membership from its heartbeat
 * thread: a dynamic member sends LeaveGroup at once; a static member (`group.instance.id`)
 * under the classic protocol just stops heartbeating and is removed when its session expires;
 * if it rejoins before that, it gets its partitions back with no rebalance
 * (AbstractCoordinator.maybeLeaveGroup, handlePollTimeoutExpiry). A member that was removed
 * without knowing finds out at its next poll(): its partitions are lost (onPartitionsLost, no
 * commit) and it joins again as a new member.
 *
 * Offsets: a commit is accepted only from a current member the protocol accepts it from
 * (otherwise CommitFailedException). Records processed past the last accepted commit are
 * processed again by the next owner and counted as duplicates.
 *
 * The group starts stable at time 0 (its members joined before the run, so their heartbeats are
 * spread evenly over the interval: member i of n beats at i/n of it), and a run shows steady
 * state from the start; faults in the scenario change membership later.
 */
import type { Simulation } from '../../kernel/simulation.js';
import type { ConsumerGroupSpec, FaultSpec } from '../../scenario/schema.js';
import type { Rng } from '../../random/stream.js';
import type { MarkedEvent } from '../../metrics/result.js';
import type { PartitionLog } from '../log.js';
import type { ModelContext } from '../context.js';
import type { Service } from '../app/service.js';
import type { RecordOutcome } from '../app/processing.js';
import type { Sink } from '../app/sink.js';
import { Member, type GroupHost, type GroupMetrics } from './member.js';
import { Offsets } from './offsets.js';
import { computeAssignment, lastBeat, type Coordinator, type CoordinatorHost } from './coordinator.js';
import { ClassicCoordinator } from './classic.js';
import { ConsumerProtocolCoordinator } from './kip848.js';
import { Lifecycle, type LifecycleHost } from './lifecycle.js';
import type { AssignorName } from '../assignors/index.js';
import { maxOf } from '../../metrics/extremes.js';

export type { GroupMetrics } from './member.js';
export type { ModelContext } from '../context.js';

export interface CoordinatorSettings {
  initialRebalanceDelay: number;
  /** KIP-848 heartbeat interval and session timeout, set by the broker. */
  consumerHeartbeat: number;
  consumerSession: number;
}

export class ConsumerGroup implements GroupHost, CoordinatorHost, LifecycleHost {
  readonly committed: Float64Array;
  readonly fetchOffset: Float64Array;
  readonly position: Float64Array;
  membershipChanges = 0;
  pausedSeconds = 0;
  longestPause = 0;
  readonly marks: MarkedEvent[] = [];

  /** Member consuming each partition now (null when none: paused or unowned). */
  readonly consumer: (Member | null)[];
  /** Member the coordinator's assignment gives each partition (null: unowned). */
  readonly owner: (Member | null)[];
  /** The coordinator's members, in member-id order. */
  readonly members: Member[] = [];
  readonly sim: Simulation;
  readonly oneWay: number;

  readonly offsets: Offsets;
  readonly coordinator: Coordinator;
  readonly lifecycle: Lifecycle;
  private readonly pauseStart: Float64Array;
  private readonly replacedStatic = new Map<Member, number>();
  private seq = 0;

  constructor(
    readonly ctx: ModelContext,
    readonly spec: ConsumerGroupSpec,
    readonly logs: PartitionLog[],
    private readonly services: Map<string, Service>,
    readonly metrics: GroupMetrics,
    private readonly rngFor: (id: string) => Rng,
    settings: CoordinatorSettings,
    /** Where an application instance's processing produces to (a stage of a pipeline), made per instance; none for a last stage. */
    private readonly sinkFor: (memberId: string) => Sink | null = () => null,
  ) {
    const P = logs.length;
    this.sim = ctx.sim;
    this.oneWay = Math.round(ctx.rtt / 2);
    this.pauseStart = new Float64Array(P);
    this.consumer = new Array(P).fill(null);
    this.owner = new Array(P).fill(null);
    const c = spec.config;
    this.offsets = new Offsets(this.sim, logs, metrics.lost, c['auto.offset.reset'], this.consumer);
    this.committed = this.offsets.committed;
    this.fetchOffset = this.offsets.fetchOffset;
    this.position = this.offsets.position;
    const autoCommit = c['enable.auto.commit'];
    if (c['group.protocol'] === 'consumer') {
      this.coordinator = new ConsumerProtocolCoordinator(this, {
        assignor: c['group.remote.assignor'] === 'range' ? 'server-range' : 'uniform',
        heartbeatInterval: settings.consumerHeartbeat,
        sessionTimeout: settings.consumerSession,
        autoCommit,
      });
    } else {
      const strategy = c['partition.assignment.strategy'] ?? ['range', 'cooperative-sticky'];
      const list: AssignorName[] = typeof strategy === 'string' ? [strategy] : strategy;
      // The group uses the first assignor; the protocol is cooperative only if every listed
      // assignor supports it (ConsumerCoordinator), so the default [range, cooperative-sticky] is eager.
      this.coordinator = new ClassicCoordinator(this, {
        protocol: list.every((a) => a === 'cooperative-sticky') ? 'cooperative' : 'eager',
        assignor: list[0],
        heartbeatInterval: c['heartbeat.interval.ms'] ?? 3_000_000,
        sessionTimeout: c['session.timeout.ms'] ?? 45_000_000,
        rebalanceTimeout: Math.round(c['max.poll.interval.ms']),
        initialRebalanceDelay: settings.initialRebalanceDelay,
        autoCommit,
      });
    }
    this.lifecycle = new Lifecycle(this, autoCommit);
  }

  get protocolName(): string {
    return this.coordinator.protocol;
  }

  // ---- the books --------------------------------------------------------------------------

  get unique(): number {
    return this.offsets.unique;
  }

  get duplicates(): number {
    return this.offsets.duplicates;
  }

  get lost(): { retention: number; 'offset-reset': number } {
    return this.offsets.lost;
  }

  get rebalances(): number {
    return this.coordinator.rebalances;
  }

  // ---- start-up -------------------------------------------------------------------------

  /** Members joined before the run: the assignment of generation 1, consuming from offset 0. */
  start(): void {
    const n = this.spec.instances;
    const heartbeat = this.coordinator.heartbeatInterval;
    for (let i = 0; i < n; i++) {
      const m = this.lifecycle.launch(i);
      m.generation = this.coordinator.generation;
      // They joined at different times before the run: heartbeats spread evenly over the interval.
      m.heartbeatPhase = Math.floor((i * heartbeat) / n);
      this.members.push(m);
    }
    const assignment = computeAssignment(this.members, this.owner, this.coordinator.assignor, false);
    for (const m of this.members) {
      for (const p of assignment.get(m) ?? []) {
        this.owner[p] = m;
        this.startConsuming(m, p);
      }
      this.sim.at(0, m.poll, 0, 1);
    }
    this.coordinator.started(assignment);
  }

  newMember(slot: number): Member {
    const staticId = this.spec.config['group.instance.id'];
    const id = this.nextMemberId();
    const m = new Member(this, slot, id, staticId === undefined ? undefined : `${staticId}-${slot}`, this.services, this.rngFor(`${this.spec.name}-${slot}@${this.seq}`), this.sinkFor(id));
    m.heartbeatPhase = this.sim.now;
    m.lastPoll = this.sim.now;
    return m;
  }

  private nextMemberId(): string {
    return `${this.spec.name}-${String(++this.seq).padStart(5, '0')}`;
  }

  /** Schedules the group's faults (consumer crash, rolling restart, scale). */
  /** Schedules the scenario's faults that concern this group: those naming it, or naming none (a scenario of one group). */
  scheduleFaults(faults: FaultSpec[]): void {
    const name = this.spec.name;
    this.lifecycle.scheduleFaults(
      faults.filter((f) => concernsGroup(f, name)),
      this.ctx.end,
    );
  }

  // ---- partitions: consuming, paused, unowned --------------------------------------------

  private startConsuming(m: Member, p: number): void {
    if (m.dead || m.isConsuming[p]) return;
    const prev = this.consumer[p];
    if (prev && prev !== m) prev.stopConsuming(p);
    const now = this.sim.now;
    if (prev === null && now > 0) {
      const d = (now - this.pauseStart[p]) / 1e6;
      this.pausedSeconds += d;
      if (d > this.longestPause) this.longestPause = d;
    }
    this.consumer[p] = m;
    m.startConsuming(p);
  }

  stopConsuming(m: Member, p: number): void {
    if (!m.isConsuming[p]) return;
    m.stopConsuming(p);
    if (this.consumer[p] === m) {
      this.consumer[p] = null;
      this.pauseStart[p] = this.sim.now;
    }
  }

  offsetFetchThenConsume(m: Member, parts: number[], gen: number): void {
    if (parts.length === 0) return;
    this.sim.schedule(2 * this.oneWay, () => {
      if (m.dead || m.outOfGroup || m.generation !== gen) return;
      for (const p of parts) {
        if (this.owner[p] !== m) continue;
        const from = this.committed[p];
        this.position[p] = from;
        this.fetchOffset[p] = from;
        this.startConsuming(m, p);
        m.fetcher.offsetsMoved(p);
      }
      m.resume();
    }, 0, 1);
  }

  /** Partitions paused (owned by a member that is not consuming them) and unowned, now. */
  pausedAndUnowned(): { paused: number; unowned: number } {
    let paused = 0;
    let unowned = 0;
    for (let p = 0; p < this.owner.length; p++) {
      if (this.consumer[p] !== null) continue;
      if (this.owner[p] === null) unowned++;
      else paused++;
    }
    return { paused, unowned };
  }

  membersInGroup(): number {
    return this.members.length;
  }

  isMember(m: Member): boolean {
    return this.members.includes(m);
  }

  // ---- what the logs and the members tell the group ----------------------------------------

  dataAppended(p: number): void {
    const m = this.consumer[p];
    if (m) m.fetcher.dataAppended(p);
  }

  /**
   * Retention deleted [from, to) of p. Nothing is lost yet: a deleted record is lost once nobody
   * can process it any more (Offsets). The consumer's fetcher hears of it (its fetch offset may
   * now lie below the log start).
   */
  deleted(p: number, _from: number, _to: number, _now: number): void {
    this.consumer[p]?.fetcher.offsetsMoved(p);
  }

  offsetOutOfRange(p: number): number {
    return this.offsets.offsetOutOfRange(p);
  }

  recordsEnded(p: number, from: number, to: number, outcome: RecordOutcome): void {
    this.offsets.recordsEnded(p, from, to, outcome);
  }

  commitArrives(m: Member, snapshot: number[]): void {
    if (!this.members.includes(m) || m.outOfGroup || !this.coordinator.acceptsCommit(m)) return;
    this.offsets.commit(snapshot);
  }

  onPoll(m: Member): boolean {
    if (m.closing) {
      this.lifecycle.close(m);
      return true;
    }
    if (m.outOfGroup) {
      // Found out at last: its partitions are lost (onPartitionsLost, no commit), and it joins
      // again as a new member (a static one keeps its group.instance.id).
      m.outOfGroup = false;
      for (const p of [...m.consuming]) this.stopConsuming(m, p);
      m.toRevoke = [];
      m.rejoinPending = false;
      m.generation = -1;
      if (!m.instanceId) m.memberId = this.nextMemberId();
      m.heartbeatPhase = this.sim.now;
      m.awaitingAssignment = true;
      this.sim.schedule(this.oneWay, () => this.joinArrives(m), 0, 1);
      return true;
    }
    if (m.awaitingAssignment) return true;
    return this.coordinator.poll(m);
  }

  pollTimeout(m: Member): void {
    if (!this.members.includes(m) || m.outOfGroup) return;
    this.note('member left (poll timeout)');
    m.outOfGroup = true;
    if (m.instanceId && this.coordinator.staticLeavesSilently) {
      // A static member sends nothing; its heartbeats stop and its session runs out.
      this.expireAfterSilence(m, this.sim.now);
      return;
    }
    for (const p of [...m.consuming]) this.stopConsuming(m, p);
    this.sim.schedule(this.oneWay, () => this.leaveArrives(m, 'poll timeout'), 0, 1);
  }

  // ---- membership -------------------------------------------------------------------------

  /** Removal once no heartbeat has arrived for session.timeout.ms after the member went silent at t. */
  expireAfterSilence(m: Member, t: number): void {
    const { heartbeatInterval, sessionTimeout } = this.coordinator;
    const at = Math.max(this.sim.now, lastBeat(m, t, heartbeatInterval) + this.oneWay + sessionTimeout);
    const silentSince = t;
    this.sim.at(at, () => {
      if (!this.members.includes(m)) return;
      // A static member that came back within the session has been replaced, not expired.
      if (m.instanceId && this.replacedStatic.get(m) !== undefined && this.replacedStatic.get(m)! > silentSince) return;
      this.leaveArrives(m, 'session timeout');
    }, 0, 1);
  }

  joinArrives(m: Member): void {
    if (m.dead) return;
    // A static member coming back while the coordinator still has its instance id takes its
    // place and its assignment, with no rebalance (static member replacement).
    const old = m.instanceId ? this.members.find((x) => x.instanceId === m.instanceId) : undefined;
    if (old) {
      this.replaceStatic(old, m);
      return;
    }
    if (!this.members.includes(m)) {
      this.insertMember(m);
      this.membershipChanges++;
      this.note('member joined');
    }
    this.coordinator.memberJoined(m);
  }

  private replaceStatic(old: Member, m: Member): void {
    this.replacedStatic.set(old, this.sim.now);
    this.members[this.members.indexOf(old)] = m;
    if (this.coordinator.staticMemberReplaced(old, m)) return;
    m.generation = this.coordinator.generation;
    this.note('static member back (no rebalance)');
    const parts: number[] = [];
    for (let p = 0; p < this.owner.length; p++) {
      if (this.owner[p] === old) {
        this.owner[p] = m;
        parts.push(p);
      }
    }
    // JoinGroup response with the current assignment, then SyncGroup: two round trips.
    const epoch = this.coordinator.generation;
    this.sim.schedule(4 * this.oneWay, () => {
      if (m.dead) return;
      m.awaitingAssignment = false;
      this.coordinator.staticMemberBack(m, epoch);
      this.offsetFetchThenConsume(m, parts, m.generation);
      m.resume();
    }, 0, 1);
  }

  private insertMember(m: Member): void {
    let i = this.members.length;
    while (i > 0 && this.members[i - 1].memberId > m.memberId) i--;
    this.members.splice(i, 0, m);
  }

  leaveArrives(m: Member, reason: string): void {
    if (!this.members.includes(m)) return;
    this.removeMember(m, `member removed (${reason})`);
    this.coordinator.memberLeft(m);
  }

  removeMember(m: Member, label: string): void {
    this.members.splice(this.members.indexOf(m), 1);
    this.membershipChanges++;
    m.outOfGroup = !m.dead;
    for (let p = 0; p < this.owner.length; p++) if (this.owner[p] === m) this.owner[p] = null;
    for (const p of [...m.consuming]) this.stopConsuming(m, p);
    this.note(label);
  }

  note(label: string): void {
    this.marks.push({ timeSeconds: this.sim.now / 1e6, kind: 'group', label });
  }

  // ---- observation and accounting --------------------------------------------------------

  /**
   * Age (ticks) at time t of the oldest visible record of partition p whose processing has not
   * completed, or 0 if there is none.
   */
  oldestUnprocessedAge(p: number, t: number, leo: number): number {
    const m = this.consumer[p];
    let created = Infinity;
    if (m) created = m.processing.oldestIncompleteIn(p, t);
    if (created === Infinity) {
      const next = m ? this.position[p] : Math.max(this.offsets.doneHigh[p], this.committed[p]);
      if (next < leo) created = this.logs[p].createTime(next);
    }
    return created === Infinity ? 0 : Math.max(0, t - created);
  }

  /** At the run's end: pause time still open, and what members were in the middle of. */
  settle(end: number): void {
    for (let p = 0; p < this.consumer.length; p++) {
      if (this.consumer[p] !== null) continue;
      const d = (end - this.pauseStart[p]) / 1e6;
      this.pausedSeconds += d;
      if (d > this.longestPause) this.longestPause = d;
    }
    const slots = this.lifecycle.slots;
    for (const m of slots) m?.processing.settle();
    for (const m of this.members) if (!slots.includes(m)) m.processing.settle();
    this.offsets.settle(end, this.unfinished());
  }

  /** The members' unfinished runs at the end, after settle: [p, from, to] triples each. */
  private unfinished(): number[][] {
    const out: number[][] = [];
    const seen = new Set<Member>();
    for (const m of [...this.lifecycle.slots, ...this.members]) {
      if (!m || seen.has(m)) continue;
      seen.add(m);
      out.push(m.processing.settled);
    }
    return out;
  }

  /** Offsets of p processed or lost (everything below is accounted for), for the run's end. */
  accountedOffsets(p: number): number {
    return this.offsets.accountedOffsets(p);
  }

  /** Longest fetch throttle any member had (consumer_byte_rate), ms. */
  get maxFetchThrottleMs(): number {
    return maxOf(this.lifecycle.everyone.map((m) => m.fetcher.maxThrottleMs), 0);
  }

  /** Records handed to the application and not completed at the end, not counted elsewhere. */
  inProcessing(leo: (p: number) => number): number {
    return this.offsets.inProcessing(this.unfinished(), leo);
  }
}

/** Whether a fault concerns group `name`: it names the group, or names none (the loader allows that only in a scenario of one group). */
export function concernsGroup(f: FaultSpec, name: string): boolean {
  return !('group' in f) || f.group === undefined || f.group === name;
}

/**
 * A consumer group: its application instances (each running a Member's poll loop), the group
 * coordinator's view of membership, the assignment, and the committed offsets.
 *
 * Two protocols, as in Kafka 4.0:
 *
 * Classic (`group.protocol: classic`, GC/classic/ClassicGroup, ConsumerCoordinator): a change of
 * membership (a join, a LeaveGroup, a session that expired) moves the group to PreparingRebalance.
 * Members learn of it from a heartbeat response (heartbeats every `heartbeat.interval.ms`, phased
 * from the member's join) and rejoin inside their next poll(), that is after the batch they are
 * processing. The join phase ends when every member has rejoined or the rebalance timeout (the
 * largest `max.poll.interval.ms`) has passed, evicting those that did not; a group that was empty
 * first waits `group.initial.rebalance.delay.ms`, extended by each new member (InitialDelayedJoin).
 * The leader's assignment reaches everyone after the JoinGroup response, the leader's SyncGroup
 * and its response (1.5 round trips). A member then fetches its committed offsets (one round
 * trip) and starts fetching.
 * - Eager (any assignor other than cooperative-sticky in partition.assignment.strategy): before
 *   rejoining, a member commits (with auto-commit on) and revokes everything
 *   (ConsumerCoordinator.onJoinPrepare), so the whole group stops until SyncGroup.
 * - Cooperative (cooperative-sticky only): members rejoin without revoking and keep consuming;
 *   the assignor holds back partitions that change owner, their old owners revoke them at the
 *   next poll (committing first) and rejoin at once, and a second rebalance hands them over.
 *
 * Consumer (`group.protocol: consumer`, KIP-848, GC/modern): no join barrier. Every change bumps
 * the group epoch and the coordinator computes a target assignment with the server-side assignor
 * (`group.remote.assignor`: uniform or range). Each member learns its target from its next
 * heartbeat (`group.consumer.heartbeat.interval.ms`), revokes what it must give up in its next
 * poll() and acknowledges at once; a partition reaches its new owner at that owner's next
 * heartbeat after the old owner released it (MemberState UNREVOKED_PARTITIONS and
 * UNRELEASED_PARTITIONS). Members that keep their partitions never stop.
 *
 * Failure detection: a crashed process stops heartbeating and is removed `session.timeout.ms`
 * after its last heartbeat reached the coordinator. A member whose poll() does not come back within
 * `max.poll.interval.ms` gives up membership from its heartbeat thread: a dynamic member sends
 * LeaveGroup at once; a static member (`group.instance.id`) just stops heartbeating and is
 * removed when its session expires; if it rejoins before that, it gets its partitions back with
 * no rebalance (AbstractCoordinator.maybeLeaveGroup, handlePollTimeoutExpiry). A clean shutdown
 * commits, then a dynamic member leaves, a static one does not.
 *
 * Offsets: a commit is accepted only from a current member (otherwise CommitFailedException).
 * Records processed past the last accepted commit are processed again by the next owner and
 * counted as duplicates: duplicates = completions - distinct offsets completed.
 *
 * The group starts stable at time 0 (its members joined before the run, so their heartbeats are
 * spread evenly over the interval: member i of n beats at i/n of it), and a run shows steady
 * state from the start; faults in the scenario change membership later.
 */
import type { Simulation } from '../kernel/simulation.js';
import type { ConsumerGroupSpec, FaultSpec } from '../scenario/schema.js';
import type { Rng } from '../random/stream.js';
import type { MarkedEvent } from '../metrics/result.js';
import type { PartitionLog } from './log.js';
import type { Service } from './app/service.js';
import type { RecordOutcome } from './app/processing.js';
import type { ModelContext } from './context.js';
import { Member, type GroupHost, type GroupMetrics } from './consumer/member.js';
import { assign, assignCooperativeSticky, type AssignorName, type GroupMember } from './assignors/index.js';

export type { GroupMetrics } from './consumer/member.js';
export type { ModelContext } from './context.js';

export interface CoordinatorSettings {
  initialRebalanceDelay: number;
  /** KIP-848 heartbeat interval and session timeout, set by the broker. */
  consumerHeartbeat: number;
  consumerSession: number;
}

type ClassicState = 'stable' | 'preparing' | 'syncing' | 'empty';

export class ConsumerGroup implements GroupHost {
  readonly committed: Float64Array;
  readonly fetchOffset: Float64Array;
  readonly position: Float64Array;
  /** First offset no member has completed yet (everything below is processed or lost). */
  readonly doneHigh: Float64Array;
  parkedFetches = 0;

  // Accounting.
  unique = 0;
  duplicates = 0;
  rebalances = 0;
  membershipChanges = 0;
  readonly lost = { retention: 0, 'offset-reset': 0 };

  /** Member consuming each partition now (null when none: paused or unowned). */
  readonly consumer: (Member | null)[];
  /** Member the coordinator's assignment gives each partition (null: unowned). */
  readonly owner: (Member | null)[];
  private readonly pauseStart: Float64Array;
  pausedSeconds = 0;
  longestPause = 0;

  /** Running processes by application slot (null while an instance is down). */
  readonly slots: (Member | null)[] = [];
  /** Every process the group ever ran. */
  private readonly everyone: Member[] = [];
  /** The coordinator's members, in member-id order. */
  private members: Member[] = [];
  private seq = 0;

  readonly marks: MarkedEvent[] = [];
  private readonly sim: Simulation;
  private readonly oneWay: number;
  private readonly protocol: 'eager' | 'cooperative' | 'consumer';
  private readonly assignor: AssignorName;
  private readonly heartbeat: number;
  private readonly session: number;
  private readonly rebalanceTimeout: number;

  // Classic coordinator.
  private state: ClassicState = 'stable';
  private generation = 1;
  private joined = new Set<Member>();
  private rebalanceStarted = 0;
  private deadline = 0;
  private again = false;
  private initialDelayUntil = 0;

  // KIP-848 coordinator: target assignment per member, and who still holds what.
  private target = new Map<Member, number[]>();
  private epochStarted = -1;

  constructor(
    readonly ctx: ModelContext,
    readonly spec: ConsumerGroupSpec,
    readonly logs: PartitionLog[],
    private readonly services: Map<string, Service>,
    readonly metrics: GroupMetrics,
    private readonly rngFor: (id: string) => Rng,
    private readonly settings: CoordinatorSettings,
  ) {
    const coordinator = settings;
    const P = logs.length;
    this.sim = ctx.sim;
    this.oneWay = Math.round(ctx.rtt / 2);
    this.committed = new Float64Array(P);
    this.fetchOffset = new Float64Array(P);
    this.position = new Float64Array(P);
    this.doneHigh = new Float64Array(P);
    this.pauseStart = new Float64Array(P);
    this.consumer = new Array(P).fill(null);
    this.owner = new Array(P).fill(null);
    const c = spec.config;
    if (c['group.protocol'] === 'consumer') {
      this.protocol = 'consumer';
      this.assignor = c['group.remote.assignor'] === 'range' ? 'server-range' : 'uniform';
      this.heartbeat = coordinator.consumerHeartbeat;
      this.session = coordinator.consumerSession;
    } else {
      const strategy = c['partition.assignment.strategy'] ?? ['range', 'cooperative-sticky'];
      const list = typeof strategy === 'string' ? [strategy] : strategy;
      // The group uses the first assignor; the protocol is cooperative only if every listed
      // assignor supports it (ConsumerCoordinator), so the default [range, cooperative-sticky] is eager.
      this.assignor = list[0];
      this.protocol = list.every((a) => a === 'cooperative-sticky') ? 'cooperative' : 'eager';
      this.heartbeat = c['heartbeat.interval.ms'] ?? 3_000_000;
      this.session = c['session.timeout.ms'] ?? 45_000_000;
    }
    this.rebalanceTimeout = Math.round(c['max.poll.interval.ms']);
  }

  get protocolName(): string {
    return this.protocol;
  }

  // ---- start-up -------------------------------------------------------------------------

  /** Members joined before the run: the assignment of generation 1, consuming from offset 0. */
  start(): void {
    const n = this.spec.instances;
    for (let i = 0; i < n; i++) {
      const m = this.spawn(i);
      m.generation = 1;
      // They joined at different times before the run: heartbeats spread evenly over the interval.
      m.heartbeatPhase = Math.floor((i * this.heartbeat) / n);
      this.members.push(m);
    }
    const assignment = this.compute(this.members, false);
    for (const m of this.members) {
      for (const p of assignment.get(m) ?? []) {
        this.owner[p] = m;
        this.startConsuming(m, p);
      }
      if (this.protocol === 'consumer') this.target.set(m, assignment.get(m) ?? []);
      this.sim.at(0, m.poll, 0, 1);
    }
  }

  private spawn(slot: number): Member {
    const staticId = this.spec.config['group.instance.id'];
    const id = this.nextMemberId();
    const m = new Member(this, slot, id, staticId === undefined ? undefined : `${staticId}-${slot}`, this.services, this.rngFor(`${this.spec.name}-${slot}@${this.seq}`));
    m.heartbeatPhase = this.sim.now;
    m.lastPoll = this.sim.now;
    this.slots[slot] = m;
    this.everyone.push(m);
    return m;
  }

  private nextMemberId(): string {
    return `${this.spec.name}-${String(++this.seq).padStart(5, '0')}`;
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

  private stopConsuming(m: Member, p: number): void {
    if (!m.isConsuming[p]) return;
    m.stopConsuming(p);
    if (this.consumer[p] === m) {
      this.consumer[p] = null;
      this.pauseStart[p] = this.sim.now;
    }
  }

  /** A member's partitions after fetching their committed offsets (one round trip). */
  private offsetFetchThenConsume(m: Member, parts: number[], gen: number): void {
    if (parts.length === 0) return;
    this.sim.schedule(2 * this.oneWay, () => {
      if (m.dead || m.outOfGroup || m.generation !== gen) return;
      for (const p of parts) {
        if (this.owner[p] !== m) continue;
        const from = this.committed[p];
        this.position[p] = from;
        this.fetchOffset[p] = from;
        this.startConsuming(m, p);
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

  // ---- GroupHost: what members call ------------------------------------------------------

  dataAppended(p: number): void {
    if (this.parkedFetches === 0) return;
    const m = this.consumer[p];
    if (m) m.fetcher.dataAppended(p);
  }

  recordsEnded(p: number, from: number, to: number, _outcome: RecordOutcome): void {
    const high = this.doneHigh[p];
    if (to <= high) {
      this.duplicates += to - from;
      return;
    }
    if (from < high) {
      this.duplicates += high - from;
      this.unique += to - high;
    } else {
      this.unique += to - from;
    }
    this.doneHigh[p] = to;
    if (this.gaps.size > 0) this.closeGap(p);
  }

  commitArrives(m: Member, snapshot: number[]): void {
    // The coordinator takes commits only from a current member of the current generation
    // (classic) or with a known member epoch (consumer protocol).
    if (!this.members.includes(m) || m.outOfGroup) return;
    if (this.protocol !== 'consumer' && m.generation !== this.generation) return;
    for (let i = 0; i < snapshot.length; i += 2) {
      const p = snapshot[i];
      if (snapshot[i + 1] > this.committed[p]) {
        this.committed[p] = snapshot[i + 1];
        this.logs[p].release(this.committed[p]);
      }
    }
  }

  // ---- retention: lost records and offset resets ------------------------------------------

  /**
   * Per partition, runs of offsets [from, to) above everything processed that will never be
   * processed (deleted before being fetched, or skipped by a reset), in offset order; doneHigh
   * jumps over a run once processing reaches it, so "done or lost" stays a prefix of the log.
   */
  private readonly gaps = new Map<number, [number, number][]>();

  /** First offset of p not yet fetched by whoever consumes it (or not yet processed, if nobody does). */
  private frontier(p: number): number {
    const gaps = this.gaps.get(p);
    const high = Math.max(this.doneHigh[p], gaps && gaps.length > 0 ? gaps[gaps.length - 1][1] : 0);
    return this.consumer[p] ? Math.max(high, this.fetchOffset[p]) : high;
  }

  private lose(p: number, from: number, to: number, reason: 'retention' | 'offset-reset'): void {
    if (to <= from) return;
    this.lost[reason] += to - from;
    this.metrics.lost.add(this.sim.now, to - from);
    let gaps = this.gaps.get(p);
    if (!gaps) this.gaps.set(p, (gaps = []));
    const last = gaps[gaps.length - 1];
    if (last && last[1] === from) last[1] = to;
    else gaps.push([from, to]);
    this.closeGap(p);
  }

  private closeGap(p: number): void {
    const gaps = this.gaps.get(p);
    if (!gaps) return;
    while (gaps.length > 0 && this.doneHigh[p] >= gaps[0][0]) {
      this.doneHigh[p] = Math.max(this.doneHigh[p], gaps[0][1]);
      gaps.shift();
    }
    if (gaps.length === 0) this.gaps.delete(p);
  }

  /** Retention deleted [from, to) of p: what no one had fetched yet is lost. */
  deleted(p: number, from: number, to: number, _now: number): void {
    this.lose(p, Math.max(from, this.frontier(p)), to, 'retention');
  }

  offsetOutOfRange(p: number): number {
    const log = this.logs[p];
    const start = log.logStartOffset;
    if (this.spec.config['auto.offset.reset'] === 'earliest') return start;
    // latest: everything still retained is skipped.
    const end = log.endOffsetBefore(this.sim.now + 1);
    this.lose(p, Math.max(start, this.frontier(p)), end, 'offset-reset');
    return Math.max(start, end);
  }

  /** Offsets of p processed or lost (everything below is accounted for), for the run's end. */
  accountedOffsets(p: number): number {
    let n = this.doneHigh[p];
    for (const [from, to] of this.gaps.get(p) ?? []) n += to - from;
    return n;
  }

  onPoll(m: Member): boolean {
    const now = this.sim.now;
    if (m.closing) {
      this.close(m);
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
      m.heartbeatPhase = now;
      m.awaitingAssignment = true;
      this.sim.schedule(this.oneWay, () => this.joinArrives(m), 0, 1);
      return true;
    }
    if (m.awaitingAssignment) return true;
    if (this.protocol === 'consumer') return this.reconcile(m);
    if (m.toRevoke.length > 0) {
      // Cooperative handover: commit and revoke what the assignor took away, then rejoin at once.
      const revoked = m.toRevoke;
      m.toRevoke = [];
      if (this.spec.config['enable.auto.commit']) m.sendCommit();
      for (const p of revoked) {
        this.stopConsuming(m, p);
        if (this.owner[p] === m) this.owner[p] = null;
      }
      this.sim.schedule(3 * this.oneWay, () => this.joinArrives(m), 0, 1);
    }
    if (m.rejoinPending) {
      m.rejoinPending = false;
      if (this.protocol === 'eager') {
        // onJoinPrepare: commit synchronously, revoke everything, then send JoinGroup.
        const committing = this.spec.config['enable.auto.commit'] && m.consuming.length > 0;
        if (committing) m.sendCommit();
        for (const p of [...m.consuming]) {
          this.stopConsuming(m, p);
          if (this.owner[p] === m) this.owner[p] = null;
        }
        for (let p = 0; p < this.owner.length; p++) if (this.owner[p] === m) this.owner[p] = null;
        m.awaitingAssignment = true;
        this.sim.schedule((committing ? 2 : 0) * this.oneWay + this.oneWay, () => this.joinArrives(m), 0, 1);
        return true;
      }
      this.sim.schedule(this.oneWay, () => this.joinArrives(m), 0, 1);
    }
    return false;
  }

  pollTimeout(m: Member): void {
    const now = this.sim.now;
    const inGroup = this.members.includes(m);
    if (!inGroup || m.outOfGroup) return;
    this.note('member left (poll timeout)');
    if (m.instanceId && this.protocol !== 'consumer') {
      // A static member sends nothing; its heartbeats stop and its session runs out.
      m.outOfGroup = true;
      this.expireAfterSilence(m, now);
      return;
    }
    m.outOfGroup = true;
    for (const p of [...m.consuming]) this.stopConsuming(m, p);
    this.sim.schedule(this.oneWay, () => this.leaveArrives(m, 'poll timeout'), 0, 1);
  }

  // ---- faults ---------------------------------------------------------------------------

  /** Schedules the group's faults (consumer crash, rolling restart, scale). */
  scheduleFaults(faults: FaultSpec[]): void {
    for (const f of faults) {
      if (f.at >= this.ctx.end) continue;
      switch (f.type) {
        case 'consumer-crash':
          this.sim.at(f.at, () => this.crash(f.member, f['restart-after']), 0, 1);
          this.marks.push({ timeSeconds: f.at / 1e6, kind: 'fault', label: `consumer ${f.member} crashes` });
          break;
        case 'rolling-restart':
          this.sim.at(f.at, () => this.rollFrom(0, f.interval, f.downtime), 0, 1);
          this.marks.push({ timeSeconds: f.at / 1e6, kind: 'fault', label: 'rolling restart begins' });
          break;
        case 'scale':
          this.sim.at(f.at, () => this.scale(f.instances), 0, 1);
          this.marks.push({ timeSeconds: f.at / 1e6, kind: 'fault', label: `scale to ${f.instances} consumers` });
          break;
      }
    }
  }

  private crash(slot: number, restartAfter: number | undefined): void {
    const m = this.slots[slot];
    if (!m || m.dead) return;
    this.note('member crashed');
    for (const p of [...m.consuming]) this.stopConsuming(m, p);
    m.kill();
    this.slots[slot] = null;
    if (this.members.includes(m)) this.expireAfterSilence(m, this.sim.now);
    if (restartAfter !== undefined) this.sim.schedule(restartAfter, () => this.startInstance(slot), 0, 1);
  }

  /** A new process in `slot` joins the group. */
  private startInstance(slot: number): void {
    if (this.slots[slot]) return;
    const m = this.spawn(slot);
    this.note('member started');
    m.awaitingAssignment = true;
    this.sim.schedule(this.oneWay, () => this.joinArrives(m), 0, 1);
  }

  private scale(n: number): void {
    const running = this.slots.length;
    for (let s = running; s < n; s++) this.startInstance(s);
    for (let s = running - 1; s >= n; s--) {
      const m = this.slots[s];
      if (m) this.requestClose(m);
    }
    if (n < running) this.slots.length = Math.max(n, 0);
  }

  /** Restarts slot after slot: each down for `downtime` after it shut down, the next `interval` after it is back. */
  private rollFrom(slot: number, interval: number, downtime: number): void {
    if (slot >= this.slots.length) return;
    const back = () => {
      this.startInstance(slot);
      this.sim.schedule(interval, () => this.rollFrom(slot + 1, interval, downtime), 0, 1);
    };
    const m = this.slots[slot];
    if (m) this.requestClose(m, () => this.sim.schedule(downtime, back, 0, 1));
    else this.sim.schedule(downtime, back, 0, 1);
  }

  private readonly afterClose = new Map<Member, () => void>();

  /** A clean shutdown at the end of the batch being processed (or now, if idle); then `then`. */
  private requestClose(m: Member, then?: () => void): void {
    m.closing = true;
    if (then) this.afterClose.set(m, then);
    if (!m.busy) this.close(m);
  }

  private close(m: Member): void {
    if (m.dead) return;
    m.closing = false;
    const then = this.afterClose.get(m);
    this.afterClose.delete(m);
    if (then) this.sim.schedule(0, then, 0, 1);
    this.note('member shut down');
    if (this.spec.config['enable.auto.commit'] && !m.outOfGroup) m.sendCommit();
    for (const p of [...m.consuming]) this.stopConsuming(m, p);
    m.kill();
    if (this.slots[m.slot] === m) this.slots[m.slot] = null;
    if (!this.members.includes(m)) return;
    if (m.instanceId) {
      this.expireAfterSilence(m, this.sim.now);
    } else {
      // The commit goes first; LeaveGroup follows on the same connection.
      this.sim.schedule(3 * this.oneWay, () => this.leaveArrives(m, 'shutdown'), 0, 1);
    }
  }

  // ---- coordinator: membership -----------------------------------------------------------

  /** Removal once no heartbeat has arrived for session.timeout.ms after the member went silent at t. */
  private expireAfterSilence(m: Member, t: number): void {
    const phase = m.heartbeatPhase;
    const lastBeat = phase + Math.floor((t - phase) / this.heartbeat) * this.heartbeat;
    const at = Math.max(this.sim.now, lastBeat + this.oneWay + this.session);
    const silentSince = t;
    this.sim.at(at, () => {
      if (!this.members.includes(m)) return;
      // A static member that came back within the session has been replaced, not expired.
      if (m.instanceId && this.replacedStatic.get(m) !== undefined && this.replacedStatic.get(m)! > silentSince) return;
      this.leaveArrives(m, 'session timeout');
    }, 0, 1);
  }

  private readonly replacedStatic = new Map<Member, number>();

  private joinArrives(m: Member): void {
    if (m.dead) return;
    const now = this.sim.now;
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
    if (this.protocol === 'consumer') {
      this.epochChanged();
      // The joining heartbeat's own response carries the member's first target.
      const epoch = this.generation;
      this.sim.schedule(this.oneWay, () => this.heartbeatResponse(m, epoch), 0, 1);
      return;
    }
    switch (this.state) {
      case 'empty':
        // InitialDelayedJoin: wait group.initial.rebalance.delay.ms, again for each newcomer,
        // at most the rebalance timeout from the first.
        this.state = 'preparing';
        this.beginRebalance();
        this.joined.add(m);
        this.initialDelayUntil = Math.min(now + this.settings.initialRebalanceDelay, now + this.rebalanceTimeout);
        this.sim.at(this.initialDelayUntil, () => this.initialDelayOver(), 0, 1);
        break;
      case 'preparing':
        this.joined.add(m);
        if (this.initialDelayUntil > now) {
          this.initialDelayUntil = Math.min(now + this.settings.initialRebalanceDelay, this.rebalanceStarted + this.rebalanceTimeout);
          this.sim.at(this.initialDelayUntil, () => this.initialDelayOver(), 0, 1);
        } else {
          this.maybeCompleteJoin();
        }
        break;
      case 'stable':
      case 'syncing':
        this.startRebalance();
        this.joined.add(m);
        break;
    }
  }

  private replaceStatic(old: Member, m: Member): void {
    this.replacedStatic.set(old, this.sim.now);
    const i = this.members.indexOf(old);
    this.members[i] = m;
    if (this.protocol !== 'consumer' && this.state === 'preparing') {
      // A rebalance is under way: the member simply takes part in it.
      this.joined.delete(old);
      this.joined.add(m);
      this.maybeCompleteJoin();
      return;
    }
    m.generation = this.generation;
    this.note('static member back (no rebalance)');
    const parts: number[] = [];
    for (let p = 0; p < this.owner.length; p++) {
      if (this.owner[p] === old) {
        this.owner[p] = m;
        parts.push(p);
      }
    }
    if (this.protocol === 'consumer') this.target.set(m, this.target.get(old) ?? []), this.target.delete(old);
    if (this.joined.delete(old)) this.joined.add(m);
    // JoinGroup response with the current assignment, then SyncGroup: two round trips.
    const epoch = this.generation;
    this.sim.schedule(4 * this.oneWay, () => {
      if (m.dead) return;
      m.awaitingAssignment = false;
      if (this.protocol === 'consumer' && epoch === this.generation) this.heartbeatResponse(m, epoch);
      this.offsetFetchThenConsume(m, parts, m.generation);
      m.resume();
    }, 0, 1);
  }

  private insertMember(m: Member): void {
    let i = this.members.length;
    while (i > 0 && this.members[i - 1].memberId > m.memberId) i--;
    this.members.splice(i, 0, m);
  }

  private leaveArrives(m: Member, reason: string): void {
    const i = this.members.indexOf(m);
    if (i < 0) return;
    this.members.splice(i, 1);
    this.membershipChanges++;
    m.outOfGroup = !m.dead;
    for (let p = 0; p < this.owner.length; p++) if (this.owner[p] === m) this.owner[p] = null;
    for (const p of [...m.consuming]) this.stopConsuming(m, p);
    this.note(`member removed (${reason})`);
    if (this.protocol === 'consumer') {
      this.target.delete(m);
      return this.epochChanged();
    }
    this.joined.delete(m);
    if (this.members.length === 0) {
      if (this.state !== 'stable' && this.state !== 'empty') this.endRebalance();
      this.state = 'empty';
      return;
    }
    if (this.state === 'preparing') this.maybeCompleteJoin();
    else this.startRebalance();
  }

  // ---- coordinator: classic rebalance ----------------------------------------------------

  private beginRebalance(): void {
    this.rebalanceStarted = this.sim.now;
  }

  private startRebalance(): void {
    if (this.state === 'preparing') return;
    if (this.state === 'syncing') {
      this.again = true;
      return;
    }
    this.state = 'preparing';
    this.joined.clear();
    this.beginRebalance();
    this.initialDelayUntil = 0;
    const gen = this.generation;
    for (const m of this.members) {
      // Heard from the next heartbeat's response.
      const at = this.nextBeat(m, this.sim.now) + 2 * this.oneWay;
      this.sim.at(at, () => {
        if (m.dead || m.outOfGroup || this.state !== 'preparing' || this.generation !== gen || this.joined.has(m)) return;
        m.rejoinPending = true;
        m.resume();
      }, 0, 1);
    }
    this.deadline = this.sim.now + this.rebalanceTimeout;
    const deadline = this.deadline;
    this.sim.at(deadline, () => this.joinDeadline(deadline), 0, 1);
  }

  private nextBeat(m: Member, t: number): number {
    const phase = m.heartbeatPhase;
    return phase + Math.ceil((t - phase) / this.heartbeat) * this.heartbeat;
  }

  private initialDelayOver(): void {
    if (this.state !== 'preparing' || this.sim.now < this.initialDelayUntil) return;
    this.initialDelayUntil = 0;
    this.maybeCompleteJoin();
  }

  private maybeCompleteJoin(): void {
    if (this.state !== 'preparing' || this.initialDelayUntil > this.sim.now) return;
    for (const m of this.members) if (!this.joined.has(m)) return;
    this.completeJoin();
  }

  /** The rebalance timeout: members that have not rejoined are evicted. */
  private joinDeadline(deadline: number): void {
    if (this.state !== 'preparing' || this.deadline !== deadline) return;
    for (const m of [...this.members]) {
      if (this.joined.has(m)) continue;
      this.members.splice(this.members.indexOf(m), 1);
      this.membershipChanges++;
      m.outOfGroup = !m.dead;
      for (let p = 0; p < this.owner.length; p++) if (this.owner[p] === m) this.owner[p] = null;
      for (const p of [...m.consuming]) this.stopConsuming(m, p);
      this.note('member evicted (rebalance timeout)');
    }
    if (this.members.length === 0) {
      this.endRebalance();
      this.state = 'empty';
      return;
    }
    this.completeJoin();
  }

  private completeJoin(): void {
    this.deadline = -1;
    this.generation++;
    const gen = this.generation;
    const members = [...this.members];
    const assignment = this.compute(members, this.protocol === 'cooperative');
    this.state = 'syncing';
    this.joined.clear();
    // JoinGroup responses, the leader's SyncGroup, and the SyncGroup responses.
    this.sim.schedule(3 * this.oneWay, () => {
      for (const m of members) {
        if (m.dead || !this.members.includes(m)) continue;
        const parts = assignment.get(m) ?? [];
        const keep = new Set(parts);
        m.generation = gen;
        m.awaitingAssignment = false;
        const fresh: number[] = [];
        for (const p of parts) {
          if (this.owner[p] !== m || !m.isConsuming[p]) fresh.push(p);
          this.owner[p] = m;
        }
        // Cooperative: what the assignor moved away is revoked at the member's next poll.
        m.toRevoke = m.consuming.filter((p) => !keep.has(p));
        this.offsetFetchThenConsume(m, fresh, gen);
        if (m.toRevoke.length > 0) m.resume();
      }
      this.state = 'stable';
      this.endRebalance();
      if (this.again) {
        this.again = false;
        this.startRebalance();
      }
    }, 0, 1);
  }

  private endRebalance(): void {
    this.rebalances++;
    this.marks.push({
      timeSeconds: this.rebalanceStarted / 1e6,
      endSeconds: this.sim.now / 1e6,
      kind: 'group',
      label: 'rebalance',
    });
  }

  private ownedBy(m: Member): number[] {
    const out: number[] = [];
    for (let p = 0; p < this.owner.length; p++) if (this.owner[p] === m) out.push(p);
    return out;
  }

  /** The assignment for these members, by the configured assignor. */
  private compute(members: Member[], cooperative: boolean): Map<Member, number[]> {
    const topic = 't';
    const byId = new Map(members.map((m) => [m.memberId, m]));
    const input = {
      topics: [{ topic, numPartitions: this.logs.length }],
      members: members.map((m): GroupMember => ({
        memberId: m.memberId,
        groupInstanceId: m.instanceId,
        subscribedTopics: [topic],
        ownedPartitions: this.ownedBy(m).map((p) => ({ topic, partition: p })),
        generation: m.generation,
      })),
    };
    const result = cooperative ? assignCooperativeSticky(input).assignment : assign(this.assignor, input);
    const out = new Map<Member, number[]>();
    for (const [id, parts] of result) out.set(byId.get(id)!, parts.map((tp) => tp.partition));
    return out;
  }

  // ---- coordinator: KIP-848 --------------------------------------------------------------

  /** The group epoch moved: a new target assignment; members reconcile towards it one by one. */
  private epochChanged(): void {
    const now = this.sim.now;
    if (this.epochStarted < 0) {
      this.epochStarted = now;
      this.rebalanceStarted = now;
    }
    this.generation++;
    this.rebalances++;
    this.target = this.compute(this.members, false);
    for (const m of this.members) this.scheduleHeartbeat(m);
  }

  /** The member's next heartbeat brings it the target and whatever has been released to it. */
  private scheduleHeartbeat(m: Member): void {
    const at = this.nextBeat(m, this.sim.now) + 2 * this.oneWay;
    const epoch = this.generation;
    this.sim.at(at, () => this.heartbeatResponse(m, epoch), 0, 1);
  }

  private heartbeatResponse(m: Member, epoch: number): void {
    if (m.dead || !this.members.includes(m) || epoch !== this.generation) return;
    const want = new Set(this.target.get(m) ?? []);
    m.generation = this.generation;
    m.awaitingAssignment = false;
    m.toRevoke = m.consuming.filter((p) => !want.has(p));
    const fresh: number[] = [];
    let waiting = false;
    for (const p of want) {
      if (this.owner[p] === m) continue;
      if (this.owner[p] === null) {
        this.owner[p] = m;
        fresh.push(p);
      } else {
        waiting = true; // unreleased: still owned by a member that has not revoked it yet
      }
    }
    this.offsetFetchThenConsume(m, fresh, m.generation);
    if (m.toRevoke.length > 0) m.resume();
    if (waiting) this.pendingRelease.add(m);
    this.checkReconciled();
  }

  private readonly pendingRelease = new Set<Member>();

  /** KIP-848 poll(): revoke what the target takes away, commit it, and acknowledge at once. */
  private reconcile(m: Member): boolean {
    if (m.toRevoke.length === 0) return false;
    const revoked = m.toRevoke;
    m.toRevoke = [];
    if (this.spec.config['enable.auto.commit']) m.sendCommit();
    for (const p of revoked) this.stopConsuming(m, p);
    // The acknowledging heartbeat goes out after the commit's round trip.
    this.sim.schedule(3 * this.oneWay, () => {
      for (const p of revoked) if (this.owner[p] === m) this.owner[p] = null;
      // New owners waiting for these hear at their next heartbeat.
      for (const w of this.pendingRelease) {
        if (w.dead || !this.members.includes(w)) continue;
        const at = this.nextBeat(w, this.sim.now) + 2 * this.oneWay;
        this.sim.at(at, () => this.releasedTo(w), 0, 1);
      }
      this.checkReconciled();
    }, 0, 1);
    return false;
  }

  private releasedTo(m: Member): void {
    if (m.dead || !this.members.includes(m)) return;
    const fresh: number[] = [];
    let waiting = false;
    for (const p of this.target.get(m) ?? []) {
      if (this.owner[p] === m) continue;
      if (this.owner[p] === null) {
        this.owner[p] = m;
        fresh.push(p);
      } else waiting = true;
    }
    if (!waiting) this.pendingRelease.delete(m);
    this.offsetFetchThenConsume(m, fresh, m.generation);
    this.checkReconciled();
  }

  private checkReconciled(): void {
    if (this.epochStarted < 0) return;
    for (const m of this.members) {
      const want = this.target.get(m) ?? [];
      for (const p of want) if (this.owner[p] !== m) return;
    }
    for (let p = 0; p < this.owner.length; p++) if (this.owner[p] && !this.members.includes(this.owner[p]!)) return;
    this.marks.push({ timeSeconds: this.epochStarted / 1e6, endSeconds: this.sim.now / 1e6, kind: 'group', label: 'reconciliation' });
    this.epochStarted = -1;
  }

  // ---- observation and accounting --------------------------------------------------------

  private note(label: string): void {
    this.marks.push({ timeSeconds: this.sim.now / 1e6, kind: 'group', label });
  }

  /**
   * Age (ticks) at time t of the oldest visible record of partition p whose processing has not
   * completed, or 0 if there is none.
   */
  oldestUnprocessedAge(p: number, t: number, leo: number): number {
    const m = this.consumer[p];
    let created = Infinity;
    if (m) created = m.processing.oldestIncompleteIn(p, t);
    if (created === Infinity) {
      const next = m ? this.position[p] : Math.max(this.doneHigh[p], this.committed[p]);
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
    for (const m of this.slots) m?.processing.settle();
    for (const m of this.members) if (!this.slots.includes(m)) m.processing.settle();
  }

  /** Longest fetch throttle any member had (consumer_byte_rate), ms. */
  get maxFetchThrottleMs(): number {
    return Math.max(0, ...this.everyone.map((m) => m.fetcher.maxThrottleMs));
  }

  /** Records handed to the application and not completed at the end, not counted elsewhere. */
  inProcessing(leo: (p: number) => number): number {
    const ranges = new Map<number, [number, number][]>();
    const seen = new Set<Member>();
    for (const m of [...this.slots, ...this.members]) {
      if (!m || seen.has(m)) continue;
      seen.add(m);
      const r = m.processing.settled;
      for (let i = 0; i < r.length; i += 3) {
        const p = r[i];
        const lo = Math.max(r[i + 1], this.doneHigh[p]);
        const hi = Math.min(r[i + 2], leo(p));
        if (hi > lo) (ranges.get(p) ?? ranges.set(p, []).get(p)!).push([lo, hi]);
      }
    }
    let n = 0;
    for (const list of ranges.values()) {
      list.sort((a, b) => a[0] - b[0]);
      let end = -Infinity;
      for (const [lo, hi] of list) {
        const from = Math.max(lo, end);
        if (hi > from) n += hi - from;
        end = Math.max(end, hi);
      }
    }
    return n;
  }
}

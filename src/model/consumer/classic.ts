/**
 * The classic rebalance protocol (`group.protocol: classic`), coordinator and member side:
 * GC/classic/ClassicGroup and GC/GroupMetadataManager on the broker, ConsumerCoordinator and
 * AbstractCoordinator in the client.
 *
 * A change of membership (a join, a LeaveGroup, a session that expired) moves the group to
 * PreparingRebalance. Members learn of it from a heartbeat response (heartbeats every
 * `heartbeat.interval.ms`, phased from the member's join) and rejoin inside their next poll(),
 * that is after the batch they are processing. The join phase ends when every member has rejoined
 * or the rebalance timeout (the largest `max.poll.interval.ms`) has passed, evicting those that
 * did not; a group that was empty first waits `group.initial.rebalance.delay.ms`, extended by
 * each new member, at most the rebalance timeout from the first (InitialDelayedJoin). The
 * leader's assignment reaches everyone after the JoinGroup response, the leader's SyncGroup and
 * its response (1.5 round trips). A member then fetches its committed offsets (one round trip)
 * and starts fetching.
 *
 * - Eager (any assignor other than cooperative-sticky in partition.assignment.strategy): before
 *   rejoining, a member commits (with auto-commit on) and revokes everything
 *   (ConsumerCoordinator.onJoinPrepare), so the whole group stops until SyncGroup.
 * - Cooperative (cooperative-sticky only): members rejoin without revoking and keep consuming;
 *   the assignor holds back partitions that change owner (CooperativeStickyAssignor
 *   .adjustAssignment), their old owners revoke them at the next poll (committing first) and
 *   rejoin at once (requestRejoin), and a second rebalance hands them over.
 *
 * Commits are accepted only from a member of the current generation. On a poll timeout a static
 * member sends no LeaveGroup (AbstractCoordinator.maybeLeaveGroup); its session runs out.
 */
import type { Simulation } from '../../kernel/simulation.js';
import type { AssignorName } from '../assignors/index.js';
import type { Member } from './member.js';
import { computeAssignment, nextBeat, type Coordinator, type CoordinatorHost } from './coordinator.js';

type ClassicState = 'stable' | 'preparing' | 'syncing' | 'empty';

export interface ClassicSettings {
  protocol: 'eager' | 'cooperative';
  assignor: AssignorName;
  heartbeatInterval: number;
  sessionTimeout: number;
  /** The largest max.poll.interval.ms of the members. */
  rebalanceTimeout: number;
  initialRebalanceDelay: number;
  autoCommit: boolean;
}

export class ClassicCoordinator implements Coordinator {
  readonly protocol: 'eager' | 'cooperative';
  readonly assignor: AssignorName;
  readonly heartbeatInterval: number;
  readonly sessionTimeout: number;
  readonly staticLeavesSilently = true;
  generation = 1;
  rebalances = 0;

  private readonly sim: Simulation;
  private readonly oneWay: number;
  private state: ClassicState = 'stable';
  private joined = new Set<Member>();
  private rebalanceStarted = 0;
  private deadline = 0;
  /** A membership change during SyncGroup: another rebalance starts once it completes. */
  private again = false;
  private initialDelayUntil = 0;

  constructor(
    private readonly host: CoordinatorHost,
    private readonly settings: ClassicSettings,
  ) {
    this.sim = host.sim;
    this.oneWay = host.oneWay;
    this.protocol = settings.protocol;
    this.assignor = settings.assignor;
    this.heartbeatInterval = settings.heartbeatInterval;
    this.sessionTimeout = settings.sessionTimeout;
  }

  started(_assignment: Map<Member, number[]>): void {}

  // ---- membership changes ---------------------------------------------------------------

  memberJoined(m: Member): void {
    const now = this.sim.now;
    const { initialRebalanceDelay, rebalanceTimeout } = this.settings;
    switch (this.state) {
      case 'empty':
        // InitialDelayedJoin: wait group.initial.rebalance.delay.ms, again for each newcomer,
        // at most the rebalance timeout from the first.
        this.state = 'preparing';
        this.rebalanceStarted = now;
        this.joined.add(m);
        this.initialDelayUntil = Math.min(now + initialRebalanceDelay, now + rebalanceTimeout);
        this.sim.at(this.initialDelayUntil, () => this.initialDelayOver(), 0, 1);
        break;
      case 'preparing':
        this.joined.add(m);
        if (this.initialDelayUntil > now) {
          this.initialDelayUntil = Math.min(now + initialRebalanceDelay, this.rebalanceStarted + rebalanceTimeout);
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

  staticMemberReplaced(old: Member, m: Member): boolean {
    if (this.state === 'preparing') {
      // A rebalance is under way: the member simply takes part in it.
      this.joined.delete(old);
      this.joined.add(m);
      this.maybeCompleteJoin();
      return true;
    }
    if (this.joined.delete(old)) this.joined.add(m);
    return false;
  }

  staticMemberBack(_m: Member, _epoch: number): void {}

  memberLeft(m: Member): void {
    this.joined.delete(m);
    if (this.host.members.length === 0) {
      if (this.state !== 'stable' && this.state !== 'empty') this.endRebalance();
      this.state = 'empty';
      return;
    }
    if (this.state === 'preparing') this.maybeCompleteJoin();
    else this.startRebalance();
  }

  acceptsCommit(m: Member): boolean {
    return m.generation === this.generation;
  }

  // ---- the member's side, inside poll() ---------------------------------------------------

  poll(m: Member): boolean {
    const host = this.host;
    const owner = host.owner;
    if (m.toRevoke.length > 0) {
      // Cooperative handover: commit and revoke what the assignor took away, then rejoin at once.
      const revoked = m.toRevoke;
      m.toRevoke = [];
      if (this.settings.autoCommit) m.sendCommit();
      for (const p of revoked) {
        host.stopConsuming(m, p);
        if (owner[p] === m) owner[p] = null;
      }
      this.sim.schedule(3 * this.oneWay, () => host.joinArrives(m), 0, 1);
    }
    if (m.rejoinPending) {
      m.rejoinPending = false;
      if (this.protocol === 'eager') {
        // onJoinPrepare: commit synchronously, revoke everything, then send JoinGroup.
        const committing = this.settings.autoCommit && m.consuming.length > 0;
        if (committing) m.sendCommit();
        for (const p of [...m.consuming]) {
          host.stopConsuming(m, p);
          if (owner[p] === m) owner[p] = null;
        }
        for (let p = 0; p < owner.length; p++) if (owner[p] === m) owner[p] = null;
        m.awaitingAssignment = true;
        this.sim.schedule((committing ? 2 : 0) * this.oneWay + this.oneWay, () => host.joinArrives(m), 0, 1);
        return true;
      }
      this.sim.schedule(this.oneWay, () => host.joinArrives(m), 0, 1);
    }
    return false;
  }

  // ---- the rebalance ----------------------------------------------------------------------

  private startRebalance(): void {
    if (this.state === 'preparing') return;
    if (this.state === 'syncing') {
      this.again = true;
      return;
    }
    this.state = 'preparing';
    this.joined.clear();
    this.rebalanceStarted = this.sim.now;
    this.initialDelayUntil = 0;
    const gen = this.generation;
    for (const m of this.host.members) {
      // Heard from the next heartbeat's response.
      const at = nextBeat(m, this.sim.now, this.heartbeatInterval) + 2 * this.oneWay;
      this.sim.at(at, () => {
        if (m.dead || m.outOfGroup || this.state !== 'preparing' || this.generation !== gen || this.joined.has(m)) return;
        m.rejoinPending = true;
        m.resume();
      }, 0, 1);
    }
    this.deadline = this.sim.now + this.settings.rebalanceTimeout;
    const deadline = this.deadline;
    this.sim.at(deadline, () => this.joinDeadline(deadline), 0, 1);
  }

  private initialDelayOver(): void {
    if (this.state !== 'preparing' || this.sim.now < this.initialDelayUntil) return;
    this.initialDelayUntil = 0;
    this.maybeCompleteJoin();
  }

  private maybeCompleteJoin(): void {
    if (this.state !== 'preparing' || this.initialDelayUntil > this.sim.now) return;
    for (const m of this.host.members) if (!this.joined.has(m)) return;
    this.completeJoin();
  }

  /** The rebalance timeout: members that have not rejoined are evicted. */
  private joinDeadline(deadline: number): void {
    if (this.state !== 'preparing' || this.deadline !== deadline) return;
    for (const m of [...this.host.members]) {
      if (this.joined.has(m)) continue;
      this.host.removeMember(m, 'member evicted (rebalance timeout)');
    }
    if (this.host.members.length === 0) {
      this.endRebalance();
      this.state = 'empty';
      return;
    }
    this.completeJoin();
  }

  private completeJoin(): void {
    const host = this.host;
    this.deadline = -1;
    this.generation++;
    const gen = this.generation;
    const members = [...host.members];
    const assignment = computeAssignment(members, host.owner, this.assignor, this.protocol === 'cooperative');
    this.state = 'syncing';
    this.joined.clear();
    // JoinGroup responses, the leader's SyncGroup, and the SyncGroup responses.
    this.sim.schedule(3 * this.oneWay, () => {
      for (const m of members) {
        if (m.dead || !host.members.includes(m)) continue;
        const parts = assignment.get(m) ?? [];
        const keep = new Set(parts);
        m.generation = gen;
        m.awaitingAssignment = false;
        const fresh: number[] = [];
        for (const p of parts) {
          if (host.owner[p] !== m || !m.isConsuming[p]) fresh.push(p);
          host.owner[p] = m;
        }
        // Cooperative: what the assignor moved away is revoked at the member's next poll.
        m.toRevoke = m.consuming.filter((p) => !keep.has(p));
        host.offsetFetchThenConsume(m, fresh, gen);
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
    this.host.marks.push({
      timeSeconds: this.rebalanceStarted / 1e6,
      endSeconds: this.sim.now / 1e6,
      kind: 'group',
      label: 'rebalance',
    });
  }
}

/**
 * The consumer rebalance protocol (`group.protocol: consumer`, KIP-848, GA in Kafka 4.0):
 * GC/modern/consumer/ConsumerGroup and GC/GroupMetadataManager on the broker,
 * C/internals/ConsumerHeartbeatRequestManager and ConsumerMembershipManager in the client.
 *
 * No join barrier. Every change of membership bumps the group epoch and the coordinator
 * computes a target assignment with the server-side assignor (`group.remote.assignor`: uniform
 * or range). Each member learns its target from its next heartbeat (the broker's
 * `group.consumer.heartbeat.interval.ms`), revokes what it must give up in its next poll()
 * (committing first with auto-commit on) and acknowledges at once, after the commit's round
 * trip. A partition reaches its new owner at that owner's next heartbeat after the old owner
 * released it (MemberState UNREVOKED_PARTITIONS and UNRELEASED_PARTITIONS). Members that keep
 * their partitions never stop. The reconciliation mark on the timeline runs from the first epoch
 * bump until every member owns exactly its target.
 *
 * Commits are accepted from any current member (the member epoch is not checked here). On a
 * poll timeout every member, static or not, leaves (ConsumerHeartbeatRequestManager).
 */
import type { Simulation } from '../../kernel/simulation.js';
import type { AssignorName } from '../assignors/index.js';
import type { Member } from './member.js';
import { computeAssignment, nextBeat, type Coordinator, type CoordinatorHost } from './coordinator.js';

export interface ConsumerProtocolSettings {
  /** Server-side assignor: uniform or server-range. */
  assignor: AssignorName;
  /** Set by the broker (group.consumer.heartbeat.interval.ms, group.consumer.session.timeout.ms). */
  heartbeatInterval: number;
  sessionTimeout: number;
  autoCommit: boolean;
}

export class ConsumerProtocolCoordinator implements Coordinator {
  readonly protocol = 'consumer';
  readonly assignor: AssignorName;
  readonly heartbeatInterval: number;
  readonly sessionTimeout: number;
  readonly staticLeavesSilently = false;
  /** The group epoch. */
  generation = 1;
  rebalances = 0;

  private readonly sim: Simulation;
  private readonly oneWay: number;
  /** Target assignment per member. */
  private target = new Map<Member, number[]>();
  /** Members waiting for partitions their old owner has not released yet. */
  private readonly pendingRelease = new Set<Member>();
  /** When the epoch bumps being reconciled began (-1: reconciled). */
  private epochStarted = -1;

  constructor(
    private readonly host: CoordinatorHost,
    private readonly settings: ConsumerProtocolSettings,
  ) {
    this.sim = host.sim;
    this.oneWay = host.oneWay;
    this.assignor = settings.assignor;
    this.heartbeatInterval = settings.heartbeatInterval;
    this.sessionTimeout = settings.sessionTimeout;
  }

  started(assignment: Map<Member, number[]>): void {
    for (const m of this.host.members) this.target.set(m, assignment.get(m) ?? []);
  }

  // ---- membership changes ---------------------------------------------------------------

  memberJoined(m: Member): void {
    this.epochChanged();
    // The joining heartbeat's own response carries the member's first target.
    const epoch = this.generation;
    this.sim.schedule(this.oneWay, () => this.heartbeatResponse(m, epoch), 0, 1);
  }

  staticMemberReplaced(old: Member, m: Member): boolean {
    this.target.set(m, this.target.get(old) ?? []);
    this.target.delete(old);
    return false;
  }

  staticMemberBack(m: Member, epoch: number): void {
    if (epoch === this.generation) this.heartbeatResponse(m, epoch);
  }

  memberLeft(m: Member): void {
    this.target.delete(m);
    this.epochChanged();
  }

  acceptsCommit(_m: Member): boolean {
    return true;
  }

  // ---- the coordinator ------------------------------------------------------------------

  /** The group epoch moved: a new target assignment; members reconcile towards it one by one. */
  private epochChanged(): void {
    if (this.epochStarted < 0) this.epochStarted = this.sim.now;
    this.generation++;
    this.rebalances++;
    this.target = computeAssignment(this.host.members, this.host.owner, this.assignor, false);
    for (const m of this.host.members) this.scheduleHeartbeat(m);
  }

  /** The member's next heartbeat brings it the target and whatever has been released to it. */
  private scheduleHeartbeat(m: Member): void {
    const at = nextBeat(m, this.sim.now, this.heartbeatInterval) + 2 * this.oneWay;
    const epoch = this.generation;
    this.sim.at(at, () => this.heartbeatResponse(m, epoch), 0, 1);
  }

  private heartbeatResponse(m: Member, epoch: number): void {
    const host = this.host;
    if (m.dead || !host.members.includes(m) || epoch !== this.generation) return;
    const want = new Set(this.target.get(m) ?? []);
    m.generation = this.generation;
    m.awaitingAssignment = false;
    m.toRevoke = m.consuming.filter((p) => !want.has(p));
    const fresh: number[] = [];
    let waiting = false;
    for (const p of want) {
      if (host.owner[p] === m) continue;
      if (host.owner[p] === null) {
        host.owner[p] = m;
        fresh.push(p);
      } else {
        waiting = true; // unreleased: still owned by a member that has not revoked it yet
      }
    }
    host.offsetFetchThenConsume(m, fresh, m.generation);
    if (m.toRevoke.length > 0) m.resume();
    if (waiting) this.pendingRelease.add(m);
    this.checkReconciled();
  }

  private releasedTo(m: Member): void {
    const host = this.host;
    if (m.dead || !host.members.includes(m)) return;
    const fresh: number[] = [];
    let waiting = false;
    for (const p of this.target.get(m) ?? []) {
      if (host.owner[p] === m) continue;
      if (host.owner[p] === null) {
        host.owner[p] = m;
        fresh.push(p);
      } else waiting = true;
    }
    if (!waiting) this.pendingRelease.delete(m);
    host.offsetFetchThenConsume(m, fresh, m.generation);
    this.checkReconciled();
  }

  private checkReconciled(): void {
    if (this.epochStarted < 0) return;
    const { members, owner } = this.host;
    for (const m of members) {
      const want = this.target.get(m) ?? [];
      for (const p of want) if (owner[p] !== m) return;
    }
    for (let p = 0; p < owner.length; p++) if (owner[p] && !members.includes(owner[p]!)) return;
    this.host.marks.push({ timeSeconds: this.epochStarted / 1e6, endSeconds: this.sim.now / 1e6, kind: 'group', label: 'reconciliation' });
    this.epochStarted = -1;
  }

  // ---- the member's side, inside poll() ---------------------------------------------------

  /** Revokes what the target takes away, commits it, and acknowledges at once. */
  poll(m: Member): boolean {
    if (m.toRevoke.length === 0) return false;
    const host = this.host;
    const revoked = m.toRevoke;
    m.toRevoke = [];
    if (this.settings.autoCommit) m.sendCommit();
    for (const p of revoked) host.stopConsuming(m, p);
    // The acknowledging heartbeat goes out after the commit's round trip.
    this.sim.schedule(3 * this.oneWay, () => {
      for (const p of revoked) if (host.owner[p] === m) host.owner[p] = null;
      // New owners waiting for these hear at their next heartbeat.
      for (const w of this.pendingRelease) {
        if (w.dead || !host.members.includes(w)) continue;
        const at = nextBeat(w, this.sim.now, this.heartbeatInterval) + 2 * this.oneWay;
        this.sim.at(at, () => this.releasedTo(w), 0, 1);
      }
      this.checkReconciled();
    }, 0, 1);
    return false;
  }
}

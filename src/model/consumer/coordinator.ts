/**
 * The group coordinator's rebalance protocol, as the group (group.ts) sees it: one interface,
 * two implementations, chosen by `group.protocol` as in Kafka 4.0 (GC/GroupMetadataManager):
 *
 * - classic.ts: `group.protocol: classic` (GC/classic/ClassicGroup, ConsumerCoordinator), eager
 *   or cooperative: JoinGroup/SyncGroup rounds behind a join barrier.
 * - kip848.ts: `group.protocol: consumer` (KIP-848, GC/modern): heartbeats carry a target
 *   assignment that each member reconciles with on its own; no barrier.
 *
 * The group owns membership (who is in, static member replacement, session expiry) and which
 * member owns and consumes each partition; a protocol decides how a change of membership
 * becomes a new assignment and when each member gets its part. Both share the heartbeat timing
 * below (heartbeats every interval, phased from the member's join; a response one round trip
 * after its heartbeat) and the client-side assignors (assignors/).
 */
import type { Simulation } from '../../kernel/simulation.js';
import type { MarkedEvent } from '../../metrics/result.js';
import { assign, assignCooperativeSticky, type AssignorName, type GroupMember } from '../assignors/index.js';
import type { Member } from './member.js';

export type Protocol = 'eager' | 'cooperative' | 'consumer';

/** What a protocol needs from its group: membership, ownership and moving partitions. */
export interface CoordinatorHost {
  readonly sim: Simulation;
  readonly oneWay: number;
  /** The coordinator's members, in member-id order. */
  readonly members: readonly Member[];
  /** Member the coordinator's assignment gives each partition (null: unowned); protocols write it. */
  readonly owner: (Member | null)[];
  readonly marks: MarkedEvent[];
  /** The member stops consuming p now (buffered records of it are dropped). */
  stopConsuming(m: Member, p: number): void;
  /** The member fetches the committed offsets of `parts` (one round trip), then consumes them. */
  offsetFetchThenConsume(m: Member, parts: number[], gen: number): void;
  /** The member's JoinGroup (classic) or joining heartbeat (KIP-848) reaches the coordinator now. */
  joinArrives(m: Member): void;
  /** Takes m out of the members (its partitions become unowned), with no protocol reaction. */
  removeMember(m: Member, label: string): void;
  /** A point on the group's timeline. */
  note(label: string): void;
}

export interface Coordinator {
  readonly protocol: Protocol;
  /** The assignor that computes assignments (client-side for classic, server-side for KIP-848). */
  readonly assignor: AssignorName;
  /** Generation (classic) or group epoch (KIP-848); 1 for the members the run starts with. */
  readonly generation: number;
  readonly heartbeatInterval: number;
  readonly sessionTimeout: number;
  /** Rebalances (classic) or group epoch bumps (KIP-848) so far. */
  readonly rebalances: number;
  /** On a poll timeout a static member sends nothing and waits for its session to expire (classic). */
  readonly staticLeavesSilently: boolean;
  /** The run starts with the members holding this assignment (generation 1). */
  started(assignment: Map<Member, number[]>): void;
  /** A member's join reached the coordinator; the group has it among its members already. */
  memberJoined(m: Member): void;
  /**
   * A static member's new process takes the old one's place among the members. True when the
   * protocol takes it from here (it joins the rebalance under way); false when it keeps the old
   * one's assignment with no rebalance, which the group hands over.
   */
  staticMemberReplaced(old: Member, m: Member): boolean;
  /** A returning static member has its assignment back (`epoch`: the generation when it came back). */
  staticMemberBack(m: Member, epoch: number): void;
  /** A member was removed (left, evicted, expired); its partitions are unowned already. */
  memberLeft(m: Member): void;
  /** The protocol's part of the member's poll(); true when it may not fetch or process now. */
  poll(m: Member): boolean;
  /** Whether a commit from m is accepted (otherwise CommitFailedException). */
  acceptsCommit(m: Member): boolean;
}

/** Time of m's first heartbeat at or after t. */
export function nextBeat(m: Member, t: number, interval: number): number {
  const phase = m.heartbeatPhase;
  return phase + Math.ceil((t - phase) / interval) * interval;
}

/** Time of m's last heartbeat at or before t. */
export function lastBeat(m: Member, t: number, interval: number): number {
  const phase = m.heartbeatPhase;
  return phase + Math.floor((t - phase) / interval) * interval;
}

/** The assignment for these members by an assignor (the cooperative one when `cooperative`). */
export function computeAssignment(
  members: readonly Member[],
  owner: readonly (Member | null)[],
  assignor: AssignorName,
  cooperative: boolean,
): Map<Member, number[]> {
  const topic = 't';
  const byId = new Map(members.map((m) => [m.memberId, m]));
  const ownedBy = (m: Member): number[] => {
    const out: number[] = [];
    for (let p = 0; p < owner.length; p++) if (owner[p] === m) out.push(p);
    return out;
  };
  const input = {
    topics: [{ topic, numPartitions: owner.length }],
    members: members.map((m): GroupMember => ({
      memberId: m.memberId,
      groupInstanceId: m.instanceId,
      subscribedTopics: [topic],
      ownedPartitions: ownedBy(m).map((p) => ({ topic, partition: p })),
      generation: m.generation,
    })),
  };
  const result = cooperative ? assignCooperativeSticky(input).assignment : assign(assignor, input);
  const out = new Map<Member, number[]>();
  for (const [id, parts] of result) out.set(byId.get(id)!, parts.map((tp) => tp.partition));
  return out;
}

/**
 * Cooperative sticky assignment (clients/.../consumer/CooperativeStickyAssignor.java): the
 * sticky assignment, minus every partition that would change owner in this rebalance. Under
 * the cooperative protocol a member keeps consuming what it still owns, so a partition can only
 * be handed to a new member after its current owner has revoked it; the consumer that revokes
 * asks for a follow-up rebalance straight away, and that one assigns the partition.
 *
 * Which partitions change owner: the constrained builder records them as it goes (partitions
 * it took from a member over quota, or claimed by several members in the same generation); after
 * the general builder Kafka recomputes them as the partitions that one member newly gets while
 * another member claimed them and loses them.
 */

import type { GroupSnapshot } from './group.js';
import { stickyAssign } from './sticky.js';

export interface Handover {
  readonly id: number;
  /** Member index the sticky assignment gives the partition to. */
  readonly assignTo: number;
  /** Member indices that claim the partition and must revoke it first. */
  readonly revokedBy: readonly number[];
}

export interface CooperativeOutcome {
  readonly assignment: readonly number[][];
  /** Sorted by partition number, i.e. by (topic, partition). */
  readonly handovers: readonly Handover[];
}

export function cooperativeStickyAssign(group: GroupSnapshot): CooperativeOutcome {
  const eager = stickyAssign(group);
  const transferring = eager.transferring ?? partitionsTransferringOwnership(group, eager.assignment);

  const claimants = new Map<number, number[]>();
  group.members.forEach((member, index) => {
    for (const id of member.claims) {
      if (!transferring.has(id)) continue;
      let list = claimants.get(id);
      if (list === undefined) claimants.set(id, (list = []));
      list.push(index);
    }
  });

  const assignment = eager.assignment.map((ids) => ids.filter((id) => !transferring.has(id)));
  const handovers = [...transferring.entries()]
    .sort(([a], [b]) => a - b)
    .map(([id, assignTo]) => ({ id, assignTo, revokedBy: claimants.get(id) ?? [] }));
  return { assignment, handovers };
}

/** Partitions newly given to one member that another member claimed and is losing. */
function partitionsTransferringOwnership(
  group: GroupSnapshot,
  assignment: readonly number[][],
): Map<number, number> {
  const added = new Map<number, number>();
  const revoked = new Set<number>();
  group.members.forEach((member, index) => {
    const claimed = new Set(member.claims);
    const assigned = new Set(assignment[index]);
    for (const id of assignment[index]) if (!claimed.has(id)) added.set(id, index);
    for (const id of member.claims) if (!assigned.has(id)) revoked.add(id);
  });
  for (const id of [...added.keys()]) if (!revoked.has(id)) added.delete(id);
  return added;
}

/**
 * Kafka's partition assignors as pure functions: given a consumer group's members (their
 * subscriptions and what they owned in the previous generation) and the topics that exist,
 * compute which member gets which partitions. Client side (KIP-429 era, run by the group
 * leader): range, roundrobin, sticky, cooperative-sticky. Server side (KIP-848, run by the group
 * coordinator): uniform, server-range. Each follows the Kafka 4.x class named in its module;
 * rack awareness is not modelled (no racks are given), which is the path Kafka takes when
 * consumers have no client.rack.
 *
 * The result depends only on the input: not on the order of members, topics or owned
 * partitions in it, and never on hash iteration order. Where Kafka's result does depend on
 * Java HashMap/HashSet iteration order, or is otherwise left open, these rules decide:
 *
 * 1. Names compare by UTF-16 code unit (Java's String.compareTo), never by locale.
 * 2. Members are visited in ascending member-id order wherever Kafka iterates its member map:
 *    which members keep maxQuota in the sticky constrained builder, the order of potential
 *    consumers in the sticky general builder, member indices (the final tie-break) in the
 *    uniform heterogeneous builder, and who gets the extra slots in the uniform homogeneous
 *    builder. Kafka's own uniform tests pin the same order (TreeMap or a sorted GroupSpec).
 *    range, roundrobin and server-range keep Kafka's defined order: static members first by
 *    group.instance.id, then dynamic members by member id.
 * 3. Previous ownership: the claimant with the highest generation owns a partition; if several
 *    share the highest generation, nobody does and the partition counts as claimed by several
 *    (it is then treated as moving owner, so cooperative-sticky holds it back until all
 *    claimants revoke it). Kafka resolves claims while walking members in HashMap order, which
 *    gives the same result whenever the highest claim is met first. A member without a
 *    generation is at DEFAULT_GENERATION (-1).
 * 4. Sticky general builder: of several partitions that could be moved back along an earlier
 *    move (PartitionMovements), the lowest (topic, partition) is taken; of previous owners in
 *    the same older generation, the first member in member-id order.
 * 5. Uniform homogeneous builder: unassigned partitions are dealt topic by topic in topic-name
 *    order (Kafka: HashSet of topic ids); a member over quota keeps its lowest
 *    (topic, partition) owned partitions (Kafka: its assignment map's order).
 * 6. Uniform heterogeneous builder: topics tied on partitions per subscriber and subscriber count
 *    are ordered by name (Kafka: by topic id).
 *
 * Where we knowingly differ from Kafka:
 * - Subscribed topics that do not exist are ignored by every assignor (Kafka's server-side
 *   assignors throw, but the coordinator never passes them one).
 * - Owned partitions of topics that do not exist, or beyond a topic's partition count, are
 *   dropped before assignment.
 * - The sticky general builder only hands a partition back to a previous owner that still
 *   subscribes to its topic.
 * - uniform follows UniformHomogeneousAssignmentBuilder after KAFKA-18688 (Kafka 4.1), see
 *   uniform.ts.
 */

import { cooperativeStickyAssign } from './cooperative-sticky.js';
import { AssignmentInputError, AssignorStateError, type AssignmentIssue } from './errors.js';
import { emptyAssignment, snapshotGroup, toAssignment, type GroupSnapshot } from './group.js';
import { rangeAssign } from './range.js';
import { roundRobinAssign } from './round-robin.js';
import { stickyAssign } from './sticky.js';
import type { Assignment, AssignmentInput, AssignorName, CooperativeAssignment } from './types.js';
import { uniformAssign } from './uniform.js';

export { ASSIGNOR_NAMES, DEFAULT_GENERATION } from './types.js';
export type {
  Assignment,
  AssignmentInput,
  AssignorName,
  CooperativeAssignment,
  GroupMember,
  PartitionHandover,
  TopicMetadata,
  TopicPartition,
} from './types.js';
export { AssignmentInputError, AssignorStateError };
export type { AssignmentIssue };

/**
 * Computes the assignment `strategy` would produce for this group. For 'cooperative-sticky' the
 * partitions held back for a follow-up rebalance are left out; use assignCooperativeSticky to
 * learn which they are.
 *
 * @throws AssignmentInputError listing every problem in the input.
 */
export function assign(strategy: AssignorName, input: AssignmentInput): Assignment {
  const group = snapshotGroup(strategy, input);
  if (group.members.length === 0) return emptyAssignment(group);
  switch (strategy) {
    case 'range':
    case 'server-range':
      return toAssignment(group, rangeAssign(group));
    case 'roundrobin':
      return toAssignment(group, roundRobinAssign(group));
    case 'sticky':
      return toAssignment(group, stickyAssign(group).assignment);
    case 'cooperative-sticky':
      return cooperativeAssignment(group).assignment;
    case 'uniform':
      return toAssignment(group, uniformAssign(group));
  }
}

/**
 * The cooperative-sticky assignment together with the partitions it holds back: each is being
 * revoked by its current owners now and goes to `assignTo` in the follow-up rebalance. Feed the
 * assignment back as the members' owned partitions (with the revoked ones removed) to run it.
 *
 * @throws AssignmentInputError listing every problem in the input.
 */
export function assignCooperativeSticky(input: AssignmentInput): CooperativeAssignment {
  return cooperativeAssignment(snapshotGroup('cooperative-sticky', input));
}

function cooperativeAssignment(group: GroupSnapshot): CooperativeAssignment {
  if (group.members.length === 0) return { assignment: emptyAssignment(group), pendingHandovers: [] };
  const outcome = cooperativeStickyAssign(group);
  return {
    assignment: toAssignment(group, outcome.assignment),
    pendingHandovers: outcome.handovers.map((handover) => ({
      ...group.partitions.toTopicPartition(handover.id),
      revokedBy: handover.revokedBy.map((member) => group.members[member].memberId),
      assignTo: group.members[handover.assignTo].memberId,
    })),
  };
}

/**
 * The vocabulary the partition assignors speak: a consumer group's members with their
 * subscriptions and previously owned partitions, the topics they can be given, and the
 * assignment that comes back. Names follow Kafka's (ConsumerPartitionAssignor.Subscription,
 * GroupSpec, TopicPartition) so that a reader of the Java source finds the same words here.
 */

/** Every assignor this module implements, by the name Kafka gives it. */
export const ASSIGNOR_NAMES = [
  'range',
  'roundrobin',
  'sticky',
  'cooperative-sticky',
  'uniform',
  'server-range',
] as const;

/**
 * Client-side assignors (chosen with partition.assignment.strategy, run by the group leader):
 * 'range', 'roundrobin', 'sticky', 'cooperative-sticky'. Server-side KIP-848 assignors (chosen
 * with group.remote.assignor, run by the group coordinator): 'uniform' (the default) and
 * 'server-range' (Kafka calls it "range" too).
 */
export type AssignorName = (typeof ASSIGNOR_NAMES)[number];

/** Kafka's generation for "no generation known" (AbstractStickyAssignor.DEFAULT_GENERATION). */
export const DEFAULT_GENERATION = -1;

export interface TopicPartition {
  readonly topic: string;
  /** Partition number, 0-based. */
  readonly partition: number;
}

export interface GroupMember {
  /** member.id, given by the group coordinator. */
  readonly memberId: string;
  /** group.instance.id of a static member; absent for a dynamic member. */
  readonly groupInstanceId?: string;
  /** Topic names the member subscribes to; topics that do not exist are allowed and ignored. */
  readonly subscribedTopics: readonly string[];
  /** Partitions the member owned in `generation` (the previous assignment); none if absent. */
  readonly ownedPartitions?: readonly TopicPartition[];
  /**
   * Generation in which `ownedPartitions` were owned. Absent means unknown, which Kafka treats
   * as DEFAULT_GENERATION (-1), older than any real generation.
   */
  readonly generation?: number;
}

export interface TopicMetadata {
  readonly topic: string;
  readonly numPartitions: number;
}

export interface AssignmentInput {
  readonly members: readonly GroupMember[];
  /** Topics that exist, with their partition counts. Topics no member subscribes to are ignored. */
  readonly topics: readonly TopicMetadata[];
}

/**
 * memberId -> partitions assigned to that member, sorted by (topic, partition). Every member of
 * the input has an entry (possibly empty); entries iterate in ascending memberId order.
 */
export type Assignment = ReadonlyMap<string, readonly TopicPartition[]>;

/**
 * A partition the cooperative-sticky assignor holds back: it is moving to another member, so
 * its current owners must revoke it first, and a second rebalance (which Kafka's consumer
 * triggers as soon as it has revoked) hands it to its new owner.
 */
export interface PartitionHandover extends TopicPartition {
  /** Members that still claim the partition and must revoke it; never empty. */
  readonly revokedBy: readonly string[];
  /** The member the partition is meant for, once the follow-up rebalance runs. */
  readonly assignTo: string;
}

export interface CooperativeAssignment {
  /** What each member gets in this rebalance: the sticky assignment minus the handovers. */
  readonly assignment: Assignment;
  /** Partitions held back until the follow-up rebalance, sorted by (topic, partition). */
  readonly pendingHandovers: readonly PartitionHandover[];
}

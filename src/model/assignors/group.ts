/**
 * The group as the assignors see it, built once from the caller's input: checked, copied (so the
 * input is never touched), members in ascending member-id order, and every existing partition
 * numbered 0..P-1 in (topic, partition) order. Working on partition numbers keeps the
 * algorithms fast and makes "sorted by (topic, partition)" the same as "sorted by number".
 *
 * Ownership from the previous generation is resolved here too, with the rules of
 * AbstractStickyAssignor.allSubscriptionsEqual: of the members that claim a partition, the one
 * with the highest generation owns it; if two or more share that highest generation, nobody
 * owns it and it is marked contested. Kafka applies the rule while walking members in HashMap
 * order, so when a tie sits below a higher claim its result can depend on that order; deciding
 * on the highest generation alone is order-free and equals Kafka's result whenever the highest
 * claim is visited first.
 */

import { AssignmentInputError, describeValue, messages, type AssignmentIssue } from './errors.js';
import { compareStrings } from './order.js';
import {
  ASSIGNOR_NAMES,
  DEFAULT_GENERATION,
  type Assignment,
  type AssignmentInput,
  type TopicPartition,
} from './types.js';

export interface MemberSnapshot {
  readonly memberId: string;
  readonly groupInstanceId: string | undefined;
  /** The subscription as given (deduplicated), including topics that do not exist. */
  readonly subscription: ReadonlySet<string>;
  /** Subscribed topics that exist, sorted by name. */
  readonly topics: readonly string[];
  /** Claimed partitions that exist, as partition numbers, ascending and deduplicated. */
  readonly claims: readonly number[];
  readonly generation: number;
}

export interface GroupSnapshot {
  /** Sorted by memberId; a member's index in this array is its identity inside the assignors. */
  readonly members: readonly MemberSnapshot[];
  readonly partitions: PartitionTable;
}

export class PartitionTable {
  /** Existing topics, sorted by name. */
  readonly topics: readonly string[];
  readonly size: number;
  private readonly offsets = new Map<string, number>();
  private readonly counts = new Map<string, number>();
  private readonly topicOfId: string[] = [];
  private readonly partitionOfId: number[] = [];

  constructor(partitionsPerTopic: ReadonlyMap<string, number>) {
    this.topics = [...partitionsPerTopic.keys()].sort(compareStrings);
    let next = 0;
    for (const topic of this.topics) {
      const count = partitionsPerTopic.get(topic) ?? 0;
      this.offsets.set(topic, next);
      this.counts.set(topic, count);
      for (let partition = 0; partition < count; partition++) {
        this.topicOfId.push(topic);
        this.partitionOfId.push(partition);
      }
      next += count;
    }
    this.size = next;
  }

  has(topic: string): boolean {
    return this.counts.has(topic);
  }

  /** Partition count of an existing topic, 0 for a topic that does not exist. */
  count(topic: string): number {
    return this.counts.get(topic) ?? 0;
  }

  /** Number of the topic's first partition; the topic must exist. */
  offset(topic: string): number {
    return this.offsets.get(topic) as number;
  }

  /** Number of a partition, or -1 if the topic or the partition does not exist. */
  id(topic: string, partition: number): number {
    const offset = this.offsets.get(topic);
    if (offset === undefined || partition >= (this.counts.get(topic) as number)) return -1;
    return offset + partition;
  }

  topicOf(id: number): string {
    return this.topicOfId[id];
  }

  partitionOf(id: number): number {
    return this.partitionOfId[id];
  }

  toTopicPartition(id: number): TopicPartition {
    return { topic: this.topicOfId[id], partition: this.partitionOfId[id] };
  }
}

export interface ResolvedOwnership {
  /** Per member index: partitions it owns after conflicts are resolved, ascending. */
  readonly owned: readonly number[][];
  /** Partitions claimed by several members in the same, highest, generation. */
  readonly contested: ReadonlySet<number>;
  /** Highest generation any member reports (DEFAULT_GENERATION if none). */
  readonly maxGeneration: number;
}

export function resolveOwnership(group: GroupSnapshot): ResolvedOwnership {
  const size = group.partitions.size;
  const bestGeneration = new Map<number, number>();
  const bestMember = new Map<number, number>();
  const contested = new Set<number>();
  let maxGeneration = DEFAULT_GENERATION;
  group.members.forEach((member, index) => {
    maxGeneration = Math.max(maxGeneration, member.generation);
    for (const id of member.claims) {
      const best = bestGeneration.get(id);
      if (best === undefined || member.generation > best) {
        bestGeneration.set(id, member.generation);
        bestMember.set(id, index);
        contested.delete(id);
      } else if (member.generation === best) {
        contested.add(id);
      }
    }
  });
  const owned: number[][] = group.members.map(() => []);
  for (let id = 0; id < size; id++) {
    const member = bestMember.get(id);
    if (member !== undefined && !contested.has(id)) owned[member].push(id);
  }
  return { owned, contested, maxGeneration };
}

/** Turns per-member partition numbers into the public Assignment, in memberId order. */
export function toAssignment(group: GroupSnapshot, perMember: readonly Iterable<number>[]): Assignment {
  const assignment = new Map<string, readonly TopicPartition[]>();
  group.members.forEach((member, index) => {
    const ids = [...perMember[index]].sort((a, b) => a - b);
    assignment.set(member.memberId, ids.map((id) => group.partitions.toTopicPartition(id)));
  });
  return assignment;
}

export function emptyAssignment(group: GroupSnapshot): Assignment {
  return toAssignment(
    group,
    group.members.map(() => []),
  );
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** Checks the call, collecting every problem, and builds the snapshot the assignors work on. */
export function snapshotGroup(strategy: unknown, input: AssignmentInput): GroupSnapshot {
  const issues: AssignmentIssue[] = [];
  const issue = (path: string, expected: string, received: unknown, message?: string): void => {
    const got = describeValue(received);
    issues.push({ path, expected, received: got, message: message ?? messages.wrongType(expected, got) });
  };

  if (!(ASSIGNOR_NAMES as readonly unknown[]).includes(strategy)) {
    issue('strategy', ASSIGNOR_NAMES.join(' | '), strategy,
      messages.unknownAssignor(describeValue(strategy), ASSIGNOR_NAMES));
  }
  if (!isRecord(input)) {
    issue('input', 'object with members and topics', input);
    throw new AssignmentInputError(issues);
  }

  const partitionsPerTopic = new Map<string, number>();
  const topicIndex = new Map<string, number>();
  if (!Array.isArray(input.topics)) {
    issue('input.topics', 'array', input.topics);
  } else {
    input.topics.forEach((topic: unknown, i) => {
      const path = `input.topics[${i}]`;
      if (!isRecord(topic)) return issue(path, 'object with topic and numPartitions', topic);
      const name = topic.topic;
      if (typeof name !== 'string' || name === '') return issue(`${path}.topic`, 'non-empty string', name);
      if (!isCount(topic.numPartitions)) {
        return issue(`${path}.numPartitions`, 'non-negative integer', topic.numPartitions);
      }
      const first = topicIndex.get(name);
      if (first !== undefined) {
        return issue(`${path}.topic`, 'unique topic name', name, messages.duplicateTopic(name, first));
      }
      topicIndex.set(name, i);
      partitionsPerTopic.set(name, topic.numPartitions);
    });
  }
  const partitions = new PartitionTable(partitionsPerTopic);

  const members: MemberSnapshot[] = [];
  const memberIndex = new Map<string, number>();
  const instanceIndex = new Map<string, number>();
  if (!Array.isArray(input.members)) {
    issue('input.members', 'array', input.members);
  } else {
    input.members.forEach((member: unknown, i) => {
      const path = `input.members[${i}]`;
      if (!isRecord(member)) return issue(path, 'object with memberId and subscribedTopics', member);
      let valid = true;

      const memberId = member.memberId;
      if (typeof memberId !== 'string' || memberId === '') {
        issue(`${path}.memberId`, 'non-empty string', memberId);
        valid = false;
      } else if (memberIndex.has(memberId)) {
        issue(`${path}.memberId`, 'unique member id', memberId,
          messages.duplicateMemberId(memberId, memberIndex.get(memberId) as number));
        valid = false;
      } else {
        memberIndex.set(memberId, i);
      }

      const instanceId = member.groupInstanceId;
      if (instanceId !== undefined) {
        if (typeof instanceId !== 'string' || instanceId === '') {
          issue(`${path}.groupInstanceId`, 'non-empty string or absent', instanceId);
          valid = false;
        } else if (instanceIndex.has(instanceId)) {
          issue(`${path}.groupInstanceId`, 'unique group.instance.id', instanceId,
            messages.duplicateInstanceId(instanceId, instanceIndex.get(instanceId) as number));
          valid = false;
        } else {
          instanceIndex.set(instanceId, i);
        }
      }

      const subscription = new Set<string>();
      if (!Array.isArray(member.subscribedTopics)) {
        issue(`${path}.subscribedTopics`, 'array of topic names', member.subscribedTopics);
        valid = false;
      } else {
        member.subscribedTopics.forEach((topic: unknown, j) => {
          if (typeof topic !== 'string' || topic === '') {
            issue(`${path}.subscribedTopics[${j}]`, 'non-empty string', topic);
            valid = false;
          } else {
            subscription.add(topic);
          }
        });
      }

      const claims = new Set<number>();
      if (member.ownedPartitions !== undefined) {
        if (!Array.isArray(member.ownedPartitions)) {
          issue(`${path}.ownedPartitions`, 'array of {topic, partition}', member.ownedPartitions);
          valid = false;
        } else {
          member.ownedPartitions.forEach((owned: unknown, j) => {
            const ownedPath = `${path}.ownedPartitions[${j}]`;
            if (!isRecord(owned)) {
              valid = false;
              return issue(ownedPath, 'object with topic and partition', owned);
            }
            if (typeof owned.topic !== 'string' || owned.topic === '') {
              valid = false;
              return issue(`${ownedPath}.topic`, 'non-empty string', owned.topic);
            }
            if (!isCount(owned.partition)) {
              valid = false;
              return issue(`${ownedPath}.partition`, 'non-negative integer', owned.partition);
            }
            // A partition of a deleted topic (or beyond the current count) can be claimed
            // legitimately after a metadata change; it cannot be assigned, so it is dropped.
            const id = partitions.id(owned.topic, owned.partition);
            if (id >= 0) claims.add(id);
          });
        }
      }

      const generation = member.generation;
      if (generation !== undefined && !Number.isSafeInteger(generation)) {
        issue(`${path}.generation`, 'integer or absent', generation);
        valid = false;
      }

      if (valid) {
        members.push({
          memberId: memberId as string,
          groupInstanceId: instanceId as string | undefined,
          subscription,
          topics: [...subscription].filter((topic) => partitions.has(topic)).sort(compareStrings),
          claims: [...claims].sort((a, b) => a - b),
          generation: (generation as number | undefined) ?? DEFAULT_GENERATION,
        });
      }
    });
  }

  if (issues.length > 0) throw new AssignmentInputError(issues);
  members.sort((a, b) => compareStrings(a.memberId, b.memberId));
  return { members, partitions };
}

/** Whether every member subscribes to exactly the same topic names (Kafka compares names, not existence). */
export function allSubscriptionsEqual(group: GroupSnapshot): boolean {
  const first = group.members[0]?.subscription;
  if (first === undefined) return true;
  return group.members.every(
    (member) => member.subscription.size === first.size && [...first].every((topic) => member.subscription.has(topic)),
  );
}

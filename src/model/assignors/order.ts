/**
 * Orderings shared by the assignors. Strings compare by UTF-16 code unit, which is what Java's
 * String.compareTo does, so member and topic orders match Kafka's for any name (localeCompare
 * would not).
 */

import type { TopicPartition } from './types.js';
import { compareText } from '../../text.js';

export const compareStrings = compareText;

export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  return compareStrings(a.topic, b.topic) || a.partition - b.partition;
}

export interface MemberIdentity {
  readonly memberId: string;
  readonly groupInstanceId: string | undefined;
}

/**
 * AbstractPartitionAssignor.MemberInfo.compareTo (and the KIP-848 RangeAssignor's
 * sortMemberIds): static members first, ordered by group.instance.id, then dynamic members by
 * member id. Ranking static members by their stable instance id is what keeps their partitions
 * when their member ids change across restarts.
 */
export function compareStaticFirst(a: MemberIdentity, b: MemberIdentity): number {
  if (a.groupInstanceId !== undefined && b.groupInstanceId !== undefined) {
    return compareStrings(a.groupInstanceId, b.groupInstanceId);
  }
  if (a.groupInstanceId !== undefined) return -1;
  if (b.groupInstanceId !== undefined) return 1;
  return compareStrings(a.memberId, b.memberId);
}

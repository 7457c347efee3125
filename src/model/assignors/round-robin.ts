/**
 * Round-robin assignment (clients/.../consumer/RoundRobinAssignor.java): all subscribed
 * partitions sorted by (topic, partition) are dealt out one at a time to the members in a
 * circle, static members first by group.instance.id, then dynamic members by member id. A
 * member not subscribed to a partition's topic is skipped, and the circle keeps its position
 * from one topic to the next, which is why identical subscriptions give counts within one of
 * each other but differing subscriptions can leave the group unbalanced.
 */

import type { GroupSnapshot } from './group.js';
import { compareStaticFirst } from './order.js';

export function roundRobinAssign(group: GroupSnapshot): number[][] {
  const { members, partitions } = group;
  const assignment: number[][] = members.map(() => []);
  const circle = members.map((_, index) => index).sort((a, b) => compareStaticFirst(members[a], members[b]));

  // Partition numbers are already in (topic, partition) order, so walking the subscribed topics
  // in name order walks the partitions in Kafka's order.
  const subscribedTopics = new Set<string>();
  for (const member of members) for (const topic of member.topics) subscribedTopics.add(topic);

  let next = 0;
  for (const topic of partitions.topics) {
    if (!subscribedTopics.has(topic)) continue;
    const first = partitions.offset(topic);
    for (let p = 0; p < partitions.count(topic); p++) {
      while (!members[circle[next]].subscription.has(topic)) next = (next + 1) % circle.length;
      assignment[circle[next]].push(first + p);
      next = (next + 1) % circle.length;
    }
  }
  return assignment;
}

/**
 * Range assignment: each topic on its own, its partitions laid out in order and cut into
 * contiguous ranges, one per subscribed member, the first members (static members first, by
 * group.instance.id, then by member id) taking one extra partition when the count does not
 * divide evenly. Because every topic is cut the same way, the first members get the extra
 * partition of every topic, and members subscribed to co-partitioned topics get the same
 * partition numbers from each (what joins need).
 *
 * Follows the client RangeAssignor (clients/.../consumer/RangeAssignor.java) without rack
 * awareness, and the KIP-848 server-side RangeAssignor of Kafka 4.0
 * (group-coordinator/.../assignor/RangeAssignor.java), which computes the same ranges: it sorts
 * members with the same static-first rule and, like the client one, ignores the previous
 * assignment. Kafka's server assignor rejects a subscription to a topic that does not exist; the
 * coordinator never passes one (it only resolves names of existing topics), so here such topics
 * are simply skipped, as the client assignor does.
 */

import type { GroupSnapshot } from './group.js';
import { compareStaticFirst } from './order.js';

export function rangeAssign(group: GroupSnapshot): number[][] {
  const { members, partitions } = group;
  const assignment: number[][] = members.map(() => []);
  const subscribers = new Map<string, number[]>();
  members.forEach((member, index) => {
    for (const topic of member.topics) {
      let list = subscribers.get(topic);
      if (list === undefined) subscribers.set(topic, (list = []));
      list.push(index);
    }
  });

  for (const [topic, indices] of subscribers) {
    indices.sort((a, b) => compareStaticFirst(members[a], members[b]));
    const numPartitions = partitions.count(topic);
    const perMember = Math.floor(numPartitions / indices.length);
    const withExtra = numPartitions % indices.length;
    const first = partitions.offset(topic);
    indices.forEach((member, i) => {
      const start = perMember * i + Math.min(i, withExtra);
      const length = perMember + (i < withExtra ? 1 : 0);
      for (let p = start; p < start + length; p++) assignment[member].push(first + p);
    });
  }
  return assignment;
}

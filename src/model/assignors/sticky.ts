/**
 * Sticky assignment, shared by the eager StickyAssignor and the CooperativeStickyAssignor
 * (clients/.../consumer/internals/AbstractStickyAssignor.java, Kafka 3.5+ without racks). The
 * goals, in order: a balanced assignment (partition counts differ by at most one where
 * subscriptions allow it), then as few partitions moving as possible.
 *
 * Phases, as in Kafka:
 * 1. Resolve previous ownership across generations (group.ts: resolveOwnership) and keep only
 *    partitions of topics someone still subscribes to.
 * 2. If every member subscribes to the same topics, the constrained builder runs: each member
 *    keeps up to its quota of what it owned (sorted by partition number, then topic), the rest
 *    is dealt round-robin to the members still below quota. It also records which partitions
 *    change owner ("partitionsTransferringOwnership"), which the cooperative assignor needs.
 * 3. Otherwise the general builder runs: keep every still-valid owned partition, give each
 *    unassigned partition to the least-loaded subscriber, then move partitions from members with
 *    two or more partitions more than another subscriber of the topic until balanced,
 *    preferring to hand a partition back to its owner in an older generation, and undo the
 *    moves if they did not improve the balance score.
 *
 * Where Kafka iterates a HashMap or HashSet, members are visited in member-id order and a
 * partition is picked by lowest (topic, partition); see index.ts for the full list.
 */

import { AssignorStateError } from './errors.js';
import { allSubscriptionsEqual, resolveOwnership, type GroupSnapshot } from './group.js';
import { compareStrings } from './order.js';

export interface StickyOutcome {
  /** Per member index: assigned partition numbers. */
  readonly assignment: readonly number[][];
  /**
   * Partition -> member index it moves to, from the constrained builder; null when the general
   * builder ran, in which case the cooperative assignor derives it from the claims (as Kafka does).
   */
  readonly transferring: ReadonlyMap<number, number> | null;
}

export function stickyAssign(group: GroupSnapshot): StickyOutcome {
  // Kafka's partitionsPerTopic holds the existing topics the group subscribes to; ownership of
  // anything else is forgotten.
  const assignableTopics = new Set<string>();
  for (const member of group.members) for (const topic of member.topics) assignableTopics.add(topic);
  const ownership = resolveOwnership(group);
  const owned = ownership.owned.map((ids) => ids.filter((id) => assignableTopics.has(group.partitions.topicOf(id))));
  const topics = [...assignableTopics].sort(compareStrings);

  if (allSubscriptionsEqual(group)) return constrainedAssign(group, topics, owned, ownership.contested);
  return generalAssign(group, topics, owned, ownership.maxGeneration);
}

function constrainedAssign(
  group: GroupSnapshot,
  topics: readonly string[],
  owned: readonly number[][],
  contested: ReadonlySet<number>,
): StickyOutcome {
  const { members, partitions } = group;
  const numMembers = members.length;
  const assignment: number[][] = members.map(() => []);
  const transferring = new Map<number, number>();
  if (numMembers === 0) return { assignment, transferring };

  let totalPartitions = 0;
  for (const topic of topics) totalPartitions += partitions.count(topic);
  const minQuota = Math.floor(totalPartitions / numMembers);
  const maxQuota = Math.ceil(totalPartitions / numMembers);
  const expectedMembersOverMin = totalPartitions % numMembers;
  let membersOverMin = 0;

  const assigned = new Uint8Array(partitions.size);
  const revoked = new Set<number>();
  const underMin: number[] = [];
  let exactlyMin: number[] = [];

  const keep = (member: number, ids: readonly number[]): void => {
    for (const id of ids) {
      assignment[member].push(id);
      assigned[id] = 1;
    }
  };

  // Step 1: keep owned partitions up to quota. Kafka sorts them by partition number, then
  // topic, so a member spread over several topics keeps the low partition numbers of each.
  members.forEach((_, member) => {
    const ownedPartitions = [...owned[member]].sort(
      (a, b) =>
        partitions.partitionOf(a) - partitions.partitionOf(b) ||
        compareStrings(partitions.topicOf(a), partitions.topicOf(b)),
    );
    if (ownedPartitions.length < minQuota) {
      keep(member, ownedPartitions);
      underMin.push(member);
    } else if (ownedPartitions.length >= maxQuota && membersOverMin < expectedMembersOverMin) {
      membersOverMin++;
      if (membersOverMin === expectedMembersOverMin) exactlyMin = [];
      keep(member, ownedPartitions.slice(0, maxQuota));
      for (const id of ownedPartitions.slice(maxQuota)) revoked.add(id);
    } else {
      keep(member, ownedPartitions.slice(0, minQuota));
      for (const id of ownedPartitions.slice(minQuota)) revoked.add(id);
      if (membersOverMin < expectedMembersOverMin) exactlyMin.push(member);
    }
  });

  const unassigned: number[] = [];
  for (const topic of topics) {
    const first = partitions.offset(topic);
    for (let p = 0; p < partitions.count(topic); p++) if (!assigned[first + p]) unassigned.push(first + p);
  }
  underMin.sort((a, b) => a - b);
  exactlyMin.sort((a, b) => a - b);

  const assignNew = (id: number, member: number): number => {
    assignment[member].push(id);
    if (revoked.has(id) || contested.has(id)) transferring.set(id, member);
    return assignment[member].length;
  };

  // Step 2: deal the rest round-robin, first to members below minQuota, then one more each to
  // members at minQuota until the expected number of members holds maxQuota. `cursor` plays the
  // part of Kafka's iterator over the under-quota list, which restarts when it runs out.
  let cursor = 0;
  for (const id of unassigned) {
    let member: number;
    if (cursor < underMin.length) {
      member = underMin[cursor++];
    } else if (underMin.length === 0 && exactlyMin.length === 0) {
      throw new AssignorStateError('sticky', 'no more unfilled consumers to be assigned');
    } else if (underMin.length === 0) {
      member = exactlyMin.shift() as number;
    } else {
      cursor = 0;
      member = underMin[cursor++];
    }
    const count = assignNew(id, member);
    if (count === minQuota) {
      underMin.splice(--cursor, 1);
      exactlyMin.push(member);
    } else if (count === maxQuota) {
      membersOverMin++;
    }
  }

  if (underMin.length > 0) {
    if (membersOverMin !== expectedMembersOverMin) {
      throw new AssignorStateError('sticky', 'fewer members than expected reached maxQuota');
    }
    for (const member of underMin) {
      if (assignment[member].length !== minQuota) {
        throw new AssignorStateError('sticky', `member ${members[member].memberId} did not reach minQuota`);
      }
    }
  }
  return { assignment, transferring };
}

/**
 * Records which partitions moved between which members during the general builder's balancing,
 * so a partition can be moved back along the way it came rather than a second one moved
 * (Kafka's PartitionMovements).
 */
export class PartitionMovements {
  private readonly moves = new Map<number, { src: number; dst: number }>();
  private readonly byTopic = new Map<string, Map<string, Set<number>>>();

  constructor(private readonly topicOf: (id: number) => string) {}

  actualPartitionToMove(id: number, oldMember: number, newMember: number): number {
    const topicMoves = this.byTopic.get(this.topicOf(id));
    if (topicMoves === undefined) return id;
    const earlier = this.moves.get(id);
    const source = earlier === undefined ? oldMember : earlier.src;
    const reverse = topicMoves.get(pairKey(newMember, source));
    if (reverse === undefined) return id;
    // Kafka takes whichever its HashSet yields first; the lowest partition is our pick.
    let lowest = Infinity;
    for (const candidate of reverse) lowest = Math.min(lowest, candidate);
    return lowest;
  }

  move(id: number, oldMember: number, newMember: number): void {
    const earlier = this.moves.get(id);
    if (earlier === undefined) {
      this.record(id, oldMember, newMember);
      return;
    }
    this.forget(id, earlier.src, earlier.dst);
    if (earlier.src !== newMember) this.record(id, earlier.src, newMember);
  }

  private record(id: number, src: number, dst: number): void {
    this.moves.set(id, { src, dst });
    const topic = this.topicOf(id);
    let topicMoves = this.byTopic.get(topic);
    if (topicMoves === undefined) this.byTopic.set(topic, (topicMoves = new Map()));
    const key = pairKey(src, dst);
    let ids = topicMoves.get(key);
    if (ids === undefined) topicMoves.set(key, (ids = new Set()));
    ids.add(id);
  }

  private forget(id: number, src: number, dst: number): void {
    this.moves.delete(id);
    const topic = this.topicOf(id);
    const topicMoves = this.byTopic.get(topic) as Map<string, Set<number>>;
    const key = pairKey(src, dst);
    const ids = topicMoves.get(key) as Set<number>;
    ids.delete(id);
    if (ids.size === 0) topicMoves.delete(key);
    if (topicMoves.size === 0) this.byTopic.delete(topic);
  }
}

const pairKey = (src: number, dst: number): string => `${src}>${dst}`;

/** Guards against a balancing loop that never settles; Kafka's would spin forever. */
const MAX_BALANCING_STEPS = 10_000_000;

function generalAssign(
  group: GroupSnapshot,
  topics: readonly string[],
  owned: readonly number[][],
  maxGeneration: number,
): StickyOutcome {
  const { members, partitions } = group;
  const numMembers = members.length;
  const numTopics = topics.length;

  // Topics by index (name order) and each assignable partition's topic index, so the loops
  // below work on arrays rather than on names.
  const topicIndex = new Map(topics.map((topic, index) => [topic, index]));
  const topicOf = new Int32Array(partitions.size).fill(-1);
  topics.forEach((topic, t) => {
    const first = partitions.offset(topic);
    for (let p = 0; p < partitions.count(topic); p++) topicOf[first + p] = t;
  });
  const consumersByTopic: number[][] = topics.map(() => []);
  members.forEach((member, index) => {
    for (const topic of member.topics) consumersByTopic[topicIndex.get(topic) as number].push(index);
  });
  const maxAssignmentSize = members.map((member) => member.topics.reduce((sum, topic) => sum + partitions.count(topic), 0));

  const current: Set<number>[] = owned.map((ids) => new Set(ids));
  const owner = new Int32Array(partitions.size).fill(-1);
  current.forEach((ids, member) => {
    for (const id of ids) owner[id] = member;
  });

  // Partitions of topics with the fewest potential consumers come first: they have the least
  // freedom, so they are placed (and balanced) before the others.
  const sortedTopics = topics
    .map((_, t) => t)
    .sort((a, b) => consumersByTopic[a].length - consumersByTopic[b].length || a - b);
  let sortedAllPartitions: number[] = [];
  for (const t of sortedTopics) {
    const first = partitions.offset(topics[t]);
    for (let p = 0; p < partitions.count(topics[t]); p++) sortedAllPartitions.push(first + p);
  }

  // The latest owner of each partition among members of older generations: balancing prefers
  // to hand a partition back to it.
  const previousOwner = new Map<number, { member: number; generation: number }>();
  members.forEach((member, index) => {
    if (member.generation >= maxGeneration) return;
    for (const id of member.claims) {
      const earlier = previousOwner.get(id);
      if (earlier === undefined || member.generation > earlier.generation) {
        previousOwner.set(id, { member: index, generation: member.generation });
      }
    }
  });

  // Keep owned partitions of subscribed topics; drop the others, which forces a revocation.
  let revocationRequired = false;
  members.forEach((member, index) => {
    for (const id of [...current[index]]) {
      if (!member.subscription.has(topics[topicOf[id]])) {
        current[index].delete(id);
        owner[id] = -1;
        revocationRequired = true;
      }
    }
  });
  let unassigned = sortedAllPartitions.filter((id) => owner[id] === -1);

  // Sizes kept alongside the sets so the hot loops read a plain array.
  const sizes = new Int32Array(numMembers);
  current.forEach((ids, member) => {
    sizes[member] = ids.size;
  });
  let version = 0;
  const place = (id: number, member: number): void => {
    const previous = owner[id];
    if (previous >= 0) {
      current[previous].delete(id);
      sizes[previous]--;
    }
    current[member].add(id);
    sizes[member]++;
    owner[id] = member;
    version++;
  };

  let initializing = true;
  for (let member = 0; member < numMembers; member++) if (sizes[member] > 0) initializing = false;

  // Each unassigned partition goes to the first subscriber in Kafka's sortedCurrentSubscriptions
  // order (fewest partitions, then member id). Unassigned partitions come topic by topic, so a
  // heap of the topic's subscribers finds that member without rescanning them all.
  for (let start = 0; start < unassigned.length; ) {
    const t = topicOf[unassigned[start]];
    let end = start;
    while (end < unassigned.length && topicOf[unassigned[end]] === t) end++;
    const heap = new LeastLoadedHeap(sizes, consumersByTopic[t]);
    for (let i = start; i < end; i++) {
      const member = heap.pop();
      place(unassigned[i], member);
      heap.push(member);
    }
    start = end;
  }

  // Only topics with two or more potential consumers, and members that could take or give a
  // partition, take part in balancing.
  const reassignable = (id: number): boolean => consumersByTopic[topicOf[id]].length >= 2;
  sortedAllPartitions = sortedAllPartitions.filter(reassignable);
  unassigned = unassigned.filter(reassignable);
  const participant = members.map((_, member) => {
    if (sizes[member] < maxAssignmentSize[member]) return true;
    for (const id of current[member]) if (reassignable(id)) return true;
    return false;
  });
  const participants = members.map((_, member) => member).filter((member) => participant[member]);

  // The least-loaded subscriber of each topic (Kafka: first in sortedCurrentSubscriptions
  // subscribed to it), cached until the next move.
  const leastLoadedVersion = new Float64Array(numTopics).fill(-1);
  const leastLoadedMember = new Int32Array(numTopics);
  const leastLoaded = (t: number): number => {
    if (leastLoadedVersion[t] !== version) {
      let best = -1;
      for (const member of consumersByTopic[t]) {
        if (participant[member] && (best === -1 || sizes[member] < sizes[best])) best = member;
      }
      leastLoadedMember[t] = best;
      leastLoadedVersion[t] = version;
    }
    return leastLoadedMember[t];
  };

  const movements = new PartitionMovements((id) => topics[topicOf[id]]);
  const reassign = (id: number, newMember: number): void => {
    const moving = movements.actualPartitionToMove(id, owner[id], newMember);
    movements.move(moving, owner[moving], newMember);
    place(moving, newMember);
  };

  let steps = 0;
  const performReassignments = (reassignablePartitions: readonly number[]): boolean => {
    let performed = false;
    let modified: boolean;
    do {
      modified = false;
      // Kafka checks isBalanced() before each partition, but only to end the pass early: when it
      // holds, no partition meets either move condition below, so testing them alone gives the
      // same moves without the cost of the check.
      for (const id of reassignablePartitions) {
        if (++steps > MAX_BALANCING_STEPS) throw new AssignorStateError('sticky', 'balancing did not converge');
        const consumer = owner[id];
        const previous = previousOwner.get(id);
        // Kafka hands the partition back to its previous owner without checking that the owner
        // still subscribes to the topic; we require it, so a member never gets a partition of a
        // topic it does not subscribe to.
        if (
          previous !== undefined &&
          members[previous.member].subscription.has(topics[topicOf[id]]) &&
          participant[previous.member] &&
          sizes[consumer] > sizes[previous.member] + 1
        ) {
          reassign(id, previous.member);
          performed = modified = true;
          continue;
        }
        // Kafka: some subscriber of the topic has two or more partitions fewer.
        const target = leastLoaded(topicOf[id]);
        if (sizes[consumer] > sizes[target] + 1) {
          reassign(id, target);
          performed = modified = true;
        }
      }
    } while (modified);
    return performed;
  };

  const before = participants.map((member) => [...current[member]]);
  const ownerBefore = owner.slice();
  if (!revocationRequired) performReassignments(unassigned);
  const reassignmentPerformed = performReassignments(sortedAllPartitions);

  // Keep the moves only if they made the assignment more balanced.
  if (
    !initializing &&
    reassignmentPerformed &&
    balanceScore(participants.map((member) => sizes[member])) >= balanceScore(before.map((ids) => ids.length))
  ) {
    participants.forEach((member, i) => {
      current[member] = new Set(before[i]);
    });
    owner.set(ownerBefore);
  }

  return { assignment: current.map((ids) => [...ids]), transferring: null };
}

/** Members ordered by (partition count, member index), smallest first: a binary min-heap. */
class LeastLoadedHeap {
  private readonly heap: number[];

  constructor(
    private readonly sizes: Int32Array,
    members: readonly number[],
  ) {
    this.heap = [...members].sort((a, b) => this.compare(a, b));
  }

  pop(): number {
    const top = this.heap[0];
    const last = this.heap.pop() as number;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  push(member: number): void {
    this.heap.push(member);
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(this.heap[i], this.heap[parent]) >= 0) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && this.compare(this.heap[left], this.heap[smallest]) < 0) smallest = left;
      if (right < n && this.compare(this.heap[right], this.heap[smallest]) < 0) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(i: number, j: number): void {
    const member = this.heap[i];
    this.heap[i] = this.heap[j];
    this.heap[j] = member;
  }

  private compare(a: number, b: number): number {
    return this.sizes[a] - this.sizes[b] || a - b;
  }
}

/** Sum over all pairs of members of the difference in partition counts (0 = perfectly balanced). */
function balanceScore(sizes: readonly number[]): number {
  const sorted = [...sizes].sort((a, b) => a - b);
  let score = 0;
  sorted.forEach((value, i) => {
    score += value * (2 * i - (sorted.length - 1));
  });
  return score;
}

/**
 * The KIP-848 UniformAssignor, the group coordinator's default
 * (group-coordinator/.../assignor/UniformAssignor.java). Balance first, then stickiness. When
 * every member subscribes to the same topics the homogeneous builder runs, otherwise the
 * heterogeneous one.
 *
 * Homogeneous (UniformHomogeneousAssignmentBuilder, with the KAFKA-18688 stability fix of May
 * 2025, apache/kafka#19677): every member may keep up to minQuota + 1 of its previous partitions
 * while extra slots remain; a member that does not fill its extra slot with partitions it
 * already had gives the slot up, and the slots left over go to the last members still short of
 * quota. Unassigned partitions (never owned, or taken from members over quota) are then dealt in
 * order to the members short of quota. Kafka 4.0.0 shipped the builder before that fix, which
 * gave the extra slots to the first members in iteration order and so could move partitions out
 * of an already balanced assignment; we follow the fixed version, the one Kafka's current tests
 * describe.
 *
 * Heterogeneous (UniformHeterogeneousAssignmentBuilder, reworked in KAFKA-17710): keep every
 * owned partition of a still-subscribed topic, give each unassigned partition to the
 * least-loaded subscriber of its topic (topics taken in order of partitions per subscriber,
 * descending), then repeatedly move partitions of a topic from its most-loaded subscribers to
 * its least-loaded ones until every topic's subscribers are within one partition, for at most
 * 16 rounds.
 *
 * The server works on its current target assignment rather than on what members report; here
 * the members' owned partitions, with generation conflicts resolved (group.ts), play that part.
 */

import { AssignorStateError } from './errors.js';
import { allSubscriptionsEqual, resolveOwnership, type GroupSnapshot } from './group.js';
import { compareStrings } from './order.js';

export function uniformAssign(group: GroupSnapshot): number[][] {
  const owned = resolveOwnership(group).owned;
  return allSubscriptionsEqual(group)
    ? uniformHomogeneousAssign(group, owned)
    : uniformHeterogeneousAssign(group, owned);
}

export function uniformHomogeneousAssign(group: GroupSnapshot, owned: readonly number[][]): number[][] {
  const { members, partitions } = group;
  const assignment: number[][] = members.map(() => []);
  if (members.length === 0 || members[0].topics.length === 0) return assignment;
  const topics = members[0].topics;
  const subscribed = new Set(topics);

  const assigned = new Uint8Array(partitions.size);
  for (const ids of owned) for (const id of ids) assigned[id] = 1;

  // Kafka walks the subscribed topics in HashSet order; we walk them by name.
  const unassigned: number[] = [];
  let totalPartitions = 0;
  for (const topic of topics) {
    const first = partitions.offset(topic);
    const count = partitions.count(topic);
    for (let p = 0; p < count; p++) if (!assigned[first + p]) unassigned.push(first + p);
    totalPartitions += count;
  }

  const minQuota = Math.floor(totalPartitions / members.length);
  let extraSlots = totalPartitions % members.length;
  const unfilled: { member: number; quota: number }[] = [];

  members.forEach((_, member) => {
    let quota = minQuota;
    let hasExtraSlot = false;
    if (extraSlots > 0) {
      quota++;
      hasExtraSlot = true;
    }
    // Owned partitions are visited topic by topic, lowest partition first (Kafka: in the order
    // of the member's assignment map and its partition sets).
    const ownedIds = owned[member];
    for (let start = 0; start < ownedIds.length; ) {
      const topic = partitions.topicOf(ownedIds[start]);
      let end = start;
      while (end < ownedIds.length && partitions.topicOf(ownedIds[end]) === topic) end++;
      if (subscribed.has(topic)) {
        if (end - start <= quota) {
          for (let i = start; i < end; i++) assignment[member].push(ownedIds[i]);
          quota -= end - start;
        } else {
          for (let i = start; i < end; i++) {
            if (quota > 0) {
              assignment[member].push(ownedIds[i]);
              quota--;
            } else {
              unassigned.push(ownedIds[i]);
            }
          }
        }
      }
      start = end;
    }
    if (quota > 0 && hasExtraSlot) {
      quota--;
      hasExtraSlot = false;
    }
    if (quota === 0 && hasExtraSlot) extraSlots--;
    if (quota > 0 || (extraSlots > 0 && !hasExtraSlot)) unfilled.push({ member, quota });
  });

  // The extra slots nobody claimed by keeping partitions go to the last unfilled members.
  for (let i = unfilled.length - 1; i >= 0; i--) {
    if (extraSlots > 0) {
      extraSlots--;
      unfilled[i].quota++;
    }
    if (unfilled[i].quota === 0) unfilled.splice(i, 1);
  }

  let next = 0;
  for (const { member, quota } of unfilled) {
    for (let i = 0; i < quota && next < unassigned.length; i++) assignment[member].push(unassigned[next++]);
  }
  if (next < unassigned.length) throw new AssignorStateError('uniform', 'partitions were left unassigned');
  return assignment;
}

/** Kafka stops the heterogeneous balancing after this many rounds over all topics. */
const MAX_ITERATION_COUNT = 16;

export function uniformHeterogeneousAssign(group: GroupSnapshot, owned: readonly number[][]): number[][] {
  const { members, partitions } = group;
  const topicSubscribers = new Map<string, number[]>();
  members.forEach((member, index) => {
    for (const topic of member.topics) {
      let list = topicSubscribers.get(topic);
      if (list === undefined) topicSubscribers.set(topic, (list = []));
      list.push(index);
    }
  });
  const assignment = members.map(() => new Set<number>());
  if (topicSubscribers.size === 0) return assignment.map(() => []);

  const sizes = new Int32Array(members.length);
  const owner = new Int32Array(partitions.size).fill(-1);
  const assign = (id: number, member: number): void => {
    const previous = owner[id];
    if (previous >= 0) {
      assignment[previous].delete(id);
      sizes[previous]--;
    }
    assignment[member].add(id);
    owner[id] = member;
    sizes[member]++;
  };

  // Keep what members owned of topics they still subscribe to.
  members.forEach((member, index) => {
    const topics = new Set(member.topics);
    for (const id of owned[index]) if (topics.has(partitions.topicOf(id))) assign(id, index);
  });

  const subscribers = (topic: string): number[] => topicSubscribers.get(topic) as number[];
  // Topics with the most partitions per subscriber first, then fewer subscribers; Kafka breaks
  // the last tie by topic id, we by topic name.
  const compareTopics = (a: string, b: string): number => {
    const perSubscriberOrder =
      partitions.count(b) * subscribers(a).length - partitions.count(a) * subscribers(b).length;
    return Math.sign(perSubscriberOrder) || subscribers(a).length - subscribers(b).length || compareStrings(a, b);
  };
  const compareMembers = (a: number, b: number): number => sizes[a] - sizes[b] || a - b;
  const balancer = new MemberAssignmentBalancer(sizes, compareMembers);

  // Give every unassigned partition to the least-loaded subscriber of its topic.
  const topicsWithUnassigned = [...topicSubscribers.keys()]
    .filter((topic) => {
      const first = partitions.offset(topic);
      for (let p = 0; p < partitions.count(topic); p++) if (owner[first + p] === -1) return true;
      return false;
    })
    .sort(compareTopics);
  for (const topic of topicsWithUnassigned) {
    balancer.initialize(subscribers(topic));
    const first = partitions.offset(topic);
    for (let p = 0; p < partitions.count(topic); p++) {
      if (owner[first + p] === -1) assign(first + p, balancer.nextLeastLoadedMember());
    }
  }

  const balanceTopic = (topic: string): number => {
    let reassigned = 0;
    if (balancer.initialize(subscribers(topic)) <= 1) return reassigned;

    // The topic's partitions grouped by owner, so a member's last partition is found directly.
    const first = partitions.offset(topic);
    const ids: number[] = [];
    for (let p = 0; p < partitions.count(topic); p++) ids.push(first + p);
    ids.sort((a, b) => owner[a] - owner[b] || a - b);
    const start = new Map<number, number>();
    const end = new Map<number, number>();
    ids.forEach((id, i) => {
      if (!start.has(owner[id])) start.set(owner[id], i);
      end.set(owner[id], i + 1);
    });

    while (!balancer.isBalanced()) {
      let mostLoaded: number;
      for (;;) {
        mostLoaded = balancer.nextMostLoadedMember();
        if (mostLoaded === -1) break;
        const last = end.get(mostLoaded);
        if (last === undefined || last - (start.get(mostLoaded) as number) <= 0) {
          balancer.excludeMostLoadedMember();
          continue;
        }
        break;
      }
      if (mostLoaded === -1) break;

      const last = end.get(mostLoaded) as number;
      const id = ids[last - 1];
      end.set(mostLoaded, last - 1);
      const leastLoaded = balancer.nextLeastLoadedMember();
      if (balancer.isBalanced()) break;
      assign(id, leastLoaded);
      reassigned++;
    }
    return reassigned;
  };

  const balancedTopics = [...topicSubscribers.keys()].filter((topic) => subscribers(topic).length >= 2).sort(compareTopics);
  if (balancedTopics.length > 0) {
    let lastRebalancedTopic = -1;
    rounds: for (let round = 0; round < MAX_ITERATION_COUNT; round++) {
      for (let t = 0; t < balancedTopics.length; t++) {
        // A full pass since the last topic that moved anything: nothing more will move.
        if (t === lastRebalancedTopic) break rounds;
        if (balanceTopic(balancedTopics[t]) > 0 || lastRebalancedTopic === -1) lastRebalancedTopic = t;
      }
    }
  }
  return assignment.map((ids) => [...ids]);
}

/**
 * Kafka's MemberAssignmentBalancer: hands out the least-loaded and takes from the most-loaded
 * members of one topic's subscribers, tracking a "least loaded" range growing from the left of
 * the members sorted by load and a "most loaded" range growing from the right, so each pick is
 * constant time. It reads the live partition counts, as Kafka's does.
 */
class MemberAssignmentBalancer {
  private sorted: number[] = [];
  private leastLoadedRangeEnd = 0;
  private leastLoadedRangePartitionCount = -1;
  private nextLeastLoaded = 0;
  private mostLoadedRangeStart = 0;
  private mostLoadedRangeEnd = 0;
  private mostLoadedRangePartitionCount = 1;
  private nextMostLoaded = -1;

  constructor(
    private readonly sizes: Int32Array,
    private readonly compare: (a: number, b: number) => number,
  ) {}

  /** Resets for a topic's subscribers; returns the spread between most and least loaded. */
  initialize(members: readonly number[]): number {
    if (members.length === 0) throw new AssignorStateError('uniform', 'cannot balance an empty subscriber list');
    this.sorted = [...members].sort(this.compare);
    const n = this.sorted.length;
    this.leastLoadedRangeEnd = 0;
    this.leastLoadedRangePartitionCount = this.sizes[this.sorted[0]] - 1;
    this.nextLeastLoaded = 0;
    this.mostLoadedRangeStart = n;
    this.mostLoadedRangeEnd = n;
    this.mostLoadedRangePartitionCount = this.sizes[this.sorted[n - 1]] + 1;
    this.nextMostLoaded = n - 1;
    return this.sizes[this.sorted[n - 1]] - this.sizes[this.sorted[0]];
  }

  nextLeastLoadedMember(): number {
    if (this.nextLeastLoaded >= this.leastLoadedRangeEnd) {
      this.leastLoadedRangePartitionCount++;
      while (
        this.leastLoadedRangeEnd < this.sorted.length &&
        this.sizes[this.sorted[this.leastLoadedRangeEnd]] === this.leastLoadedRangePartitionCount
      ) {
        this.leastLoadedRangeEnd++;
      }
      this.nextLeastLoaded = 0;
    }
    return this.sorted[this.nextLeastLoaded++];
  }

  /** The next member to take a partition from, or -1 when none is left. */
  nextMostLoadedMember(): number {
    if (this.nextMostLoaded < this.mostLoadedRangeStart) {
      if (this.mostLoadedRangeEnd <= this.mostLoadedRangeStart && this.mostLoadedRangeStart > 0) {
        // The range was emptied by exclusions; restart it from the next member to the left.
        this.mostLoadedRangePartitionCount = this.sizes[this.sorted[this.mostLoadedRangeStart - 1]];
      } else {
        this.mostLoadedRangePartitionCount--;
      }
      while (
        this.mostLoadedRangeStart > 0 &&
        this.sizes[this.sorted[this.mostLoadedRangeStart - 1]] === this.mostLoadedRangePartitionCount
      ) {
        this.mostLoadedRangeStart--;
      }
      this.nextMostLoaded = this.mostLoadedRangeEnd - 1;
    }
    if (this.nextMostLoaded < 0) return -1;
    return this.sorted[this.nextMostLoaded--];
  }

  /** Drops the member last returned by nextMostLoadedMember: it has nothing of this topic to give. */
  excludeMostLoadedMember(): void {
    const member = this.sorted[this.nextMostLoaded + 1];
    this.sorted[this.nextMostLoaded + 1] = this.sorted[this.mostLoadedRangeEnd - 1];
    this.sorted[this.mostLoadedRangeEnd - 1] = member;
    this.mostLoadedRangeEnd--;
  }

  isBalanced(): boolean {
    return this.mostLoadedRangePartitionCount - this.leastLoadedRangePartitionCount <= 1;
  }
}

/**
 * Shared pieces for the assignor tests: a compact way to write Kafka's test cases as data
 * (partitions as "topic-partition" strings, the format of Kafka's verifyRackAssignment), the
 * checks Kafka's tests make (validity, balance, stickiness), and a small seeded generator for
 * property tests.
 */

import { expect } from 'vitest';
import {
  assign,
  assignCooperativeSticky,
  type Assignment,
  type AssignmentInput,
  type AssignorName,
  type GroupMember,
  type TopicPartition,
} from '../../src/model/assignors/index.js';

/** "t1-0, t1-3, t2-0" -> partitions; the topic is everything before the last '-'. */
export function parsePartitions(text: string): TopicPartition[] {
  if (text.trim() === '') return [];
  return text.split(',').map((item) => {
    const trimmed = item.trim();
    const dash = trimmed.lastIndexOf('-');
    return { topic: trimmed.slice(0, dash), partition: Number(trimmed.slice(dash + 1)) };
  });
}

export function formatPartitions(partitions: readonly TopicPartition[]): string {
  return partitions.map((tp) => `${tp.topic}-${tp.partition}`).join(', ');
}

const sortPartitions = (partitions: readonly TopicPartition[]): TopicPartition[] =>
  [...partitions].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));

/** A member as written in a case; `owned` uses the "t-p, t-p" format. */
export interface MemberSpec {
  readonly id: string;
  readonly topics: readonly string[];
  /** Owned partitions as "t-p, t-p". */
  readonly owned?: string;
  readonly generation?: number;
  readonly instance?: string;
}

export interface AssignorCase {
  /** Kafka test class and method the case comes from, with a step suffix for multi-step tests. */
  readonly source: string;
  readonly topics: Readonly<Record<string, number>>;
  readonly members: readonly MemberSpec[];
  /** memberId -> expected partitions ("t-p, t-p", any order). */
  readonly expected: Readonly<Record<string, string>>;
}

export function toInput(topics: Readonly<Record<string, number>>, members: readonly MemberSpec[]): AssignmentInput {
  return {
    topics: Object.entries(topics).map(([topic, numPartitions]) => ({ topic, numPartitions })),
    members: members.map(
      (m): GroupMember => ({
        memberId: m.id,
        subscribedTopics: m.topics,
        ...(m.owned !== undefined ? { ownedPartitions: parsePartitions(m.owned) } : {}),
        ...(m.generation !== undefined ? { generation: m.generation } : {}),
        ...(m.instance !== undefined ? { groupInstanceId: m.instance } : {}),
      }),
    ),
  };
}

export function expectAssignment(actual: Assignment, expected: Readonly<Record<string, string>>): void {
  const actualText = Object.fromEntries([...actual].map(([member, partitions]) => [member, formatPartitions(partitions)]));
  const expectedText = Object.fromEntries(
    Object.entries(expected).map(([member, text]) => [member, formatPartitions(sortPartitions(parsePartitions(text)))]),
  );
  expect(actualText).toEqual(expectedText);
}

export function runCase(strategy: AssignorName, c: AssignorCase): void {
  expectAssignment(assign(strategy, toInput(c.topics, c.members)), c.expected);
}

/**
 * Kafka's verifyValidityAndBalance: each member only gets partitions of topics it subscribes
 * to, no partition goes to two members, every subscribed partition is assigned (unless
 * `allowMissing`), and two members whose counts differ by more than one share no topic (else a
 * partition could have moved from the fuller to the emptier one).
 */
export function expectValidAndBalanced(input: AssignmentInput, assignment: Assignment, allowMissing = false): void {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const members = new Map(input.members.map((m) => [m.memberId, m]));
  expect([...assignment.keys()].sort()).toEqual([...members.keys()].sort());
  for (const [memberId, partitions] of assignment) {
    const subscribed = new Set((members.get(memberId) as GroupMember).subscribedTopics);
    for (const tp of partitions) {
      const key = `${tp.topic}-${tp.partition}`;
      if (!subscribed.has(tp.topic)) problems.push(`${memberId} got ${key} without subscribing to ${tp.topic}`);
      if (seen.has(key)) problems.push(`${key} assigned to ${seen.get(key)} and ${memberId}`);
      seen.set(key, memberId);
    }
  }
  if (!allowMissing) {
    const subscribed = new Set(input.members.flatMap((m) => m.subscribedTopics));
    for (const topic of input.topics) {
      if (!subscribed.has(topic.topic)) continue;
      for (let p = 0; p < topic.numPartitions; p++) {
        if (!seen.has(`${topic.topic}-${p}`)) problems.push(`${topic.topic}-${p} unassigned`);
      }
    }
  }
  for (const [a, pa] of assignment) {
    for (const [b, pb] of assignment) {
      if (pa.length <= pb.length + 1) continue;
      const bTopics = new Set(pb.map((tp) => tp.topic));
      if (pa.some((tp) => bTopics.has(tp.topic))) {
        problems.push(`${a} (${pa.length}) could give ${b} (${pb.length}) a partition of a topic both hold`);
      }
    }
  }
  expect(problems).toEqual([]);
}

export function isFullyBalanced(assignment: Assignment): boolean {
  const sizes = [...assignment.values()].map((p) => p.length);
  return sizes.length === 0 || Math.max(...sizes) - Math.min(...sizes) <= 1;
}

/** Members of the input with their owned partitions replaced by what `assignment` gave them. */
export function withOwned(input: AssignmentInput, assignment: Assignment, generation?: number): AssignmentInput {
  return {
    topics: input.topics,
    members: input.members.map((m) => ({
      ...m,
      ownedPartitions: assignment.get(m.memberId) ?? [],
      ...(generation !== undefined ? { generation } : {}),
    })),
  };
}

/**
 * CooperativeStickyAssignorTest.verifyValidityAndBalance: no partition is both revoked and
 * newly assigned in one rebalance; while anything is being revoked, run the follow-up rebalance
 * with the new ownership (at most 4 times, as Kafka's test allows) and check the final result.
 */
export function settleCooperative(
  input: AssignmentInput,
  generation = 1,
): { readonly final: Assignment; readonly rebalances: number } {
  let current = input;
  let result = assignCooperativeSticky(current);
  let rebalances = 0;
  for (;;) {
    const revoked = new Set<string>();
    const added = new Set<string>();
    for (const member of current.members) {
      const owned = new Set((member.ownedPartitions ?? []).map((tp) => `${tp.topic}-${tp.partition}`));
      const got = new Set((result.assignment.get(member.memberId) ?? []).map((tp) => `${tp.topic}-${tp.partition}`));
      for (const key of owned) if (!got.has(key)) revoked.add(key);
      for (const key of got) if (!owned.has(key)) added.add(key);
    }
    const both = [...added].filter((key) => revoked.has(key));
    expect(both, 'revoked and reassigned in the same rebalance').toEqual([]);
    // Every held-back partition is one being revoked now.
    for (const handover of result.pendingHandovers) {
      expect(revoked.has(`${handover.topic}-${handover.partition}`)).toBe(true);
    }
    if (revoked.size === 0) break;
    rebalances++;
    expect(rebalances).toBeLessThanOrEqual(4);
    current = withOwned(current, result.assignment, generation);
    result = assignCooperativeSticky(current);
  }
  return { final: result.assignment, rebalances };
}

/**
 * Kafka's isSticky check (PartitionMovements.hasCycles): within a topic, no two partitions moved
 * in opposite directions between the same two members (one moving A->B while another moves
 * B->A would have been a pointless swap).
 */
export function expectNoReverseMoves(input: AssignmentInput, assignment: Assignment): void {
  const previousOwner = new Map<string, string>();
  for (const member of input.members) {
    for (const tp of member.ownedPartitions ?? []) previousOwner.set(`${tp.topic}-${tp.partition}`, member.memberId);
  }
  const moves = new Set<string>();
  for (const [memberId, partitions] of assignment) {
    for (const tp of partitions) {
      const from = previousOwner.get(`${tp.topic}-${tp.partition}`);
      if (from !== undefined && from !== memberId) moves.add(`${tp.topic}|${from}|${memberId}`);
    }
  }
  for (const move of moves) {
    const [topic, from, to] = move.split('|');
    expect(moves.has(`${topic}|${to}|${from}`), `${topic} moved both ${from}->${to} and back`).toBe(false);
  }
}

/** Mulberry32: a tiny seeded generator, enough to draw reproducible random groups. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomGroupOptions {
  readonly maxTopics: number;
  readonly maxPartitions: number;
  readonly maxMembers: number;
  /** Every member subscribes to every topic. */
  readonly identicalSubscriptions: boolean;
  /** Probability that a member is static. */
  readonly staticShare?: number;
}

export function randomGroup(random: () => number, options: RandomGroupOptions): AssignmentInput {
  const int = (n: number): number => Math.floor(random() * n);
  const numTopics = 1 + int(options.maxTopics);
  const topics = Array.from({ length: numTopics }, (_, i) => ({ topic: `topic${i}`, numPartitions: int(options.maxPartitions + 1) }));
  const numMembers = 1 + int(options.maxMembers);
  const members: GroupMember[] = Array.from({ length: numMembers }, (_, i) => {
    const subscribedTopics = options.identicalSubscriptions
      ? topics.map((t) => t.topic)
      : topics.filter(() => random() < 0.5).map((t) => t.topic);
    const isStatic = random() < (options.staticShare ?? 0);
    return {
      memberId: `member-${String(int(1000)).padStart(3, '0')}-${i}`,
      subscribedTopics,
      ...(isStatic ? { groupInstanceId: `instance-${int(1000)}-${i}` } : {}),
    };
  });
  return { topics, members };
}

/** Random previous ownership: each partition owned by a random member (or nobody), with generations. */
export function withRandomOwnership(random: () => number, input: AssignmentInput, conflicts: boolean): AssignmentInput {
  const owned = new Map<string, TopicPartition[]>(input.members.map((m) => [m.memberId, []]));
  for (const topic of input.topics) {
    for (let p = 0; p < topic.numPartitions; p++) {
      const claimants = conflicts && random() < 0.2 ? 2 : random() < 0.8 ? 1 : 0;
      for (let c = 0; c < claimants; c++) {
        const member = input.members[Math.floor(random() * input.members.length)];
        (owned.get(member.memberId) as TopicPartition[]).push({ topic: topic.topic, partition: p });
      }
    }
  }
  return {
    topics: input.topics,
    members: input.members.map((m) => ({
      ...m,
      ownedPartitions: owned.get(m.memberId) as TopicPartition[],
      generation: conflicts ? 1 + Math.floor(random() * 3) : 1,
    })),
  };
}

/** Deep-freezes a value so that any mutation by the code under test throws. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

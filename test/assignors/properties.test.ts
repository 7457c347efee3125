/**
 * Properties every assignor must keep, over random groups drawn from a seeded generator:
 * validity (each subscribed partition assigned exactly once, only to a subscriber), balance
 * where Kafka promises it, stickiness, cooperative hand-over rules, and determinism.
 */

import { describe, expect, it } from 'vitest';
import {
  ASSIGNOR_NAMES,
  assign,
  assignCooperativeSticky,
  type Assignment,
  type AssignmentInput,
  type AssignorName,
} from '../../src/model/assignors/index.js';
import {
  deepFreeze,
  expectValidAndBalanced,
  isFullyBalanced,
  randomGroup,
  seededRandom,
  settleCooperative,
  withOwned,
  withRandomOwnership,
} from './helpers.js';

const ROUNDS = 120;

function* groups(seed: number, identicalSubscriptions: boolean, owned: 'none' | 'clean' | 'conflicting'): Generator<AssignmentInput> {
  const random = seededRandom(seed);
  for (let round = 0; round < ROUNDS; round++) {
    const group = randomGroup(random, { maxTopics: 5, maxPartitions: 12, maxMembers: 8, identicalSubscriptions, staticShare: 0.3 });
    yield owned === 'none' ? group : withRandomOwnership(random, group, owned === 'conflicting');
  }
}

const keys = (assignment: Assignment): string[] =>
  [...assignment.values()].flat().map((tp) => `${tp.topic}-${tp.partition}`);

function subscribedPartitions(input: AssignmentInput): string[] {
  const subscribed = new Set(input.members.flatMap((m) => m.subscribedTopics));
  return input.topics
    .filter((t) => subscribed.has(t.topic))
    .flatMap((t) => Array.from({ length: t.numPartitions }, (_, p) => `${t.topic}-${p}`));
}

function expectEachSubscribedPartitionOnce(input: AssignmentInput, assignment: Assignment): void {
  const assigned = keys(assignment);
  expect(new Set(assigned).size).toBe(assigned.length);
  expect(new Set(assigned)).toEqual(new Set(subscribedPartitions(input)));
  const members = new Map(input.members.map((m) => [m.memberId, new Set(m.subscribedTopics)]));
  const strangers = [...assignment].flatMap(([memberId, partitions]) =>
    partitions.filter((tp) => !members.get(memberId)?.has(tp.topic)).map((tp) => `${memberId}: ${tp.topic}-${tp.partition}`),
  );
  expect(strangers).toEqual([]);
}

const EVERY_PARTITION_ONCE: readonly AssignorName[] = ['range', 'roundrobin', 'sticky', 'uniform', 'server-range'];

describe('every subscribed partition is assigned exactly once, and only to a subscriber', () => {
  it.each(EVERY_PARTITION_ONCE)('%s', (strategy) => {
    for (const owned of ['none', 'clean', 'conflicting'] as const) {
      for (const identical of [true, false]) {
        for (const input of groups(11, identical, owned)) expectEachSubscribedPartitionOnce(input, assign(strategy, input));
      }
    }
  });

  it('cooperative-sticky: at most once; what is missing is exactly the partitions held back', () => {
    for (const owned of ['none', 'clean', 'conflicting'] as const) {
      for (const identical of [true, false]) {
        for (const input of groups(12, identical, owned)) {
          const { assignment, pendingHandovers } = assignCooperativeSticky(input);
          const assigned = keys(assignment);
          const held = pendingHandovers.map((h) => `${h.topic}-${h.partition}`);
          expect(new Set(assigned).size).toBe(assigned.length);
          expect(assigned.filter((key) => held.includes(key))).toEqual([]);
          expect(new Set([...assigned, ...held])).toEqual(new Set(subscribedPartitions(input)));
          for (const handover of pendingHandovers) {
            expect(handover.revokedBy.length).toBeGreaterThan(0);
            expect(input.members.find((m) => m.memberId === handover.assignTo)?.subscribedTopics).toContain(handover.topic);
            for (const owner of handover.revokedBy) {
              const claims = input.members.find((m) => m.memberId === owner)?.ownedPartitions ?? [];
              expect(claims.some((tp) => tp.topic === handover.topic && tp.partition === handover.partition)).toBe(true);
            }
          }
          // The held-back partitions plus this round's assignment are the eager sticky assignment.
          const eager = assign('sticky', input);
          for (const [memberId, partitions] of eager) {
            const cooperative = keys(new Map([[memberId, assignment.get(memberId) ?? []]]));
            const heldForMember = pendingHandovers.filter((h) => h.assignTo === memberId).map((h) => `${h.topic}-${h.partition}`);
            expect(new Set([...cooperative, ...heldForMember])).toEqual(new Set(keys(new Map([[memberId, partitions]]))));
          }
        }
      }
    }
  });

  it('cooperative-sticky: never revokes and reassigns a partition in one rebalance, and settles', () => {
    for (const identical of [true, false]) {
      for (const input of groups(13, identical, 'conflicting')) {
        const { final } = settleCooperative(input);
        expectEachSubscribedPartitionOnce(input, final);
        if (identical) expect(isFullyBalanced(final)).toBe(true);
      }
    }
  });
});

describe('balance: members with identical subscriptions differ by at most one partition', () => {
  it.each(['roundrobin', 'sticky', 'cooperative-sticky', 'uniform'] as const)('%s', (strategy) => {
    for (const owned of ['none', 'clean', 'conflicting'] as const) {
      for (const input of groups(21, true, owned)) {
        const result = strategy === 'cooperative-sticky' ? settleCooperative(input).final : assign(strategy, input);
        expect(isFullyBalanced(result)).toBe(true);
      }
    }
  });

  it.each(['sticky', 'uniform'] as const)('%s: mixed subscriptions pass Kafka\'s balance check', (strategy) => {
    for (const input of groups(22, false, 'clean')) expectValidAndBalanced(input, assign(strategy, input));
  });
});

describe('stickiness: with membership unchanged, members keep what they own', () => {
  it.each(['sticky', 'cooperative-sticky', 'uniform'] as const)('%s reproduces its own assignment', (strategy) => {
    for (const identical of [true, false]) {
      for (const input of groups(31, identical, 'none')) {
        const first = strategy === 'cooperative-sticky' ? settleCooperative(input).final : assign(strategy, input);
        const again = withOwned(input, first, 7);
        if (strategy === 'cooperative-sticky') {
          const { assignment, pendingHandovers } = assignCooperativeSticky(again);
          expect(pendingHandovers).toEqual([]);
          expect(assignment).toEqual(first);
        } else {
          expect(assign(strategy, again)).toEqual(first);
        }
      }
    }
  });

  it.each(['sticky', 'cooperative-sticky', 'uniform'] as const)('%s: a member that joins takes partitions only from the fuller members', (strategy) => {
    for (const input of groups(32, true, 'none')) {
      const first = strategy === 'cooperative-sticky' ? settleCooperative(input).final : assign(strategy, input);
      const joined: AssignmentInput = {
        topics: input.topics,
        members: [...withOwned(input, first, 3).members, { memberId: 'zz-new', subscribedTopics: input.members[0].subscribedTopics, generation: 3 }],
      };
      const second = strategy === 'cooperative-sticky' ? settleCooperative(joined).final : assign(strategy, joined);
      for (const member of input.members) {
        const before = new Set(keys(new Map([[member.memberId, first.get(member.memberId) ?? []]])));
        // Nobody gains anything: old members only keep or lose partitions.
        for (const key of keys(new Map([[member.memberId, second.get(member.memberId) ?? []]]))) expect(before.has(key)).toBe(true);
      }
    }
  });
});

describe('determinism', () => {
  const shuffled = (random: () => number, input: AssignmentInput): AssignmentInput => {
    const shuffle = <T>(list: readonly T[]): T[] => {
      const copy = [...list];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      return copy;
    };
    return {
      topics: shuffle(input.topics),
      members: shuffle(input.members).map((m) => ({
        ...m,
        subscribedTopics: shuffle(m.subscribedTopics),
        ...(m.ownedPartitions !== undefined ? { ownedPartitions: shuffle(m.ownedPartitions) } : {}),
      })),
    };
  };

  it.each(ASSIGNOR_NAMES)('%s: same input, same output, whatever the order of members, topics and owned partitions', (strategy) => {
    const random = seededRandom(41);
    for (const input of groups(42, false, 'conflicting')) {
      const first = assign(strategy, input);
      expect(assign(strategy, input)).toEqual(first);
      const reordered = assign(strategy, shuffled(random, input));
      expect([...reordered.entries()]).toEqual([...first.entries()]);
    }
  });

  it.each(ASSIGNOR_NAMES)('%s: does not mutate its input', (strategy) => {
    for (const input of groups(43, false, 'conflicting')) {
      const snapshot = JSON.parse(JSON.stringify(input));
      deepFreeze(input);
      assign(strategy, input);
      expect(input).toEqual(snapshot);
    }
    for (const input of groups(44, true, 'conflicting')) {
      deepFreeze(input);
      expect(() => assignCooperativeSticky(input)).not.toThrow();
    }
  });

  it('cooperative pending handovers are reproducible', () => {
    for (const input of groups(45, false, 'conflicting')) {
      expect(assignCooperativeSticky(input)).toEqual(assignCooperativeSticky(input));
    }
  });
});

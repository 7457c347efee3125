/**
 * Ports of Kafka's sticky assignor tests. AbstractStickyAssignorTest
 * (clients/src/test/.../consumer/internals/AbstractStickyAssignorTest.java) runs against both
 * StickyAssignor and CooperativeStickyAssignor, so its cases run here against 'sticky' and
 * 'cooperative-sticky'. As in Kafka's CooperativeStickyAssignorTest, a cooperative rebalance
 * counts as done once the follow-up rebalances have handed over everything held back, and the
 * expected assignment is checked on that settled result; Kafka's partitionsTransferringOwnership
 * is checked against the first round's pending handovers. StickyAssignorTest and
 * CooperativeStickyAssignorTest contribute their own cases at the end.
 *
 * Test names keep Kafka's consumer and topic names; getTopicName/getConsumerName zero-pad an
 * index to the width of the maximum, as Kafka's helpers do.
 */

import { describe, expect, it } from 'vitest';
import {
  assign,
  assignCooperativeSticky,
  type Assignment,
  type AssignmentInput,
} from '../../src/model/assignors/index.js';
import {
  expectAssignment,
  expectNoReverseMoves,
  expectValidAndBalanced,
  formatPartitions,
  isFullyBalanced,
  parsePartitions,
  seededRandom,
  settleCooperative,
  toInput,
  withOwned,
  type AssignorCase,
  type MemberSpec,
} from './helpers.js';

type StickyName = 'sticky' | 'cooperative-sticky';
const STICKY_ASSIGNORS: readonly StickyName[] = ['sticky', 'cooperative-sticky'];

/** One rebalance as Kafka's tests count it: eager, or cooperative until nothing is held back. */
function rebalance(strategy: StickyName, input: AssignmentInput): Assignment {
  return strategy === 'sticky' ? assign('sticky', input) : settleCooperative(input).final;
}

const padded = (prefix: string, i: number, max: number): string => prefix + String(i).padStart(String(max).length, '0');
const topicName = (i: number, max: number): string => padded('t', i, max);
const consumerName = (i: number, max: number): string => padded('c', i, max);

const partitionsOf = (assignment: Assignment, member: string): string[] =>
  (assignment.get(member) ?? []).map((tp) => `${tp.topic}-${tp.partition}`);

interface StickyCase extends AssignorCase {
  /** Kafka's partitionsTransferringOwnership after the first assignment: partition -> member. */
  readonly transferring?: Readonly<Record<string, string>>;
}

const topicList = ['topic1', 'topic2'];
const gen = 1;

const abstractCases: StickyCase[] = [
  {
    source: 'AbstractStickyAssignorTest.testOneConsumerNoTopic',
    topics: {},
    members: [{ id: 'consumer', topics: [] }],
    expected: { consumer: '' },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testOneConsumerNonexistentTopic',
    topics: { topic: 0 },
    members: [{ id: 'consumer', topics: ['topic'] }],
    expected: { consumer: '' },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testOneConsumerOneTopic',
    topics: { topic: 3 },
    members: [{ id: 'consumer', topics: ['topic'] }],
    expected: { consumer: 'topic-0, topic-1, topic-2' },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testOnlyAssignsPartitionsFromSubscribedTopics',
    topics: { topic: 2 },
    members: [{ id: 'consumer', topics: ['topic'], owned: 'topic-0, topic-1, other-0, other-1', generation: gen }],
    expected: { consumer: 'topic-0, topic-1' },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testOneConsumerMultipleTopics',
    topics: { topic1: 1, topic2: 2 },
    members: [{ id: 'consumer', topics: topicList }],
    expected: { consumer: 'topic1-0, topic2-0, topic2-1' },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testTwoConsumersOneTopicTwoPartitions',
    topics: { topic: 2 },
    members: [
      { id: 'consumer1', topics: ['topic'] },
      { id: 'consumer2', topics: ['topic'] },
    ],
    expected: { consumer1: 'topic-0', consumer2: 'topic-1' },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testMultipleConsumersMixedTopicSubscriptions',
    topics: { topic1: 3, topic2: 2 },
    members: [
      { id: 'consumer1', topics: ['topic1'] },
      { id: 'consumer2', topics: topicList },
      { id: 'consumer3', topics: ['topic1'] },
    ],
    expected: { consumer1: 'topic1-0, topic1-2', consumer2: 'topic2-0, topic2-1', consumer3: 'topic1-1' },
  },
  {
    source: 'AbstractStickyAssignorTest.testTwoConsumersTwoTopicsSixPartitions',
    topics: { topic1: 3, topic2: 3 },
    members: [
      { id: 'consumer1', topics: topicList },
      { id: 'consumer2', topics: topicList },
    ],
    expected: { consumer1: 'topic1-0, topic1-2, topic2-1', consumer2: 'topic1-1, topic2-0, topic2-2' },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testConsumerOwningMinQuotaExpectedMaxQuota',
    topics: { topic1: 2, topic2: 3 },
    members: [
      { id: 'consumer1', topics: topicList, owned: 'topic1-0, topic2-1', generation: gen },
      { id: 'consumer2', topics: topicList, owned: 'topic1-1, topic2-2', generation: gen },
    ],
    expected: { consumer1: 'topic1-0, topic2-1, topic2-0', consumer2: 'topic1-1, topic2-2' },
    transferring: {},
  },
  {
    // Which of two members owning maxQuota keeps it is decided by visit order: Kafka's HashMap
    // visited consumer3, consumer2, consumer1; we visit by member id. The members are renamed
    // so that member-id order is Kafka's visit order ("1-consumer3" is Kafka's consumer3).
    source: 'AbstractStickyAssignorTest.testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers (members renamed to Kafka\'s visit order)',
    topics: { topic1: 2, topic2: 2 },
    members: [
      { id: '3-consumer1', topics: topicList, owned: 'topic1-0, topic2-0', generation: gen },
      { id: '2-consumer2', topics: topicList, owned: 'topic1-1, topic2-1', generation: gen },
      { id: '1-consumer3', topics: topicList, owned: '', generation: gen },
    ],
    expected: { '3-consumer1': 'topic1-0', '2-consumer2': 'topic1-1, topic2-1', '1-consumer3': 'topic2-0' },
    transferring: { 'topic2-0': '1-consumer3' },
  },
  {
    // The same group under Kafka's names: consumer1 is visited first here, so it keeps maxQuota
    // and consumer2 gives up topic2-1 (Kafka's run had consumer2 keep it and consumer1 give up
    // topic2-0). Either way one partition moves, to consumer3.
    source: 'AbstractStickyAssignorTest.testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers (member-id visit order)',
    topics: { topic1: 2, topic2: 2 },
    members: [
      { id: 'consumer1', topics: topicList, owned: 'topic1-0, topic2-0', generation: gen },
      { id: 'consumer2', topics: topicList, owned: 'topic1-1, topic2-1', generation: gen },
      { id: 'consumer3', topics: topicList, owned: '', generation: gen },
    ],
    expected: { consumer1: 'topic1-0, topic2-0', consumer2: 'topic1-1', consumer3: 'topic2-1' },
    transferring: { 'topic2-1': 'consumer3' },
  },
  {
    source: 'AbstractStickyAssignorTest.testAllConsumersAreUnderMinQuota',
    topics: { topic1: 2, topic2: 3 },
    members: [
      { id: 'consumer1', topics: topicList, owned: 'topic1-0', generation: gen },
      { id: 'consumer2', topics: topicList, owned: 'topic1-1', generation: gen },
      { id: 'consumer3', topics: topicList, owned: '', generation: gen },
    ],
    expected: { consumer1: 'topic1-0, topic2-1', consumer2: 'topic1-1, topic2-2', consumer3: 'topic2-0' },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testAddRemoveConsumerOneTopic (step 1)',
    topics: { topic: 3 },
    members: [{ id: 'consumer1', topics: ['topic'] }],
    expected: { consumer1: 'topic-0, topic-1, topic-2' },
  },
  {
    source: 'AbstractStickyAssignorTest.testAddRemoveConsumerOneTopic (step 2: consumer2 joins)',
    topics: { topic: 3 },
    members: [
      { id: 'consumer1', topics: ['topic'], owned: 'topic-0, topic-1, topic-2', generation: gen },
      { id: 'consumer2', topics: ['topic'], owned: '', generation: gen },
    ],
    expected: { consumer1: 'topic-0, topic-1', consumer2: 'topic-2' },
    transferring: { 'topic-2': 'consumer2' },
  },
  {
    source: 'AbstractStickyAssignorTest.testAddRemoveConsumerOneTopic (step 3: consumer1 leaves)',
    topics: { topic: 3 },
    members: [{ id: 'consumer2', topics: ['topic'], owned: 'topic-2', generation: gen }],
    expected: { consumer2: 'topic-0, topic-1, topic-2' },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testAddRemoveTwoConsumersTwoTopics (step 1)',
    topics: { topic1: 3, topic2: 4 },
    members: [
      { id: 'consumer1', topics: topicList },
      { id: 'consumer2', topics: topicList },
    ],
    expected: { consumer1: 'topic1-0, topic1-2, topic2-1, topic2-3', consumer2: 'topic1-1, topic2-0, topic2-2' },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testAddRemoveTwoConsumersTwoTopics (step 2: consumer3 and consumer4 join)',
    topics: { topic1: 3, topic2: 4 },
    members: [
      { id: 'consumer1', topics: topicList, owned: 'topic1-0, topic1-2, topic2-1, topic2-3', generation: gen },
      { id: 'consumer2', topics: topicList, owned: 'topic1-1, topic2-0, topic2-2', generation: gen },
      { id: 'consumer3', topics: topicList, owned: '', generation: gen },
      { id: 'consumer4', topics: topicList, owned: '', generation: gen },
    ],
    expected: {
      consumer1: 'topic1-0, topic2-1',
      consumer2: 'topic2-0, topic1-1',
      consumer3: 'topic1-2, topic2-3',
      consumer4: 'topic2-2',
    },
    transferring: { 'topic1-2': 'consumer3', 'topic2-3': 'consumer3', 'topic2-2': 'consumer4' },
  },
  {
    source: 'AbstractStickyAssignorTest.testAddRemoveTwoConsumersTwoTopics (step 3: consumer1 and consumer2 leave)',
    topics: { topic1: 3, topic2: 4 },
    members: [
      { id: 'consumer3', topics: topicList, owned: 'topic1-2, topic2-3', generation: gen },
      { id: 'consumer4', topics: topicList, owned: 'topic2-2', generation: gen },
    ],
    expected: { consumer3: 'topic1-2, topic2-3, topic1-0, topic2-1', consumer4: 'topic2-2, topic1-1, topic2-0' },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testAllConsumersReachExpectedQuotaAndAreConsideredFilled',
    topics: { topic: 4 },
    members: [
      { id: 'consumer1', topics: ['topic'], owned: 'topic-0, topic-1', generation: gen },
      { id: 'consumer2', topics: ['topic'], owned: 'topic-2', generation: gen },
      { id: 'consumer3', topics: ['topic'], owned: '', generation: gen },
    ],
    expected: { consumer1: 'topic-0, topic-1', consumer2: 'topic-2', consumer3: 'topic-3' },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration',
    topics: { topic: 3, topic2: 3 },
    members: [
      { id: 'consumer1', topics: ['topic', 'topic2'], owned: 'topic-0, topic-2, topic2-1', generation: 10 },
      { id: 'consumer2', topics: ['topic', 'topic2'], owned: 'topic-0, topic-2, topic2-1', generation: 9 },
    ],
    expected: { consumer1: 'topic-0, topic-2, topic2-1', consumer2: 'topic-1, topic2-0, topic2-2' },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testOwnedPartitionsAreInvalidatedForConsumerWithNoGeneration',
    topics: { topic: 3, topic2: 3 },
    members: [
      { id: 'consumer1', topics: ['topic', 'topic2'], owned: 'topic-0, topic-2, topic2-1', generation: 10 },
      { id: 'consumer2', topics: ['topic', 'topic2'], owned: 'topic-0, topic-2, topic2-1' },
    ],
    expected: { consumer1: 'topic-0, topic-2, topic2-1', consumer2: 'topic-1, topic2-0, topic2-2' },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testPartitionsTransferringOwnershipIncludeThePartitionClaimedByMultipleConsumersInSameGeneration',
    topics: { topic: 3 },
    members: [
      { id: 'consumer1', topics: ['topic'], owned: 'topic-0, topic-1', generation: gen },
      { id: 'consumer2', topics: ['topic'], owned: 'topic-0, topic-2', generation: gen },
      { id: 'consumer3', topics: ['topic'], owned: '', generation: gen },
    ],
    expected: { consumer1: 'topic-1', consumer2: 'topic-2', consumer3: 'topic-0' },
    transferring: { 'topic-0': 'consumer3' },
  },
  {
    source: 'AbstractStickyAssignorTest.testEnsurePartitionsAssignedToHighestGeneration',
    topics: { topic: 3, topic2: 3, topic3: 3 },
    members: [
      { id: 'consumer1', topics: ['topic', 'topic2', 'topic3'], owned: 'topic-0, topic2-0, topic3-0', generation: 10 },
      { id: 'consumer2', topics: ['topic', 'topic2', 'topic3'], owned: 'topic-1, topic2-1, topic3-1', generation: 9 },
      { id: 'consumer3', topics: ['topic', 'topic2', 'topic3'], owned: 'topic2-1, topic3-0, topic3-2', generation: 8 },
    ],
    expected: {
      consumer1: 'topic-0, topic2-0, topic3-0',
      consumer2: 'topic-1, topic2-1, topic3-1',
      consumer3: 'topic-2, topic2-2, topic3-2',
    },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testOwnedPartitionsAreInvalidatedForConsumerWithMultipleGeneration',
    topics: { topic: 3, topic2: 3 },
    members: [
      { id: 'consumer1', topics: ['topic', 'topic2'], owned: 'topic-0, topic2-1, topic-1', generation: 10 },
      { id: 'consumer2', topics: ['topic', 'topic2'], owned: 'topic-0, topic2-1, topic2-2', generation: 8 },
    ],
    expected: { consumer1: 'topic-0, topic2-1, topic-1', consumer2: 'topic-2, topic2-2, topic2-0' },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testRackAwareAssignmentWithUniformSubscription (non-rack-aware expectation)',
    topics: { t1: 6, t2: 7, t3: 2 },
    members: ['consumer0', 'consumer1', 'consumer2'].map((id) => ({ id, topics: ['t1', 't2', 't3'] })),
    expected: {
      consumer0: 't1-0, t1-3, t2-0, t2-3, t2-6',
      consumer1: 't1-1, t1-4, t2-1, t2-4, t3-0',
      consumer2: 't1-2, t1-5, t2-2, t2-5, t3-1',
    },
    transferring: {},
  },
  {
    // verifyUniformSubscription runs again with the expected assignment as the owned one.
    source: 'AbstractStickyAssignorTest.testRackAwareAssignmentWithUniformSubscription (non-rack-aware, already owned)',
    topics: { t1: 6, t2: 7, t3: 2 },
    members: [
      { id: 'consumer0', topics: ['t1', 't2', 't3'], owned: 't1-0, t1-3, t2-0, t2-3, t2-6' },
      { id: 'consumer1', topics: ['t1', 't2', 't3'], owned: 't1-1, t1-4, t2-1, t2-4, t3-0' },
      { id: 'consumer2', topics: ['t1', 't2', 't3'], owned: 't1-2, t1-5, t2-2, t2-5, t3-1' },
    ],
    expected: {
      consumer0: 't1-0, t1-3, t2-0, t2-3, t2-6',
      consumer1: 't1-1, t1-4, t2-1, t2-4, t3-0',
      consumer2: 't1-2, t1-5, t2-2, t2-5, t3-1',
    },
    transferring: {},
  },
  {
    source: 'AbstractStickyAssignorTest.testRackAwareAssignmentWithNonEqualSubscription (non-rack-aware expectation)',
    topics: { t1: 6, t2: 7, t3: 2 },
    members: [
      { id: 'consumer0', topics: ['t1', 't2', 't3'] },
      { id: 'consumer1', topics: ['t1', 't2', 't3'] },
      { id: 'consumer2', topics: ['t1', 't3'] },
    ],
    expected: {
      consumer0: 't1-5, t2-0, t2-2, t2-4, t2-6',
      consumer1: 't1-3, t2-1, t2-3, t2-5, t3-0',
      consumer2: 't1-0, t1-1, t1-2, t1-4, t3-1',
    },
  },
  {
    source: 'AbstractStickyAssignorTest.testRackAwareAssignmentWithNonEqualSubscription (non-rack-aware, already owned)',
    topics: { t1: 6, t2: 7, t3: 2 },
    members: [
      { id: 'consumer0', topics: ['t1', 't2', 't3'], owned: 't1-5, t2-0, t2-2, t2-4, t2-6' },
      { id: 'consumer1', topics: ['t1', 't2', 't3'], owned: 't1-3, t2-1, t2-3, t2-5, t3-0' },
      { id: 'consumer2', topics: ['t1', 't3'], owned: 't1-0, t1-1, t1-2, t1-4, t3-1' },
    ],
    expected: {
      consumer0: 't1-5, t2-0, t2-2, t2-4, t2-6',
      consumer1: 't1-3, t2-1, t2-3, t2-5, t3-0',
      consumer2: 't1-0, t1-1, t1-2, t1-4, t3-1',
    },
  },
];

describe.each(STICKY_ASSIGNORS)('%s: AbstractStickyAssignorTest cases', (strategy) => {
  it.each(abstractCases.map((c) => [c.source, c] as const))('%s', (_, c) => {
    const input = toInput(c.topics, c.members);
    const result = rebalance(strategy, input);
    expectAssignment(result, c.expected);
    expectValidAndBalanced(input, result);
    if (strategy === 'cooperative-sticky' && c.transferring !== undefined) {
      const pending = assignCooperativeSticky(input).pendingHandovers;
      expect(Object.fromEntries(pending.map((h) => [`${h.topic}-${h.partition}`, h.assignTo]))).toEqual(c.transferring);
    }
  });

  it('AbstractStickyAssignorTest.testTwoConsumersOneTopicOnePartition', () => {
    const input = toInput({ topic: 1 }, [
      { id: 'consumer1', topics: ['topic'] },
      { id: 'consumer2', topics: ['topic'] },
    ]);
    const result = rebalance(strategy, input);
    expectValidAndBalanced(input, result);
    expect(isFullyBalanced(result)).toBe(true);
  });

  it('AbstractStickyAssignorTest.testTopicBalanceAfterReassignment', () => {
    const topics = { topic1: 12, topic2: 12 };
    const perTopic = (assignment: Assignment, topic: string): number[] =>
      [...assignment.values()].map((partitions) => partitions.filter((tp) => tp.topic === topic).length);
    const step = (members: MemberSpec[], expectedPerTopic: number): Assignment => {
      const input = toInput(topics, members);
      const result = rebalance(strategy, input);
      expectValidAndBalanced(input, result);
      expect(perTopic(result, 'topic1').every((n) => n === expectedPerTopic)).toBe(true);
      expect(perTopic(result, 'topic2').every((n) => n === expectedPerTopic)).toBe(true);
      expect(isFullyBalanced(result)).toBe(true);
      return result;
    };
    const owned = (a: Assignment, id: string): string => formatPartitions(a.get(id) ?? []);
    const r1 = step([{ id: 'consumer1', topics: topicList }], 12);
    const r2 = step(
      [
        { id: 'consumer1', topics: topicList, owned: owned(r1, 'consumer1'), generation: gen },
        { id: 'consumer2', topics: topicList, owned: '', generation: gen },
      ],
      6,
    );
    const r3 = step(
      [
        { id: 'consumer1', topics: topicList, owned: owned(r2, 'consumer1'), generation: gen },
        { id: 'consumer2', topics: topicList, owned: owned(r2, 'consumer2'), generation: gen },
        { id: 'consumer3', topics: topicList, owned: '', generation: gen },
        { id: 'consumer4', topics: topicList, owned: '', generation: gen },
      ],
      3,
    );
    step(
      [
        { id: 'consumer3', topics: topicList, owned: owned(r3, 'consumer3'), generation: gen },
        { id: 'consumer4', topics: topicList, owned: owned(r3, 'consumer4'), generation: gen },
      ],
      6,
    );
  });

  it('AbstractStickyAssignorTest.testPoorRoundRobinAssignmentScenario', () => {
    const topics = Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`topic${i}`, (i % 2) + 1]));
    const input = toInput(topics, [
      { id: 'consumer1', topics: ['topic1', 'topic2', 'topic3', 'topic4', 'topic5'] },
      { id: 'consumer2', topics: ['topic1', 'topic3', 'topic5'] },
      { id: 'consumer3', topics: ['topic1', 'topic3', 'topic5'] },
      { id: 'consumer4', topics: ['topic1', 'topic2', 'topic3', 'topic4', 'topic5'] },
    ]);
    expectValidAndBalanced(input, rebalance(strategy, input));
  });

  it('AbstractStickyAssignorTest.testAddRemoveTopicTwoConsumers', () => {
    const first = rebalance(strategy, toInput({ topic: 3 }, [
      { id: 'consumer1', topics: ['topic'] },
      { id: 'consumer2', topics: ['topic'] },
    ]));
    expect(isFullyBalanced(first)).toBe(true);
    const c1 = partitionsOf(first, 'consumer1');
    const c2 = partitionsOf(first, 'consumer2');

    // topic2 appears and both subscribe to it: nothing moves, each gets 3.
    const secondInput = toInput({ topic: 3, topic2: 3 }, [
      { id: 'consumer1', topics: ['topic', 'topic2'], owned: c1.join(', '), generation: gen },
      { id: 'consumer2', topics: ['topic', 'topic2'], owned: c2.join(', '), generation: gen },
    ]);
    expect(assignCooperativeSticky(secondInput).pendingHandovers).toEqual([]);
    const second = rebalance(strategy, secondInput);
    expectValidAndBalanced(secondInput, second);
    expect(partitionsOf(second, 'consumer1')).toHaveLength(3);
    expect(partitionsOf(second, 'consumer2')).toHaveLength(3);
    expect(partitionsOf(second, 'consumer1')).toEqual(expect.arrayContaining(c1));
    expect(partitionsOf(second, 'consumer2')).toEqual(expect.arrayContaining(c2));

    // topic is deleted: each keeps what it had of topic2.
    const thirdInput = toInput({ topic2: 3 }, [
      { id: 'consumer1', topics: ['topic2'], owned: partitionsOf(second, 'consumer1').join(', '), generation: gen },
      { id: 'consumer2', topics: ['topic2'], owned: partitionsOf(second, 'consumer2').join(', '), generation: gen },
    ]);
    expect(assignCooperativeSticky(thirdInput).pendingHandovers).toEqual([]);
    const third = rebalance(strategy, thirdInput);
    expectValidAndBalanced(thirdInput, third);
    expect(isFullyBalanced(third)).toBe(true);
    expect(partitionsOf(second, 'consumer1')).toEqual(expect.arrayContaining(partitionsOf(third, 'consumer1')));
    expect(partitionsOf(second, 'consumer2')).toEqual(expect.arrayContaining(partitionsOf(third, 'consumer2')));
  });

  it('AbstractStickyAssignorTest.testReassignmentAfterOneConsumerLeaves', () => {
    const topics = Object.fromEntries(Array.from({ length: 19 }, (_, k) => [topicName(k + 1, 20), k + 1]));
    const members = Array.from({ length: 19 }, (_, k) => ({
      id: consumerName(k + 1, 20),
      topics: Array.from({ length: k + 1 }, (__, j) => topicName(j + 1, 20)),
    }));
    const firstInput = toInput(topics, members);
    const first = rebalance(strategy, firstInput);
    expectValidAndBalanced(firstInput, first);

    const secondInput = withOwned(firstInput, first, gen);
    const withoutC10 = { ...secondInput, members: secondInput.members.filter((m) => m.memberId !== 'c10') };
    const second = rebalance(strategy, withoutC10);
    expectValidAndBalanced(withoutC10, second);
    expectNoReverseMoves(withoutC10, second);
  });

  it('AbstractStickyAssignorTest.testReassignmentAfterOneConsumerAdded', () => {
    const members = Array.from({ length: 9 }, (_, k) => ({ id: consumerName(k + 1, 10), topics: ['topic'] }));
    const firstInput = toInput({ topic: 20 }, members);
    expect(assignCooperativeSticky(firstInput).pendingHandovers).toEqual([]);
    expectValidAndBalanced(firstInput, rebalance(strategy, firstInput));
    // Kafka's test adds the member without passing anyone's ownership.
    const secondInput = toInput({ topic: 20 }, [...members, { id: consumerName(10, 10), topics: ['topic'] }]);
    expect(assignCooperativeSticky(secondInput).pendingHandovers).toEqual([]);
    expectValidAndBalanced(secondInput, rebalance(strategy, secondInput));
  });

  it('AbstractStickyAssignorTest.testSameSubscriptions', () => {
    const topics = Object.fromEntries(Array.from({ length: 14 }, (_, k) => [topicName(k + 1, 15), k + 1]));
    const all = Object.keys(topics);
    const firstInput = toInput(topics, Array.from({ length: 8 }, (_, k) => ({ id: consumerName(k + 1, 9), topics: all })));
    expect(assignCooperativeSticky(firstInput).pendingHandovers).toEqual([]);
    const first = rebalance(strategy, firstInput);
    expectValidAndBalanced(firstInput, first);

    const owned = withOwned(firstInput, first, gen);
    const secondInput = { ...owned, members: owned.members.filter((m) => m.memberId !== consumerName(5, 9)) };
    expect(assignCooperativeSticky(secondInput).pendingHandovers).toEqual([]);
    expectValidAndBalanced(secondInput, rebalance(strategy, secondInput));
  });

  it('AbstractStickyAssignorTest.testSubscriptionNotEqualAndAssignSamePartitionWith3Generation', () => {
    const sequences = [[1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1]];
    for (const [g1, g2, g3] of sequences) {
      const input = toInput({ topic: 6, topic1: 1 }, [
        { id: 'consumer1', topics: ['topic'], owned: 'topic-0, topic-2', generation: g1 },
        { id: 'consumer2', topics: ['topic'], owned: 'topic-1, topic-2, topic-3', generation: g2 },
        { id: 'consumer3', topics: ['topic'], owned: 'topic-2, topic-4, topic-5', generation: g3 },
        { id: 'consumer4', topics: ['topic1'], owned: 'topic1-0', generation: 2 },
      ]);
      // Kafka checks the first assignment of both assignors directly.
      const result = strategy === 'sticky' ? assign('sticky', input) : assignCooperativeSticky(input).assignment;
      const all = [...result.values()].flat().map((tp) => `${tp.topic}-${tp.partition}`);
      expect(new Set(all).size).toBe(all.length);
      for (const partitions of result.values()) {
        expect(partitions.length).toBeGreaterThanOrEqual(1);
        expect(partitions.length).toBeLessThanOrEqual(2);
      }
    }
  });

  it('AbstractStickyAssignorTest.testNewSubscription', () => {
    const topics = Object.fromEntries([1, 2, 3, 4].map((i) => [topicName(i, 5), 1]));
    const members = [0, 1, 2].map((i) => ({
      id: consumerName(i, 3),
      topics: Array.from({ length: Math.max(0, 2 * i - 1) }, (_, k) => topicName(i + k, 5)),
    }));
    const firstInput = toInput(topics, members);
    expectValidAndBalanced(firstInput, rebalance(strategy, firstInput));
    // c0 adds t1 to its subscription (Kafka's test passes no ownership here).
    const secondInput = toInput(topics, members.map((m) => (m.id === 'c0' ? { ...m, topics: [topicName(1, 5)] } : m)));
    const second = rebalance(strategy, secondInput);
    expectValidAndBalanced(secondInput, second);
    expectNoReverseMoves(secondInput, second);
  });

  it('AbstractStickyAssignorTest.testMoveExistingAssignments', () => {
    const topics = Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`topic${i}`, 1]));
    const input = toInput(topics, [
      { id: 'consumer1', topics: ['topic1', 'topic2'], owned: 'topic1-0', generation: gen },
      { id: 'consumer2', topics: ['topic1', 'topic2', 'topic3', 'topic4'], owned: 'topic2-0, topic3-0', generation: gen },
      {
        id: 'consumer3',
        topics: ['topic2', 'topic3', 'topic4', 'topic5', 'topic6'],
        owned: 'topic4-0, topic5-0, topic6-0',
        generation: gen,
      },
    ]);
    expectValidAndBalanced(input, rebalance(strategy, input));
  });

  it('AbstractStickyAssignorTest.testStickiness', () => {
    const consumers = ['consumer1', 'consumer2', 'consumer3', 'consumer4'];
    const firstInput = toInput({ topic1: 3 }, consumers.map((id) => ({ id, topics: ['topic1'] })));
    expect(assignCooperativeSticky(firstInput).pendingHandovers).toEqual([]);
    const first = rebalance(strategy, firstInput);
    expectValidAndBalanced(firstInput, first);
    for (const partitions of first.values()) expect(partitions.length).toBeLessThanOrEqual(1);

    // The potential group leader leaves; the others report what they own.
    const secondInput = toInput(
      { topic1: 3 },
      consumers.slice(1).map((id) => ({ id, topics: ['topic1'], owned: partitionsOf(first, id).join(', '), generation: gen })),
    );
    expect(assignCooperativeSticky(secondInput).pendingHandovers).toEqual([]);
    const second = rebalance(strategy, secondInput);
    expectValidAndBalanced(secondInput, second);
    for (const id of consumers.slice(1)) {
      expect(partitionsOf(second, id)).toHaveLength(1);
      expect(partitionsOf(second, id)).toEqual(expect.arrayContaining(partitionsOf(first, id)));
    }
  });

  it('AbstractStickyAssignorTest.testAssignmentUpdatedForDeletedTopic', () => {
    const input = toInput({ topic1: 1, topic3: 100 }, [{ id: 'consumer', topics: ['topic1', 'topic2', 'topic3'] }]);
    expect(assignCooperativeSticky(input).pendingHandovers).toEqual([]);
    const result = rebalance(strategy, input);
    expect(partitionsOf(result, 'consumer')).toHaveLength(101);
    expect([...result.keys()]).toEqual(['consumer']);
  });

  it('AbstractStickyAssignorTest.testNoExceptionThrownWhenOnlySubscribedTopicDeleted', () => {
    const first = rebalance(strategy, toInput({ topic: 3 }, [{ id: 'consumer', topics: ['topic'] }]));
    const input = toInput({}, [{ id: 'consumer', topics: ['topic'], owned: partitionsOf(first, 'consumer').join(', '), generation: gen }]);
    expect(assignCooperativeSticky(input).pendingHandovers).toEqual([]);
    const result = rebalance(strategy, input);
    expect([...result.entries()]).toEqual([['consumer', []]]);
  });

  it('AbstractStickyAssignorTest.testReassignmentWithRandomSubscriptionsAndChanges (seeded, 30 rounds)', () => {
    const random = seededRandom(20240917);
    const int = (n: number): number => Math.floor(random() * n);
    const randomSublist = (list: readonly string[]): string[] => {
      const copy = [...list];
      for (let k = int(list.length); k > 0; k--) copy.splice(int(copy.length), 1);
      return copy.sort();
    };
    for (let round = 1; round <= 30; round++) {
      const numTopics = 10 + int(10);
      const topicNames = Array.from({ length: numTopics }, (_, i) => topicName(i, 20));
      const topics = Object.fromEntries(topicNames.map((t, i) => [t, i + 1]));
      const numConsumers = 20 + int(20);
      const firstInput = toInput(
        topics,
        Array.from({ length: numConsumers }, (_, i) => ({ id: consumerName(i, 40), topics: randomSublist(topicNames) })),
      );
      const first = rebalance(strategy, firstInput);
      expectValidAndBalanced(firstInput, first);

      const secondInput = toInput(
        topics,
        Array.from({ length: numConsumers }, (_, i) => ({
          id: consumerName(i, 40),
          topics: randomSublist(topicNames),
          owned: partitionsOf(first, consumerName(i, 40)).join(', '),
          generation: gen,
        })),
      );
      const second = rebalance(strategy, secondInput);
      expectValidAndBalanced(secondInput, second);
      if (strategy === 'sticky') expectNoReverseMoves(secondInput, second);
    }
  });

  it('AbstractStickyAssignorTest.testNoReassignmentOnCurrentMembers', () => {
    const all = ['topic', 'topic2', 'topic3', 'topic1'];
    const input = toInput({ topic: 3, topic1: 3, topic2: 3, topic3: 3 }, [
      { id: 'consumer1', topics: all, owned: '' },
      { id: 'consumer2', topics: all, owned: 'topic-0, topic2-0, topic1-0', generation: 9 },
      { id: 'consumer3', topics: all, owned: 'topic3-2, topic2-2, topic1-1', generation: 8 },
      { id: 'consumer4', topics: all, owned: 'topic3-1, topic-1, topic-2', generation: 7 },
    ]);
    expect(assignCooperativeSticky(input).pendingHandovers).toEqual([]);
    const result = rebalance(strategy, input);
    expect(new Set(partitionsOf(result, 'consumer1'))).toEqual(new Set(['topic1-2', 'topic2-1', 'topic3-0']));
    expectValidAndBalanced(input, result);
    expect(isFullyBalanced(result)).toBe(true);
  });
});

describe('sticky: StickyAssignorTest cases', () => {
  const cases: AssignorCase[] = [
    {
      source: 'StickyAssignorTest.testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer',
      topics: { topic: 3 },
      members: [
        { id: 'consumer1', topics: ['topic'], owned: 'topic-0, topic-1', generation: gen },
        { id: 'consumer2', topics: ['topic'], owned: 'topic-0, topic-2', generation: gen },
        { id: 'consumer3', topics: ['topic'], owned: '', generation: gen },
      ],
      expected: { consumer1: 'topic-1', consumer2: 'topic-2', consumer3: 'topic-0' },
    },
    {
      source: 'StickyAssignorTest.testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithUnequalPartitionsPerConsumer',
      topics: { topic: 4 },
      members: [
        { id: 'consumer1', topics: ['topic'], owned: 'topic-0, topic-1', generation: gen },
        { id: 'consumer2', topics: ['topic'], owned: 'topic-0, topic-2', generation: gen },
        { id: 'consumer3', topics: ['topic'], owned: '', generation: gen },
      ],
      expected: { consumer1: 'topic-1, topic-3', consumer2: 'topic-2', consumer3: 'topic-0' },
    },
    {
      source: 'StickyAssignorTest.testAssignorWithOldVersionSubscriptions',
      topics: { topic1: 3 },
      members: [
        { id: 'consumer1', topics: ['topic1'], owned: 'topic1-0', generation: gen },
        { id: 'consumer2', topics: ['topic1'], owned: 'topic1-1', generation: gen },
        { id: 'consumer3', topics: ['topic1'], owned: '', generation: gen },
      ],
      expected: { consumer1: 'topic1-0', consumer2: 'topic1-1', consumer3: 'topic1-2' },
    },
  ];
  it.each(cases.map((c) => [c.source, c] as const))('%s', (_, c) => {
    const input = toInput(c.topics, c.members);
    const result = assign('sticky', input);
    expectAssignment(result, c.expected);
    expectValidAndBalanced(input, result);
    expect(isFullyBalanced(result)).toBe(true);
  });

  it.each([true, false])('StickyAssignorTest.testAssignmentWithMultipleGenerations1 (all subscriptions equal: %s)', (equal) => {
    const all = ['topic', 'topic2'];
    const c2Topics = equal ? all : ['topic'];
    const topics = { topic: 6, topic2: 6 };
    const firstInput = toInput(topics, [
      { id: 'consumer1', topics: all },
      { id: 'consumer2', topics: c2Topics },
      { id: 'consumer3', topics: all },
    ]);
    const r1 = assign('sticky', firstInput);
    for (const partitions of r1.values()) expect(partitions).toHaveLength(4);
    expectValidAndBalanced(firstInput, r1);

    const secondInput = toInput(topics, [
      { id: 'consumer1', topics: all, owned: partitionsOf(r1, 'consumer1').join(', '), generation: 1 },
      { id: 'consumer2', topics: c2Topics, owned: partitionsOf(r1, 'consumer2').join(', '), generation: 1 },
    ]);
    const r2 = assign('sticky', secondInput);
    expect(partitionsOf(r2, 'consumer1')).toHaveLength(6);
    expect(partitionsOf(r2, 'consumer2')).toHaveLength(6);
    if (equal) expect(partitionsOf(r2, 'consumer1')).toEqual(expect.arrayContaining(partitionsOf(r1, 'consumer1')));
    expect(partitionsOf(r2, 'consumer2')).toEqual(expect.arrayContaining(partitionsOf(r1, 'consumer2')));
    expectValidAndBalanced(secondInput, r2);
    expect(partitionsOf(r2, 'consumer2').some((p) => partitionsOf(r1, 'consumer3').includes(p))).toBe(true);

    // consumer3 comes back claiming what it had in generation 1; consumer2 is in generation 2.
    const thirdInput = toInput(topics, [
      { id: 'consumer2', topics: c2Topics, owned: partitionsOf(r2, 'consumer2').join(', '), generation: 2 },
      { id: 'consumer3', topics: all, owned: partitionsOf(r1, 'consumer3').join(', '), generation: 1 },
    ]);
    const r3 = assign('sticky', thirdInput);
    expect(partitionsOf(r3, 'consumer2')).toHaveLength(6);
    expect(partitionsOf(r3, 'consumer3')).toHaveLength(6);
    expectValidAndBalanced(thirdInput, r3);
  });

  it.each([true, false])('StickyAssignorTest.testAssignmentWithMultipleGenerations2 (all subscriptions equal: %s)', (equal) => {
    const all = ['topic', 'topic2', 'topic3'];
    const c1Topics = equal ? all : ['topic'];
    const c3Topics = equal ? all : ['topic', 'topic2'];
    const topics = { topic: 4, topic2: 4, topic3: 4 };
    const firstInput = toInput(topics, [
      { id: 'consumer1', topics: c1Topics },
      { id: 'consumer2', topics: all },
      { id: 'consumer3', topics: c3Topics },
    ]);
    const r1 = assign('sticky', firstInput);
    for (const partitions of r1.values()) expect(partitions).toHaveLength(4);
    expectValidAndBalanced(firstInput, r1);

    const secondInput = toInput(topics, [
      { id: 'consumer2', topics: all, owned: partitionsOf(r1, 'consumer2').join(', '), generation: 1 },
    ]);
    const r2 = assign('sticky', secondInput);
    expect(partitionsOf(r2, 'consumer2')).toHaveLength(12);
    expect(partitionsOf(r2, 'consumer2')).toEqual(expect.arrayContaining(partitionsOf(r1, 'consumer2')));

    const thirdInput = toInput(topics, [
      { id: 'consumer1', topics: c1Topics, owned: partitionsOf(r1, 'consumer1').join(', '), generation: 1 },
      { id: 'consumer2', topics: all, owned: partitionsOf(r2, 'consumer2').join(', '), generation: 2 },
      { id: 'consumer3', topics: c3Topics, owned: partitionsOf(r1, 'consumer3').join(', '), generation: 1 },
    ]);
    const r3 = assign('sticky', thirdInput);
    for (const partitions of r3.values()) expect(partitions).toHaveLength(4);
    expectValidAndBalanced(thirdInput, r3);
  });

  it.each([true, false])('StickyAssignorTest.testAssignmentWithConflictingPreviousGenerations (all subscriptions equal: %s)', (equal) => {
    const all = ['topic', 'topic2', 'topic3'];
    const c1Owned = equal ? 'topic-0, topic-1, topic-2, topic2-2, topic2-3, topic3-0' : 'topic-0, topic-1, topic-2, topic-3';
    const c2Owned = 'topic-0, topic-1, topic2-0, topic2-1, topic2-2, topic2-3';
    const c3Owned = 'topic-2, topic-3, topic3-0, topic3-1, topic3-2, topic3-3';
    const input = toInput({ topic: 4, topic2: 4, topic3: 4 }, [
      { id: 'consumer1', topics: equal ? all : ['topic'], owned: c1Owned, generation: 1 },
      { id: 'consumer2', topics: equal ? all : ['topic', 'topic2'], owned: c2Owned, generation: 2 },
      { id: 'consumer3', topics: all, owned: c3Owned, generation: 2 },
    ]);
    const result = assign('sticky', input);
    for (const partitions of result.values()) expect(partitions).toHaveLength(4);
    expect(c2Owned.split(', ')).toEqual(expect.arrayContaining(partitionsOf(result, 'consumer2')));
    expect(c3Owned.split(', ')).toEqual(expect.arrayContaining(partitionsOf(result, 'consumer3')));
    expectValidAndBalanced(input, result);
    expect(isFullyBalanced(result)).toBe(true);
  });

  it('StickyAssignorTest.testSchemaBackwardCompatibility', () => {
    // consumer2 reports its partitions in the old user-data schema, without a generation.
    const input = toInput({ topic: 3 }, [
      { id: 'consumer1', topics: ['topic'], owned: 'topic-0, topic-2', generation: 1 },
      { id: 'consumer2', topics: ['topic'], owned: 'topic-1' },
      { id: 'consumer3', topics: ['topic'] },
    ]);
    const result = assign('sticky', input);
    for (const partitions of result.values()) expect(partitions).toHaveLength(1);
    expect(['topic-0', 'topic-2']).toEqual(expect.arrayContaining(partitionsOf(result, 'consumer1')));
    expect(['topic-1']).toEqual(expect.arrayContaining(partitionsOf(result, 'consumer2')));
    expectValidAndBalanced(input, result);
  });
});

describe('cooperative-sticky: CooperativeStickyAssignorTest cases', () => {
  it.each([
    ['WithEqualPartitionsPerConsumer', 3, 'topic-1', 'topic-2'],
    ['WithUnequalPartitionsPerConsumer', 4, 'topic-1, topic-3', 'topic-2'],
  ] as const)(
    'CooperativeStickyAssignorTest.testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGeneration%s',
    (_, numPartitions, consumer1, consumer2) => {
      const input = toInput({ topic: numPartitions }, [
        { id: 'consumer1', topics: ['topic'], owned: 'topic-0, topic-1', generation: gen },
        { id: 'consumer2', topics: ['topic'], owned: 'topic-0, topic-2', generation: gen },
        { id: 'consumer3', topics: ['topic'], owned: '', generation: gen },
      ]);
      const { assignment, pendingHandovers } = assignCooperativeSticky(input);
      // topic-0 counts as owned by both claimants, so it waits until both have revoked it.
      expectAssignment(assignment, { consumer1, consumer2, consumer3: '' });
      expect(pendingHandovers).toEqual([
        { topic: 'topic', partition: 0, revokedBy: ['consumer1', 'consumer2'], assignTo: 'consumer3' },
      ]);
      const settled = settleCooperative(input);
      expect(settled.rebalances).toBe(1);
      expectValidAndBalanced(input, settled.final);
      expect(isFullyBalanced(settled.final)).toBe(true);
      expect(partitionsOf(settled.final, 'consumer3')).toEqual(['topic-0']);
    },
  );

  it('CooperativeStickyAssignorTest.testAssignorWithOldVersionSubscriptions', () => {
    const input = toInput({ topic1: 3 }, [
      { id: 'consumer1', topics: ['topic1'], owned: 'topic1-0', generation: gen },
      { id: 'consumer2', topics: ['topic1'], owned: 'topic1-1', generation: gen },
      { id: 'consumer3', topics: ['topic1'], owned: '', generation: gen },
    ]);
    const result = settleCooperative(input).final;
    expectAssignment(result, { consumer1: 'topic1-0', consumer2: 'topic1-1', consumer3: 'topic1-2' });
    expect(isFullyBalanced(result)).toBe(true);
  });

  it('AbstractStickyAssignorTest.testRackAwareAssignmentWithNonEqualSubscription (cooperative, owned partitions misplaced)', () => {
    const topics = { t1: 6, t2: 7, t3: 2 };
    const subscriptions = [['t1', 't2', 't3'], ['t1', 't2', 't3'], ['t1', 't3']];
    const withOwnedText = (owned: readonly string[]): AssignmentInput =>
      toInput(topics, subscriptions.map((t, i) => ({ id: `consumer${i}`, topics: t, owned: owned[i] })));
    const owned = ['t1-0, t1-1, t1-2, t1-3, t1-4', 't1-5, t2-0, t2-1, t2-2, t2-3', 't2-4, t2-5, t2-6, t3-0, t3-1'];
    const intermediate = ['t1-2, t1-3, t1-4', 't2-0, t2-1, t2-2, t2-3', 't3-0, t3-1'];
    const final = ['t1-2, t1-3, t1-4, t2-4, t2-5', 't2-0, t2-1, t2-2, t2-3, t2-6', 't1-0, t1-1, t1-5, t3-0, t3-1'];
    const toExpected = (texts: readonly string[]): Record<string, string> =>
      Object.fromEntries(texts.map((text, i) => [`consumer${i}`, text]));

    const first = assignCooperativeSticky(withOwnedText(owned));
    expectAssignment(first.assignment, toExpected(intermediate));
    expect(first.pendingHandovers.map((h) => `${h.topic}-${h.partition}`)).toEqual([
      't1-0', 't1-1', 't1-5', 't2-4', 't2-5', 't2-6',
    ]);
    const second = assignCooperativeSticky(withOwnedText(intermediate));
    expectAssignment(second.assignment, toExpected(final));
    expect(second.pendingHandovers).toEqual([]);
  });
});

describe('sticky generation handling', () => {
  it('a partition claimed by two members in the same, highest generation counts as unowned', () => {
    const input = toInput({ t: 4 }, [
      { id: 'a', topics: ['t'], owned: 't-0, t-1', generation: 5 },
      { id: 'b', topics: ['t'], owned: 't-1, t-2', generation: 5 },
      { id: 'c', topics: ['t'], owned: 't-3', generation: 5 },
    ]);
    const { assignment, pendingHandovers } = assignCooperativeSticky(input);
    // t-1 goes to a fresh owner only after both a and b revoked it.
    expect(pendingHandovers.map((h) => [`${h.topic}-${h.partition}`, h.revokedBy])).toEqual([['t-1', ['a', 'b']]]);
    expect([...assignment.values()].flat().some((tp) => tp.partition === 1)).toBe(false);
  });

  it('a higher generation claim wins over a tie in a lower generation, whatever the member order', () => {
    for (const ids of [['a', 'b', 'c'], ['c', 'b', 'a'], ['b', 'c', 'a']]) {
      const input = toInput({ t: 3 }, [
        { id: ids[0], topics: ['t'], owned: 't-0', generation: 3 },
        { id: ids[1], topics: ['t'], owned: 't-0', generation: 3 },
        { id: ids[2], topics: ['t'], owned: 't-0', generation: 4 },
      ]);
      const result = assign('sticky', input);
      expect(partitionsOf(result, ids[2])).toContain('t-0');
      expect(assignCooperativeSticky(input).pendingHandovers).toEqual([]);
    }
  });

  it('owned partitions of an older generation are handed back to their owner when balancing (general builder)', () => {
    // c owned t-2 and t-3 in generation 1; a (generation 2) now claims them too but is over
    // its share, so the general builder returns them to c rather than to the least-loaded b.
    const input = toInput({ t: 6, u: 1 }, [
      { id: 'a', topics: ['t', 'u'], owned: 't-0, t-1, t-2, t-3, t-4, t-5', generation: 2 },
      { id: 'b', topics: ['t'], owned: '', generation: 2 },
      { id: 'c', topics: ['t'], owned: 't-2, t-3', generation: 1 },
    ]);
    const result = assign('sticky', input);
    expectValidAndBalanced(input, result);
    expect(partitionsOf(result, 'c')).toEqual(expect.arrayContaining(['t-2', 't-3']));
  });

  it('keeps a member that lost the generation race from keeping the partition', () => {
    const input = toInput({ t: 2 }, [
      { id: 'old', topics: ['t'], owned: 't-0, t-1', generation: 1 },
      { id: 'new', topics: ['t'], owned: 't-0, t-1', generation: 2 },
    ]);
    expectAssignment(assign('sticky', input), { new: 't-0', old: 't-1' });
    const cooperative = assignCooperativeSticky(input);
    // t-1 moves from new (which owns it in generation 2) to old: held back until new revokes it.
    expect(cooperative.pendingHandovers).toEqual([{ topic: 't', partition: 1, revokedBy: ['new', 'old'], assignTo: 'old' }]);
    expect(parsePartitions('t-0')).toEqual(cooperative.assignment.get('new'));
  });
});

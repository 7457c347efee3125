/**
 * Ports of the group coordinator's uniform assignor tests:
 * UniformHomogeneousAssignmentBuilderTest, UniformHeterogeneousAssignmentBuilderTest and
 * CommonAssignorTests (group-coordinator/src/test/.../assignor/). Kafka's members are in a
 * TreeMap (or a GroupSpec sorted on purpose), i.e. in member-id order, as ours are.
 *
 * Where the homogeneous builder's result depends on the order Kafka's HashSet of topic ids
 * yielded the topics, the case renames the topics so that name order (our order) is the order
 * Kafka visited them, and says so.
 */

import { describe, expect, it } from 'vitest';
import { snapshotGroup, resolveOwnership, toAssignment } from '../../src/model/assignors/group.js';
import { assign, type Assignment, type AssignmentInput } from '../../src/model/assignors/index.js';
import { uniformHeterogeneousAssign } from '../../src/model/assignors/uniform.js';
import {
  expectAssignment,
  expectValidAndBalanced,
  formatPartitions,
  isFullyBalanced,
  runCase,
  toInput,
  type AssignorCase,
} from './helpers.js';

/** Runs the heterogeneous builder even when subscriptions are equal, as Kafka's tests force it. */
function heterogeneous(input: AssignmentInput): Assignment {
  const group = snapshotGroup('uniform', input);
  return toAssignment(group, uniformHeterogeneousAssign(group, resolveOwnership(group).owned));
}

const homogeneousCases: AssignorCase[] = [
  {
    source: 'UniformHomogeneousAssignmentBuilderTest.testOneMemberNoTopicSubscription',
    topics: { topic1: 3 },
    members: [{ id: 'A', topics: [] }],
    expected: { A: '' },
  },
  {
    // Kafka's HashSet visited topic3 before topic1: here they are x-topic3 and y-topic1.
    source: 'UniformHomogeneousAssignmentBuilderTest.testFirstAssignmentTwoMembersTwoTopicsNoMemberRacks',
    topics: { 'y-topic1': 3, 'x-topic3': 2 },
    members: [
      { id: 'A', topics: ['y-topic1', 'x-topic3'] },
      { id: 'B', topics: ['y-topic1', 'x-topic3'] },
    ],
    expected: { A: 'x-topic3-0, x-topic3-1', B: 'y-topic1-0, y-topic1-1, y-topic1-2' },
  },
  {
    source: 'UniformHomogeneousAssignmentBuilderTest.testFirstAssignmentNumMembersGreaterThanTotalNumPartitions',
    topics: { topic3: 2 },
    members: ['A', 'B', 'C'].map((id) => ({ id, topics: ['topic3'] })),
    expected: { A: '', B: 'topic3-0', C: 'topic3-1' },
  },
  {
    source: 'UniformHomogeneousAssignmentBuilderTest.testReassignmentForTwoMembersTwoTopicsGivenUnbalancedPrevAssignment',
    topics: { topic1: 3, topic2: 3 },
    members: [
      { id: 'A', topics: ['topic1', 'topic2'], owned: 'topic1-0, topic1-1, topic2-0, topic2-1' },
      { id: 'B', topics: ['topic1', 'topic2'], owned: 'topic1-2, topic2-2' },
    ],
    expected: { A: 'topic1-0, topic1-1, topic2-0', B: 'topic1-2, topic2-1, topic2-2' },
  },
  {
    // Kafka's HashSet visited topic2 before topic1: here they are x-topic2 and y-topic1.
    source: 'UniformHomogeneousAssignmentBuilderTest.testReassignmentWhenPartitionsAreAddedForTwoMembersTwoTopics',
    topics: { 'y-topic1': 6, 'x-topic2': 5 },
    members: [
      { id: 'A', topics: ['y-topic1', 'x-topic2'], owned: 'y-topic1-0, y-topic1-2, x-topic2-0' },
      { id: 'B', topics: ['y-topic1', 'x-topic2'], owned: 'y-topic1-1, x-topic2-1, x-topic2-2' },
    ],
    expected: {
      A: 'y-topic1-0, y-topic1-2, x-topic2-0, x-topic2-3, x-topic2-4',
      B: 'y-topic1-1, y-topic1-3, y-topic1-4, y-topic1-5, x-topic2-1, x-topic2-2',
    },
  },
  {
    source: 'UniformHomogeneousAssignmentBuilderTest.testReassignmentWhenOneMemberAddedAfterInitialAssignmentWithTwoMembersTwoTopics',
    topics: { topic1: 3, topic2: 3 },
    members: [
      { id: 'A', topics: ['topic1', 'topic2'], owned: 'topic1-0, topic1-2, topic2-0' },
      { id: 'B', topics: ['topic1', 'topic2'], owned: 'topic1-1, topic2-1, topic2-2' },
      { id: 'C', topics: ['topic1', 'topic2'] },
    ],
    expected: { A: 'topic1-0, topic1-2', B: 'topic1-1, topic2-1', C: 'topic2-0, topic2-2' },
  },
  {
    // Kafka's HashSet visited topic2 before topic1: here they are x-topic2 and y-topic1.
    source: 'UniformHomogeneousAssignmentBuilderTest.testReassignmentWhenOneMemberRemovedAfterInitialAssignmentWithThreeMembersTwoTopics',
    topics: { 'y-topic1': 3, 'x-topic2': 3 },
    members: [
      { id: 'A', topics: ['y-topic1', 'x-topic2'], owned: 'y-topic1-0, x-topic2-0' },
      { id: 'B', topics: ['y-topic1', 'x-topic2'], owned: 'y-topic1-1, x-topic2-1' },
    ],
    expected: { A: 'y-topic1-0, x-topic2-0, x-topic2-2', B: 'y-topic1-1, y-topic1-2, x-topic2-1' },
  },
  {
    source: 'UniformHomogeneousAssignmentBuilderTest.testReassignmentWhenOneSubscriptionRemovedAfterInitialAssignmentWithTwoMembersTwoTopics',
    topics: { topic1: 2, topic2: 2 },
    members: [
      { id: 'A', topics: ['topic2'], owned: 'topic1-0, topic2-0' },
      { id: 'B', topics: ['topic2'], owned: 'topic1-1, topic2-1' },
    ],
    expected: { A: 'topic2-0', B: 'topic2-1' },
  },
];

const heterogeneousCases: AssignorCase[] = [
  {
    source: 'UniformHeterogeneousAssignmentBuilderTest.testTwoMembersNoTopicSubscription',
    topics: { topic1: 3 },
    members: [
      { id: 'A', topics: [] },
      { id: 'B', topics: [] },
    ],
    expected: { A: '', B: '' },
  },
  {
    source: 'UniformHeterogeneousAssignmentBuilderTest.testFirstAssignmentTwoMembersTwoTopics',
    topics: { topic1: 3, topic3: 6 },
    members: [
      { id: 'A', topics: ['topic1', 'topic3'] },
      { id: 'B', topics: ['topic3'] },
    ],
    expected: { A: 'topic1-0, topic1-1, topic1-2, topic3-4', B: 'topic3-0, topic3-1, topic3-2, topic3-3, topic3-5' },
  },
  {
    source: 'UniformHeterogeneousAssignmentBuilderTest.testFirstAssignmentNumMembersGreaterThanTotalNumPartitions',
    topics: { topic3: 1, topic1: 2 },
    members: [
      { id: 'A', topics: ['topic3'] },
      { id: 'B', topics: ['topic3'] },
      { id: 'C', topics: ['topic1'] },
    ],
    expected: { A: 'topic3-0', B: '', C: 'topic1-0, topic1-1' },
  },
  {
    source: 'UniformHeterogeneousAssignmentBuilderTest.testReassignmentForTwoMembersThreeTopicsGivenUnbalancedPrevAssignment',
    topics: { topic1: 6, topic2: 4, topic3: 4 },
    members: [
      { id: 'A', topics: ['topic1'], owned: 'topic1-0, topic1-1, topic1-2' },
      { id: 'B', topics: ['topic1', 'topic2'], owned: 'topic1-3, topic2-0' },
      {
        id: 'C',
        topics: ['topic1', 'topic2', 'topic3'],
        owned: 'topic1-4, topic1-5, topic2-1, topic2-2, topic2-3, topic3-0, topic3-1, topic3-2, topic3-3',
      },
    ],
    expected: {
      A: 'topic1-0, topic1-1, topic1-2, topic1-5',
      B: 'topic1-3, topic2-0, topic2-1, topic2-2, topic2-3',
      C: 'topic1-4, topic3-0, topic3-1, topic3-2, topic3-3',
    },
  },
  {
    source: 'UniformHeterogeneousAssignmentBuilderTest.testReassignmentWhenPartitionsAreAddedForTwoMembers',
    topics: { topic1: 6, topic2: 5, topic3: 3, topic4: 3 },
    members: [
      { id: 'A', topics: ['topic1', 'topic3'], owned: 'topic1-0, topic1-1, topic1-2, topic1-3, topic3-0, topic3-1' },
      {
        id: 'B',
        topics: ['topic1', 'topic2', 'topic3', 'topic4'],
        owned: 'topic2-0, topic2-1, topic2-2, topic4-0, topic4-1, topic4-2',
      },
    ],
    expected: {
      A: 'topic1-0, topic1-1, topic1-2, topic1-3, topic1-4, topic1-5, topic3-0, topic3-1, topic3-2',
      B: 'topic2-0, topic2-1, topic2-2, topic2-3, topic2-4, topic4-0, topic4-1, topic4-2',
    },
  },
  {
    source: 'UniformHeterogeneousAssignmentBuilderTest.testReassignmentWhenOneMemberAddedAndPartitionsAddedTwoMembersTwoTopics',
    topics: { topic1: 6, topic2: 7 },
    members: [
      { id: 'A', topics: ['topic1'], owned: 'topic1-0, topic1-2, topic2-0' },
      { id: 'B', topics: ['topic1', 'topic2'], owned: 'topic1-1, topic2-1, topic2-2' },
      { id: 'C', topics: ['topic1', 'topic2'] },
    ],
    expected: {
      A: 'topic1-0, topic1-2, topic1-3, topic1-4, topic1-5',
      B: 'topic1-1, topic2-1, topic2-2, topic2-6',
      C: 'topic2-0, topic2-3, topic2-4, topic2-5',
    },
  },
  {
    source: 'UniformHeterogeneousAssignmentBuilderTest.testReassignmentWhenOneMemberRemovedAfterInitialAssignmentWithThreeMembersThreeTopics',
    topics: { topic1: 3, topic2: 8, topic3: 3 },
    members: [
      { id: 'A', topics: ['topic1', 'topic3'], owned: 'topic1-0, topic1-1, topic1-2, topic3-0, topic3-1' },
      { id: 'B', topics: ['topic2'], owned: 'topic2-3, topic2-4, topic2-5, topic2-6' },
    ],
    expected: {
      A: 'topic1-0, topic1-1, topic1-2, topic3-0, topic3-1, topic3-2',
      B: 'topic2-0, topic2-1, topic2-2, topic2-3, topic2-4, topic2-5, topic2-6, topic2-7',
    },
  },
  {
    source: 'UniformHeterogeneousAssignmentBuilderTest.testReassignmentWhenOneSubscriptionRemovedAfterInitialAssignmentWithTwoMembersTwoTopics',
    topics: { topic1: 3, topic2: 5 },
    members: [
      { id: 'A', topics: ['topic1'], owned: 'topic1-0, topic1-2, topic2-1, topic2-3' },
      { id: 'B', topics: ['topic1', 'topic2'], owned: 'topic1-1, topic2-0, topic2-2, topic2-4' },
    ],
    expected: { A: 'topic1-0, topic1-1, topic1-2', B: 'topic2-0, topic2-1, topic2-2, topic2-3, topic2-4' },
  },
  {
    source: 'UniformHeterogeneousAssignmentBuilderTest.testFirstAssignmentWithTwoMembersIncludingOneWithoutSubscriptions',
    topics: { topic1: 3 },
    members: [
      { id: 'A', topics: ['topic1'] },
      { id: 'B', topics: [] },
    ],
    expected: { A: 'topic1-0, topic1-1, topic1-2', B: '' },
  },
];

describe('uniform: UniformHomogeneousAssignmentBuilderTest cases', () => {
  it.each(homogeneousCases.map((c) => [c.source, c] as const))('%s', (_, c) => {
    runCase('uniform', c);
    const input = toInput(c.topics, c.members);
    expectValidAndBalanced(input, assign('uniform', input));
    expect(isFullyBalanced(assign('uniform', input))).toBe(true);
  });

  it('UniformHomogeneousAssignmentBuilderTest.testValidityAndBalanceForLargeSampleSet', () => {
    const topics = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`topic-${i + 1}`, 3]));
    const input = toInput(topics, Array.from({ length: 49 }, (_, i) => ({ id: `member${i + 1}`, topics: Object.keys(topics) })));
    const result = assign('uniform', input);
    expectValidAndBalanced(input, result);
    expect(isFullyBalanced(result)).toBe(true);
  });

  it('UniformHomogeneousAssignmentBuilderTest.testOneMemberSubscribedToNonexistentTopic: skipped instead of thrown', () => {
    // Kafka throws PartitionAssignorException; the coordinator only ever passes existing topic
    // ids, so here a topic that does not exist is ignored.
    runCase('uniform', { source: '', topics: { topic1: 3 }, members: [{ id: 'A', topics: ['topic2'] }], expected: { A: '' } });
  });
});

describe('uniform: UniformHeterogeneousAssignmentBuilderTest cases', () => {
  it.each(heterogeneousCases.map((c) => [c.source, c] as const))('%s', (_, c) => {
    runCase('uniform', c);
    const input = toInput(c.topics, c.members);
    expectValidAndBalanced(input, assign('uniform', input));
  });

  it('UniformHeterogeneousAssignmentBuilderTest.testReassignmentWhenTopicPartitionsRunOutAndMembersHaveNoPartitions', () => {
    // Kafka forces the heterogeneous builder although both members subscribe to the same topics.
    const all = ['topic1', 'topic2', 'topic3'];
    const input = toInput({ topic1: 2, topic2: 2, topic3: 2 }, [
      { id: 'A', topics: all, owned: 'topic1-0, topic1-1, topic2-0, topic2-1, topic3-0, topic3-1' },
      { id: 'B', topics: all },
    ]);
    expectAssignment(heterogeneous(input), { A: 'topic2-0, topic3-0, topic3-1', B: 'topic1-0, topic1-1, topic2-1' });
  });

  it('UniformHeterogeneousAssignmentBuilderTest.testTwoMembersSubscribedToNonexistentTopics: skipped instead of thrown', () => {
    runCase('uniform', {
      source: '',
      topics: { topic1: 3 },
      members: [
        { id: 'A', topics: ['topic3'] },
        { id: 'B', topics: ['topic2'] },
      ],
      expected: { A: '', B: '' },
    });
  });
});

describe('uniform: CommonAssignorTests', () => {
  const topics = { topic1: 2, topic2: 5, topic3: 7 };
  const all = Object.keys(topics);
  const variants: [string, (input: AssignmentInput) => Assignment][] = [
    ['homogeneous', (input) => assign('uniform', input)],
    ['heterogeneous', heterogeneous],
  ];

  it.each(variants)('CommonAssignorTests.testReassignmentStickiness (%s)', (_, run) => {
    const first = run(toInput(topics, ['A', 'B', 'C'].map((id) => ({ id, topics: all }))));
    const orders = [['A', 'B', 'C'], ['A', 'C', 'B'], ['B', 'A', 'C'], ['B', 'C', 'A'], ['C', 'A', 'B'], ['C', 'B', 'A']];
    for (const order of orders) {
      const again = run(
        toInput(topics, order.map((id) => ({ id, topics: all, owned: formatPartitions(first.get(id) ?? []) }))),
      );
      expect(again).toEqual(first);
    }
  });

  it.each(variants)('CommonAssignorTests.testAssignmentReuse (%s): an unchanged group keeps its assignment', (_, run) => {
    const first = run(toInput(topics, ['A', 'B', 'C'].map((id) => ({ id, topics: all }))));
    const again = run(toInput(topics, ['A', 'B', 'C'].map((id) => ({ id, topics: all, owned: formatPartitions(first.get(id) ?? []) }))));
    expect(again).toEqual(first);
  });

  it('a balanced assignment with the extra partitions on the last members does not move (KAFKA-18688)', () => {
    // 14 partitions over 3 members: 4, 5, 5. Kafka 4.0.0 gave the extra slots to A and B and so
    // moved a partition from C to A; after KAFKA-18688 whoever already holds 5 keeps them.
    const input = toInput(topics, [
      { id: 'A', topics: all, owned: 'topic1-0, topic2-0, topic3-0, topic3-1' },
      { id: 'B', topics: all, owned: 'topic1-1, topic2-1, topic2-2, topic3-2, topic3-3' },
      { id: 'C', topics: all, owned: 'topic2-3, topic2-4, topic3-4, topic3-5, topic3-6' },
    ]);
    expectAssignment(assign('uniform', input), {
      A: 'topic1-0, topic2-0, topic3-0, topic3-1',
      B: 'topic1-1, topic2-1, topic2-2, topic3-2, topic3-3',
      C: 'topic2-3, topic2-4, topic3-4, topic3-5, topic3-6',
    });
  });
});

/**
 * Ports of Kafka's range assignor tests: the client RangeAssignorTest
 * (clients/src/test/.../consumer/RangeAssignorTest.java; the rack-aware tests contribute their
 * non-rack-aware expectations) and the group coordinator's RangeAssignorTest
 * (group-coordinator/src/test/.../assignor/RangeAssignorTest.java) for 'server-range'.
 */

import { describe, expect, it } from 'vitest';
import { assign } from '../../src/model/assignors/index.js';
import { expectAssignment, runCase, toInput, type AssignorCase } from './helpers.js';

const all = ['t1', 't2', 't3'];
const allFour = ['t1', 't2', 't3', 't4'];

const clientCases: AssignorCase[] = [
  {
    source: 'RangeAssignorTest.testOneConsumerNoTopic',
    topics: {},
    members: [{ id: 'consumer1', topics: [] }],
    expected: { consumer1: '' },
  },
  {
    source: 'RangeAssignorTest.testOneConsumerNonexistentTopic',
    topics: {},
    members: [{ id: 'consumer1', topics: ['topic1'] }],
    expected: { consumer1: '' },
  },
  {
    source: 'RangeAssignorTest.testOneConsumerOneTopic',
    topics: { topic1: 3 },
    members: [{ id: 'consumer1', topics: ['topic1'] }],
    expected: { consumer1: 'topic1-0, topic1-1, topic1-2' },
  },
  {
    source: 'RangeAssignorTest.testOnlyAssignsPartitionsFromSubscribedTopics',
    topics: { topic1: 3, other: 3 },
    members: [{ id: 'consumer1', topics: ['topic1'] }],
    expected: { consumer1: 'topic1-0, topic1-1, topic1-2' },
  },
  {
    source: 'RangeAssignorTest.testOneConsumerMultipleTopics',
    topics: { topic1: 1, topic2: 2 },
    members: [{ id: 'consumer1', topics: ['topic1', 'topic2'] }],
    expected: { consumer1: 'topic1-0, topic2-0, topic2-1' },
  },
  {
    source: 'RangeAssignorTest.testTwoConsumersOneTopicOnePartition',
    topics: { topic1: 1 },
    members: [
      { id: 'consumer1', topics: ['topic1'] },
      { id: 'consumer2', topics: ['topic1'] },
    ],
    expected: { consumer1: 'topic1-0', consumer2: '' },
  },
  {
    source: 'RangeAssignorTest.testTwoConsumersOneTopicTwoPartitions',
    topics: { topic1: 2 },
    members: [
      { id: 'consumer1', topics: ['topic1'] },
      { id: 'consumer2', topics: ['topic1'] },
    ],
    expected: { consumer1: 'topic1-0', consumer2: 'topic1-1' },
  },
  {
    source: 'RangeAssignorTest.testMultipleConsumersMixedTopics',
    topics: { topic1: 3, topic2: 2 },
    members: [
      { id: 'consumer1', topics: ['topic1'] },
      { id: 'consumer2', topics: ['topic1', 'topic2'] },
      { id: 'consumer3', topics: ['topic1'] },
    ],
    expected: { consumer1: 'topic1-0', consumer2: 'topic1-1, topic2-0, topic2-1', consumer3: 'topic1-2' },
  },
  {
    source: 'RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions',
    topics: { topic1: 3, topic2: 3 },
    members: [
      { id: 'consumer1', topics: ['topic1', 'topic2'] },
      { id: 'consumer2', topics: ['topic1', 'topic2'] },
    ],
    expected: { consumer1: 'topic1-0, topic1-1, topic2-0, topic2-1', consumer2: 'topic1-2, topic2-2' },
  },
  {
    // consumer-a sorts first by member id, but instance ids decide between static members.
    source: 'RangeAssignorTest.testTwoStaticConsumersTwoTopicsSixPartitions',
    topics: { topic1: 3, topic2: 3 },
    members: [
      { id: 'consumer-b', topics: ['topic1', 'topic2'], instance: 'instance1' },
      { id: 'consumer-a', topics: ['topic1', 'topic2'], instance: 'instance2' },
    ],
    expected: { 'consumer-b': 'topic1-0, topic1-1, topic2-0, topic2-1', 'consumer-a': 'topic1-2, topic2-2' },
  },
  {
    source: 'RangeAssignorTest.testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions',
    topics: { topic1: 3, topic2: 3 },
    members: [
      { id: 'consumer-b', topics: ['topic1', 'topic2'], instance: 'instance1' },
      { id: 'consumer-a', topics: ['topic1', 'topic2'] },
    ],
    expected: { 'consumer-b': 'topic1-0, topic1-1, topic2-0, topic2-1', 'consumer-a': 'topic1-2, topic2-2' },
  },
  {
    source: 'RangeAssignorTest.testStaticMemberRangeAssignmentPersistent (step 1)',
    topics: { topic1: 5, topic2: 4 },
    members: [
      { id: 'consumer1', topics: ['topic1', 'topic2'], instance: 'instance1' },
      { id: 'consumer2', topics: ['topic1', 'topic2'], instance: 'instance2' },
      { id: 'consumer3', topics: ['topic1', 'topic2'], instance: 'instance3' },
      { id: 'consumer4', topics: ['topic1', 'topic2'] },
    ],
    expected: {
      consumer1: 'topic1-0, topic1-1, topic2-0',
      consumer2: 'topic1-2, topic2-1',
      consumer3: 'topic1-3, topic2-2',
      consumer4: 'topic1-4, topic2-3',
    },
  },
  {
    source: 'RangeAssignorTest.testStaticMemberRangeAssignmentPersistent (step 2: consumer4 replaced by consumer5)',
    topics: { topic1: 5, topic2: 4 },
    members: [
      { id: 'consumer1', topics: ['topic1', 'topic2'], instance: 'instance1' },
      { id: 'consumer2', topics: ['topic1', 'topic2'], instance: 'instance2' },
      { id: 'consumer3', topics: ['topic1', 'topic2'], instance: 'instance3' },
      { id: 'consumer5', topics: ['topic1', 'topic2'] },
    ],
    expected: {
      consumer1: 'topic1-0, topic1-1, topic2-0',
      consumer2: 'topic1-2, topic2-1',
      consumer3: 'topic1-3, topic2-2',
      consumer5: 'topic1-4, topic2-3',
    },
  },
  {
    source: 'RangeAssignorTest.testRackAwareAssignmentWithUniformSubscription (non-rack-aware expectation)',
    topics: { t1: 6, t2: 7, t3: 2 },
    members: [
      { id: 'consumer0', topics: all },
      { id: 'consumer1', topics: all },
      { id: 'consumer2', topics: all },
    ],
    expected: {
      consumer0: 't1-0, t1-1, t2-0, t2-1, t2-2, t3-0',
      consumer1: 't1-2, t1-3, t2-3, t2-4, t3-1',
      consumer2: 't1-4, t1-5, t2-5, t2-6',
    },
  },
  {
    source: 'RangeAssignorTest.testRackAwareAssignmentWithNonEqualSubscription (non-rack-aware expectation)',
    topics: { t1: 6, t2: 7, t3: 2 },
    members: [
      { id: 'consumer0', topics: all },
      { id: 'consumer1', topics: all },
      { id: 'consumer2', topics: ['t1', 't3'] },
    ],
    expected: {
      consumer0: 't1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0',
      consumer1: 't1-2, t1-3, t2-4, t2-5, t2-6, t3-1',
      consumer2: 't1-4, t1-5',
    },
  },
  {
    source: 'RangeAssignorTest.testRackAwareAssignmentWithUniformPartitions (non-rack-aware expectation)',
    topics: { t1: 5, t2: 5, t3: 5 },
    members: [
      { id: 'consumer0', topics: all },
      { id: 'consumer1', topics: all },
      { id: 'consumer2', topics: all },
    ],
    expected: {
      consumer0: 't1-0, t1-1, t2-0, t2-1, t3-0, t3-1',
      consumer1: 't1-2, t1-3, t2-2, t2-3, t3-2, t3-3',
      consumer2: 't1-4, t2-4, t3-4',
    },
  },
  {
    source: 'RangeAssignorTest.testRackAwareAssignmentWithUniformPartitionsNonEqualSubscription (non-rack-aware expectation)',
    topics: { t1: 5, t2: 5, t3: 5 },
    members: [
      { id: 'consumer0', topics: all },
      { id: 'consumer1', topics: all },
      { id: 'consumer2', topics: ['t1', 't3'] },
    ],
    expected: {
      consumer0: 't1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1',
      consumer1: 't1-2, t1-3, t2-3, t2-4, t3-2, t3-3',
      consumer2: 't1-4, t3-4',
    },
  },
  {
    source: 'RangeAssignorTest.testRackAwareAssignmentWithCoPartitioning (non-rack-aware expectation, two groups of topics)',
    topics: { t1: 6, t2: 6, t3: 2, t4: 2 },
    members: [
      { id: 'consumer0', topics: ['t1', 't2'] },
      { id: 'consumer1', topics: ['t1', 't2'] },
      { id: 'consumer2', topics: ['t3', 't4'] },
      { id: 'consumer3', topics: ['t3', 't4'] },
    ],
    expected: {
      consumer0: 't1-0, t1-1, t1-2, t2-0, t2-1, t2-2',
      consumer1: 't1-3, t1-4, t1-5, t2-3, t2-4, t2-5',
      consumer2: 't3-0, t4-0',
      consumer3: 't3-1, t4-1',
    },
  },
  {
    source: 'RangeAssignorTest.testRackAwareAssignmentWithCoPartitioning (non-rack-aware expectation, all topics)',
    topics: { t1: 6, t2: 6, t3: 2, t4: 2 },
    members: [
      { id: 'consumer0', topics: allFour },
      { id: 'consumer1', topics: allFour },
      { id: 'consumer2', topics: allFour },
      { id: 'consumer3', topics: allFour },
    ],
    expected: {
      consumer0: 't1-0, t1-1, t2-0, t2-1, t3-0, t4-0',
      consumer1: 't1-2, t1-3, t2-2, t2-3, t3-1, t4-1',
      consumer2: 't1-4, t2-4',
      consumer3: 't1-5, t2-5',
    },
  },
  {
    // t7..t9 are subscribed but do not exist.
    source: 'RangeAssignorTest.testCoPartitionedAssignmentWithSameSubscription (non-rack-aware expectation)',
    topics: { t1: 6, t2: 6, t3: 2, t4: 2, t5: 4, t6: 4 },
    members: ['consumer0', 'consumer1', 'consumer2'].map((id) => ({
      id,
      topics: ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9'],
    })),
    expected: {
      consumer0: 't1-0, t1-1, t2-0, t2-1, t3-0, t4-0, t5-0, t5-1, t6-0, t6-1',
      consumer1: 't1-2, t1-3, t2-2, t2-3, t3-1, t4-1, t5-2, t6-2',
      consumer2: 't1-4, t1-5, t2-4, t2-5, t5-3, t6-3',
    },
  },
];

describe('range (client RangeAssignor)', () => {
  it.each(clientCases.map((c) => [c.source, c] as const))('%s', (_, c) => runCase('range', c));

  it('RangeAssignorTest.testStaticMemberRangeAssignmentPersistentAfterMemberIdChanges', () => {
    const topics = { topic1: 5, topic2: 5 };
    const subscribed = ['topic1', 'topic2'];
    const byInstance = (members: { id: string; instance: string }[]): Record<string, string> => {
      const result = assign('range', toInput(topics, members.map((m) => ({ ...m, topics: subscribed }))));
      return Object.fromEntries(
        members.map((m) => [m.instance, (result.get(m.id) ?? []).map((tp) => `${tp.topic}-${tp.partition}`).join(', ')]),
      );
    };
    const before = byInstance([
      { id: 'consumer1', instance: 'instance1' },
      { id: 'consumer2', instance: 'instance2' },
      { id: 'consumer3', instance: 'instance3' },
    ]);
    expect(before).toEqual({
      instance1: 'topic1-0, topic1-1, topic2-0, topic2-1',
      instance2: 'topic1-2, topic1-3, topic2-2, topic2-3',
      instance3: 'topic1-4, topic2-4',
    });
    // The members rejoin with new member ids that sort differently; instance ids keep the ranges.
    const after = byInstance([
      { id: 'consumer1', instance: 'instance1' },
      { id: 'consumer5', instance: 'instance2' },
      { id: 'consumer4', instance: 'instance3' },
    ]);
    expect(after).toEqual(before);
  });

  it('gives the first members of every topic the extra partition (range assigns per topic)', () => {
    const result = assign('range', toInput({ a: 4, b: 4 }, ['m1', 'm2', 'm3'].map((id) => ({ id, topics: ['a', 'b'] }))));
    expectAssignment(result, { m1: 'a-0, a-1, b-0, b-1', m2: 'a-2, b-2', m3: 'a-3, b-3' });
  });
});

const serverCases: AssignorCase[] = [
  {
    // Kafka returns no entry for A; we return A with nothing.
    source: 'RangeAssignorTest (group-coordinator).testOneConsumerNoTopic',
    topics: { topic1: 3 },
    members: [{ id: 'A', topics: [] }],
    expected: { A: '' },
  },
  {
    source: 'RangeAssignorTest (group-coordinator).testFirstAssignmentTwoConsumersTwoTopicsSameSubscriptions',
    topics: { topic1: 3, topic3: 2 },
    members: [
      { id: 'A', topics: ['topic1', 'topic3'] },
      { id: 'B', topics: ['topic1', 'topic3'] },
    ],
    expected: { A: 'topic1-0, topic1-1, topic3-0', B: 'topic1-2, topic3-1' },
  },
  {
    source: 'RangeAssignorTest (group-coordinator).testFirstAssignmentThreeConsumersThreeTopicsDifferentSubscriptions',
    topics: { topic1: 3, topic2: 3, topic3: 2 },
    members: [
      { id: 'A', topics: ['topic1', 'topic2'] },
      { id: 'B', topics: ['topic3'] },
      { id: 'C', topics: ['topic2', 'topic3'] },
    ],
    expected: { A: 'topic1-0, topic1-1, topic1-2, topic2-0, topic2-1', B: 'topic3-0', C: 'topic2-2, topic3-1' },
  },
  {
    source: 'RangeAssignorTest (group-coordinator).testFirstAssignmentNumConsumersGreaterThanNumPartitions',
    topics: { topic1: 3, topic3: 2 },
    members: ['A', 'B', 'C'].map((id) => ({ id, topics: ['topic1', 'topic3'] })),
    expected: { A: 'topic1-0, topic3-0', B: 'topic1-1, topic3-1', C: 'topic1-2' },
  },
  {
    source: 'RangeAssignorTest (group-coordinator).testReassignmentNumConsumersGreaterThanNumPartitionsWhenOneConsumerAdded',
    topics: { topic1: 2, topic2: 2 },
    members: [
      { id: 'A', topics: ['topic1', 'topic2'], owned: 'topic1-0, topic2-0' },
      { id: 'B', topics: ['topic1', 'topic2'], owned: 'topic1-1, topic2-1' },
      { id: 'C', topics: ['topic1', 'topic2'] },
    ],
    expected: { A: 'topic1-0, topic2-0', B: 'topic1-1, topic2-1', C: '' },
  },
  {
    source: 'RangeAssignorTest (group-coordinator).testReassignmentWhenOnePartitionAddedForTwoConsumersTwoTopics',
    topics: { topic1: 4, topic2: 4 },
    members: [
      { id: 'A', topics: ['topic1', 'topic2'], owned: 'topic1-0, topic1-1, topic2-0, topic2-1' },
      { id: 'B', topics: ['topic1', 'topic2'], owned: 'topic1-2, topic2-2' },
    ],
    expected: { A: 'topic1-0, topic1-1, topic2-0, topic2-1', B: 'topic1-2, topic1-3, topic2-2, topic2-3' },
  },
  {
    source:
      'RangeAssignorTest (group-coordinator).testReassignmentWhenOneConsumerAddedAndOnePartitionAfterInitialAssignmentWithTwoConsumersTwoTopics',
    topics: { topic1: 4, topic2: 3 },
    members: [
      { id: 'A', topics: ['topic1', 'topic2'], owned: 'topic1-0, topic1-1, topic2-0, topic2-1' },
      { id: 'B', topics: ['topic1', 'topic2'], owned: 'topic1-2, topic2-2' },
      { id: 'C', topics: ['topic1'] },
    ],
    expected: { A: 'topic1-0, topic1-1, topic2-0, topic2-1', B: 'topic1-2, topic2-2', C: 'topic1-3' },
  },
  {
    source: 'RangeAssignorTest (group-coordinator).testReassignmentWhenOneConsumerRemovedAfterInitialAssignmentWithTwoConsumersTwoTopics',
    topics: { topic1: 3, topic2: 3 },
    members: [{ id: 'B', topics: ['topic1', 'topic2'], owned: 'topic1-2, topic2-2' }],
    expected: { B: 'topic1-0, topic1-1, topic1-2, topic2-0, topic2-1, topic2-2' },
  },
  {
    source:
      'RangeAssignorTest (group-coordinator).testReassignmentWhenMultipleSubscriptionsRemovedAfterInitialAssignmentWithThreeConsumersTwoTopics',
    topics: { topic1: 3, topic2: 3, topic3: 2 },
    members: [
      { id: 'A', topics: ['topic1'], owned: 'topic1-0, topic1-1, topic1-2, topic2-0' },
      { id: 'B', topics: ['topic1', 'topic2', 'topic3'], owned: 'topic2-1' },
      { id: 'C', topics: ['topic2'], owned: 'topic2-2, topic3-0, topic3-1' },
    ],
    expected: { A: 'topic1-0, topic1-1', B: 'topic1-2, topic2-0, topic2-1, topic3-0, topic3-1', C: 'topic2-2' },
  },
  {
    // The class documentation's example: instance ids, not member ids, fix the order.
    source: 'RangeAssignor (group-coordinator) class documentation, static members M3/I0 and M2/I1',
    topics: { T1: 3, T2: 3 },
    members: [
      { id: 'M3', topics: ['T1', 'T2'], instance: 'I0' },
      { id: 'M2', topics: ['T1', 'T2'], instance: 'I1' },
    ],
    expected: { M3: 'T1-0, T1-1, T2-0, T2-1', M2: 'T1-2, T2-2' },
  },
];

describe('server-range (KIP-848 RangeAssignor)', () => {
  it.each(serverCases.map((c) => [c.source, c] as const))('%s', (_, c) => runCase('server-range', c));

  it('RangeAssignorTest (group-coordinator).testReassignmentWhenOneConsumerAddedAfterInitialAssignmentWithTwoConsumersTwoTopics: 4.0 ignores the previous assignment', () => {
    // Kafka 3.5-3.8's server range assignor was sticky and expected A: 0, B: 2, C: 1 here. The
    // 4.0 RangeAssignor recomputes plain ranges from the sorted members (sortMemberIds,
    // addPartitionsToAssignment) and never reads the current assignment.
    runCase('server-range', {
      source: '',
      topics: { topic1: 3, topic2: 3 },
      members: [
        { id: 'A', topics: ['topic1', 'topic2'], owned: 'topic1-0, topic1-1, topic2-0, topic2-1' },
        { id: 'B', topics: ['topic1', 'topic2'], owned: 'topic1-2, topic2-2' },
        { id: 'C', topics: ['topic1', 'topic2'] },
      ],
      expected: { A: 'topic1-0, topic2-0', B: 'topic1-1, topic2-1', C: 'topic1-2, topic2-2' },
    });
  });

  it('RangeAssignorTest (group-coordinator).testOneConsumerSubscribedToNonExistentTopic: skipped instead of thrown', () => {
    // Kafka throws PartitionAssignorException; its coordinator never subscribes a member to a
    // topic id that does not exist, so the simulator skips such topics instead.
    runCase('server-range', {
      source: '',
      topics: { topic1: 3 },
      members: [{ id: 'A', topics: ['topic2'] }],
      expected: { A: '' },
    });
  });

  it('computes the same assignment as the client range assignor', () => {
    for (const c of [...clientCases, ...serverCases]) {
      const input = toInput(c.topics, c.members);
      expect(assign('server-range', input), c.source).toEqual(assign('range', input));
    }
  });
});

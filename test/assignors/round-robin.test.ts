/**
 * Ports of Kafka's RoundRobinAssignorTest (clients/src/test/.../consumer/RoundRobinAssignorTest.java)
 * and the examples in RoundRobinAssignor's class documentation.
 */

import { describe, expect, it } from 'vitest';
import { assign } from '../../src/model/assignors/index.js';
import { expectAssignment, isFullyBalanced, runCase, toInput, type AssignorCase } from './helpers.js';

const both = ['topic1', 'topic2'];

const cases: AssignorCase[] = [
  {
    source: 'RoundRobinAssignorTest.testOneConsumerNoTopic',
    topics: {},
    members: [{ id: 'consumer', topics: [] }],
    expected: { consumer: '' },
  },
  {
    source: 'RoundRobinAssignorTest.testOneConsumerNonexistentTopic',
    topics: {},
    members: [{ id: 'consumer', topics: ['topic'] }],
    expected: { consumer: '' },
  },
  {
    source: 'RoundRobinAssignorTest.testOneConsumerOneTopic',
    topics: { topic: 3 },
    members: [{ id: 'consumer', topics: ['topic'] }],
    expected: { consumer: 'topic-0, topic-1, topic-2' },
  },
  {
    source: 'RoundRobinAssignorTest.testOnlyAssignsPartitionsFromSubscribedTopics',
    topics: { topic: 3, other: 3 },
    members: [{ id: 'consumer', topics: ['topic'] }],
    expected: { consumer: 'topic-0, topic-1, topic-2' },
  },
  {
    source: 'RoundRobinAssignorTest.testOneConsumerMultipleTopics',
    topics: { topic1: 1, topic2: 2 },
    members: [{ id: 'consumer', topics: both }],
    expected: { consumer: 'topic1-0, topic2-0, topic2-1' },
  },
  {
    source: 'RoundRobinAssignorTest.testTwoConsumersOneTopicOnePartition',
    topics: { topic: 1 },
    members: [
      { id: 'consumer1', topics: ['topic'] },
      { id: 'consumer2', topics: ['topic'] },
    ],
    expected: { consumer1: 'topic-0', consumer2: '' },
  },
  {
    source: 'RoundRobinAssignorTest.testTwoConsumersOneTopicTwoPartitions',
    topics: { topic: 2 },
    members: [
      { id: 'consumer1', topics: ['topic'] },
      { id: 'consumer2', topics: ['topic'] },
    ],
    expected: { consumer1: 'topic-0', consumer2: 'topic-1' },
  },
  {
    source: 'RoundRobinAssignorTest.testMultipleConsumersMixedTopics',
    topics: { topic1: 3, topic2: 2 },
    members: [
      { id: 'consumer1', topics: ['topic1'] },
      { id: 'consumer2', topics: both },
      { id: 'consumer3', topics: ['topic1'] },
    ],
    expected: { consumer1: 'topic1-0', consumer2: 'topic1-1, topic2-0, topic2-1', consumer3: 'topic1-2' },
  },
  {
    source: 'RoundRobinAssignorTest.testTwoDynamicConsumersTwoTopicsSixPartitions',
    topics: { topic1: 3, topic2: 3 },
    members: [
      { id: 'consumer1', topics: both },
      { id: 'consumer2', topics: both },
    ],
    expected: { consumer1: 'topic1-0, topic1-2, topic2-1', consumer2: 'topic1-1, topic2-0, topic2-2' },
  },
  {
    source: 'RoundRobinAssignorTest.testTwoStaticConsumersTwoTopicsSixPartitions',
    topics: { topic1: 3, topic2: 3 },
    members: [
      { id: 'consumer-b', topics: both, instance: 'instance1' },
      { id: 'consumer-a', topics: both, instance: 'instance2' },
    ],
    expected: { 'consumer-b': 'topic1-0, topic1-2, topic2-1', 'consumer-a': 'topic1-1, topic2-0, topic2-2' },
  },
  {
    source: 'RoundRobinAssignorTest.testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions',
    topics: { topic1: 3, topic2: 3 },
    members: [
      { id: 'consumer-b', topics: both, instance: 'instance1' },
      { id: 'consumer-a', topics: both },
    ],
    expected: { 'consumer-b': 'topic1-0, topic1-2, topic2-1', 'consumer-a': 'topic1-1, topic2-0, topic2-2' },
  },
  {
    source: 'RoundRobinAssignorTest.testStaticMemberAssignmentPersistent (step 1)',
    topics: { topic1: 3, topic2: 3 },
    members: [
      { id: 'consumer1', topics: both, instance: 'instance1' },
      { id: 'consumer2', topics: both, instance: 'instance2' },
      { id: 'consumer3', topics: both, instance: 'instance3' },
      { id: 'consumer4', topics: both },
    ],
    expected: {
      consumer1: 'topic1-0, topic2-1',
      consumer2: 'topic1-1, topic2-2',
      consumer3: 'topic1-2',
      consumer4: 'topic2-0',
    },
  },
  {
    source: 'RoundRobinAssignorTest.testStaticMemberAssignmentPersistent (step 2: consumer4 replaced by consumer5)',
    topics: { topic1: 3, topic2: 3 },
    members: [
      { id: 'consumer1', topics: both, instance: 'instance1' },
      { id: 'consumer2', topics: both, instance: 'instance2' },
      { id: 'consumer3', topics: both, instance: 'instance3' },
      { id: 'consumer5', topics: both },
    ],
    expected: {
      consumer1: 'topic1-0, topic2-1',
      consumer2: 'topic1-1, topic2-2',
      consumer3: 'topic1-2',
      consumer5: 'topic2-0',
    },
  },
  {
    source: 'RoundRobinAssignor class documentation, differing subscriptions (C0: t0; C1: t0, t1; C2: t0, t1, t2)',
    topics: { t0: 1, t1: 2, t2: 3 },
    members: [
      { id: 'C0', topics: ['t0'] },
      { id: 'C1', topics: ['t0', 't1'] },
      { id: 'C2', topics: ['t0', 't1', 't2'] },
    ],
    expected: { C0: 't0-0', C1: 't1-0', C2: 't1-1, t2-0, t2-1, t2-2' },
  },
];

describe('roundrobin (RoundRobinAssignor)', () => {
  it.each(cases.map((c) => [c.source, c] as const))('%s', (_, c) => runCase('roundrobin', c));

  it('RoundRobinAssignorTest.testStaticMemberAssignmentPersistentAfterMemberIdChanges', () => {
    const topics = { topic1: 3, topic2: 3 };
    const byInstance = (members: { id: string; instance: string }[]): Record<string, string> => {
      const result = assign('roundrobin', toInput(topics, members.map((m) => ({ ...m, topics: both }))));
      return Object.fromEntries(
        members.map((m) => [m.instance, (result.get(m.id) ?? []).map((tp) => `${tp.topic}-${tp.partition}`).join(', ')]),
      );
    };
    const expected = {
      instance1: 'topic1-0, topic2-0',
      instance2: 'topic1-1, topic2-1',
      instance3: 'topic1-2, topic2-2',
    };
    expect(
      byInstance([
        { id: 'consumer1', instance: 'instance1' },
        { id: 'consumer2', instance: 'instance2' },
        { id: 'consumer3', instance: 'instance3' },
      ]),
    ).toEqual(expected);
    // Member ids change (and now sort in another order); the instance ids keep the assignment.
    expect(
      byInstance([
        { id: 'consumer4', instance: 'instance1' },
        { id: 'consumer5', instance: 'instance2' },
        { id: 'consumer1', instance: 'instance3' },
      ]),
    ).toEqual(expected);
  });

  it('RoundRobinAssignor class documentation: without static membership a rolling bounce reshuffles', () => {
    const topics = { t0: 3, t1: 3 };
    const before = assign('roundrobin', toInput(topics, ['C0', 'C1', 'C2'].map((id) => ({ id, topics: ['t0', 't1'] }))));
    expect(before.get('C0')).toEqual([{ topic: 't0', partition: 0 }, { topic: 't1', partition: 0 }]);
    // C0 -> C5, C1 -> C3, C2 -> C4: C3 (was C1) now gets what C0 had.
    const after = assign('roundrobin', toInput(topics, ['C5', 'C3', 'C4'].map((id) => ({ id, topics: ['t0', 't1'] }))));
    expect(after.get('C3')).toEqual(before.get('C0'));
    expect(after.get('C5')).toEqual(before.get('C2'));
  });

  it('walks the circle across topics, so identical subscriptions stay within one partition', () => {
    const result = assign('roundrobin', toInput({ a: 2, b: 2, c: 1 }, ['m1', 'm2', 'm3'].map((id) => ({ id, topics: ['a', 'b', 'c'] }))));
    expect(isFullyBalanced(result)).toBe(true);
    expectAssignment(result, { m1: 'a-0, b-1', m2: 'a-1, c-0', m3: 'b-0' });
  });
});

/**
 * The assignors as the library exports them (src/index.ts, the package's "exports" entry),
 * on cases from Kafka's own tests.
 */
import { describe, expect, it } from 'vitest';
import { assign, assignCooperativeSticky, ASSIGNOR_NAMES } from '../../src/index.js';

const tp = (topic: string, partition: number) => ({ topic, partition });

describe('public assignor API', () => {
  it('lists every assignor by its Kafka name', () => {
    expect([...ASSIGNOR_NAMES]).toEqual(['range', 'roundrobin', 'sticky', 'cooperative-sticky', 'uniform', 'server-range']);
  });

  it('range: RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions', () => {
    const out = assign('range', {
      topics: [{ topic: 'topic1', numPartitions: 3 }, { topic: 'topic2', numPartitions: 3 }],
      members: [
        { memberId: 'consumer1', subscribedTopics: ['topic1', 'topic2'] },
        { memberId: 'consumer2', subscribedTopics: ['topic1', 'topic2'] },
      ],
    });
    expect(out.get('consumer1')).toEqual([tp('topic1', 0), tp('topic1', 1), tp('topic2', 0), tp('topic2', 1)]);
    expect(out.get('consumer2')).toEqual([tp('topic1', 2), tp('topic2', 2)]);
  });

  it('range: RangeAssignorTest.testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions (static members first)', () => {
    const out = assign('range', {
      topics: [{ topic: 'topic1', numPartitions: 3 }, { topic: 'topic2', numPartitions: 3 }],
      members: [
        { memberId: 'consumer-b', groupInstanceId: 'instance1', subscribedTopics: ['topic1', 'topic2'] },
        { memberId: 'consumer-a', subscribedTopics: ['topic1', 'topic2'] },
      ],
    });
    expect(out.get('consumer-b')).toEqual([tp('topic1', 0), tp('topic1', 1), tp('topic2', 0), tp('topic2', 1)]);
    expect(out.get('consumer-a')).toEqual([tp('topic1', 2), tp('topic2', 2)]);
  });

  it('cooperative-sticky holds back the partitions that move to a new member until the second rebalance', () => {
    const result = assignCooperativeSticky({
      topics: [{ topic: 't', numPartitions: 4 }],
      members: [
        { memberId: 'c1', subscribedTopics: ['t'], ownedPartitions: [tp('t', 0), tp('t', 1), tp('t', 2), tp('t', 3)], generation: 1 },
        { memberId: 'c2', subscribedTopics: ['t'] },
      ],
    });
    expect(result.pendingHandovers.map((h) => h.assignTo)).toEqual(['c2', 'c2']);
    expect(result.assignment.get('c1')!.length).toBe(2);
    expect(result.assignment.get('c2')).toEqual([]);
  });
});

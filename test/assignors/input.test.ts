/**
 * The boundary and the tie-break rules of src/model/assignors/index.ts: input errors are
 * reported all at once with their paths, and each rule chosen where Kafka leaves the result to
 * hash iteration order is pinned by a test.
 */

import { describe, expect, it } from 'vitest';
import {
  AssignmentInputError,
  assign,
  assignCooperativeSticky,
  type AssignmentInput,
  type AssignorName,
} from '../../src/model/assignors/index.js';
import { PartitionMovements } from '../../src/model/assignors/sticky.js';
import { expectAssignment, toInput } from './helpers.js';

function issuesOf(run: () => unknown): { path: string; expected: string; received: string }[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AssignmentInputError);
    return (error as AssignmentInputError).issues.map(({ path, expected, received }) => ({ path, expected, received }));
  }
  throw new Error('expected an AssignmentInputError');
}

describe('input checks', () => {
  it('reports every problem with its path, expected and received', () => {
    const input = {
      topics: [
        { topic: 't', numPartitions: 3 },
        { topic: 't', numPartitions: 1 },
        { topic: 'u', numPartitions: -1 },
      ],
      members: [
        { memberId: 'a', subscribedTopics: ['t'], groupInstanceId: 'i' },
        { memberId: 'a', subscribedTopics: ['t'] },
        { memberId: 'b', subscribedTopics: 't', groupInstanceId: 'i' },
        { memberId: 'c', subscribedTopics: ['t'], ownedPartitions: [{ topic: 't', partition: 1.5 }], generation: 'x' },
      ],
    } as unknown as AssignmentInput;
    expect(issuesOf(() => assign('range', input))).toEqual([
      { path: 'input.topics[1].topic', expected: 'unique topic name', received: '"t"' },
      { path: 'input.topics[2].numPartitions', expected: 'non-negative integer', received: '-1' },
      { path: 'input.members[1].memberId', expected: 'unique member id', received: '"a"' },
      { path: 'input.members[2].groupInstanceId', expected: 'unique group.instance.id', received: '"i"' },
      { path: 'input.members[2].subscribedTopics', expected: 'array of topic names', received: '"t"' },
      { path: 'input.members[3].ownedPartitions[0].partition', expected: 'non-negative integer', received: '1.5' },
      { path: 'input.members[3].generation', expected: 'integer or absent', received: '"x"' },
    ]);
  });

  it('rejects an unknown assignor name', () => {
    const issues = issuesOf(() => assign('sticky-ish' as AssignorName, { members: [], topics: [] }));
    expect(issues).toEqual([{ path: 'strategy', expected: expect.stringContaining('cooperative-sticky'), received: '"sticky-ish"' }]);
  });

  it('names the problem in the message', () => {
    expect(() => assign('range', { members: [{ memberId: '', subscribedTopics: [] }], topics: [] })).toThrow(
      /input\.members\[0\]\.memberId: expected non-empty string, got ""/,
    );
  });

  it('an empty group gets an empty assignment from every assignor', () => {
    for (const strategy of ['range', 'roundrobin', 'sticky', 'cooperative-sticky', 'uniform', 'server-range'] as const) {
      expect(assign(strategy, { members: [], topics: [{ topic: 't', numPartitions: 3 }] }).size).toBe(0);
    }
    expect(assignCooperativeSticky({ members: [], topics: [] })).toEqual({ assignment: new Map(), pendingHandovers: [] });
  });

  it('drops owned partitions of deleted topics and beyond the partition count', () => {
    const input = toInput({ t: 2 }, [{ id: 'a', topics: ['t'], owned: 't-0, t-5, gone-0', generation: 1 }]);
    for (const strategy of ['sticky', 'uniform'] as const) expectAssignment(assign(strategy, input), { a: 't-0, t-1' });
    expect(assignCooperativeSticky(input).pendingHandovers).toEqual([]);
  });

  it('lists members in member-id order and partitions in (topic, partition) order', () => {
    const result = assign('roundrobin', toInput({ b: 2, a: 11 }, [
      { id: 'm2', topics: ['b', 'a'] },
      { id: 'm1', topics: ['a', 'b'] },
    ]));
    expect([...result.keys()]).toEqual(['m1', 'm2']);
    const m1 = (result.get('m1') ?? []).map((tp) => `${tp.topic}-${tp.partition}`);
    expect(m1).toEqual(['a-0', 'a-2', 'a-4', 'a-6', 'a-8', 'a-10', 'b-1']);
  });
});

describe('tie-break rules', () => {
  it('1. names compare by UTF-16 code unit, like Java, not by locale', () => {
    // 'B' (0x42) sorts before 'a' (0x61); localeCompare would put 'a' first.
    const result = assign('range', toInput({ t: 3 }, [
      { id: 'a', topics: ['t'] },
      { id: 'B', topics: ['t'] },
    ]));
    expectAssignment(result, { B: 't-0, t-1', a: 't-2' });
  });

  it('2. sticky: of members owning maxQuota, the first by member id keeps it', () => {
    const input = toInput({ t: 5 }, [
      { id: 'm2', topics: ['t'], owned: 't-0, t-1', generation: 1 },
      { id: 'm1', topics: ['t'], owned: 't-2, t-3', generation: 1 },
      { id: 'm3', topics: ['t'], owned: 't-4', generation: 1 },
      { id: 'm4', topics: ['t'], generation: 1 },
    ]);
    // 5 over 4: one member may hold 2. m1 is visited first and keeps both; m2 gives up t-1.
    expectAssignment(assign('sticky', input), { m1: 't-2, t-3', m2: 't-0', m3: 't-4', m4: 't-1' });
  });

  it('3. ownership: the highest generation wins; a tie at the highest generation leaves it unowned', () => {
    const input = toInput({ t: 2 }, [
      { id: 'a', topics: ['t'], owned: 't-0', generation: 2 },
      { id: 'b', topics: ['t'], owned: 't-0', generation: 2 },
      { id: 'c', topics: ['t'], owned: 't-0, t-1', generation: 1 },
    ]);
    const { pendingHandovers } = assignCooperativeSticky(input);
    expect(pendingHandovers.map((h) => [h.partition, h.revokedBy])).toEqual([[0, ['a', 'b', 'c']]]);
  });

  it('4a. sticky: moving back along an earlier move takes the lowest partition', () => {
    const movements = new PartitionMovements(() => 't');
    movements.move(5, 0, 1);
    movements.move(3, 0, 1);
    // Moving anything of topic t from 1 to 0 undoes one of the 0 -> 1 moves: partition 3.
    expect(movements.actualPartitionToMove(9, 1, 0)).toBe(3);
    expect(movements.actualPartitionToMove(9, 1, 2)).toBe(9);
  });

  it('4b. sticky: of previous owners in the same older generation, the first by member id', () => {
    // x (generation 2) owns all of t; b and c both owned t-0 in generation 1. b already has a
    // partition of its own, so c is the least loaded, yet t-0 goes back to b.
    const input = toInput({ t: 4, u: 1, v: 1 }, [
      { id: 'x', topics: ['t', 'u'], owned: 't-0, t-1, t-2, t-3, u-0', generation: 2 },
      { id: 'b', topics: ['t', 'v'], owned: 't-0, v-0', generation: 1 },
      { id: 'c', topics: ['t'], owned: 't-0', generation: 1 },
    ]);
    const result = assign('sticky', input);
    expect((result.get('b') ?? []).map((tp) => `${tp.topic}-${tp.partition}`)).toContain('t-0');
  });

  it('5a. uniform (homogeneous): unassigned partitions are dealt by topic name', () => {
    const input = toInput({ b: 2, a: 3 }, [
      { id: 'A', topics: ['a', 'b'] },
      { id: 'B', topics: ['a', 'b'] },
    ]);
    expectAssignment(assign('uniform', input), { A: 'a-0, a-1', B: 'a-2, b-0, b-1' });
  });

  it('5b. uniform (homogeneous): a member over quota keeps its lowest (topic, partition)', () => {
    const input = toInput({ a: 2, b: 2 }, [
      { id: 'A', topics: ['a', 'b'], owned: 'b-1, a-1, b-0, a-0' },
      { id: 'B', topics: ['a', 'b'] },
    ]);
    expectAssignment(assign('uniform', input), { A: 'a-0, a-1', B: 'b-0, b-1' });
  });

  it('6. uniform (heterogeneous): topics tied on partitions per subscriber go by name', () => {
    const input = toInput({ y: 2, x: 2 }, [
      { id: 'A', topics: ['x', 'y'] },
      { id: 'B', topics: ['x'] },
      { id: 'C', topics: ['y'] },
    ]);
    expectAssignment(assign('uniform', input), { A: 'x-0', B: 'x-1', C: 'y-0, y-1' });
  });
});

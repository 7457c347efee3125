/** The fetcher's heap of partitions by time: set, remove, top and collect agree with a plain map. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PartitionHeap } from '../../../src/model/consumer/partition-heap.js';

const P = 40;
const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), p: fc.integer({ min: 0, max: P - 1 }), k: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('remove' as const), p: fc.integer({ min: 0, max: P - 1 }) }),
);

describe('PartitionHeap', () => {
  it('holds each partition once, its top is a smallest key, and collect(t) is every partition at or below t', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.integer({ min: -1, max: 21 }), (ops, t) => {
        const heap = new PartitionHeap(P);
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            heap.set(o.p, o.k);
            model.set(o.p, o.k);
          } else {
            heap.remove(o.p);
            model.delete(o.p);
          }
          expect(heap.size).toBe(model.size);
          if (model.size > 0) expect(heap.key[heap.top()]).toBe(Math.min(...model.values()));
        }
        for (let p = 0; p < P; p++) expect(heap.has(p)).toBe(model.has(p));
        const all = Array.from({ length: heap.size }, (_, i) => heap.at(i)).sort((a, b) => a - b);
        expect(all).toEqual([...model.keys()].sort((a, b) => a - b));
        const out = new Int32Array(P);
        const n = heap.collect(t, out);
        const got = Array.from(out.subarray(0, n)).sort((a, b) => a - b);
        const want = [...model].filter(([, k]) => k <= t).map(([p]) => p).sort((a, b) => a - b);
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });
});

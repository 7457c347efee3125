/**
 * A partition log's create times in the batched fidelity (each batch's records spread evenly
 * from its first to its last create time), checked against the same arithmetic done
 * independently, record by record, as batches are appended, released from the front and the
 * rings compacted and grown.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { PartitionLog } from '../../src/model/log.js';

it('createTime and copyCreateTimes match the spread of every retained batch, through releases and growth', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ n: fc.integer({ min: 1, max: 9 }), gap: fc.integer({ min: 0, max: 5000 }), span: fc.integer({ min: 0, max: 3000 }), release: fc.nat(3) }), {
        minLength: 1,
        maxLength: 400,
      }),
      (steps) => {
        const log = new PartitionLog(0, false);
        const expected: number[] = []; // create time by offset
        const starts: number[] = []; // first offset of each batch
        let t = 0;
        let released = 0; // batches released
        for (const s of steps) {
          const first = (t += s.gap);
          const last = first + s.span;
          starts.push(expected.length);
          for (let j = 0; j < s.n; j++) expected.push(s.n > 1 ? first + ((last - first) * j) / (s.n - 1) : first);
          log.appendSpread(s.n, 100 * s.n, last, first, last);
          // Release whole batches from the front now and then (what a consumer has finished with).
          if (s.release > 0 && released + s.release < starts.length) {
            released += s.release;
            log.release(starts[released]);
          }
          const from = starts[released];
          expect(log.batches).toBe(starts.length - released);
          for (let o = from; o < expected.length; o++) expect(log.createTime(o)).toBeCloseTo(expected[o], 6);
          const dst = new Float64Array(expected.length - from);
          log.copyCreateTimes(from, dst.length, dst, 0);
          dst.forEach((x, i) => expect(x).toBeCloseTo(expected[from + i], 6));
        }
      },
    ),
    { numRuns: 60 },
  );
});

it('originTime is the create time less the batch origin age, interpolated, through releases and growth; a log with no ages keeps none', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ n: fc.integer({ min: 1, max: 9 }), a0: fc.integer({ min: 0, max: 900 }), a1: fc.integer({ min: 0, max: 900 }), aged: fc.boolean(), release: fc.nat(3) }), {
        minLength: 1,
        maxLength: 300,
      }),
      fc.boolean(),
      (steps, perRecord) => {
        const log = new PartitionLog(0, perRecord);
        const origin: number[] = [];
        const starts: number[] = [];
        let t = 1000;
        let released = 0;
        for (const s of steps) {
          const times = Float64Array.from({ length: s.n }, (_, j) => t + 10 * j);
          const [a0, a1] = s.aged ? [s.a0, s.a1] : [0, 0];
          starts.push(origin.length);
          for (let j = 0; j < s.n; j++) origin.push(times[j] - (s.n > 1 ? a0 + ((a1 - a0) * j) / (s.n - 1) : a0));
          if (perRecord) log.append(times, 0, s.n, 10 * s.n, t, a0, a1);
          else log.appendSpread(s.n, 10 * s.n, t, times[0], times[s.n - 1], a0, a1);
          t += 10 * s.n;
          if (s.release > 0 && released + s.release < starts.length) {
            released += s.release;
            log.release(starts[released]);
          }
        }
        for (let o = starts[released] ?? 0; o < origin.length; o++) expect(log.originTime(o)).toBeCloseTo(origin[o], 9);
      },
    ),
    { numRuns: 150 },
  );
  const plain = new PartitionLog(0, true);
  plain.append(Float64Array.of(5, 7), 0, 2, 20, 9);
  expect(plain.originTime(1)).toBe(7);
});

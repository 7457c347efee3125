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

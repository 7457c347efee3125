/**
 * The group's books on their own (consumer/offsets.ts): distinct and duplicate completions,
 * losses as gaps above the done frontier that processing jumps over, and what was still in
 * processing at the end.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../src/kernel/simulation.js';
import { SampleWindows, WindowedCounter } from '../../../src/metrics/windows.js';
import type { PartitionLog } from '../../../src/model/log.js';
import { Offsets } from '../../../src/model/consumer/offsets.js';

/** Books for two partitions whose logs are never touched by the calls under test. */
function books(consumed: (object | null)[] = [null, null]) {
  const lost = new WindowedCounter(new SampleWindows(10_000_000, 1_000_000));
  const offsets = new Offsets(new Simulation(), [{}, {}] as unknown as PartitionLog[], lost, 'earliest', consumed);
  return { offsets, lost };
}

describe('Offsets', () => {
  it('counts a completion below the done frontier as a duplicate, above it as distinct', () => {
    const { offsets } = books();
    offsets.recordsEnded(0, 0, 10, 'done');
    offsets.recordsEnded(0, 5, 15, 'done'); // an overlap: 5..9 again
    offsets.recordsEnded(0, 0, 3, 'done');
    expect(offsets.unique).toBe(15);
    expect(offsets.duplicates).toBe(8);
    expect(offsets.doneHigh[0]).toBe(15);
    expect(offsets.accountedOffsets(0)).toBe(15);
    expect(offsets.accountedOffsets(1)).toBe(0);
  });

  it('loses a deleted record when processing resumes past it after a reset, not when it is deleted', () => {
    const logs = [{ logStartOffset: 20 }, { logStartOffset: 0 }] as unknown as PartitionLog[];
    const lost = new WindowedCounter(new SampleWindows(10_000_000, 1_000_000));
    const offsets = new Offsets(new Simulation(), logs, lost, 'earliest', [{}, null]);
    offsets.recordsEnded(0, 0, 10, 'done');
    // 10..19 were deleted; a member may still hold them, so nothing is lost yet.
    expect(offsets.lost.retention).toBe(0);
    // The next owner reset to the log start (20) and processed from there: 10..19 are lost.
    offsets.recordsEnded(0, 20, 25, 'done');
    expect(offsets.lost).toEqual({ retention: 10, 'offset-reset': 0 });
    expect(lost.values[0]).toBe(10);
    expect(offsets.unique).toBe(15);
    expect(offsets.accountedOffsets(0)).toBe(25);
  });

  it('under earliest, a jump over offsets still in the log is an internal error', () => {
    const logs = [{ logStartOffset: 5 }, { logStartOffset: 0 }] as unknown as PartitionLog[];
    const offsets = new Offsets(new Simulation(), logs, new WindowedCounter(new SampleWindows(10_000_000, 1_000_000)), 'earliest', [null, null]);
    expect(() => offsets.recordsEnded(0, 10, 12, 'done')).toThrow(/internal: partition 0's processing jumped over 5 offsets in 5\.\.9 still in the log/);
  });

  it('at the end, loses what lies below the log start that nobody processed or holds', () => {
    const logs = [{ logStartOffset: 40 }, { logStartOffset: 0 }] as unknown as PartitionLog[];
    const lost = new WindowedCounter(new SampleWindows(10_000_000, 1_000_000));
    const offsets = new Offsets(new Simulation(), logs, lost, 'earliest', [null, null]);
    offsets.recordsEnded(0, 0, 10, 'done');
    // A member still holds 10..29 in its batch: only 30..39 are lost.
    offsets.settle(10_000_000, [[0, 10, 30]]);
    expect(offsets.lost.retention).toBe(10);
    expect(lost.values[9]).toBe(10);
    expect(offsets.accountedOffsets(0)).toBe(20);
    expect(offsets.inProcessing([[0, 10, 30]], () => 100)).toBe(20);
  });

  it('counts the union of unfinished runs above the frontier and below the log end once', () => {
    const { offsets } = books();
    offsets.recordsEnded(1, 0, 5, 'done');
    const unfinished = [
      [0, 0, 10, 1, 3, 8],
      [0, 5, 12],
    ];
    // Partition 0: [0, 12) capped at its log end 11; partition 1: [5, 8) above the frontier.
    expect(offsets.inProcessing(unfinished, (p) => (p === 0 ? 11 : 100))).toBe(11 + 3);
  });
});

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

  it('loses to retention only what nobody fetched, and processing jumps the gap once it reaches it', () => {
    const { offsets, lost } = books();
    offsets.recordsEnded(0, 0, 10, 'done');
    offsets.deleted(0, 0, 20); // 10..19 were never processed: lost
    expect(offsets.lost).toEqual({ retention: 10, 'offset-reset': 0 });
    expect(lost.values[0]).toBe(10);
    expect(offsets.doneHigh[0]).toBe(20);
    expect(offsets.accountedOffsets(0)).toBe(20);
  });

  it('keeps a gap above the frontier until processing closes up to it', () => {
    const consumer: (object | null)[] = [{}, null];
    const { offsets } = books(consumer);
    offsets.fetchOffset[0] = 30; // fetched up to 30, processed up to 10
    offsets.recordsEnded(0, 0, 10, 'done');
    offsets.deleted(0, 0, 40); // only 30..39 were not fetched
    expect(offsets.lost.retention).toBe(10);
    expect(offsets.doneHigh[0]).toBe(10);
    expect(offsets.accountedOffsets(0)).toBe(20);
    offsets.recordsEnded(0, 10, 30, 'done');
    expect(offsets.doneHigh[0]).toBe(40);
    expect(offsets.accountedOffsets(0)).toBe(40);
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

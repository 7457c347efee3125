/**
 * The run's sample windows (metrics/windows.ts): one rule sizes, fills and closes them, so a
 * duration that is not a multiple of the interval ends in a shorter last window that is filled
 * and closed like the others, and nothing at or after the run's end is counted.
 */
import { describe, expect, it } from 'vitest';
import { SampleWindows, WindowedCounter, WindowedHistogram } from '../../src/metrics/windows.js';

describe('SampleWindows', () => {
  it('cuts 105 s into ten windows of 10 s and a last one of 5 s that ends with the run', () => {
    const w = new SampleWindows(105, 10);
    expect(w.count).toBe(11);
    expect([w.startOf(10), w.endOf(10), w.endOf(9), w.endOf(0)]).toEqual([100, 105, 100, 10]);
    expect([w.of(0), w.of(99.9), w.of(100), w.of(104.9), w.of(105), w.of(109)]).toEqual([0, 9, 10, 10, -1, -1]);
    expect([w.endedBy(99), w.endedBy(100), w.endedBy(104), w.endedBy(105)]).toEqual([9, 10, 10, 11]);
  });

  it('a run shorter than one interval is one window, ended only at the run end', () => {
    const w = new SampleWindows(7, 10);
    expect([w.count, w.endOf(0), w.endedBy(6), w.endedBy(7)]).toEqual([1, 7, 0, 1]);
  });

  it('a multiple of the interval has no short window', () => {
    const w = new SampleWindows(100, 10);
    expect([w.count, w.endOf(9), w.endedBy(100)]).toEqual([10, 100, 10]);
  });
});

describe('WindowedCounter', () => {
  it('counts into the short last window and ignores what happens at or after the run end', () => {
    const c = new WindowedCounter(new SampleWindows(105, 10));
    c.add(104, 1);
    c.add(105, 1);
    c.add(109, 1);
    c.addInterval(98, 120, 2); // 2 x 2 in window 9, 2 x 5 in window 10, nothing after 105
    expect(Array.from(c.values.slice(9))).toEqual([4, 11]);
    expect(c.windowOf(107)).toBe(-1);
  });
});

describe('WindowedHistogram', () => {
  it('closes the short last window at the run end, and the overall histogram has every value', () => {
    const h = new WindowedHistogram(new SampleWindows(105, 10));
    for (let t = 0; t < 105; t++) h.at(t)!.record(t + 1);
    expect(h.at(105)).toBeUndefined();
    h.closeUntil(104);
    expect(h.summary(10)).toBeUndefined();
    expect(h.overall.count).toBe(100);
    h.closeUntil(105);
    expect(h.summary(10)).toMatchObject({ max: 105 });
    expect(h.overall.count).toBe(105);
    expect(() => h.at(104)).toThrow(/already closed/);
  });
});

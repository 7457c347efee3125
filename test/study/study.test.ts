/**
 * When a configuration meets its objectives, and what identifies a study.
 */
import { describe, expect, it } from 'vitest';
import type { ObjectiveVerdict } from '../../src/metrics/study.js';
import { meetsObjectives, studyId } from '../../src/study/study.js';

const verdict = (pass: boolean, confidence: ObjectiveVerdict['confidence']): ObjectiveVerdict => ({
  objective: 'latency p99 <= 5s',
  figure: 'latency.p99Ms',
  comparison: 'at-most',
  bound: 5000,
  measured: 4000,
  unit: 'ms',
  margin: 1000,
  pass,
  confidence,
});

describe('meetsObjectives', () => {
  it("needs the whole interval by default; 'on-average' accepts a passing mean; a single run's pass decides", () => {
    expect(meetsObjectives([verdict(true, 'holds'), verdict(true, 'single-run')])).toBe(true);
    expect(meetsObjectives([verdict(true, 'holds'), verdict(true, 'on-average')])).toBe(false);
    expect(meetsObjectives([verdict(true, 'holds'), verdict(true, 'on-average')], 'on-average')).toBe(true);
    expect(meetsObjectives([verdict(false, 'fails')], 'on-average')).toBe(false);
    expect(meetsObjectives([verdict(false, 'single-run')])).toBe(false);
    expect(meetsObjectives([])).toBe(true);
  });
});

describe('studyId', () => {
  const grid = [{ path: 'a', values: ['1', '2'] }];
  it('does not depend on key order, and changes with anything that changes results', () => {
    const id = studyId({ base: { x: 1, y: { p: 2, q: 3 } }, grid, replications: 2, seeds: [1, 2], passRule: 'holds' });
    expect(studyId({ passRule: 'holds', seeds: [1, 2], replications: 2, grid, base: { y: { q: 3, p: 2 }, x: 1 } })).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    for (const other of [
      { base: { x: 2, y: { p: 2, q: 3 } }, grid, replications: 2, seeds: [1, 2], passRule: 'holds' as const },
      { base: { x: 1, y: { p: 2, q: 3 } }, grid: [{ path: 'a', values: ['1', '3'] }], replications: 2, seeds: [1, 2], passRule: 'holds' as const },
      { base: { x: 1, y: { p: 2, q: 3 } }, grid, replications: 2, seeds: [1, 3], passRule: 'holds' as const },
      { base: { x: 1, y: { p: 2, q: 3 } }, grid, replications: 2, seeds: [1, 2], passRule: 'on-average' as const },
      { base: { x: 1, y: { p: 2, q: 3 } }, grid, replications: 2, seeds: [1, 2], passRule: 'holds' as const, extra: { objectives: ['x<=1'] } },
    ]) {
      expect(studyId(other)).not.toBe(id);
    }
  });
});

describe('figureAt', () => {
  it('reads a figure whose keys hold dots (a loss reason, a group name), and nothing for a path that is not there', async () => {
    const { figureAt } = await import('../../src/study/study.js');
    const { makeRunResult } = await import('../report/fixture.js');
    const { summary } = makeRunResult({ durationSeconds: 60 });
    expect(figureAt(summary, 'accounting.rejected.buffer full (max.block.ms)')).toBe(512);
    expect(figureAt(summary, 'groups.order-processor.lag.timeToDrainSeconds')).toBeDefined();
    expect(figureAt(summary, 'groups.order-processor.lag')).toBeUndefined();
    expect(figureAt(summary, 'groups.nobody.lag.peakRecords')).toBeUndefined();
  });
});

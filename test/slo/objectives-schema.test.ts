/**
 * `objectives:` in a scenario: what it reads as, and each mistake at file:line:col.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { eitherOf, expectedGot, expectedType, missingKey, unknownKey } from '../../src/scenario/messages.js';
import { COUNT_EXAMPLE, DURATION_EXAMPLE } from '../../src/scenario/units.js';
import { issuesOf, MINIMAL } from '../scenario/helpers.js';

const withObjectives = (text: string) => `${MINIMAL}objectives:\n${text}`;
// MINIMAL has 13 lines; objectives: is line 14, its first entry line 15.
const issue = (line: number, col: number, path: string, message: string) => ({ file: 'test.yaml', line, col, path, message });

describe('objectives', () => {
  it('read as a list of bounds in the units of the RunResult figures, in a fixed order', () => {
    const s = parseScenario(
      withObjectives(`  latency: { p99: 5s, p50: 200ms }
  latency-per-window: { p99: 10s }
  lag: { max-records: 1.5M, max-seconds: 30s, max-partition-records: 100k }
  drain: { within: 10m }
  lost: 0
  duplicates: 1k
  rebalances: { at-most: 3 }
`),
      'test.yaml',
    );
    expect(s.objectives).toEqual([
      { objective: 'latency p50 <= 200ms', figure: 'latency.p50Ms', window: false, comparison: 'at-most', bound: 200, unit: 'ms' },
      { objective: 'latency p99 <= 5s', figure: 'latency.p99Ms', window: false, comparison: 'at-most', bound: 5000, unit: 'ms' },
      { objective: 'latency p99 <= 10s in every window', figure: 'latencyP99', window: true, comparison: 'at-most', bound: 10_000, unit: 'ms' },
      { objective: 'peak lag <= 1.5M records', figure: 'lag.peakRecords', window: false, comparison: 'at-most', bound: 1_500_000, unit: 'records' },
      { objective: 'peak lag (time) <= 30s', figure: 'lag.peakSeconds', window: false, comparison: 'at-most', bound: 30, unit: 's' },
      { objective: 'peak partition lag <= 100k records', figure: 'lag.maxPartitionLagRecords', window: false, comparison: 'at-most', bound: 100_000, unit: 'records' },
      { objective: 'time to drain <= 10m', figure: 'lag.timeToDrainSeconds', window: false, comparison: 'at-most', bound: 600, unit: 's' },
      { objective: 'records lost or rejected <= 0', figure: 'accounting.lostOrRejected', window: false, comparison: 'at-most', bound: 0, unit: 'records' },
      { objective: 'duplicates <= 1k', figure: 'group.duplicates', window: false, comparison: 'at-most', bound: 1000, unit: 'records' },
      { objective: 'rebalances <= 3', figure: 'group.rebalances', window: false, comparison: 'at-most', bound: 3, unit: 'rebalances' },
    ]);
  });

  it('are none when the scenario has none', () => {
    expect(parseScenario(MINIMAL, 'test.yaml').objectives).toEqual([]);
  });

  it('take a plain count or at-most for lost, duplicates and rebalances', () => {
    const s = parseScenario(withObjectives('  rebalances: 3\n  lost: { at-most: 10 }\n'), 'test.yaml');
    expect(s.objectives.map((o) => [o.figure, o.bound])).toEqual([
      ['accounting.lostOrRejected', 10],
      ['group.rebalances', 3],
    ]);
  });

  it('report a misspelt kind or figure with a suggestion', () => {
    expect(issuesOf(withObjectives('  latncy: { p99: 5s }\n'))).toEqual([
      issue(15, 3, 'objectives.latncy', unknownKey('latncy', 'latency', [])),
    ]);
    expect(issuesOf(withObjectives('  latency: { p98: 5s }\n'))).toEqual([
      issue(15, 14, 'objectives.latency.p98', unknownKey('p98', 'p95', [])),
    ]);
    expect(issuesOf(withObjectives('  rebalances: { at-mst: 3 }\n'))).toEqual([
      issue(15, 15, 'objectives.rebalances', missingKey('at-most')),
      issue(15, 17, 'objectives.rebalances.at-mst', unknownKey('at-mst', 'at-most', [])),
    ]);
  });

  it('report a bound without its unit, a negative count and a word for a count', () => {
    expect(issuesOf(withObjectives('  latency: { p99: 5 }\n'))).toEqual([issue(15, 19, 'objectives.latency.p99', expectedGot(DURATION_EXAMPLE, 5))]);
    expect(issuesOf(withObjectives('  lost: -1\n'))).toEqual([issue(15, 9, 'objectives.lost', expectedGot('a number >= 0', -1))]);
    expect(issuesOf(withObjectives('  duplicates: none\n'))).toEqual([issue(15, 15, 'objectives.duplicates', expectedGot(COUNT_EXAMPLE, 'none'))]);
    expect(issuesOf(withObjectives('  drain: 10m\n'))).toEqual([issue(15, 10, 'objectives.drain', expectedGot(expectedType('object'), '10m'))]);
    expect(issuesOf(withObjectives('  lost: true\n'))).toEqual([
      issue(15, 9, 'objectives.lost', expectedGot(eitherOf([expectedType('number'), COUNT_EXAMPLE, expectedType('object')]), true)),
    ]);
  });

  it('are a mapping, not a list', () => {
    expect(issuesOf(withObjectives('  - latency: { p99: 5s }\n'))).toEqual([issue(15, 3, 'objectives', expectedGot(expectedType('object'), [1]))]);
  });
});

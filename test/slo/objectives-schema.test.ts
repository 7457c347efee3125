/**
 * `objectives:` in a scenario: what it reads as, and each mistake at file:line:col.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { eitherOf, expectedGot, expectedType, missingKey, unknownKey, unknownObjectiveScope, unscopedObjective } from '../../src/scenario/messages.js';
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

/** Two stages: billing reads orders and produces to payments, which payment reads. */
const PIPELINE = `${MINIMAL.replace('    partitions: 12\n', '    partitions: 12\n  - name: payments\n    partitions: 4\n').replace('    instances: 4\n', '    instances: 4\n    produces: { topic: payments }\n  - name: payment\n    topic: payments\n    instances: 2\n')}objectives:\n`;
// PIPELINE has 19 lines; objectives: is line 20, its first entry line 21.

describe('objectives per stage and per topic', () => {
  it('read as bounds on that group\'s or topic\'s figures, after the unscoped ones', () => {
    const s = parseScenario(
      `${PIPELINE}  latency: { p99: 5s }
  lost: 0
  groups:
    payment:
      lag: { max-records: 10k, max-seconds: 30s, max-partition-records: 4k }
      drain: { within: 5m }
      latency: { p99: 2s }
      latency-per-window: { p50: 500ms }
      lost: 0
      duplicates: 10
      rebalances: { at-most: 2 }
    billing: { lag: { max-records: 1M } }
  topics:
    payments: { rejected: 0 }
`,
      'test.yaml',
    );
    const o = (objective: string, figure: string, bound: number, unit: string, window = false) => ({ objective, figure, window, comparison: 'at-most', bound, unit });
    expect(s.objectives).toEqual([
      o('latency p99 <= 5s', 'latency.p99Ms', 5000, 'ms'),
      o('records lost or rejected <= 0', 'accounting.lostOrRejected', 0, 'records'),
      o('payment: peak lag <= 10k records', 'groups.payment.lag.peakRecords', 10_000, 'records'),
      o('payment: peak lag (time) <= 30s', 'groups.payment.lag.peakSeconds', 30, 's'),
      o('payment: peak partition lag <= 4k records', 'groups.payment.lag.maxPartitionLagRecords', 4000, 'records'),
      o('payment: time to drain <= 5m', 'groups.payment.lag.timeToDrainSeconds', 300, 's'),
      o('payment: stage latency p99 <= 2s', 'groups.payment.latency.p99Ms', 2000, 'ms'),
      o('payment: stage latency p50 <= 500ms in every window', 'groups.payment.latencyP50', 500, 'ms', true),
      o('payment: records lost <= 0', 'groups.payment.books.lost', 0, 'records'),
      o('payment: duplicates <= 10', 'groups.payment.duplicates', 10, 'records'),
      o('payment: rebalances <= 2', 'groups.payment.rebalances', 2, 'rebalances'),
      o('billing: peak lag <= 1M records', 'groups.billing.lag.peakRecords', 1_000_000, 'records'),
      o('payments: records rejected <= 0', 'topics.payments.books.rejected', 0, 'records'),
    ]);
  });

  it('may name the only group of a one-stage scenario, beside the unscoped objectives', () => {
    const s = parseScenario(withObjectives('  lag: { max-records: 1M }\n  groups:\n    billing: { lag: { max-records: 2M } }\n'), 'test.yaml');
    expect(s.objectives.map((o) => o.figure)).toEqual(['lag.peakRecords', 'groups.billing.lag.peakRecords']);
  });

  it('find the group of a name with dots in it', () => {
    const dotted = PIPELINE.replace('  - name: payment\n', '  - name: payment.v2\n');
    const s = parseScenario(`${dotted}  groups:\n    payment.v2: { lag: { max-records: 10k }, rebalances: 1 }\n`, 'test.yaml');
    expect(s.objectives.map((o) => o.figure)).toEqual(['groups.payment.v2.lag.peakRecords', 'groups.payment.v2.rebalances']);
    expect(issuesOf(`${dotted}  groups:\n    payment.v3: { rebalances: 1 }\n`)).toEqual([
      issue(22, 17, 'objectives.groups["payment.v3"]', unknownObjectiveScope('consumer groups', 'payment.v3', ['billing', 'payment.v2'], 'payment.v2')),
    ]);
  });

  it('report a group or topic the scenario does not declare, with the nearest name', () => {
    expect(issuesOf(`${PIPELINE}  groups:\n    paymnt: { lag: { max-records: 10k } }\n  topics:\n    refunds: { rejected: 0 }\n`)).toEqual([
      issue(22, 13, 'objectives.groups.paymnt', unknownObjectiveScope('consumer groups', 'paymnt', ['billing', 'payment'], 'payment')),
      issue(24, 14, 'objectives.topics.refunds', unknownObjectiveScope('topics', 'refunds', ['orders', 'payments'], undefined)),
    ]);
  });

  it('report once a group with several objectives that does not exist', () => {
    expect(issuesOf(`${PIPELINE}  groups:\n    nobody: { lag: { max-records: 10k }, rebalances: 1 }\n`)).toEqual([
      issue(22, 13, 'objectives.groups.nobody', unknownObjectiveScope('consumer groups', 'nobody', ['billing', 'payment'], undefined)),
    ]);
  });

  it('with several groups, refuse a group\'s figure written unscoped, at each line that writes one', () => {
    expect(issuesOf(`${PIPELINE}  latency: { p99: 5s }\n  lag: { max-records: 10k, max-seconds: 30s }\n  drain: { within: 5m }\n  duplicates: 0\n  rebalances: 3\n  lost: 0\n`)).toEqual([
      issue(22, 23, 'objectives.lag.max-records', unscopedObjective('lag.max-records', ['billing', 'payment'])),
      issue(22, 41, 'objectives.lag.max-seconds', unscopedObjective('lag.max-seconds', ['billing', 'payment'])),
      issue(23, 10, 'objectives.drain', unscopedObjective('drain', ['billing', 'payment'])),
      issue(24, 15, 'objectives.duplicates', unscopedObjective('duplicates', ['billing', 'payment'])),
      issue(25, 15, 'objectives.rebalances', unscopedObjective('rebalances', ['billing', 'payment'])),
    ]);
  });

  it('report a misspelt kind under a group with a suggestion, and take no unscoped-only kind there', () => {
    expect(issuesOf(`${PIPELINE}  groups:\n    payment: { lagg: { max-records: 1 } }\n`)).toEqual([
      issue(22, 16, 'objectives.groups.payment.lagg', unknownKey('lagg', 'lag', [])),
    ]);
    expect(issuesOf(`${PIPELINE}  topics:\n    payments: { lost: 0 }\n`)).toMatchObject([{ line: 22, path: 'objectives.topics.payments.lost' }]);
  });
});

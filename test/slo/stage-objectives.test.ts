/**
 * Objectives of one stage or topic, the alert figures of lag and per-window objectives (when the
 * series first crossed the bound, for how long in all it was past it), and `lost:` summed over a
 * pipeline's topics and groups: hand-made results with answers worked out below, and small real
 * runs whose lag grows at a known rate.
 */
import { describe, expect, it } from 'vitest';
import { alertFigures, evaluateObjectives, measure } from '../../src/slo/objectives.js';
import { parse, run, judge } from '../../src/run.js';
import { aggregate } from '../../src/stats/aggregate.js';
import { FigurePathError } from '../../src/metrics/figures.js';
import { parseScenario } from '../../src/scenario/load.js';
import type { Objective } from '../../src/scenario/schema.js';
import type { RunResult } from '../../src/metrics/result.js';
import { makeRunResult } from '../report/fixture.js';
import { MINIMAL } from '../scenario/helpers.js';
import { one } from '../helpers/one-stage.js';

function objectives(text: string): Objective[] {
  return parseScenario(`${MINIMAL}objectives:\n${text}`, 'test.yaml').objectives;
}

/**
 * One stage, five windows ending at 2, 4, 6, 8 and 9 s (the last 1 s long, as when the duration
 * is not a multiple of the interval), with the lag and p99 series given.
 */
function windows(series: { lag?: number[]; lagSeconds?: number[]; p99?: (number | null)[]; seed?: number }): RunResult {
  const r = structuredClone(makeRunResult({ durationSeconds: 10, sampleIntervalSeconds: 2, services: [] }));
  r.time = [2, 4, 6, 8, 9];
  r.scenario.seed = series.seed ?? 1;
  const g = r.series.groups[one(r).groupName];
  if (series.lag) {
    g.lag = series.lag;
    one(r).lag.peakRecords = Math.max(...series.lag);
  }
  if (series.lagSeconds) g.lagSeconds = series.lagSeconds;
  if (series.p99) r.series.endToEnd.latencyP99 = series.p99;
  return r;
}

describe('alert figures at window resolution', () => {
  const [lagRecords] = objectives('  lag: { max-records: 1000 }\n');

  it('a lag objective: the end of the first window past the bound, and the windows past it added up', () => {
    // Past 1,000 records in windows 1 (2-4 s), 3 (6-8 s) and 4 (8-9 s): first at 4 s, 2 + 2 + 1 = 5 s in all.
    const r = windows({ lag: [0, 1500, 800, 1200, 1001] });
    expect(alertFigures(lagRecords, r)).toEqual({ firstCrossedSeconds: 4, secondsAbove: 5 });
    expect(evaluateObjectives([lagRecords], r)[0]).toMatchObject({ measured: 1500, margin: -500, pass: false, alert: { firstCrossedSeconds: 4, secondsAbove: 5 } });
  });

  it('a value at the bound is not past it (bounds are inclusive), and a lag that never crosses gives null and 0', () => {
    const r = windows({ lag: [1000, 1000, 0, 999, 1000] });
    expect(evaluateObjectives([lagRecords], r)[0]).toMatchObject({ pass: true, alert: { firstCrossedSeconds: null, secondsAbove: 0 } });
  });

  it('a lag objective in seconds reads the lagSeconds series', () => {
    const [lagTime] = objectives('  lag: { max-seconds: 30s }\n');
    // Past 30 s from the second window on: first at 4 s, 2 + 2 + 2 + 1 = 7 s.
    expect(alertFigures(lagTime, windows({ lagSeconds: [10, 31, 45, 30.5, 40] }))).toEqual({ firstCrossedSeconds: 4, secondsAbove: 7 });
  });

  it('a per-window objective: windows with no value are not past the bound', () => {
    const [perWindow] = objectives('  latency-per-window: { p99: 100ms }\n');
    // 120 ms in 2-4 s and 101 ms in 8-9 s: first at 4 s, 2 + 1 = 3 s.
    const r = windows({ p99: [null, 120, 90, null, 101] });
    expect(evaluateObjectives([perWindow], r)[0]).toMatchObject({ measured: 120, pass: false, alert: { firstCrossedSeconds: 4, secondsAbove: 3 } });
  });

  it('go only with lag and per-window objectives', () => {
    const all = objectives('  latency: { p99: 5s }\n  drain: { within: 10m }\n  lost: 0\n  rebalances: 3\n  duplicates: 0\n');
    for (const v of evaluateObjectives(all, windows({}))) expect(v.alert).toBeUndefined();
  });

  it('an at-least objective is past its bound below it', () => {
    const atLeast: Objective = { objective: 'p99 >= 100 ms in every window', figure: 'latencyP99', window: true, comparison: 'at-least', bound: 100, unit: 'ms' };
    expect(alertFigures(atLeast, windows({ p99: [150, 99, null, 100, 20] }))).toEqual({ firstCrossedSeconds: 4, secondsAbove: 3 });
  });

  it('with replications: the earliest first crossing over the runs and the mean time past the bound', () => {
    // Run 1: past in 4-6 s and 6-8 s (first 6 s, 4 s); run 2: past in 2-4 s (first 4 s, 2 s); run 3: never (0 s).
    const runs = [windows({ lag: [0, 0, 2000, 3000, 0] }), windows({ lag: [0, 5000, 0, 0, 0], seed: 2 }), windows({ lag: [0, 0, 0, 0, 0], seed: 3 })];
    const v = evaluateObjectives([lagRecords], aggregate([1, 2, 3], runs))[0];
    expect(v.alert).toEqual({ firstCrossedSeconds: 4, secondsAbove: 2 });
    const never = evaluateObjectives([lagRecords], aggregate([1, 2], [runs[2], windows({ lag: [0, 0, 0, 0, 0], seed: 2 })]))[0];
    expect(never.alert).toEqual({ firstCrossedSeconds: null, secondsAbove: 0 });
  });
});

/**
 * Two stages: billing reads orders and writes payments, which payment reads. A copy of a one-stage
 * result with a second topic and group, each with its own series and books.
 */
function pipeline(): RunResult {
  const r = structuredClone(makeRunResult({ durationSeconds: 10, sampleIntervalSeconds: 2, services: [] }));
  r.time = [2, 4, 6, 8, 10];
  // Named as in PIPELINE_YAML: the fixture's group becomes billing, its topic orders.
  const { topicName: fixtureTopic, groupName: fixtureGroup } = one(r);
  const orders = 'orders';
  const billing = 'billing';
  const rename = <T>(o: Record<string, T>, from: string, to: string) => {
    const v = o[from];
    delete o[from];
    o[to] = v;
  };
  for (const tree of [r.topology.groups, r.series.groups, r.summary.groups, r.partitionLag]) rename(tree as Record<string, unknown>, fixtureGroup, billing);
  for (const tree of [r.topology.topics, r.series.topics, r.summary.topics]) rename(tree as Record<string, unknown>, fixtureTopic, orders);
  r.topology.groups[billing].topic = orders;
  for (const p of Object.values(r.topology.producers)) p.topic = orders;
  r.topology.groups[billing].produces = 'payments';
  r.topology.topics.payments = { partitions: 4, replicationFactor: 1 };
  r.topology.groups.payment = { topic: 'payments', instances: 2, produces: null };
  r.series.topics.payments = structuredClone(r.series.topics[orders]);
  r.series.groups.payment = { ...structuredClone(r.series.groups[billing]), lag: [0, 20_000, 30_000, 5_000, 0] };
  r.series.groups[billing].lag = [0, 0, 0, 0, 0];
  r.summary.topics.payments = structuredClone(r.summary.topics[orders]);
  r.summary.groups.payment = structuredClone(r.summary.groups[billing]);
  r.summary.groups.payment.lag.peakRecords = 30_000;
  r.summary.groups.payment.latency.p99Ms = 2500;
  r.summary.groups[billing].lag.peakRecords = 0;
  // Books: 3 + 4 records rejected by the two topics' producers, 5 + 6 lost to the two groups.
  r.summary.topics[orders].books.rejected = { 'buffer-exhausted': 3 };
  r.summary.topics.payments.books.rejected = { dropped: 4 };
  r.summary.groups[billing].books.lost = { retention: 5 };
  r.summary.groups.payment.books.lost = { 'offset-reset': 6 };
  // The accounting is the first stage's books alone.
  r.summary.accounting.rejected = { 'buffer-exhausted': 3 };
  r.summary.accounting.lost = { retention: 5 };
  return r;
}

const PIPELINE_YAML = `${MINIMAL.replace('    partitions: 12\n', '    partitions: 12\n  - name: payments\n    partitions: 4\n').replace('    instances: 4\n', '    instances: 4\n    produces: { topic: payments }\n  - name: payment\n    topic: payments\n    instances: 2\n')}objectives:\n`;
const pipelineObjectives = (text: string) => parseScenario(PIPELINE_YAML + text, 'test.yaml').objectives;

describe('objectives of one stage or topic', () => {
  it("read that group's figures and series", () => {
    const verdicts = evaluateObjectives(pipelineObjectives('  groups:\n    payment: { lag: { max-records: 10k }, latency: { p99: 2s } }\n    billing: { lag: { max-records: 10k } }\n'), pipeline());
    expect(verdicts.map((v) => [v.objective, v.measured, v.pass, v.alert])).toEqual([
      // Past 10k records in 2-4 s and 4-6 s: first at 4 s, 4 s in all.
      ['payment: peak lag <= 10k records', 30_000, false, { firstCrossedSeconds: 4, secondsAbove: 4 }],
      ['payment: stage latency p99 <= 2s', 2500, false, undefined],
      ['billing: peak lag <= 10k records', 0, true, { firstCrossedSeconds: null, secondsAbove: 0 }],
    ]);
  });

  it("count one group's losses and one topic's rejections", () => {
    const [lost, rejected] = pipelineObjectives('  groups:\n    payment: { lost: 6 }\n  topics:\n    payments: { rejected: 3 }\n');
    expect(measure(lost, pipeline())).toBe(6);
    expect(evaluateObjectives([lost, rejected], pipeline()).map((v) => [v.measured, v.pass])).toEqual([
      [6, true],
      [4, false],
    ]);
  });

  it('an unscoped lag figure names no group in a run of two (the loader refuses it in a scenario)', () => {
    const [lag] = objectives('  lag: { max-records: 10k }\n');
    expect(() => evaluateObjectives([lag], pipeline())).toThrow(FigurePathError);
  });
});

describe('lost: over the whole pipeline', () => {
  it("sums every topic's rejections and every group's losses, not only the first stage's", () => {
    const [lost] = pipelineObjectives('  lost: 18\n');
    // 3 + 4 rejected, 5 + 6 lost: 18; the first stage's accounting alone would say 8.
    expect(evaluateObjectives([lost], pipeline())[0]).toMatchObject({ figure: 'accounting.lostOrRejected', measured: 18, margin: 0, pass: true });
    const [first] = objectives('  lost: 0\n');
    const r = pipeline();
    r.summary.groups.payment.books.lost = { 'offset-reset': 6, retention: 1 };
    expect(measure(first, r)).toBe(19);
  });
});

describe('real runs with a known lag', () => {
  /**
   * 100 records/s paced into one partition, one consumer taking 20 ms a record (50 a second),
   * committing after each record (max.poll.records 1, no auto-commit): at the sample at k seconds
   * the log end offset is 100k and the committed offset 50k - 1 (the record in processing is not
   * yet committed), so the lag is 50k + 1. It first passes 1,000 records at 20 s (1,001), and stays
   * past it in every window from the one ending at 20 s to the one ending at 60 s: 41 windows of
   * 1 s, 41 s.
   */
  const SLOW = `name: slow
seed: 3
duration: 60s
fidelity: exact
network: { rtt: 0ms }
brokers: { append-latency: 0ms, replication-latency: 0ms, group.initial.rebalance.delay.ms: 0 }
topics:
  - { name: orders, partitions: 1 }
producers:
  - { name: web, topic: orders, rate: 100/s, arrivals: paced, config: { linger.ms: 0 } }
consumer-groups:
  - { name: billing, topic: orders, instances: 1, config: { enable.auto.commit: false, max.poll.records: 1 }, processing: { per-record: 20ms } }
`;

  it('one stage: the lag 50k + 1 at k s first passes 1,000 records at 20 s, and stays past it for 41 s', () => {
    const scenario = parse(`${SLOW}objectives:\n  lag: { max-records: 1000 }\n`, 'slow.yaml');
    const r = run(scenario);
    expect(r.series.groups.billing.lag).toEqual(r.time.map((t) => 50 * t + 1));
    const [v] = judge(scenario, r);
    expect(v).toMatchObject({ measured: 3001, pass: false, alert: { firstCrossedSeconds: 20, secondsAbove: 41 } });
  });

  it('two stages: the slow second stage crosses at 20 s and stays past for 41 s, the fast first one never crosses', () => {
    const text = SLOW.replace('topics:\n', 'topics:\n  - { name: payments, partitions: 1 }\n').replace(
      '  - { name: billing, topic: orders, instances: 1, config: { enable.auto.commit: false, max.poll.records: 1 }, processing: { per-record: 20ms } }\n',
      '  - { name: billing, topic: orders, instances: 1, config: { enable.auto.commit: false, max.poll.records: 1 }, processing: { per-record: 1ms }, produces: { topic: payments, config: { linger.ms: 0 } } }\n' +
        '  - { name: payment, topic: payments, instances: 1, config: { enable.auto.commit: false, max.poll.records: 1 }, processing: { per-record: 20ms } }\n',
    );
    const scenario = parse(`${text}objectives:\n  lost: 0\n  groups:\n    billing: { lag: { max-records: 1000 } }\n    payment: { lag: { max-records: 1000 } }\n`, 'slow.yaml');
    const r = run(scenario);
    const [lost, billing, payment] = judge(scenario, r);
    expect(lost).toMatchObject({ measured: 0, pass: true });
    expect(lost.alert).toBeUndefined();
    expect(billing).toMatchObject({ pass: true, alert: { firstCrossedSeconds: null, secondsAbove: 0 } });
    // The first stage passes each record on within 1 ms of its arrival: the second stage sees the
    // same 100 records/s and has the same lag, 50k + 1 at k s.
    expect(r.series.groups.payment.lag).toEqual(r.time.map((t) => 50 * t + 1));
    expect(payment).toMatchObject({ measured: 3001, pass: false, alert: { firstCrossedSeconds: 20, secondsAbove: 41 } });
  });
});

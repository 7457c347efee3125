/**
 * Verdicts on objectives, from RunResults alone: at, just above and just below each bound, for a
 * single run and for replications.
 */
import { describe, expect, it } from 'vitest';
import { evaluateObjectives, measure } from '../../src/slo/objectives.js';
import { aggregate } from '../../src/stats/aggregate.js';
import { estimate } from '../../src/stats/estimate.js';
import { parseScenario } from '../../src/scenario/load.js';
import type { Objective } from '../../src/scenario/schema.js';
import { mainStage, type RunResult } from '../../src/metrics/result.js';
import { makeRunResult } from '../report/fixture.js';
import { MINIMAL } from '../scenario/helpers.js';
import { one } from '../helpers/one-stage.js';

function objectives(text: string): Objective[] {
  return parseScenario(`${MINIMAL}objectives:\n${text}`, 'test.yaml').objectives;
}

const fixture = makeRunResult({ durationSeconds: 60, services: [] });

/** A run with chosen summary figures. */
function runWith(figures: { p99?: number | null; peak?: number; drain?: number | null; lost?: Record<string, number>; rejected?: Record<string, number>; rebalances?: number; seed?: number; p99Series?: (number | null)[] }): RunResult {
  const r = structuredClone(fixture);
  r.scenario.seed = figures.seed ?? 1;
  const e2e = r.series.endToEnd;
  if (figures.p99Series) e2e.latencyP99 = [...figures.p99Series, ...e2e.latencyP99.slice(figures.p99Series.length).map(() => null)];
  const s = r.summary;
  if (figures.p99 !== undefined) s.endToEnd.latency.p99Ms = figures.p99;
  const g = one(r).group;
  if (figures.peak !== undefined) g.lag.peakRecords = figures.peak;
  if (figures.drain !== undefined) g.lag.timeToDrainSeconds = figures.drain;
  if (figures.rebalances !== undefined) g.rebalances = figures.rebalances;
  // As in a real run of one stage, its books and the accounting are the same.
  if (figures.lost) s.accounting.lost = g.books.lost = figures.lost;
  if (figures.rejected) s.accounting.rejected = mainStage(r).topicSummary.books.rejected = figures.rejected;
  return r;
}

describe('a single run', () => {
  const [p99] = objectives('  latency: { p99: 5s }\n');

  it('passes at the bound, fails just above it, passes just below', () => {
    const at = evaluateObjectives([p99], runWith({ p99: 5000 }))[0];
    expect(at).toEqual({
      objective: 'latency p99 <= 5s',
      figure: 'latency.p99Ms',
      comparison: 'at-most',
      bound: 5000,
      measured: 5000,
      unit: 'ms',
      margin: 0,
      pass: true,
      confidence: 'single-run',
    });
    const above = evaluateObjectives([p99], runWith({ p99: 5000.001 }))[0];
    expect(above.pass).toBe(false);
    expect(above.margin).toBeCloseTo(-0.001, 9);
    const below = evaluateObjectives([p99], runWith({ p99: 4999.999 }))[0];
    expect(below.pass).toBe(true);
    expect(below.margin).toBeCloseTo(0.001, 9);
  });

  it('fails when nothing was measured', () => {
    expect(evaluateObjectives([p99], runWith({ p99: null }))[0]).toMatchObject({ measured: null, margin: null, pass: false, confidence: 'single-run' });
  });

  it('sums losses over reasons', () => {
    const [lost] = objectives('  lost: 10\n');
    expect(evaluateObjectives([lost], runWith({ lost: { retention: 6, 'offset-reset': 4 }, rejected: {} }))[0]).toMatchObject({ measured: 10, margin: 0, pass: true });
    expect(evaluateObjectives([lost], runWith({ lost: { retention: 6, 'offset-reset': 5 }, rejected: {} }))[0]).toMatchObject({ measured: 11, margin: -1, pass: false });
    expect(evaluateObjectives([lost], runWith({ lost: {}, rejected: {} }))[0]).toMatchObject({ measured: 0, margin: 10, pass: true });
  });

  it('counts records rejected by producers as lost too (they never reach a consumer)', () => {
    const [lost] = objectives('  lost: 10\n');
    const rejected = { 'buffer-exhausted': 7, 'delivery-timeout': 2 };
    expect(evaluateObjectives([lost], runWith({ lost: {}, rejected }))[0]).toMatchObject({ measured: 9, margin: 1, pass: true });
    expect(evaluateObjectives([lost], runWith({ lost: { retention: 2 }, rejected }))[0]).toMatchObject({ measured: 11, margin: -1, pass: false });
  });

  it('counts rebalances and duplicates as they are', () => {
    const [rebalances] = objectives('  rebalances: { at-most: 3 }\n');
    expect(evaluateObjectives([rebalances], runWith({ rebalances: 3 }))[0].pass).toBe(true);
    expect(evaluateObjectives([rebalances], runWith({ rebalances: 4 }))[0].pass).toBe(false);
    expect(evaluateObjectives([rebalances], runWith({ rebalances: 2 }))[0].margin).toBe(1);
    const [duplicates] = objectives('  duplicates: 1500\n');
    expect(evaluateObjectives([duplicates], fixture)[0]).toMatchObject({ measured: 1500, pass: true, margin: 0 });
  });

  it('time to drain: 0 if lag never rose, not measured (fails) if it never drained', () => {
    const [drain] = objectives('  drain: { within: 10m }\n');
    expect(evaluateObjectives([drain], runWith({ drain: 600 }))[0]).toMatchObject({ measured: 600, margin: 0, pass: true });
    expect(evaluateObjectives([drain], runWith({ drain: 600.5 }))[0]).toMatchObject({ pass: false, margin: -0.5 });
    expect(evaluateObjectives([drain], runWith({ drain: null, peak: 0 }))[0]).toMatchObject({ measured: 0, pass: true });
    expect(evaluateObjectives([drain], runWith({ drain: null, peak: 10 }))[0]).toMatchObject({ measured: null, pass: false });
  });

  it('per window: the worst window, windows with no value left out', () => {
    const [perWindow] = objectives('  latency-per-window: { p99: 100ms }\n');
    expect(perWindow.window).toBe(true);
    const run = runWith({ p99Series: [null, 20, 100, 35, null] });
    expect(measure(perWindow, run)).toBe(100);
    expect(evaluateObjectives([perWindow], run)[0]).toMatchObject({ figure: 'latencyP99', window: true, measured: 100, margin: 0, pass: true });
    expect(evaluateObjectives([perWindow], runWith({ p99Series: [20, 100.5, 35] }))[0]).toMatchObject({ measured: 100.5, pass: false });
    expect(evaluateObjectives([perWindow], runWith({ p99Series: [null] }))[0]).toMatchObject({ measured: null, pass: false });
  });

  it('an at-least objective counts its margin upwards', () => {
    const atLeast: Objective = { objective: 'throughput >= 1k/s', figure: 'throughput.meanProcessedPerSecond', window: false, comparison: 'at-least', bound: 1000, unit: 'records/s' };
    const run = (v: number) => {
      const r = structuredClone(fixture);
      one(r).group.throughput.meanProcessedPerSecond = v;
      return r;
    };
    expect(evaluateObjectives([atLeast], run(1000))[0]).toMatchObject({ pass: true, margin: 0 });
    expect(evaluateObjectives([atLeast], run(999))[0]).toMatchObject({ pass: false, margin: -1 });
    expect(evaluateObjectives([atLeast], run(1001))[0]).toMatchObject({ pass: true, margin: 1 });
  });

  it('gives one verdict per objective, in order', () => {
    const all = objectives('  latency: { p99: 5s }\n  lost: 0\n  rebalances: 3\n');
    expect(evaluateObjectives(all, fixture).map((v) => v.objective)).toEqual(['latency p99 <= 5s', 'records lost or rejected <= 0', 'rebalances <= 3']);
    expect(evaluateObjectives([], fixture)).toEqual([]);
  });
});

describe('replications', () => {
  const [p99] = objectives('  latency: { p99: 5s }\n');
  const replicated = (values: (number | null)[]) =>
    aggregate(
      values.map((_, i) => i + 1),
      values.map((v, i) => runWith({ p99: v, seed: i + 1 })),
    );

  it('holds when the whole interval passes, a mean exactly at the bound included', () => {
    const v = evaluateObjectives([p99], replicated([5000, 5000, 5000]))[0];
    expect(v).toMatchObject({ measured: 5000, margin: 0, pass: true, confidence: 'holds', interval: { low: 5000, high: 5000 } });
    expect(evaluateObjectives([p99], replicated([3000, 3100, 2900]))[0]).toMatchObject({ pass: true, confidence: 'holds' });
  });

  it('passes on average when the mean passes but the interval crosses the bound', () => {
    const values = [4000, 5500, 4400];
    const e = estimate(values);
    const v = evaluateObjectives([p99], replicated(values))[0];
    expect(v).toMatchObject({ measured: e.mean, margin: 5000 - e.mean, pass: true, confidence: 'on-average', interval: { low: e.low, high: e.high } });
  });

  it('fails when the mean fails, even with part of the interval passing', () => {
    expect(evaluateObjectives([p99], replicated([4000, 6500, 4600]))[0]).toMatchObject({ pass: false, confidence: 'fails' });
    // The mean just above the bound.
    expect(evaluateObjectives([p99], replicated([5000, 5000.003, 5000]))[0]).toMatchObject({ pass: false, confidence: 'fails' });
    // And just below it, with an interval over it.
    expect(evaluateObjectives([p99], replicated([5000, 4999.997, 5000]))[0]).toMatchObject({ pass: true, confidence: 'on-average' });
  });

  it('fails when a run measured nothing', () => {
    expect(evaluateObjectives([p99], replicated([3000, null, 3000]))[0]).toMatchObject({ measured: null, margin: null, pass: false, confidence: 'fails' });
  });

  it('per window: the worst window of each run is its figure', () => {
    const [perWindow] = objectives('  latency-per-window: { p99: 100ms }\n');
    const r = aggregate([1, 2, 3], [runWith({ p99Series: [10, 90] }), runWith({ p99Series: [95, 20] }), runWith({ p99Series: [null, 100] })]);
    const v = evaluateObjectives([perWindow], r)[0];
    expect(v.measured).toBeCloseTo(95, 12);
    expect(v.interval).toEqual({ low: estimate([90, 95, 100]).low, high: estimate([90, 95, 100]).high });
    expect(v).toMatchObject({ pass: true, confidence: 'on-average', window: true });
  });

  it('one replication is judged as a single run', () => {
    expect(evaluateObjectives([p99], replicated([5000]))[0]).toMatchObject({ pass: true, confidence: 'single-run' });
    expect(evaluateObjectives([p99], replicated([5000]))[0].interval).toBeUndefined();
  });
});

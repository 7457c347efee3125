import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/stats/aggregate.js';
import { estimate } from '../../src/stats/estimate.js';
import type { RunResult } from '../../src/metrics/result.js';
import { makeRunResult } from '../report/fixture.js';
import { one } from '../helpers/one-stage.js';

const G = 'groups.order-processor';

/** A small fixture run whose every number is scaled by `k` (series, partition lag, summary). */
function run(k: number, seed: number): RunResult {
  const r = structuredClone(makeRunResult({ durationSeconds: 60, services: ['payments'] }));
  const scale = <T>(xs: T[]): T[] => xs.map((v) => (typeof v === 'number' ? ((v * k) as T) : v));
  const scaleAll = (node: Record<string, unknown>) => {
    for (const [key, v] of Object.entries(node)) {
      if (Array.isArray(v)) node[key] = scale(v);
      else if (v !== null && typeof v === 'object') scaleAll(v as Record<string, unknown>);
    }
  };
  scaleAll(r.series as unknown as Record<string, unknown>);
  r.scenario.seed = seed;
  r.partitionLag['order-processor'] = one(r).partitionLag.map((row) => scale(Array.from(row)));
  one(r).group.lag.peakRecords *= k;
  r.summary.accounting.lost = k === 1 ? { retention: 10 } : { retention: 10 * k, 'offset-reset': k };
  return r;
}

describe('aggregate', () => {
  const ks = [1, 2, 3, 4, 10];
  const runs = ks.map((k, i) => run(k, 100 + i));
  const seeds = runs.map((r) => r.scenario.seed);
  const rep = aggregate(seeds, runs);

  it('keeps the seeds and the runs in order', () => {
    expect(rep.seeds).toEqual(seeds);
    expect(rep.runs).toEqual(runs);
  });

  it('takes the per-window median of every series, services and partition lag too', () => {
    const base = runs[0];
    // Medians of k * x over k in {1, 2, 3, 4, 10} are 3x.
    for (let w = 0; w < base.time.length; w++) {
      expect(one(rep.median).series.groupLag[w]).toBeCloseTo(3 * one(base).series.groupLag[w], 9);
      expect(one(rep.median).series.producedRate[w]).toBeCloseTo(3 * one(base).series.producedRate[w], 9);
      expect(rep.median.series.services.payments.queued[w]).toBeCloseTo(3 * base.series.services.payments.queued[w], 9);
      for (let p = 0; p < one(base).partitionLag[w].length; p++) expect(one(rep.median).partitionLag[w][p]).toBeCloseTo(3 * one(base).partitionLag[w][p], 9);
    }
    expect(rep.median.time).toEqual(base.time);
    expect(rep.median.events).toBe(base.events);
    expect(rep.median.summary).toBe(base.summary);
    expect(rep.median.scenario).toBe(base.scenario);
    expect(rep.median.topology).toBe(base.topology);
  });

  it('keeps windows with no latency null, and leaves nulls out of a window', () => {
    const nullAt = one(runs[0]).series.latencyP99.findIndex((v) => v === null);
    expect(nullAt).toBeGreaterThanOrEqual(0);
    expect(one(rep.median).series.latencyP99[nullAt]).toBeNull();
    expect(rep.bands['endToEnd.latencyP99'].low[nullAt]).toBeNull();

    const a = run(1, 1);
    const b = run(1, 2);
    b.series.endToEnd.latencyP50 = one(a).series.latencyP50.map((v, i) => (i === 5 ? null : v === null ? null : v + 1));
    const c = run(1, 3);
    c.series.endToEnd.latencyP50 = one(a).series.latencyP50.map((v) => (v === null ? null : v + 2));
    const r = aggregate([1, 2, 3], [a, b, c]);
    // Window 5: only a and c have a value; their median is the mean of the two.
    expect(one(r.median).series.latencyP50[5]).toBeCloseTo(one(a).series.latencyP50[5]! + 1, 9);
    expect(one(r.median).series.latencyP50[6]).toBeCloseTo(one(a).series.latencyP50[6]! + 1, 9);
  });

  it('bands are the 5th and 95th percentiles across runs, interpolated linearly, keyed by series path', () => {
    // For k in {1, 2, 3, 4, 10}: h = 4 * 0.05 = 0.2 -> 1.2x; h = 3.8 -> (4 + 0.8 * 6)x = 8.8x.
    const w = 400 % runs[0].time.length;
    const x = one(runs[0]).series.groupLag[w];
    expect(rep.bands[`${G}.lag`].low[w]).toBeCloseTo(1.2 * x, 9);
    expect(rep.bands[`${G}.lag`].high[w]).toBeCloseTo(8.8 * x, 9);
    const q = runs[0].series.services.payments.inFlight[w];
    expect(rep.bands['services.payments.inFlight'].low[w]).toBeCloseTo(1.2 * q, 9);
    expect(Object.keys(rep.bands)).toContain('endToEnd.latencyMax');
    expect(Object.keys(rep.bands)).toContain('topics.orders.producedRate');
    expect(Object.keys(rep.bands)).toContain('services.payments.queued');
    for (const band of Object.values(rep.bands)) expect(band.low.length).toBe(runs[0].time.length);
  });

  it('estimates every numeric summary figure by dotted path', () => {
    expect(rep.estimates[`${G}.lag.peakRecords`]).toEqual(estimate(ks.map((k) => one(runs[0]).lag.peakRecords * k)));
    expect(rep.estimates[`${G}.duplicates`]).toEqual(estimate(ks.map(() => 1500)));
    expect(rep.estimates['services.payments.latency.p99Ms'].mean).toBe(2040);
    expect(rep.estimates.kernelEvents.n).toBe(5);
    expect(Object.keys(rep.estimates)).toContain(`${G}.throughput.meanProcessedPerSecond`);
    expect(Object.keys(rep.estimates)).toContain('topics.orders.producer.blockedSeconds');
    expect(Object.keys(rep.estimates)).toContain('endToEnd.latency.p99Ms');
    expect(Object.values(rep.estimates).every((e) => e.n === 5 && Number.isFinite(e.mean))).toBe(true);
  });

  it('counts a loss reason a run did not have as 0, and leaves nulls out', () => {
    expect(rep.estimates['accounting.lost.offset-reset']).toEqual(estimate([0, 2, 3, 4, 10]));
    expect(rep.estimates['accounting.lost.retention']).toEqual(estimate([10, 20, 30, 40, 100]));
    const a = run(1, 1);
    const b = run(1, 2);
    one(b).group.lag.timeToDrainSeconds = null;
    const r = aggregate([1, 2], [a, b]);
    expect(r.estimates[`${G}.lag.timeToDrainSeconds`].n).toBe(1);
    const c = run(1, 3);
    one(c).group.lag.timeToDrainSeconds = null;
    expect(aggregate([2, 3], [b, c]).estimates[`${G}.lag.timeToDrainSeconds`]).toBeUndefined();
  });

  it('with one run, the median is that run and the bands are the run itself', () => {
    const only = runs[1];
    const r = aggregate([7], [only]);
    expect(r.median).toBe(only);
    expect(r.bands[`${G}.lag`].low).toEqual(one(only).series.groupLag);
    expect(r.bands[`${G}.lag`].high).toEqual(one(only).series.groupLag);
    const peak = one(only).lag.peakRecords;
    expect(r.estimates[`${G}.lag.peakRecords`]).toEqual({ n: 1, mean: peak, sd: 0, low: peak, high: peak });
  });

  it('refuses no runs, a seed count that does not match, and runs of different lengths', () => {
    expect(() => aggregate([], [])).toThrow(RangeError);
    expect(() => aggregate([1], [runs[0], runs[1]])).toThrow(RangeError);
    const short = { ...runs[1], time: runs[1].time.slice(1) };
    expect(() => aggregate([1, 2], [runs[0], short])).toThrow(RangeError);
  });

  it('does not change the runs it is given', () => {
    const copy = JSON.parse(JSON.stringify(runs));
    aggregate(seeds, runs);
    expect(JSON.parse(JSON.stringify(runs))).toEqual(copy);
  });
});

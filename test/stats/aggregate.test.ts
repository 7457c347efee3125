import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/stats/aggregate.js';
import { estimate } from '../../src/stats/estimate.js';
import type { RunResult } from '../../src/metrics/result.js';
import { makeRunResult } from '../report/fixture.js';

/** A small fixture run whose every number is scaled by `k` (series, partition lag, summary). */
function run(k: number, seed: number): RunResult {
  const r = makeRunResult({ durationSeconds: 60, services: ['payments'] });
  const scale = <T>(xs: T[]): T[] => xs.map((v) => (typeof v === 'number' ? ((v * k) as T) : v));
  const series = Object.fromEntries(
    Object.entries(r.series).map(([name, s]) => [name, name === 'services' ? s : scale(s as (number | null)[])]),
  ) as unknown as RunResult['series'];
  series.services = { payments: { inFlight: scale(r.series.services.payments.inFlight), queued: scale(r.series.services.payments.queued) } };
  return {
    ...r,
    scenario: { ...r.scenario, seed },
    series,
    partitionLag: r.partitionLag.map((row) => scale(row)),
    summary: {
      ...r.summary,
      lag: { ...r.summary.lag, peakRecords: r.summary.lag.peakRecords * k },
      accounting: { ...r.summary.accounting, lost: k === 1 ? { retention: 10 } : { retention: 10 * k, 'offset-reset': k } },
    },
  };
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
      expect(rep.median.series.groupLag[w]).toBeCloseTo(3 * base.series.groupLag[w], 9);
      expect(rep.median.series.services.payments.queued[w]).toBeCloseTo(3 * base.series.services.payments.queued[w], 9);
      for (let p = 0; p < base.partitionLag[w].length; p++) expect(rep.median.partitionLag[w][p]).toBeCloseTo(3 * base.partitionLag[w][p], 9);
    }
    expect(rep.median.time).toEqual(base.time);
    expect(rep.median.events).toBe(base.events);
    expect(rep.median.summary).toBe(base.summary);
    expect(rep.median.scenario).toBe(base.scenario);
  });

  it('keeps windows with no latency null, and leaves nulls out of a window', () => {
    const nullAt = runs[0].series.latencyP99.findIndex((v) => v === null);
    expect(nullAt).toBeGreaterThanOrEqual(0);
    expect(rep.median.series.latencyP99[nullAt]).toBeNull();
    expect(rep.bands.latencyP99.low[nullAt]).toBeNull();

    const a = run(1, 1);
    const b = run(1, 2);
    b.series.latencyP50 = a.series.latencyP50.map((v, i) => (i === 5 ? null : v === null ? null : v + 1));
    const c = run(1, 3);
    c.series.latencyP50 = a.series.latencyP50.map((v) => (v === null ? null : v + 2));
    const r = aggregate([1, 2, 3], [a, b, c]);
    // Window 5: only a and c have a value; their median is the mean of the two.
    expect(r.median.series.latencyP50[5]).toBeCloseTo(a.series.latencyP50[5]! + 1, 9);
    expect(r.median.series.latencyP50[6]).toBeCloseTo(a.series.latencyP50[6]! + 1, 9);
  });

  it('bands are the 5th and 95th percentiles across runs, interpolated linearly', () => {
    // For k in {1, 2, 3, 4, 10}: h = 4 * 0.05 = 0.2 -> 1.2x; h = 3.8 -> (4 + 0.8 * 6)x = 8.8x.
    const w = 400 % runs[0].time.length;
    const x = runs[0].series.groupLag[w];
    expect(rep.bands.groupLag.low[w]).toBeCloseTo(1.2 * x, 9);
    expect(rep.bands.groupLag.high[w]).toBeCloseTo(8.8 * x, 9);
    const q = runs[0].series.services.payments.inFlight[w];
    expect(rep.bands['services.payments.inFlight'].low[w]).toBeCloseTo(1.2 * q, 9);
    expect(Object.keys(rep.bands)).toContain('latencyMax');
    expect(Object.keys(rep.bands)).toContain('services.payments.queued');
    for (const band of Object.values(rep.bands)) expect(band.low.length).toBe(runs[0].time.length);
  });

  it('estimates every numeric summary figure by dotted path', () => {
    expect(rep.estimates['lag.peakRecords']).toEqual(estimate(ks.map((k) => runs[0].summary.lag.peakRecords * k)));
    expect(rep.estimates['group.duplicates']).toEqual(estimate(ks.map(() => 1500)));
    expect(rep.estimates['services.payments.latency.p99Ms'].mean).toBe(2040);
    expect(rep.estimates.kernelEvents.n).toBe(5);
    expect(Object.keys(rep.estimates)).toContain('throughput.meanProcessedPerSecond');
    expect(Object.values(rep.estimates).every((e) => e.n === 5 && Number.isFinite(e.mean))).toBe(true);
  });

  it('counts a loss reason a run did not have as 0, and leaves nulls out', () => {
    expect(rep.estimates['accounting.lost.offset-reset']).toEqual(estimate([0, 2, 3, 4, 10]));
    expect(rep.estimates['accounting.lost.retention']).toEqual(estimate([10, 20, 30, 40, 100]));
    const a = run(1, 1);
    const b = run(1, 2);
    b.summary = { ...b.summary, lag: { ...b.summary.lag, timeToDrainSeconds: null } };
    const r = aggregate([1, 2], [a, b]);
    expect(r.estimates['lag.timeToDrainSeconds'].n).toBe(1);
    const c = run(1, 3);
    c.summary = { ...c.summary, lag: { ...c.summary.lag, timeToDrainSeconds: null } };
    expect(aggregate([2, 3], [b, c]).estimates['lag.timeToDrainSeconds']).toBeUndefined();
  });

  it('with one run, the median is that run and the bands are the run itself', () => {
    const one = runs[1];
    const r = aggregate([7], [one]);
    expect(r.median).toBe(one);
    expect(r.bands.groupLag.low).toEqual(one.series.groupLag);
    expect(r.bands.groupLag.high).toEqual(one.series.groupLag);
    expect(r.estimates['lag.peakRecords']).toEqual({ n: 1, mean: one.summary.lag.peakRecords, sd: 0, low: one.summary.lag.peakRecords, high: one.summary.lag.peakRecords });
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

/**
 * Runs with more sample windows than a function call takes arguments (~125,000) summarise and
 * report: every peak figure is computed in a loop (metrics/extremes.ts), never by spreading a series.
 */
import { describe, expect, it } from 'vitest';
import { maxOf } from '../../src/metrics/extremes.js';
import { parseScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/model/simulate.js';
import { timeseriesCsv } from '../../src/report/csv.js';
import { one } from '../helpers/one-stage.js';

describe('maxOf', () => {
  it('is the largest value, nulls skipped, the floor when there is none', () => {
    expect(maxOf([3, null, 7, -1], 0)).toBe(7);
    expect(maxOf([], 1)).toBe(1);
    expect(maxOf([null, null], 0)).toBe(0);
    expect(maxOf([-5, -2], 0)).toBe(0);
    expect(maxOf(Float64Array.of(1.5, 2.5), 0)).toBe(2.5);
  });

  it('takes a million values (a spread into Math.max overflows the stack)', () => {
    const big = Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 1_000_003);
    expect(() => Math.max(0, ...big)).toThrow(RangeError);
    expect(maxOf(big, 0)).toBe(big.reduce((a, b) => (b > a ? b : a), 0));
  });
});

describe('a run of 200,000 sample windows', () => {
  it('simulates, summarises and writes its CSV; every peak is the series maximum', () => {
    const r = simulate(
      parseScenario(
        `name: many-windows
seed: 2
duration: 200s
sample-interval: 1ms
topics: [{ name: t, partitions: 1 }]
producers: [{ name: p, topic: t, rate: 20/s }]
consumer-groups: [{ name: g, topic: t, instances: 1, processing: { per-record: 2ms } }]
`,
        'many.yaml',
      ),
    );
    expect(r.time).toHaveLength(200_000);
    const s = one(r);
    const loopMax = (xs: readonly number[]) => xs.reduce((a, b) => (b > a ? b : a), 0);
    expect(s.lag.peakRecords).toBe(loopMax(s.series.groupLag));
    expect(s.lag.maxPartitionLagRecords).toBe(loopMax(s.series.maxPartitionLag));
    expect(s.throughput.peakProcessedPerSecond).toBe(loopMax(s.series.processedRate));
    expect(s.throughput.peakProducedPerSecond).toBe(loopMax(s.series.producedRate));
    expect(timeseriesCsv(r).split('\n')).toHaveLength(200_002);
  }, 60_000);
});

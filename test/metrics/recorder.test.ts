/**
 * What a run holds per window: typed arrays sized once from the window count, never an array
 * per sample or a series grown as the run goes (the memory of a day-long run is its series).
 */
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../src/metrics/recorder.js';
import { SampleWindows } from '../../src/metrics/windows.js';
import { parseScenario } from '../../src/scenario/load.js';
import { simulateGraph } from '../../src/model/simulate.js';

describe('Recorder', () => {
  it("holds each group's samples in typed arrays of exactly the window count, partition lag in one array", () => {
    const recorder = new Recorder(new SampleWindows(105, 10));
    const s = recorder.samples('g', 4);
    for (const series of [s.lag, s.maxPartitionLag, s.lagSeconds]) {
      expect(series).toBeInstanceOf(Float64Array);
      expect(series.length).toBe(11);
    }
    for (const series of [s.consumers, s.pausedPartitions, s.unownedPartitions]) {
      expect(series).toBeInstanceOf(Int32Array);
      expect(series.length).toBe(11);
    }
    expect(s.partitionLag).toBeInstanceOf(Float64Array);
    expect(s.partitionLag.length).toBe(44);
    s.partitionLagAt(3)[2] = 7;
    expect(s.partitionLag[3 * 4 + 2]).toBe(7);
    expect(recorder.samples('g', 4)).toBe(s);
    expect(() => recorder.samples('g', 5)).toThrow(/5 partitions, made with 4/);
  });

  it('records a time per window and refuses a sample past the last window', () => {
    const recorder = new Recorder(new SampleWindows(25, 10));
    expect(recorder.time).toBeInstanceOf(Float64Array);
    expect(recorder.time.length).toBe(3);
    expect([recorder.nextSample(10), recorder.nextSample(20), recorder.nextSample(25)]).toEqual([0, 1, 2]);
    expect(Array.from(recorder.time)).toEqual([10e-6, 20e-6, 25e-6]);
    expect(() => recorder.nextSample(30)).toThrow(/after all 3 windows/);
  });

  it('after a run, holds no more values than the run has windows', () => {
    const scenario = parseScenario(
      `
name: recorder
seed: 3
duration: 10500ms
sample-interval: 1s
topics: [{ name: t, partitions: 3 }]
producers: [{ name: p, topic: t, rate: 200/s }]
consumer-groups: [{ name: g, topic: t, instances: 2, processing: { per-record: 1ms } }]
`,
      'recorder.yaml',
    );
    const { recorder } = simulateGraph(scenario);
    expect(recorder.sampled).toBe(11);
    expect(recorder.time.length).toBe(11);
    const s = recorder.samples('g', 3);
    expect(s.lag.length).toBe(11);
    expect(s.partitionLag.length).toBe(33);
    expect(recorder.endToEnd.p99.length).toBe(11);
  });
});

/**
 * Sample windows through the real scenario path (parseScenario + simulate): whatever the
 * duration and the sample interval, every window is sampled at its end, the last one (shorter
 * when the duration is not a multiple of the interval) is in every series and figure with its
 * rates per second of its own length, and the run's latency histogram counts every completion.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/model/simulate.js';
import type { RunResult } from '../../src/metrics/result.js';
import { one } from '../helpers/one-stage.js';

function scenario(duration: string, interval: string, extra = ''): string {
  return `
name: windows
seed: 7
duration: ${duration}
sample-interval: ${interval}
fidelity: exact
topics: [{ name: t, partitions: 4 }]
brokers: { append-latency: 20ms, replication-latency: 30ms }
producers:
  - { name: p, topic: t, rate: 1000/s, arrivals: poisson, config: { linger.ms: 50 } }
consumer-groups:
  - name: g
    topic: t
    instances: 2
    processing: { per-record: { dist: exponential, mean: 1ms } }
${extra}`;
}

/** Records a per-second series stands for: each window's rate times its own length. */
function recordsOf(r: RunResult, rates: readonly number[]): number {
  const interval = r.scenario.sampleIntervalSeconds;
  return rates.reduce((sum, v, i) => sum + v * (r.time[i] - i * interval), 0);
}

function expectWholeRun(r: RunResult, windows: number): void {
  const s = one(r);
  const a = r.summary.accounting;
  expect(r.time.length).toBe(windows);
  expect(r.time[windows - 1]).toBe(r.scenario.durationSeconds);
  const series: [string, readonly unknown[]][] = Object.entries(s.series);
  for (const [name, values] of series) expect(values.length, name).toBe(windows);
  for (const [name, values] of series) expect(values.every((v) => v !== undefined), name).toBe(true);
  expect(s.latency.count).toBe(a.processed + s.group.duplicates);
  // Each series adds up to the books: nothing at or after the run's end is in the last window.
  expect(Math.round(recordsOf(r, s.series.processedRate))).toBe(a.processed + s.group.duplicates);
  expect(Math.round(recordsOf(r, s.series.appendedRate))).toBe(a.appended);
  expect(Math.round(recordsOf(r, s.series.producedRate))).toBe(a.offered);
}

describe('a duration that is not a multiple of the sample interval', () => {
  const r = simulate(parseScenario(scenario('105s', '10s'), 'partial.yaml'));
  const s = one(r);

  it('ends in a 5 s window sampled at the run end, with values in every series', () => {
    expectWholeRun(r, 11);
    expect(r.time.slice(-2)).toEqual([100, 105]);
    for (const q of ['latencyP50', 'latencyP95', 'latencyP99', 'latencyMax'] as const) expect(s.series[q][10], q).toBeGreaterThan(0);
  });

  it('gives the last window its rates per second of its own 5 s', () => {
    // About 1000 records a second arrive in every window, the short one included (not 500).
    expect(s.series.producedRate[10]).toBeGreaterThan(900);
    expect(s.series.producedRate[10]).toBeLessThan(1100);
    expect(s.series.processedRate[10]).toBeGreaterThan(900);
  });

  it('counts the completions of the last window in the run latency figures', () => {
    expect(s.latency.count).toBeGreaterThan(100_000);
    expect(s.latency.count).toBe(r.summary.accounting.processed + s.group.duplicates);
  });
});

describe('any duration and sample interval', () => {
  for (const [duration, interval, windows] of [
    ['20s', '3s', 7],
    ['20s', '7s', 3],
    ['9s', '10s', 1],
    ['20s', '20s', 1],
    ['10.5s', '1s', 11],
    ['8.3s', '4.1s', 3],
  ] as const) {
    it(`${duration} sampled every ${interval}: ${windows} windows, every completion counted`, () => {
      const progress: number[] = [];
      const r = simulate(parseScenario(scenario(duration, interval), 'any.yaml'), { onProgress: (f) => progress.push(f) });
      expectWholeRun(r, windows);
      // Progress is reported once per window, at its end, and reaches 1 at the run's end.
      expect(progress.length).toBe(windows);
      expect(progress.at(-1)).toBe(1);
      for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]);
    });
  }

  it('with retention deleting records, checked every 3 s, the lost series adds up to the books', () => {
    // The one member crashes at once, so every record retention deletes is lost, counted when deleted.
    const r = simulate(
      parseScenario(
        `
name: retention
duration: 25s
sample-interval: 10s
fidelity: exact
brokers: { log.retention.check.interval.ms: 3s }
topics: [{ name: t, partitions: 2, config: { retention.ms: 2s, segment.ms: 1s } }]
producers: [{ name: p, topic: t, rate: 1k/s, arrivals: paced }]
consumer-groups: [{ name: g, topic: t, instances: 1, processing: { per-record: 0ms } }]
faults: [{ type: consumer-crash, at: 0s, member: 0 }]
`,
        'retention.yaml',
      ),
    );
    const lost = r.summary.accounting.lost.retention;
    expect(lost).toBeGreaterThan(15_000);
    expect(Math.round(recordsOf(r, one(r).series.lostRate))).toBe(lost);
    expect(one(r).series.lostRate[2]).toBeGreaterThan(0); // the checks at 21 s and 24 s, in the 5 s window
  });
});

describe('a duration that is a multiple of the sample interval', () => {
  it('has no short window', () => {
    const r = simulate(parseScenario(scenario('30s', '10s'), 'whole.yaml'));
    expectWholeRun(r, 3);
    expect(r.time).toEqual([10, 20, 30]);
  });
});

/**
 * The application's step machine on its own (app/processing.ts): a batch's records end one
 * after another with their per-record time, the per-batch step ends them together, a queued
 * service call waits for its own event, and a process that dies takes back what had not ended.
 */
import { Histogram } from '../../../src/metrics/histogram.js';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../src/kernel/simulation.js';
import { parseScenario } from '../../../src/scenario/load.js';
import { SampleWindows, WindowedCounter, WindowedHistogram } from '../../../src/metrics/windows.js';
import { stream } from '../../../src/random/stream.js';
import type { PartitionLog } from '../../../src/model/log.js';
import { Service } from '../../../src/model/app/service.js';
import { Processing, type ProcessingListener, type RecordOutcome } from '../../../src/model/app/processing.js';

const MS = 1_000;

function setup(processing: string, service = '{ name: s, latency: 5ms }', maxCallers = 1) {
  const scenario = parseScenario(
    `
name: proc
duration: 10s
topics: [{ name: t, partitions: 2 }]
producers: [{ name: p, topic: t, rate: 1/s }]
consumer-groups: [{ name: g, topic: t, instances: 1, processing: ${processing} }]
services: [${service}]
`,
    'proc.yaml',
  );
  const sim = new Simulation();
  const interval = 1_000_000;
  const sampling = new SampleWindows(10 * interval, interval);
  const latency = new WindowedHistogram(sampling);
  const metrics = { processed: new WindowedCounter(sampling), latency, endToEnd: latency, inTopic: new Histogram(), inProcessing: new Histogram(), busy: new WindowedCounter(sampling) };
  const services = new Map(scenario.services.map((s) => [s.name, new Service(sim, s, stream(1, `service:${s.name}`), maxCallers, sampling)]));
  const ended: [number, number, number, RecordOutcome, number][] = [];
  const batches: number[] = [];
  const listener: ProcessingListener = {
    recordsEnded: (p, from, to, outcome) => void ended.push([p, from, to, outcome, sim.now]),
    batchEnded: () => void batches.push(sim.now),
  };
  const ctx = { sim, end: 10 * interval, interval, rtt: 0, batched: false };
  const proc = new Processing(ctx, scenario['consumer-groups'][0].processing, services, stream(1, 'member'), metrics, listener, 500, 2, 'g-00001');
  // Every record was created at time 0.
  const log = { copyCreateTimes: (_from: number, k: number, out: Float64Array, at: number) => out.fill(0, at, at + k) } as unknown as PartitionLog;
  return { sim, proc, log, metrics, ended, batches, listener };
}

describe('Processing', () => {
  it('ends records one after another and the batch after the last', () => {
    const { sim, proc, log, metrics, ended, batches } = setup('{ per-record: 2ms }');
    proc.clear();
    proc.add(0, 10, 2, log);
    proc.add(1, 0, 1, log);
    proc.start(0);
    expect(proc.oldestIncompleteIn(1, 3 * MS)).toBe(0); // record 3 ends at 6 ms
    expect(proc.oldestIncompleteIn(1, 7 * MS)).toBe(Infinity);
    sim.run(1_000_000);
    expect(batches).toEqual([6 * MS]);
    expect(ended).toEqual([
      [0, 10, 12, 'done', 6 * MS],
      [1, 0, 1, 'done', 6 * MS],
    ]);
    expect(metrics.processed.values[0]).toBe(3);
    expect(metrics.latency.at(0)!.count).toBe(3);
  });

  it('waits for a queued call at its own event (a service with a concurrency limit below the callers)', () => {
    const { sim, proc, log, batches } = setup(
      '{ per-record: 1ms, per-batch: 0ms, calls: [{ service: s, per: batch }] }',
      '{ name: s, latency: 5ms, concurrency: 1 }',
      2,
    );
    proc.clear();
    proc.add(0, 0, 3, log);
    proc.start(0);
    sim.run(1_000_000);
    expect(batches).toEqual([8 * MS]); // 3 x 1 ms, then the 5 ms call
  });

  it('ends a batch at its exact time, its event at the tick after, and starts the next there, not at the tick', () => {
    const { sim, proc, log, metrics, listener } = setup('{ per-record: 2.5us }');
    const ends: number[] = [];
    const next = () => {
      ends.push(proc.endedAt);
      if (ends.length === 4) return;
      proc.clear();
      proc.add(0, ends.length, 1, log);
      proc.start(proc.endedAt);
    };
    listener.batchEnded = next;
    proc.clear();
    proc.add(0, 0, 1, log);
    proc.start(0);
    sim.run(1_000_000);
    expect(ends).toEqual([2.5, 5, 7.5, 10]); // not 3, 6, 9, 12
    expect(metrics.processed.values[0]).toBe(4);
  });

  it('never starts before the end of a window already sampled, which is closed', () => {
    const { sim, proc, log, metrics } = setup('{ per-record: 0.2us }');
    sim.at(1_000_000, () => {
      metrics.latency.closeUntil(sim.now); // the sample at the window's end runs first
      proc.clear();
      proc.add(0, 0, 1, log);
      proc.start(999_999.5); // a batch that ended half a tick before the window's end
    });
    sim.run(2_000_000);
    expect(proc.endedAt).toBeCloseTo(1_000_000.2, 6);
    expect(Array.from(metrics.processed.values.slice(0, 2))).toEqual([0, 1]);
  });

  it('takes back completions after the moment the process dies', () => {
    const { sim, proc, log, metrics, ended, batches } = setup('{ per-record: 2ms }');
    proc.clear();
    proc.add(0, 0, 5, log);
    proc.start(0);
    sim.run(5 * MS); // records 0 and 1 ended at 2 and 4 ms
    proc.abort(sim.now);
    sim.run(1_000_000);
    expect(ended).toEqual([[0, 0, 2, 'done', 5 * MS]]);
    expect(batches).toEqual([]);
    expect(metrics.processed.values[0]).toBe(2);
  });
});

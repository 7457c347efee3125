/**
 * The record accumulator's arithmetic (RecordAccumulator.ready): a batch closes when it is full
 * (batch.size) or has waited linger.ms, so paced arrivals at rate r to one partition give
 * batches of min(batch.size, r x linger) worth of records.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/kernel/simulation.js';
import { PartitionLog } from '../../src/model/log.js';
import { Producer } from '../../src/model/producer/kafka-producer.js';
import { compileProfile } from '../../src/model/rate-profile.js';
import { compile } from '../../src/random/distributions.js';
import { stream } from '../../src/random/stream.js';
import { WindowedCounter } from '../../src/metrics/windows.js';
import { Scenario } from '../../src/scenario/schema.js';
import { simulate } from '../../src/model/pipeline.js';
import { Brokers } from '../../src/model/brokers.js';

const END = 10_000_000; // 10 s
const BASE = { name: 'b', duration: '10s', topics: [{ name: 't', partitions: 1 }], producers: [{ name: 'p', topic: 't', rate: 1 }], 'consumer-groups': [{ name: 'g', topic: 't', instances: 1 }] };

function batchesOf(rate: string, linger: number, batchSize: number, batched = false) {
  const spec = Scenario.parse({
    name: 'p',
    duration: '10s',
    topics: [{ name: 't', partitions: 1 }],
    producers: [{ name: 'p', topic: 't', rate, arrivals: 'paced', 'record-size': '100B', config: { 'linger.ms': linger, 'batch.size': batchSize } }],
    'consumer-groups': [{ name: 'g', topic: 't', instances: 1 }],
  }).producers[0];
  const sim = new Simulation();
  const log = new PartitionLog(0, !batched);
  const counter = () => new WindowedCounter(10, 1_000_000);
  const zero = compile({ dist: 'constant', value: 0 });
  const producer = new Producer({
    id: 'p',
    client: 'p',
    sim,
    spec,
    segments: compileProfile(spec.rate, END).segments,
    logs: [log],
    partitioner: null,
    weights: null,
    rng: stream(1, 'p'),
    senderRng: stream(1, 'sender:p'),
    brokers: new Brokers(Scenario.parse(BASE).brokers, 1, undefined, [], END),
    appendLatency: zero,
    replicationLatency: zero,
    rtt: 0,
    end: END,
    interval: 1_000_000,
    metrics: { produced: counter(), appended: counter(), rejected: counter(), blocked: counter(), buffer: counter() },
    onAppend: () => {},
    batched,
  });
  producer.start();
  sim.run(END);
  const sizes: number[] = [];
  for (let i = 0; i < log.batches; i++) sizes.push(log.batchEndAt(i) - (i === 0 ? 0 : log.batchEndAt(i - 1)));
  return { sizes, offered: producer.offered };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('record accumulator batch sizes', () => {
  it.each([false, true])('linger-bound: 10k/s paced with linger.ms 5 gives batches of r x linger = 50 records (batched fidelity: %s)', (batched) => {
    const { sizes, offered } = batchesOf('10k/s', 5, 1_000_000, batched);
    expect(offered).toBe(100_000);
    expect(Math.abs(mean(sizes) - 50)).toBeLessThan(0.5);
    expect(Math.min(...sizes.slice(0, -1))).toBeGreaterThanOrEqual(49);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(51);
  });

  it.each([false, true])('size-bound: batch.size 2000 bytes of 100-byte records gives batches of 20 (batched fidelity: %s)', (batched) => {
    const { sizes } = batchesOf('10k/s', 5, 2000, batched);
    expect(sizes.slice(0, -1).every((n) => n === 20)).toBe(true);
  });

  it('linger.ms 0 sends every record on its own at a low rate', () => {
    const { sizes } = batchesOf('100/s', 0, 16384);
    expect(sizes.every((n) => n === 1)).toBe(true);
  });
});

describe('producer instances', () => {
  const run = (instances: number) =>
    simulate(
      Scenario.parse({
        name: 'inst',
        duration: '30s',
        fidelity: 'exact',
        topics: [{ name: 't', partitions: 6 }],
        producers: [{ name: 'p', topic: 't', instances, rate: '6k/s', keys: { dist: 'uniform', count: 1000 } }],
        'consumer-groups': [{ name: 'g', topic: 't', instances: 2 }],
      }),
    );

  it('share the rate: N instances offer what one does, within sampling noise', () => {
    const one = run(1).summary.accounting.offered;
    const four = run(4).summary.accounting.offered;
    expect(Math.abs(four - one) / one).toBeLessThan(0.02);
  });
});

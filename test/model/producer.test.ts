/**
 * The record accumulator's arithmetic (RecordAccumulator.ready): a batch closes when it is full
 * (batch.size) or has waited linger.ms, so paced arrivals at rate r to one partition give
 * batches of min(batch.size, r x linger) worth of records.
 */
import { describe, expect, it } from 'vitest';
import { Scenario } from '../../src/scenario/schema.js';
import { simulate } from '../../src/model/simulate.js';
import { parseScenario } from '../../src/scenario/load.js';
import { producerFrom } from './builders.js';

function batchesOf(rate: string, linger: number, batchSize: number, batched = false) {
  const { producer, logs, run } = producerFrom(
    {
      network: { rtt: '0ms' },
      brokers: { 'append-latency': '0ms', 'replication-latency': '0ms' },
      producers: [{ name: 'p', topic: 't', rate, arrivals: 'paced', 'record-size': '100B', config: { 'linger.ms': linger, 'batch.size': batchSize } }],
    },
    batched,
  );
  run();
  const log = logs[0];
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

describe('a producer without arrivals', () => {
  it('batches and appends what is sent to it by hand, as a stage producer will be used', () => {
    // linger.ms 5 and 1 record/ms: each batch holds the 5 records of its 5 ms.
    const { producer, logs } = producerFrom({
      network: { rtt: '0ms' },
      brokers: { 'append-latency': '0ms', 'replication-latency': '0ms' },
      producers: [{ name: 'p', topic: 't', rate: 1, config: { 'linger.ms': 5 } }],
    });
    producer.application = null;
    for (let i = 0; i < 100; i++) producer.send(0, i * 1000, 100);
    expect(producer.inProducer()).toBeGreaterThan(0);
    producer.advanceTo(200_000);
    const log = logs[0];
    const sizes: number[] = [];
    for (let i = 0; i < log.batches; i++) sizes.push(log.batchEndAt(i) - (i === 0 ? 0 : log.batchEndAt(i - 1)));
    expect(sizes).toEqual(new Array(20).fill(5));
    expect(producer.offered).toBe(100);
    expect(producer.inProducer()).toBe(0);
  });
});

// Issue 21, defect 17: record sizes from a continuous law were fractional bytes, and the buffer in
// use could read -3.5e-9.
describe('record sizes are whole bytes', () => {
  it.each(['exact', 'batched'])('so the buffer in use is a whole, non-negative number of bytes (%s)', (fidelity) => {
    const r = simulate(
      parseScenario(
        `
name: sizes
duration: 20s
fidelity: ${fidelity}
brokers: { max-bytes-in-per-second: 2MB }
topics: [{ name: t, partitions: 3 }]
producers:
  - { name: p, topic: t, rate: 3k/s, record-size: { dist: lognormal, p50: 700B, p99: 3KiB }, config: { batch.size: 1024, buffer.memory: 200000, max.block.ms: 200 } }
consumer-groups: [{ name: g, topic: t, instances: 1, processing: { per-record: 10us } }]
`,
        'sizes.yaml',
      ),
    );
    const buffer = Object.values(r.series.topics)[0].producerBufferBytes;
    expect(buffer.length).toBeGreaterThan(0);
    for (const b of buffer) expect(Number.isInteger(b) && b >= 0, `buffer ${b}`).toBe(true);
    const max = Object.values(r.summary.topics)[0].producer.maxBufferBytes;
    expect(Number.isInteger(max)).toBe(true);
  });
});

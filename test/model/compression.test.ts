/**
 * compression.type (model/producer/compression.ts): batches fill by Kafka's estimate of their
 * compressed size (MemoryRecordsBuilder: uncompressed x ratio x 1.05, the next record counted
 * uncompressed), and every byte past the accumulator is compressed: the log's bytes, the
 * broker's byte rate and the client's byte-rate quota.
 */
import { describe, expect, it } from 'vitest';
import { Scenario, type ScenarioInput } from '../../src/scenario/schema.js';
import { simulate } from '../../src/model/simulate.js';
import { producerFrom } from './builders.js';

type Config = Record<string, unknown>;

/** 10k/s paced records of 100 B to one partition, appended at once; batches by batch.size. */
function rig(config: Config, ratio?: number, batched = false) {
  const { producer, logs, run } = producerFrom(
    {
      network: { rtt: '0ms' },
      brokers: { 'append-latency': '0ms', 'replication-latency': '0ms' },
      producers: [
        {
          name: 'p',
          topic: 't',
          rate: '10k/s',
          arrivals: 'paced',
          'record-size': '100B',
          ...(ratio === undefined ? {} : { 'compression-ratio': ratio }),
          config: { 'linger.ms': 1000, 'batch.size': 2000, ...config },
        },
      ],
    },
    batched,
  );
  run();
  const log = logs[0];
  const sizes: number[] = [];
  for (let i = 0; i < log.batches; i++) sizes.push(log.batchEndAt(i) - (i === 0 ? 0 : log.batchEndAt(i - 1)));
  return { records: log.batchEndAt(log.batches - 1), bytes: log.sizeInBytes, sizes, offered: producer.offered };
}

describe('compression.type', () => {
  it.each([false, true])('a 4x ratio quarters the bytes the broker appends per record (batched fidelity: %s)', (batched) => {
    const none = rig({}, undefined, batched);
    const lz4 = rig({ 'compression.type': 'lz4' }, 4, batched);
    expect(none.bytes / none.records).toBe(100);
    expect(lz4.bytes / lz4.records).toBe(25);
    expect(lz4.offered).toBe(none.offered);
  });

  it.each([false, true])('batch.size is measured on the estimated compressed size: 73 records of 100 B in 2000 B at 4x, not 20 (batched fidelity: %s)', (batched) => {
    // Full when estimate + next record > batch.size: 72 x 26.25 + 100 = 1990 <= 2000 takes a 73rd;
    // 73 x 26.25 + 100 = 2016.25 > 2000 closes the batch.
    expect(rig({}, undefined, batched).sizes.slice(0, -1).every((n) => n === 20)).toBe(true);
    const sizes = rig({ 'compression.type': 'zstd' }, 4, batched).sizes.slice(0, -1);
    expect(sizes.length).toBeGreaterThan(10);
    expect(sizes.every((n) => n === 73)).toBe(true);
  });

  it('a codec without a stated ratio uses its default (lz4: 2.2)', () => {
    const lz4 = rig({ 'compression.type': 'lz4' });
    expect(lz4.bytes / lz4.records).toBeCloseTo(100 / 2.2, 9);
  });

  it('a producer_byte_rate quota admits 4x the records at 4x compression', () => {
    // 2k/s of 512 B: 1 MB/s uncompressed, 256 kB/s at 4x, against a 200 kB/s quota either way.
    const appendedPerSecond = (compression: Config) => {
      const r = simulate(
        Scenario.parse({
          name: 'q',
          duration: '66s',
          fidelity: 'exact',
          brokers: { count: 1, quotas: { p: { producer_byte_rate: 200_000 } } },
          topics: [{ name: 't', partitions: 1, 'replication-factor': 1 }],
          producers: [{ name: 'p', topic: 't', rate: '2k/s', ...compression, config: { 'buffer.memory': 1_000_000_000, ...(compression.config as Config) } }],
          'consumer-groups': [{ name: 'g', topic: 't', instances: 1 }],
        } as ScenarioInput),
      );
      return r.summary.accounting.appended / 66;
    };
    const plain = appendedPerSecond({ config: {} });
    const compressed = appendedPerSecond({ 'compression-ratio': 4, config: { 'compression.type': 'gzip' } });
    // The quota's bytes per second, in records of 512 B and of 128 B.
    expect(plain / (200_000 / 512)).toBeGreaterThan(0.95);
    expect(plain / (200_000 / 512)).toBeLessThan(1.1);
    expect(compressed / (200_000 / 128)).toBeGreaterThan(0.95);
    expect(compressed / (200_000 / 128)).toBeLessThan(1.1);
    expect(compressed / plain).toBeGreaterThan(3.5);
  });

  it('the broker\'s max-bytes-in-per-second admits 4x the records at 4x compression', () => {
    const appended = (compression: Config) =>
      simulate(
        Scenario.parse({
          name: 'b',
          duration: '20s',
          fidelity: 'exact',
          brokers: { count: 1, 'max-bytes-in-per-second': 100_000 },
          topics: [{ name: 't', partitions: 1, 'replication-factor': 1 }],
          producers: [{ name: 'p', topic: 't', rate: '1k/s', 'on-buffer-full': 'drop', ...compression, config: { 'buffer.memory': 1_000_000, ...(compression.config as Config) } }],
          'consumer-groups': [{ name: 'g', topic: 't', instances: 1 }],
        } as ScenarioInput),
      ).summary.accounting.appended;
    const plain = appended({ config: {} });
    const compressed = appended({ 'compression-ratio': 4, config: { 'compression.type': 'snappy' } });
    // 1k/s x 512 B = 512 kB/s offered: about 195 records/s fit through 100 kB/s; 4x that at 4x.
    expect(plain / 20 / (100_000 / 512)).toBeGreaterThan(0.9);
    expect(plain / 20 / (100_000 / 512)).toBeLessThan(1.1);
    expect(compressed / plain).toBeGreaterThan(3.6);
    expect(compressed / plain).toBeLessThan(4.4);
  });
});

describe('enable.idempotence, as ProducerConfig resolves it (Kafka 4.0)', () => {
  const producer = (extra: Record<string, unknown>) =>
    Scenario.safeParse({
      name: 'i',
      duration: '1s',
      topics: [{ name: 't', partitions: 1 }],
      producers: [{ name: 'p', topic: 't', rate: 1, ...extra }],
      'consumer-groups': [{ name: 'g', topic: 't', instances: 1 }],
    });
  const problems = (extra: Record<string, unknown>) => {
    const r = producer(extra);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  const idempotence = (extra: Record<string, unknown>) => {
    const r = producer(extra);
    if (!r.success) throw new Error(r.error.message);
    return r.data.producers[0].config['enable.idempotence'];
  };

  it('is on by default', () => {
    expect(idempotence({})).toBe(true);
    expect(idempotence({ config: { acks: 'all', retries: 3 } })).toBe(true);
  });

  it('left unset, acks other than all or retries 0 turn it off silently', () => {
    expect(idempotence({ config: { acks: 1 } })).toBe(false);
    expect(idempotence({ config: { acks: '0' } })).toBe(false);
    expect(idempotence({ config: { retries: 0 } })).toBe(false);
  });

  it('set to true, acks other than all and retries 0 are errors', () => {
    expect(problems({ config: { 'enable.idempotence': true, acks: 1 } })).toEqual([expect.stringMatching(/^producers\.0\.config\.acks: expected acks: all with enable.idempotence: true, got 1/)]);
    expect(problems({ config: { 'enable.idempotence': true, retries: 0 } })).toEqual([expect.stringMatching(/^producers\.0\.config\.retries: expected retries > 0/)]);
  });

  it('more than 5 requests in flight is an error unless idempotence is set off, even with acks=1', () => {
    const msg = /^producers\.0\.config\.max\.in\.flight\.requests\.per\.connection: expected at most 5 with idempotence/;
    expect(problems({ config: { 'max.in.flight.requests.per.connection': 6 } })).toEqual([expect.stringMatching(msg)]);
    // Kafka checks in-flight while idempotence is still on, before a defaulted one is turned off.
    expect(problems({ config: { 'max.in.flight.requests.per.connection': 6, acks: 1 } })).toEqual([expect.stringMatching(msg)]);
    expect(problems({ config: { 'max.in.flight.requests.per.connection': 6, 'enable.idempotence': false } })).toEqual([]);
    expect(idempotence({ config: { 'max.in.flight.requests.per.connection': 6, 'enable.idempotence': false, acks: 1 } })).toBe(false);
  });

  it('a compression-ratio without a codec is an error', () => {
    expect(problems({ 'compression-ratio': 4 })).toEqual([expect.stringMatching(/^producers\.0\.compression-ratio: expected config\.compression\.type/)]);
  });
});

describe('retries', () => {
  it('retries 0 rejects a batch whose request failed instead of sending it again', () => {
    // The only broker is lost at 1 s (connections reset) and back 2 s later: requests in flight fail.
    const run = (retries: number) =>
      simulate(
        Scenario.parse({
          name: 'r',
          duration: '5s',
          fidelity: 'exact',
          network: { rtt: '20ms' },
          brokers: { count: 1, 'append-latency': '5ms' },
          topics: [{ name: 't', partitions: 1, 'replication-factor': 1 }],
          producers: [{ name: 'p', topic: 't', rate: '1k/s', config: { retries, 'enable.idempotence': false } }],
          'consumer-groups': [{ name: 'g', topic: 't', instances: 1 }],
          faults: [{ type: 'broker-loss', at: '1s', broker: 0, failover: '1s', 'restart-after': '2s', connections: 'reset' }],
        } as ScenarioInput),
      ).summary.accounting;
    const none = run(0);
    const many = run(2_147_483_647);
    expect(none.rejected['retries-exhausted']).toBeGreaterThan(0);
    expect(many.rejected['retries-exhausted']).toBeUndefined();
  });
});

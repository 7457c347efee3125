/**
 * Callers blocked in send() (model/producer/waiters.ts, model/run-limit.ts, issue 21): held in
 * chunks, FIFO across chunk boundaries, 12 bytes a caller while sizes are alike and 20 once they
 * differ, given back as they leave; a run whose blocked callers would pass its limit stops with a
 * RunLimitError naming the producer, the time, the callers and the knobs (not a KernelError);
 * the estimate counts them where blocking is certain, never more than a run then blocks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Scenario, type ScenarioInput } from '../../src/scenario/schema.js';
import { simulate } from '../../src/model/simulate.js';
import { certainlyBlocked } from '../../src/model/estimate.js';
import { asRunLimit, BlockedMemory, blockedLimit, MAX_BLOCKED_BYTES, MIN_BLOCKED_BYTES, RunLimitError, type BlockedLimit } from '../../src/model/run-limit.js';
import { CALLER_BYTES, CALLER_BYTES_SIZED, Waiters, type WaitersOwner } from '../../src/model/producer/waiters.js';
import { one } from '../helpers/one-stage.js';
import { producerFrom } from './builders.js';

const OWNER: WaitersOwner = { producer: 'p', instances: 1, instance: 'p', rate: 1e6, bytesPerCaller: CALLER_BYTES, bufferMemory: 32 * 2 ** 20, maxBlock: 60e6 };

/** The error `work` throws, unwrapped from the kernel's KernelError if need be. */
function limitOf(work: () => unknown): RunLimitError {
  try {
    work();
  } catch (e) {
    const limit = asRunLimit(e);
    if (limit) return limit;
    throw e;
  }
  throw new Error('expected the run to stop at its limit');
}

describe('Waiters', () => {
  it('is FIFO across chunks, with each caller its own size once sizes differ', () => {
    const memory = new BlockedMemory(2 ** 30);
    const w = new Waiters(memory, OWNER);
    const model: [number, number, number][] = [];
    let t = 0;
    // Pushes and shifts interleaved so that chunks fill, empty and are given back mid-stream.
    for (let round = 0; round < 40; round++) {
      const pushes = 1 + ((round * 7919) % 3000);
      for (let i = 0; i < pushes; i++) {
        const size = round < 10 ? 512 : 100 + ((i * 31) % 900);
        w.push(t, (t * 13) % 97, size);
        model.push([t, (t * 13) % 97, size]);
        t++;
      }
      const shifts = Math.min(model.length, (round * 104_729) % 2500);
      for (let i = 0; i < shifts; i++) {
        const [mt, mp, ms] = model.shift()!;
        expect([w.firstArrival(), w.firstPartition(), w.firstSize()]).toEqual([mt, mp, ms]);
        w.shift();
      }
      expect(w.length).toBe(model.length);
    }
    while (model.length > 0) {
      const [mt, mp, ms] = model.shift()!;
      expect([w.firstArrival(), w.firstPartition(), w.firstSize()]).toEqual([mt, mp, ms]);
      w.shift();
    }
    w.clear();
    expect(memory.bytes).toBe(0);
  });

  it('takes 12 bytes a caller while sizes are alike, 20 once they differ, and gives chunks back as callers leave', () => {
    const memory = new BlockedMemory(2 ** 30);
    const w = new Waiters(memory, OWNER);
    const n = 1_000_000;
    for (let i = 0; i < n; i++) w.push(i, i % 8, 512);
    // Chunks double from 256 callers to 65,536: at most one chunk's room is unused.
    expect(memory.bytes).toBeGreaterThanOrEqual(n * CALLER_BYTES);
    expect(memory.bytes).toBeLessThan((n + 65_536) * CALLER_BYTES);
    for (let i = 0; i < n - 10; i++) w.shift();
    expect(memory.bytes).toBeLessThanOrEqual(65_536 * CALLER_BYTES);
    w.clear();
    expect(memory.bytes).toBe(0);
    for (let i = 0; i < n; i++) w.push(i, 0, 100 + (i % 5));
    expect(memory.bytes).toBeGreaterThanOrEqual(n * CALLER_BYTES_SIZED);
    expect(memory.bytes).toBeLessThan((n + 65_536) * CALLER_BYTES_SIZED);
  });

  it("stops at the run's limit, counting every producer's callers", () => {
    const memory = new BlockedMemory(1_000_000);
    const a = new Waiters(memory, OWNER);
    const b = new Waiters(memory, { ...OWNER, producer: 'q', instance: 'q-1', instances: 2 });
    for (let i = 0; i < 20_000; i++) a.push(i, 0, 512);
    const e = limitOf(() => {
      for (let i = 0; ; i++) b.push(1e6 + i, 0, 512);
    });
    expect(e).toBeInstanceOf(RunLimitError);
    expect(e.limit).toMatchObject({ producer: 'q', instance: 'q-1', instances: 2, limit: 1_000_000 });
    expect(e.limit.callers).toBe(a.length + b.length);
    expect(e.limit.bytes).toBeGreaterThan(1_000_000);
    expect(e.message).toMatch(/^expected a run that fits in memory: at 1\.\d+ s of simulated time [\d.]+k callers were blocked in send\(\), as many as a run may hold \(977 KiB\), and more were arriving at producer q \(instance q-1 of 2\): /);
  });

  it('a limit leaves what the estimate needs of the run, between 16 MiB and 512 MiB', () => {
    expect(blockedLimit(0, 1.5 * 2 ** 30)).toBe(MAX_BLOCKED_BYTES);
    expect(blockedLimit(1.25 * 2 ** 30, 1.5 * 2 ** 30)).toBe(0.25 * 2 ** 30);
    expect(blockedLimit(1.5 * 2 ** 30, 1.5 * 2 ** 30)).toBe(MIN_BLOCKED_BYTES);
  });
});

/** One producer at `rate` of 500-byte records into brokers taking `brokerRate`, buffer.memory 1 MiB. */
const overloaded = (o: { rate: string; brokerRate: string; duration: string; maxBlock?: number; limit?: number; sizes?: unknown }) =>
  producerFrom(
    {
      duration: o.duration,
      fidelity: 'exact',
      brokers: { count: 1, 'max-bytes-in-per-second': o.brokerRate },
      producers: [{ name: 'p', topic: 't', rate: o.rate, arrivals: 'paced', 'record-size': (o.sizes ?? '500B') as ScenarioInput['producers'][number]['record-size'], config: { 'buffer.memory': '1MiB', 'max.block.ms': o.maxBlock ?? 60_000, acks: 1 } }],
    } as Partial<ScenarioInput> & Pick<ScenarioInput, 'producers'>,
    false,
    o.limit,
  );

describe('a run over its limit on blocked callers', () => {
  it('stops at the caller that passes it, with the producer, the time and the figures', () => {
    // 100k/s against 1 MB/s (2k records/s): callers pile up at 98k/s; 4 MB holds ~330k of them.
    const rig = overloaded({ rate: '100k/s', brokerRate: '1MB', duration: '30s', limit: 4_000_000 });
    const e = limitOf(() => rig.run());
    const l: BlockedLimit = e.limit;
    expect(l.rate).toBeCloseTo(100_000, 6);
    expect(l).toMatchObject({ producer: 'p', instances: 1, bytesPerCaller: CALLER_BYTES, bufferMemory: 2 ** 20, maxBlock: 60e6, limit: 4_000_000 });
    expect(l.callers).toBeGreaterThan(300_000);
    expect(l.callers * CALLER_BYTES).toBeLessThanOrEqual(4_000_000);
    // The buffer fills in ~10 ms; then 98k callers a second.
    expect(l.time / 1e6).toBeCloseTo(l.callers / 98_000, 0);
    expect(e.message).toContain('at its rate (100k records/s) up to 6M callers could wait at once, each for up to max.block.ms (1 min), 68.7 MiB to hold them');
    expect(e.message).toContain("lower its rate, raise the brokers' max-bytes-in-per-second, shorten max.block.ms, enlarge buffer.memory (1 MiB), or set on-buffer-full: drop");
  });

  it('counts 20 bytes a caller when sizes differ (exact fidelity, a size law)', () => {
    const rig = overloaded({ rate: '100k/s', brokerRate: '1MB', duration: '30s', limit: 4_000_000, sizes: { dist: 'uniform', min: 400, max: 600 } });
    const e = limitOf(() => rig.run());
    expect(e.limit.bytesPerCaller).toBe(CALLER_BYTES_SIZED);
    expect(e.limit.callers * CALLER_BYTES_SIZED).toBeLessThanOrEqual(4_000_000);
    expect(e.limit.callers).toBeGreaterThan(150_000);
  });

  it('the same overload under its limit runs, its memory bounded by what waits, not by what has waited', () => {
    // max.block.ms 1 s: at most ~100k callers wait at once, though 3M arrive and 2.9M are rejected.
    const rig = overloaded({ rate: '100k/s', brokerRate: '1MB', duration: '30s', maxBlock: 1000, limit: 4_000_000 });
    rig.run();
    const p = rig.producer;
    expect(p.rejected['buffer-exhausted']).toBeGreaterThan(2_800_000);
    expect(p.blockedCallers()).toBeGreaterThan(90_000);
    expect(p.blockedCallers()).toBeLessThanOrEqual(100_000);
  });

  it('is a RunLimitError out of simulate(), not a KernelError, the same with the producers on their own thread', () => {
    const s = Scenario.parse({
      name: 'limit',
      duration: '1m',
      fidelity: 'batched',
      network: { rtt: '0ms' },
      brokers: { 'append-latency': { dist: 'exponential', mean: '1ms' }, 'replication-latency': { dist: 'exponential', mean: '1ms' } },
      topics: [{ name: 't', partitions: 8 }],
      producers: [{ name: 'web', topic: 't', rate: '1e9/s' }],
      'consumer-groups': [{ name: 'g', topic: 't', instances: 1 }],
    } as ScenarioInput);
    const limits = [false, true].map((producerThread) => {
      let thrown: unknown;
      try {
        simulate(s, { producerThread });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(RunLimitError);
      return (thrown as RunLimitError).limit;
    });
    expect(limits[1]).toEqual(limits[0]);
    const l = limits[0];
    expect(l).toMatchObject({ producer: 'web', limit: MAX_BLOCKED_BYTES, bytesPerCaller: CALLER_BYTES });
    expect(l.callers).toBeGreaterThan(0.99 * (MAX_BLOCKED_BYTES / CALLER_BYTES));
    expect(l.time).toBeLessThan(100_000);
  }, 120_000);
});

describe('blocking the estimate is certain of', () => {
  it('is never more than a run blocks: callers still waiting at the end of the first max.block.ms', () => {
    fc.assert(
      fc.property(
        fc.record({
          rate: fc.integer({ min: 2_000, max: 40_000 }),
          size: fc.integer({ min: 100, max: 2_000 }),
          brokerRate: fc.integer({ min: 100_000, max: 4_000_000 }),
          memory: fc.integer({ min: 16_384, max: 2_000_000 }),
          maxBlock: fc.integer({ min: 200, max: 3_000 }),
          acks: fc.constantFrom(1, 'all'),
          brokers: fc.integer({ min: 1, max: 3 }),
        }),
        (c) => {
          const snippet = {
            duration: `${c.maxBlock}ms`,
            fidelity: 'exact' as const,
            network: { rtt: '1ms' },
            brokers: { count: c.brokers, 'max-bytes-in-per-second': c.brokerRate, 'append-latency': '1ms', 'replication-latency': '1ms' },
            topics: [{ name: 't', partitions: 4 }],
            producers: [
              {
                name: 'p',
                topic: 't',
                rate: `${c.rate}/s`,
                arrivals: 'paced' as const,
                'record-size': `${c.size}B`,
                keys: { dist: 'uniform' as const, count: 100 },
                config: { 'buffer.memory': c.memory, 'max.block.ms': c.maxBlock, acks: c.acks },
              },
            ],
          };
          const bound = certainlyBlocked(Scenario.parse({ name: 'b', 'consumer-groups': [{ name: 'g', topic: 't', instances: 1 }], ...snippet } as ScenarioInput));
          const rig = producerFrom(snippet as Partial<ScenarioInput> & Pick<ScenarioInput, 'producers'>);
          rig.run();
          expect(rig.producer.blockedCallers()).toBeGreaterThanOrEqual(Math.floor(bound.callers) - 1);
        },
      ),
      { numRuns: 40, seed: 21_007 },
    );
  }, 120_000);

  it('sees the overload of a broker at 1 B/s, and none in the shipped scenarios', () => {
    const s = (rate: string, extra: Record<string, unknown> = {}) =>
      Scenario.parse({
        name: 'c',
        duration: '10m',
        brokers: { 'max-bytes-in-per-second': 1, ...extra },
        topics: [{ name: 't', partitions: 8 }],
        producers: [{ name: 'p', topic: 't', rate }],
        'consumer-groups': [{ name: 'g', topic: 't', instances: 1 }],
      } as ScenarioInput);
    // 20k/s for the first 60 s, less what 32 MiB holds and 180 B the brokers take.
    const c = certainlyBlocked(s('20k/s'));
    expect(c).toMatchObject({ at: 60e6, bound: 'max.block.ms', producer: 0, brokerBytes: 180 });
    expect(c.callers).toBeCloseTo(1_200_000 - 2 ** 25 / 512, -1);
    expect(certainlyBlocked({ ...s('20k/s'), producers: s('20k/s').producers.map((p) => ({ ...p, 'on-buffer-full': 'drop' as const })) }).callers).toBe(0);
    expect(certainlyBlocked({ ...s('20k/s'), producers: s('20k/s').producers.map((p) => ({ ...p, config: { ...p.config, acks: 0 as const } })) }).callers).toBe(0);
    // Without a byte rate and with latencies that can be 0, nothing bounds what the brokers take.
    const open = Scenario.parse({
      name: 'o',
      duration: '1m',
      network: { rtt: '0ms' },
      brokers: { 'append-latency': { dist: 'exponential', mean: '1ms' } },
      topics: [{ name: 't', partitions: 8 }],
      producers: [{ name: 'p', topic: 't', rate: '1e9/s', config: { acks: 1 } }],
      'consumer-groups': [{ name: 'g', topic: 't', instances: 1 }],
    } as ScenarioInput);
    expect(certainlyBlocked(open).callers).toBe(0);
  });
});

describe('moderate blocking', () => {
  it('a few thousand callers at once run to the end, and the books balance: offered = appended + buffer-exhausted', () => {
    const input = {
      name: 'moderate',
      seed: 3,
      duration: '20s',
      fidelity: 'exact',
      brokers: { count: 1, 'max-bytes-in-per-second': '4MB' },
      topics: [{ name: 't', partitions: 4 }],
      // 10k/s x 500 B against 4 MB/s: 2k callers a second more than are served, each waiting 1 s.
      producers: [
        {
          name: 'p',
          topic: 't',
          rate: { phases: [{ for: '10s', rate: '10k/s' }, { rate: '0/s' }] },
          'record-size': '500B',
          config: { 'buffer.memory': '256KiB', 'max.block.ms': 1000, acks: 1 },
        },
      ],
      'consumer-groups': [{ name: 'g', topic: 't', instances: 1 }],
    } as ScenarioInput;
    const s = Scenario.parse(input);
    const r = simulate(s);
    const a = r.summary.accounting;
    expect(a.rejected['buffer-exhausted']).toBeGreaterThan(10_000);
    expect(a.inProducer).toBe(0);
    expect(a.appended + a.rejected['buffer-exhausted']).toBe(a.offered);
    expect(one(r).producer.blockedSeconds).toBeGreaterThan(9);
    // At the overload's end ~2,000 callers wait at once.
    const rig = producerFrom({ ...input, duration: '9s' });
    rig.run();
    expect(rig.producer.blockedCallers()).toBeGreaterThan(1_000);
    expect(rig.producer.blockedCallers()).toBeLessThan(10_000);
    expect(JSON.stringify(simulate(s, { producerThread: true }))).toBe(JSON.stringify(r));
  }, 60_000);
});

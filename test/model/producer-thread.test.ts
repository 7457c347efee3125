/**
 * A run whose producers run on a thread of their own (model/producer-thread.ts) gives the same
 * RunResult, byte for byte, as the same run with its producers inline: over random scenarios
 * with faults and rebalances, both fidelities, and hand-picked cases for every producer
 * mechanism (several producers and instances, a full buffer blocking or dropping, acks=0 losses
 * to a lost broker, retries, quotas, retention deletions).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import path from 'node:path';
import { Scenario, type ScenarioInput } from '../../src/scenario/schema.js';
import { loadScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/model/simulate.js';
import { producerThreadsStarted } from '../../src/model/producer-thread.js';
import { prepare, replicate } from '../../src/run.js';
import { PRODUCER_THREAD_RECORDS } from '../../src/model/simulate.js';
import { expectedRecords } from '../../src/model/estimate.js';
import { scenarioArb } from './arbitrary.js';
import { one } from '../helpers/one-stage.js';

const same = (scenario: Scenario) => {
  const inline = JSON.stringify(simulate(scenario));
  const threaded = JSON.stringify(simulate(scenario, { producerThread: true }));
  expect(threaded.length).toBe(inline.length);
  expect(threaded === inline).toBe(true);
  return JSON.parse(inline) as ReturnType<typeof simulate>;
};

const base = (o: { fidelity: 'exact' | 'batched'; producers: unknown[]; perRecord?: string; brokers?: Record<string, unknown>; faults?: unknown[]; topic?: Record<string, unknown> }) =>
  Scenario.parse({
    name: 'pt',
    seed: 5,
    duration: '30s',
    'sample-interval': '1s',
    fidelity: o.fidelity,
    network: { rtt: '1ms' },
    brokers: { count: 3, 'append-latency': { dist: 'exponential', mean: '1ms' }, 'replication-latency': { dist: 'exponential', mean: '2ms' }, ...(o.brokers ?? {}) },
    topics: [{ name: 't', partitions: 6, ...(o.topic ?? {}) }],
    producers: o.producers,
    'consumer-groups': [{ name: 'g', topic: 't', instances: 2, processing: { 'per-record': o.perRecord ?? '200us' } }],
    faults: o.faults ?? [],
  } as ScenarioInput);

/** The scenario with an append latency no sampler knows: its producers fail at their first request. */
const withBrokenSampler = (s: Scenario) => ({ ...s, brokers: { ...s.brokers, 'append-latency': { dist: 'no-such-law' } } }) as unknown as Scenario;

describe('producers on a thread of their own', () => {
  it('give the same output as inline, over random scenarios with faults and rebalances', () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        same(Scenario.parse(input));
      }),
      { numRuns: 8, seed: 20_261_202 },
    );
  });

  for (const fidelity of ['exact', 'batched'] as const) {
    it(`several producers and instances, a lost broker, retries and a slowdown (${fidelity})`, () => {
      const r = same(
        base({
          fidelity,
          producers: [
            { name: 'a', topic: 't', rate: '2k/s', arrivals: 'poisson', keys: { dist: 'uniform', count: 100 }, config: { acks: 'all', 'linger.ms': 2, 'request.timeout.ms': 2000 } },
            { name: 'b', topic: 't', rate: '900/s', instances: 3, arrivals: 'paced', keys: { dist: 'null' }, config: { acks: 0 } },
          ],
          faults: [
            { type: 'broker-loss', at: '5s', broker: 1, failover: '3s', 'restart-after': '10s' },
            { type: 'broker-slowdown', at: '12s', for: '4s', broker: 0, factor: 10 },
          ],
        }),
      );
      expect(one(r).producer.retries).toBeGreaterThan(0);
    });

    it(`a full buffer that blocks, and one that drops, behind quotas and a slow broker (${fidelity})`, () => {
      for (const mode of ['block', 'drop']) {
        const r = same(
          base({
            fidelity,
            brokers: { 'max-bytes-in-per-second': '1MB', quotas: { a: { producer_byte_rate: 800_000 } } },
            producers: [
              { name: 'a', topic: 't', rate: '3k/s', 'record-size': '1KiB', 'on-buffer-full': mode, config: { 'buffer.memory': 262_144, 'max.block.ms': 200 } },
            ],
          }),
        );
        expect(Object.keys(r.summary.accounting.rejected).length).toBeGreaterThan(0);
      }
    });
  }

  it('retention deleting segments while the group lags', () => {
    const r = same(
      base({
        fidelity: 'exact',
        brokers: { 'log.retention.check.interval.ms': 1000 },
        topic: { config: { 'retention.ms': 5000, 'segment.ms': 1000 } },
        producers: [{ name: 'a', topic: 't', rate: '5k/s' }],
        perRecord: '2ms',
      }),
    );
    expect(r.summary.accounting.lost.retention ?? 0).toBeGreaterThan(0);
  });

  it('flash-sale through its first minutes, as shipped', () => {
    const file = path.resolve(import.meta.dirname, '../../scenarios/flash-sale.yaml');
    const s = loadScenario(file);
    same({ ...s, duration: 6 * 60 * 1_000_000 });
  });
});

describe('a producer thread that fails', () => {
  it("fails the run with the thread's own error", () => {
    const s = base({ fidelity: 'exact', producers: [{ name: 'a', topic: 't', rate: '1k/s' }] });
    const broken = withBrokenSampler(s);
    const messageOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    const inline = messageOf(() => simulate(broken));
    expect(inline).toMatch(/^at t=0 in a: slice: /);
    expect(messageOf(() => simulate(broken, { producerThread: true }))).toBe(inline);
  });
});

describe('the producer thread between runs', () => {
  const exact = () => base({ fidelity: 'exact', producers: [{ name: 'a', topic: 't', rate: '2k/s', arrivals: 'poisson' }] });
  const batched = () => base({ fidelity: 'batched', producers: [{ name: 'b', topic: 't', rate: '20k/s', instances: 2 }] });

  it('serves the next runs, of either fidelity, with the same output as inline', () => {
    same(exact());
    const before = producerThreadsStarted();
    same(batched());
    same(exact());
    same(batched());
    expect(producerThreadsStarted()).toBe(before);
  });

  it('is replaced after a run that failed on the run side while it was producing', () => {
    same(exact());
    const before = producerThreadsStarted();
    // The run fails at its 5th sample (of 30): the thread is mid-run, or blocked on a full ring.
    let samples = 0;
    const failing = () =>
      simulate(exact(), {
        producerThread: true,
        onProgress: () => {
          if (++samples === 5) throw new Error('stopped by the caller');
        },
      });
    expect(failing).toThrow('stopped by the caller');
    same(exact());
    same(batched());
    expect(producerThreadsStarted()).toBe(before + 1);
  });

  it("starts ahead of the CLI's run when that run will take it, and is the one it takes", async () => {
    const s = exact();
    const broken = withBrokenSampler(s);
    expect(() => simulate(broken, { producerThread: true })).toThrow(/slice/); // no thread waits now
    const big = base({ fidelity: 'batched', producers: [{ name: 'b', topic: 't', rate: '80k/s' }] });
    expect(expectedRecords(s)).toBeLessThan(PRODUCER_THREAD_RECORDS);
    expect(expectedRecords(big)).toBeGreaterThanOrEqual(PRODUCER_THREAD_RECORDS);
    const before = producerThreadsStarted();
    // Whether another core is idle is the machine's to say; here it is said to be.
    process.env.LAGSIM_PRODUCER_THREAD = 'on';
    prepare(s, { replications: 1, jobs: 2 }); // too small to gain from a thread
    prepare(big, { replications: 1, jobs: 1 }); // one core
    prepare(big, { replications: 2, jobs: 2 }); // replications run on the pool
    expect(producerThreadsStarted()).toBe(before);
    prepare(big, { replications: 1, jobs: 2 });
    prepare(big, { replications: 1, jobs: 2 }); // one is waiting already
    expect(producerThreadsStarted()).toBe(before + 1);
    const replicated = await replicate(big, { replications: 1, jobs: 2 });
    expect(producerThreadsStarted()).toBe(before + 1);
    expect(JSON.stringify(replicated.median)).toBe(JSON.stringify(simulate(big)));
    delete process.env.LAGSIM_PRODUCER_THREAD;
  });

  it('is not taken when no other core is idle (LAGSIM_PRODUCER_THREAD=off says so)', () => {
    const big = base({ fidelity: 'batched', producers: [{ name: 'b', topic: 't', rate: '80k/s' }] });
    const before = producerThreadsStarted();
    process.env.LAGSIM_PRODUCER_THREAD = 'off';
    try {
      prepare(big, { replications: 1, jobs: 2 });
      expect(producerThreadsStarted()).toBe(before);
    } finally {
      delete process.env.LAGSIM_PRODUCER_THREAD;
    }
  });

  it('is replaced after a run that failed on its side', () => {
    const s = exact();
    const broken = withBrokenSampler(s);
    expect(() => simulate(broken, { producerThread: true })).toThrow(/slice/);
    const before = producerThreadsStarted();
    same(exact());
    expect(producerThreadsStarted()).toBe(before + 1);
  });
});

/**
 * Multi-stage pipelines through the real scenario path (parse, simulate): a chain of stages as a
 * network of queues (Jackson: by Burke's theorem an M/M/1 stage passes a Poisson process on, so
 * each stage of a tandem is an M/M/1 queue and the sojourn times add up), fan-out groups with
 * their own offsets, backpressure from a stage's producer reaching its own poll loop and the lag
 * of the topic before it, and the books of every topic and group.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/model/simulate.js';
import type { RunResult } from '../../src/metrics/result.js';

const run = (yaml: string): RunResult => simulate(parseScenario(yaml, 'pipeline.yaml'));

/** Stages s0 -> s1 -> ... each reading topic t<i> with one partition and one consumer, exponential service of the given means (ms). */
function tandem(means: number[], lambda: number, duration: string, extra = ''): string {
  const topics = means.map((_, i) => `  - { name: t${i}, partitions: 1 }`).join('\n');
  const groups = means
    .map(
      (m, i) => `  - name: s${i}
    topic: t${i}
    instances: 1
    config: { fetch.max.wait.ms: 500 }
    processing: { per-record: { dist: exponential, mean: ${m}ms } }${i < means.length - 1 ? `\n    produces: { topic: t${i + 1}, config: { linger.ms: 0 } }` : ''}`,
    )
    .join('\n');
  return `
name: tandem
seed: 5
duration: ${duration}
sample-interval: 10s
fidelity: exact
network: { rtt: 0ms }
brokers: { append-latency: 0ms, replication-latency: 0ms }
topics:
${topics}
producers:
  - { name: p, topic: t0, rate: ${lambda}/s, arrivals: poisson, config: { linger.ms: 0 } }
consumer-groups:
${groups}
${extra}`;
}

describe('a chain of stages as a network of queues', () => {
  it('each stage of an M/M/1 tandem has the M/M/1 sojourn time, and end-to-end latency is their sum (Jackson)', () => {
    // lambda 400/s; service means 1.5 ms and 2 ms: rho 0.6 and 0.8, W = 1/(mu - lambda) = 3.75 ms and 10 ms.
    const r = run(tandem([1.5, 2], 400, '3000s'));
    const W = [1 / (1000 / 1.5 - 400), 1 / (500 - 400)].map((w) => w * 1000);
    const g0 = r.summary.groups.s0.latency.meanMs!;
    const g1 = r.summary.groups.s1.latency.meanMs!;
    // 1.2M records per stage: the sojourn mean's standard error is under 1% at rho 0.8.
    expect(Math.abs(g0 / W[0] - 1)).toBeLessThan(0.02);
    expect(Math.abs(g1 / W[1] - 1)).toBeLessThan(0.03);
    const e2e = r.summary.endToEnd.latency.meanMs!;
    expect(Math.abs(e2e / (W[0] + W[1]) - 1)).toBeLessThan(0.03);
    // The sojourn of an M/M/1 queue is exponential: its p99 is W ln 100.
    expect(Math.abs(r.summary.groups.s1.latency.p99Ms! / (W[1] * Math.log(100)) - 1)).toBeLessThan(0.04);
    // Only the last stage's records end the pipeline.
    expect(r.summary.endToEnd.latency.count).toBe(r.summary.groups.s1.latency.count);
  }, 120_000);

  it('a stage passes every record on: what it processed is what its topic was offered (yield 1)', () => {
    const r = run(tandem([0.5, 0.5, 0.5], 300, '60s'));
    for (const [g, t] of [['s0', 't1'], ['s1', 't2']] as const) {
      const b = r.summary.groups[g].books;
      expect(r.summary.topics[t].books.offered).toBe(b.processed + b.duplicates);
    }
    expect(r.topology.groups.s0.produces).toBe('t1');
    expect(r.topology.groups.s2.produces).toBeNull();
  });

  it('yield filters and fans out: the next topic gets yield x processed records', () => {
    const y = (v: number) =>
      run(tandem([0.2, 0.2], 500, '120s').replace('produces: { topic: t1, config: { linger.ms: 0 } }', `produces: { topic: t1, yield: ${v}, config: { linger.ms: 0 } }`));
    for (const v of [0.25, 2.5]) {
      const r = y(v);
      const processed = r.summary.groups.s0.books.processed;
      const offered = r.summary.topics.t1.books.offered;
      // Binomial: sd of the fraction part is sqrt(n f (1 - f)), under 0.5% of the mean here.
      expect(Math.abs(offered / (v * processed) - 1)).toBeLessThan(0.01);
    }
  });
});

describe("a stage's producer in the batched fidelity", () => {
  it('draws the brokers\' append latency per request, as a source producer draws it per slice', () => {
    // Both producers write through one broker whose append latency is exponential (mean 5 ms);
    // consumers are fast and polls short, so a record's time in its topic is mostly that
    // latency: p99 / p50 of an exponential is ln 100 / ln 2 = 6.6. A producer drawing once
    // for the whole run would make every record of a topic wait the same time (ratio ~1).
    const r = run(`
name: stage-latency
seed: 3
duration: 120s
sample-interval: 10s
fidelity: batched
network: { rtt: 0ms }
brokers: { count: 1, append-latency: { dist: exponential, mean: 5ms }, replication-latency: 0ms }
topics:
  - { name: a, partitions: 4 }
  - { name: b, partitions: 4 }
producers:
  - { name: p, topic: a, rate: 2k/s, keys: { dist: uniform, count: 1000 }, config: { linger.ms: 0 } }
consumer-groups:
  - name: s0
    topic: a
    instances: 2
    config: { fetch.max.wait.ms: 1 }
    processing: { per-record: 10us }
    produces: { topic: b, config: { linger.ms: 0 } }
  - name: s1
    topic: b
    instances: 2
    config: { fetch.max.wait.ms: 1 }
    processing: { per-record: 10us }
`);
    for (const g of ['s0', 's1']) {
      const t = r.summary.groups[g].inTopic;
      expect(t.p99Ms! / t.p50Ms!, g).toBeGreaterThan(3);
      expect(t.meanMs!, g).toBeGreaterThan(4);
    }
  }, 60_000);
});

describe('fan-out: two groups reading one topic', () => {
  it('each group has its own offsets and lag, and each processes every record', () => {
    const r = run(`
name: fan-out
duration: 120s
fidelity: exact
topics: [{ name: orders, partitions: 4 }]
producers: [{ name: p, topic: orders, rate: 800/s, keys: { dist: uniform, count: 1000 } }]
consumer-groups:
  - { name: fast, topic: orders, instances: 2, processing: { per-record: { dist: constant, value: 1ms } } }
  - { name: slow, topic: orders, instances: 1, processing: { per-record: { dist: constant, value: 1.5ms } } }
`);
    const fast = r.summary.groups.fast;
    const slow = r.summary.groups.slow;
    // 800/s into one consumer at 1.5 ms a record is rho 1.2: the slow group falls behind, the fast one does not.
    expect(slow.lag.finalRecords).toBeGreaterThan(10_000);
    expect(fast.lag.finalRecords).toBeLessThan(5_000);
    expect(fast.books.appended).toBe(slow.books.appended);
    expect(fast.books.processed).toBeGreaterThan(slow.books.processed * 1.15);
    // The slow one processes at its capacity, 1/1.5 ms.
    expect(Math.abs(slow.throughput.meanProcessedPerSecond / (1000 / 1.5) - 1)).toBeLessThan(0.02);
    expect(slow.busyFraction).toBeGreaterThan(0.99);
    expect(fast.busyFraction).toBeLessThan(0.45);
    // Both are last stages: each has its own stage latency, and end-to-end latency covers both.
    expect(fast.latency.count).toBe(fast.books.processed + fast.duplicates);
    expect(slow.latency.count).toBe(slow.books.processed + slow.duplicates);
    expect(r.summary.endToEnd.latency.count).toBe(fast.latency.count + slow.latency.count);
    expect(fast.latency.p99Ms!).toBeLessThan(slow.latency.p99Ms! / 10);
  });
});

describe('backpressure between stages', () => {
  const pipeline = (quota: string, maxBlock = '60s', pollInterval = '300s') => `
name: backpressure
duration: 120s
fidelity: exact
brokers: { count: 1, quotas: { validation: { producer_byte_rate: ${quota} } } }
topics:
  - { name: orders, partitions: 2, replication-factor: 1 }
  - { name: payments, partitions: 2, replication-factor: 1 }
producers: [{ name: checkout, topic: orders, rate: 1000/s, record-size: { dist: constant, value: 1000 } }]
consumer-groups:
  - name: validation
    topic: orders
    instances: 1
    config: { max.poll.interval.ms: ${pollInterval} }
    processing: { per-record: { dist: constant, value: 0.1ms } }
    produces:
      topic: payments
      record-size: { dist: constant, value: 1000 }
      config: { buffer.memory: 200000, max.block.ms: ${maxBlock} }
  - name: payment
    topic: payments
    instances: 1
    processing: { per-record: { dist: constant, value: 0.1ms } }
`;

  it("a stage whose producer cannot keep up blocks in send(), stops consuming, and the lag moves upstream; nothing is lost", () => {
    const free = run(pipeline('10MB'));
    // 500 KB/s: half of what the stage is offered (1000 records/s of 1000 B).
    const tight = run(pipeline('500KB'));
    expect(free.summary.groups.validation.lag.peakRecords).toBeLessThan(20_000);
    expect(tight.summary.groups.validation.lag.finalRecords).toBeGreaterThan(40_000);
    expect(tight.summary.topics.payments.producer.blockedSeconds).toBeGreaterThan(30);
    // The stage runs at what its producer can send: about 500 records/s.
    const rate = tight.summary.groups.validation.throughput.meanProcessedPerSecond;
    expect(rate).toBeGreaterThan(420);
    expect(rate).toBeLessThan(560);
    // Blocking, not dropping: no record rejected anywhere, and the books balance per topic.
    expect(tight.summary.topics.payments.books.rejected).toEqual({});
    expect(tight.summary.topics.payments.books.offered).toBe(tight.summary.groups.validation.books.processed);
  });

  it('a block longer than max.poll.interval.ms makes the member leave, and a rebalance follows', () => {
    const r = run(pipeline('10KB', '60s', '20s'));
    expect(r.summary.groups.validation.rebalances).toBeGreaterThan(0);
  });

  it('a block that outlasts max.block.ms rejects the record buffer-exhausted and processing goes on', () => {
    const r = run(pipeline('100KB', '1s'));
    const b = r.summary.topics.payments.books;
    expect(b.rejected['buffer-exhausted']).toBeGreaterThan(0);
    expect(b.offered).toBe(b.appended + b.inProducer + b.rejected['buffer-exhausted']);
  });
});

describe('a service shared by two stages', () => {
  it('has one concurrency limit whatever calls it: two groups each within its capacity overload it together', () => {
    const scenario = (rateB: number) => `
name: shared-db
duration: 60s
fidelity: exact
topics: [{ name: a, partitions: 2 }, { name: b, partitions: 2 }]
producers:
  - { name: pa, topic: a, rate: 600/s }
  - { name: pb, topic: b, rate: ${rateB}/s }
consumer-groups:
  - { name: ga, topic: a, instances: 2, processing: { calls: [{ service: db }] } }
  - { name: gb, topic: b, instances: 2, processing: { calls: [{ service: db }] } }
services:
  - { name: db, latency: 1ms, concurrency: 1 }
`;
    // Alone, 600/s into a service that takes 1000/s keeps up.
    const alone = run(scenario(1));
    expect(alone.summary.groups.ga.lag.peakSeconds).toBeLessThan(1);
    // Together, 1200/s: the one server takes 1000/s and the rest waits.
    const both = run(scenario(600));
    const processed = both.summary.groups.ga.books.processed + both.summary.groups.gb.books.processed;
    expect(Math.abs(processed / 60 / 1000 - 1)).toBeLessThan(0.02);
    expect(both.summary.services.db.maxInFlight).toBeLessThanOrEqual(1 + 1e-9);
    expect(both.summary.services.db.maxQueued).toBeGreaterThan(0.5);
    expect(both.summary.groups.ga.lag.peakSeconds + both.summary.groups.gb.lag.peakSeconds).toBeGreaterThan(5);
  });
});

describe('what the loader says about a pipeline', () => {
  it('refuses a cycle, an unknown output topic, a fault with no group, and keys: keep across different partition counts', () => {
    const bad = `
name: bad
duration: 10s
topics: [{ name: a, partitions: 2 }, { name: b, partitions: 3 }]
producers: [{ name: p, topic: a, rate: 10/s, keys: { dist: uniform, count: 10 } }]
consumer-groups:
  - { name: g1, topic: a, instances: 1, produces: { topic: b } }
  - { name: g2, topic: b, instances: 1, produces: { topic: a, keys: { dist: uniform, count: 5 } } }
  - { name: g3, topic: b, instances: 1, produces: { topic: nowhere } }
faults: [{ type: consumer-crash, at: 1s }]
`;
    let message = '';
    try {
      parseScenario(bad, 'bad.yaml');
    } catch (e) {
      message = (e as Error & { format?: () => string }).format?.() ?? String(e);
    }
    expect(message).toMatch(/records would go round the pipeline for ever/);
    expect(message).toMatch(/nowhere/);
    expect(message).toMatch(/expected group: one of the consumer groups \(g1, g2, g3\)/);
    expect(message).toMatch(/keys: keep keeps a record's partition, which needs b to have as many partitions as a \(3 vs 2\)/);
  });

  it('follows keys: keep down a chain: keyed records kept twice still need as many partitions', () => {
    const chain = `
name: chain
duration: 10s
topics: [{ name: a, partitions: 6 }, { name: b, partitions: 6 }, { name: c, partitions: 4 }]
producers: [{ name: p, topic: a, rate: 10/s, keys: { dist: uniform, count: 10 } }]
consumer-groups:
  - { name: g1, topic: a, instances: 1, produces: { topic: b } }
  - { name: g2, topic: b, instances: 1, produces: { topic: c } }
  - { name: g3, topic: c, instances: 1 }
`;
    expect(() => parseScenario(chain, 'chain.yaml')).toThrow(/needs c to have as many partitions as b \(4 vs 6\)/);
  });
});

/** fast-check generators of valid scenarios, small enough to run dozens per test. */
import fc from 'fast-check';

const ms = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((x) => `${x}ms`);
const durationDist = fc.oneof(
  ms(0, 20),
  fc.record({ dist: fc.constant('exponential'), mean: ms(1, 20) }),
  fc.record({ dist: fc.constant('lognormal'), p50: ms(1, 5), p99: ms(5, 40) }),
  fc.record({ dist: fc.constant('uniform'), min: ms(0, 2), max: ms(2, 10) }),
  fc.record({ dist: fc.constant('pareto'), scale: ms(1, 3), shape: fc.constantFrom(1.5, 2.5) }),
);

const rate = fc.integer({ min: 0, max: 4000 }).map((r) => `${r}/s`);
const profile = fc.oneof(
  rate,
  fc.record({ phases: fc.array(fc.oneof(fc.record({ for: fc.integer({ min: 1, max: 10 }).map((s) => `${s}s`), rate }), fc.record({ for: fc.integer({ min: 1, max: 10 }).map((s) => `${s}s`), 'ramp-to': rate })), { minLength: 1, maxLength: 4 }) }),
  fc.record({ spike: fc.record({ base: rate, peak: rate, at: fc.constant('3s'), for: fc.constant('4s'), ramp: fc.constantFrom('0s', '1s') }) }),
);
const keys = fc.oneof(
  fc.constant('null'),
  fc.record({ dist: fc.constant('uniform'), count: fc.integer({ min: 1, max: 500 }) }),
  fc.record({ dist: fc.constant('zipf'), count: fc.integer({ min: 1, max: 500 }), exponent: fc.constantFrom(0.8, 1.2) }),
);

export const scenarioArb = fc
  .record({
    partitions: fc.integer({ min: 1, max: 10 }),
    instances: fc.integer({ min: 1, max: 6 }),
    concurrency: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
    per: fc.constantFrom('record', 'batch'),
    withCall: fc.boolean(),
    window: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1000 }),
    fidelity: fc.constantFrom('exact', 'batched'),
    autoCommit: fc.boolean(),
    commit: fc.constantFrom('sync', 'async'),
    producer: fc.record({
      rate: profile,
      arrivals: fc.constantFrom('poisson', 'paced'),
      keys,
      'record-size': fc.oneof(fc.constant('200B'), fc.record({ dist: fc.constant('lognormal'), p50: fc.constant('300B'), p99: fc.constant('3KiB') })),
      config: fc.record({ 'linger.ms': fc.integer({ min: 0, max: 20 }), 'batch.size': fc.constantFrom(1024, 16384, 65536) }),
    }),
    maxPoll: fc.integer({ min: 1, max: 600 }),
    minBytes: fc.constantFrom(1, 1000, 50_000),
    maxWait: fc.integer({ min: 0, max: 500 }),
    partBytes: fc.constantFrom(1000, 1048576),
    perRecord: durationDist,
    perBatch: durationDist,
    serviceLatency: durationDist,
    rtt: ms(0, 5),
    protocol: fc.constantFrom('eager', 'cooperative', 'consumer', 'roundrobin'),
    staticIds: fc.boolean(),
    maxPollInterval: fc.constantFrom('300s', '2s', '500ms'),
    minInsync: fc.integer({ min: 1, max: 2 }),
    faults: fc.array(
      fc.oneof(
        fc.record({ type: fc.constant('consumer-crash'), at: ms(0, 15000), member: fc.integer({ min: 0, max: 5 }), 'restart-after': fc.option(ms(100, 8000), { nil: undefined }) }),
        fc.record({ type: fc.constant('rolling-restart'), at: ms(0, 10000), interval: ms(100, 3000), downtime: ms(100, 3000) }),
        fc.record({ type: fc.constant('scale'), at: ms(0, 15000), instances: fc.integer({ min: 1, max: 8 }) }),
        fc.record({ type: fc.constant('broker-slowdown'), at: ms(0, 15000), for: ms(100, 5000), broker: fc.integer({ min: 0, max: 2 }), factor: fc.constantFrom(2, 10) }),
        fc.record({
          type: fc.constant('broker-loss'),
          at: ms(0, 15000),
          broker: fc.integer({ min: 0, max: 2 }),
          failover: ms(100, 5000),
          'restart-after': fc.option(ms(1000, 8000), { nil: undefined }),
          connections: fc.constantFrom('time-out', 'reset'),
        }),
      ),
      { maxLength: 3 },
    ),
  })
  .map((a) => ({
    name: 'prop',
    seed: a.seed,
    duration: '20s',
    'sample-interval': '1s',
    fidelity: a.fidelity,
    network: { rtt: a.rtt },
    brokers: {
      'append-latency': { dist: 'exponential', mean: '1ms' },
      'replication-latency': { dist: 'exponential', mean: '1ms' },
      'group.initial.rebalance.delay.ms': 500,
      'group.consumer.heartbeat.interval.ms': 500,
      'group.consumer.session.timeout.ms': 3000,
    },
    topics: [{ name: 't', partitions: a.partitions, config: { 'min.insync.replicas': a.minInsync } }],
    producers: [{ name: 'p', topic: 't', ...a.producer }],
    'consumer-groups': [
      {
        name: 'g',
        topic: 't',
        instances: a.instances,
        config: {
          'max.poll.records': a.maxPoll,
          'fetch.min.bytes': a.minBytes,
          'fetch.max.wait.ms': a.maxWait,
          'max.partition.fetch.bytes': a.partBytes,
          'enable.auto.commit': a.autoCommit,
          'max.poll.interval.ms': a.maxPollInterval,
          ...(a.protocol === 'consumer'
            ? { 'group.protocol': 'consumer' }
            : { 'partition.assignment.strategy': a.protocol === 'cooperative' ? 'cooperative-sticky' : a.protocol === 'roundrobin' ? 'roundrobin' : 'range', 'heartbeat.interval.ms': 300, 'session.timeout.ms': 2000 }),
          ...(a.staticIds ? { 'group.instance.id': 'app' } : {}),
        },
        processing: {
          'per-record': a.perRecord,
          'per-batch': a.perBatch,
          calls: a.withCall ? [{ service: 's', per: a.per }] : [],
          commit: a.commit,
        },
      },
    ],
    faults: a.faults.map((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined))),
    services: [
      {
        name: 's',
        latency: a.serviceLatency,
        ...(a.concurrency !== undefined ? { concurrency: a.concurrency } : {}),
        windows: a.window ? [{ from: '5s', to: '10s', latency: '30ms' }] : [],
      },
    ],
  }));

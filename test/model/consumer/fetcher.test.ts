/**
 * The consumer side of the brokers: a lost broker's partitions cannot be fetched until failover
 * elects new leaders, and a consumer_byte_rate quota throttles fetches as Kafka's
 * ClientQuotaManager does (the consumer's throughput settles at the quota).
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../src/scenario/load.js';
import { simulate } from '../../../src/model/simulate.js';
import { one } from '../../helpers/one-stage.js';

const base = (extra: string, brokers = '', perRecord = '0ms', fetchBytes = 1048576) => `
name: cb
seed: 2
duration: 60s
fidelity: exact
topics: [{ name: t, partitions: 6, replication-factor: 2 }]
brokers: { count: 3${brokers} }
producers: [{ name: p, topic: t, rate: 2k/s, record-size: 1KiB, keys: { dist: uniform, count: 600 } }]
consumer-groups: [{ name: g, topic: t, instances: 2, config: { max.partition.fetch.bytes: ${fetchBytes} }, processing: { per-record: ${perRecord} } }]
${extra}
`;

describe('consumers and brokers', () => {
  it('partitions led by a lost broker are not consumed until failover; then lag drains', () => {
    // Consumers slower than the producer (1.2 ms a record, 2 members: ~1.67k/s < 2k/s), so every
    // partition has a backlog when broker 0, leader of partitions 0 and 3, is lost at 20 s. Its
    // producers cannot append to them either, so their lag stands still until failover at 40 s,
    // while the other partitions keep moving; afterwards all are consumed again.
    const r = simulate(parseScenario(base('faults: [{ type: broker-loss, at: 20s, broker: 0, failover: 20s }]', '', '1200us'), 'cb.yaml'));
    const at = (t: number) => r.time.findIndex((x) => x >= t);
    // Records fetched before the loss (up to max.partition.fetch.bytes a partition) are still
    // processed and committed (auto-commit every 5 s); after that nothing moves on 0 and 3.
    const a = one(r).partitionLag[at(32)];
    const b = one(r).partitionLag[at(39)];
    expect(a[0]).toBeGreaterThan(100);
    expect(b[0]).toBe(a[0]);
    expect(b[3]).toBe(a[3]);
    // The members have capacity to spare for the other partitions, which stay near zero lag.
    for (const p of [1, 2, 4, 5]) expect(b[p]).toBeLessThan(1_000);
    const c = one(r).partitionLag[at(50)];
    expect(c[0]).not.toBe(b[0]);
    expect(r.events.some((e) => e.kind === 'fault')).toBe(true);
  });

  it('a consumer_byte_rate quota caps what each broker serves: the group settles at brokers x quota', () => {
    // 2k/s of 1 KiB records is ~2 MB/s offered. Each broker enforces the 500 KB/s quota on the
    // bytes it serves (one ClientQuotaManager per broker), so 3 brokers leading 2 partitions
    // each serve ~1.5 MB/s in all, and 1 broker ~500 KB/s. A fetch that would break the quota
    // is answered empty, so fetches must be small beside the quota window (~5 MB) for the rate
    // to reach the quota: 16 KiB a partition here. From 30 s on (past the window's start-up
    // burst) the processed rate sits at brokers x quota within 10%.
    const settled = (count: number) => {
      const text = base('', `, quotas: { g: { consumer_byte_rate: 500000 } }`, '0ms', 16384)
        .replace('count: 3', `count: ${count}`)
        .replace('replication-factor: 2', `replication-factor: ${Math.min(2, count)}`);
      const r = simulate(parseScenario(text, 'cb.yaml'));
      expect(one(r).group.maxFetchThrottleMs).toBeGreaterThan(0);
      expect(one(r).series.groupLag.at(-1)!).toBeGreaterThan(10_000);
      const late = one(r).series.processedRate.filter((_, i) => r.time[i] >= 30);
      return (late.reduce((a, b) => a + b, 0) / late.length) * 1024;
    };
    expect(Math.abs(settled(3) / 1_500_000 - 1)).toBeLessThan(0.1);
    expect(Math.abs(settled(1) / 500_000 - 1)).toBeLessThan(0.1);
  });

  it('a throttled fetch comes back empty: big fetches beside the quota window get well under the quota', () => {
    // KafkaApis unrecords a throttled fetch's bytes and answers it with no records. With 1 MiB
    // a partition, a member's fetch (3 partitions) is ~3 MB against a ~5 MB window: one fits in
    // the window at a time, so the rate stays well under the quota, never above it.
    const r = simulate(parseScenario(base('', `, quotas: { g: { consumer_byte_rate: 500000 } }`).replace('count: 3', 'count: 1').replace('replication-factor: 2', 'replication-factor: 1'), 'cb.yaml'));
    const late = one(r).series.processedRate.filter((_, i) => r.time[i] >= 30);
    const rate = (late.reduce((a, b) => a + b, 0) / late.length) * 1024;
    expect(rate).toBeLessThan(500_000 * 0.8);
    expect(rate).toBeGreaterThan(500_000 * 0.3);
  });
});

/**
 * The lines `sim` prints after a run name what went wrong in the group and the producer when
 * something did, with the figures the summary holds, and stay quiet about it otherwise.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/model/simulate.js';
import { formatSummary } from '../../src/cli/summary.js';
import { formatExact, formatSeconds } from '../../src/report/format.js';
import { one } from '../helpers/one-stage.js';

const scenario = (faults: string, brokers = '{ append-latency: 500us, replication-latency: 500us }') => `
name: summary-lines
seed: 3
duration: 90s
sample-interval: 1s
fidelity: exact
network: { rtt: 2ms }
brokers: ${brokers}
topics: [{ name: t, partitions: 4 }]
producers:
  - { name: p, topic: t, rate: 200/s, arrivals: paced, keys: { dist: uniform, count: 1000 }, record-size: 1KiB }
consumer-groups:
  - { name: g, topic: t, instances: 2, config: { enable.auto.commit: true, auto.commit.interval.ms: 5000 }, processing: { per-record: 1ms } }
faults: ${faults}
`;

const summaryOf = (text: string) => {
  const r = simulate(parseScenario(text, 'summary-lines.yaml'));
  return { r, out: formatSummary(r, 'out/report.md') };
};

describe('the printed summary', () => {
  it('says how many rebalances, how long partitions stood still, and how many duplicates after a crash', () => {
    const { r, out } = summaryOf(scenario('[{ type: consumer-crash, at: 10s, member: 1 }]'));
    const g = one(r).group;
    expect(g.rebalances).toBeGreaterThan(0);
    expect(g.duplicates).toBeGreaterThan(0);
    expect(out).toContain(`  rebalances       ${formatExact(g.rebalances)} (${formatExact(g.membershipChanges)} membership changes); partitions not consumed ${formatSeconds(g.pausedPartitionSeconds)} partition-time, longest ${formatSeconds(g.longestPartitionPauseSeconds)}`);
    expect(out).toContain(`  duplicates       ${formatExact(g.duplicates)} processed again after a rebalance or crash`);
    expect(out).not.toContain('send() blocked');
  });

  it('says how long send() blocked when the brokers cannot keep up', () => {
    // 200 KB/s offered to brokers that take 50 KB/s: buffer.memory (32 MiB) fills, send() blocks.
    const { r, out } = summaryOf(scenario('[]', '{ append-latency: 500us, replication-latency: 500us, max-bytes-in-per-second: 50KB }').replace('rate: 200/s', 'rate: 200/s, config: { buffer.memory: 1048576 }'));
    expect(one(r).producer.blockedSeconds).toBeGreaterThan(0);
    expect(out).toContain(`  send() blocked   ${formatSeconds(one(r).producer.blockedSeconds)} (all producer instances)`);
  });

  it('says how many batches were sent again when requests failed (a broker lost with requests in flight)', () => {
    const { r, out } = summaryOf(scenario('[{ type: broker-loss, at: 20s, broker: 0, failover: 2s, connections: reset }]'));
    expect(one(r).producer.retries).toBeGreaterThan(0);
    expect(out).toContain(`  retries          ${formatExact(one(r).producer.retries)} batches sent again after a failed produce request`);
  });

  it('prints none of these lines for a run where nothing went wrong', () => {
    const { r, out } = summaryOf(scenario('[]'));
    expect(one(r).group.rebalances).toBe(0);
    expect(out).not.toMatch(/rebalances|duplicates|send\(\) blocked|retries/);
  });
});

/**
 * Group membership and rebalances with exact timings in small setups, worked out by hand from
 * the protocol steps src/model/consumer/ follows (group.ts, classic.ts, kip848.ts;
 * kafka-semantics.md, "Classic rebalance" and "KIP-848"):
 * heartbeats phased from the member's start, responses one round trip after a heartbeat,
 * JoinGroup half a round trip away, assignment 1.5 round trips after the join phase ends,
 * offsets fetched in one round trip.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../src/scenario/load.js';
import { simulate } from '../../../src/model/simulate.js';
import type { RunResult } from '../../../src/metrics/result.js';
import { one } from '../../helpers/one-stage.js';

const RTT = 0.002; // seconds
const HALF = RTT / 2;

function scenario(opts: { partitions?: number; instances?: number; duration?: string; rate?: string; config?: string; processing?: string; faults?: string; sample?: string }): string {
  return `
name: group
seed: 3
duration: ${opts.duration ?? '60s'}
sample-interval: ${opts.sample ?? '100ms'}
fidelity: exact
network: { rtt: 2ms }
brokers: { append-latency: 500us, replication-latency: 500us }
topics: [{ name: t, partitions: ${opts.partitions ?? 4} }]
producers:
  - { name: p, topic: t, rate: ${opts.rate ?? '200/s'}, arrivals: paced, keys: { dist: uniform, count: 1000 } }
consumer-groups:
  - name: g
    topic: t
    instances: ${opts.instances ?? 2}
    config: { ${opts.config ?? ''} }
    processing: ${opts.processing ?? '{ per-record: 1ms }'}
faults: ${opts.faults ?? '[]'}
`;
}

const run = (text: string): RunResult => simulate(parseScenario(text, 'group.yaml'));
const marks = (r: RunResult, pattern: RegExp) => r.events.filter((e) => pattern.test(e.label));
const close = (a: number, b: number) => expect(a).toBeCloseTo(b, 6);

describe('a crashed consumer', () => {
  const r = run(scenario({ faults: '[{ type: consumer-crash, at: 10s, member: 1 }]' }));

  // Two members: heartbeats every 3 s, member 0 at 0, 3, 6 ... s and member 1 at 1.5, 4.5 ... s.
  it('is removed session.timeout.ms after its last heartbeat reached the coordinator', () => {
    // Member 1's last heartbeat before its crash at 10 s went at 7.5 s.
    const [removed] = marks(r, /removed \(session timeout\)/);
    close(removed.timeSeconds, 7.5 + HALF + 45);
  });

  it('then a rebalance runs: members hear at their next heartbeat, rejoin, get the assignment', () => {
    const [rebalance] = marks(r, /^rebalance/);
    const start = 7.5 + HALF + 45;
    close(rebalance.timeSeconds, start);
    // The survivor hears at its 54 s heartbeat (+1 RTT), commits (1 RTT) and rejoins (+half),
    // and the assignment arrives 1.5 RTT after the join phase ends.
    close(rebalance.endSeconds!, 54 + RTT + RTT + HALF + 3 * HALF);
    expect(one(r).group.rebalances).toBe(1);
  });

  it("the crashed member's partitions are paused from the crash until the survivor consumes them", () => {
    const i = r.time.findIndex((t) => t >= 30);
    expect(one(r).series.pausedPartitions[i]).toBe(2); // owned by the dead member, not consumed
    const after = r.time.findIndex((t) => t >= 55);
    expect(one(r).series.pausedPartitions[after] + one(r).series.unownedPartitions[after]).toBe(0);
    expect(one(r).series.consumers[i]).toBe(2);
    expect(one(r).series.consumers[after]).toBe(1);
    // From the crash at 10 s to the offset fetch after the rebalance.
    close(one(r).group.longestPartitionPauseSeconds, 54 + RTT + RTT + HALF + 3 * HALF + RTT - 10);
  });
});

describe('a poll batch slower than max.poll.interval.ms', () => {
  // 1000 records arrive in a 10 ms burst at 1 s; the fetch waits for all of them
  // (fetch.min.bytes), so the first poll takes exactly max.poll.records = 50 records, which
  // take 50 x 300 ms = 15 s, past max.poll.interval.ms = 10 s. Commits are sync after each
  // batch, so nothing is ever committed: each cycle processes the same 50 records again.
  const config = 'max.poll.records: 50, max.poll.interval.ms: 10s, enable.auto.commit: false, fetch.min.bytes: 512000, fetch.max.wait.ms: 30s';
  const burst = '{ phases: [{ for: 1s, rate: 0/s }, { for: 10ms, rate: 100k/s }, { rate: 0/s }] }';
  const base = { partitions: 1, instances: 1, rate: burst, config, processing: '{ per-record: 300ms }' };
  const first = run(scenario({ ...base, duration: '40s' }));
  const [left] = marks(first, /member left \(poll timeout\)/);
  // The first poll: the fetch was answered when the last record of the burst became visible.
  const t0 = left.timeSeconds - 10;

  it('the member leaves exactly max.poll.interval.ms after its last poll', () => {
    expect(t0).toBeGreaterThan(1.01);
    expect(t0).toBeLessThan(1.05);
    const [removed] = marks(first, /removed \(poll timeout\)/);
    close(removed.timeSeconds, t0 + 10 + HALF);
  });

  it('it finishes the batch, rejoins an empty group (initial delay 3 s), and gets the same 50 records again', () => {
    const [rejoin] = marks(first, /^rebalance/);
    close(rejoin.timeSeconds, t0 + 15 + HALF);
    close(rejoin.endSeconds!, t0 + 15 + HALF + 3 + 3 * HALF);
    // Each later cycle starts after the offset fetch and a fetch round trip, and its 50
    // records are the first 50 again: every completion after the first 50 is a duplicate.
    const cycle = 15 + HALF + 3 + 3 * HALF + RTT + RTT;
    let completions = 0;
    for (let start = t0; start < 40; start += cycle) completions += Math.min(50, Math.floor((40 - start) / 0.3 + 1e-9));
    expect(one(first).group.duplicates).toBe(completions - 50);
    expect(first.summary.accounting.processed).toBe(50);
    expect(one(first).series.groupLag.at(-1)).toBe(1000);
  });

  it('the group spins: a leave and a rejoin every cycle, lag never falls', () => {
    const long = run(scenario({ ...base, duration: '120s' }));
    const cycle = 15 + HALF + 3 + 3 * HALF + RTT + RTT;
    const cycles = Math.floor((120 - t0) / cycle);
    expect(marks(long, /member left \(poll timeout\)/).length).toBeGreaterThanOrEqual(cycles);
    expect(one(long).group.rebalances).toBeGreaterThanOrEqual(cycles - 1);
    expect(long.summary.accounting.processed).toBe(50);
    expect(one(long).group.duplicates).toBeGreaterThanOrEqual(50 * (cycles - 1));
  });

  it('the fix, max.poll.records 20 (6 s per batch), keeps the member in the group with no duplicates', () => {
    const fixed = run(scenario({ ...base, duration: '120s', config: config.replace('max.poll.records: 50', 'max.poll.records: 20') }));
    expect(marks(fixed, /left/)).toEqual([]);
    expect(one(fixed).group.rebalances).toBe(0);
    expect(one(fixed).group.duplicates).toBe(0);
    // Busy all the time but for a fetch round trip and a commit round trip per batch of 20.
    const perBatch = 20 * 0.3 + 2 * RTT;
    expect(fixed.summary.accounting.processed).toBeGreaterThanOrEqual(Math.floor((120 - t0) / perBatch) * 20);
    expect(fixed.summary.accounting.processed).toBeLessThanOrEqual(Math.ceil((120 - t0) / perBatch) * 20);
  });

  it('a static member that comes back within its session keeps its partitions, with no rebalance', () => {
    const r = run(scenario({ ...base, duration: '40s', config: `${config}, group.instance.id: app` }));
    expect(marks(r, /member left \(poll timeout\)/).length).toBeGreaterThan(0);
    expect(marks(r, /removed/)).toEqual([]);
    expect(marks(r, /static member back \(no rebalance\)/).length).toBeGreaterThan(0);
    expect(one(r).group.rebalances).toBe(0);
  });

  it('a static member is not removed until its session runs out', () => {
    // 50 records x 1.2 s = 60 s per batch: past the poll timeout (10 s) and the session (45 s).
    const r = run(scenario({ ...base, duration: '80s', processing: '{ per-record: 1200ms }', config: `${config}, group.instance.id: app` }));
    const [leftAt] = marks(r, /member left \(poll timeout\)/);
    const [removed] = marks(r, /removed/);
    // Heartbeats stop at the poll deadline; the last one went at the 3 s tick before it.
    const deadline = leftAt.timeSeconds;
    const lastBeat = Math.floor(deadline / 3) * 3;
    close(removed.timeSeconds, lastBeat + HALF + 45);
    expect(removed.label).toMatch(/session timeout/);
  });
});

describe('scale-out from 2 to 4 consumers on 4 partitions', () => {
  // Members are idle (light load), so each hears of the rebalance at its next heartbeat and
  // rejoins at once. New members start at 10 s and join half a round trip later.
  const scale = '[{ type: scale, at: 10s, instances: 4 }]';
  const eager = run(scenario({ faults: scale, sample: '1ms', duration: '25s' }));
  const coop = run(scenario({ faults: scale, sample: '1ms', duration: '25s', config: 'partition.assignment.strategy: cooperative-sticky' }));
  const consumer = run(scenario({ faults: scale, sample: '1ms', duration: '25s', config: 'group.protocol: consumer' }));

  it('eager: one rebalance; every partition stops from its revocation until the new assignment', () => {
    const [rb] = marks(eager, /^rebalance/);
    close(rb.timeSeconds, 10 + HALF);
    // Member 1 hears at its 10.5 s heartbeat (+RTT) and revokes partitions 2 and 3 at once;
    // member 0 hears at 12 s + RTT and revokes 0 and 1. Each commits (RTT) and rejoins (+half);
    // the assignment comes 1.5 RTT after the last join, and partitions are consumed after the
    // offset fetch (RTT). Member 1's partitions stop for 1.5 s waiting for member 0.
    close(rb.endSeconds!, 12 + RTT + RTT + HALF + 3 * HALF);
    expect(one(eager).group.rebalances).toBe(1);
    const stopped = one(eager).series.unownedPartitions.map((u, i) => u + one(eager).series.pausedPartitions[i]);
    expect(Math.max(...stopped)).toBe(4);
    const consumed = rb.endSeconds! + RTT;
    close(one(eager).group.pausedPartitionSeconds, 2 * (consumed - (12 + RTT)) + 2 * (consumed - (10.5 + RTT)));
    close(one(eager).group.longestPartitionPauseSeconds, consumed - (10.5 + RTT));
  });

  it('cooperative: partitions that keep their owner never stop; the two that move wait for a second rebalance', () => {
    expect(one(coop).group.rebalances).toBe(2);
    const stopped = one(coop).series.unownedPartitions.map((u, i) => u + one(coop).series.pausedPartitions[i]);
    expect(Math.max(...stopped)).toBe(2);
    const [first, second] = marks(coop, /^rebalance/);
    close(first.endSeconds!, 12 + RTT + HALF + 3 * HALF);
    // The revoking members rejoin from their next poll; the others hear at their next heartbeat:
    // the new members' (phased from 10 s) at 13 s.
    close(second.endSeconds!, 13 + RTT + HALF + 3 * HALF);
    const moved = second.endSeconds! + RTT - first.endSeconds!;
    // A member busy with a batch when the first round ends revokes at the batch's end (1 ms a
    // record), so a moved partition pauses for `moved` or a few ms less.
    close(one(coop).group.longestPartitionPauseSeconds, moved);
    expect(one(coop).group.pausedPartitionSeconds).toBeLessThanOrEqual(2 * moved + 1e-9);
    expect(one(coop).group.pausedPartitionSeconds).toBeGreaterThan(2 * moved - 0.01);
  });

  it('KIP-848: no barrier; moved partitions pause from revocation to the new owner\'s next heartbeat', () => {
    const stopped = one(consumer).series.unownedPartitions.map((u, i) => u + one(consumer).series.pausedPartitions[i]);
    expect(Math.max(...stopped)).toBe(2);
    expect(one(consumer).group.pausedPartitionSeconds).toBeGreaterThan(0);
    // Heartbeats every 5 s: member 0 at 0, 5 ... s, member 1 at 2.5, 7.5 ... s, the new members
    // from 10 s (their join answered at once). Member 1 hears of the new target at 12.5 s + RTT,
    // member 0 at 15 s + RTT; each revokes one partition at once (idle) and acknowledges after
    // committing (1.5 RTT). A new member hears of a release at its next heartbeat (15 s, 20 s)
    // and consumes after the offset fetch (RTT).
    const [reconciled] = marks(consumer, /^reconciliation/);
    close(reconciled.timeSeconds, 10 + HALF);
    close(reconciled.endSeconds!, 20 + RTT);
    const first = 15 + RTT + RTT - (12.5 + RTT);
    const second = 20 + RTT + RTT - (15 + RTT);
    close(one(consumer).group.longestPartitionPauseSeconds, second);
    close(one(consumer).group.pausedPartitionSeconds, first + second);
  });

  it('every run balances and no duplicates come from a clean rebalance with auto-commit', () => {
    for (const r of [eager, coop, consumer]) {
      expect(one(r).group.duplicates).toBe(0);
      expect(r.summary.accounting.appended).toBe(r.summary.accounting.processed + r.summary.accounting.inLog + r.summary.accounting.inProcessing);
    }
  });
});

describe('static membership and rolling restarts', () => {
  it('a static member restarted within session.timeout.ms gets its partitions back with no rebalance', () => {
    const r = run(scenario({ config: 'group.instance.id: app', faults: '[{ type: consumer-crash, at: 10s, member: 0, restart-after: 20s }]' }));
    expect(one(r).group.rebalances).toBe(0);
    expect(marks(r, /static member back \(no rebalance\)/).length).toBe(1);
    // Paused from the crash until the restart's join, sync and offset fetch.
    close(one(r).group.longestPartitionPauseSeconds, 20 + HALF + 4 * HALF + RTT);
  });

  it('a rolling restart of dynamic members causes two rebalances per member (leave, then join)', () => {
    const r = run(scenario({ duration: '120s', faults: '[{ type: rolling-restart, at: 10s, interval: 20s, downtime: 5s }]' }));
    expect(one(r).group.rebalances).toBe(4);
    expect(marks(r, /member shut down/).length).toBe(2);
    expect(one(r).group.duplicates).toBe(0);
  });

  it('the same rolling restart with static members causes none', () => {
    const r = run(scenario({ duration: '120s', config: 'group.instance.id: app', faults: '[{ type: rolling-restart, at: 10s, interval: 20s, downtime: 5s }]' }));
    expect(one(r).group.rebalances).toBe(0);
    close(one(r).group.longestPartitionPauseSeconds, 5 + HALF + 4 * HALF + RTT);
  });
});

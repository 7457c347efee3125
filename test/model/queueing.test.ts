/**
 * The model against queueing theory, through the real scenario path: a one-partition topic, one
 * consumer, Poisson arrivals, no network or batching delay, so a record's end-to-end latency is
 * its sojourn time in a single-server FIFO queue.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/model/simulate.js';
import { one } from '../helpers/one-stage.js';

const LAMBDA = 900; // arrivals per second
const MU = 1000; // services per second (1 ms mean)

function queue(service: string, extra = '', duration = '1500s'): string {
  return `
name: queue
seed: 11
duration: ${duration}
sample-interval: 100ms
fidelity: exact
network: { rtt: 0ms }
brokers: { append-latency: 0ms, replication-latency: 0ms }
topics: [{ name: t, partitions: 1 }]
producers:
  - { name: p, topic: t, rate: ${LAMBDA}/s, arrivals: poisson, config: { linger.ms: 0 } }
consumer-groups:
  - name: g
    topic: t
    instances: 1
    config: { fetch.max.wait.ms: 500${extra} }
    processing: { per-record: ${service} }
`;
}

describe('M/M/1 (rho = 0.9)', () => {
  const r = simulate(parseScenario(queue('{ dist: exponential, mean: 1ms }'), 'mm1.yaml'));
  const lat = one(r).latency;

  it('mean sojourn is 1/(mu - lambda) = 10 ms within 3%', () => {
    expect(lat.count).toBeGreaterThan(1_300_000);
    expect(Math.abs(lat.meanMs! - 10) / 10).toBeLessThan(0.03);
  });

  it('p99 sojourn is ln(100)/(mu - lambda) = 46.05 ms within 3% (sojourn is exponential)', () => {
    const p99 = Math.log(100) / (MU - LAMBDA) * 1000;
    expect(Math.abs(lat.p99Ms! - p99) / p99).toBeLessThan(0.03);
    const p50 = Math.log(2) / (MU - LAMBDA) * 1000;
    expect(Math.abs(lat.p50Ms! - p50) / p50).toBeLessThan(0.03);
  });

  it('throughput equals the arrival rate', () => {
    expect(Math.abs(one(r).throughput.meanProcessedPerSecond - LAMBDA) / LAMBDA).toBeLessThan(0.01);
  });
});

describe('M/D/1 (rho = 0.9), Pollaczek-Khinchine', () => {
  it('mean sojourn is 1/mu + rho/(2 mu (1 - rho)) = 5.5 ms within 3%', () => {
    const r = simulate(parseScenario(queue('1ms'), 'md1.yaml'));
    const rho = LAMBDA / MU;
    const expected = (1 / MU + rho / (2 * MU * (1 - rho))) * 1000;
    expect(Math.abs(one(r).latency.meanMs! - expected) / expected).toBeLessThan(0.03);
  });

  it('M/G/1 with lognormal service (cv = 2) matches P-K: W = 1/mu + lambda E[S^2] / (2 (1 - rho))', () => {
    const meanS = 0.5e-3;
    const sd = 1e-3;
    const r = simulate(parseScenario(queue(`{ dist: lognormal, mean: 500us, sd: 1ms }`), 'mg1.yaml'));
    const rho = LAMBDA * meanS;
    const es2 = sd * sd + meanS * meanS;
    const expected = (meanS + (LAMBDA * es2) / (2 * (1 - rho))) * 1000;
    expect(Math.abs(one(r).latency.meanMs! - expected) / expected).toBeLessThan(0.04);
  });
});

describe("Little's law on the run's own outputs", () => {
  it('time-average lag = arrival rate x mean latency when every record is committed as it completes', () => {
    // One record per poll and a sync commit with no round trip: lag (log end - committed) is
    // exactly the number of records in the system, and latency their time in it.
    const r = simulate(
      parseScenario(
        queue('{ dist: exponential, mean: 1ms }', ', max.poll.records: 1, enable.auto.commit: false', '600s'),
        'little.yaml',
      ),
    );
    const meanLag = one(r).series.groupLag.reduce((a, b) => a + b, 0) / one(r).series.groupLag.length;
    const lambda = one(r).throughput.meanProcessedPerSecond;
    const w = one(r).latency.meanMs! / 1000;
    expect(Math.abs(meanLag - lambda * w) / (lambda * w)).toBeLessThan(0.05);
  });
});

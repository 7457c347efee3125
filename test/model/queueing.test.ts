/**
 * The model against queueing theory, through the real scenario path: a one-partition topic, one
 * consumer, Poisson arrivals, no network or batching delay, so a record's end-to-end latency is
 * its sojourn time in a single-server FIFO queue.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/model/simulate.js';
import { one } from '../helpers/one-stage.js';
import { queue } from '../helpers/queue.js';

const LAMBDA = 900; // arrivals per second (queue()'s default)
const MU = 1000; // services per second (1 ms mean)

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

// At 10 us of processing per record a poll batch ends between two of the kernel's microsecond
// ticks; the next batch must start at that exact end, or the consumer loses up to a microsecond
// per batch and is a slower server than its service time says (the mean was 107.9 us, +7.9%).
//
// Sample size: 111 s at 90k records/s is 10M records. The standard error of a mean sojourn over
// n customers is sigma / sqrt(n), with sigma^2 = rho (2 + 5 rho - 4 rho^2 + rho^3) / (1 - rho)^4 in
// service times squared for M/M/1 (Daley 1968, the sum of the sojourns' autocovariances): at
// rho 0.9, 0.6% of the mean at 10M. Twenty replications of a Lindley recursion with 10M customers
// each agree (0.60% for M/M/1, 0.36% for M/D/1, 0.5% at 5M). So 2% is more than 3 standard
// errors, and the defect's +8.6% more than 12. A record also waits for its batch to be visible at
// the next whole tick, and the first of a busy period shifts the others behind it by as much:
// about +0.5 us on every sojourn, inside the bound (M/D/1 at 10 us: 55 us, 0.9%).
describe('at 10 us of processing per record (rho = 0.9): no rounding at poll-batch boundaries', () => {
  const LAMBDA_US = 90_000;
  const MU_US = 100_000;

  it('M/M/1: mean sojourn 1/(mu - lambda) = 100 us within 2%, p50 and p99 within 3%', () => {
    const r = simulate(parseScenario(queue('{ dist: exponential, mean: 10us }', '', '111s', LAMBDA_US), 'mm1-10us.yaml'));
    const lat = one(r).latency;
    expect(lat.count).toBeGreaterThan(9_900_000);
    const mean = 1 / (MU_US - LAMBDA_US);
    expect(Math.abs(lat.meanMs! / 1000 - mean) / mean).toBeLessThan(0.02);
    for (const [q, got] of [[0.5, lat.p50Ms!], [0.99, lat.p99Ms!]]) {
      const expected = -Math.log(1 - q) * mean;
      expect(Math.abs(got / 1000 - expected) / expected, `p${q * 100}`).toBeLessThan(0.03);
    }
  }, 60_000);

  // 10 us is a whole number of ticks, so every batch ends on one and rounding had nothing to
  // lose; 12.5 us is not (the rounding made it +8.6%). 5M records each: 0.5% standard error.
  for (const [service, lambda, duration] of [['10us', LAMBDA_US, '56s'], ['12.5us', 72_000, '70s']] as const) {
    it(`M/D/1 at ${service}: mean sojourn 1/mu + rho/(2 mu (1 - rho)) within 2%`, () => {
      const s = Number.parseFloat(service) / 1e6;
      const rho = lambda * s;
      expect(rho).toBeCloseTo(0.9, 9);
      const expected = s + (rho * s) / (2 * (1 - rho));
      const lat = one(simulate(parseScenario(queue(service, '', duration, lambda), 'md1.yaml'))).latency;
      expect(lat.count).toBeGreaterThan(4_950_000);
      expect(Math.abs(lat.meanMs! / 1000 - expected) / expected).toBeLessThan(0.02);
    }, 60_000);
  }
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

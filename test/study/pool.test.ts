/**
 * The worker pool: results in job order whatever the completion order, byte-identical to running
 * the jobs one after the other, progress per job, a failed job named in the error, and a job
 * stopped at its limit on blocked callers failing the batch as a RunLimitError, not a failure.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/model/simulate.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { createPool, RunFailedError, type PoolProgress, type RunJob } from '../../src/study/pool.js';
import { RunLimitError } from '../../src/model/run-limit.js';

function small(duration: string, seed: number): Scenario {
  return parseScenario(
    `
name: small
seed: ${seed}
duration: ${duration}
topics: [{ name: t, partitions: 4 }]
producers: [{ name: p, topic: t, rate: 2k/s, arrivals: poisson, keys: { dist: uniform, count: 100 } }]
consumer-groups:
  - { name: g, topic: t, instances: 2, processing: { per-record: { dist: exponential, mean: 400us } } }
`,
    'small.yaml',
  );
}

// The first job is the longest, so on two workers the others finish before it.
const jobs: RunJob[] = [small('120s', 1), small('10s', 2), small('20s', 3), small('5s', 4), small('15s', 5)].map((scenario, i) => ({
  label: `job ${i}`,
  scenario,
}));

describe('createPool', () => {
  const pool = createPool(2);
  afterAll(() => pool.close());

  it('scenarios survive structured cloning unchanged', () => {
    for (const j of jobs) expect(structuredClone(j.scenario)).toStrictEqual(j.scenario);
  });

  it('returns results in job order, byte-identical to a sequential run and to an inline pool', async () => {
    // Both workers started first (two short jobs), so a slow start of the second one cannot
    // let the long first job finish before the others.
    await pool.run(jobs.slice(3, 5));
    const completion: number[] = [];
    const progress: PoolProgress[] = [];
    await pool.each(jobs, (i) => completion.push(i), { onProgress: (p) => progress.push({ ...p, fractions: [...p.fractions] }) });
    expect(completion[0]).not.toBe(0); // the long first job did not finish first
    const runs = await pool.run(jobs);
    const sequential = jobs.map((j) => simulate(j.scenario));
    expect(runs.map((r) => JSON.stringify(r.result))).toStrictEqual(sequential.map((r) => JSON.stringify(r)));
    const inline = createPool(1);
    const inlineRuns = await inline.run(jobs);
    expect(inlineRuns.map((r) => JSON.stringify(r.result))).toStrictEqual(sequential.map((r) => JSON.stringify(r)));
    for (const r of runs) expect(r.wallMs).toBeGreaterThan(0);

    const last = progress[progress.length - 1];
    expect(last).toMatchObject({ done: jobs.length, total: jobs.length, fraction: 1 });
    expect(progress.some((p) => p.done === 0 && p.fraction > 0)).toBe(true); // per-job fractions before any job ended
    for (let k = 1; k < progress.length; k++) expect(progress[k].done).toBeGreaterThanOrEqual(progress[k - 1].done);
  }, 120_000);

  it('fails the batch with the failing job named and the simulation message, and stays usable', async () => {
    const broken = { ...jobs[1].scenario, topics: [] } as unknown as Scenario;
    const bad = [jobs[1], { label: 'point instances=3, replication 2', scenario: broken }, jobs[3]];
    for (const p of [pool, createPool(1)]) {
      const err = await p.run(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RunFailedError);
      expect((err as RunFailedError).message).toMatch(/^run point instances=3, replication 2 failed: /);
      expect((err as RunFailedError).causeName).toBe('TypeError');
    }
    const again = await pool.run([jobs[3]]);
    expect(JSON.stringify(again[0].result)).toBe(JSON.stringify(simulate(jobs[3].scenario)));
  }, 60_000);

  it('fails the batch with a RunLimitError naming the job when a run passes its limit on blocked callers, in a worker and inline', async () => {
    // 10^9 records/s into brokers whose latencies can be 0: the estimate cannot refuse it, the run stops after ~45 ms simulated.
    const hostile = parseScenario(
      `
name: hostile
duration: 1m
network: { rtt: 0ms }
brokers: { append-latency: { dist: exponential, mean: 1ms }, replication-latency: { dist: exponential, mean: 1ms } }
topics: [{ name: t, partitions: 8 }]
producers: [{ name: web, topic: t, rate: 1e9/s }]
consumer-groups: [{ name: g, topic: t, instances: 1 }]
`,
      'hostile.yaml',
    );
    const limits = [];
    for (const p of [pool, createPool(1)]) {
      const err = await p.run([{ label: 'point rate=1e9', scenario: hostile }, jobs[3]]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RunLimitError);
      expect((err as RunLimitError).run).toBe('point rate=1e9');
      expect((err as RunLimitError).message).toMatch(/^run point rate=1e9: expected a run that fits in memory: at [\d.]+ ms of simulated time [\d.]+M callers were blocked in send\(\)/);
      limits.push((err as RunLimitError).limit);
    }
    expect(limits[1]).toEqual(limits[0]);
  }, 120_000);

  it('counts its runs and their own time against the wall time its batches took', async () => {
    for (const size of [1, 2]) {
      const p = createPool(size);
      const t0 = performance.now();
      const runs = [...(await p.run(jobs)), ...(await p.run(jobs.slice(0, 2)))];
      const outer = performance.now() - t0;
      await p.close();
      expect(p.usage.runs).toBe(jobs.length + 2);
      expect(p.usage.runMs).toBeCloseTo(runs.reduce((s, r) => s + r.wallMs, 0), 6);
      // A worker runs one job at a time within the batch: the runs' time fits in size x wall.
      expect(p.usage.wallMs).toBeLessThanOrEqual(outer);
      expect(p.usage.runMs).toBeGreaterThan(0);
      expect(p.usage.runMs).toBeLessThanOrEqual(size * p.usage.wallMs);
    }
  }, 120_000);

  it('refuses a size that is not a positive integer', () => {
    expect(() => createPool(0)).toThrow(RangeError);
  });
});

/**
 * Plans against an answer worked out by hand, and the search's handling of a non-monotone field.
 *
 * The queueing case: c consumers, c partitions (one each), Poisson arrivals at lambda split
 * evenly over the partitions by uniformly hashed keys (a thinned Poisson process is Poisson), and
 * exponential processing at mu per consumer, with no network, linger or fetch delay: each
 * partition is an M/M/1 queue with arrival rate lambda / c, so a record's mean end-to-end latency
 * is W(c) = 1 / (mu - lambda / c) and its p99 is ln(100) W(c) (sojourn time is exponential).
 * With lambda = 4500/s and mu = 1000/s: c <= 4 is unstable, W(5) = 10 ms, W(6) = 4 ms,
 * W(7) = 2.8 ms; the smallest c with W <= 6 ms and p99 <= 30 ms is 6.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/schema.js';
import type { RunResult } from '../../src/metrics/result.js';
import type { ObjectiveVerdict } from '../../src/metrics/study.js';
import { createPool, type Runner } from '../../src/study/pool.js';
import { plan, type PlanOptions } from '../../src/study/plan.js';
import { planMarkdown, planSummary } from '../../src/study/plan-report.js';
import { StudyInputError } from '../../src/study/grid.js';
import { parseObjectiveOption } from '../../src/study/objective-option.js';
import { evaluateObjectives } from '../../src/slo/objectives.js';
import { aggregate } from '../../src/stats/aggregate.js';
import { replicationSeeds } from '../../src/stats/seeds.js';

const LAMBDA = 4500;
const MU = 1000;
const MEAN_BOUND_MS = 6;
const P99_BOUND_MS = 30;

/** The closed-form answer: the smallest stable c meeting both bounds. */
function expectedConsumers(): number {
  for (let c = 1; ; c++) {
    const perPartition = LAMBDA / c;
    if (perPartition >= MU) continue;
    const w = 1000 / (MU - perPartition);
    if (w <= MEAN_BOUND_MS && Math.log(100) * w <= P99_BOUND_MS) return c;
  }
}

const base = parseScenario(
  `
name: mmc
seed: 3
duration: 60s
sample-interval: 1s
fidelity: exact
network: { rtt: 0ms }
brokers: { append-latency: 0ms, replication-latency: 0ms }
topics: [{ name: t, partitions: 1 }]
producers:
  - { name: p, topic: t, rate: ${LAMBDA}/s, arrivals: poisson, keys: { dist: uniform, count: 100000 }, config: { linger.ms: 0 } }
consumer-groups:
  - name: g
    topic: t
    instances: 1
    config: { fetch.max.wait.ms: 500 }
    processing: { per-record: { dist: exponential, mean: 1ms } }
`,
  'mmc.yaml',
);

/** One partition per consumer: the plan's field sets both. */
const consumers = (c: number): Scenario => ({ ...base, topics: [{ ...base.topics[0], partitions: c }], 'consumer-groups': [{ ...base['consumer-groups'][0], instances: c }] });
const objectives = [parseObjectiveOption(`latency.meanMs<=${MEAN_BOUND_MS}`), parseObjectiveOption(`latency.p99Ms<=${P99_BOUND_MS}`)];
const evaluate = (_s: Scenario, r: Parameters<typeof evaluateObjectives>[1]) => evaluateObjectives(objectives, r);

describe('plan, M/M/1 per consumer', () => {
  const pool = createPool(2);
  afterAll(() => pool.close());
  const fns = { replicationSeeds: replicationSeeds, aggregate: aggregate };

  it(`finds the closed-form answer (${expectedConsumers()} consumers) with single runs, and its neighbours`, async () => {
    expect(expectedConsumers()).toBe(6);
    const { result, variants } = await plan('consumers', { min: 1, max: 16 }, consumers, evaluate, { ...fns, replications: 1, pool });
    expect(result.answer).toBe(expectedConsumers());
    expect(result.monotone).toBe(true);
    // Exponential probe 1, 2, 4, 8; bisection 6, 5; then the upper neighbour 7.
    expect(result.probes.map((p) => [p.value, p.pass])).toStrictEqual([[1, false], [2, false], [4, false], [8, true], [6, true], [5, false], [7, true]]);
    expect(result.probes.map((p) => p.reason)).toStrictEqual(['search', 'search', 'search', 'search', 'bisect', 'bisect', 'verify']);
    const [mean, p99] = result.margins;
    const w6 = 1000 / (MU - LAMBDA / 6);
    expect(Math.abs(mean.measured! - w6) / w6).toBeLessThan(0.1);
    expect(mean.margin).toBeCloseTo(MEAN_BOUND_MS - mean.measured!, 9);
    expect(Math.abs(p99.measured! - Math.log(100) * w6) / (Math.log(100) * w6)).toBeLessThan(0.1);
    // answer - 1 really fails: W(5) = 10 ms.
    const five = result.probes.find((p) => p.value === 5)!;
    expect(Math.abs(five.verdicts[0].measured! - 10) / 10).toBeLessThan(0.15);
    for (const p of result.probes) {
      expect(p.runs).toHaveLength(1);
      expect(p.wallMs).toBeGreaterThan(0);
    }
    expect(variants.map((v) => v.label)).toStrictEqual(['consumers=5', 'consumers=6']);
    expect(planSummary(result)).toMatch(/^smallest consumers meeting every objective: 6\n/);
    expect(planMarkdown(result)).toMatch(/\*\*Answer: consumers = 6\*\*/);
  }, 120_000);

  it('finds the same answer with replications, where every interval must hold, and by plain bisection', async () => {
    const { result } = await plan('consumers', { min: 1, max: 16 }, consumers, evaluate, { ...fns, replications: 3, pool });
    expect(result.answer).toBe(expectedConsumers());
    const at = result.probes.find((p) => p.value === result.answer)!;
    expect(at.runs).toHaveLength(3);
    expect(at.verdicts.every((v) => v.confidence === 'holds')).toBe(true);

    const bisect = await plan('consumers', { min: 1, max: 16 }, consumers, evaluate, { ...fns, replications: 1, pool, search: 'bisect' });
    expect(bisect.result.answer).toBe(expectedConsumers());
    expect(bisect.result.probes[0].value).toBe(16);
  }, 180_000);
});

describe('plan search, on a pool that fakes its runs', () => {
  /** A pool that runs nothing: each job's result carries its scenario's instances as its summary's only figure. */
  const fake: Runner = {
    size: 1,
    usage: { runs: 0, runMs: 0, wallMs: 0 },
    async run(jobs) {
      return jobs.map((j) => ({ result: { scenario: { seed: j.scenario.seed }, summary: { value: j.scenario['consumer-groups'][0].instances } } as unknown as RunResult, wallMs: 1 }));
    },
    async each() {},
    async close() {},
  };
  const at = (v: number) => ({ ...base, 'consumer-groups': [{ ...base['consumer-groups'][0], instances: v }] });
  const passing = (set: (v: number) => boolean) => (_s: Scenario, r: { runs: RunResult[] }): ObjectiveVerdict[] => {
    const v = (r.runs[0].summary as unknown as { value: number }).value;
    const pass = set(v);
    return [{ objective: 'ok', figure: 'value', comparison: 'at-least', bound: 0, measured: v, unit: '', margin: 0, pass, confidence: 'single-run' }];
  };
  const opts: PlanOptions = { replicationSeeds: replicationSeeds, aggregate: (seeds, runs) => ({ seeds, runs, median: runs[0], bands: {}, estimates: {} }), replications: 1, pool: fake };

  it('says when the field is not monotone and searches on linearly for a value that passes with everything above it', async () => {
    // 4 passes, 5 fails, 6 and up pass: exponential 1, 2, 4 | bisect 3 | verify 5 (fails) | linear 6, 7.
    const { result } = await plan('n', { min: 1, max: 20 }, at, passing((v) => v === 4 || v >= 6), opts);
    expect(result.answer).toBe(6);
    expect(result.monotone).toBe(false);
    expect(result.probes.map((p) => p.value)).toStrictEqual([1, 2, 4, 3, 5, 6, 7]);
    expect(result.notes[0]).toMatch(/^n=4 meets every objective but n=5 does not: the objectives are not monotone in n/);
  });

  it('reports no answer when even max fails, and min when min already passes', async () => {
    const none = await plan('n', { min: 1, max: 5 }, at, passing(() => false), opts);
    expect(none.result.answer).toBeNull();
    expect(none.result.probes.map((p) => p.value)).toStrictEqual([1, 2, 4, 5]);
    expect(none.result.notes).toStrictEqual(['no value of n up to 5 meets every objective']);
    expect(none.variants).toStrictEqual([]);
    const low = await plan('n', { min: 3, max: 9 }, at, passing(() => true), opts);
    expect(low.result.answer).toBe(3);
    expect(low.result.probes.map((p) => p.value)).toStrictEqual([3, 4]);
    expect(low.result.notes[0]).toMatch(/bottom of the range/);
  });

  it('refuses a bad range and a scenario without objectives', async () => {
    await expect(plan('n', { min: 5, max: 2 }, at, passing(() => true), opts)).rejects.toThrow(StudyInputError);
    await expect(plan('n', { min: 1, max: 2 }, at, () => [], opts)).rejects.toThrow(/at least one objective/);
  });
});

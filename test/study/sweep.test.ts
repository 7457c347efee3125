/**
 * Sweeps over a grid, sharded and merged: the merged result is the unsharded one, byte for byte,
 * on any pool size; merge refuses shards that do not make a whole study; bad grid values are all
 * reported before anything runs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { parseGridAxis, StudyInputError, type Assignment } from '../../src/study/grid.js';
import { createPool, RunFailedError, type Runner } from '../../src/study/pool.js';
import { sweep, type SweepOptions } from '../../src/study/sweep.js';
import { mergeShards, resultJson } from '../../src/study/shard.js';
import { gridCharts, renderSweepReport, sweepCsv, sweepTableMarkdown } from '../../src/study/sweep-report.js';
import type { GridChartInput } from '../../src/report/grid-charts.js';
import { parseObjectiveOption } from '../../src/study/objective-option.js';
import { evaluateObjectives } from '../../src/slo/objectives.js';
import { aggregate } from '../../src/stats/aggregate.js';
import { replicationSeeds } from '../../src/stats/seeds.js';
import { duplicateShard, missingShards } from '../../src/study/messages.js';

const base = parseScenario(
  `
name: sweepme
seed: 9
duration: 8s
topics: [{ name: t, partitions: 4 }]
producers: [{ name: p, topic: t, rate: 3k/s, arrivals: poisson, keys: { dist: uniform, count: 1000 } }]
consumer-groups:
  - { name: g, topic: t, instances: 2, processing: { per-record: { dist: exponential, mean: 500us } } }
`,
  'sweepme.yaml',
);

/** The test's scenario factory: patches the parsed scenario (the CLI's, loadScenario with `set`, is tested in test/scenario/overrides.test.ts). */
function factory(assignments: Assignment[]): Scenario {
  let s = base;
  for (const a of assignments) {
    const v = Number(a.value);
    if (a.path === 'consumer-groups.0.instances') {
      if (!(v >= 1)) throw new StudyInputError(`consumer-groups[0].instances: expected a number >= 1, got ${a.value}`);
      s = { ...s, 'consumer-groups': [{ ...s['consumer-groups'][0], instances: v }] };
    } else if (a.path === 'topics.0.partitions') s = { ...s, topics: [{ ...s.topics[0], partitions: v }] };
    else throw new StudyInputError(`unknown path ${a.path}`);
  }
  return s;
}

const grid = [parseGridAxis('topics.0.partitions=2,4'), parseGridAxis('consumer-groups.0.instances=1..3')];
const objectives = [parseObjectiveOption('latency.p99Ms<=20'), parseObjectiveOption('lag.peakRecords<=1000')];
const chartStub = async (m: GridChartInput) => [{ name: `${m.name}.json`, content: JSON.stringify(m) }];

function options(pool: Runner, extra: Partial<SweepOptions> = {}): SweepOptions {
  return {
    replicationSeeds: replicationSeeds,
    aggregate: aggregate,
    evaluate: (_s, r) => evaluateObjectives(objectives, r),
    replications: 2,
    pool,
    ...extra,
  };
}

describe('sweep', () => {
  const pool = createPool(2);
  afterAll(() => pool.close());

  it('runs every point with its replications, in grid order, the same seeds at every point', async () => {
    const seen: number[] = [];
    const r = await sweep(base, grid, factory, options(pool, { onPoint: (p) => seen.push(p.index) }));
    expect(r.totalPoints).toBe(6);
    expect(r.points.map((p) => p.label)).toStrictEqual([
      'partitions=2, instances=1',
      'partitions=2, instances=2',
      'partitions=2, instances=3',
      'partitions=4, instances=1',
      'partitions=4, instances=2',
      'partitions=4, instances=3',
    ]);
    expect([...seen].sort()).toStrictEqual([0, 1, 2, 3, 4, 5]);
    for (const p of r.points) {
      expect(p.seeds).toStrictEqual(replicationSeeds(9, 2));
      expect(p.runs.map((x) => x.seed)).toStrictEqual(p.seeds);
      expect(Object.values(p.runs[0].topology.groups)[0].instances).toBe(Number(p.assignments[1].value));
      expect(p.verdicts).toHaveLength(2);
      expect(p.estimates['endToEnd.latency.p99Ms'].n).toBe(2);
      expect(p.pass).toBe(p.verdicts.every((v) => v.pass && v.confidence === 'holds'));
    }
    expect(r.shard).toBeUndefined();
    // One consumer at 3k/s x 0.5 ms is at rho = 1.5: lag piles up and the objectives fail.
    expect(r.points[0].pass).toBe(false);
  }, 60_000);

  it('gives byte-identical results on a pool of 2 and inline, and sharded 1/3 + 2/3 + 3/3 then merged', async () => {
    const whole = await sweep(base, grid, factory, options(pool));
    const inline = createPool(1);
    expect(resultJson(await sweep(base, grid, factory, options(inline)))).toBe(resultJson(whole));

    const shards = [];
    for (const index of [3, 1, 2]) {
      const s = await sweep(base, grid, factory, options(pool, { shard: { index, count: 3 } }));
      expect(s.shard).toStrictEqual({ index, count: 3 });
      expect(s.points.map((p) => p.index)).toStrictEqual([0, 1, 2, 3, 4, 5].filter((i) => i % 3 === index - 1));
      expect(s.study).toBe(whole.study);
      shards.push({ file: `shard-${index}-of-3.json`, text: resultJson(s) });
    }
    const merged = mergeShards(shards);
    expect(resultJson(merged)).toBe(resultJson(whole));
    expect(merged).toStrictEqual(whole);

    const a = await renderSweepReport(whole, { renderGridChart: chartStub });
    const b = await renderSweepReport(merged, { renderGridChart: chartStub });
    expect(b).toStrictEqual(a);
    expect(a.map((f) => f.name)).toStrictEqual(['report.md', 'sweep.csv', 'sweep.json', 'heatmap-latency.p99Ms.json', 'objectives.json']);
    // The table names figures and command-line objectives in words with their units; the CSV keeps the paths.
    expect(sweepTableMarkdown(whole, ['latency.p99Ms', 'lag.peakRecords']).split('\n')[0]).toBe(
      '| partitions | instances | End-to-end latency p99 | Peak group lag (records) | End-to-end latency p99 ≤ 20 ms | Peak group lag ≤ 1k records | all objectives |',
    );
    // Two fields: a heat map and the verdicts; one field: a line with the bound of the objective on its figure.
    const [heatmap, verdicts] = gridCharts(whole, 'latency.p99Ms');
    expect([heatmap.kind, heatmap.name, heatmap.title, verdicts.kind, verdicts.name]).toStrictEqual(['heatmap', 'heatmap-latency.p99Ms', 'End-to-end latency p99 by instances and partitions', 'verdicts', 'objectives']);
    const oneField = {
      ...whole,
      grid: [whole.grid[1]],
      points: whole.points.filter((p) => p.assignments[0].value === '2').map((p) => ({ ...p, assignments: p.assignments.slice(1) })),
    };
    const [line, perObjective] = gridCharts(oneField, 'latency.p99Ms');
    expect(line).toMatchObject({
      kind: 'line',
      title: 'End-to-end latency p99 by instances',
      unit: 'ms',
      bound: { value: 20, comparison: 'at-most', objective: 'End-to-end latency p99 ≤ 20 ms' },
      note: 'mean of 2 runs at each point, bars: 95% confidence interval',
    });
    expect(perObjective.kind === 'verdicts' && [...new Set(perObjective.cells.map((c) => c.y))]).toStrictEqual([
      'End-to-end latency p99 ≤ 20 ms',
      'Peak group lag ≤ 1k records',
      'every objective',
    ]);
    expect(sweepCsv(whole, ['latency.p99Ms']).split('\n')[0]).toBe(
      'topics.0.partitions,consumer-groups.0.instances,latency.p99Ms,latency.p99Ms.low,latency.p99Ms.high,latency.p99Ms <= 20,lag.peakRecords <= 1000,objectives',
    );

    // Merge refuses what is not one whole study.
    const [s3, s1, s2] = shards;
    expect(() => mergeShards([s1, s2])).toThrow(new StudyInputError(missingShards([3], 3)));
    expect(() => mergeShards([s1, s2, s3, { ...s1, file: 'copy.json' }])).toThrow(new StudyInputError(duplicateShard(1, 3, 'shard-1-of-3.json', 'copy.json')));
    const other = await sweep(base, grid, factory, options(pool, { shard: { index: 3, count: 3 }, replications: 1 }));
    expect(() => mergeShards([s1, s2, { file: 'other.json', text: resultJson(other) }])).toThrow(/other\.json belongs to another study/);
    expect(() => mergeShards([s1, s2, { file: 'whole.json', text: resultJson(whole) }])).toThrow(/whole\.json: not a lagsim sweep shard \(it is a whole sweep/);
    expect(() => mergeShards([{ file: 'x.json', text: '{' }])).toThrow(/x\.json: not a lagsim sweep shard \(not JSON/);
    const tampered = JSON.parse(s2.text);
    tampered.points[0].index = 0;
    expect(() => mergeShards([s1, s3, { file: 't.json', text: JSON.stringify(tampered) }])).toThrow(/belongs to another shard|appears twice/);
  }, 120_000);

  it('fails the whole sweep when a run fails, naming the scenario, the point and the replication', async () => {
    // A scenario the validator would refuse, so the model itself throws.
    const breaking = (a: Assignment[]) => (a[1].value === '2' && a[0].value === '4' ? ({ ...factory(a), topics: [] } as unknown as Scenario) : factory(a));
    const err = await sweep(base, grid, breaking, options(pool)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunFailedError);
    expect((err as Error).message).toMatch(/^run sweepme partitions=4, instances=2 \(replication \d of 2, seed \d+\) failed: /);
  }, 60_000);

  it('reports every bad grid value before running anything', async () => {
    let ran = 0;
    const counting: Runner = { size: 1, usage: { runs: 0, runMs: 0, wallMs: 0 }, each: async () => void ran++, run: async () => (ran++, []), close: async () => undefined };
    const bad = [parseGridAxis('consumer-groups.0.instances=-1..1')];
    const err = await sweep(base, bad, factory, options(counting)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StudyInputError);
    expect((err as Error).message.split('\n')).toStrictEqual([
      'grid point instances=-1:',
      'consumer-groups[0].instances: expected a number >= 1, got -1',
      'grid point instances=0:',
      'consumer-groups[0].instances: expected a number >= 1, got 0',
    ]);
    expect(ran).toBe(0);
    await expect(sweep(base, grid, factory, options(counting, { replications: 0 }))).rejects.toThrow(/--replications/);
  });
});

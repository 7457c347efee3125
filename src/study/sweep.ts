/**
 * A sweep: the same scenario over every point of a grid of field values, each point run with
 * replications, all on the worker pool.
 *
 *   1. list the grid's points (grid.ts gives their order) and keep those of this shard;
 *   2. build every point's scenario through the factory first, so a bad value anywhere in the
 *      grid is reported before anything runs (every bad point at once);
 *   3. run each kept point's replications (seeds from `replicationSeeds` of the point's seed, so
 *      every point sees the same random streams: differences between points come from the
 *      configuration, not from luck);
 *   4. as soon as a point's replications are all in, aggregate them, evaluate its objectives and
 *      keep only its compact record (summaries, estimates, verdicts): memory stays flat however
 *      large the grid.
 * The result holds the points in grid order, whatever order the runs finished in, as it reads
 * back from JSON, so a result merged from shard files is the same object (shard.ts).
 */
import type { Replicated } from '../metrics/study.js';
import type { RunResult } from '../metrics/result.js';
import type { Scenario } from '../scenario/schema.js';
import { ScenarioError } from '../scenario/load.js';
import { gridPoints, inShard, StudyInputError, type Assignment, type GridAxis, type GridPoint, type Shard } from './grid.js';
import { badPoint, replicationsRefusal } from './messages.js';
import type { PoolProgress, RunJob, Runner } from './pool.js';
import { asJson, meetsObjectives, replicate, runRecord, studyId, type ConfigurationRecord, type Evaluate, type PassRule, type StudyFunctions } from './study.js';

export type SweepFactory = (assignments: Assignment[]) => Scenario;

export interface SweepOptions extends StudyFunctions {
  /** Runs per point (>= 1). */
  replications: number;
  pool: Runner;
  evaluate: Evaluate;
  passRule?: PassRule;
  /** Run only this shard's points. */
  shard?: Shard;
  /** Anything else that changes the results (lagsim's version, objectives added on the command line): part of the study's identity. */
  identity?: unknown;
  onProgress?: (progress: PoolProgress) => void;
  /** Called once per point as its replications complete (in completion order), with the full runs. */
  onPoint?: (point: SweepPoint, result: Replicated, scenario: Scenario) => void;
}

export interface SweepPoint extends ConfigurationRecord {
  /** 0-based position in the grid's order. */
  index: number;
  label: string;
  assignments: Assignment[];
  /** `path=value` for each assignment: how this point differs from the base scenario. */
  overrides: string[];
}

export interface SweepResult {
  kind: 'lagsim-sweep';
  format: 1;
  /** Hash of everything that determines the results: base scenario, grid, replications, seeds, pass rule, identity extras. */
  study: string;
  scenario: string;
  grid: GridAxis[];
  replications: number;
  passRule: PassRule;
  /** Points in the whole grid (a shard holds fewer). */
  totalPoints: number;
  /** Present in a shard's result only. */
  shard?: Shard;
  /** In grid order. */
  points: SweepPoint[];
}

export async function sweep(base: Scenario, grid: readonly GridAxis[], factory: SweepFactory, options: SweepOptions): Promise<SweepResult> {
  const { replications, pool, shard } = options;
  const passRule = options.passRule ?? 'holds';
  const refusal = replicationsRefusal(replications);
  if (refusal !== undefined) throw new StudyInputError(refusal);

  // 1-2.
  const all = gridPoints(grid);
  const scenarios = buildPoints(all, factory);
  const kept = all.filter((p) => inShard(p.index, shard));

  // 3.
  const jobs: RunJob[] = [];
  const owner: { point: number; replication: number }[] = [];
  const seedsOf: number[][] = [];
  kept.forEach((p, k) => {
    const { seeds, jobs: pointJobs } = replicate(scenarios[p.index], p.label, replications, options);
    seedsOf.push(seeds);
    pointJobs.forEach((j, r) => {
      jobs.push(j);
      owner.push({ point: k, replication: r });
    });
  });

  // 4.
  const pending: RunResult[][] = kept.map(() => []);
  const left = kept.map(() => replications);
  const points: SweepPoint[] = new Array(kept.length);
  await pool.each(
    jobs,
    (i, run) => {
      const { point: k, replication: r } = owner[i];
      pending[k][r] = run.result;
      if (--left[k] > 0) return;
      const p = kept[k];
      const scenario = scenarios[p.index];
      const replicated = options.aggregate(seedsOf[k], pending[k]);
      const verdicts = options.evaluate(scenario, replicated);
      const point: SweepPoint = asJson({
        index: p.index,
        label: p.label,
        assignments: p.assignments,
        overrides: p.overrides,
        seeds: seedsOf[k],
        runs: pending[k].map(runRecord),
        estimates: replicated.estimates,
        verdicts,
        pass: meetsObjectives(verdicts, passRule),
      });
      points[k] = point;
      pending[k] = [];
      options.onPoint?.(point, replicated, scenario);
    },
    { onProgress: options.onProgress },
  );

  const study = studyId({ base, grid, replications, seeds: options.replicationSeeds(base.seed, replications), passRule, extra: options.identity });
  return sweepResult({ study, scenario: base.name, grid: [...grid], replications, passRule, totalPoints: all.length }, points, shard);
}

/** A sweep result with its fields in one fixed order, whether built by a sweep or by a merge. */
export function sweepResult(header: Omit<SweepResult, 'kind' | 'format' | 'points' | 'shard'>, points: SweepPoint[], shard?: Shard): SweepResult {
  const result: SweepResult = {
    kind: 'lagsim-sweep',
    format: 1,
    study: header.study,
    scenario: header.scenario,
    grid: header.grid.map((a) => ({ path: a.path, values: [...a.values] })),
    replications: header.replications,
    passRule: header.passRule,
    totalPoints: header.totalPoints,
    points,
  };
  return shard ? { ...result, shard: { index: shard.index, count: shard.count } } : result;
}

/** Every point's scenario; every point the factory refuses is reported at once. */
function buildPoints(points: readonly GridPoint[], factory: SweepFactory): Scenario[] {
  const problems: string[] = [];
  const scenarios = points.map((p) => {
    try {
      return factory(p.assignments);
    } catch (err) {
      if (err instanceof ScenarioError) problems.push(badPoint(p.label, err.format()));
      else if (err instanceof StudyInputError) problems.push(badPoint(p.label, err.message));
      else throw err;
      return undefined as unknown as Scenario;
    }
  });
  if (problems.length) throw new StudyInputError(problems.join('\n'));
  return scenarios;
}

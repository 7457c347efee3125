/**
 * What sweeps and plans share: the functions they are given (seeds for replications, the
 * aggregation of replications, the evaluation of objectives), when a configuration counts as
 * meeting its objectives, and the compact record of a run they keep.
 *
 * The functions are injected rather than imported so that this layer depends only on the
 * study contract (metrics/study.ts), not on how statistics or objectives are computed.
 */
import { createHash } from 'node:crypto';
import type { Estimate, ObjectiveVerdict, Replicated } from '../metrics/study.js';
import type { RunResult, ScenarioInfo, Summary, Topology } from '../metrics/result.js';
import { valueAt } from '../metrics/figures.js';
import type { Scenario } from '../scenario/schema.js';
import type { GridAxis } from './grid.js';

export interface StudyFunctions {
  /** Seeds of `n` replications derived from a scenario's seed; the same seed gives the same list. */
  replicationSeeds(seed: number, n: number): number[];
  /** The replications of one configuration, runs[i] made with seeds[i]. */
  aggregate(seeds: number[], runs: RunResult[]): Replicated;
}

/** The verdict on each of a configuration's objectives (those of `scenario`, plus any the caller adds). */
export type Evaluate = (scenario: Scenario, result: Replicated) => ObjectiveVerdict[];

/**
 * When a configuration meets an objective that was judged over replications:
 * - 'holds' (default): the whole 95% confidence interval is on the passing side;
 * - 'on-average': the mean is, even if the interval reaches past the bound.
 * A single run has no interval: its verdict's `pass` decides.
 */
export type PassRule = 'holds' | 'on-average';

/** Whether every objective passes under `rule`; true when there are no objectives. */
export function meetsObjectives(verdicts: readonly ObjectiveVerdict[], rule: PassRule = 'holds'): boolean {
  return verdicts.every(
    (v) => v.pass && (v.confidence === 'single-run' || v.confidence === 'holds' || (rule === 'on-average' && v.confidence === 'on-average')),
  );
}

/** What a study keeps of one run: enough for tables and objectives, not the time series. */
export interface RunRecord {
  seed: number;
  scenario: ScenarioInfo;
  /** What the run was made of, so figures named by their one-stage paths can be resolved. */
  topology: Topology;
  summary: Summary;
}

export function runRecord(result: RunResult): RunRecord {
  return { seed: result.scenario.seed, scenario: result.scenario, topology: result.topology, summary: result.summary };
}

/** What a study keeps of one configuration's replications. */
export interface ConfigurationRecord {
  seeds: number[];
  runs: RunRecord[];
  /** Mean and 95% CI of every numeric summary figure, by path (from `aggregate`). */
  estimates: Record<string, Estimate>;
  verdicts: ObjectiveVerdict[];
  /** Every objective met under the study's pass rule. */
  pass: boolean;
}

/** Seeds, jobs' scenarios and labels (`flash-sale instances=8 (replication 2 of 3, seed ...)`) for the replications of one configuration. */
export function replicate(scenario: Scenario, label: string, replications: number, fns: StudyFunctions): { seeds: number[]; jobs: { label: string; scenario: Scenario }[] } {
  const seeds = fns.replicationSeeds(scenario.seed, replications);
  if (seeds.length !== replications) throw new Error(`replicationSeeds gave ${seeds.length} seeds for ${replications} replications`);
  const name = label ? `${scenario.name} ${label}` : scenario.name;
  const jobs = seeds.map((seed, r) => ({
    label: replications === 1 ? name : `${name} (replication ${r + 1} of ${replications}, seed ${seed})`,
    scenario: seed === scenario.seed ? scenario : { ...scenario, seed },
  }));
  return { seeds, jobs };
}

/**
 * A value as it reads back from its JSON text: NaN and infinities become null, -0 becomes 0. A
 * study keeps records in this form so that a result assembled from shard files is the same
 * object as the one a single machine built in memory.
 */
export function asJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The number at a dotted path of a summary (`endToEnd.latency.p99Ms`, `accounting.lost.retention`),
 * if any. Keys may hold dots themselves (a loss reason, a component's name): metrics/figures.ts's
 * valueAt takes the longest key that matches at each step.
 */
export function figureAt(summary: Summary, path: string): number | null | undefined {
  const v = valueAt(summary, path);
  return typeof v === 'number' || v === null ? v : undefined;
}

/** Every path of a numeric (or null) figure in a summary, in the summary's own order. */
export function figurePaths(summary: Summary): string[] {
  const out: string[] = [];
  const walk = (v: unknown, prefix: string) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, prefix ? `${prefix}.${k}` : k);
    } else if (typeof v === 'number' || v === null) out.push(prefix);
  };
  walk(summary, '');
  return out;
}

/** What identifies a study: everything that determines its results. */
export interface StudyIdentity {
  base: unknown;
  grid: readonly GridAxis[];
  replications: number;
  seeds: readonly number[];
  passRule: PassRule;
  extra?: unknown;
}

export function studyId(identity: StudyIdentity): string {
  return createHash('sha256').update(canonicalJson(identity)).digest('hex');
}

/** JSON with object keys sorted at every level, so the hash does not depend on key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}


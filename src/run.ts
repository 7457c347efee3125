/**
 * A lagsim run, phase by phase. The CLI (`sim`), the worker threads of a study and the library
 * (index.ts) all go through these functions, so a program gets exactly what `sim` gets.
 *
 *   1. load       scenario/load.ts      the YAML file or text, a variant's and `--set` overrides
 *   2. validate   scenario/schema.ts    every problem found at once, each at file:line:col;
 *      and default                      Kafka's defaults where the scenario is silent
 *   3. topology   model/topology.ts     the graph: topics, source producers, consumer groups,
 *                                       the services they call; facts of the whole graph
 *   4. simulate   model/simulate.ts     the kernel runs the graph; the books must balance
 *   5. summarise  metrics/summarise.ts  what was recorded -> RunResult (keyed by topic, group,
 *                                       service); with replications, 3-5 once per seed (on the
 *                                       worker pool) and stats/aggregate.ts over them
 *   6. objectives slo/objectives.ts     verdicts, from RunResults alone
 *   7. report     report/index.ts       report.md, report.html, charts, summary.json, CSV
 *
 * Phases 1-2 throw ScenarioError (every problem, located); phase 4 throws ConservationError
 * when a record is unaccounted for, KernelError (time, component, event) on a model fault, and
 * RunLimitError when callers blocked in send() would take more memory than a run may use
 * (model/run-limit.ts: the producer, the time, the figures and the knobs).
 * The report modules are loaded only by phase 7, so a worker thread never loads them.
 */
import os from 'node:os';
import type { Objective, Scenario } from './scenario/schema.js';
import type { LoadOptions } from './scenario/load.js';
import type { RunResult } from './metrics/result.js';
import type { ObjectiveVerdict, Replicated } from './metrics/study.js';
import { loadScenario, loadScenarioWithNotes, parseScenario } from './scenario/load.js';
import { PRODUCER_THREAD_RECORDS, simulate, type RunOptions } from './model/simulate.js';
import { expectedRecords } from './model/estimate.js';
import { prestartProducerThread } from './model/producer-thread.js';
import { aggregate } from './stats/aggregate.js';
import { replicationSeeds } from './stats/seeds.js';
import { evaluateObjectives } from './slo/objectives.js';
import type { RunStudy } from './report/index.js';

export type { LoadOptions, RunOptions };

// ---- 1-2. load, validate and default --------------------------------------------------------

/** Phases 1-2 for a file: the scenario with its overrides applied, validated, Kafka's defaults filled in. */
export function load(file: string, options: LoadOptions = {}): Scenario {
  return loadScenario(file, options);
}

/** `load`, with the notes loading gave (keys of a client config file that have no effect), one line each. */
export function loadWithNotes(file: string, options: LoadOptions = {}): { scenario: Scenario; notes: string[] } {
  return loadScenarioWithNotes(file, options);
}

/** Phases 1-2 for YAML text; `file` names it in messages. */
export function parse(text: string, file: string, options: LoadOptions = {}): Scenario {
  return parseScenario(text, file, options);
}

// ---- 3-5. topology, simulate, summarise -----------------------------------------------------

/** Phases 3-5: one run of the scenario with its own seed. */
export function run(scenario: Scenario, options: RunOptions = {}): RunResult {
  return simulate(scenario, options);
}

/** `fraction` of all the work done (0..1), with `done` of `runs` runs finished. */
export type ReplicationProgress = (fraction: number, done: number, runs: number) => void;

export interface ReplicateOptions {
  /** Runs with seeds derived from the scenario's (the first is its own); default 1. */
  replications?: number;
  /** Cores to use; default 1 (this thread). */
  jobs?: number;
  onProgress?: ReplicationProgress;
}

/**
 * Whether `n` replications on `jobs` cores run on this thread with their producers on another:
 * one run, a core to spare, and enough records to gain from it (model/producer-thread.ts). The
 * thread changes no output, only the wall time, so the machine's load may decide it.
 */
function producerThreadFor(scenario: Scenario, n: number, jobs: number): boolean {
  return n === 1 && jobs > 1 && expectedRecords(scenario) >= PRODUCER_THREAD_RECORDS && spareCore();
}

// The cores' times when this module was loaded, to tell whether another core is idle now.
let cpuSnapshot = { at: performance.now(), cpus: os.cpus() };
let spare: { at: number; value: boolean } | null = null;

/**
 * Whether a core besides this thread's is idle: over the time since the last look (at least
 * 100 ms; the first look covers start-up), the machine's idle time is at least half a core. On
 * a busy second core a producer thread made a 10M-record run 1.14x slower. The answer holds for
 * two seconds, so that prepare() and the replicate() after it decide alike.
 */
function spareCore(): boolean {
  // LAGSIM_PRODUCER_THREAD=on or off decides instead (benchmarks, tests, a machine known to be shared).
  const forced = process.env.LAGSIM_PRODUCER_THREAD;
  if (forced === 'on' || forced === 'off') return forced === 'on';
  const now = performance.now();
  if (spare !== null && now - spare.at < 2_000) return spare.value;
  if (now - cpuSnapshot.at < 100) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100 - (now - cpuSnapshot.at));
  const cpus = os.cpus();
  let idle = 0;
  let total = 0;
  cpus.forEach((c, i) => {
    const before = cpuSnapshot.cpus[i]?.times;
    if (!before) return;
    const t = c.times;
    idle += t.idle - before.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq - (before.user + before.nice + before.sys + before.idle + before.irq);
  });
  const value = total > 0 ? (idle / total) * cpus.length >= 0.5 : cpus.length > 1;
  cpuSnapshot = { at: performance.now(), cpus };
  spare = { at: cpuSnapshot.at, value };
  return value;
}

/**
 * Gets ready for `replicate` with the same arguments: starts the producer thread it will use, if
 * any, so that it boots while the caller goes on (the CLI loads the report's modules meanwhile).
 */
export function prepare(scenario: Scenario, options: ReplicateOptions = {}): void {
  if (producerThreadFor(scenario, options.replications ?? 1, options.jobs ?? 1)) prestartProducerThread();
}

/**
 * Phases 3-5 once per seed (stats/seeds.ts), summed up in seed order (stats/aggregate.ts), so
 * the result does not depend on which run finished first. One run goes on this thread; several
 * go on the worker pool, one per core.
 */
export async function replicate(scenario: Scenario, options: ReplicateOptions = {}): Promise<Replicated> {
  const n = options.replications ?? 1;
  const jobs = options.jobs ?? 1;
  const onProgress = options.onProgress;
  const seeds = replicationSeeds(scenario.seed, n);
  if (n === 1 || jobs === 1) {
    const producerThread = producerThreadFor(scenario, n, jobs);
    const runs = seeds.map((seed, i) => run({ ...scenario, seed }, { producerThread, onProgress: (f) => onProgress?.((i + f) / n, i, n) }));
    return aggregate(seeds, runs);
  }
  const { createPool } = await import('./study/pool.js');
  const pool = createPool(Math.min(jobs, n));
  try {
    const runs = await pool.run(
      seeds.map((seed, i) => ({ label: `replication ${i + 1} of ${n}, seed ${seed}`, scenario: { ...scenario, seed } })),
      { onProgress: (p) => onProgress?.(p.fraction, p.done, p.total) },
    );
    return aggregate(
      seeds,
      runs.map((r) => r.result),
    );
  } finally {
    await pool.close();
  }
}

// ---- 6. objectives --------------------------------------------------------------------------

/** Phase 6: the verdict on each of the scenario's objectives (and any extra), one run or replicated. */
export function judge(scenario: Scenario, result: RunResult | Replicated, extra: readonly Objective[] = []): ObjectiveVerdict[] {
  return evaluateObjectives([...scenario.objectives, ...extra], result);
}

// ---- 7. report ------------------------------------------------------------------------------

/**
 * Phase 7: writes the report of `result` (the median of `study.replicated` when replicated) into
 * `outDir`, replacing an earlier report there; nothing is left half-written if it fails.
 * Returns the names of the files written.
 */
export async function report(result: RunResult, outDir: string, study: RunStudy = {}): Promise<string[]> {
  const { writeReport } = await import('./report/index.js');
  return writeReport(result, outDir, study);
}

// ---- all phases -----------------------------------------------------------------------------

export interface RunFileOptions extends LoadOptions, ReplicateOptions {
  /** Where the report goes; none is written when absent. */
  out?: string;
  /** What summary.json records about how the run was made. */
  about?: Record<string, unknown>;
}

export interface RunFileResult {
  scenario: Scenario;
  replicated: Replicated;
  verdicts: ObjectiveVerdict[];
  /** The report's files, when `out` was given. */
  files: string[];
}

/** Every phase for one scenario file, as `sim FILE` runs it. */
export async function runFile(file: string, options: RunFileOptions = {}): Promise<RunFileResult> {
  const scenario = load(file, options);
  const replicated = await replicate(scenario, options);
  const verdicts = judge(scenario, replicated);
  const files = options.out === undefined ? [] : await report(replicated.median, options.out, { replicated, verdicts, about: options.about });
  return { scenario, replicated, verdicts, files };
}

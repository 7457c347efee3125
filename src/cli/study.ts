/**
 * The study commands: `sim compare`, `sim sweep`, `sim plan`, `sim merge`. Each returns an exit code (0 done,
 * 2 bad input: nothing run or written, or a run stopped by its limit on blocked callers: nothing
 * written) and lets a failed run propagate to main.ts's handler (exit 1). Progress bars go to
 * stderr on a terminal only; results to stdout.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { checkOutputName, listVariants, loadScenario, loadScenarioWithNotes, ScenarioError } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import type { ObjectiveVerdict, VariantResult } from '../metrics/study.js';
import { OutputFileError, ReportDirectoryError, checkOutputDirectory, checkOutputFile, writeOutputFile } from '../report/atomic.js';
import { parseGridAxis, parseShard, StudyInputError, type Shard } from '../study/grid.js';
import { createPool, type PoolProgress, type Runner } from '../study/pool.js';
import { sweep } from '../study/sweep.js';
import { focusGroup, mainStage, stageOf } from '../metrics/result.js';
import { checkMetrics, DEFAULT_METRICS, sweepTableMarkdown, writeSweepReport } from '../study/sweep-report.js';
import { mergeShards, resultJson, shardFileName } from '../study/shard.js';
import { plan, type SearchStrategy } from '../study/plan.js';
import { planSummary, writePlanReport } from '../study/plan-report.js';
import type { PassRule } from '../study/study.js';
import { jobsRange, replicationsRefusal } from '../study/messages.js';
import { wiring } from '../study/wiring.js';
import { RunLimitError } from '../model/run-limit.js';
import { formatCount, formatMs } from '../report/format.js';
import { openMetricsText, sampleIntervalRefusal } from '../report/openmetrics.js';
import { formatFailures } from './verdicts.js';
import { checkJunitFile, writeJunit } from './junit.js';

export interface CommonStudyArgs {
  replications: number;
  jobs?: number;
  out?: string;
  quiet: boolean;
  objective: string[];
  accept: PassRule;
}

export interface SweepArgs extends CommonStudyArgs {
  scenario: string;
  grid: string[];
  metric: string[];
  shard?: string;
}

export interface PlanArgs extends CommonStudyArgs {
  scenario: string;
  field: string;
  min: number;
  max: number;
  search: SearchStrategy;
}

export interface MergeArgs {
  shards: string[];
  out?: string;
  metric: string[];
  quiet: boolean;
}

/** Bad input of any kind becomes its message on stderr and exit code 2. */
async function guarded(work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ScenarioError) {
      process.stderr.write(`${err.format()}\n`);
      return 2;
    }
    if (err instanceof StudyInputError || err instanceof ReportDirectoryError || err instanceof RunLimitError || err instanceof OutputFileError) {
      process.stderr.write(`sim: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

function poolOf(jobs: number | undefined): Runner {
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new StudyInputError(jobsRange(jobs));
  return createPool(jobs ?? os.availableParallelism());
}

/**
 * How well a study used its workers, for the terminal (stderr: stdout keeps only what the run
 * determines): the runs' own simulate() time against the workers' wall time, which is the
 * parallel efficiency of the study's runs.
 */
export function usageLine(pool: Runner): string {
  const { runs, runMs, wallMs } = pool.usage;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (pool.size === 1) return `${plural(runs, 'run')} one after another in ${s(wallMs)} (the simulations themselves: ${s(runMs)})\n`;
  const share = wallMs > 0 ? Math.round((100 * runMs) / (pool.size * wallMs)) : 0;
  return `${plural(runs, 'run')} on ${pool.size} workers in ${s(wallMs)}; the simulations took ${s(runMs)} in all: ${share}% of the workers' time\n`;
}

function progressBar(quiet: boolean, label: string) {
  if (quiet || !process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {done}/{total} runs | {step} | {duration}s`, stream: process.stderr, clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1000, 0, { done: 0, total: 0, step: '' });
  return {
    update: (p: PoolProgress, step = '') => bar.update(Math.floor(p.fraction * 1000), { done: p.done, total: p.total, step }),
    stop: () => bar.stop(),
  };
}

export function runSweep(args: SweepArgs): Promise<number> {
  return guarded(async () => {
    const grid = args.grid.map(parseGridAxis);
    const shard: Shard | undefined = args.shard === undefined ? undefined : parseShard(args.shard);
    const evaluate = wiring.evaluator(args.objective);
    const factory = wiring.factory(args.scenario);
    const base = factory([]);
    const metrics = args.metric.length ? args.metric : DEFAULT_METRICS;
    const out = args.out ?? path.join('reports', shard ? `${base.name}-sweep-shards` : `${base.name}-sweep`);
    if (args.out === undefined) checkOutputName(base.name, args.scenario);
    // A shard is one file in a shared folder; a report replaces its folder, which is checked before running.
    if (!shard) checkOutputDirectory(out);

    const pool = poolOf(args.jobs);
    const bar = progressBar(args.quiet, shard ? `${base.name} sweep, shard ${shard.index}/${shard.count}` : `${base.name} sweep`);
    let checked = false;
    let result;
    try {
      result = await sweep(base, grid, factory, {
        ...wiring,
        evaluate,
        replications: args.replications,
        pool,
        shard,
        passRule: args.accept,
        identity: { objectives: args.objective },
        onProgress: (p) => bar?.update(p),
        onPoint: (_point, replicated) => {
          // A typo in --metric is caught at the first point, not after the whole sweep.
          if (!checked) checkMetrics(metrics, replicated.runs[0]);
          checked = true;
        },
      });
    } finally {
      bar?.stop();
      await pool.close();
    }
    if (!args.quiet) process.stderr.write(usageLine(pool));

    if (shard) {
      mkdirSync(out, { recursive: true });
      const file = path.join(out, shardFileName(shard.index, shard.count));
      const tmp = `${file}.tmp-${process.pid}`;
      writeFileSync(tmp, resultJson(result));
      renameSync(tmp, file);
      if (!args.quiet) {
        process.stdout.write(`shard ${shard.index}/${shard.count}: ${result.points.length} of ${result.totalPoints} grid points\n${file}\n`);
      }
      return 0;
    }
    await writeSweepReport(out, result, { metrics, renderGridChart: wiring.renderGridChart });
    if (!args.quiet) process.stdout.write(`${sweepTableMarkdown(result, metrics)}\n${path.join(out, 'report.md')}\n`);
    return 0;
  });
}

export function runMerge(args: MergeArgs): Promise<number> {
  return guarded(async () => {
    const files = args.shards.map((file) => {
      try {
        return { file, text: readFileSync(file, 'utf8') };
      } catch (err) {
        throw new StudyInputError(`${file}: cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    });
    const result = mergeShards(files);
    const metrics = args.metric.length ? args.metric : DEFAULT_METRICS;
    const first = result.points[0]?.runs[0];
    if (first) checkMetrics(metrics, first);
    const out = args.out ?? path.join('reports', `${result.scenario}-sweep`);
    checkOutputDirectory(out);
    await writeSweepReport(out, result, { metrics, renderGridChart: wiring.renderGridChart });
    if (!args.quiet) process.stdout.write(`${sweepTableMarkdown(result, metrics)}\n${path.join(out, 'report.md')}\n`);
    return 0;
  });
}

export function runPlan(args: PlanArgs): Promise<number> {
  return guarded(async () => {
    const evaluate = wiring.evaluator(args.objective);
    const factory = wiring.factory(args.scenario);
    const base = factory([]);
    const out = args.out ?? path.join('reports', `${base.name}-plan`);
    if (args.out === undefined) checkOutputName(base.name, args.scenario);
    checkOutputDirectory(out);
    const pool = poolOf(args.jobs);
    const bar = progressBar(args.quiet, `${base.name} plan`);
    let step = '';
    let detail;
    try {
      detail = await plan(args.field, { min: args.min, max: args.max }, (v) => factory([{ path: args.field, value: String(v) }]), evaluate, {
        ...wiring,
        replications: args.replications,
        pool,
        passRule: args.accept,
        search: args.search,
        onStep: (s) => (step = `${s.reason} ${s.values.join(', ')}`),
        onProgress: (p) => bar?.update(p, step),
      });
    } finally {
      bar?.stop();
      await pool.close();
    }
    if (!args.quiet) process.stderr.write(usageLine(pool));
    await writePlanReport(out, detail.result);
    if (detail.variants.length) await wiring.writeComparison(path.join(out, 'comparison'), detail.variants);
    if (!args.quiet) process.stdout.write(`${planSummary(detail.result)}${path.join(out, 'report.md')}\n`);
    return 0;
  });
}

export interface CompareArgs extends CommonStudyArgs {
  scenarios: string[];
  set: string[];
  check: boolean;
  junit?: string;
  openmetrics?: string;
}

/**
 * `sim compare`: several scenario files, or one file's variants (all of them, baseline first
 * as declared), each run `--replications` times on the pool, into one comparison report. With
 * `--check`, exit 1 when any variant fails an objective.
 */
export function runCompare(args: CompareArgs): Promise<number> {
  return guarded(async () => {
    const refusal = replicationsRefusal(args.replications);
    if (refusal !== undefined) throw new StudyInputError(refusal);
    const configs: { label: string; file: string; variant?: string }[] = [];
    if (args.scenarios.length === 1) {
      const file = args.scenarios[0];
      const variants = listVariants(file);
      if (variants.length < 2) throw new StudyInputError(`${file}: declares ${variants.length === 0 ? 'no variants' : 'one variant'}; compare two or more files, or declare variants in the scenario`);
      for (const v of variants) configs.push({ label: v, file, variant: v });
    } else {
      for (const file of args.scenarios) configs.push({ label: path.basename(file).replace(/\.ya?ml$/, ''), file });
    }
    const labels = new Set<string>();
    for (const c of configs) {
      if (labels.has(c.label)) c.label = `${c.label} (${c.file})`;
      labels.add(c.label);
    }
    const loaded = configs.map((c) => loadScenarioWithNotes(c.file, { set: args.set, variant: c.variant }));
    const scenarios = loaded.map((l) => l.scenario);
    if (!args.quiet) for (const note of new Set(loaded.flatMap((l) => l.notes))) process.stderr.write(`sim: ${note}\n`);
    const first = scenarios[0];
    const name = args.scenarios.length === 1 ? `${first.name}-compare` : `${scenarios.map((s) => s.name).join('-vs-')}`;
    const out = args.out ?? path.join('reports', name);
    if (args.out === undefined) checkOutputName(first.name, args.scenarios[0]);
    checkOutputDirectory(out);
    if (args.junit !== undefined) checkJunitFile(args.junit);
    if (args.openmetrics !== undefined) {
      checkOutputFile('--openmetrics', args.openmetrics, 'lagsim.om');
      for (const s of scenarios) {
        const refusal = sampleIntervalRefusal(s['sample-interval'] / 1e6);
        if (refusal !== undefined) throw new StudyInputError(refusal);
      }
    }

    const evaluate = wiring.evaluator(args.objective);
    const jobs = scenarios.flatMap((s, i) =>
      wiring.replicationSeeds(s.seed, args.replications).map((seed, r) => ({
        label: `${configs[i].label} (replication ${r + 1} of ${args.replications}, seed ${seed})`,
        scenario: { ...s, seed },
      })),
    );
    const pool = poolOf(args.jobs);
    const bar = progressBar(args.quiet, `${name}`);
    let runs;
    try {
      runs = await pool.run(jobs, { onProgress: (p) => bar?.update(p) });
    } finally {
      bar?.stop();
      await pool.close();
    }
    if (!args.quiet) process.stderr.write(usageLine(pool));
    const variants: VariantResult[] = scenarios.map((s, i) => {
      const mine = runs.slice(i * args.replications, (i + 1) * args.replications).map((r) => r.result);
      const seeds = jobs.slice(i * args.replications, (i + 1) * args.replications).map((j) => j.scenario.seed);
      const replicated = wiring.aggregate(seeds, mine);
      const overrides = [...(configs[i].variant ? variantOverrideStrings(s, configs[i].variant!) : []), ...args.set];
      return { label: configs[i].label, overrides, result: replicated, verdicts: evaluate(s, replicated) };
    });
    await wiring.writeComparison(out, variants);
    const fails = (x: ObjectiveVerdict) => !meetsRule(x, args.accept);
    const failed = variants.some((v) => v.verdicts.some(fails));
    if (args.junit !== undefined) {
      const suites = variants.map((v, i) => ({
        name: v.label,
        verdicts: v.verdicts,
        failed: fails,
        // The configuration's own runs; they ran beside the others', so the whole report's time is the pool's wall time.
        seconds: runs.slice(i * args.replications, (i + 1) * args.replications).reduce((t, r) => t + r.wallMs, 0) / 1000,
        properties: { scenario: configs[i].file, ...(configs[i].variant ? { variant: configs[i].variant! } : {}), seed: scenarios[i].seed, runs: args.replications },
      }));
      writeJunit(args.junit, `sim compare ${args.scenarios.join(' ')}`, suites, pool.usage.wallMs / 1000);
    }
    if (args.openmetrics !== undefined) {
      // One file, each configuration's series (with replications, its per-window medians) under its label.
      const runs = variants.map((v) => ({ result: v.result.median, run: first.name, variant: v.label }));
      writeOutputFile('--openmetrics', args.openmetrics, openMetricsText(runs));
    }
    if (!args.quiet) {
      // In a pipeline, the stage where the baseline backs up most (as the comparison's report follows it).
      const focus = focusGroup(variants[0].result.median);
      for (const v of variants) {
        const verdicts = v.verdicts.length === 0 ? 'no objectives' : v.verdicts.every((x) => meetsRule(x, args.accept)) ? 'meets every objective' : `fails ${v.verdicts.filter((x) => !meetsRule(x, args.accept)).map((x) => x.objective).join('; ')}`;
        const median = v.result.median;
        const lag = (focus === null ? mainStage(median) : stageOf(median, focus)).groupSummary.lag;
        const p99 = median.summary.endToEnd.latency.p99Ms;
        const where = focus === null ? '' : ` (stage ${focus})`;
        // The single run's formatters (cli/summary.ts): 21.5M records, 9 min 16 s.
        process.stdout.write(`${v.label}: peak lag${where} ${formatCount(lag.peakRecords)} records, latency p99 ${formatMs(p99)}, ${verdicts}\n`);
      }
      process.stdout.write(`${path.join(out, 'report.md')}\n`);
    }
    // Which objectives failed, by how much and in which configuration: on stderr, even with --quiet.
    if (args.check) for (const v of variants) process.stderr.write(formatFailures(v.verdicts, fails, v.label));
    return args.check && failed ? 1 : 0;
  });
}

function meetsRule(v: ObjectiveVerdict, rule: PassRule): boolean {
  if (v.confidence === 'single-run') return v.pass;
  return rule === 'holds' ? v.confidence === 'holds' : v.pass;
}

function variantOverrideStrings(s: Scenario, variant: string): string[] {
  return Object.entries(s.variants[variant] ?? {}).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
}

/**
 * The `sim` command: load a scenario (with a variant and `--set` overrides), run it once or
 * `--replications N` times, write the report, print a short summary and the objective verdicts.
 * The phases themselves are src/run.ts's; this module adds argv, progress, output and exit codes.
 *
 * Only this module prints and exits. Exit codes: 0 done; 2 bad input (every problem listed as
 * file:line:col or under the `--set`/`--variant` that caused it, nothing written), or a run
 * stopped by its limit on callers blocked in send() (model/run-limit.ts: said with the figures
 * and the knobs, nothing written); 1 with
 * `--check` when an objective failed (the report is written first); 1 also when the simulation
 * itself failed (a bug: a message with the simulated time and component; a stack only with
 * LAGSIM_DEBUG=1).
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Argv } from 'yargs';
import { ScenarioError, checkOutputName } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import type { Replicated } from '../metrics/study.js';
import { OutputFileError, ReportDirectoryError, checkOutputDirectory, checkOutputFile, writeOutputFile, guardStaging, removeStagingSync, replaceDirectory } from '../report/atomic.js';
import { estimate, formatRecords, LONG_RUN_SECONDS } from '../model/estimate.js';
import { RunLimitError } from '../model/run-limit.js';
import { formatSeconds } from '../report/format.js';
import { openMetricsText, sampleIntervalRefusal } from '../report/openmetrics.js';
import { formatSummary } from './summary.js';
import { formatFailures, formatVerdicts } from './verdicts.js';
import { checkJunitFile, writeJunit } from './junit.js';
import { loadWithNotes, prepare, replicate, judge } from '../run.js';
import { jobsRange, replicationsRefusal } from '../study/messages.js';
import { plainRunArgs, type RunArgs } from './argv.js';

/** lagsim's version, from the package.json above this module (in src/ or in the dist/ build). */
function packageVersion(): string {
  for (let dir = import.meta.dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

/** The name the command was run by: `lagsim` (from npm) or `sim` (its older name, and `node bin/sim.js`). */
function commandName(): string {
  return path.basename(process.argv[1] ?? '') === 'lagsim' ? 'lagsim' : 'sim';
}

export async function main(argv: string[]): Promise<number> {
  // A plain run's line is read without loading yargs (argv.ts); every other line goes to yargs.
  const plain = plainRunArgs(argv);
  return plain !== undefined ? run(plain) : withYargs(argv, run);
}

/** The command line read by yargs: a subcommand runs, the default command's arguments go to `runCommand`. */
export async function withYargs(argv: string[], runCommand: (args: RunArgs) => Promise<number>): Promise<number> {
  const { default: yargs } = await import('yargs');
  let code = 0;
  await yargs(argv)
    .scriptName(commandName())
    .usage('$0 <scenario.yaml> [options]\n\nRun a lagsim scenario and write its report (report.md, charts, summary.json, CSV).')
    .command(
      'compare <scenarios..>',
      'run several scenario files, or one file\'s variants, side by side into one comparison report',
      (y) =>
        studyOptions(y.positional('scenarios', { type: 'string', array: true, demandOption: true, describe: 'scenario files (YAML); one file compares its variants' }))
          .option('set', { type: 'string', array: true, nargs: 1, default: [] as string[], describe: 'override a field in every configuration: path=value (repeatable)' })
          .option('check', { type: 'boolean', default: false, describe: 'exit 1 if any configuration fails an objective; say which on stderr' })
          .option('junit', { type: 'string', describe: 'write the verdicts to FILE as a JUnit XML report, a test suite per configuration' })
          .option('openmetrics', { type: 'string', describe: 'write every configuration\'s time series to FILE as OpenMetrics text, labelled by variant' })
          .example('$0 compare scenarios/flash-sale.yaml', 'the variants the flash sale declares')
          .example('$0 compare a.yaml b.yaml --replications 5', 'two files, five seeds each'),
      async (args) => {
        code = await (await studyCommands()).runCompare({ ...args, scenarios: args.scenarios, set: args.set, objective: args.objective, accept: args.accept as 'holds' | 'on-average' });
      },
    )
    .command(
      'sweep <scenario>',
      'run a scenario over a grid of field values, on every core',
      (y) =>
        studyOptions(y.positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file (YAML)' }))
          .option('grid', { type: 'string', array: true, nargs: 1, demandOption: true, describe: 'path=a..b, path=a..b:step or path=a,b,c (repeat for more fields)' })
          .option('metric', { type: 'string', array: true, nargs: 1, default: [] as string[], describe: 'summary figure for the table and heat map, by path (repeatable; default latency.p99Ms, lag.peakRecords, lag.peakSeconds)' })
          .option('shard', { type: 'string', describe: 'run only shard i of n (i/n) and write a shard file for `sim merge`' })
          .example('$0 sweep scenarios/flash-sale.yaml --grid consumer-groups.0.instances=4..32:4', 'eight configurations')
          .example('$0 sweep f.yaml --grid topics.0.partitions=24,48,96 --grid consumer-groups.0.instances=8,16 --shard 1/3', 'one third of a 3x2 grid'),
      async (args) => {
        code = await (await studyCommands()).runSweep({ ...args, scenario: args.scenario, grid: args.grid, metric: args.metric, objective: args.objective, accept: args.accept as 'holds' | 'on-average' });
      },
    )
    .command(
      'plan <scenario>',
      'find the smallest value of an integer field that meets every objective',
      (y) =>
        studyOptions(y.positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file (YAML)' }))
          .option('field', { type: 'string', demandOption: true, describe: 'integer field, by path (consumer-groups.0.instances)' })
          .option('min', { type: 'number', demandOption: true, describe: 'smallest value to consider' })
          .option('max', { type: 'number', demandOption: true, describe: 'largest value to consider' })
          .option('search', { choices: ['exponential', 'bisect'] as const, default: 'exponential' as const, describe: 'probe up from min, or bisect [min, max]' })
          .example('$0 plan scenarios/flash-sale.yaml --field consumer-groups.0.instances --min 1 --max 64', 'fewest consumers'),
      async (args) => {
        code = await (await studyCommands()).runPlan({ ...args, scenario: args.scenario, objective: args.objective, accept: args.accept as 'holds' | 'on-average' });
      },
    )
    .command(
      'merge <shards..>',
      'put the shard files of a sweep together and write its report',
      (y) =>
        y
          .positional('shards', { type: 'string', array: true, demandOption: true, describe: 'shard files (shard-*-of-N.json)' })
          .option('out', { type: 'string', describe: 'output folder (default: reports/<scenario name>-sweep)' })
          .option('metric', { type: 'string', array: true, nargs: 1, default: [] as string[], describe: 'summary figure for the table and heat map, by path (repeatable)' })
          .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' }),
      async (args) => {
        code = await (await studyCommands()).runMerge({ shards: args.shards, out: args.out, metric: args.metric, quiet: args.quiet });
      },
    )
    .command(
      '$0 <scenario>',
      'run a scenario',
      (y) =>
        y
          .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file (YAML)' })
          .option('seed', { type: 'number', describe: "override the scenario's seed (integer >= 0)" })
          .option('out', { type: 'string', describe: 'output folder (default: reports/<scenario name>)' })
          .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' })
          .option('set', {
            type: 'string',
            array: true,
            nargs: 1,
            default: [] as string[],
            describe: 'override a field: path=value (repeatable); path by dots, list items by index or name',
          })
          .option('variant', { type: 'string', describe: 'run one of the variants the scenario declares' })
          .option('replications', { type: 'number', default: 1, describe: 'runs with seeds derived from the seed; means with 95% confidence intervals' })
          .option('jobs', { type: 'number', describe: "cores to use (default: every core): replications at once; a single run's producers get a thread of their own when 2 or more" })
          .option('check', { type: 'boolean', default: false, describe: "exit 1 if any of the scenario's objectives fails; say which on stderr" })
          .option('junit', { type: 'string', describe: 'write the verdicts to FILE as a JUnit XML report, one test case per objective' })
          .option('openmetrics', { type: 'string', describe: 'write every time series to FILE as OpenMetrics text (for promtool tsdb create-blocks-from openmetrics)' })
          .example('$0 scenarios/flash-sale.yaml', 'run the flash sale, report in reports/flash-sale/')
          .example('$0 scenarios/flash-sale.yaml --seed 7 --out /tmp/fs7', 'another seed, elsewhere')
          .example('$0 scenarios/flash-sale.yaml --set consumer-groups.0.instances=16', 'change one field')
          .example('$0 scenarios/flash-sale.yaml --variant more-consumers --replications 10 --check', 'a variant, 10 seeds, objectives checked'),
      async (args) => {
        code = await runCommand({
          file: args.scenario,
          seed: args.seed,
          out: args.out,
          quiet: args.quiet,
          set: args.set,
          variant: args.variant,
          replications: args.replications,
          jobs: args.jobs,
          check: args.check,
          junit: args.junit,
          openmetrics: args.openmetrics,
        });
      },
    )
    .version(packageVersion())
    .help()
    .alias('h', 'help')
    .strict()
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`sim: ${msg}\nRun '${commandName()} --help' for usage.\n`);
      code = 2;
    })
    .parseAsync();
  return code;
}

/** The study commands, loaded only when one is run: a single run starts no faster for them. */
const studyCommands = () => import('./study.js');

/** Options shared by `sweep` and `plan`. */
function studyOptions<T>(y: Argv<T>) {
  return y
    .option('replications', { type: 'number', default: 1, describe: 'runs per configuration, with seeds derived from the scenario seed' })
    .option('jobs', { type: 'number', describe: 'runs at once (default: every core; 1 runs in this thread)' })
    .option('out', { type: 'string', describe: 'output folder' })
    .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' })
    .option('objective', { type: 'string', array: true, nargs: 1, default: [] as string[], describe: 'an objective besides the scenario\'s own: figure<=number or figure>=number' })
    .option('accept', { choices: ['holds', 'on-average'] as const, default: 'holds' as const, describe: 'with replications, an objective passes when its whole 95% CI does (holds) or its mean does (on-average)' });
}

/**
 * Threads that draw a run's charts. One: a second (its own vega load and cold JIT, ~0.5 s of CPU
 * more per run) drew slow-payment-provider's charts no sooner on the 2-core machine this was
 * measured on (2026-12-03, 1.6-2.1 s after the simulation either way), and slowed the
 * simulation it loaded beside.
 */
const DRAWING_THREADS = 1;

/** An input problem of the command line itself (not of the scenario): said on stderr, exit 2. */
class UsageError extends Error {}

async function run(args: RunArgs): Promise<number> {
  let scenario: Scenario;
  try {
    const refusal = replicationsRefusal(args.replications);
    if (refusal !== undefined) throw new UsageError(refusal);
    if (args.jobs !== undefined && (!Number.isInteger(args.jobs) || args.jobs < 1)) throw new UsageError(jobsRange(args.jobs));
    const loaded = loadWithNotes(args.file, { set: args.set, variant: args.variant });
    scenario = loaded.scenario;
    if (!args.quiet) for (const note of loaded.notes) process.stderr.write(`sim: ${note}\n`);
    if (args.seed !== undefined) {
      if (!Number.isInteger(args.seed) || args.seed < 0 || args.seed > 2 ** 32 - 1) {
        throw new UsageError(`--seed: expected an integer from 0 to 4294967295, got ${args.seed}`);
      }
      scenario = { ...scenario, seed: args.seed };
    }
    if (args.out === undefined) checkOutputName(outputName(scenario.name, args.variant));
    if (args.junit !== undefined) checkJunitFile(args.junit);
    if (args.openmetrics !== undefined) {
      checkOutputFile('--openmetrics', args.openmetrics, 'lagsim.om');
      const refusal = sampleIntervalRefusal(scenario['sample-interval'] / 1e6);
      if (refusal !== undefined) throw new UsageError(refusal);
    }
    // Before simulating: a mistake in where the report goes should cost nothing.
    checkOutputDirectory(outputDirectory(scenario, args));
  } catch (err) {
    if (err instanceof ScenarioError) {
      process.stderr.write(`${err.format()}\n`);
      return 2;
    }
    if (err instanceof UsageError || err instanceof ReportDirectoryError || err instanceof OutputFileError) {
      process.stderr.write(`sim: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const outDir = outputDirectory(scenario, args);

  const n = args.replications;
  const jobs = args.jobs ?? os.availableParallelism();
  // A long run says so before it starts (model/estimate.ts; one too long is refused while loading).
  const cost = estimate(scenario);
  if (!args.quiet && (cost.seconds + cost.blockedSeconds) * n >= LONG_RUN_SECONDS) {
    process.stderr.write(`sim: a long run: ${formatRecords(cost.records * n)} records to simulate, at least ${formatSeconds((cost.seconds + cost.blockedSeconds) * n)} of computing\n`);
  }
  // A producer thread, if the run takes one, boots while the report's modules load.
  prepare(scenario, { replications: n, jobs });
  // The charts' thread loads vega while this thread simulates, then draws the charts while this
  // one writes the rest of the report; the report's other modules are light (no vega in index.ts).
  const { renderReport, startDrawingThreads } = await import('../report/index.js');
  const drawing = startDrawingThreads(DRAWING_THREADS);
  // The progress bar's module is loaded only when there is a terminal to draw it on.
  const progress = !args.quiet && process.stderr.isTTY ? (await import('cli-progress')).default : undefined;
  const bar =
    progress !== undefined
      ? new progress.SingleBar(
          {
            format: `${scenario.name} [{bar}] {percentage}% of simulated time${n > 1 ? ' | {done}/{runs} runs done' : ''} | {duration}s`,
            stream: process.stderr,
            clearOnComplete: true,
            hideCursor: true,
          },
          progress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(100, 0, { done: 0, runs: n });
  const started = performance.now();
  let replicated: Replicated;
  try {
    replicated = await replicate(scenario, { replications: n, jobs, onProgress: (f, done) => bar?.update(Math.floor(f * 100), { done, runs: n }) });
  } catch (err) {
    // Nothing is staged yet: the report is written only after every run has finished.
    if (err instanceof RunLimitError) {
      drawing.close().catch(() => undefined);
      process.stderr.write(`sim: ${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    bar?.stop();
  }
  const result = replicated.median;
  const verdicts = judge(scenario, replicated);
  const seconds = (performance.now() - started) / 1000;
  try {
    const about: Record<string, unknown> = {};
    if (args.variant !== undefined) about.variant = args.variant;
    if (args.set.length > 0) about.overrides = args.set;
    const files = await renderReport(result, { replicated, verdicts, about }, drawing);
    // Stopping the threads takes a while (their heaps): let it happen while the files are written.
    drawing.close().catch(() => undefined);
    await replaceDirectory(outDir, files);
  } catch (err) {
    // The output folder is the user's input too: a file, or a folder that holds something
    // other than an earlier report, is refused rather than replaced.
    if (err instanceof ReportDirectoryError) {
      process.stderr.write(`sim: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (!args.quiet) {
    process.stdout.write(formatSummary(result, path.join(outDir, 'report.md'), replicated));
    if (verdicts.length > 0) process.stdout.write(formatVerdicts(verdicts, n));
    else if (args.check) process.stdout.write('objectives: none in the scenario, nothing to check\n');
  }
  if (args.junit !== undefined) {
    const name = outputName(scenario.name, args.variant);
    try {
      writeJunit(args.junit, `sim ${args.file}`, [{ name, verdicts, seconds, properties: { scenario: args.file, seed: scenario.seed, runs: n } }]);
    } catch (err) {
      if (!(err instanceof OutputFileError)) throw err;
      process.stderr.write(`sim: ${err.message}\n`);
      return 2;
    }
  }
  if (args.openmetrics !== undefined) {
    try {
      // With replications, the per-window medians the report charts.
      writeOutputFile('--openmetrics', args.openmetrics, openMetricsText([{ result, variant: args.variant }]));
    } catch (err) {
      if (!(err instanceof OutputFileError)) throw err;
      process.stderr.write(`sim: ${err.message}\n`);
      return 2;
    }
  }
  // Which objectives failed and by how much goes to stderr even with --quiet: a CI log shows it.
  if (args.check) process.stderr.write(formatFailures(verdicts));
  return args.check && verdicts.some((v) => !v.pass) ? 1 : 0;
}

/** `--out`, or reports/<name>/; runs of a variant go beside the scenario's own: reports/flash-sale.more-consumers/. */
function outputDirectory(scenario: Scenario, args: RunArgs): string {
  return args.out ?? path.join('reports', outputName(scenario.name, args.variant));
}

function outputName(name: string, variant: string | undefined): string {
  return variant === undefined ? name : `${name}.${variant}`;
}

/** Exit codes for a run stopped by a signal, as a shell reports them (128 + the signal's number). */
const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

export async function cli(): Promise<void> {
  // Stopped while a report is being staged: remove what was staged, so nothing is left beside
  // --out. Only then: at any other time a signal stops the process at once, as it would with no
  // handler (a handler could not run before a synchronous simulation had finished).
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = () => {
      removeStagingSync();
      process.exit(SIGNAL_EXIT[signal]);
    };
    return [signal, handler] as const;
  });
  guardStaging({
    armed: () => handlers.forEach(([signal, handler]) => process.on(signal, handler)),
    disarmed: () => handlers.forEach(([signal, handler]) => process.off(signal, handler)),
  });
  // A reader that stops early (`sim ... | head`) closes the pipe: that is not an error of the run.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    // What yargs' hideBin gives under node: the arguments after the script's path.
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`sim: the simulation failed: ${msg}\n`);
    if (process.env.LAGSIM_DEBUG === '1' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    else process.stderr.write('This is a bug in lagsim; rerun with LAGSIM_DEBUG=1 for details.\n');
    process.exitCode = 1;
  }
}

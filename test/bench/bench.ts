/**
 * The benchmark behind `npm run bench`. It prints figures; it asserts nothing, because timings
 * on a shared 2-core machine vary and a timed test would flake.
 *
 * (a) M/M/1 through the real model (scenario -> producer -> log -> consumer poll loop), exact
 *     fidelity, ~10M records: records/s and kernel events/s of simulate(), median of 5 runs, on
 *     one thread and with the producers on their own thread (kept between runs, as a process
 *     running many scenarios keeps it), alternately.
 * (b) flash-sale (~99M records, batched fidelity): simulate() in-process on one thread and with
 *     its producers on a thread of their own (as `sim` runs a single scenario on 2+ cores),
 *     writeReport(), and the whole `sim scenarios/flash-sale.yaml` command including Node's
 *     start-up, median of 3.
 * (c) parallel efficiency of a sweep, as the issue defines it: a sweep's wall time against the
 *     sum of its runs' times divided by the cores. The real command, `sim sweep` over six
 *     flash-sale configurations (instances 8..13), runs with --jobs 1 (one run after the other
 *     in one thread: the sum of the runs' times) and with --jobs <cores> (the worker pool),
 *     alternately; efficiency = (--jobs 1 wall) / (--jobs <cores> wall x cores), median of 3
 *     pairs. Both walls include node's start-up and the sweep report, as a user's would. Other
 *     load lowers the figure (with autogroup scheduling CPU is shared between sessions, not
 *     threads), so the load average is printed beside it. Beside it, from the usage line the
 *     sweep prints on stderr: the runs' own simulate() time against the pool's wall time x cores
 *     (what the pool loses to start-up, scheduling and the tail), and how much slower the same
 *     runs were side by side than one at a time (what the machine loses: memory, clocks).
 * (d) the same M/M/1 model in SimPy (Python), customers/s, beside (a)'s records/s in the same
 *     session: SimPy comes from Debian's python3-simpy3 (installed with apt-get when missing and
 *     possible; otherwise the part says why it is skipped).
 * (e) a day at 2k records/s on flash-sale's pipeline (48 partitions, 8 consumers, 1 s samples,
 *     172.8M records, batched by auto): the whole `sim` command with --jobs 1, its wall time and
 *     peak RSS (from /usr/bin/time, or the child's own resource usage).
 * (f) cost per record against partitions per member: one consumer, uniform keys, linger.ms 0
 *     (a batch per record), the same records and batches at 1, 48, 480 and 4,800 partitions.
 * (g) slow-payment-provider: simulate() against writeReport() (9 charts), median of 3.
 * (h) a 4-stage pipeline at 20k records/s for 30 simulated minutes (24 partitions and 4 consumers
 *     a stage, ~50 us of CPU a record, auto fidelity) against one such stage alone, alternately:
 *     simulate() time per stage-record (records processed, summed over the stages).
 *     Target (issue 15): the pipeline in the same per-record cost class as a single stage.
 * Targets (issue 14): (a) >= 5M records/s on one thread, >= 50x (d); (b) the whole command
 * <= 3 s, its start-up and report together <= 0.7 s; (e) <= 15 s and <= 300 MB; (f) 4,800
 * partitions within 2x of 48; (g) the report no slower than the simulation.
 * Target (issue 4): (c) >= 85% on 2 cores.
 *
 * Each part runs in a process of its own. `--only=c` (or a,b) runs some parts; `--runs=N` changes
 * the number of runs of (a) and (b), and of pairs of (c).
 * `--against=DIR` instead times (a) and (b)'s simulate() side by side with another checkout of
 * lagsim built in DIR (`git worktree add DIR <commit> && cd DIR && npm ci`): both builds are
 * loaded into this process and run alternately, so the ratio is measured under the same load.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseScenario, loadScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/model/simulate.js';
import { resolveFidelity } from '../../src/model/estimate.js';
import { writeReport } from '../../src/report/index.js';

const root = path.resolve(import.meta.dirname, '../..');

const MM1 = `
name: bench-mm1
seed: 1
duration: 11112s
sample-interval: 1s
fidelity: exact
network: { rtt: 0ms }
brokers: { append-latency: 0ms, replication-latency: 0ms }
topics: [{ name: t, partitions: 1 }]
producers: [{ name: p, topic: t, rate: 900/s, arrivals: poisson, config: { linger.ms: 0 } }]
consumer-groups:
  - { name: g, topic: t, instances: 1, processing: { per-record: { dist: exponential, mean: 1ms } } }
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));

export async function bench(args: string[]): Promise<void> {
  const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice(7) ?? 0);
  const against = args.find((a) => a.startsWith('--against='))?.slice(10);
  const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? (against ? ['a', 'b'] : ['a', 'd', 'b', 'g', 'f', 'h', 'e', 'c']);
  if (only.length > 1) {
    // Each part in a process of its own: a process that ran (a)'s exact fidelity first runs
    // (b)'s batched one ~40% slower (the JIT keeps both shapes), which no `sim` run does.
    for (const part of only) {
      const p = spawnSync(process.execPath, [path.join(root, 'bin/bench.js'), `--only=${part}`, ...args.filter((a) => !a.startsWith('--only='))], { stdio: 'inherit' });
      if (p.status !== 0) throw new Error(`bench part ${part} exited with ${p.status}`);
    }
    return;
  }
  if (against) {
    await sideBySide(path.resolve(against), only, runs);
    return;
  }
  const out = mkdtempSync(path.join(os.tmpdir(), 'lagsim-bench-'));
  try {
    if (only.includes('a')) benchA(runs);
    if (only.includes('b')) await benchB(runs, out);
    if (only.includes('c')) await benchC(runs, out);
    if (only.includes('d')) benchD(runs);
    if (only.includes('e')) benchE(out);
    if (only.includes('f')) benchF(runs);
    if (only.includes('g')) await benchG(runs, out);
    if (only.includes('h')) benchH(runs);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function benchA(runs: number): void {
  const mm1 = parseScenario(MM1, 'bench-mm1.yaml');
  // Warm-up: the first run pays for JIT compilation (and, threaded, for starting the thread,
  // which then waits for the next run).
  simulate(mm1);
  simulate(mm1, { producerThread: true });
  const a: { ms: number; records: number; events: number }[] = [];
  const threaded: number[] = [];
  for (let i = 0; i < (runs || 3); i++) {
    let t = performance.now();
    const r = simulate(mm1);
    a.push({ ms: performance.now() - t, records: r.summary.accounting.processed, events: r.summary.kernelEvents });
    t = performance.now();
    simulate(mm1, { producerThread: true });
    threaded.push(performance.now() - t);
  }
  const aMs = median(a.map((x) => x.ms));
  const tMs = median(threaded);
  console.log(`(a) M/M/1, exact, ${fmt(a[0].records)} records, ${fmt(a[0].events)} kernel events, ${a.length} runs each, alternating`);
  console.log(`    simulate, one thread: median ${aMs.toFixed(0)} ms (${a.map((x) => x.ms.toFixed(0)).join(', ')})`);
  console.log(`    ${fmt(a[0].records / (aMs / 1000))} records/s, ${fmt(a[0].events / (aMs / 1000))} events/s (target >= 5M records/s)`);
  console.log(`    simulate, producers on their own thread (kept between runs): median ${tMs.toFixed(0)} ms (${threaded.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`    ${fmt(a[0].records / (tMs / 1000))} records/s, ${fmt(a[0].events / (tMs / 1000))} events/s`);
}

async function benchB(runs: number, out: string): Promise<void> {
  const file = path.join(root, 'scenarios', 'flash-sale.yaml');
  const fs = loadScenario(file);
  const b: { sim: number; threaded: number; report: number; records: number; events: number; fidelity: string }[] = [];
  for (let i = 0; i < (runs || 3); i++) {
    const t0 = performance.now();
    const r = simulate(fs);
    const t1 = performance.now();
    simulate(fs, { producerThread: true });
    const t2 = performance.now();
    await writeReport(r, path.join(out, 'in-process'));
    const t3 = performance.now();
    b.push({ sim: t1 - t0, threaded: t2 - t1, report: t3 - t2, records: r.summary.accounting.offered, events: r.summary.kernelEvents, fidelity: r.scenario.fidelity });
  }
  const cli: number[] = [];
  for (let i = 0; i < (runs || 3); i++) {
    const t = performance.now();
    const p = spawnSync(process.execPath, [path.join(root, 'bin/sim.js'), file, '--quiet', '--out', path.join(out, 'cli')], { stdio: 'inherit' });
    if (p.status !== 0) throw new Error(`sim exited with ${p.status}`);
    cli.push(performance.now() - t);
  }
  const sim = median(b.map((x) => x.sim));
  const rep = median(b.map((x) => x.report));
  console.log(`(b) flash-sale, ${b[0].fidelity}, ${fmt(b[0].records)} records, ${fmt(b[0].events)} kernel events, ${b.length} runs`);
  const threaded = median(b.map((x) => x.threaded));
  console.log(`    simulate, one thread: median ${(sim / 1000).toFixed(2)} s (${b.map((x) => (x.sim / 1000).toFixed(2)).join(', ')}) = ${fmt(b[0].records / (sim / 1000))} records/s`);
  console.log(`    simulate, producers on their own thread (as \`sim\` runs one scenario on 2+ cores): median ${(threaded / 1000).toFixed(2)} s (${b.map((x) => (x.threaded / 1000).toFixed(2)).join(', ')}); ${(sim / threaded).toFixed(2)}x sooner`);
  const charts = readdirSync(path.join(out, 'in-process')).filter((f) => f.endsWith('.png')).length;
  console.log(`    report (${charts} charts as svg+png+vl.json, report.md, report.html, csv): median ${(rep / 1000).toFixed(2)} s`);
  console.log(`    whole command \`sim scenarios/flash-sale.yaml\`: median ${(median(cli) / 1000).toFixed(2)} s (${cli.map((x) => (x / 1000).toFixed(2)).join(', ')}) (target <= 3 s)`);
  console.log(`    start-up and report, the whole command less its simulation (producer thread, as sim runs it): ${((median(cli) - threaded) / 1000).toFixed(2)} s (target <= 0.7 s)`);
}

async function benchC(runs: number, out: string): Promise<void> {
  const built = ensureBuilt();
  const cores = os.availableParallelism();
  const grid = 'consumer-groups.0.instances=8..13';
  /** The whole command's wall time, and what it printed on stderr about its workers. */
  const sweep = (jobs: number, dir: string): { ms: number; runMs: number; poolMs: number } => {
    const t = performance.now();
    const p = spawnSync(process.execPath, [path.join(root, 'bin/sim.js'), 'sweep', path.join(root, 'scenarios', 'flash-sale.yaml'), '--grid', grid, '--jobs', String(jobs), '--out', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    const ms = performance.now() - t;
    if (p.status !== 0) throw new Error(`sim sweep --jobs ${jobs} exited with ${p.status}: ${p.stderr}`);
    // "6 runs on 2 workers in 22.0 s; the simulations took 41.0 s in all: ..." or "6 runs one after another in 40.1 s (the simulations themselves: 39.9 s)"
    const m = /in ([\d.]+) s.*?([\d.]+) s/.exec(p.stderr);
    if (!m) throw new Error(`sim sweep printed no usage line: ${p.stderr}`);
    return { ms, poolMs: Number(m[1]) * 1000, runMs: Number(m[2]) * 1000 };
  };
  const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const loadBefore = load();
  const pairs: { one: ReturnType<typeof sweep>; all: ReturnType<typeof sweep> }[] = [];
  for (let i = 0; i < (runs || 3); i++) {
    // Alternating, so both sides of a pair see the same load.
    pairs.push({ one: sweep(1, path.join(out, 'sweep-1')), all: sweep(cores, path.join(out, `sweep-${cores}`)) });
  }
  const same = readFileSync(path.join(out, 'sweep-1', 'report.md'), 'utf8') === readFileSync(path.join(out, `sweep-${cores}`, 'report.md'), 'utf8');
  const eff = pairs.map((x) => x.one.ms / (x.all.ms * cores));
  const used = pairs.map((x) => x.all.runMs / (x.all.poolMs * cores));
  const slower = pairs.map((x) => x.all.runMs / x.one.runMs);
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const pct = (xs: number[]) => `${xs.map((e) => `${(e * 100).toFixed(1)}%`).join(', ')}; median ${(median(xs) * 100).toFixed(1)}%`;
  console.log(`(c) parallel efficiency: \`sim sweep scenarios/flash-sale.yaml --grid ${grid}\` (6 flash-sale runs), ${cores} cores, ${built}`);
  console.log(`    --jobs 1 (one run after the other, in one thread): ${pairs.map((x) => s(x.one.ms)).join(', ')} s`);
  console.log(`    --jobs ${cores} (the worker pool): ${pairs.map((x) => s(x.all.ms)).join(', ')} s`);
  console.log(`    efficiency = (--jobs 1 wall) / (--jobs ${cores} wall x ${cores}), per pair: ${pct(eff)} (target >= 85%)`);
  console.log(`      both include node's start-up and writing the sweep report; reports identical: ${same ? 'yes' : 'NO'}`);
  console.log(`    the runs' own simulate() time / (${cores} x the pool's wall time), --jobs ${cores}, as \`sim sweep\` prints it: ${pct(used)}`);
  console.log(`      the same runs' simulate() time, --jobs ${cores} / --jobs 1: ${slower.map((x) => x.toFixed(2)).join(', ')} (above 1: runs side by side are slower, whatever the pool does)`);
  console.log(`    load average before: ${loadBefore}, after: ${load()} (other processes on the machine lower the figure)`);
}

/**
 * (c) times the `sim` command as users run it, which uses the compiled build when it is newer
 * than src/ (otherwise tsx compiles every worker's modules as it starts): build it if stale.
 */
function ensureBuilt(): string {
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs)));
  const main = path.join(root, 'dist', 'src', 'cli', 'main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newest(path.join(root, 'src'))) return 'compiled build (dist/)';
  console.log('    dist/ is older than src/: npm run build');
  const p = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (p.status !== 0) throw new Error('npm run build failed');
  return 'compiled build (dist/, just built)';
}

/** What a build of lagsim offers the side-by-side benchmark (present in every version). */
interface Build {
  dir: string;
  parseScenario: (text: string, file: string) => unknown;
  loadScenario: (file: string) => unknown;
  simulate: (s: unknown, options?: { producerThread?: boolean }) => unknown;
}

async function loadBuild(dir: string): Promise<Build> {
  const load = await import(pathToFileURL(path.join(dir, 'dist/src/scenario/load.js')).href);
  // simulate() lives in model/simulate.ts since the topology change, in model/pipeline.ts before.
  const module = ['dist/src/model/simulate.js', 'dist/src/model/pipeline.js'].map((f) => path.join(dir, f)).find((f) => existsSync(f));
  if (module === undefined) throw new Error(`${dir}: no dist/src/model/simulate.js or pipeline.js (npm run build there)`);
  const model = await import(pathToFileURL(module).href);
  return { dir, parseScenario: load.parseScenario, loadScenario: load.loadScenario, simulate: model.simulate };
}

/**
 * (a) and (b)'s simulate() for this build and another, alternately in one process. Versions
 * before `brokers:` existed spelled the zero produce latency `network.produce-latency`.
 */
async function sideBySide(otherDir: string, only: string[], runs: number): Promise<void> {
  const builds = [await loadBuild(otherDir), await loadBuild(root)];
  const mm1For = (b: Build) => {
    try {
      return b.parseScenario(MM1, 'bench-mm1.yaml');
    } catch {
      const old = MM1.replace('network: { rtt: 0ms }\nbrokers: { append-latency: 0ms, replication-latency: 0ms }', 'network: { rtt: 0ms, produce-latency: 0ms }');
      return b.parseScenario(old, 'bench-mm1.yaml');
    }
  };
  const cases: { name: string; scenario: (b: Build) => unknown; runs: number }[] = [];
  if (only.includes('a')) cases.push({ name: '(a) M/M/1 exact simulate()', scenario: mm1For, runs: runs || 5 });
  if (only.includes('b')) cases.push({ name: '(b) flash-sale simulate()', scenario: (b) => b.loadScenario(path.join(b.dir, 'scenarios/flash-sale.yaml')), runs: runs || 3 });
  for (const c of cases) {
    const scenarios = builds.map(c.scenario);
    // The other build, this build on one thread, this build with its producers on their own thread.
    const sides = [
      () => builds[0].simulate(scenarios[0]),
      () => builds[1].simulate(scenarios[1]),
      () => builds[1].simulate(scenarios[1], { producerThread: true }),
    ];
    const times: number[][] = [[], [], []];
    for (let i = 0; i <= c.runs; i++) {
      for (let k = 0; k < sides.length; k++) {
        const t = performance.now();
        sides[k]();
        if (i > 0) times[k].push(performance.now() - t); // run 0 warms up
      }
    }
    const [other, self, threaded] = times.map(median);
    const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    console.log(`${c.name}, ${c.runs} runs each, alternating`);
    console.log(`    ${otherDir}: median ${other.toFixed(0)} ms (${list(times[0])})`);
    console.log(`    ${root}, one thread: median ${self.toFixed(0)} ms (${list(times[1])})`);
    console.log(`    ${root}, producers on their own thread: median ${threaded.toFixed(0)} ms (${list(times[2])})`);
    // Each run's ratio to the other build's run just before it: drift in the host's speed
    // between pairs cancels out.
    const pairRatio = (k: number) => median(times[k].map((t, i) => t / times[0][i]));
    console.log(`    this build / the other: ${(self / other).toFixed(2)}x the time on one thread, ${(threaded / other).toFixed(2)}x with the producer thread`);
    console.log(`    median of the runs' ratios to the other build's run before them: ${pairRatio(1).toFixed(2)}x on one thread, ${pairRatio(2).toFixed(2)}x with the producer thread`);
  }
}

/** The M/M/1 of (a) in SimPy: Poisson arrivals at 900/s, one server, exponential 1 ms. */
const SIMPY_MM1 = `
import random, sys, time
import simpy
N = int(sys.argv[1])
random.seed(1)
done = [0]
total = [0.0]
def customer(env, server):
    t0 = env.now
    with server.request() as req:
        yield req
        yield env.timeout(random.expovariate(1000.0))
    total[0] += env.now - t0
    done[0] += 1
def source(env, server):
    for _ in range(N):
        yield env.timeout(random.expovariate(900.0))
        env.process(customer(env, server))
env = simpy.Environment()
server = simpy.Resource(env, capacity=1)
env.process(source(env, server))
t = time.perf_counter()
env.run()
dt = time.perf_counter() - t
print(done[0], dt, total[0] / done[0])
`;

/** A python3 that imports simpy, after installing Debian's python3-simpy3 if it can; or why not. */
function simpyPython(): { python: string; env: NodeJS.ProcessEnv } | string {
  const env = { ...process.env, PYTHONPATH: ['/usr/lib/python3/dist-packages', process.env.PYTHONPATH].filter(Boolean).join(':') };
  const works = (python: string) => spawnSync(python, ['-c', 'import simpy'], { env, stdio: 'ignore' }).status === 0;
  for (const python of ['python3', '/usr/bin/python3']) if (works(python)) return { python, env };
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = spawnSync(root ? 'apt-get' : 'sudo', [...(root ? [] : ['-n', 'apt-get']), 'install', '-y', '-q', 'python3-simpy3'], { stdio: 'ignore' });
  if (apt.error || apt.status !== 0) return `SimPy is missing and \`apt-get install python3-simpy3\` failed (${apt.error?.message ?? `exit ${apt.status}`})`;
  for (const python of ['/usr/bin/python3', 'python3']) if (works(python)) return { python, env };
  return 'python3-simpy3 installed, but no python3 here imports simpy';
}

function benchD(runs: number): void {
  const py = simpyPython();
  if (typeof py === 'string') {
    console.log(`(d) SimPy: skipped: ${py}`);
    return;
  }
  const n = 1_000_000;
  const mm1 = parseScenario(MM1, 'bench-mm1.yaml');
  simulate(mm1); // warm-up, as (a)
  const simpy: number[] = [];
  const ours: number[] = [];
  let records = 0;
  for (let i = 0; i < (runs || 3); i++) {
    const p = spawnSync(py.python, ['-c', SIMPY_MM1, String(n)], { env: py.env, encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`SimPy run failed: ${p.stderr}`);
    const [done, seconds] = p.stdout.trim().split(/\s+/).map(Number);
    simpy.push(done / seconds);
    const t = performance.now();
    const r = simulate(mm1);
    records = r.summary.accounting.processed;
    ours.push(records / ((performance.now() - t) / 1000));
  }
  const ratios = ours.map((x, i) => x / simpy[i]);
  console.log(`(d) the M/M/1 of (a) in SimPy ${spawnSync(py.python, ['-c', 'import simpy; print(simpy.__version__)'], { env: py.env, encoding: 'utf8' }).stdout.trim()}, ${fmt(n)} customers, against (a) on one thread, ${ours.length} pairs, alternating`);
  console.log(`    SimPy: median ${fmt(median(simpy))} customers/s (${simpy.map(fmt).join(', ')})`);
  console.log(`    lagsim: median ${fmt(median(ours))} records/s (${ours.map(fmt).join(', ')}), ${fmt(records)} records`);
  console.log(`    lagsim / SimPy, per pair: ${ratios.map((x) => `${x.toFixed(0)}x`).join(', ')}; median ${median(ratios).toFixed(0)}x (target >= 50x)`);
}

function benchE(out: string): void {
  const src = readFileSync(path.join(root, 'scenarios', 'flash-sale.yaml'), 'utf8');
  const day = src.replace(/duration: 30m/, 'duration: 24h').replace(/phases:\n(\s+- .*\n)+/, (m) => `phases:\n${/^(\s+)-/m.exec(m.slice(8))![1]}- { rate: 2k/s }\n`).replace(/^name: flash-sale$/m, 'name: day-at-2k');
  if (!/phases:\n\s+- \{ rate: 2k\/s \}\n\s+record-size:/.test(day)) throw new Error('(e): could not rewrite flash-sale.yaml into a day at 2k/s');
  const file = path.join(out, 'day-at-2k.yaml');
  writeFileSync(file, day);
  const built = ensureBuilt();
  const time = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%e %M'] : [];
  const args = [path.join(root, 'bin/sim.js'), file, '--quiet', '--jobs', '1', '--out', path.join(out, 'day')];
  const t = performance.now();
  const p = spawnSync(time[0] ?? process.execPath, time.length ? [...time.slice(1), process.execPath, ...args] : args, { encoding: 'utf8' });
  const wall = (performance.now() - t) / 1000;
  if (p.status !== 0) throw new Error(`sim (day at 2k/s) exited with ${p.status}: ${p.stderr}`);
  const rss = time.length ? Number(p.stderr.trim().split(/\s+/).at(-1)) / 1024 : NaN;
  console.log(`(e) a day at 2k records/s on flash-sale's pipeline (172.8M records), \`sim --jobs 1\`, ${built}`);
  console.log(`    whole command: ${wall.toFixed(1)} s (target <= 15 s); peak RSS ${Number.isNaN(rss) ? '(no /usr/bin/time)' : `${rss.toFixed(0)} MB`} (target <= 300 MB)`);
}

/** One consumer over P partitions, uniform keys, a batch per record: the same work at any P. */
function partitionsScenario(partitions: number): string {
  return `
name: bench-partitions
seed: 1
duration: 60s
sample-interval: 1s
fidelity: exact
network: { rtt: 0ms }
brokers: { append-latency: 0ms, replication-latency: 0ms }
topics: [{ name: t, partitions: ${partitions} }]
producers: [{ name: p, topic: t, rate: 20k/s, arrivals: poisson, keys: { dist: uniform, count: 1000000 }, config: { linger.ms: 0 } }]
consumer-groups:
  - { name: g, topic: t, instances: 1, processing: { per-record: 1us } }
`;
}

function benchF(runs: number): void {
  const sizes = [1, 48, 480, 4800];
  const scenarios = sizes.map((p) => parseScenario(partitionsScenario(p), `bench-partitions-${p}.yaml`));
  for (const s of scenarios) simulate(s); // warm-up
  const us: number[][] = sizes.map(() => []);
  let records = 0;
  for (let i = 0; i < (runs || 3); i++) {
    scenarios.forEach((s, k) => {
      const t = performance.now();
      const r = simulate(s);
      records = r.summary.accounting.processed;
      us[k].push(((performance.now() - t) * 1000) / records);
    });
  }
  console.log(`(f) cost per record against partitions, one consumer, a batch per record, ~${fmt(records)} records, ${us[0].length} runs each, alternating`);
  sizes.forEach((p, k) => console.log(`    ${String(p).padStart(5)} partitions: median ${median(us[k]).toFixed(2)} us/record (${us[k].map((x) => x.toFixed(2)).join(', ')})`));
  const ratios = us[3].map((x, i) => x / us[1][i]);
  console.log(`    4,800 / 48, per run: ${ratios.map((x) => x.toFixed(2)).join(', ')}; median ${median(ratios).toFixed(2)}x (target <= 2x)`);
}

/** n stages, each a group of 4 reading a 24-partition topic and (all but the last) producing to the next. */
function pipelineScenario(stages: number): string {
  const topics = Array.from({ length: stages }, (_, i) => `  - { name: t${i}, partitions: 24 }`).join('\n');
  const groups = Array.from(
    { length: stages },
    (_, i) => `  - name: s${i}
    topic: t${i}
    instances: 4
    processing: { per-record: { dist: lognormal, p50: 50us, p99: 250us } }${i < stages - 1 ? `\n    produces: { topic: t${i + 1}, record-size: 600B }` : ''}`,
  ).join('\n');
  return `
name: bench-pipeline
seed: 1
duration: 30m
sample-interval: 1s
topics:
${topics}
producers: [{ name: p, topic: t0, rate: 20k/s, record-size: 600B, keys: { dist: uniform, count: 100000 } }]
consumer-groups:
${groups}
`;
}

function benchH(runs: number): void {
  const cases = [1, 4].map((n) => ({ n, scenario: parseScenario(pipelineScenario(n), `bench-pipeline-${n}.yaml`), us: [] as number[], records: 0, events: 0 }));
  for (let i = 0; i < (runs || 2); i++) {
    for (const c of cases) {
      const t = performance.now();
      const r = simulate(c.scenario);
      c.records = Object.values(r.summary.groups).reduce((a, g) => a + g.books.processed + g.duplicates, 0);
      c.events = r.summary.kernelEvents;
      c.us.push(((performance.now() - t) * 1000) / c.records);
    }
  }
  console.log(`(h) pipeline against one stage, 20k records/s for 30 min, ${cases[0].us.length} runs each, alternating (fidelity ${resolveFidelity(cases[1].scenario)})`);
  for (const c of cases) {
    console.log(
      `    ${c.n} stage${c.n > 1 ? 's' : ' '}: ${fmt(c.records)} stage-records, median ${median(c.us).toFixed(3)} us/stage-record (${fmt(1e6 / median(c.us))} stage-records/s; ${c.us.map((x) => x.toFixed(3)).join(', ')}), ${fmt(c.events)} events`,
    );
  }
  const ratios = cases[1].us.map((x, i) => x / cases[0].us[i]);
  console.log(`    per stage-record, 4 stages / 1, per run: ${ratios.map((x) => x.toFixed(2)).join(', ')}; median ${median(ratios).toFixed(2)}x`);
}

async function benchG(runs: number, out: string): Promise<void> {
  const s = loadScenario(path.join(root, 'scenarios', 'slow-payment-provider.yaml'));
  const sim: number[] = [];
  const rep: number[] = [];
  for (let i = 0; i < (runs || 3); i++) {
    const t0 = performance.now();
    const r = simulate(s);
    const t1 = performance.now();
    await writeReport(r, path.join(out, 'slow-payment'));
    sim.push(t1 - t0);
    rep.push(performance.now() - t1);
  }
  const charts = readdirSync(path.join(out, 'slow-payment')).filter((f) => f.endsWith('.png')).length;
  const ratios = rep.map((x, i) => x / sim[i]);
  console.log(`(g) slow-payment-provider, ${sim.length} runs: simulate median ${(median(sim) / 1000).toFixed(2)} s, report (${charts} charts) median ${(median(rep) / 1000).toFixed(2)} s`);
  console.log(`    report / simulation, per run: ${ratios.map((x) => x.toFixed(2)).join(', ')}; median ${median(ratios).toFixed(2)} (target <= 1)`);
}

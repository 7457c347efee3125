/**
 * `sim sweep`, `sim plan` and `sim merge` as a user runs them: a child process, real files, exit
 * codes. A sweep split into shards and merged writes the same report as the unsharded sweep.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { duplicateShard, missingShards } from '../../src/study/messages.js';
import { load, run } from '../../src/run.js';
import { formatCount, formatMs } from '../../src/report/format.js';
import { checkJunit, parseXml } from '../helpers/junit-xml.js';

const root = path.resolve(import.meta.dirname, '../..');
const simBin = path.join(root, 'bin/sim.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lagsim-study-'));

function sim(args: string[]) {
  const p = spawnSync(process.execPath, [simBin, ...args], { cwd: tmp, encoding: 'utf8', env: { ...process.env, LAGSIM_DEBUG: '' } });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}

function filesOf(dir: string): Record<string, Buffer> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(path.join(dir, f))]));
}

const file = path.join(tmp, 'small.yaml');
writeFileSync(
  file,
  `name: small
seed: 5
duration: 10s
topics: [{ name: t, partitions: 4 }]
producers: [{ name: p, topic: t, rate: 3k/s, arrivals: poisson, keys: { dist: uniform, count: 100 } }]
consumer-groups:
  - { name: g, topic: t, instances: 2, processing: { per-record: { dist: exponential, mean: 500us } } }
`,
);
const GRID = ['--grid', 'consumer-groups.0.instances=1..3', '--grid', 'topics.0.partitions=4,8', '--objective', 'latency.p99Ms<=50'];

describe('sim sweep and sim merge', () => {
  it('writes a table, CSV, JSON and heat maps; shards 1/3 + 2/3 + 3/3 merge into the same report, byte for byte', () => {
    const whole = sim(['sweep', file, ...GRID, '--out', 'whole']);
    // stderr says how well the runs used the workers (wall-clock figures, so kept off stdout).
    const cores = os.availableParallelism();
    const usage = cores > 1 ? `6 runs on ${cores} workers in [\\d.]+ s; the simulations took [\\d.]+ s in all: \\d+% of the workers' time` : '6 runs one after another in [\\d.]+ s \\(the simulations themselves: [\\d.]+ s\\)';
    expect(whole.stderr).toMatch(new RegExp(`^${usage}\\n$`));
    expect(whole.code).toBe(0);
    // Figures and objectives in words with their units, as a run's report names them; sweep.csv keeps the paths.
    expect(whole.stdout).toMatch(/^\| instances \| partitions \| End-to-end latency p99 \| Peak group lag \(records\) \| Peak lag in time \| End-to-end latency p99 ≤ 50 ms \| all objectives \|/);
    expect(whole.stdout).not.toMatch(/latency\.p99Ms|lag\.peak/);
    expect(whole.stdout.split('\n').filter((l) => /^\| \d/.test(l))).toHaveLength(6);
    // sweep.csv says of each objective what report.md says (pass, pass on average, fail), not the confidence's code name.
    const csv = readFileSync(path.join(tmp, 'whole', 'sweep.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const column = csv[0].indexOf('latency.p99Ms <= 50');
    const csvWords = csv.slice(1).map((r) => r[column]);
    const mdWords = readFileSync(path.join(tmp, 'whole', 'report.md'), 'utf8')
      .split('\n')
      .filter((l) => /^\| \d/.test(l))
      .map((l) => l.split(' | ').at(-2));
    expect(csvWords).toStrictEqual(mdWords);
    expect(new Set(csvWords)).toStrictEqual(new Set(['pass', 'fail']));
    expect(Object.keys(filesOf(path.join(tmp, 'whole')))).toStrictEqual([
      'heatmap-latency.p99Ms.png',
      'heatmap-latency.p99Ms.svg',
      'heatmap-latency.p99Ms.vl.json',
      'objectives.png',
      'objectives.svg',
      'objectives.vl.json',
      'report.md',
      'sweep.csv',
      'sweep.json',
    ]);
    // Two fields: a heat map titled in words, in one unit; no "n/a" painted over the colour ramp.
    const heatmap = readFileSync(path.join(tmp, 'whole', 'heatmap-latency.p99Ms.svg'), 'utf8');
    expect(heatmap).toContain('End-to-end latency p99 by partitions and instances');
    expect(heatmap).not.toContain('n/a');
    expect(readFileSync(path.join(tmp, 'whole', 'report.md'), 'utf8')).toContain('![End-to-end latency p99 by partitions and instances](heatmap-latency.p99Ms.svg)');

    for (const i of [1, 2, 3]) {
      const r = sim(['sweep', file, ...GRID, '--shard', `${i}/3`, '--out', 'shards', '--jobs', '1']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`shard ${i}/3: 2 of 6 grid points`);
      expect(r.stderr).toMatch(/^2 runs one after another in [\d.]+ s \(the simulations themselves: [\d.]+ s\)\n$/);
    }
    const shards = [1, 2, 3].map((i) => path.join('shards', `shard-${i}-of-3.json`));
    const merged = sim(['merge', ...shards, '--out', 'merged']);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(whole.stdout.replace(path.join('whole', 'report.md'), path.join('merged', 'report.md')));
    expect(filesOf(path.join(tmp, 'merged'))).toStrictEqual(filesOf(path.join(tmp, 'whole')));
  }, 120_000);

  it('refuses a missing shard, a repeated one and one of another study (exit 2, nothing written)', () => {
    const [s1, s2, s3] = [1, 2, 3].map((i) => path.join('shards', `shard-${i}-of-3.json`));
    expect(existsSync(path.join(tmp, s3))).toBe(true);
    let r = sim(['merge', s1, s2, '--out', 'bad']);
    expect([r.code, r.stderr]).toStrictEqual([2, `sim: ${missingShards([3], 3)}\n`]);
    copyFileSync(path.join(tmp, s1), path.join(tmp, 'again.json'));
    r = sim(['merge', s1, s2, s3, 'again.json', '--out', 'bad']);
    expect([r.code, r.stderr]).toStrictEqual([2, `sim: ${duplicateShard(1, 3, s1, 'again.json')}\n`]);
    expect(sim(['sweep', file, ...GRID, '--replications', '2', '--shard', '3/3', '--out', 'other']).code).toBe(0);
    r = sim(['merge', s1, s2, path.join('other', 'shard-3-of-3.json'), '--out', 'bad']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/other\/shard-3-of-3\.json belongs to another study/);
    r = sim(['merge', 'nope.json', '--out', 'bad']);
    expect([r.code, r.stderr]).toStrictEqual([2, 'sim: nope.json: cannot read the file: ENOENT\n']);
    expect(existsSync(path.join(tmp, 'bad'))).toBe(false);
  }, 120_000);

  it('refuses bad grids, shards, metrics, objectives and grid values with exit 2', () => {
    let r = sim(['sweep', file, '--grid', 'instances']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sim: --grid instances: expected path=values/);
    r = sim(['sweep', file, ...GRID, '--shard', '4/3']);
    expect([r.code, r.stderr]).toStrictEqual([2, 'sim: --shard 4/3: expected i/n with 1 <= i <= n, like 2/5\n']);
    r = sim(['sweep', file, '--grid', 'consumer-groups.0.instances=1', '--metric', 'latency.p99ms', '--out', 'm']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--metric latency\.p99ms: not a figure of a run's summary; did you mean latency\.p99Ms\?/);
    r = sim(['sweep', file, '--grid', 'consumer-groups.0.instances=1', '--objective', 'latency.p99<=50', '--out', 'o']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--objective latency\.p99 <= 50: not a figure of a run's summary; did you mean latency\.p99Ms\?/);
    expect(existsSync(path.join(tmp, 'o'))).toBe(false);
    r = sim(['sweep', file, '--grid', 'consumer-groups.0.instances=1', '--objective', 'latency.p99Ms<5s']);
    expect([r.code, r.stderr]).toStrictEqual([2, 'sim: --objective latency.p99Ms<5s: expected FIGURE<=NUMBER or FIGURE>=NUMBER, like latency.p99Ms<=5000\n']);
    r = sim(['sweep', file, '--grid', 'consumer-groups.0.instances=0..1', '--out', 'v']);
    expect(r.code).toBe(2);
    // The override is validated like the file: the message names it and the field.
    expect(r.stderr).toMatch(/^sim: grid point instances=0:\n--set consumer-groups\.0\.instances=0: consumer-groups\[0\]\.instances: expected a number > 0/);
    expect(r.stderr).not.toMatch(/instances=1:/);
    expect(existsSync(path.join(tmp, 'v'))).toBe(false);
  }, 120_000);
});

describe('sim plan', () => {
  it('prints the smallest value meeting the objectives and writes its report', () => {
    const r = sim(['plan', file, '--field', 'consumer-groups.0.instances', '--min', '1', '--max', '8', '--objective', 'latency.p99Ms<=50', '--out', 'plan']);
    expect(r.code, r.stderr).toBe(0);
    const answer = Number(/^smallest consumer-groups\.0\.instances meeting every objective: (\d+)$/m.exec(r.stdout)?.[1]);
    expect(answer).toBeGreaterThanOrEqual(2); // one consumer at rho = 1.5 cannot keep up
    // The answer's margins in the single run's words and units.
    expect(r.stdout).toMatch(/^ {2}latency\.p99Ms <= 50: measured \d+(\.\d+)? ms, margin \d+(\.\d+)? ms, pass \(single run\)$/m);
    const json = JSON.parse(readFileSync(path.join(tmp, 'plan', 'plan.json'), 'utf8'));
    expect(json.answer).toBe(answer);
    expect(readFileSync(path.join(tmp, 'plan', 'report.md'), 'utf8')).toContain(`**Answer: consumer-groups.0.instances = ${answer}**`);
    expect(existsSync(path.join(tmp, 'plan', 'comparison'))).toBe(true);
    const none = sim(['plan', file, '--field', 'consumer-groups.0.instances', '--min', '1', '--max', '2', '--out', 'p2']);
    expect([none.code, none.stderr]).toStrictEqual([2, 'sim: plan needs at least one objective to meet: the scenario states none\n']);
  }, 120_000);
});

describe('sim compare', () => {
  const other = path.join(tmp, 'slower.yaml');
  writeFileSync(other, readFileSync(file, 'utf8').replace('name: small', 'name: slower').replace('mean: 500us', 'mean: 900us'));

  it('prints each configuration with the single run\'s formatters; --check says which objectives failed on stderr, even with --quiet', () => {
    const r = sim(['compare', file, other, '--objective', 'latency.p99Ms<=1', '--out', 'cmp', '--jobs', '1']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    for (const [i, f] of [file, other].entries()) {
      // One replication: the configuration's median is its run, as the library gives it.
      const s = run(load(f)).summary;
      const name = path.basename(f, '.yaml');
      expect(lines[i]).toBe(`${name}: peak lag ${formatCount(s.groups.g.lag.peakRecords)} records, latency p99 ${formatMs(s.endToEnd.latency.p99Ms)}, fails latency.p99Ms <= 1`);
    }
    expect(r.stdout).not.toMatch(/\d{4,} records/);
    const quiet = sim(['compare', file, other, '--objective', 'latency.p99Ms<=1', '--out', 'cmp', '--jobs', '1', '--check', '--quiet', '--junit', 'cmp.xml']);
    expect(quiet.code).toBe(1);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toMatch(
      /^sim: --check: small: 1 of 1 objectives failed\n {2}latency\.p99Ms <= 1: measured .+, .+ over the bound \(1 ms\)\nsim: --check: slower: 1 of 1 objectives failed\n {2}latency\.p99Ms <= 1: measured .+, .+ over the bound \(1 ms\)\n$/,
    );
    // The JUnit report: a suite per configuration, the objective failed in each.
    const junit = checkJunit(parseXml(readFileSync(path.join(tmp, 'cmp.xml'), 'utf8')));
    expect(junit.suites.map((x) => [x.name, x.tests, x.failures])).toStrictEqual([['small', 1, 1], ['slower', 1, 1]]);
    expect(quiet.stderr).toContain(junit.suites[1].cases[0].failure!.message);
  }, 120_000);
});

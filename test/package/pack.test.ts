/**
 * lagsim as a user installs it: `npm pack`, the tarball installed into an empty project, the
 * library imported by its package name and the command run as `npx lagsim` (and `sim`).
 *
 * The build is the one `npm ci` made (its prepare step): the tarball is packed from this clone
 * with --ignore-scripts when dist/ is newer than every source and holds nothing the sources do not
 * make. Otherwise (sources edited since) the package is built once into a folder of its own and
 * packed from there, leaving this clone's dist/ alone: other tests run bin/sim.js meanwhile.
 * The install uses --prefer-offline, so the cache `npm ci` filled serves what it can.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, run } from '../../src/run.js';
import { assign, type AssignmentInput } from '../../src/model/assignors/index.js';

const root = path.resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lagsim-pack-'));
const app = path.join(tmp, 'app');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The environment without the variables `npm test` set for its own script, so the inner npm reads its config afresh. */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || /^npm_config_/i.test(k)),
) as NodeJS.ProcessEnv;
// What npm sets for the script it runs (`npm test`) rather than what the user configured.
for (const k of ['npm_config_ignore_scripts', 'npm_config_local_prefix', 'npm_config_loglevel']) delete env[k];

function files(dir: string, under = ''): string[] {
  return readdirSync(path.join(dir, under), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(dir, path.join(under, e.name)) : [path.join(under, e.name)],
  );
}

/** Whether dist/ is the build of the sources as they are: newer than all of them, and no file they would not make. */
function distIsFresh(): boolean {
  const main = path.join(root, 'dist/src/cli/main.js');
  if (!existsSync(main)) return false;
  const built = statSync(main).mtimeMs;
  const sources = files(path.join(root, 'src'));
  if (sources.some((f) => statSync(path.join(root, 'src', f)).mtimeMs > built)) return false;
  const made = new Set(sources.map((f) => f.replace(/\.ts$/, '')));
  return files(path.join(root, 'dist/src')).every((f) => made.has(f.replace(/\.(d\.ts|js)$/, '')));
}

/** The folder to pack: this clone when its build is fresh, else a copy with a build of its own. */
function packageDir(): string {
  if (distIsFresh()) return root;
  const stage = path.join(tmp, 'stage');
  for (const f of ['package.json', 'package-lock.json', 'README.md', 'LICENSE', 'scenario.schema.json', 'bin', 'docs', 'scenarios', 'src']) {
    cpSync(path.join(root, f), path.join(stage, f), { recursive: true });
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
  execFileSync(npm, ['run', 'build', '--silent'], { cwd: stage, env, stdio: 'pipe' });
  return stage;
}

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

let packed: Packed;
let install: { stderr: string };

/** `npx --no -- <argv>` in the project, as a user runs the command. */
function npx(argv: string[]) {
  const p = spawnSync('npx', ['--no', '--', ...argv], { cwd: app, env: { ...env, LAGSIM_DEBUG: '' }, encoding: 'utf8' });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}

const TINY = `name: tiny
seed: 3
duration: 10s
topics: [{ name: t, partitions: 4 }]
producers: [{ name: p, topic: t, rate: 2k/s, keys: { dist: uniform, count: 100 } }]
consumer-groups:
  - { name: g, topic: t, instances: 2, processing: { per-record: 300us } }
objectives:
  latency: { p99: 1s }
`;

const ASSIGNMENT: AssignmentInput = {
  members: [
    { memberId: 'a', subscribedTopics: ['t'] },
    { memberId: 'b', subscribedTopics: ['t'] },
  ],
  topics: [{ topic: 't', numPartitions: 4 }],
};

beforeAll(() => {
  const dir = packageDir();
  const out = execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  packed = (JSON.parse(out) as Packed[])[0];
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const p = spawnSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn', path.join(tmp, packed.filename)], { cwd: app, env, encoding: 'utf8' });
  expect(p.status, p.stderr).toBe(0);
  install = { stderr: p.stderr };
}, 180_000);

describe('the npm package', () => {
  it('holds the build, the schema, the example scenarios, the README and the licence, and nothing else', () => {
    const names = packed.files.map((f) => f.path).sort();
    for (const f of ['package.json', 'README.md', 'LICENSE', 'scenario.schema.json', 'bin/sim.js', 'docs/definitions.md', 'docs/grafana/lagsim.json', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js']) {
      expect(names).toContain(f);
    }
    // Worker threads start from files of their own; they must be in the build.
    for (const f of ['dist/src/study/worker.js', 'dist/src/report/drawing-thread.js', 'dist/src/model/producer-thread.js']) expect(names).toContain(f);
    const scenarios = readdirSync(path.join(root, 'scenarios')).filter((f) => f.endsWith('.yaml'));
    expect(scenarios.length).toBeGreaterThan(0);
    for (const s of scenarios) expect(names).toContain(`scenarios/${s}`);
    const unexpected = names.filter(
      (f) => !/^(package\.json|README\.md|LICENSE|scenario\.schema\.json|bin\/sim\.js|docs\/definitions\.md|docs\/grafana\/lagsim\.json|scenarios\/[^/]+\.yaml|dist\/src\/.+\.(js|d\.ts))$/.test(f),
    );
    expect(unexpected).toEqual([]);
    // A few hundred kB, not the 25 MB of tests and report gallery it once was.
    expect(packed.unpackedSize).toBeLessThan(3_000_000);
  });

  it('installs with no TypeScript runtime, and no install script of its dependencies', () => {
    const installed = readdirSync(path.join(app, 'node_modules'));
    for (const dev of ['tsx', 'esbuild', '@esbuild', 'typescript', 'vitest', 'fast-check']) expect(installed).not.toContain(dev);
    expect(install.stderr).not.toMatch(/esbuild/);
    expect(existsSync(path.join(app, 'node_modules/lagsim/src'))).toBe(false);
  });

  it('imports as `lagsim` and runs a scenario through its API, as the sources do', () => {
    writeFileSync(path.join(app, 'tiny.yaml'), TINY);
    writeFileSync(
      path.join(app, 'use.mjs'),
      `import { readFileSync } from 'node:fs';
const ASSIGNMENT = ${JSON.stringify(ASSIGNMENT)};
import { parse, run, replicate, judge, report, assign } from 'lagsim';
const scenario = parse(readFileSync('tiny.yaml', 'utf8'), 'tiny.yaml');
// The producers on a thread of their own, and two replications on the worker pool: both start
// worker threads from files inside the installed package.
const threaded = run(scenario, { producerThread: true });
const replicated = await replicate(scenario, { replications: 2, jobs: 2 });
const verdicts = judge(scenario, replicated);
const files = await report(replicated.median, 'lib-report', { replicated, verdicts });
const assignment = Object.fromEntries(assign('range', ASSIGNMENT));
process.stdout.write(JSON.stringify({ summary: threaded.summary, seeds: replicated.seeds, verdicts: verdicts.map((v) => v.pass), files, assignment }));
`,
    );
    const p = spawnSync(process.execPath, ['use.mjs'], { cwd: app, env, encoding: 'utf8' });
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
    const out = JSON.parse(p.stdout) as { summary: unknown; seeds: number[]; verdicts: boolean[]; files: string[]; assignment: unknown };
    expect(out.summary).toEqual(run(parse(TINY, 'tiny.yaml')).summary);
    expect(out.seeds).toHaveLength(2);
    expect(out.verdicts).toEqual([true]);
    for (const f of ['report.md', 'report.html', 'summary.json', 'lag-records.svg', 'lag-records.png']) expect(out.files).toContain(f);
    // report.html inlines vega's bundle, found inside the installed dependency.
    expect(readFileSync(path.join(app, 'lib-report/report.html'), 'utf8')).toMatch(/\/\* vega \d+\.\d+\.\d+, BSD-3-Clause/);
    expect(out.assignment).toEqual(Object.fromEntries(assign('range', ASSIGNMENT)));
  });

  it('runs `npx lagsim` on an example scenario it ships, and `sim` as the same command', () => {
    const scenario = 'node_modules/lagsim/scenarios/flash-sale.yaml';
    const r = npx(['lagsim', scenario, '--set', 'duration=10s', '--out', 'cli-report', '--jobs', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Flash sale.*10 s simulated/);
    expect(r.stdout).toMatch(/objectives: \d of 4 met/);
    // The charts' PNGs are drawn with the fonts of the installed dependency.
    expect(readFileSync(path.join(app, 'cli-report/lag-records.png')).subarray(1, 4).toString()).toBe('PNG');
    const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
    expect(npx(['sim', '--version']).stdout.trim()).toBe(version);
    // Its usage names the command as it was run.
    expect(npx(['lagsim', '--help']).stdout).toMatch(/^lagsim <scenario\.yaml> \[options\]/);
    expect(npx(['sim', '--help']).stdout).toMatch(/^sim <scenario\.yaml> \[options\]/);
    const bad = npx(['lagsim', 'missing.yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

/**
 * The `sim` command as a user runs it: a child process, real files, exit codes, stdout/stderr.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const simBin = path.join(root, 'bin/sim.js');
// Nested, so that the folder above it (where an escaping name would land) is this test's own too.
const tmp = mkdtempSync(path.join(mkdtempSync(path.join(os.tmpdir(), 'lagsim-cli-')), 'run-'));

function sim(args: string[], cwd = tmp) {
  const p = spawnSync(process.execPath, [simBin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LAGSIM_DEBUG: '' } });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}

const SMALL = `# a small valid scenario
name: small
seed: 5
duration: 20s
topics: [{ name: t, partitions: 4 }]
producers: [{ name: p, topic: t, rate: 2k/s, keys: { dist: uniform, count: 100 } }]
consumer-groups:
  - { name: g, topic: t, instances: 2, processing: { per-record: 300us } }
`;

function write(name: string, text: string): string {
  const f = path.join(tmp, name);
  writeFileSync(f, text);
  return f;
}

function filesOf(dir: string): Record<string, Buffer> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(path.join(dir, f))]));
}

describe('sim', () => {
  const file = write('small.yaml', SMALL);

  it('runs a scenario, prints a summary and where the report is, writes every output', () => {
    const r = sim([file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/peak lag/);
    expect(r.stdout).toMatch(/p50 .*p95 .*p99/);
    expect(r.stdout).toMatch(/lost\s+none/);
    expect(r.stdout).toContain(path.join('reports', 'small', 'report.md'));
    // Not a terminal: no progress bar, nothing on stderr.
    expect(r.stderr).toBe('');
    const out = path.join(tmp, 'reports', 'small');
    for (const f of ['report.md', 'summary.json', 'timeseries.csv', 'partition-lag.csv']) expect(existsSync(path.join(out, f))).toBe(true);
    for (const c of ['lag-records', 'lag-seconds', 'latency', 'throughput', 'partition-lag-heatmap']) {
      for (const ext of ['svg', 'png', 'vl.json']) expect(existsSync(path.join(out, `${c}.${ext}`)), `${c}.${ext}`).toBe(true);
    }
  }, 60_000);

  it('gives byte-identical outputs on a second run, and different ones with --seed', () => {
    expect(sim([file, '--out', 'a']).code).toBe(0);
    expect(sim([file, '--out', 'b']).code).toBe(0);
    expect(sim([file, '--out', 'c', '--seed', '6']).code).toBe(0);
    const a = filesOf(path.join(tmp, 'a'));
    const b = filesOf(path.join(tmp, 'b'));
    const c = filesOf(path.join(tmp, 'c'));
    expect(Object.keys(a).length).toBeGreaterThan(15);
    for (const k of Object.keys(a)) expect(b[k].equals(a[k]), k).toBe(true);
    expect(c['summary.json'].equals(a['summary.json'])).toBe(false);
    expect(JSON.parse(c['summary.json'].toString()).scenario.seed).toBe(6);
  }, 60_000);

  it('is byte-identical whatever the timezone and locale', () => {
    const p = spawnSync(process.execPath, [simBin, file, '--out', 'tz'], { cwd: tmp, env: { ...process.env, TZ: 'Pacific/Chatham', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' } });
    expect(p.status).toBe(0);
    const a = filesOf(path.join(tmp, 'a'));
    const tz = filesOf(path.join(tmp, 'tz'));
    for (const k of Object.keys(a)) expect(tz[k].equals(a[k]), k).toBe(true);
  }, 60_000);

  it("says once on stderr which keys of a client config file have no effect, and runs (not with --quiet)", () => {
    write('consumer.properties', ['bootstrap.servers=kafka-1:9092,kafka-2:9092', 'group.id=orders', 'max.poll.records=250', ''].join('\n'));
    const file = write('with-props.yaml', SMALL.replace("instances: 2,", "instances: 2, config: { file: consumer.properties },"));
    const r = sim([file, '--out', 'props']);
    expect(r.code, r.stderr).toBe(0);
    const notes = r.stderr.split('\n').filter((l) => l.startsWith('sim: note:'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('bootstrap.servers');
    expect(notes[0]).toContain('group.id');
    expect(notes[0]).not.toContain('max.poll.records');
    const quiet = sim([file, '--out', 'props-quiet', '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toContain('note:');
  });

  it('runs a duration that is not a multiple of the sample interval: the short last window is in every output', () => {
    const partial = write('partial.yaml', SMALL.replace('name: small', 'name: partial').replace('duration: 20s', 'duration: 105s\nsample-interval: 10s').replace('rate: 2k/s', 'rate: 500/s'));
    const r = sim([partial, '--out', 'partial']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = path.join(tmp, 'partial');
    expect(existsSync(path.join(out, 'report.md'))).toBe(true);
    const { summary } = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.endToEnd.latency.count).toBe(summary.accounting.processed + summary.groups.g.duplicates);
    const rows = readFileSync(path.join(out, 'timeseries.csv'), 'utf8').trim().split('\n');
    expect(rows.length).toBe(1 + 11);
    const header = rows[0].split(',');
    const last = Object.fromEntries(rows[11].split(',').map((v, i) => [header[i], v]));
    expect(last.time_s).toBe('105');
    for (const c of ['latency_p50_ms', 'latency_p95_ms', 'latency_p99_ms', 'latency_max_ms', 'processed_per_s']) expect(Number(last[c]), c).toBeGreaterThan(0);
  }, 60_000);

  it('reports every mistake at once with file:line:col, exit 2, no stack, nothing written', () => {
    const bad = write(
      'bad.yaml',
      `name: bad
duration: 5 minutes
topics: [{ name: t, partitions: 4 }]
producers: [{ name: p, topic: t, rate: -5/s }]
consumer-groups:
  - name: g
    topic: t
    instances: two
    config: { max.pol.records: 10 }
`,
    );
    const r = sim([bad, '--out', 'never']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(r.stderr).toMatch(/bad\.yaml:2:\d+: duration: expected a duration/);
    expect(r.stderr).toMatch(/bad\.yaml:4:\d+: producers\[0\]\.rate/);
    expect(r.stderr).toMatch(/bad\.yaml:8:\d+: consumer-groups\[0\]\.instances: expected/);
    expect(r.stderr).toMatch(/did you mean "max\.poll\.records"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(tmp, 'never'))).toBe(false);
  });

  it('refuses invalid YAML with its position', () => {
    const r = sim([write('syntax.yaml', 'name: x\nduration: [1, 2\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/syntax\.yaml:\d+:\d+: /);
  });

  it('refuses a name that escapes the output folder', () => {
    const r = sim([write('escape.yaml', SMALL.replace('name: small', 'name: ../../x'))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/escape\.yaml:2:7: name: /);
    expect(existsSync(path.join(tmp, '..', 'x'))).toBe(false);
  });

  it('reports a missing file and a bad --seed as input errors', () => {
    expect(sim(['nope.yaml']).code).toBe(2);
    const r = sim([file, '--seed', '-3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--seed/);
  });

  it('exits quietly when its reader has gone (`sim ... | head -1`): no stack trace, exit 0, the report written', () => {
    // `true` exits at once without reading, so the pipe is closed before sim writes: the
    // EPIPE that `| head` gives whenever head quits before sim's last write, made certain.
    const bash = spawnSync('bash', ['-c', `"${process.execPath}" "${simBin}" "${file}" --out early | true; echo "sim exit: \${PIPESTATUS[0]}"`], { cwd: tmp, encoding: 'utf8' });
    expect(bash.stderr).toBe('');
    expect(bash.stdout).toBe('sim exit: 0\n');
    expect(existsSync(path.join(tmp, 'early', 'report.md'))).toBe(true);
  }, 60_000);

  it('has --help and --version', () => {
    const h = sim(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/scenario/);
    expect(h.stdout).toMatch(/--seed/);
    expect(h.stdout).toMatch(/--out/);
    const v = sim(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version);
  });

  it('draws a progress bar on a terminal (stderr), via script(1) when available', () => {
    const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
    if (probe.status !== 0) return;
    const p = spawnSync('script', ['-qec', `${process.execPath} ${simBin} ${file} --out tty`, '/dev/null'], { cwd: tmp, encoding: 'utf8' });
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/% of simulated time/);
  }, 60_000);
});

describe('sim --out', () => {
  it('refuses to replace a folder that is not an earlier report, exit 2, and leaves it untouched', () => {
    const precious = path.join(tmp, 'precious');
    mkdirSync(precious, { recursive: true });
    writeFileSync(path.join(precious, 'notes.txt'), 'keep me');
    const r = sim([path.join(tmp, 'small.yaml'), '--out', precious]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write the report to/);
    expect(readFileSync(path.join(precious, 'notes.txt'), 'utf8')).toBe('keep me');
  }, 60_000);
});

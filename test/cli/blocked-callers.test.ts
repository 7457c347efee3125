/**
 * `sim` when records arrive faster than the brokers take them (issue 21, defect 7): 10^9
 * records/s, or brokers at 1 B/s, end in seconds with exit 2 and the figures, under 2 GiB, with
 * nothing written, whether the producers run on their own thread or not, and through the study
 * pool; a scenario that blocks a few thousand callers at once runs, its books balanced, the same
 * bytes with the producer thread on and off.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const simBin = path.join(root, 'bin/sim.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lagsim-blocked-'));
/** GNU time, to read a child's peak memory; without it the memory is not checked. */
const TIME = '/usr/bin/time';

interface SimRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak resident memory, bytes (null without GNU time). */
  rss: number | null;
}

function sim(args: string[], cwd: string, env: Record<string, string> = {}): SimRun {
  const timed = existsSync(TIME);
  const report = path.join(cwd, '..', `${path.basename(cwd)}.time`);
  const command = timed ? TIME : process.execPath;
  const argv = timed ? ['-v', '-o', report, process.execPath, simBin, ...args] : [simBin, ...args];
  const started = performance.now();
  const p = spawnSync(command, argv, { cwd, encoding: 'utf8', env: { ...process.env, LAGSIM_DEBUG: '', ...env } });
  const ms = performance.now() - started;
  const kib = timed ? /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(report, 'utf8'))?.[1] : undefined;
  return { code: p.status, stdout: p.stdout, stderr: p.stderr, ms, rss: kib === undefined ? null : Number(kib) * 1024 };
}

function folder(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
  return dir;
}

const scenario = (o: { name: string; rate: string; brokers?: string; network?: string }) => `name: ${o.name}
duration: 1m
${o.network ?? ''}
brokers: ${o.brokers ?? '{}'}
topics: [{ name: t, partitions: 8 }]
producers: [{ name: web, topic: t, rate: ${o.rate} }]
consumer-groups: [{ name: g, topic: t, instances: 2 }]
`;

/** Brokers whose latencies can be 0, so the estimate cannot bound what they take: the run itself must stop. */
const UNBOUNDED = {
  network: 'network: { rtt: 0ms }',
  brokers: '{ append-latency: { dist: exponential, mean: 1ms }, replication-latency: { dist: exponential, mean: 1ms } }',
};

const STOPPED = /^sim: expected a run that fits in memory: at [\d.]+ (ms|s) of simulated time [\d.]+M callers were blocked in send\(\), as many as a run may hold \(512 MiB\), and more were arriving at producer web: at its rate \(1B records\/s\) up to 60B callers could wait at once, each for up to max\.block\.ms \(1 min\), 671 GiB to hold them\. Its records arrive faster than the brokers take them: lower its rate, raise the brokers' max-bytes-in-per-second, shorten max\.block\.ms, enlarge buffer\.memory \(32 MiB\), or set on-buffer-full: drop\n$/;

/** A run that ended as an input problem should: exit 2, no stack, no "bug", nothing but the scenario left in its folder. */
function refusedCleanly(r: SimRun, dir: string, files: string[]): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).not.toMatch(/bug|LAGSIM_DEBUG|KernelError|\n\s+at /);
  expect(r.stdout).toBe('');
  expect(readdirSync(dir).sort()).toEqual(files);
  // Under 2 GiB, with room: a run's blocked callers stop at 512 MiB.
  if (r.rss !== null) expect(r.rss).toBeLessThan(1.5 * 2 ** 30);
}

describe('sim refuses while loading when blocking is certain', () => {
  it('10^9 records/s into the default brokers: at the rate, in milliseconds of work', () => {
    const dir = folder('certain', { 'fast.yaml': scenario({ name: 'fast', rate: '1e9/s' }) });
    const r = sim(['fast.yaml'], dir);
    refusedCleanly(r, dir, ['fast.yaml']);
    expect(r.stderr).toMatch(
      /^fast\.yaml:6:42: producers\[0\]\.rate: expected a run that fits in memory: its producers offer 60B records in the first 1 min \(its max\.block\.ms\), more than the brokers can take by then \(at most 352 GiB\) and buffer\.memory hold, so at least 59\.3B callers would be blocked in send\(\) at once, 662 GiB to hold them \(a run stops at 512 MiB\): /,
    );
    expect(r.ms).toBeLessThan(15_000);
  }, 30_000);

  it('10^9 records/s into brokers at 1 B/s', () => {
    const dir = folder('certain-slow', { 'slow.yaml': scenario({ name: 'slow', rate: '1e9/s', brokers: '{ max-bytes-in-per-second: 1 }' }) });
    const r = sim(['slow.yaml'], dir);
    refusedCleanly(r, dir, ['slow.yaml']);
    expect(r.stderr).toMatch(/^slow\.yaml:6:42: producers\[0\]\.rate: .*more than the brokers can take by then \(at most 180 B\)/);
  }, 30_000);
});

describe('sim stops a run at its limit on blocked callers', () => {
  const dir = folder('stopped', { 'fast.yaml': scenario({ name: 'fast', rate: '1e9/s', ...UNBOUNDED }) });

  it('10^9 records/s: exit 2 within seconds, under 2 GiB, the same words with the producer thread on and off', () => {
    const runs = (['on', 'off'] as const).map((thread) => sim(['fast.yaml', '--quiet', '--jobs', '2'], dir, { LAGSIM_PRODUCER_THREAD: thread }));
    for (const r of runs) {
      refusedCleanly(r, dir, ['fast.yaml']);
      expect(r.stderr).toMatch(STOPPED);
      // ~8 s alone on the 2-core machine; more when the suite loads it.
      expect(r.ms).toBeLessThan(60_000);
    }
    expect(runs[1].stderr).toBe(runs[0].stderr);
  }, 180_000);

  it('brokers at 1 B/s and 1M records/s: stopped too, naming the producer', () => {
    const slow = folder('stopped-slow', { 'slow.yaml': scenario({ name: 'slow', rate: '1M/s', brokers: '{ max-bytes-in-per-second: 1 }' }) });
    const r = sim(['slow.yaml'], slow);
    refusedCleanly(r, slow, ['slow.yaml']);
    expect(r.stderr).toMatch(/^sim: expected a run that fits in memory: at [\d.]+ s of simulated time [\d.]+M callers were blocked in send\(\), as many as a run may hold \(512 MiB\), and more were arriving at producer web: at its rate \(1M records\/s\) up to 60M callers could wait at once/);
    expect(r.ms).toBeLessThan(60_000);
  }, 120_000);

  it('in a study, through the worker pool: the run named, exit 2, no report', () => {
    const study = folder('study', {
      'fast.yaml': scenario({ name: 'fast', rate: '1e9/s', ...UNBOUNDED }),
      'small.yaml': scenario({ name: 'small', rate: '1k/s' }),
    });
    const r = sim(['compare', 'fast.yaml', 'small.yaml', '--jobs', '2'], study);
    refusedCleanly(r, study, ['fast.yaml', 'small.yaml']);
    expect(r.stderr).toMatch(/^sim: run fast \(replication 1 of 1, seed 1\): expected a run that fits in memory: at /);
  }, 120_000);
});

describe('a scenario that blocks moderately', () => {
  // 100k/s x 500 B against 40 MB/s: 20k callers a second more than are served, each waiting up
  // to 200 ms, so ~4,000 wait at once; then 10 s without records for the buffer to drain. 2.5M
  // records, enough for a producer thread.
  const text = `name: moderate
seed: 4
duration: 35s
brokers: { count: 1, max-bytes-in-per-second: 40MB }
topics: [{ name: t, partitions: 4 }]
producers:
  - name: web
    topic: t
    rate: { phases: [{ for: 25s, rate: 100k/s }, { rate: 0/s }] }
    record-size: 500B
    config: { buffer.memory: 2MiB, max.block.ms: 200, acks: 1 }
consumer-groups: [{ name: g, topic: t, instances: 2 }]
`;

  it('runs, its books balanced (appended + buffer-exhausted = offered), the same bytes with the producer thread on and off', () => {
    const dir = folder('moderate', { 'moderate.yaml': text });
    const outputs = (['on', 'off'] as const).map((thread) => {
      const r = sim(['moderate.yaml', '--quiet', '--jobs', '2', '--out', `out-${thread}`], dir, { LAGSIM_PRODUCER_THREAD: thread });
      expect(r.code, r.stderr).toBe(0);
      const out = path.join(dir, `out-${thread}`);
      return Object.fromEntries(readdirSync(out).sort().map((f) => [f, readFileSync(path.join(out, f))]));
    });
    expect(Object.keys(outputs[1])).toEqual(Object.keys(outputs[0]));
    for (const f of Object.keys(outputs[0])) expect(outputs[1][f].equals(outputs[0][f]), f).toBe(true);
    const a = JSON.parse(outputs[0]['summary.json'].toString()).summary.accounting;
    expect(a.rejected['buffer-exhausted']).toBeGreaterThan(100_000);
    expect(a.inProducer).toBe(0);
    expect(a.appended + a.rejected['buffer-exhausted']).toBe(a.offered);
  }, 180_000);
});

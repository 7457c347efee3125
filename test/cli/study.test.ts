/**
 * `sim` with overrides, variants, replications and objective checks, as a user runs it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { usageLine } from '../../src/cli/study.js';
import { replicationsRefusal } from '../../src/study/messages.js';

const root = path.resolve(import.meta.dirname, '../..');
const simBin = path.join(root, 'bin/sim.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lagsim-cli-study-'));

function sim(args: string[]) {
  const p = spawnSync(process.execPath, [simBin, ...args], { cwd: tmp, encoding: 'utf8', env: { ...process.env, LAGSIM_DEBUG: '' } });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}

const SMALL = `name: small
seed: 5
duration: 20s
topics: [{ name: t, partitions: 4 }]
producers: [{ name: p, topic: t, rate: 2k/s, keys: { dist: uniform, count: 100 } }]
consumer-groups:
  - { name: g, topic: t, instances: 2, processing: { per-record: 300us } }
`;

const OBJECTIVES = `objectives:
  latency: { p99: 1s }
  lost: 0
variants:
  baseline:
  slow: { consumer-groups.g.processing.per-record: 2ms }
`;

function write(name: string, text: string): string {
  const f = path.join(tmp, name);
  writeFileSync(f, text);
  return f;
}

const summaryOf = (dir: string) => JSON.parse(readFileSync(path.join(tmp, dir, 'summary.json'), 'utf8'));

describe('sim --set and --variant', () => {
  const plain = write('small.yaml', SMALL);
  const slo = write('slo.yaml', SMALL + OBJECTIVES);

  it('--set changes a field; summary.json says which', () => {
    const r = sim([plain, '--set', 'topics.0.partitions=8', '--set', 'consumer-groups.g.instances=4', '--out', 'set']);
    expect(r.code).toBe(0);
    const s = summaryOf('set');
    expect(s.topology.topics.t.partitions).toBe(8);
    expect(s.topology.groups.g.instances).toBe(4);
    expect(s.overrides).toEqual(['topics.0.partitions=8', 'consumer-groups.g.instances=4']);
  }, 60_000);

  it('a wrong --set or --variant is an input error: exit 2, named, nothing written, no stack', () => {
    const r = sim([slo, '--set', 'consumer-groups.0.instances=0', '--set', 'consumer-group.0.instances=3', '--variant', 'slw', '--out', 'never']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--set consumer-groups.0.instances=0: consumer-groups[0].instances: expected a number > 0, got 0');
    expect(r.stderr).toContain('--set consumer-group.0.instances=3: unknown key "consumer-group" (did you mean "consumer-groups"?)');
    expect(r.stderr).toContain(`--variant slw: unknown variant "slw" (did you mean "slow"?); the scenario's variants: baseline, slow`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(tmp, 'never'))).toBe(false);
  });

  it('a variant runs into reports/<name>.<variant>/ by default', () => {
    const r = sim([slo, '--variant', 'slow', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(summaryOf(path.join('reports', 'small.slow')).variant).toBe('slow');
  }, 60_000);
});

describe('sim --replications', () => {
  const plain = path.join(tmp, 'small.yaml');

  it('with 1 is the plain run, byte for byte', () => {
    writeFileSync(plain, SMALL);
    expect(sim([plain, '--out', 'one']).code).toBe(0);
    expect(sim([plain, '--out', 'one-rep', '--replications', '1']).code).toBe(0);
    for (const f of ['summary.json', 'report.md', 'timeseries.csv', 'partition-lag.csv']) {
      expect(readFileSync(path.join(tmp, 'one-rep', f)).equals(readFileSync(path.join(tmp, 'one', f))), f).toBe(true);
    }
  }, 60_000);

  it('with 3 writes seeds and estimates to summary.json and means with intervals to stdout', () => {
    const r = sim([plain, '--out', 'three', '--replications', '3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/3 replications, seeds 5, \d+, \d+/);
    expect(r.stdout).toMatch(/mean of 3 runs \[95% CI\]/);
    const s = summaryOf('three');
    expect(s.replications.n).toBe(3);
    expect(s.replications.seeds[0]).toBe(5);
    expect(s.replications.estimates['groups.g.lag.peakRecords'].n).toBe(3);
    // The report's own figures are the first run's: that of the plain run.
    expect(s.summary).toEqual(summaryOf('one').summary);
  }, 60_000);

  it('runs replications on the worker pool with the same output as one after the other (--jobs 1)', () => {
    expect(sim([plain, '--out', 'pool', '--replications', '3', '--jobs', '2']).code).toBe(0);
    expect(sim([plain, '--out', 'serial', '--replications', '3', '--jobs', '1']).code).toBe(0);
    for (const f of ['summary.json', 'report.md', 'timeseries.csv', 'partition-lag.csv', 'lag-records.svg']) {
      expect(readFileSync(path.join(tmp, 'pool', f)).equals(readFileSync(path.join(tmp, 'serial', f))), f).toBe(true);
    }
  }, 120_000);

  it('a single run with its producers on their own thread (the default with 2 cores) writes what --jobs 1 writes', () => {
    // 3M records, past the size from which a single run takes a producer thread.
    const big = write('big.yaml', SMALL.replace('name: small', 'name: big\nfidelity: batched').replace('duration: 20s', 'duration: 15s').replace('rate: 2k/s', 'rate: 200k/s'));
    expect(sim([big, '--out', 'threaded', '--jobs', '2']).code).toBe(0);
    expect(sim([big, '--out', 'inline', '--jobs', '1']).code).toBe(0);
    for (const f of ['summary.json', 'report.md', 'timeseries.csv', 'partition-lag.csv', 'lag-records.svg']) {
      expect(readFileSync(path.join(tmp, 'threaded', f)).equals(readFileSync(path.join(tmp, 'inline', f))), f).toBe(true);
    }
  }, 120_000);

  it('refuses --jobs that is not a whole number >= 1', () => {
    for (const n of ['0', '1.5']) {
      const r = sim([plain, '--jobs', n, '--out', 'never']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--jobs: expected an integer >= 1/);
    }
    expect(existsSync(path.join(tmp, 'never'))).toBe(false);
  }, 60_000);

  it('refuses a count that is not a whole number >= 1', () => {
    for (const n of ['0', '1.5', '-2']) {
      const r = sim([plain, '--replications', n, '--out', 'never']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`sim: ${replicationsRefusal(Number(n))}\n`);
    }
    expect(existsSync(path.join(tmp, 'never'))).toBe(false);
  }, 60_000);
});

describe('sim --check', () => {
  it('exits 0 when every objective holds, printing each verdict', () => {
    const r = sim([write('ok.yaml', SMALL + OBJECTIVES), '--check', '--out', 'ok']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/objectives: 2 of 2 met/);
    expect(r.stdout).toMatch(/latency p99 <= 1s\s+\S+ ms\s+\S+ ms\s+PASS\s+single run/);
    expect(r.stdout).toMatch(/records lost or rejected <= 0\s+0\s+0\s+PASS/);
    expect(summaryOf('ok').objectives).toHaveLength(2);
  }, 60_000);

  it('exits 1 when one fails, after writing the report', () => {
    const r = sim([write('fail.yaml', SMALL + OBJECTIVES), '--check', '--variant', 'slow', '--out', 'fail', '--replications', '2']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/objectives: 1 of 2 met/);
    expect(r.stdout).toMatch(/latency p99 <= 1s .*FAIL\s+fails/);
    // And on stderr, which failed and by how much (the mean of the two runs, with its interval).
    expect(r.stderr).toMatch(/^sim: --check: 1 of 2 objectives failed\n {2}latency p99 <= 1s: mean [^[]+ \[95% CI [^,]+, [^\]]+\], .+ over the bound \(1 s\)\n$/);
    const verdicts = summaryOf('fail').objectives;
    expect(verdicts[0]).toMatchObject({ objective: 'latency p99 <= 1s', pass: false, confidence: 'fails' });
    expect(verdicts[0].interval).toBeDefined();
  }, 60_000);

  it('without --check a failing objective is reported but the exit code is 0', () => {
    const r = sim([path.join(tmp, 'fail.yaml'), '--variant', 'slow', '--out', 'fail-nocheck']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/FAIL/);
  }, 60_000);

  it('says there is nothing to check when the scenario has no objectives', () => {
    const r = sim([write('none.yaml', SMALL), '--check', '--out', 'none']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/objectives: none in the scenario, nothing to check/);
    expect(summaryOf('none').objectives).toBeUndefined();
  }, 60_000);
});

describe('sim --help', () => {
  it('lists the new options', () => {
    const h = sim(['--help']);
    for (const o of ['--set', '--variant', '--replications', '--check', '--junit']) expect(h.stdout).toContain(o);
  }, 60_000);
});

describe('usageLine (stderr after a study)', () => {
  const pool = (size: number, usage: { runs: number; runMs: number; wallMs: number }) => ({ size, usage, each: async () => {}, run: async () => [], close: async () => {} });
  it("gives the runs' own time as a share of the workers' wall time", () => {
    expect(usageLine(pool(2, { runs: 6, runMs: 41_000, wallMs: 22_000 }))).toBe("6 runs on 2 workers in 22.0 s; the simulations took 41.0 s in all: 93% of the workers' time\n");
    expect(usageLine(pool(4, { runs: 1, runMs: 5_000, wallMs: 5_100 }))).toBe("1 run on 4 workers in 5.1 s; the simulations took 5.0 s in all: 25% of the workers' time\n");
    expect(usageLine(pool(1, { runs: 3, runMs: 2_950, wallMs: 3_000 }))).toBe('3 runs one after another in 3.0 s (the simulations themselves: 3.0 s)\n');
  });
});

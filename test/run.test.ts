/**
 * The library runs the same phases as `sim` (src/run.ts): a program that loads, runs, judges and
 * reports a scenario gets the very files the command writes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge, load, parse, replicate, report, run, runFile } from '../src/index.js';
import { one } from './helpers/one-stage.js';

const root = path.resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lagsim-run-'));

const SMALL = `name: small
seed: 5
duration: 20s
topics: [{ name: t, partitions: 4 }]
producers: [{ name: p, topic: t, rate: 2k/s, keys: { dist: uniform, count: 100 } }]
consumer-groups:
  - { name: g, topic: t, instances: 2, processing: { per-record: 300us } }
objectives:
  latency: { p99: 1s }
  lag: { max-records: 1 }
variants:
  slow: { consumer-groups.g.processing.per-record: 900us }
`;
const file = path.join(tmp, 'small.yaml');
writeFileSync(file, SMALL);

const filesOf = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(path.join(dir, f))]));

describe('the phases of a run, as a library', () => {
  it('load applies --set overrides and variants as sim does', () => {
    expect(load(file, { set: ['consumer-groups.g.instances=3'] })['consumer-groups'][0].instances).toBe(3);
    expect(load(file, { variant: 'slow' })['consumer-groups'][0].processing['per-record']).toEqual({ dist: 'constant', value: 900 });
    expect(parse(SMALL, 'inline.yaml').name).toBe('small');
  });

  it('run, replicate and judge: one seed, several seeds, the objectives on their mean', async () => {
    const scenario = load(file);
    const single = run(scenario);
    expect(one(single).lag.peakRecords).toBeGreaterThan(1);
    const replicated = await replicate(scenario, { replications: 3, jobs: 1 });
    expect(replicated.seeds[0]).toBe(5);
    expect(replicated.runs[0]).toEqual(single);
    const verdicts = judge(scenario, replicated);
    expect(verdicts.map((v) => [v.objective, v.pass])).toEqual([
      ['latency p99 <= 1s', true],
      ['peak lag <= 1 records', false],
    ]);
    expect(verdicts[1].figure).toBe('lag.peakRecords');
  });

  it('writes, byte for byte, the report sim writes', async () => {
    const { verdicts, files } = await runFile(file, { out: path.join(tmp, 'lib') });
    expect(files).toContain('summary.json');
    expect(verdicts).toHaveLength(2);
    const p = spawnSync(process.execPath, [path.join(root, 'bin/sim.js'), file, '--out', path.join(tmp, 'cli'), '--jobs', '1'], { encoding: 'utf8' });
    expect(p.status).toBe(0);
    expect(filesOf(path.join(tmp, 'lib'))).toEqual(filesOf(path.join(tmp, 'cli')));
  }, 60_000);

  it('report writes what writeReport writes for the same result', async () => {
    const r = run(load(file));
    const names = await report(r, path.join(tmp, 'plain'));
    expect([...names].sort()).toEqual(readdirSync(path.join(tmp, 'plain')).sort());
    expect(JSON.parse(readFileSync(path.join(tmp, 'plain', 'summary.json'), 'utf8')).version).toBe(2);
  }, 60_000);
});

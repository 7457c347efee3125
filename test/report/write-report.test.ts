import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReportDirectoryError, writeReport } from '../../src/report/index.js';
import { compileChart } from '../../src/report/render.js';
import { makeRunResult } from './fixture.js';
import { isPng } from './png.js';
import { validateVegaLite } from './vl-schema.js';
import { one } from '../helpers/one-stage.js';

const scratch = await mkdtemp(path.join(tmpdir(), 'lagsim-report-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

const CHARTS = ['lag-records', 'lag-seconds', 'latency', 'throughput', 'partition-lag-heatmap', 'group', 'producer', 'losses', 'services'];

// A report is nine charts, their PNGs and a page; on a loaded 2-core machine that can take seconds.
describe('writeReport', { timeout: 60_000 }, async () => {
  const result = makeRunResult();
  const first = path.join(scratch, 'first');
  const names = await writeReport(result, first);

  it('writes and lists every file', async () => {
    const expected = [
      'report.md',
      'report.html',
      'summary.json',
      'timeseries.csv',
      'partition-lag.csv',
      ...CHARTS.flatMap((c) => [`${c}.svg`, `${c}.png`, `${c}.vl.json`]),
    ];
    expect(names).toEqual(expected);
    expect((await readdir(first)).sort()).toEqual([...expected].sort());
  });

  it('writes charts as SVG, PNG and a Vega-Lite spec with its data inline', async () => {
    for (const chart of CHARTS) {
      expect(await readFile(path.join(first, `${chart}.svg`), 'utf8')).toMatch(/^<svg /);
      expect(isPng(await readFile(path.join(first, `${chart}.png`)))).toBe(true);
      const text = await readFile(path.join(first, `${chart}.vl.json`), 'utf8');
      expect(text.endsWith('}\n')).toBe(true);
      expect(text).toContain('\n  "title": {');
      const spec = JSON.parse(text);
      expect(spec.$schema).toMatch(/vega-lite\/v6/);
      expect(validateVegaLite(spec)).toEqual([]);
      expect(compileChart(spec).warnings).toEqual([]);
      expect(text).toContain('"values": [');
    }
  });

  it('writes summary.json: version, scenario, topology and summary, keys sorted, two-space indent, final newline', async () => {
    const text = await readFile(path.join(first, 'summary.json'), 'utf8');
    const json = JSON.parse(text);
    expect(json).toEqual({ version: 2, scenario: result.scenario, topology: result.topology, summary: result.summary });
    expect(Object.keys(json)).toEqual(['scenario', 'summary', 'topology', 'version']);
    expect(Object.keys(json.summary)).toEqual([...Object.keys(json.summary)].sort());
    expect(Object.keys(json.summary.accounting)).toEqual([...Object.keys(json.summary.accounting)].sort());
    expect(text).toMatch(/^\{\n  "scenario": \{\n    "description": /);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('gives byte-identical files on a second run', async () => {
    const second = path.join(scratch, 'second');
    await writeReport(makeRunResult(), second);
    for (const name of names) {
      const a = await readFile(path.join(first, name));
      const b = await readFile(path.join(second, name));
      expect(Buffer.compare(a, b), name).toBe(0);
    }
  });

  it('replaces an earlier report, leaving no stale files and no temporary directories', async () => {
    const dir = path.join(scratch, 'replace');
    await writeReport(result, dir);
    await writeFile(path.join(dir, 'stale.txt'), 'from before');
    const without = await writeReport(makeRunResult({ services: [] }), dir);
    expect((await readdir(dir)).sort()).toEqual([...without].sort());
    expect(without).not.toContain('services.svg');
    expect((await readdir(scratch)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('creates missing parent directories and writes into an existing empty directory', async () => {
    const nested = path.join(scratch, 'a', 'b', 'report');
    await writeReport(result, nested);
    expect(await readdir(nested)).toContain('report.md');
    const empty = path.join(scratch, 'empty');
    await mkdir(empty);
    await writeReport(result, empty);
    expect(await readdir(empty)).toContain('report.md');
  });

  it('refuses to replace a directory that is not an earlier report, and leaves it alone', async () => {
    const precious = path.join(scratch, 'precious');
    await mkdir(precious);
    await writeFile(path.join(precious, 'notes.txt'), 'keep me');
    await expect(writeReport(result, precious)).rejects.toBeInstanceOf(ReportDirectoryError);
    expect(await readdir(precious)).toEqual(['notes.txt']);
    const file = path.join(scratch, 'a-file');
    await writeFile(file, 'x');
    await expect(writeReport(result, file)).rejects.toThrow(/not a directory/);
  });

  it('handles a pipeline with no events, no services and a short run (time in seconds)', async () => {
    const short = makeRunResult({ durationSeconds: 120, sampleIntervalSeconds: 0.5, services: [], events: [] });
    const dir = path.join(scratch, 'short');
    const written = await writeReport(short, dir);
    expect(written).not.toContain('services.png');
    expect(await readFile(path.join(dir, 'lag-records.svg'), 'utf8')).toContain('time (s)');
    expect(await readFile(path.join(dir, 'report.md'), 'utf8')).not.toContain('## Events');
  });

  it('handles a run where no record completed (all latencies null)', async () => {
    const idle = makeRunResult({ services: [] });
    for (const key of ['latencyP50', 'latencyP95', 'latencyP99', 'latencyMax'] as const) {
      idle.series.endToEnd[key] = idle.series.endToEnd[key].map(() => null);
    }
    idle.summary.endToEnd.latency = { count: 0, meanMs: null, p50Ms: null, p95Ms: null, p99Ms: null, p999Ms: null, maxMs: null };
    const dir = path.join(scratch, 'idle');
    await writeReport(idle, dir);
    expect(await readFile(path.join(dir, 'report.md'), 'utf8')).toContain('| End-to-end latency p99 | n/a |');
  });
});

/**
 * A run's report when the run was studied: objectives with verdicts, replications with their
 * estimates, and charts that draw the median with a 5th-95th percentile band.
 */
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/index.js';
import { ALERT_NOTE } from '../../src/report/tables.js';
import type { StagedFile } from '../../src/report/atomic.js';
import { makeRunResult } from './fixture.js';
import { makeVariant, verdict } from './study-fixture.js';
import { validateVegaLite } from './vl-schema.js';

const text = (files: StagedFile[], name: string) => {
  const f = files.find((x) => x.name === name);
  if (f === undefined) throw new Error(`no ${name}`);
  const { content } = f;
  if (typeof content === 'string') return content;
  return content instanceof Uint8Array ? Buffer.from(content).toString('utf8') : [...content].join('');
};

interface AreaLayer {
  mark: { type: string };
  data: { values: { series: string; low: number; high: number; [k: string]: unknown }[] };
}

const areas = (files: StagedFile[], chart: string): AreaLayer[] =>
  (JSON.parse(text(files, `${chart}.vl.json`)).layer as AreaLayer[]).filter((l) => l.mark?.type === 'area');

describe("a run's report with its study", { timeout: 60_000 }, () => {
  it('says a plain run is one seed, and has no objectives, replications or bands', async () => {
    const files = await renderReport(makeRunResult());
    const md = text(files, 'report.md');
    expect(md).toContain('Single run (one seed); no confidence interval.');
    expect(md).not.toContain('## Objectives');
    expect(md).not.toContain('## Replications');
    for (const chart of ['lag-records', 'lag-seconds', 'latency', 'throughput']) expect(areas(files, chart)).toEqual([]);
  });

  it('gives each objective its measured value, bound, margin and verdict, in report.md and report.html', async () => {
    const failing = verdict();
    const passing = verdict({ objective: 'records lost or rejected <= 0', figure: 'accounting.lostOrRejected', bound: 0, measured: 0, unit: 'records', margin: 0, pass: true });
    const files = await renderReport(makeRunResult(), { verdicts: [failing, passing] });
    const md = text(files, 'report.md');
    const section = md.slice(md.indexOf('## Objectives'));
    expect(section).toContain('| latency p99 &lt;= 5s | 8.12 s | ≤ 5 s | −3.12 s | FAIL | single run |');
    expect(section).toContain('| records lost or rejected &lt;= 0 | 0 records | ≤ 0 records | 0 records | pass | single run |');
    const html = text(files, 'report.html');
    expect(html).toContain('<h2>Objectives</h2>');
    expect(html).toContain('FAIL');
    // No objective with a series: no alert columns, no note about them.
    expect(section).toContain('| Objective | Measured | Bound | Margin | Result | Confidence |');
    expect(md).not.toContain(ALERT_NOTE);
  });

  it('adds when a lag or per-window objective first crossed its bound and the time above it, when one has them', async () => {
    const latency = verdict();
    const lag = verdict({
      objective: 'payment: peak lag <= 1k records',
      figure: 'groups.payment.lag.peakRecords',
      bound: 1000,
      measured: 3001,
      unit: 'records',
      margin: -2001,
      alert: { firstCrossedSeconds: 20, secondsAbove: 41 },
    });
    const never = verdict({ objective: 'billing: peak lag <= 1k records', bound: 1000, measured: 0, unit: 'records', margin: 1000, pass: true, alert: { firstCrossedSeconds: null, secondsAbove: 0 } });
    const files = await renderReport(makeRunResult(), { verdicts: [latency, lag, never] });
    const section = text(files, 'report.md').slice(text(files, 'report.md').indexOf('## Objectives'));
    expect(section).toContain('| Objective | Measured | Bound | Margin | First crossed | Time above | Result | Confidence |');
    expect(section).toContain('| latency p99 &lt;= 5s | 8.12 s | ≤ 5 s | −3.12 s | – | – | FAIL | single run |');
    expect(section).toContain('| payment: peak lag &lt;= 1k records | 3k records | ≤ 1k records | −2k records | at 20 s | 41 s | FAIL | single run |');
    expect(section).toContain('| billing: peak lag &lt;= 1k records | 0 records | ≤ 1k records | 1k records | never | 0 s | pass | single run |');
    expect(section).toContain(ALERT_NOTE);
    expect(text(files, 'report.html')).toContain('First crossed');
  });

  it('with replications: names the seeds, tabulates the estimates, and bands the lines with the 5th-95th percentile', async () => {
    const replicated = makeVariant('x', { runs: 3 }).result;
    const files = await renderReport(replicated.median, { replicated });
    const md = text(files, 'report.md');
    expect(md).toContain(`3 runs (seeds ${replicated.seeds.join(', ')})`);
    expect(md).not.toContain('Single run');
    const estimates = md.slice(md.indexOf('## Replications'));
    const peak = replicated.estimates['groups.order-processor.lag.peakRecords'];
    expect(estimates).toMatch(/\| Peak group lag \(records\) \| [^|]+ \[[^|]+, [^|]+\] \|/);
    expect(peak.low).toBeLessThan(peak.high);

    // The band rows are the aggregate's bands at the same windows, in the lines' names.
    const time = replicated.median.time;
    const [lag] = areas(files, 'lag-records');
    expect(new Set(lag.data.values.map((r) => r.series))).toEqual(new Set(['group lag (all partitions)', 'max partition lag']));
    const group = lag.data.values.filter((r) => r.series === 'group lag (all partitions)');
    expect(group.length).toBeGreaterThan(10);
    let matched = 0;
    for (const row of group) {
      // x is seconds (time_s) or minutes (time_min), rounded to 7 significant digits.
      const x = row.time_s !== undefined ? (row.time_s as number) : (row.time_min as number) * 60;
      const i = time.findIndex((t) => Math.abs(t - x) <= 1e-6 * Math.max(1, t));
      expect(i, `window at ${x} s`).toBeGreaterThanOrEqual(0);
      expect(row.low).toBeLessThanOrEqual(row.high);
      // Charts keep 7 significant digits.
      const low = replicated.bands['groups.order-processor.lag'].low[i] as number;
      const high = replicated.bands['groups.order-processor.lag'].high[i] as number;
      expect(Math.abs(row.low - low)).toBeLessThanOrEqual(1e-6 * Math.abs(low));
      expect(Math.abs(row.high - high)).toBeLessThanOrEqual(1e-6 * Math.abs(high));
      matched++;
    }
    expect(matched).toBe(group.length);
    // Latency bands only p99 (a log axis would drown in three); throughput only processed.
    expect(new Set(areas(files, 'latency')[0].data.values.map((r) => r.series))).toEqual(new Set(['p99']));
    expect(new Set(areas(files, 'throughput')[0].data.values.map((r) => r.series))).toEqual(new Set(['processed']));
    expect(text(files, 'lag-records.svg')).toContain('median of 3 runs');
    for (const f of files.filter((x) => x.name.endsWith('.vl.json'))) expect(validateVegaLite(JSON.parse(text(files, f.name))), f.name).toEqual([]);
  });
});

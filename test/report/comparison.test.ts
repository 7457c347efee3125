import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildComparisonCharts, VARIANT_PALETTE } from '../../src/report/comparison-charts.js';
import { gridHeatmapChart } from '../../src/report/grid-charts.js';
import { renderComparison, writeComparison } from '../../src/report/comparison.js';
import { figureAt, formatDelta } from '../../src/report/tables.js';
import { renderGridHeatmap } from '../../src/report/index.js';
import { compileChart, renderSvg } from '../../src/report/render.js';
import { makeRunResult } from './fixture.js';
import { isPng } from './png.js';
import { makeVariant, verdict } from './study-fixture.js';
import { validateVegaLite } from './vl-schema.js';

type Json = Record<string, unknown>;

const scratch = await mkdtemp(path.join(tmpdir(), 'lagsim-comparison-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

const variants = [
  makeVariant('8 consumers', { verdicts: [verdict()] }),
  makeVariant('16 consumers', {
    runs: 5,
    lag: 0.5,
    overrides: ['consumers=16'],
    verdicts: [verdict({ measured: 4061, margin: 939, pass: true, confidence: 'on-average', interval: { low: 3858, high: 5200 } })],
  }),
  makeVariant('<b>16</b> | small polls', {
    runs: 3,
    lag: 0.3,
    overrides: ['consumers=16', 'max.poll.records=100'],
    verdicts: [verdict({ measured: 2437, margin: 2563, pass: true, confidence: 'holds', interval: { low: 2315, high: 2559 } })],
  }),
];

function units(spec: unknown): Json[] {
  const s = spec as Json;
  const children = [...((s.layer as Json[]) ?? []), ...((s.vconcat as Json[]) ?? [])];
  return children.length === 0 ? [s] : children.flatMap(units);
}

describe('comparison charts', () => {
  const charts = buildComparisonCharts(variants);

  it('are valid Vega-Lite, compile and draw without warnings', async () => {
    for (const chart of charts) {
      expect(validateVegaLite(JSON.parse(JSON.stringify(chart.spec))), chart.name).toEqual([]);
      const { vega, warnings } = compileChart(chart.spec);
      expect(warnings, chart.name).toEqual([]);
      expect((await renderSvg(vega)).warnings, chart.name).toEqual([]);
    }
  });

  it('give each variant the same colour in every chart, by its position', () => {
    for (const chart of charts.filter((c) => c.name !== 'partition-lag-heatmaps')) {
      const line = units(chart.spec).find((u) => (u.mark as Json).type === 'line')!;
      const scale = ((line.encoding as Json).color as Json).scale as { domain: string[]; range: string[] };
      expect(scale.domain, chart.name).toEqual(variants.map((v) => v.label));
      expect(scale.range, chart.name).toEqual(VARIANT_PALETTE.slice(0, 3));
    }
  });

  it('draw the 5th-95th percentile band only for variants with more than one run', () => {
    const lag = charts.find((c) => c.name === 'lag-records')!;
    const area = units(lag.spec).find((u) => (u.mark as Json).type === 'area')!;
    const rows = (area.data as Json).values as Json[];
    expect(new Set(rows.map((r) => r.variant))).toEqual(new Set(['16 consumers', '<b>16</b> | small polls']));
    const single = buildComparisonCharts([makeVariant('a'), makeVariant('b', { lag: 2 })]);
    expect(units(single[0].spec).some((u) => (u.mark as Json).type === 'area')).toBe(false);
  });

  it('leave out series that are zero in every variant', () => {
    const names = buildComparisonCharts([makeVariant('a', { group: 'quiet' })]).map((c) => c.name);
    expect(names).not.toContain('paused-partitions');
    expect(names).not.toContain('producer-buffer');
    expect(names).toContain('lag-records');
    expect(names[names.length - 1]).toBe('partition-lag-heatmaps');
  });

  it('put one heat map per variant on one colour scale', () => {
    const heatmaps = charts.find((c) => c.name === 'partition-lag-heatmaps')!;
    const panels = (heatmaps.spec as unknown as Json).vconcat as Json[];
    expect(panels.length).toBe(3);
    const domains = panels.map((p) => JSON.stringify((((p.encoding as Json).color as Json).scale as Json).domain));
    expect(new Set(domains).size).toBe(1);
    expect(((heatmaps.spec as unknown as Json).resolve as Json).scale).toEqual({ color: 'shared', y: 'independent' });
  });
});

describe('writeComparison', { timeout: 120_000 }, async () => {
  const dir = path.join(scratch, 'compare');
  const names = await writeComparison(dir, variants, { title: 'More consumers or smaller polls?' });
  const md = await readFile(path.join(dir, 'report.md'), 'utf8');

  it('writes report.md, report.html, summary.json, comparison.csv and every chart in three formats', async () => {
    expect(names.slice(0, 4)).toEqual(['report.md', 'report.html', 'summary.json', 'comparison.csv']);
    for (const chart of buildComparisonCharts(variants)) {
      expect(names).toContain(`${chart.name}.svg`);
      expect(isPng(await readFile(path.join(dir, `${chart.name}.png`)))).toBe(true);
      expect(names).toContain(`${chart.name}.vl.json`);
    }
    expect((await readdir(dir)).sort()).toEqual([...names].sort());
  });

  it('puts the summaries side by side with deltas against the first variant', () => {
    expect(md).toContain('| Measure | 8 consumers | 16 consumers (Δ vs 8 consumers) |');
    expect(md).toMatch(/\| Peak group lag \(records\) \| 11\.3M \| [\d.]+M \(−[\d.]+M, −[\d.]+%\) \|/);
    expect(md).toContain('| Rebalances | 2 | 2 (same) |');
  });

  it('gives estimates with 95% intervals, and says "1 run" for a single run', () => {
    expect(md).toContain('| Measure | 8 consumers (1 run) | 16 consumers (5 runs) |');
    expect(md).toMatch(/\| End-to-end latency p99 \| 8\.12 s, 1 run \| [\d.]+ s \[[\d.]+ s, [\d.]+ s\] \|/);
  });

  it('judges objectives with the confidence wording', () => {
    expect(md).toContain('| latency p99 &lt;= 5s | 8 consumers | 8.12 s | ≤ 5 s | −3.12 s | FAIL | single run |');
    expect(md).toContain('| 4.06 s [3.86 s, 5.2 s] | ≤ 5 s | 939 ms | pass | only on average |');
    expect(md).toContain('| pass | holds with 95% confidence |');
  });

  it('escapes variant labels in report.md and report.html', async () => {
    expect(md).toContain('&lt;b>16&lt;/b> \\| small polls');
    const html = await readFile(path.join(dir, 'report.html'), 'utf8');
    expect(html).not.toContain('<b>16</b>');
    expect(html).toContain('&lt;b&gt;16&lt;/b&gt; | small polls');
    expect(html).toContain('<td class="fail">FAIL</td>');
  });

  it('writes every figure with its interval to comparison.csv and summary.json', async () => {
    const csv = (await readFile(path.join(dir, 'comparison.csv'), 'utf8')).split('\n');
    expect(csv[0]).toBe('variant,figure,runs,mean,sd,low,high');
    // Figures are named by their v2 path, the path an objective or a sweep metric can use.
    expect(csv).toContain(`8 consumers,endToEnd.latency.p99Ms,1,8123.4,0,8123.4,8123.4`);
    expect(csv.some((l) => l.startsWith('16 consumers,groups.order-processor.lag.peakRecords,5,'))).toBe(true);
    const json = JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8'));
    expect(json.baseline).toBe('8 consumers');
    expect(json.variants.map((v: Json) => v.runs)).toEqual([1, 5, 3]);
  });

  it('is byte-identical for the same input', async () => {
    const again = await renderComparison(variants, { title: 'More consumers or smaller polls?' });
    for (const file of again) {
      expect(Buffer.compare(Buffer.from(file.content), await readFile(path.join(dir, file.name))), file.name).toBe(0);
    }
  });
});

describe('comparison objectives with alert figures', () => {
  it('add first crossing and time above after the margin, the earliest run and the mean with replications', async () => {
    const lag = (over: Parameters<typeof verdict>[0]) =>
      verdict({ objective: 'payment: peak lag <= 1k records', figure: 'groups.payment.lag.peakRecords', bound: 1000, unit: 'records', ...over });
    const compared = [
      makeVariant('8 consumers', { verdicts: [verdict(), lag({ measured: 3001, margin: -2001, alert: { firstCrossedSeconds: 20, secondsAbove: 41 } })] }),
      makeVariant('16 consumers', {
        runs: 3,
        verdicts: [verdict(), lag({ measured: 400, margin: 600, pass: true, confidence: 'holds', interval: { low: 300, high: 500 }, alert: { firstCrossedSeconds: null, secondsAbove: 0 } })],
      }),
    ];
    const files = await renderComparison(compared, { title: 'lag' });
    const md = String(files.find((f) => f.name === 'report.md')!.content);
    expect(md).toContain('| Objective | Variant | Measured | Bound | Margin | First crossed (earliest run) | Time above (mean) | Result | Confidence |');
    expect(md).toContain('| payment: peak lag &lt;= 1k records | 8 consumers | 3k records | ≤ 1k records | −2k records | at 20 s | 41 s | FAIL | single run |');
    expect(md).toMatch(/\| payment: peak lag &lt;= 1k records \| 16 consumers \| [^|]+ \| ≤ 1k records \| 600 records \| never \| 0 s \| pass \| holds with 95% confidence \|/);
    expect(md).toContain('| latency p99 &lt;= 5s | 8 consumers | 8.12 s | ≤ 5 s | −3.12 s | – | – | FAIL | single run |');
  });
});

describe('figures and deltas', () => {
  it('reads a summary figure by path, reasons with dots included', () => {
    const { summary } = makeRunResult();
    expect(figureAt(summary, 'endToEnd.latency.p99Ms')).toBe(8123.4);
    expect(figureAt(summary, 'accounting.rejected.buffer full (max.block.ms)')).toBe(512);
    expect(figureAt(summary, 'groups.order-processor.lag.nothing')).toBeNull();
    expect(figureAt(summary, 'latency.p99Ms')).toBeNull();
  });

  it('writes deltas with sign and share of the baseline', () => {
    expect(formatDelta(150, 100, 'count')).toBe('+50, +50%');
    expect(formatDelta(2000, 4000, 'ms')).toBe('\u22122 s, \u221250%');
    expect(formatDelta(5, 0, 'exact')).toBe('+5');
    expect(formatDelta(3, 3, 'exact')).toBe('same');
    expect(formatDelta(null, 3, 'exact')).toBe('n/a');
  });
});

describe('renderGridHeatmap', () => {
  const cells = [4, 8, 16].flatMap((consumers) =>
    [100, 500].map((polls) => ({ x: consumers, y: polls, value: (20_000 / consumers) * (polls / 500), pass: (20_000 / consumers) * (polls / 500) <= 4000 })),
  );

  it('returns the chart as svg, png and vl.json, valid and without warnings', async () => {
    const files = await renderGridHeatmap({ xField: 'consumers', yField: 'max.poll.records', cells, metric: 'latency p99', unit: 'ms', name: 'p99-grid' });
    expect(files.map((f) => f.name)).toEqual(['p99-grid.svg', 'p99-grid.png', 'p99-grid.vl.json']);
    const spec = JSON.parse(String(files[2].content));
    expect(validateVegaLite(spec)).toEqual([]);
    expect(compileChart(spec).warnings).toEqual([]);
    const svg = String(files[0].content);
    // One unit for the whole chart, chosen from the data (up to 5 s: seconds), in the legend and every cell.
    for (const text of ['consumers', 'max.poll.records', '5 s ✗', '1 s ✓', '0.25 s ✓', 'latency p99 (s)']) expect(svg).toContain(text);
    expect(svg).not.toContain('250 ms');
  });

  it('keeps numeric axes in ascending order and labels in the order given', () => {
    const shuffled = [...cells].reverse();
    const spec = gridHeatmapChart({ xField: 'consumers', yField: 'max.poll.records', cells: shuffled, metric: 'latency p99', unit: 'ms' }).spec;
    const x = (units(spec)[0].encoding as Json).x as Json;
    expect(x.sort).toEqual(['4', '8', '16']);
    const named = gridHeatmapChart({
      xField: 'assignor',
      yField: 'protocol',
      cells: [
        { x: 'range', y: 'eager', value: 3 },
        { x: 'sticky', y: 'eager', value: 2 },
        { x: 'range', y: 'cooperative', value: null },
      ],
      metric: 'rebalances',
      unit: '',
      better: 'low',
    });
    expect(((units(named.spec)[0].encoding as Json).x as Json).sort).toEqual(['range', 'sticky']);
    expect(JSON.stringify(named.spec)).not.toContain('✗');
  });
});

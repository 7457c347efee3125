/**
 * A sweep's charts (grid-charts.ts): a one-knob sweep is a line with its objective's bound, a
 * two-knob sweep a heat map; titles and units in words, one unit per chart in the legend or axis
 * and in every cell; cells with no value hatched with their reason in the legend, never "n/a";
 * valid Vega-Lite with no warnings, and the same bytes every time.
 */
import { describe, expect, it } from 'vitest';
import { displayUnit, gridChart, gridHeatmapChart, gridLineChart, gridVerdictsChart, type GridCell } from '../../src/report/grid-charts.js';
import { figureHeader, figureWords, objectiveWords, whyNoValue } from '../../src/report/figure-words.js';
import type { Summary, Topology } from '../../src/metrics/result.js';
import { chartFiles, compileChart, renderSvg } from '../../src/report/render.js';
import type { Chart } from '../../src/report/charts.js';
import { validateVegaLite } from './vl-schema.js';

type Json = Record<string, unknown>;

function layers(chart: Chart): Json[] {
  return (chart.spec as unknown as { layer: Json[] }).layer;
}
const markOf = (layer: Json) => (typeof layer.mark === 'string' ? layer.mark : (layer.mark as Json).type);
const rowsOf = (chart: Chart) => (chart.spec as unknown as { data: { values: Json[] } }).data.values;

async function svgOf(chart: Chart): Promise<string> {
  expect(validateVegaLite(JSON.parse(JSON.stringify(chart.spec))), chart.name).toEqual([]);
  const compiled = compileChart(chart.spec);
  expect(compiled.warnings, chart.name).toEqual([]);
  const { svg, warnings } = await renderSvg(compiled.vega);
  expect(warnings, chart.name).toEqual([]);
  return svg;
}

// A flash-sale sweep over consumers: p99 from 17 min down to 3 s, against "latency p99 <= 5s".
const p99 = [1_038_090, 866_124, 555_745, 3_120];
const lineCells: GridCell[] = [4, 6, 8, 10].map((x, i) => ({ x: String(x), value: p99[i], pass: p99[i] <= 5000 }));
const bound = { value: 5000, comparison: 'at-most' as const, objective: 'latency p99 <= 5s' };

describe('one-knob sweep: a line with the bound', () => {
  const chart = gridLineChart({ xField: 'instances', cells: lineCells, metric: 'End-to-end latency p99', unit: 'ms', bound, name: 'line-latency.p99Ms', title: 'End-to-end latency p99 by instances' });

  it('is a line of points, not a heat map, titled in words, with the unit of its cells on the axis', () => {
    const marks = layers(chart).map(markOf);
    expect(marks).toContain('line');
    expect(marks).toContain('point');
    expect(marks).not.toContain('rect');
    const spec = chart.spec as unknown as { title: { text: string } };
    expect(spec.title.text).toBe('End-to-end latency p99 by instances');
    expect(JSON.stringify(chart.spec)).not.toContain('latency.p99Ms');
    // Largest value 17.3 min: minutes on the axis and in every label; the values span more than 100x, so log.
    const line = layers(chart).find((l) => markOf(l) === 'line')!;
    const y = (line.encoding as Json).y as Json;
    expect(y.title).toBe('End-to-end latency p99 (min), log scale');
    expect(rowsOf(chart).map((r) => r.label)).toStrictEqual(['17.3 min', '14.4 min', '9.26 min', '0.052 min']);
  });

  it('draws the bound as a rule at its value in the chart unit, labelled with the bound, and colours points by pass or fail', () => {
    const rule = layers(chart).find((l) => markOf(l) === 'rule' && (l.data as Json | undefined) !== undefined)!;
    expect((rule.data as { values: Json[] }).values).toStrictEqual([{ bound: 0.08333333 }]); // 5 s in minutes
    const label = layers(chart).find((l) => markOf(l) === 'text' && (l.data as Json | undefined) !== undefined)!;
    expect((label.data as { values: Json[] }).values[0].text).toBe('bound ≤ 5 s');
    const point = layers(chart).find((l) => markOf(l) === 'point')!;
    const colour = (point.encoding as Json).color as { scale: { domain: string[]; range: string[] } };
    expect(colour.scale.domain).toStrictEqual(['meets latency p99 <= 5s', 'fails latency p99 <= 5s']);
    expect(colour.scale.range).toStrictEqual(['#54a24b', '#d62728']);
    expect(rowsOf(chart).map((r) => r.status)).toStrictEqual(['fails latency p99 <= 5s', 'fails latency p99 <= 5s', 'fails latency p99 <= 5s', 'meets latency p99 <= 5s']);
  });

  it('renders the words: title, axis, bound, legend', async () => {
    const svg = await svgOf(chart);
    for (const text of ['End-to-end latency p99 by instances', 'End-to-end latency p99 (min), log scale', 'bound ≤ 5 s', 'fails latency p99 &lt;= 5s', '17.3 min', 'instances']) {
      expect(svg).toContain(text);
    }
    expect(svg).not.toContain('n/a');
  });

  it('shows a point with no value as a cross on the axis saying why, and breaks the line there', async () => {
    const cells: GridCell[] = [
      { x: 4, value: null, missing: 'never drained', pass: false },
      { x: 6, value: 774, pass: false },
      { x: 8, value: 367, pass: true },
    ];
    const drain = gridLineChart({ xField: 'instances', cells, metric: 'Time to drain (to 10% of peak)', unit: 's', bound: { value: 600, comparison: 'at-most', objective: 'time to drain <= 10m' } });
    const rows = rowsOf(drain);
    expect(rows.map((r) => r.label)).toStrictEqual(['', '12.9 min', '6.12 min']);
    expect(rows.map((r) => r.why)).toStrictEqual(['never drained', '', '']);
    expect(new Set(rows.filter((r) => r.value !== null).map((r) => r.segment)).size).toBe(1);
    const point = layers(drain).find((l) => markOf(l) === 'point')!;
    expect(((point.encoding as Json).color as { scale: { domain: string[] } }).scale.domain).toContain('no value: never drained');
    expect(((point.encoding as Json).y as Json).title).toBe('Time to drain (to 10% of peak), min');
    const svg = await svgOf(drain);
    expect(svg).toContain('no value: never drained');
    expect(svg).not.toContain('n/a');
  });

  it('draws the 95% interval of a replicated mean as a bar, and keeps the pass/fail legend', () => {
    const cells: GridCell[] = [
      { x: 1, value: 3680, low: 3330, high: 4030, pass: false },
      { x: 2, value: 16.7, low: 15.2, high: 18.1, pass: true },
    ];
    const chart = gridLineChart({ xField: 'instances', cells, metric: 'End-to-end latency p99', unit: 'ms', bound: { ...bound, value: 50 }, note: 'mean of 3 runs at each point' });
    const bar = layers(chart).find((l) => markOf(l) === 'rule' && (l.encoding as Json).y2 !== undefined)!;
    expect(bar).toBeDefined();
    expect(rowsOf(chart).map((r) => [r.low, r.high])).toStrictEqual([[3.33, 4.03], [0.0152, 0.0181]]);
    for (const l of layers(chart)) expect(((l.encoding as Json).color as Json | undefined)?.legend, markOf(l) as string).not.toBeNull();
  });

  it('keeps non-numeric knob values in the order given', () => {
    const named = gridLineChart({ xField: 'assignor', cells: ['range', 'sticky', 'cooperative-sticky'].map((x, i) => ({ x, value: 3 - i })), metric: 'Rebalances', unit: '' });
    const x = (layers(named)[0].encoding as Json).x as Json;
    expect([x.type, x.sort]).toStrictEqual(['ordinal', ['range', 'sticky', 'cooperative-sticky']]);
  });
});

describe('two-knob sweep: a heat map', () => {
  const cells: GridCell[] = [4, 8].flatMap((instances) =>
    [0, 5, 20].map((linger) => ({ x: String(linger), y: String(instances), value: instances === 4 ? 1_040_000 + linger * 100 : 555_000, pass: false })),
  );
  cells[0] = { ...cells[0], value: null, missing: 'no record completed' };
  const chart = gridHeatmapChart({ xField: 'linger.ms', yField: 'instances', cells, metric: 'End-to-end latency p99', unit: 'ms', bound, title: 'End-to-end latency p99 by linger.ms and instances' });

  it('is a heat map whose legend is in the unit of its cells, with no value hatched and explained', () => {
    const marks = layers(chart).map(markOf);
    expect(marks).toContain('rect');
    expect(marks).not.toContain('line');
    const colour = (layers(chart)[0].encoding as Json).color as Json;
    expect(colour.title).toBe('End-to-end latency p99 (min)');
    expect(rowsOf(chart).map((r) => r.label)).toStrictEqual(['', '17.3 min ✗', '17.4 min ✗', '9.25 min ✗', '9.25 min ✗', '9.25 min ✗']);
    const hatched = layers(chart).find((l) => (l.encoding as Json).fill !== undefined)!;
    expect(((hatched.encoding as Json).fill as { scale: { domain: string[] } }).scale.domain).toStrictEqual(['no value: no record completed']);
    const outline = layers(chart).find((l) => (l.encoding as Json).stroke !== undefined)!;
    expect(((outline.encoding as Json).stroke as { scale: { domain: string[] } }).scale.domain).toStrictEqual(['✗ fails latency p99 <= 5s']);
  });

  it('renders the words and no "n/a"', async () => {
    const svg = await svgOf(chart);
    for (const text of ['End-to-end latency p99 by linger.ms and instances', 'End-to-end latency p99 (min)', 'no value: no record completed', '✗ fails latency p99 &lt;= 5s', '17.3 min ✗', 'linger.ms']) {
      expect(svg).toContain(text);
    }
    expect(svg).not.toContain('n/a');
    expect(svg).not.toMatch(/\d ms/);
  });

  it('draws the same bytes every time', async () => {
    const [a, b] = [await chartFiles(gridChart({ kind: 'heatmap', xField: 'linger.ms', yField: 'instances', cells, metric: 'p99', unit: 'ms' })), await chartFiles(gridHeatmapChart({ xField: 'linger.ms', yField: 'instances', cells, metric: 'p99', unit: 'ms' }))];
    const files = [await Promise.all(a), await Promise.all(b)];
    expect(files[1]).toStrictEqual(files[0]);
  });
});

describe('verdicts chart', () => {
  it('colours pass and fail cells by category, with their words, not a ramp', async () => {
    const chart = gridVerdictsChart({
      xField: 'instances',
      yField: 'objective',
      title: 'Objectives by instances',
      subtitle: 'single runs',
      cells: [4, 8].flatMap((x) => [
        { x, y: 'latency p99 <= 5s', verdict: 'fail' as const, text: 'fail' },
        { x, y: 'every objective', verdict: x === 4 ? ('fail' as const) : ('pass' as const), text: x === 4 ? 'fails 1 of 1' : 'pass' },
      ]),
    });
    const colour = (layers(chart)[0].encoding as Json).color as Json;
    expect(colour.type).toBe('nominal');
    expect((colour.scale as Json).domain).toStrictEqual(['pass', 'fail']);
    const svg = await svgOf(chart);
    for (const text of ['Objectives by instances', 'latency p99 &lt;= 5s', 'every objective', 'fails 1 of 1']) expect(svg).toContain(text);
    expect(svg).not.toContain('n/a');
  });
});

describe('displayUnit', () => {
  it('chooses one unit from the range of the values', () => {
    expect(displayUnit('ms', [12, 480]).title).toBe('ms');
    expect(displayUnit('ms', [480, 2_500]).title).toBe('s');
    expect(displayUnit('ms', [5_000, 1_038_090]).title).toBe('min');
    expect(displayUnit('s', [90, 9_000]).title).toBe('h');
    expect(displayUnit('bytes', [3 * 1024 ** 2]).title).toBe('MiB');
    const mins = displayUnit('s', [1281.5]);
    expect(mins.text(1281.5 / mins.per)).toBe('21.4 min');
    expect(displayUnit('records', [48_359_090]).text(48_359_090)).toBe('48.4M');
  });
});

describe('figure words', () => {
  const one: Topology = { topics: { orders: { partitions: 48, replicationFactor: 3 } }, groups: { 'order-processor': { topic: 'orders', instances: 8, produces: null } }, services: {}, producers: {} };
  const two: Topology = { ...one, groups: { ...one.groups, audit: { topic: 'orders', instances: 2, produces: null } } };

  it('names a figure by its one-stage or full path in the words of the run report, with its unit', () => {
    expect(figureWords('latency.p99Ms', one)).toStrictEqual({ label: 'End-to-end latency p99', format: 'ms', unit: 'ms' });
    expect(figureWords('endToEnd.latency.p99Ms', one)).toStrictEqual(figureWords('latency.p99Ms', one));
    expect(figureWords('groups.order-processor.lag.peakRecords', one)).toStrictEqual({ label: 'Peak group lag', format: 'count', unit: 'records' });
    expect(figureHeader(figureWords('lag.peakRecords', one))).toBe('Peak group lag (records)');
    expect(figureHeader(figureWords('lag.peakSeconds', one))).toBe('Peak lag in time');
    expect(figureWords('groups.audit.lag.peakRecords', two).label).toBe('audit: peak group lag');
    expect(figureWords('groups.order-processor.maxFetchThrottleMs', one)).toStrictEqual({ label: 'Max fetch throttle', format: 'ms', unit: 'ms' });
  });

  it('says command-line objectives in words and keeps a scenario objective\'s own name', () => {
    expect(objectiveWords({ objective: 'latency.p99Ms <= 50', figure: 'latency.p99Ms', comparison: 'at-most', bound: 50, unit: 'ms' }, one)).toBe('End-to-end latency p99 ≤ 50 ms');
    expect(objectiveWords({ objective: 'accounting.lostOrRejected <= 0', figure: 'accounting.lostOrRejected', comparison: 'at-most', bound: 0, unit: 'records' }, one)).toBe('Records lost or rejected ≤ 0 records');
    expect(objectiveWords({ objective: 'latency p99 <= 5s', figure: 'latency.p99Ms', comparison: 'at-most', bound: 5000, unit: 'ms' }, one)).toBe('latency p99 <= 5s');
  });

  it('says why a figure has no value', () => {
    const summary = (peakRecords: number) => ({ groups: { 'order-processor': { lag: { peakRecords, timeToDrainSeconds: null } } } }) as unknown as Summary;
    expect(whyNoValue('lag.timeToDrainSeconds', summary(1000), one)).toBe('never drained');
    expect(whyNoValue('lag.timeToDrainSeconds', summary(0), one)).toBe('no lag built up');
    expect(whyNoValue('latency.p99Ms', summary(0), one)).toBe('no record completed');
  });
});

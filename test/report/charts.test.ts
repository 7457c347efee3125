import { describe, expect, it } from 'vitest';
import {
  buildCharts,
  mergeShades,
  pausedShades,
  planCharts,
  MAX_HEATMAP_BUCKETS,
  MAX_POINTS_PER_LINE,
  partitionLabels,
  placeEvents,
  QUANTITY_COLOURS,
  timeAxisFor,
} from '../../src/report/charts.js';
import { compileChart } from '../../src/report/render.js';
import { makeRunResult } from './fixture.js';
import { validateVegaLite } from './vl-schema.js';
import { one } from '../helpers/one-stage.js';

type Json = Record<string, unknown>;

/** Every unit spec in a (layered / concatenated) spec. */
function units(spec: unknown): Json[] {
  const s = spec as Json;
  const children = [...((s.layer as Json[]) ?? []), ...((s.vconcat as Json[]) ?? [])];
  return children.length === 0 ? [s] : children.flatMap(units);
}

describe('chart specs', () => {
  const result = makeRunResult();
  const charts = buildCharts(result);

  it('are the expected charts, services included when there are services', () => {
    expect(charts.map((c) => c.name)).toEqual([
      'lag-records',
      'lag-seconds',
      'latency',
      'throughput',
      'partition-lag-heatmap',
      'group',
      'producer',
      'losses',
      'services',
    ]);
    expect(buildCharts(makeRunResult({ services: [] })).map((c) => c.name)).not.toContain('services');
  });

  it('leaves out the group, producer and losses charts when their series are all zero, saying why', () => {
    const quiet = makeRunResult({ group: 'quiet', events: [] });
    const { charts: drawn, skipped } = planCharts(quiet);
    expect(drawn.map((c) => c.name)).not.toContain('group');
    expect(skipped.map((c) => c.name)).toEqual(['group', 'producer', 'losses']);
    for (const s of skipped) expect(s.note).toMatch(/^No /);
    // A membership change alone is enough to draw the group chart.
    const joined = makeRunResult({ group: 'quiet', events: [{ timeSeconds: 60, label: 'consumer-9 joins', kind: 'group' }] });
    expect(buildCharts(joined).map((c) => c.name)).toContain('group');
  });

  it.each(charts.map((c) => [c.name, c] as const))('%s is valid Vega-Lite and compiles without warnings', (_, chart) => {
    expect(validateVegaLite(JSON.parse(JSON.stringify(chart.spec)))).toEqual([]);
    const before = JSON.stringify(chart.spec);
    const { warnings } = compileChart(chart.spec);
    expect(warnings).toEqual([]);
    expect(JSON.stringify(chart.spec)).toBe(before); // compiling does not mutate the spec
  });

  it.each(charts.map((c) => [c.name, c] as const))('%s has a title and inline data only', (_, chart) => {
    const spec = chart.spec as unknown as Json;
    expect((spec.title as Json).text).toBe(chart.title);
    for (const unit of units(spec)) {
      const data = unit.data as Json | undefined;
      expect(data).toBeDefined();
      expect(Array.isArray(data?.values)).toBe(true);
      expect(data).not.toHaveProperty('url');
    }
  });

  it('puts every event on every time axis: a rule per event, a band per window, labels', () => {
    for (const chart of charts) {
      const layers = units(chart.spec);
      const rules = layers.filter((l) => (l.mark as Json).type === 'rule');
      const bands = layers.filter(
        (l) => (l.mark as Json).type === 'rect' && JSON.stringify(l.data).includes('"event":"payments slow"'),
      );
      const labels = layers.filter((l) => (l.mark as Json).type === 'text');
      expect(rules.length).toBeGreaterThan(0);
      for (const rule of rules) expect(((rule.data as Json).values as unknown[]).length).toBe(result.events.length);
      expect(bands.length).toBeGreaterThan(0);
      const labelText = labels.flatMap((l) => ((l.data as Json).values as Json[]).map((v) => v.event)).join(' ');
      for (const e of result.events) expect(labelText).toContain(e.label);
    }
  });

  it('uses one time axis title and domain on every chart', () => {
    for (const chart of charts) {
      for (const unit of units(chart.spec)) {
        const x = (unit.encoding as Json).x as Json;
        expect(x.title).toBe('time (min)');
        expect((x.scale as Json).domain).toEqual([0, 30]);
      }
    }
    expect(timeAxisFor(1200).title).toBe('time (s)');
    expect(timeAxisFor(1201).title).toBe('time (min)');
  });

  it('gives a quantity the same colour wherever it appears', () => {
    const colourOf = (name: string, series: string) => {
      const chart = charts.find((c) => c.name === name)!;
      for (const unit of units(chart.spec)) {
        const color = (unit.encoding as Json).color as Json | undefined;
        const scale = color?.scale as { domain?: string[]; range?: string[] } | undefined;
        const i = scale?.domain?.indexOf(series) ?? -1;
        if (i >= 0) return scale!.range![i];
      }
      return undefined;
    };
    expect(colourOf('lag-records', 'group lag (all partitions)')).toBe(QUANTITY_COLOURS.groupLag);
    expect(colourOf('lag-records', 'max partition lag')).toBe(QUANTITY_COLOURS.maxPartitionLag);
    expect(colourOf('throughput', 'processed')).toBe(QUANTITY_COLOURS.processed);
    expect(colourOf('latency', 'p99')).toBe(QUANTITY_COLOURS.p99);
  });

  it('downsamples long series and the heat map, keeping spikes', () => {
    const long = makeRunResult({ durationSeconds: 36_000, sampleIntervalSeconds: 1, partitions: 48 });
    one(long).series.groupLag[12_345] = 9e9;
    const [lag, , , , heatmap] = buildCharts(long);
    const line = units(lag.spec).find((u) => (u.mark as Json).type === 'line')!;
    const rows = (line.data as Json).values as Json[];
    const group = rows.filter((r) => r.series === 'group lag (all partitions)');
    expect(group.length).toBeLessThanOrEqual(MAX_POINTS_PER_LINE);
    expect(Math.max(...group.map((r) => r.value as number))).toBe(9e9);
    const cells = (units(heatmap.spec)[0].data as Json).values as Json[];
    expect(cells.length).toBe(MAX_HEATMAP_BUCKETS * 48);
  });
});

describe('placeEvents', () => {
  const axis = timeAxisFor(1800);

  it('gives close events one label and keeps labels from overlapping on a row', () => {
    const marks = placeEvents(
      [
        { timeSeconds: 100, label: 'a long label that takes room', kind: 'traffic' },
        { timeSeconds: 130, label: 'another long label', kind: 'group' },
        { timeSeconds: 1000, label: 'crash', kind: 'fault' },
        { timeSeconds: 1005, label: 'rebalance', kind: 'group' },
      ],
      axis,
    );
    expect(marks.rules.length).toBe(4);
    expect(marks.labels.map((l) => l.text)).toEqual(['a long label that takes room', 'another long label', 'crash, rebalance']);
    expect(marks.labels[0].y).not.toBe(marks.labels[1].y);
  });

  it('ignores events outside the run and clips a window at the end of the run', () => {
    const marks = placeEvents(
      [
        { timeSeconds: -5, label: 'before', kind: 'traffic' },
        { timeSeconds: 1700, endSeconds: 2500, label: 'payments slow window', kind: 'service' },
        { timeSeconds: 1900, label: 'after', kind: 'traffic' },
      ],
      axis,
    );
    expect(marks.labels.map((l) => l.text)).toEqual(['payments slow window']);
    expect(marks.labels[0].align).toBe('right'); // near the right edge: to the left of its rule
    expect(marks.bands).toEqual([{ start: 1700 / 60, end: 30, shade: 'service', event: 'payments slow window' }]);
  });
});

describe('partitionLabels', () => {
  it('labels every partition when rows are tall enough', () => {
    expect(partitionLabels([[0, 5, 0]], 3, 1)).toEqual([0, 1, 2]);
  });

  it('always labels the most lagging partition and keeps the others apart', () => {
    const lag = [Array.from({ length: 48 }, (_, p) => (p === 3 ? 100 : 1))];
    const labels = partitionLabels(lag, 48, 2);
    expect(labels).toContain(3);
    expect(labels).not.toContain(2);
    expect(labels).not.toContain(4);
    for (let i = 1; i < labels.length; i++) expect(labels[i] - labels[i - 1]).toBeGreaterThanOrEqual(2);
  });
});

describe('placeEvents in a rebalance storm', () => {
  it('labels a run of the same event once with its count and never overprints labels', () => {
    const events = [
      { timeSeconds: 200, label: 'deploy v42', kind: 'traffic' as const },
      ...Array.from({ length: 40 }, (_, i) => ({ timeSeconds: 300 + i * 15, label: 'rebalance', kind: 'group' as const })),
      ...Array.from({ length: 30 }, (_, i) => ({ timeSeconds: 310 + i * 40, label: `consumer-${i} crash`, kind: 'fault' as const })),
    ];
    const marks = placeEvents(events, timeAxisFor(1800));
    expect(marks.rules.length).toBe(events.length);
    expect(marks.labels.some((l) => /^rebalance \u00d740, consumer-0 crash, \+\d+ more$/.test(l.text))).toBe(true);
    const rows = new Map<number, { from: number; to: number }[]>();
    for (const label of marks.labels) {
      const x = (label.t / 30) * 700;
      const w = label.text.length * 7;
      const span = label.align === 'left' ? { from: x, to: x + w * 0.7 } : { from: x - w * 0.7, to: x };
      const row = rows.get(label.y) ?? [];
      for (const other of row) expect(span.to <= other.from || span.from >= other.to).toBe(true);
      row.push(span);
      rows.set(label.y, row);
    }
    expect(new Set(marks.labels.map((l) => l.y)).size).toBeLessThanOrEqual(4);
  });
});

describe('shading', () => {
  const axis = timeAxisFor(1800);

  it('merges a rebalance storm into one span with one rule and one label', () => {
    const storm = makeRunResult({ group: 'storm' });
    const marks = placeEvents(storm.events, axis);
    const rebalanceBands = marks.bands.filter((b) => b.shade === 'group');
    // 1010 s, 1040 s, and the storm of 50 from 1080 s as one span.
    expect(rebalanceBands.length).toBe(3);
    expect(rebalanceBands[2].start).toBeCloseTo(1080 / 60);
    expect(rebalanceBands[2].end).toBeCloseTo((1080 + 49 * 10 + 6) / 60);
    const stormRules = marks.rules.filter((r) => r.t > 1080 / 60);
    expect(stormRules.length).toBe(0);
    expect(marks.labels.filter((l) => l.text.includes('rebalance')).length).toBeLessThanOrEqual(2);
    expect(marks.labels.some((l) => /rebalance \u00d751/.test(l.text))).toBe(true);
  });

  it('keeps spans of different kinds apart and joins spans a pixel apart', () => {
    const pixel = 30 / 700;
    const merged = mergeShades(
      [
        { start: 1, end: 2, shade: 'group', event: 'rebalance' },
        { start: 2 + pixel, end: 3, shade: 'group', event: 'rebalance' },
        { start: 1, end: 3, shade: 'fault', event: 'broker-1 slow' },
        { start: 10, end: 11, shade: 'group', event: 'rebalance' },
      ],
      2 * pixel,
    );
    expect(merged).toEqual([
      { start: 1, end: 3, shade: 'group', event: 'rebalance' },
      { start: 10, end: 11, shade: 'group', event: 'rebalance' },
      { start: 1, end: 3, shade: 'fault', event: 'broker-1 slow' },
    ]);
  });

  it('shades the lag chart where partitions were paused or unowned, and says so in its legend', () => {
    const result = makeRunResult();
    const shades = pausedShades(result, axis);
    // Unowned 1000-1010 s then paused 1010-1013 s are one stretch; the rejoin pauses 1040-1043 s,
    // drawn at least two pixels (5 s at 30 min) wide.
    expect(shades.map((s) => Math.round(s.start * 60))).toEqual([1000, 1040]);
    expect(shades[0].end * 60).toBeCloseTo(1013);
    expect(shades[1].end * 60).toBeCloseTo(1040 + (2 * 1800) / 700);
    const lag = buildCharts(result).find((c) => c.name === 'lag-records')!;
    const text = JSON.stringify(lag.spec);
    expect(text).toContain('"partitions not consumed"');
    expect(text).toContain('"title":"shaded:"');
    expect(pausedShades(makeRunResult({ group: 'quiet' }), axis)).toEqual([]);
  });
});

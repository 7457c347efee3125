/**
 * `--openmetrics`: the runs' time series as OpenMetrics text. A checker of the text format written
 * from the OpenMetrics 1.0 specification (the ABNF of its "Text format" section and the rules
 * around it) reads what real runs export: a single stage, a two-stage pipeline with a service,
 * and a comparison of two variants; the values are compared with the RunResult's own; and
 * `promtool tsdb create-blocks-from openmetrics` (Debian's `prometheus` package) must take the
 * file where promtool is installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, run } from '../../src/run.js';
import type { RunResult } from '../../src/metrics/result.js';
import { DEFAULT_START_SECONDS, escapeLabelValue, openMetricsText, sampleIntervalRefusal } from '../../src/report/openmetrics.js';

// ---------------------------------------------------------------------------------------------
// The checker: parses the text and throws at the first line that breaks the format.

interface Point {
  value: number;
  timestamp: number;
}
interface ParsedSeries {
  name: string;
  labels: Record<string, string>;
  points: Point[];
}
interface ParsedFamily {
  name: string;
  type: string;
  unit?: string;
  help?: string;
  series: Map<string, ParsedSeries>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'gaugehistogram', 'stateset', 'info', 'summary', 'unknown']);
/** The suffixes a sample's name may add to its family's name, by type (OpenMetrics 1.0). */
const SUFFIXES: Record<string, string[]> = {
  counter: ['_total', '_created'],
  gauge: [''],
  unknown: [''],
  summary: ['', '_count', '_sum', '_created'],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
  stateset: [''],
  info: ['_info'],
};
const REAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function number(text: string, where: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!REAL.test(text)) throw new Error(`${where}: not a number: ${JSON.stringify(text)}`);
  return Number(text);
}

/** Reads `{a="x",b="y"}` at the start of `s`; returns the labels and what follows. */
function readLabels(s: string, where: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1;
  if (s[i] === '}') return { labels, rest: s.slice(2) };
  for (;;) {
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: a label without =`);
    const name = s.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`${where}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`${where}: label ${name} twice`);
    if (s[eq + 1] !== '"') throw new Error(`${where}: label ${name}'s value is not quoted`);
    let value = '';
    let j = eq + 2;
    for (; j < s.length && s[j] !== '"'; j++) {
      if (s[j] === '\n') throw new Error(`${where}: a raw line feed in a label value`);
      if (s[j] !== '\\') {
        value += s[j];
        continue;
      }
      const next = s[++j];
      if (next === '\\') value += '\\';
      else if (next === '"') value += '"';
      else if (next === 'n') value += '\n';
      else throw new Error(`${where}: bad escape \\${next} in label ${name}`);
    }
    if (j >= s.length) throw new Error(`${where}: label ${name}'s value is not closed`);
    labels[name] = value;
    j++;
    if (s[j] === '}') return { labels, rest: s.slice(j + 1) };
    if (s[j] !== ',') throw new Error(`${where}: expected , or } after label ${name}`);
    i = j + 1;
  }
}

function checkOpenMetrics(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith('# EOF\n') && !text.endsWith('# EOF')) throw new Error('the text does not end with # EOF');
  const lines = text.replace(/\n$/, '').split('\n');
  const families = new Map<string, ParsedFamily>();
  let current: ParsedFamily | undefined;
  /** The series whose samples are being read; once left, a series may not come back. */
  let openSeries: string | undefined;
  const closedSeries = new Set<string>();
  const seenDescriptors = new Set<string>();
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    const where = `line ${n + 1}`;
    if (line === '# EOF') {
      if (n !== lines.length - 1) throw new Error(`${where}: # EOF before the end`);
      break;
    }
    if (line === '') throw new Error(`${where}: an empty line`);
    if (line.startsWith('#')) {
      const m = /^# (TYPE|UNIT|HELP) (\S+)(?: (.*))?$/.exec(line);
      if (!m) throw new Error(`${where}: a comment that is not TYPE, UNIT or HELP: ${line}`);
      const [, kind, name, rest = ''] = m;
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad family name ${name}`);
      if (current?.name !== name) {
        if (families.has(name)) throw new Error(`${where}: family ${name} appears twice (interleaved)`);
        current = { name, type: 'unknown', series: new Map() };
        families.set(name, current);
        seenDescriptors.clear();
      } else if (current.series.size > 0) throw new Error(`${where}: ${kind} of ${name} after its samples`);
      if (seenDescriptors.has(kind)) throw new Error(`${where}: ${kind} of ${name} twice`);
      // The order this exporter promises: TYPE first, then UNIT, then HELP.
      if (kind === 'TYPE' && seenDescriptors.size > 0) throw new Error(`${where}: TYPE of ${name} not first`);
      if (kind === 'UNIT' && seenDescriptors.has('HELP')) throw new Error(`${where}: UNIT of ${name} after HELP`);
      seenDescriptors.add(kind);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type ${rest}`);
        current.type = rest;
        if (rest === 'counter' && name.endsWith('_total')) throw new Error(`${where}: counter family ${name} ends in _total (its samples do)`);
      } else if (kind === 'UNIT') {
        if (!/^[a-zA-Z0-9_:]+$/.test(rest)) throw new Error(`${where}: bad unit ${JSON.stringify(rest)}`);
        if (!name.endsWith(`_${rest}`)) throw new Error(`${where}: family ${name} does not end with its unit _${rest}`);
        current.unit = rest;
      } else {
        if (/\\[^\\n"]/.test(rest)) throw new Error(`${where}: bad escape in HELP`);
        current.help = rest;
      }
      continue;
    }
    // A sample: name, labels, value, timestamp.
    const nameEnd = line.search(/[{ ]/);
    if (nameEnd < 0) throw new Error(`${where}: a sample without a value`);
    const name = line.slice(0, nameEnd);
    if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`);
    if (current === undefined) throw new Error(`${where}: a sample before any family`);
    const suffix = SUFFIXES[current.type].find((s) => name === current!.name + s);
    if (suffix === undefined) throw new Error(`${where}: sample ${name} does not belong to family ${current.name} (${current.type})`);
    let rest = line.slice(nameEnd);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = readLabels(rest, where));
    const fields = rest.split(' ');
    if (fields[0] !== '' || (fields.length !== 2 && fields.length !== 3)) throw new Error(`${where}: expected " value [timestamp]" after the labels, got ${JSON.stringify(rest)}`);
    const value = number(fields[1], where);
    if (fields.length !== 3) throw new Error(`${where}: a sample without a timestamp (promtool backfills only timestamped samples)`);
    const timestamp = number(fields[2], where);
    if (!Number.isFinite(timestamp)) throw new Error(`${where}: timestamp ${fields[2]}`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (key !== openSeries) {
      if (closedSeries.has(key)) throw new Error(`${where}: series ${key} comes back after other series (duplicate series)`);
      if (openSeries !== undefined) closedSeries.add(openSeries);
      openSeries = key;
    }
    let series = current.series.get(key);
    if (series === undefined) current.series.set(key, (series = { name, labels, points: [] }));
    const last = series.points.at(-1);
    if (last !== undefined && !(timestamp > last.timestamp)) throw new Error(`${where}: timestamp ${timestamp} not after ${last.timestamp} in ${key}`);
    series.points.push({ value, timestamp });
  }
  return families;
}

// ---------------------------------------------------------------------------------------------
// Runs.

const SINGLE = `name: single
seed: 3
duration: 20s
topics: [{ name: t, partitions: 4 }]
producers: [{ name: p, topic: t, rate: 2k/s, keys: { dist: uniform, count: 100 } }]
consumer-groups:
  - { name: g, topic: t, instances: 2, processing: { per-record: 300us } }
variants:
  slow: { consumer-groups.g.processing.per-record: 900us }
  more: { consumer-groups.g.instances: 4 }
`;

const PIPELINE = `name: pipeline
seed: 4
duration: 30s
sample-interval: 2s
topics:
  - { name: orders, partitions: 3 }
  - { name: payments, partitions: 6 }
producers: [{ name: checkout, topic: orders, rate: 500/s, keys: { dist: uniform, count: 1000 } }]
consumer-groups:
  - name: validation
    topic: orders
    instances: 2
    processing: { per-record: 1ms }
    produces: { topic: payments, keys: { dist: uniform, count: 1000 }, record-size: 1KiB }
  - name: payment
    topic: payments
    instances: 3
    processing:
      per-record: 1ms
      calls: [{ service: provider, per: record }]
services:
  - { name: provider, latency: { dist: lognormal, p50: 5ms, p99: 20ms }, concurrency: 8 }
`;

const single = run(parse(SINGLE, 'single.yaml'));
const pipeline = run(parse(PIPELINE, 'pipeline.yaml'));
const variants = ['slow', 'more'].map((v) => ({ variant: v, result: run(parse(SINGLE, 'single.yaml', { variant: v })) }));

const seriesOf = (families: Map<string, ParsedFamily>, family: string) => [...(families.get(family)?.series.values() ?? [])];
const find = (families: Map<string, ParsedFamily>, family: string, labels: Record<string, string>) =>
  seriesOf(families, family).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));

/** Every value check that holds for any run: the file says what the RunResult says. */
function checkValues(families: Map<string, ParsedFamily>, result: RunResult, labels: Record<string, string>) {
  const at = (i: number) => DEFAULT_START_SECONDS + result.time[i];
  for (const [group, g] of Object.entries(result.topology.groups)) {
    const gs = result.series.groups[group];
    const partitions = result.topology.topics[g.topic].partitions;
    const lag = Array.from({ length: partitions }, (_, p) => find(families, 'kafka_consumergroup_group_lag', { ...labels, group, topic: g.topic, partition: String(p) })!);
    for (const s of lag) expect(s.points).toHaveLength(result.time.length);
    for (let i = 0; i < result.time.length; i++) {
      for (let p = 0; p < partitions; p++) {
        expect(lag[p].points[i].value).toBe(result.partitionLag[group][i][p]);
        expect(lag[p].points[i].timestamp).toBeCloseTo(at(i), 5);
      }
      const sum = lag.reduce((t, s) => t + s.points[i].value, 0);
      expect(find(families, 'kafka_consumergroup_group_sum_lag', { ...labels, group })!.points[i].value).toBe(sum);
      expect(find(families, 'kafka_consumergroup_group_topic_sum_lag', { ...labels, group, topic: g.topic })!.points[i].value).toBe(gs.lag[i]);
      expect(find(families, 'kafka_consumergroup_group_max_lag', { ...labels, group })!.points[i].value).toBe(Math.max(...lag.map((s) => s.points[i].value)));
      expect(find(families, 'kafka_consumergroup_group_max_lag_seconds', { ...labels, group })!.points[i].value).toBe(gs.lagSeconds[i]);
    }
    // Latency: a sample exactly where the run has a value, in seconds.
    const p99 = find(families, 'lagsim_consumergroup_latency_seconds', { ...labels, group, quantile: '0.99' });
    const recorded = gs.latencyP99.flatMap((v, i) => (v === null ? [] : [{ value: v / 1000, timestamp: at(i) }]));
    expect(p99?.points.length ?? 0).toBe(recorded.length);
    p99?.points.forEach((pt, k) => {
      expect(pt.value).toBe(recorded[k].value);
      expect(pt.timestamp).toBeCloseTo(recorded[k].timestamp, 5);
    });
    // The counter of processed records ends at the records processed in every window added up.
    const processed = find(families, 'lagsim_consumergroup_processed_records', { ...labels, group })!;
    const windows = result.time.map((t, i) => t - i * result.scenario.sampleIntervalSeconds);
    const total = gs.processedRate.reduce((n, r, i) => n + r * windows[i], 0);
    expect(processed.points.at(-1)!.value).toBeCloseTo(total, 6);
    expect(processed.points.every((pt, i) => i === 0 || pt.value >= processed.points[i - 1].value)).toBe(true);
  }
  for (const service of Object.keys(result.series.services)) {
    const s = find(families, 'lagsim_service_calls_in_flight', { ...labels, service })!;
    expect(s.points.map((p) => p.value)).toEqual(result.series.services[service].inFlight);
  }
  const e2e = find(families, 'lagsim_end_to_end_latency_seconds', { ...labels, quantile: '0.5' });
  expect(e2e?.points.length ?? 0).toBe(result.series.endToEnd.latencyP50.filter((v) => v !== null).length);
}

/** Families whose samples carry only the labels they should: run and variant always, no empty value. */
function checkLabels(families: Map<string, ParsedFamily>) {
  for (const f of families.values()) {
    for (const s of f.series.values()) {
      expect(Object.keys(s.labels).slice(0, 2)).toEqual(['run', 'variant']);
      for (const v of Object.values(s.labels)) expect(v).not.toBe('');
    }
  }
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lagsim-openmetrics-'));
const promtool = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim();

/** promtool's verdict on a file: it must write a block. */
function backfill(file: string) {
  const dir = mkdtempSync(path.join(tmp, 'tsdb-'));
  const p = spawnSync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', file, dir], { encoding: 'utf8' });
  return { code: p.status, out: `${p.stdout}${p.stderr}` };
}

describe('openMetricsText', () => {
  it('a single stage: the format holds, every family is there, and the values are the run\'s', () => {
    const text = openMetricsText([{ result: single }]);
    const families = checkOpenMetrics(text);
    expect([...families.keys()]).toContain('kafka_consumergroup_group_lag');
    for (const f of families.values()) {
      expect(f.help).toBeTruthy();
      if (f.type === 'counter') expect([...f.series.values()].every((s) => s.name === `${f.name}_total`)).toBe(true);
      if (f.name.endsWith('_seconds')) expect(f.unit).toBe('seconds');
      if (f.name.endsWith('_bytes')) expect(f.unit).toBe('bytes');
      expect(f.name.startsWith('kafka_consumergroup_') || f.name.startsWith('lagsim_')).toBe(true);
    }
    checkLabels(families);
    checkValues(families, single, { run: 'single', variant: 'baseline' });
    // Nothing the run did not record: no per-partition lag in seconds, no log end offsets.
    expect(families.has('kafka_consumergroup_group_lag_seconds')).toBe(false);
    expect(families.has('kafka_partition_latest_offset')).toBe(false);
    // Same run, same bytes.
    expect(openMetricsText([{ result: single }])).toBe(text);
  });

  it('a two-stage pipeline with a service: each group on its own topic, its partitions labelled', () => {
    const families = checkOpenMetrics(openMetricsText([{ result: pipeline, run: 'p1' }]));
    checkLabels(families);
    checkValues(families, pipeline, { run: 'p1', variant: 'baseline' });
    const partitions = seriesOf(families, 'kafka_consumergroup_group_lag').map((s) => `${s.labels.group}/${s.labels.topic}/${s.labels.partition}`);
    expect(partitions).toHaveLength(3 + 6);
    expect(partitions).toContain('payment/payments/5');
    expect(seriesOf(families, 'lagsim_topic_appended_records').map((s) => s.labels.topic)).toEqual(['orders', 'payments']);
    // The last window ends with the run: the last stamp is the start plus the duration.
    expect(seriesOf(families, 'kafka_consumergroup_group_sum_lag')[0].points.at(-1)!.timestamp).toBe(DEFAULT_START_SECONDS + 30);
  });

  it('a comparison of two variants in one file: the families grouped across variants, each variant\'s values its own', () => {
    const text = openMetricsText(variants.map((v) => ({ result: v.result, variant: v.variant })));
    const families = checkOpenMetrics(text);
    checkLabels(families);
    for (const v of variants) checkValues(families, v.result, { run: 'single', variant: v.variant });
    expect(new Set(seriesOf(families, 'kafka_consumergroup_group_sum_lag').map((s) => s.labels.variant))).toEqual(new Set(['slow', 'more']));
    expect(() => openMetricsText([{ result: single }, { result: single }])).toThrow(/two runs labelled/);
  });

  it('escapes label values, and takes another start time', () => {
    const odd = 'a "quoted" back\\slash\nand a line';
    const text = openMetricsText([{ result: single, variant: odd }], { startSeconds: 1_000_000_000 });
    const families = checkOpenMetrics(text);
    expect(text).toContain(`variant="${escapeLabelValue(odd)}"`);
    expect(seriesOf(families, 'kafka_consumergroup_group_sum_lag')[0].labels.variant).toBe(odd);
    expect(seriesOf(families, 'kafka_consumergroup_group_sum_lag')[0].points[0].timestamp).toBe(1_000_000_000 + single.time[0]);
    expect(() => openMetricsText([{ result: single }], { startSeconds: 1.5 })).toThrow(/whole number/);
  });

  it('the checker refuses what the format forbids', () => {
    const ok = '# TYPE a_seconds gauge\n# UNIT a_seconds seconds\n# HELP a_seconds h\na_seconds{x="1"} 1 10\n# EOF\n';
    expect(() => checkOpenMetrics(ok)).not.toThrow();
    for (const [bad, says] of [
      [ok.replace('# EOF\n', ''), /EOF/],
      [ok.replace('UNIT a_seconds seconds', 'UNIT a_seconds bytes'), /unit/],
      [ok.replace('a_seconds{x="1"} 1 10', 'a_seconds{x="1"} 1 10\na_seconds{x="1"} 2 10'), /not after/],
      [ok.replace('{x="1"}', '{x="1\\q"}'), /escape/],
      [ok.replace('gauge', 'counter'), /does not belong/],
      [`${ok.replace('# EOF\n', '')}# TYPE b gauge\nb 1 1\n# TYPE a_seconds gauge\n# EOF\n`, /twice/],
      [ok.replace('a_seconds{x="1"} 1 10', 'a_seconds{x="1"} 1 10\na_seconds{x="2"} 1 10\na_seconds{x="1"} 1 11'), /comes back/],
    ] as const) {
      expect(() => checkOpenMetrics(bad)).toThrow(says);
    }
  });

  it.runIf(promtool !== '')('promtool tsdb create-blocks-from openmetrics takes the single stage, the pipeline and the comparison', () => {
    const texts = {
      single: openMetricsText([{ result: single }]),
      pipeline: openMetricsText([{ result: pipeline }]),
      compare: openMetricsText(variants.map((v) => ({ result: v.result, variant: v.variant }))),
    };
    for (const [name, text] of Object.entries(texts)) {
      const file = path.join(tmp, `${name}.om`);
      writeFileSync(file, text);
      const r = backfill(file);
      expect(r.out, name).not.toMatch(/error/i);
      expect(r.code, r.out).toBe(0);
      // promtool lists the block it wrote, with the number of samples: every sample line went in.
      const samples = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
      expect(r.out).toMatch(new RegExp(`\\s${samples}\\s`));
    }
  });
  it.skipIf(promtool !== '')('promtool is not installed (apt-get install prometheus): the file is checked against the grammar only', () => {
    console.warn('promtool not found: skipping the promtool backfill test');
  });
});

describe('sim --openmetrics', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const sim = (args: string[]) => {
    const p = spawnSync(process.execPath, [path.join(root, 'bin/sim.js'), ...args], { cwd: tmp, encoding: 'utf8', env: { ...process.env, LAGSIM_DEBUG: '' } });
    return { code: p.status, stdout: p.stdout, stderr: p.stderr };
  };
  const file = path.join(tmp, 'single.yaml');
  writeFileSync(file, SINGLE);

  it('a run writes the file (folders above it made), the same text as the library gives', () => {
    const r = sim([file, '--quiet', '--out', 'run', '--openmetrics', 'metrics/single.om', '--jobs', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(tmp, 'metrics/single.om'), 'utf8')).toBe(openMetricsText([{ result: single }]));
  });

  it('sim compare writes one file with a variant label per configuration', () => {
    const r = sim(['compare', file, '--quiet', '--out', 'cmp', '--openmetrics', 'cmp.om', '--jobs', '1']);
    expect(r.code, r.stderr).toBe(0);
    const families = checkOpenMetrics(readFileSync(path.join(tmp, 'cmp.om'), 'utf8'));
    for (const v of variants) checkValues(families, v.result, { run: 'single', variant: v.variant });
  });

  it('a path that cannot be a file is refused before simulating: exit 2, nothing written', () => {
    mkdirSync(path.join(tmp, 'a-folder'));
    writeFileSync(path.join(tmp, 'a-file'), '');
    for (const args of [[file], ['compare', file]]) {
      for (const [om, says] of [
        ['a-folder', /^sim: --openmetrics a-folder: is a folder; give a file name, like a-folder\/lagsim.om\n$/],
        ['a-file/x.om', /^sim: --openmetrics a-file\/x.om: .*a-file is a file, not a folder\n$/],
      ] as const) {
        const r = sim([...args, '--quiet', '--out', 'refused', '--openmetrics', om]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(says);
        expect(existsSync(path.join(tmp, 'refused'))).toBe(false);
      }
      // Windows under a millisecond would collapse in Prometheus (promtool keeps one sample a millisecond).
      const r = sim([...args, '--quiet', '--out', 'refused', '--openmetrics', 'fine.om', '--set', 'sample-interval=500us']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`sim: ${sampleIntervalRefusal(0.0005)}\n`);
      expect(existsSync(path.join(tmp, 'fine.om'))).toBe(false);
    }
    expect(sampleIntervalRefusal(0.001)).toBeUndefined();
  });
});

describe('the Grafana dashboard (docs/grafana/lagsim.json)', () => {
  const dashboard = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../docs/grafana/lagsim.json'), 'utf8')) as {
    schemaVersion: number;
    uid: string;
    title: string;
    templating: { list: { name: string; type: string; query: unknown }[] };
    panels: { id: number; type: string; title: string; gridPos: { h: number; w: number; x: number; y: number }; targets: { expr: string; refId: string }[] }[];
  };

  it('is a dashboard Grafana 10 imports: schema version, uid, unique panel ids, a data source and the run, variant and group variables', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    expect(dashboard.templating.list.map((v) => `${v.name}:${v.type}`)).toEqual(['datasource:datasource', 'run:query', 'variant:query', 'group:query']);
    for (const p of dashboard.panels) {
      expect(p.type).toBe('timeseries');
      expect(p.targets.length).toBeGreaterThan(0);
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
  });

  it('charts only series the export writes, each filtered by $run and $variant', () => {
    const families = checkOpenMetrics(openMetricsText([{ result: pipeline }]));
    const names = new Set([...families.values()].flatMap((f) => [f.name, ...[...f.series.values()].map((s) => s.name)]));
    const charted = new Set<string>();
    for (const p of dashboard.panels) {
      for (const t of p.targets) {
        expect(t.expr).toContain('run="$run"');
        expect(t.expr).toContain('variant=~"$variant"');
        for (const m of t.expr.matchAll(/\b(kafka_|lagsim_)[a-z_]+(?=\{)/g)) {
          expect(names, `${p.title}: ${m[0]}`).toContain(m[0]);
          charted.add(m[0]);
        }
      }
    }
    for (const needed of ['kafka_consumergroup_group_sum_lag', 'kafka_consumergroup_group_lag', 'kafka_consumergroup_group_max_lag_seconds', 'lagsim_end_to_end_latency_seconds', 'lagsim_consumergroup_processed_records_total']) {
      expect(charted).toContain(needed);
    }
  });
});

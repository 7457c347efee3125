/**
 * "What limited this run" (report/why.ts) on runs built so that the answer is known, through the
 * real path (parse, run), a few seconds simulated each; the drain estimate on a hand-made result;
 * and the pipeline's sections, diagram and stage charts in report.md and report.html.
 */
import { describe, expect, it } from 'vitest';
import { parse, run } from '../../src/index.js';
import type { RunResult } from '../../src/metrics/result.js';
import { planCharts } from '../../src/report/charts.js';
import { reportMarkdown } from '../../src/report/markdown.js';
import { compileChart, renderSvg } from '../../src/report/render.js';
import { reportHtml } from '../../src/report/run-html.js';
import { drains, drainWindows, whyLimited, whyText } from '../../src/report/why.js';
import { makeRunResult } from './fixture.js';
import { validateVegaLite } from './vl-schema.js';

const simulate = (yaml: string): RunResult => run(parse(yaml, 'why.yaml'));
const plain = (t: string) => t;

/** A chain of stages s0 -> s1 -> ... on topics t0, t1, ... (2 partitions each), fed at `rate`. */
function chain(stages: { instances?: number; partitions?: number; ms: number; extra?: string; topicConfig?: string }[], rate: number, rest = ''): string {
  const topics = stages.map((s, i) => `  - { name: t${i}, partitions: ${s.partitions ?? 2}${s.topicConfig === undefined ? '' : `, config: ${s.topicConfig}`} }`).join('\n');
  const groups = stages
    .map(
      (s, i) => `  - name: s${i}
    topic: t${i}
    instances: ${s.instances ?? 2}
    processing: { per-record: { dist: constant, value: ${s.ms}ms }${s.extra ?? ''} }${i < stages.length - 1 ? `\n    produces: { topic: t${i + 1}, keys: { dist: uniform, count: 1000 } }` : ''}`,
    )
    .join('\n');
  return `
name: chain
seed: 7
duration: 20s
sample-interval: 1s
fidelity: exact
topics:
${topics}
producers:
  - { name: p, topic: t0, rate: ${rate}/s, arrivals: poisson, keys: { dist: uniform, count: 1000 } }
consumer-groups:
${groups}
${rest}`;
}

describe('what limited a run, through the real path', () => {
  it('names the middle stage of a chain where only the middle one is slow', () => {
    // 200/s into 2 consumers at 12 ms a record: capacity ~167/s. Before and after it, 1 ms a record.
    const r = simulate(chain([{ ms: 1 }, { ms: 12 }, { ms: 1 }], 200));
    const why = whyLimited(r);
    expect(why.bottleneck?.stage).toBe('s1');
    expect(why.bottleneck?.cause.kind).toBe('consumers-busy');
    expect(why.limits.filter((l) => l.kind === 'consumers-busy').map((l) => l.subject)).toEqual(['s1']);
    expect(why.bottleneck!.cause.atSeconds).toBeLessThan(3);
    const text = whyText(why, plain);
    expect(text.bottleneck).toMatch(/^The bottleneck is s1: from \d+ (ms|s) its 2 consumers were all busy/);
    // Its lag grows at the end: not draining, and said so.
    const drain = why.drains.find((d) => d.group === 's1');
    expect(drain?.secondsToDrain).toBeNull();
    expect(drain!.netPerSecond).toBeLessThan(-20);
    expect(text.drains.join('\n')).toMatch(/s1: .* records behind at the end, not draining \(lag growing by/);
    expect(why.drains.map((d) => d.group)).toEqual(['s1']);
  });

  it('calls out a stage with 8 instances on 4 partitions, and that more instances cannot help', () => {
    // The last stage is also too slow for what reaches it: 4 working consumers at 25 ms a record make ~160/s of 200/s.
    const r = simulate(chain([{ ms: 1 }, { instances: 8, partitions: 4, ms: 25 }], 200));
    const why = whyLimited(r);
    const idle = why.limits.find((l) => l.kind === 'idle-consumers');
    expect(idle?.subject).toBe('s1');
    expect(idle?.atSeconds).toBe(0);
    const s1 = why.stages.find((s) => s.group === 's1')!;
    expect(s1.partitionsPerConsumer).toBe(0.5);
    // Saturation is judged on the 4 consumers that own a partition, not the 8.
    expect(why.bottleneck?.stage).toBe('s1');
    const text = whyText(why, plain);
    expect(text.limits.join('\n')).toContain('0 s \u2014 s1: 8 consumers for 4 partitions, so 4 have none; more instances cannot make it faster');
    expect(text.bottleneck).toContain('the 4 of its 8 consumers that own a partition were all busy (the other 4 idle;');
    expect(text.bottleneck).toContain('only more partitions (with instances) or faster processing would raise it');
  });

  it('blames a service whose calls queue, not the busy stage calling it', () => {
    const r = simulate(
      // 150/s, each record one 10 ms call to a service taking one call at a time (100/s at most), from 4 consumers.
      chain([{ ms: 0.5 }, { instances: 4, partitions: 4, ms: 0.5, extra: ', calls: [{ service: ledger, per: record }]' }], 150, `
services:
  - { name: ledger, latency: { dist: constant, value: 10ms }, concurrency: 1 }
`),
    );
    const why = whyLimited(r);
    expect(why.services[0].maxQueued).toBeGreaterThan(0);
    expect(why.bottleneck?.stage).toBe('s1');
    expect(why.bottleneck?.cause.kind).toBe('service-queue');
    expect(why.bottleneck?.cause.subject).toBe('ledger');
    expect(why.limits.some((l) => l.kind === 'idle-consumers')).toBe(false);
    expect(whyText(why, plain).bottleneck).toMatch(/its calls to ledger queued for a free slot/);
  });

  it('blames the producer of a stage that blocks in send()', () => {
    const r = simulate(`
name: blocked
duration: 20s
sample-interval: 1s
fidelity: exact
brokers: { count: 1, quotas: { validation: { producer_byte_rate: 500KB } } }
topics:
  - { name: orders, partitions: 2, replication-factor: 1 }
  - { name: payments, partitions: 2, replication-factor: 1 }
producers: [{ name: checkout, topic: orders, rate: 1000/s, record-size: { dist: constant, value: 1000 } }]
consumer-groups:
  - name: validation
    topic: orders
    instances: 1
    processing: { per-record: { dist: constant, value: 0.1ms } }
    produces: { topic: payments, record-size: { dist: constant, value: 1000 }, config: { buffer.memory: 200000 } }
  - { name: payment, topic: payments, instances: 1, processing: { per-record: { dist: constant, value: 0.1ms } } }
`);
    const why = whyLimited(r);
    expect(why.bottleneck?.stage).toBe('validation');
    expect(why.bottleneck?.cause.kind).toBe('producer-blocked');
    expect(why.bottleneck?.cause.subject).toBe('payments');
    expect(why.producers.find((p) => p.topic === 'payments')?.stages).toEqual(['validation']);
    expect(whyText(why, plain).limits.join('\n')).toMatch(/payments: its producers \(validation\) blocked in send\(\)/);
  });

  it('lists records lost to retention under the stage that fell behind', () => {
    // The slow middle stage falls seconds behind a topic that keeps about two seconds of records.
    const r = simulate(
      chain([{ ms: 1 }, { ms: 12, topicConfig: '{ retention.ms: 2000, segment.ms: 1000 }' }, { ms: 1 }], 200, 'brokers: { log.retention.check.interval.ms: 1000 }'),
    );
    const why = whyLimited(r);
    const s1 = why.stages.find((s) => s.group === 's1')!;
    expect(s1.lostToRetention).toBeGreaterThan(0);
    expect(s1.lostToRetention).toBe(r.summary.groups.s1.books.lost.retention);
    const lost = why.limits.find((l) => l.kind === 'retention');
    expect(lost?.subject).toBe('s1');
    expect(lost!.atSeconds).toBeGreaterThan(why.bottleneck!.cause.atSeconds);
    // Losses are reported, but the bottleneck is what throttled the stage.
    expect(why.bottleneck?.stage).toBe('s1');
    expect(why.bottleneck?.cause.kind).toBe('consumers-busy');
    expect(whyText(why, plain).limits.join('\n')).toMatch(/s1: records deleted by retention before it read them \([\d,]+ lost\)/);
  });

  it('says no stage reached a limit when none did', () => {
    const why = whyLimited(simulate(chain([{ ms: 1 }, { ms: 1 }], 100)));
    expect(why.bottleneck).toBeNull();
    expect(why.limits).toEqual([]);
    expect(why.drains).toEqual([]);
    expect(whyText(why, plain).bottleneck).toMatch(/^No stage reached a limit/);
  });
});

describe('the drain estimate', () => {
  it('divides the lag left by processed minus appended over the last windows', () => {
    const r = makeRunResult({ durationSeconds: 100, sampleIntervalSeconds: 1 });
    const group = Object.keys(r.topology.groups)[0];
    const topic = r.topology.groups[group].topic;
    const g = r.series.groups[group];
    const n = r.time.length;
    const k = drainWindows(n);
    expect(k).toBe(5);
    for (let i = n - k; i < n; i++) {
      g.processedRate[i] = 300;
      r.series.topics[topic].appendedRate[i] = 200;
    }
    g.lag[n - 1] = 1000;
    g.lagSeconds[n - 1] = 12;
    expect(drains(r)).toEqual([{ group, finalRecords: 1000, netPerSecond: 100, secondsToDrain: 10 }]);
    // Younger than a sample interval: the commit interval's worth of lag, not a backlog.
    g.lagSeconds[n - 1] = 0.5;
    expect(drains(r)).toEqual([]);
  });
});

describe('a pipeline in the report', () => {
  const r = simulate(chain([{ ms: 1 }, { ms: 12 }, { ms: 1 }], 200));
  const { charts, skipped } = planCharts(r);

  it('draws the pipeline diagram and one chart per stage, valid Vega-Lite without warnings', async () => {
    expect(charts.filter((c) => c.section !== undefined).map((c) => c.name)).toEqual(['pipeline', 'stage-s0', 'stage-s1', 'stage-s2']);
    for (const chart of charts.filter((c) => c.section !== undefined)) {
      expect(validateVegaLite(JSON.parse(JSON.stringify(chart.spec)))).toEqual([]);
      const compiled = compileChart(chart.spec);
      expect(compiled.warnings).toEqual([]);
      const { svg, warnings } = await renderSvg(compiled.vega);
      expect(warnings).toEqual([]);
      if (chart.name === 'pipeline') {
        for (const name of ['t0', 't1', 't2', 's0', 's1', 's2', 'bottleneck', 'stage p99']) expect(svg).toContain(name);
      }
    }
  });

  it('puts the diagram, what limited the run and the stages table in report.md, and the stage charts after the charts', () => {
    const md = reportMarkdown(r, charts, skipped);
    const at = (s: string) => md.indexOf(s);
    expect(at('## Pipeline\n\n![')).toBeGreaterThan(0);
    expect(at('## What limited this run\n\nThe bottleneck is s1')).toBeGreaterThan(at('## Pipeline'));
    expect(at('## Stages\n\n| Stage (group) | Topic | Instances | Partitions | Processed/s |')).toBeGreaterThan(at('## What limited this run'));
    expect(md).toMatch(/\| s1 \| t1 \| 2 \| 2 \| [\d.]+ \| [\d.k]+ \| [\d.]+ s \| .* \| t2: never \|/);
    expect(at('## Summary')).toBeGreaterThan(at('## Stages'));
    expect(at('## Stage charts\n\n### Stage s0\n\n![')).toBeGreaterThan(at('## Charts'));
    // The stage charts are not listed again among the run's charts.
    expect(md.split('(stage-s1.svg)').length).toBe(2);
  });

  it('has the same sections in report.html', async () => {
    const html = await reportHtml(r, charts, skipped);
    for (const h of ['Pipeline', 'What limited this run', 'Stages', 'Stage charts']) expect(html).toContain(`<h2>${h}</h2>`);
    expect(html).toContain('data-chart="pipeline"');
    expect(html).toContain('data-chart="stage-s2"');
  }, 30_000);

  it('lays the diagram out in columns by step, a fan-out under its topic, with no box over another', () => {
    const fan = simulate(
      chain([{ ms: 1 }, { ms: 1 }], 100).replace(
        'consumer-groups:\n',
        'consumer-groups:\n  - { name: audit, topic: t0, instances: 1, processing: { per-record: { dist: constant, value: 1ms } } }\n',
      ),
    );
    const diagram = planCharts(fan).charts.find((c) => c.name === 'pipeline')!;
    const layers = (diagram.spec as unknown as { layer: { mark: { type: string }; data: { values: Record<string, number | string>[] } }[] }).layer;
    const boxes = layers.filter((l) => l.mark.type === 'rect' && l.data.values.every((v) => (v.y2 as number) - (v.y as number) > 5 && (v.x2 as number) - (v.x as number) > 5)).flatMap((l) => l.data.values) as Record<string, number>[];
    const texts = layers.filter((l) => l.mark.type === 'text').flatMap((l) => l.data.values);
    const boxOf = (name: string) => {
      const t = texts.find((v) => v.text === name)!;
      const [x, y] = [t.x as number, t.y as number];
      return boxes.find((b) => b.x <= x && x <= b.x2 && b.y <= y && y <= b.y2)!;
    };
    const [t0, t1, s0, s1, audit] = ['t0', 't1', 's0', 's1', 'audit'].map(boxOf);
    // Both readers of t0 under it, in the same column, in the scenario's order (audit is first); the next step to the right.
    expect(s0.x).toBe(audit.x);
    expect(audit.y).toBeGreaterThan(t0.y2);
    expect(s0.y).toBeGreaterThan(audit.y2);
    expect(t1.x).toBeGreaterThan(Math.max(s0.x2 as number, audit.x2 as number));
    expect(s1.x).toBeGreaterThan(t1.x);
    expect(boxes).toHaveLength(5);
    for (const a of boxes) {
      for (const b of boxes) {
        if (a === b) continue;
        const apart = a.x2 <= b.x || b.x2 <= a.x || a.y2 <= b.y || b.y2 <= a.y;
        expect(apart).toBe(true);
      }
    }
  });

  it('leaves a single-stage report as it was', () => {
    const one = makeRunResult();
    const planned = planCharts(one);
    expect(planned.charts.every((c) => c.section === undefined)).toBe(true);
    const md = reportMarkdown(one, planned.charts, planned.skipped);
    for (const h of ['## Pipeline', '## What limited this run', '## Stages', '## Stage charts']) expect(md).not.toContain(h);
  });
});

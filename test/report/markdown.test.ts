import { describe, expect, it } from 'vitest';
import { buildCharts, planCharts } from '../../src/report/charts.js';
import { blockquote, inlineText, reportMarkdown } from '../../src/report/markdown.js';
import { makeRunResult } from './fixture.js';
import type { RunResult } from '../../src/metrics/result.js';
import { one } from '../helpers/one-stage.js';

function markdown(result: RunResult): string {
  return reportMarkdown(result, buildCharts(result));
}

describe('report.md', () => {
  const result = makeRunResult();
  const md = markdown(result);

  it('has the sections in order', () => {
    const order = [
      '# Flash sale',
      '| Topic | orders, 8 partitions |',
      'Single run (one seed); no confidence interval.',
      '## Summary',
      '## Record accounting',
      '## Downstream services',
      '## Events',
      '## Charts',
    ].map((s) => md.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('states the scenario: group, consumers, duration, seed and Kafka defaults', () => {
    expect(md).toContain('| Consumer group | order-processor, 8 consumers |');
    expect(md).toContain('| Simulated time | 30 min, sampled every 1 s |');
    expect(md).toContain('| Seed | 42 |');
    expect(md).toContain('Kafka 3.7 defaults');
    expect(md).toContain('| Fidelity | batched: records drawn per time slice and poll batch |');
    expect(markdown(makeRunResult({ fidelity: 'exact' }))).toContain('| Fidelity | exact: every record drawn one by one |');
  });

  it('formats summary numbers for people', () => {
    const { lag } = one(result);
    expect(md).toMatch(/\| Peak group lag \| \d+(\.\d+)?M records at \d+ min( \d+ s)? \|/);
    expect(md).toContain(`| End-to-end latency p50 | 95.2 ms |`);
    expect(md).toContain(`| End-to-end latency p95 | 2.35 s |`);
    expect(md).toContain(`| End-to-end latency p99.9 | 11 s |`);
    expect(lag.timeToDrainSeconds).not.toBeNull();
    expect(md).toMatch(/\| Time to drain \(group lag back to 10% of its peak\) \| \d+ min( \d+ s)? after the peak \|/);
    expect(md).not.toMatch(/\d{4,}(\.\d+)? ?(ms|s)\b/); // no raw 12345 ms
  });

  it('says when lag did not drain, and when none built up', () => {
    const stuck = makeRunResult();
    one(stuck).lag.timeToDrainSeconds = null;
    expect(markdown(stuck)).toContain('| did not drain within the run |');
    const calm = makeRunResult();
    one(calm).lag.peakRecords = 0;
    one(calm).lag.timeToDrainSeconds = null;
    expect(markdown(calm)).toContain('| no lag built up |');
  });

  it('accounts for every record, by reason, with a balance check', () => {
    const a = result.summary.accounting;
    expect(md).toContain('| Rejected by producer: buffer full (max.block.ms) | 512 |');
    expect(md).toContain('| Lost: dead-lettered | 37 |');
    expect(md).toContain('| Lost: deleted by retention | 1,200 |');
    expect(md).toContain('| Still in the producer | 40 |');
    expect(md).toContain(`| Offered (handed to producers) | ${a.offered.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')} | 100% |`);
    expect(md).toMatch(/still in the producer \(balances\); .* \(balances\)\./);
    const off = makeRunResult();
    off.summary.accounting.processed -= 3;
    expect(markdown(off)).toContain('(off by 3)');
  });

  it('summarises the group, the producer and losses by reason', () => {
    expect(md).toContain('| Rejected by producers | 512 (');
    expect(md).toMatch(/\| Lost \| 1,237 \([^|]* of offered: dead-lettered 37, deleted by retention 1,200\) \|/);
    expect(md).toContain('| Rebalances | 2 (2 membership changes) |');
    expect(md).toContain('| Partitions not consumed (paused or unowned) | 58 s partition-time in all, longest 10 s |');
    expect(md).toContain('| Duplicates (processed again after a rebalance or crash) | 1,500 |');
    expect(md).toContain('| Producer buffer (highest, one instance) | 32 MiB |');
    expect(md).toContain('| Time blocked in send() (all instances) | 30 s |');
    expect(md).toContain('| Produce throttled (longest) | 250 ms |');
    expect(md).toContain('| Produce requests retried | 17 |');
    const quiet = markdown(makeRunResult({ group: 'quiet', events: [] }));
    expect(quiet).toContain('| Partitions not consumed (paused or unowned) | never |');
    expect(quiet).toContain('| Time blocked in send() (all instances) | never |');
  });

  it('says in one line why a chart with nothing to show is left out', () => {
    const quiet = makeRunResult({ group: 'quiet', events: [] });
    const { charts, skipped } = planCharts(quiet);
    const text = reportMarkdown(quiet, charts, skipped);
    expect(text).toContain('Not drawn, because there was nothing to show:');
    expect(text).toContain('- *Consumer group: members and partitions not consumed*: No rebalance:');
    expect(text).toContain('- *Producer: buffer in use and time blocked in send()*: No producer buffer pressure');
    expect(text).not.toContain('group.svg');
    expect(md).not.toContain('Not drawn');
  });

  it('lists services with calls, p99, max in flight, max queued and mean queue wait', () => {
    expect(md).toMatch(/\| payments \| [\d.]+M \| 2.04 s \| 50 \| [\d.]+ \| 310 ms \|/);
    expect(md).toMatch(/\| inventory-db \| [\d.]+M \| 0.85 ms \| 50 \| [\d.]+ \| n\/a \|/);
  });

  it('omits the services section when there are none', () => {
    expect(markdown(makeRunResult({ services: [] }))).not.toContain('## Downstream services');
  });

  it('embeds every chart as SVG with alt text and a caption', () => {
    for (const chart of buildCharts(result)) {
      expect(md).toContain(`![${chart.alt}](${chart.name}.svg)\n\n*${chart.caption}*`);
    }
  });

  it('lists events in time order, windows with their end', () => {
    expect(md).toContain('| 10 min to 11 min 40 s | payments slow | service |');
    expect(md.indexOf('ramp to 120k/s')).toBeLessThan(md.indexOf('consumer-3 crash'));
  });

  it('keeps a description starting with # from becoming a heading', () => {
    expect(md).toContain('> \\# Not a heading\n> Orders topic during a flash sale.');
    expect(md.split('\n').filter((l) => l.startsWith('#')).every((l) => !l.includes('Not a heading'))).toBe(true);
  });

  it('uses no locale-dependent or clock-dependent text', () => {
    expect(md).not.toMatch(/\d\u00a0\d|\d\.\d{3}\.\d/); // no NBSP grouping, no 1.234.567
    expect(md).not.toMatch(/20\d\d-\d\d-\d\d/);
  });
});

describe('Markdown escaping', () => {
  it('keeps one-line fields on one line, with pipes and HTML escaped', () => {
    expect(inlineText('a | b\n<script>x</script>')).toBe('a \\| b &lt;script>x&lt;/script>');
  });

  it('keeps a title ending in # from losing it as a closing sequence', () => {
    const result = makeRunResult({ title: 'Sale #', description: '' });
    expect(markdown(result).split('\n')[0]).toBe('# Sale \\#');
  });

  it('quotes free text without letting it start headings, fences, setext lines or HTML', () => {
    const quoted = blockquote('# h\n```\ncode\nTitle\n===\n---\n<div>\n\n*kept* and [links](x)');
    expect(quoted).toBe(
      '> \\# h\n> \\```\n> code\n> Title\n> \\===\n> \\---\n> &lt;div>\n>\n> *kept* and [links](x)',
    );
  });
});

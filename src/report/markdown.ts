/**
 * report.md: what was run, what came out, and the charts, ready to paste into a design doc.
 *
 * Order: title and scenario, the single-run caveat, summary table, record accounting,
 * downstream services, events, charts with a line on how to read each. Text from the scenario
 * (title, description, names) is kept as written but cannot change the document's structure:
 * the description sits in a blockquote with block-starting characters escaped, and one-line
 * fields have newlines, pipes and HTML escaped.
 */
import type { Accounting, RunResult, Summary } from '../metrics/result.js';
import type { Chart, SkippedChart } from './charts.js';
import { formatBytes, formatCount, formatExact, formatMs, formatPercent, formatSeconds } from './format.js';

const FIDELITY: Record<string, string> = {
  exact: 'exact: every record drawn one by one',
  batched: 'batched: records drawn per time slice and poll batch',
};

export function reportMarkdown(result: RunResult, charts: readonly Chart[], skipped: readonly SkippedChart[] = []): string {
  const { scenario, summary } = result;
  const parts: string[] = [];
  parts.push(`# ${headingText(scenario.title || scenario.name)}`);
  if (scenario.description.trim() !== '') parts.push(blockquote(scenario.description));
  parts.push(
    table(
      ['Setting', 'Value'],
      [
        ['Scenario', inlineText(scenario.name)],
        ['Topic', `${inlineText(scenario.topic)}, ${scenario.partitions} partitions`],
        ['Consumer group', `${inlineText(scenario.group)}, ${scenario.consumers} consumers`],
        [
          'Simulated time',
          `${formatSeconds(scenario.durationSeconds)}, sampled every ${formatSeconds(scenario.sampleIntervalSeconds)}`,
        ],
        ['Seed', String(scenario.seed)],
        ['Fidelity', FIDELITY[scenario.fidelity] ?? inlineText(String(scenario.fidelity))],
        ['Defaults', `Kafka ${inlineText(scenario.kafkaDefaults)} defaults where the scenario is silent`],
      ],
    ),
  );
  parts.push('Single run (one seed); no confidence interval.');

  parts.push('## Summary', table(['Measure', 'Value'], summaryRows(summary)));
  parts.push('## Record accounting', ...accountingSection(summary.accounting));
  const services = Object.keys(summary.services).sort();
  if (services.length > 0) {
    parts.push(
      '## Downstream services',
      table(
        ['Service', 'Calls', 'Latency p99', 'In flight (peak window mean)', 'Queued (peak window mean)', 'Mean queue wait'],
        services.map((name) => {
          const s = summary.services[name];
          return [
            inlineText(name),
            formatCount(s.calls),
            formatMs(s.latency.p99Ms),
            formatCount(s.maxInFlight),
            formatCount(s.maxQueued),
            formatMs(s.meanQueueWaitMs),
          ];
        }),
        ['left', 'right', 'right', 'right', 'right', 'right'],
      ),
    );
  }
  if (result.events.length > 0) {
    const events = result.events
      .map((e, i) => ({ e, i }))
      .sort((a, b) => a.e.timeSeconds - b.e.timeSeconds || a.i - b.i)
      .map(({ e }) => [
        e.endSeconds === undefined
          ? formatSeconds(e.timeSeconds)
          : `${formatSeconds(e.timeSeconds)} to ${formatSeconds(e.endSeconds)}`,
        inlineText(e.label),
        e.kind,
      ]);
    parts.push('## Events', 'Marked on every chart: a dashed line at the moment, a shaded span for a window.');
    parts.push(table(['Time', 'Event', 'Kind'], events));
  }

  parts.push('## Charts');
  for (const chart of charts) {
    parts.push(`### ${chart.title}`, `![${chart.alt}](${chart.name}.svg)`, `*${chart.caption}*`);
  }
  if (skipped.length > 0) {
    parts.push('Not drawn, because there was nothing to show:', skipped.map((c) => `- *${c.title}*: ${c.note}`).join('\n'));
  }
  parts.push(
    `Charts are also in \`.png\`, \`report.html\` (interactive, works offline), and as Vega-Lite specs with their data in \`.vl.json\`. ` +
      `Every sample is in \`timeseries.csv\` and \`partition-lag.csv\`; the numbers above are in \`summary.json\`. ` +
      `The run executed ${formatCount(summary.kernelEvents)} kernel events.`,
  );
  return parts.join('\n\n') + '\n';
}

function summaryRows(summary: Summary): string[][] {
  const { lag, latency, throughput, group, producer, accounting } = summary;
  const drain =
    lag.peakRecords === 0
      ? 'no lag built up'
      : lag.timeToDrainSeconds === null
        ? 'did not drain within the run'
        : `${formatSeconds(lag.timeToDrainSeconds)} after the peak`;
  const rows = [
    ['Peak group lag', `${formatCount(lag.peakRecords)} records at ${formatSeconds(lag.peakAtSeconds)}`],
    ['Peak lag in time (oldest unprocessed record)', formatSeconds(lag.peakSeconds)],
    ['Max partition lag', `${formatCount(lag.maxPartitionLagRecords)} records`],
    ['Group lag at the end', `${formatCount(lag.finalRecords)} records`],
    ['Time to drain (group lag back to 10% of its peak)', drain],
    ['End-to-end latency p50', formatMs(latency.p50Ms)],
    ['End-to-end latency p95', formatMs(latency.p95Ms)],
    ['End-to-end latency p99', formatMs(latency.p99Ms)],
    ['End-to-end latency p99.9', formatMs(latency.p999Ms)],
    ['End-to-end latency max', formatMs(latency.maxMs)],
    ['Records measured for latency', formatCount(latency.count)],
    [
      'Produced',
      `mean ${formatCount(throughput.meanProducedPerSecond)}/s, peak ${formatCount(throughput.peakProducedPerSecond)}/s`,
    ],
    [
      'Processed',
      `mean ${formatCount(throughput.meanProcessedPerSecond)}/s, peak ${formatCount(throughput.peakProcessedPerSecond)}/s`,
    ],
    ['Rejected by producers', byReason(accounting.rejected, accounting.offered)],
    ['Lost', byReason(accounting.lost, accounting.offered)],
    ['Rebalances', `${formatExact(group.rebalances)} (${formatExact(group.membershipChanges)} membership changes)`],
    [
      'Partitions not consumed (paused or unowned)',
      group.pausedPartitionSeconds === 0
        ? 'never'
        : `${formatSeconds(group.pausedPartitionSeconds)} partition-time in all, longest ${formatSeconds(group.longestPartitionPauseSeconds)}`,
    ],
    ['Duplicates (processed again after a rebalance or crash)', formatExact(group.duplicates)],
    ['Fetch throttled (longest)', group.maxFetchThrottleMs === 0 ? 'never' : formatMs(group.maxFetchThrottleMs)],
    ['Producer buffer (highest, one instance)', formatBytes(producer.maxBufferBytes)],
    ['Time blocked in send() (all instances)', producer.blockedSeconds === 0 ? 'never' : formatSeconds(producer.blockedSeconds)],
    ['Produce throttled (longest)', producer.maxThrottleMs === 0 ? 'never' : formatMs(producer.maxThrottleMs)],
    ['Produce requests retried', formatExact(producer.retries)],
  ];
  return rows;
}

/** "1,237 (0.01% of offered: retention 1,200, offset-reset 37)", or "none". */
function byReason(reasons: Record<string, number>, offered: number): string {
  const total = sum(reasons);
  if (total === 0) return 'none';
  const names = Object.keys(reasons).sort().filter((r) => reasons[r] !== 0);
  const parts = names.map((r) => `${inlineText(r)} ${formatExact(reasons[r])}`);
  return `${formatExact(total)} (${formatPercent(total, offered)} of offered: ${parts.join(', ')})`;
}

function accountingSection(a: Accounting): string[] {
  const rows: string[][] = [];
  const row = (what: string, n: number) => rows.push([what, formatExact(n), formatPercent(n, a.offered)]);
  const byReason = (what: string, reasons: Record<string, number>) => {
    const names = Object.keys(reasons).sort();
    if (names.length === 0) row(what, 0);
    for (const reason of names) row(`${what}: ${inlineText(reason)}`, reasons[reason]);
  };
  row('Offered (handed to producers)', a.offered);
  byReason('Rejected by producer', a.rejected);
  row('Appended to the topic', a.appended);
  row('Processed', a.processed);
  byReason('Lost', a.lost);
  row('Still in the log', a.inLog);
  row('Still in processing', a.inProcessing);
  row('Still in the producer', a.inProducer);

  const rejected = sum(a.rejected);
  const lost = sum(a.lost);
  const producerSide = a.offered - (rejected + a.appended + a.inProducer);
  const consumerSide = a.appended - (a.processed + lost + a.inLog + a.inProcessing);
  const check = (difference: number) => (difference === 0 ? 'balances' : `off by ${formatExact(difference)}`);
  return [
    table(['Records', 'Count', 'Share of offered'], rows, ['left', 'right', 'right']),
    `Offered = rejected + appended + still in the producer (${check(producerSide)}); ` +
      `appended = processed + lost + still in the log + still in processing (${check(consumerSide)}).`,
  ];
}

function sum(values: Record<string, number>): number {
  return Object.values(values).reduce((a, b) => a + b, 0);
}

type Align = 'left' | 'right';

function table(header: string[], rows: string[][], align: Align[] = ['left', 'left']): string {
  const rule = header.map((_, i) => (align[i] === 'right' ? '---:' : '---'));
  return [header, rule, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/**
 * Text for a table cell or a heading, as written except: whitespace runs (newlines included)
 * become one space, `|` is escaped (it would end a table cell) and `<` is written as `&lt;` (it
 * could open raw HTML that swallows what follows).
 */
export function inlineText(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|').replace(/</g, '&lt;');
}

/** As inlineText, and a trailing `#` is escaped so it is not read as a closing heading sequence. */
function headingText(text: string): string {
  return inlineText(text).replace(/#+$/, (hashes) => '\\' + hashes);
}

/**
 * A quoted paragraph for free text. Inline Markdown (emphasis, links, code) is kept, but no line
 * can start a heading, a code fence, a setext underline or raw HTML: those would change the
 * document around the quote. Lists and nested quotes stay, as they cannot escape the blockquote.
 */
export function blockquote(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\s+$/, '')
    .split('\n')
    .map((line) => {
      const escaped = line
        .replace(/</g, '&lt;')
        .replace(/^(\s*)(#|`{3,}|~{3,})/, (_, indent: string, marker: string) => `${indent}\\${marker}`)
        .replace(/^(\s*)([=-]+\s*)$/, (_, indent: string, marker: string) => `${indent}\\${marker}`);
      return escaped.trim() === '' ? '>' : `> ${escaped}`;
    })
    .join('\n');
}

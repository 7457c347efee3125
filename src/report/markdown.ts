/**
 * report.md: what was run, what came out, and the charts, ready to paste into a design doc.
 *
 * Order: title and scenario, the single-run caveat, summary table, record accounting,
 * downstream services, events, charts with a line on how to read each. Text from the scenario
 * (title, description, names) is kept as written but cannot change the document's structure:
 * the description sits in a blockquote with block-starting characters escaped, and one-line
 * fields have newlines, pipes and HTML escaped.
 */
import type { RunResult } from '../metrics/result.js';
import type { Chart, SkippedChart } from './charts.js';
import { formatCount } from './format.js';
import { whyLimited, whyText } from './why.js';
import {
  accountingTable,
  firstStageNote,
  limitsTable,
  stagesTable,
  eventsTable,
  objectivesTable,
  replicationEstimatesTable,
  runsNote,
  scenarioTable,
  servicesTable,
  objectivesNote,
  summaryTable,
  type RunStudy,
  type Table,
} from './tables.js';

export function reportMarkdown(result: RunResult, charts: readonly Chart[], skipped: readonly SkippedChart[] = [], study: RunStudy = {}): string {
  const { scenario, summary } = result;
  const parts: string[] = [];
  parts.push(`# ${headingText(scenario.title || scenario.name)}`);
  if (scenario.description.trim() !== '') parts.push(blockquote(scenario.description));
  parts.push(markdownTable(scenarioTable(result, inlineText)));
  parts.push(runsNote(study.replicated));

  // A pipeline of several stages: its diagram, what limited it, and a row per stage, first.
  const stages = Object.keys(result.topology.groups).length > 1;
  const diagram = charts.find((c) => c.section?.kind === 'pipeline');
  if (diagram !== undefined) parts.push('## Pipeline', `![${diagram.alt}](${diagram.name}.svg)`, `*${diagram.caption}*`);
  if (stages) {
    const why = whyLimited(result);
    const text = whyText(why, inlineText);
    parts.push('## What limited this run', text.bottleneck);
    if (text.limits.length > 0) parts.push('Limits reached, in order:', text.limits.map((l) => `- ${l}`).join('\n'));
    if (text.drains.length > 0) parts.push('Behind at the end:', text.drains.map((l) => `- ${l}`).join('\n'));
    parts.push(markdownTable(limitsTable(result, why, inlineText)));
    parts.push('## Stages', markdownTable(stagesTable(result, inlineText)), firstStageNote(result, inlineText));
  }

  parts.push('## Summary', markdownTable(summaryTable(result, inlineText)));
  const objectives = objectivesTable(study.verdicts ?? [], inlineText);
  if (objectives !== undefined) parts.push('## Objectives', markdownTable(objectives), objectivesNote(study.verdicts ?? []));
  if (study.replicated !== undefined && study.replicated.runs.length > 1) {
    parts.push('## Replications', markdownTable(replicationEstimatesTable(scenario.name, study.replicated, inlineText)));
  }
  const accounting = accountingTable(summary.accounting, inlineText);
  parts.push('## Record accounting', markdownTable(accounting.table), accounting.balance);
  const services = servicesTable(summary, inlineText);
  if (services !== undefined) parts.push('## Downstream services', markdownTable(services));
  const events = eventsTable(result.events, inlineText);
  if (events !== undefined) {
    parts.push('## Events', 'Marked on every chart: a dashed line at the moment, a shaded span for a window.');
    parts.push(markdownTable(events));
  }

  parts.push('## Charts');
  for (const chart of charts.filter((c) => c.section === undefined)) {
    parts.push(`### ${chart.title}`, `![${chart.alt}](${chart.name}.svg)`, `*${chart.caption}*`);
  }
  const stageCharts = charts.filter((c) => c.section?.kind === 'stage');
  if (stageCharts.length > 0) {
    parts.push('## Stage charts');
    for (const chart of stageCharts) parts.push(`### ${headingText(chart.title)}`, `![${chart.alt}](${chart.name}.svg)`, `*${chart.caption}*`);
  }
  if (skipped.length > 0) {
    parts.push('Not drawn, because there was nothing to show:', skipped.map((c) => `- *${c.title}*: ${c.note}`).join('\n'));
  }
  parts.push(
    `Charts are also in \`.png\`, in \`report.html\` (interactive, works offline), and as Vega-Lite specs with their data in \`.vl.json\`. ` +
      `Every sample is in \`timeseries.csv\` and \`partition-lag.csv\`; the numbers above are in \`summary.json\`. ` +
      `The run executed ${formatCount(summary.kernelEvents)} kernel events.`,
  );
  return parts.join('\n\n') + '\n';
}

export function markdownTable({ header, rows, align = [] }: Table): string {
  const rule = header.map((_, i) => ((align[i] ?? 'left') === 'right' ? '---:' : '---'));
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
export function headingText(text: string): string {
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

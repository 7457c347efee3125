/**
 * report.html of one run: the same tables as report.md (tables.ts) and every chart interactive.
 */
import type { RunResult } from '../metrics/result.js';
import type { Chart, SkippedChart } from './charts.js';
import { formatCount } from './format.js';
import { chartSection, heading, htmlTable, list, oneLine, paragraph, quote, renderHtml } from './html.js';
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
} from './tables.js';

/** `pages`, when given, are the charts compiled for the page already (drawing.ts), in chart order. */
export async function reportHtml(
  result: RunResult,
  charts: readonly Chart[],
  skipped: readonly SkippedChart[] = [],
  study: RunStudy = {},
  pages?: readonly unknown[],
): Promise<string> {
  const { scenario, summary } = result;
  const title = scenario.title || scenario.name;
  const body: string[] = [heading(1, title)];
  if (scenario.description.trim() !== '') body.push(quote(scenario.description));
  body.push(htmlTable(scenarioTable(result, oneLine)), paragraph(runsNote(study.replicated), 'note'));
  // A pipeline of several stages: its diagram, what limited it, and a row per stage, first (as report.md).
  const diagram = charts.find((c) => c.section?.kind === 'pipeline');
  if (diagram !== undefined) body.push(heading(2, 'Pipeline'), chartSection(diagram));
  if (Object.keys(result.topology.groups).length > 1) {
    const why = whyLimited(result);
    const text = whyText(why, oneLine);
    body.push(heading(2, 'What limited this run'), paragraph(text.bottleneck));
    if (text.limits.length > 0) body.push(paragraph('Limits reached, in order:'), list(text.limits));
    if (text.drains.length > 0) body.push(paragraph('Behind at the end:'), list(text.drains));
    body.push(htmlTable(limitsTable(result, why, oneLine)));
    body.push(heading(2, 'Stages'), htmlTable(stagesTable(result, oneLine)), paragraph(firstStageNote(result, oneLine), 'note'));
  }
  body.push(heading(2, 'Summary'), htmlTable(summaryTable(result, oneLine)));
  const objectives = objectivesTable(study.verdicts ?? [], oneLine);
  if (objectives !== undefined) body.push(heading(2, 'Objectives'), htmlTable(objectives), paragraph(objectivesNote(study.verdicts ?? []), 'note'));
  if (study.replicated !== undefined && study.replicated.runs.length > 1) {
    body.push(heading(2, 'Replications'), htmlTable(replicationEstimatesTable(scenario.name, study.replicated, oneLine)));
  }
  const accounting = accountingTable(summary.accounting, oneLine);
  body.push(heading(2, 'Record accounting'), htmlTable(accounting.table), paragraph(accounting.balance, 'note'));
  const services = servicesTable(summary, oneLine);
  if (services !== undefined) body.push(heading(2, 'Downstream services'), htmlTable(services));
  const events = eventsTable(result.events, oneLine);
  if (events !== undefined) {
    body.push(heading(2, 'Events'), paragraph('Marked on every chart: a dashed line at the moment, a shaded span for a window.', 'note'));
    body.push(htmlTable(events));
  }
  body.push(heading(2, 'Charts'), paragraph('Hover over a line, a cell or an event mark for its values.', 'note'));
  for (const chart of charts.filter((c) => c.section === undefined)) body.push(chartSection(chart));
  const stageCharts = charts.filter((c) => c.section?.kind === 'stage');
  if (stageCharts.length > 0) body.push(heading(2, 'Stage charts'), ...stageCharts.map(chartSection));
  if (skipped.length > 0) {
    body.push(paragraph('Not drawn, because there was nothing to show:'), list(skipped.map((c) => `${c.title}: ${c.note}`)));
  }
  body.push(paragraph(`The run executed ${formatCount(summary.kernelEvents)} kernel events.`, 'note'));
  return renderHtml({ title, body, charts: pages === undefined ? charts : charts.map((chart, i) => ({ ...chart, page: pages[i] })) });
}

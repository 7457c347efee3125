/**
 * The outputs of a plan, from its PlanResult alone: report.md (the answer, the margin on each
 * objective there, every value tested) and plan.json. Wall times are in plan.json only: they
 * differ between machines, and report.md is kept repeatable like every other report.
 */
import type { OutputFile } from '../report/atomic.js';
import { replaceDirectory } from '../report/atomic.js';
import type { ObjectiveVerdict } from '../metrics/study.js';
import { formatWithUnit } from '../report/format.js';
import type { PlanResult } from './plan.js';

/** In the objective's own unit, as a single run's verdicts and summary read: "20.7k records", "8.19 s", "16.8 ms". */
const inUnit = (v: ObjectiveVerdict, value: number | null) => formatWithUnit(value, v.unit);

function verdictLine(v: ObjectiveVerdict): string {
  const measured = inUnit(v, v.measured);
  const margin = v.margin === null ? 'n/a' : inUnit(v, v.margin);
  const ci = v.interval ? ` (95% CI ${inUnit(v, v.interval.low)} – ${inUnit(v, v.interval.high)})` : '';
  const judged = v.confidence === 'single-run' ? 'single run' : v.confidence;
  return `${v.objective}: measured ${measured}${ci}, margin ${margin}, ${v.pass ? 'pass' : 'fail'} (${judged})`;
}

/** The lines a terminal shows after a plan. */
export function planSummary(result: PlanResult): string {
  const lines = [
    result.answer === null
      ? `no value of ${result.field} from ${result.range.min} to ${result.range.max} meets every objective`
      : `smallest ${result.field} meeting every objective: ${result.answer}`,
    ...result.margins.map((v) => `  ${verdictLine(v)}`),
    `tested ${result.probes.map((p) => `${p.value} ${p.pass ? 'pass' : 'fail'}`).join(', ')} (${result.probes.length} values x ${result.replications} run${result.replications === 1 ? '' : 's'})`,
    ...result.notes.map((n) => `note: ${n}`),
  ];
  return lines.join('\n') + '\n';
}

export function planMarkdown(result: PlanResult): string {
  const rule =
    result.replications === 1
      ? 'single runs: a value passes when every objective does'
      : result.passRule === 'holds'
        ? `${result.replications} replications per value: a value passes when every objective's whole 95% confidence interval is on the passing side`
        : `${result.replications} replications per value: a value passes when every objective's mean does`;
  const objectives = result.probes[0]?.verdicts.map((v) => v.objective) ?? [];
  const table = [
    `| ${result.field} | step | ${objectives.join(' | ')} | all |`,
    `|---|---|${objectives.map(() => '---|').join('')}---|`,
    ...[...result.probes]
      .sort((a, b) => a.value - b.value)
      .map((p) => `| ${p.value} | ${p.reason} | ${p.verdicts.map((v) => `${inUnit(v, v.measured)} ${v.pass ? 'pass' : 'fail'}`).join(' | ')} | ${p.pass ? '**pass**' : 'fail'} |`),
  ];
  return [
    `# Plan: smallest ${result.field}`,
    '',
    result.answer === null ? `**No value from ${result.range.min} to ${result.range.max} meets every objective.**` : `**Answer: ${result.field} = ${result.answer}** (searched ${result.range.min}–${result.range.max}, ${result.search} search).`,
    '',
    ...result.margins.map((v) => `- ${verdictLine(v)}`),
    ...(result.margins.length ? [''] : []),
    `${rule[0].toUpperCase()}${rule.slice(1)}.`,
    '',
    ...result.notes.map((n) => `> Note: ${n}\n`),
    '## Values tested',
    '',
    ...table,
    '',
  ].join('\n');
}

export function planJson(result: PlanResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}

export async function writePlanReport(dir: string, result: PlanResult): Promise<string[]> {
  const files: OutputFile[] = [
    { name: 'report.md', content: planMarkdown(result) },
    { name: 'plan.json', content: planJson(result) },
  ];
  await replaceDirectory(dir, files);
  return files.map((f) => f.name);
}

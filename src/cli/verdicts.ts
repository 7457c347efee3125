/**
 * The objective verdicts `sim` prints: one line per objective with what was measured, the bound,
 * the margin left, PASS or FAIL, and how sure that is; where an objective has alert figures (a lag
 * or per-window objective), also when its series first crossed the bound and for how long in all
 * it was past it, at window resolution (two more columns, only when some objective has them).
 * `--check` also says on stderr, quiet or not, which objectives failed and by how much
 * (`formatFailures`, one line each: the same sentence is a JUnit failure's message).
 */
import type { ObjectiveVerdict } from '../metrics/study.js';
import { formatCount, formatMs, formatSeconds, formatWithUnit } from '../report/format.js';

function formatIn(unit: string, value: number | null): string {
  if (value === null) return 'not measured';
  if (unit === 'ms') return formatMs(value);
  if (unit === 's') return formatSeconds(value);
  return formatCount(value);
}

/** When the figure first crossed its bound ("at 1 min 20 s", "never") and the time past it; "-" for an objective with no series. */
function alertCells(v: ObjectiveVerdict): string[] {
  if (v.alert === undefined) return ['-', '-'];
  const first = v.alert.firstCrossedSeconds;
  return [first === null ? 'never' : `at ${formatSeconds(first)}`, formatSeconds(v.alert.secondsAbove)];
}

const CONFIDENCE: Record<ObjectiveVerdict['confidence'], string> = {
  'single-run': 'single run',
  holds: 'holds (whole 95% CI passes)',
  'on-average': 'on average only (95% CI crosses the bound)',
  fails: 'fails',
};

/** A table of verdicts, columns padded; `runs` is the number of runs they were judged on. */
export function formatVerdicts(verdicts: readonly ObjectiveVerdict[], runs: number): string {
  const alerts = verdicts.some((v) => v.alert !== undefined);
  const header = [
    'objective',
    runs > 1 ? `measured (mean of ${runs} [95% CI])` : 'measured',
    'margin',
    ...(alerts ? [runs > 1 ? 'first crossed (earliest)' : 'first crossed', runs > 1 ? 'time above (mean)' : 'time above'] : []),
    'verdict',
    'confidence',
  ];
  const rows = verdicts.map((v) => [
    v.objective,
    formatIn(v.unit, v.measured) + (v.interval ? ` [${formatIn(v.unit, v.interval.low)}, ${formatIn(v.unit, v.interval.high)}]` : ''),
    v.margin === null ? '-' : formatIn(v.unit, v.margin),
    ...(alerts ? alertCells(v) : []),
    v.pass ? 'PASS' : 'FAIL',
    CONFIDENCE[v.confidence],
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => '  ' + cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const failed = verdicts.filter((v) => !v.pass).length;
  const title = `objectives: ${verdicts.length - failed} of ${verdicts.length} met`;
  return [title, line(header), ...rows.map(line)].join('\n') + '\n';
}

/**
 * Why an objective failed, in one line: "latency p99 <= 5s: measured 9 min 16 s, 9 min 11 s over
 * the bound (5 s)"; with replications the measured figure is the mean, with its 95% interval.
 */
export function failureSentence(v: ObjectiveVerdict): string {
  const bound = formatWithUnit(v.bound, v.unit);
  if (v.measured === null) return `${v.objective}: not measured (no value in ${v.interval === undefined && v.confidence === 'single-run' ? 'the run' : 'every run'}), bound ${bound}`;
  const measured = formatWithUnit(v.measured, v.unit);
  const how = v.interval === undefined ? `measured ${measured}` : `mean ${measured} [95% CI ${formatWithUnit(v.interval.low, v.unit)}, ${formatWithUnit(v.interval.high, v.unit)}]`;
  const margin = v.margin ?? 0;
  if (margin >= 0) return `${v.objective}: ${how}, within the bound (${bound}) on average only: the 95% CI crosses it`;
  const side = v.comparison === 'at-most' ? 'over' : 'under';
  return `${v.objective}: ${how}, ${formatWithUnit(-margin, v.unit)} ${side} the bound (${bound})`;
}

/**
 * What `--check` says on stderr when objectives failed, even with --quiet; empty when none did.
 * `failed` decides which verdicts count as failed (a comparison's `--accept` rule); `label` names a
 * comparison's configuration.
 */
export function formatFailures(verdicts: readonly ObjectiveVerdict[], failed: (v: ObjectiveVerdict) => boolean = (v) => !v.pass, label?: string): string {
  const failures = verdicts.filter(failed);
  if (failures.length === 0) return '';
  const whose = label === undefined ? '' : `${label}: `;
  return [`sim: --check: ${whose}${failures.length} of ${verdicts.length} objectives failed`, ...failures.map((v) => `  ${failureSentence(v)}`)].join('\n') + '\n';
}

/**
 * The objective verdicts `sim` prints: one line per objective with what was measured, the bound,
 * the margin left, PASS or FAIL, and how sure that is; where an objective has alert figures (a lag
 * or per-window objective), also when its series first crossed the bound and for how long in all
 * it was past it, at window resolution (two more columns, only when some objective has them).
 */
import type { ObjectiveVerdict } from '../metrics/study.js';
import { formatCount, formatMs, formatSeconds } from '../report/format.js';

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

/**
 * `--objective FIGURE<=NUMBER` (or `>=`) for sweeps, plans and comparisons: an objective on any
 * numeric figure of a run's summary, named by its path in summary.json
 * (`endToEnd.latency.p99Ms`, `groups.<name>.throughput.meanProcessedPerSecond`, or in a run of one
 * topic and one group the one-stage paths `latency.p99Ms`, `lag.peakRecords`; `accounting.lost` and `accounting.rejected`
 * sum the first stage's books over reasons, `accounting.lostOrRejected` every topic's and group's), judged with
 * the scenario's own objectives by slo/objectives.ts. The number is in the figure's own unit
 * (milliseconds for `...Ms`, seconds for `...Seconds`). A figure no run reports is refused, with
 * the nearest name, when the first configuration is judged.
 */
import type { Replicated } from '../metrics/study.js';
import type { Objective } from '../scenario/schema.js';
import { closest } from '../scenario/suggest.js';
import { SUMMED_FIGURES } from '../slo/objectives.js';
import { figureNames, FigurePathError, resolveFigure } from '../metrics/figures.js';
import { StudyInputError } from './grid.js';
import { figurePaths } from './study.js';

/** `latency.p99Ms<=5000` -> an objective "latency.p99Ms <= 5000" (unit from the figure's name). */
export function parseObjectiveOption(text: string): Objective {
  const m = /^\s*([A-Za-z][\w.-]*)\s*(<=|>=)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i.exec(text);
  if (!m) throw new StudyInputError(`--objective ${text}: expected FIGURE<=NUMBER or FIGURE>=NUMBER, like latency.p99Ms<=5000`);
  const [, figure, op, bound] = m;
  return { objective: `${figure} ${op} ${bound}`, figure, window: false, comparison: op === '<=' ? 'at-most' : 'at-least', bound: Number(bound), unit: unitOf(figure) };
}

/** Throws if an objective names a figure the runs' summaries do not have. */
export function checkObjectiveFigures(objectives: readonly Objective[], result: Replicated): void {
  const known = [...figurePaths(result.runs[0].summary), ...Object.keys(SUMMED_FIGURES)];
  for (const o of objectives) {
    let path: string;
    try {
      path = SUMMED_FIGURES[o.figure] !== undefined ? o.figure : resolveFigure(o.figure, result.runs[0].topology);
    } catch (e) {
      if (e instanceof FigurePathError) throw new StudyInputError(`--objective ${e.message}`);
      throw e;
    }
    if (!known.includes(path)) {
      const near = closest(o.figure, figureNames(known, result.runs[0].topology));
      throw new StudyInputError(
        `--objective ${o.objective}: not a figure of a run's summary${near ? `; did you mean ${near}?` : ''} (figures are named by their path under summary in summary.json, like endToEnd.latency.p99Ms or groups.<group>.lag.peakRecords; with one topic and one group also latency.p99Ms, lag.peakRecords)`,
      );
    }
  }
}

function unitOf(figure: string): string {
  if (/Ms$/.test(figure)) return 'ms';
  if (/Seconds$/.test(figure)) return 's';
  if (/PerSecond$/.test(figure)) return 'records/s';
  if (/Bytes$/.test(figure)) return 'B';
  if (/Records$/.test(figure) || figure.startsWith('accounting.')) return 'records';
  return '';
}

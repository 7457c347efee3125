/**
 * A summary figure named in words for tables and charts that are given it by path (a sweep's
 * `--metric`, an `--objective` on the command line): "End-to-end latency p99" for
 * `latency.p99Ms` or `endToEnd.latency.p99Ms`, "Peak group lag" in records for
 * `groups.order-processor.lag.peakRecords`. The words are the comparison's and the run's
 * replications table's (tables.ts FIGURES), so a figure reads the same in every report; a figure
 * that table does not name is said from its path, its unit suffix (`Ms`, `Seconds`, `Bytes`,
 * `Records`, `PerSecond`) turned into its unit. In a run of several groups or topics the figure
 * says whose it is ("order-processor: peak group lag").
 */
import { resolveFigure, valueAt } from '../metrics/figures.js';
import type { Summary, Topology } from '../metrics/result.js';
import { formatWithUnit } from './format.js';
import { FIGURES, type Figure, type FigureFormat } from './tables.js';

export interface FigureWords {
  /** The figure in words, without its unit: "End-to-end latency p99", "Peak group lag". */
  label: string;
  /** How its values are written: as tables.ts writes them. */
  format: FigureFormat;
  /**
   * The unit its values are in: 'ms', 's', 'bytes', 'share' (a fraction of 1), or for a count the
   * thing counted ('records', 'records/s'; '' for a plain number).
   */
  unit: string;
}

/** `label (unit)` for a count ("Peak group lag (records)"); a duration or size carries its unit in each value, so its label stands alone. */
export function figureHeader(words: FigureWords): string {
  return (words.format === 'count' || words.format === 'exact') && words.unit !== '' ? withUnit(words.label, words.unit) : words.label;
}

/** "End-to-end latency p99 (min)"; "Time to drain (to 10% of peak), min" when the label already ends in brackets. */
export function withUnit(label: string, unit: string): string {
  if (unit === '') return label;
  return label.endsWith(')') ? `${label}, ${unit}` : `${label} (${unit})`;
}

/** The figure at `path` (a summary path, or a one-stage one this run resolves) in words. */
export function figureWords(path: string, topology: Topology): FigureWords {
  let full: string;
  try {
    full = resolveFigure(path, topology);
  } catch {
    full = path; // names no single group or topic here: said from the path as given
  }
  const { owner, rest } = ownerOf(full, topology);
  const known = FIGURES.find((f) => f.path === rest) ?? MORE_FIGURES.find((f) => f.path === rest);
  const unit = unitOf(full, known?.format);
  const format = known?.format ?? formatOf(unit);
  let label = known ? stripUnit(known.label, unit) : fromPath(rest);
  if (owner !== undefined) label = `${owner}: ${label[0].toLowerCase()}${label.slice(1)}`;
  return { label, format, unit };
}

/**
 * An objective in words where it was named by its figure's path (`latency.p99Ms <= 50` from the
 * command line): "End-to-end latency p99 ≤ 50 ms". An objective the scenario states keeps its own
 * name ("latency p99 <= 5s"), which is already in words.
 */
export function objectiveWords(objective: { objective: string; figure: string; comparison: 'at-most' | 'at-least'; bound: number; unit: string }, topology: Topology): string {
  if (!objective.objective.startsWith(`${objective.figure} `)) return objective.objective;
  const words = SUMMED_WORDS[objective.figure] ?? figureWords(objective.figure, topology).label;
  return `${words} ${objective.comparison === 'at-most' ? '≤' : '≥'} ${formatWithUnit(objective.bound, objective.unit)}`;
}

/**
 * Why a figure has no value in a run, in a few words for a table's cell or a chart's legend:
 * "never drained", "no lag built up", "no record completed".
 */
export function whyNoValue(path: string, summary: Summary, topology: Topology): string {
  let full: string;
  try {
    full = resolveFigure(path, topology);
  } catch {
    full = path;
  }
  if (/\.timeToDrainSeconds$/.test(full)) {
    const peak = valueAt(summary, full.replace(/timeToDrainSeconds$/, 'peakRecords'));
    return peak === 0 ? 'no lag built up' : 'never drained';
  }
  if (/(^|\.)(latency|inTopic|inProcessing)\.[a-z0-9]+Ms$/.test(full)) return 'no record completed';
  return 'not measured';
}

/** Figures the comparison's table leaves out that a sweep may well chart. */
const MORE_FIGURES: readonly Figure[] = [
  ...(['p50', 'p95', 'p99', 'p999', 'max'] as const).map((q) => ({
    path: `group.latency.${q}Ms`,
    label: `Stage latency ${q === 'p999' ? 'p99.9' : q}`,
    format: 'ms' as const,
  })),
  { path: 'lag.peakAtSeconds', label: 'Time of the peak group lag', format: 'seconds' },
  { path: 'throughput.meanProducedPerSecond', label: 'Produced, mean (records/s)', format: 'count' },
  { path: 'throughput.peakProducedPerSecond', label: 'Produced, peak (records/s)', format: 'count' },
];

/** The figures an objective may sum over (slo/objectives.ts SUMMED_FIGURES), in words. */
const SUMMED_WORDS: Record<string, string> = {
  'accounting.lost': 'Records lost',
  'accounting.rejected': 'Records rejected',
  'accounting.lostOrRejected': 'Records lost or rejected',
};

/** The component a v2 path belongs to (when the run has several of its kind) and the one-stage path of the rest. */
function ownerOf(path: string, topology: Topology): { owner?: string; rest: string } {
  for (const [kind, names] of [
    ['groups', Object.keys(topology.groups)],
    ['topics', Object.keys(topology.topics)],
    ['services', Object.keys(topology.services)],
  ] as const) {
    // The longest name that prefixes the path: names may hold dots.
    const name = names.filter((n) => path.startsWith(`${kind}.${n}.`)).sort((a, b) => b.length - a.length)[0];
    if (name === undefined) continue;
    const rest = path.slice(kind.length + name.length + 2);
    const owner = kind === 'services' || names.length > 1 ? name : undefined;
    if (kind === 'groups') return { owner, rest: /^(lag|throughput)\./.test(rest) ? rest : `group.${rest}` };
    if (kind === 'topics') return { owner, rest: /^(producer|throughput)\./.test(rest) ? rest : `topic.${rest}` };
    return { owner, rest };
  }
  if (path.startsWith('endToEnd.')) return { rest: path.slice('endToEnd.'.length) };
  return { rest: path };
}

function unitOf(path: string, format: FigureFormat | undefined): string {
  if (format === 'ms' || /Ms$/.test(path)) return 'ms';
  if (format === 'seconds' || /Seconds$/.test(path)) return 's';
  if (format === 'bytes' || /Bytes$/.test(path)) return 'bytes';
  if (format === 'percent' || /Fraction$/.test(path)) return 'share';
  if (/PerSecond$/.test(path)) return 'records/s';
  if (/Records$/.test(path) || /^accounting\./.test(path) || /\.books\./.test(path)) return 'records';
  return '';
}

function formatOf(unit: string): FigureFormat {
  if (unit === 'ms') return 'ms';
  if (unit === 's') return 'seconds';
  if (unit === 'bytes') return 'bytes';
  if (unit === 'share') return 'percent';
  return 'count';
}

/** "Peak group lag (records)" -> "Peak group lag" when records is the unit. */
function stripUnit(label: string, unit: string): string {
  const suffix = ` (${unit})`;
  return unit !== '' && label.endsWith(suffix) ? label.slice(0, -suffix.length) : label;
}

/** `group.maxFetchThrottleMs` -> "Max fetch throttle"; `accounting.lost.retention` -> "Lost: retention". */
function fromPath(path: string): string {
  const reason = /^accounting\.(lost|rejected)\.(.+)$/.exec(path);
  if (reason) return `${reason[1] === 'lost' ? 'Lost' : 'Rejected'}: ${reason[2]}`;
  const words = path
    .replace(/^(group|topic)\./, '')
    .split('.')
    .map((s) => s.replace(/(Ms|Seconds|Bytes|Records|PerSecond|Fraction)$/, '').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase())
    .filter((s) => s !== '')
    .join(' ');
  return words === '' ? path : words[0].toUpperCase() + words.slice(1);
}

/**
 * Figures and series by path. A run's figures are named by their dotted path in
 * `RunResult.summary` (`groups.order-processor.lag.peakRecords`, `endToEnd.latency.p99Ms`,
 * `services.payments.latency.p99Ms`, `topics.orders.producer.blockedSeconds`), its series by
 * their path in `RunResult.series` (`groups.order-processor.lag`, `endToEnd.latencyP99`).
 *
 * Paths from before results were keyed by component (`lag.peakRecords`, `latency.p99Ms`,
 * `group.rebalances`, series `groupLag`, `latencyP99`) keep working where they name one thing:
 * in a run with one topic and one group they resolve to that topic's or group's path. In a run
 * with more, they are refused with a message naming the paths to use instead.
 */
import type { Topology } from './result.js';

/** A path that cannot be resolved against the run's topology; the message names what to use. */
export class FigurePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FigurePathError';
  }
}

/** First segment of an old summary path -> where it lives now. */
const SUMMARY_MOVES: Record<string, (rest: string) => { kind: 'topic' | 'group' | 'endToEnd'; path: string }> = {
  lag: (rest) => ({ kind: 'group', path: `lag.${rest}` }),
  latency: (rest) => ({ kind: 'endToEnd', path: `latency.${rest}` }),
  group: (rest) => ({ kind: 'group', path: rest }),
  producer: (rest) => ({ kind: 'topic', path: `producer.${rest}` }),
  throughput: (rest) => ({ kind: /Produced/.test(rest) ? 'topic' : 'group', path: `throughput.${rest}` }),
};

/** Old series names -> where they live now. */
const SERIES_MOVES: Record<string, { kind: 'topic' | 'group' | 'endToEnd'; name: string }> = {
  producedRate: { kind: 'topic', name: 'producedRate' },
  appendedRate: { kind: 'topic', name: 'appendedRate' },
  producerBufferBytes: { kind: 'topic', name: 'producerBufferBytes' },
  producerBlocked: { kind: 'topic', name: 'producerBlocked' },
  rejectedRate: { kind: 'topic', name: 'rejectedRate' },
  processedRate: { kind: 'group', name: 'processedRate' },
  groupLag: { kind: 'group', name: 'lag' },
  maxPartitionLag: { kind: 'group', name: 'maxPartitionLag' },
  lagSeconds: { kind: 'group', name: 'lagSeconds' },
  consumers: { kind: 'group', name: 'consumers' },
  pausedPartitions: { kind: 'group', name: 'pausedPartitions' },
  unownedPartitions: { kind: 'group', name: 'unownedPartitions' },
  lostRate: { kind: 'group', name: 'lostRate' },
  latencyP50: { kind: 'endToEnd', name: 'latencyP50' },
  latencyP95: { kind: 'endToEnd', name: 'latencyP95' },
  latencyP99: { kind: 'endToEnd', name: 'latencyP99' },
  latencyMax: { kind: 'endToEnd', name: 'latencyMax' },
};

function place(kind: 'topic' | 'group' | 'endToEnd', rest: string, topology: Topology, old: string): string {
  if (kind === 'endToEnd') return `endToEnd.${rest}`;
  const names = Object.keys(kind === 'topic' ? topology.topics : topology.groups);
  const plural = kind === 'topic' ? 'topics' : 'groups';
  if (names.length === 1) return `${plural}.${names[0]}.${rest}`;
  throw new FigurePathError(
    `${old} names no ${kind}: this run has ${names.length} ${plural} (${names.join(', ')}); name one, like ${names.map((n) => `${plural}.${n}.${rest}`).join(' or ')}`,
  );
}

/** The summary path a figure names in this run (an old one-stage path resolved; others as given). */
export function resolveFigure(path: string, topology: Topology): string {
  const dot = path.indexOf('.');
  const head = dot < 0 ? path : path.slice(0, dot);
  const move = SUMMARY_MOVES[head];
  if (move === undefined || dot < 0) return path;
  const to = move(path.slice(dot + 1));
  return place(to.kind, to.path, topology, path);
}

/** The series path a per-window figure names in this run. */
export function resolveSeries(name: string, topology: Topology): string {
  const move = SERIES_MOVES[name];
  return move === undefined ? name : place(move.kind, move.name, topology, name);
}

/** The value at a dotted path in a plain object tree (undefined when there is none). Keys may hold dots only as the last segments' separators. */
export function valueAt(tree: unknown, path: string): unknown {
  let node: unknown = tree;
  let rest = path;
  while (rest !== '') {
    if (node === null || typeof node !== 'object') return undefined;
    const obj = node as Record<string, unknown>;
    // A component's name may itself contain dots: take the longest key that prefixes the path.
    let key = '';
    for (const k of Object.keys(obj)) if ((rest === k || rest.startsWith(k + '.')) && k.length > key.length) key = k;
    if (key === '') return undefined;
    node = obj[key];
    rest = rest.slice(key.length + 1);
  }
  return node;
}

/** Every old one-stage summary path's new place, for a run with one topic and one group (the golden check, docs). */
export function legacyFigurePaths(): readonly string[] {
  return Object.keys(SUMMARY_MOVES);
}

export function legacySeriesNames(): readonly string[] {
  return Object.keys(SERIES_MOVES);
}

/** A series of the run by its path, or by its one-stage name (`groupLag`, `latencyP99`). */
export function seriesOf(result: { series: unknown; topology: Topology }, name: string): (number | null)[] {
  const values = valueAt(result.series, resolveSeries(name, result.topology));
  if (!Array.isArray(values)) throw new Error(`internal: no series ${name} in the run`);
  return values as (number | null)[];
}

/**
 * The names a figure may be given in this run: every v2 path, and where the run has one topic
 * and one group, the one-stage path that resolves to it (for "did you mean" suggestions).
 */
export function figureNames(paths: readonly string[], topology: Topology): string[] {
  const names = [...paths];
  for (const p of paths) {
    const aliases: string[] = [];
    for (const g of Object.keys(topology.groups)) {
      const prefix = `groups.${g}.`;
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      aliases.push(/^(lag|throughput)\./.test(rest) ? rest : `group.${rest}`);
    }
    for (const t of Object.keys(topology.topics)) if (p.startsWith(`topics.${t}.`)) aliases.push(p.slice(`topics.${t}.`.length));
    if (p.startsWith('endToEnd.')) aliases.push(p.slice('endToEnd.'.length));
    for (const a of aliases) {
      try {
        if (resolveFigure(a, topology) === p) names.push(a);
      } catch {
        // Names no single group or topic in this run: not a name to suggest.
      }
    }
  }
  return names;
}

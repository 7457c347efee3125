/**
 * The grid of a sweep: which scenario fields vary and over which values, the points of their
 * cartesian product in a fixed order, and which of them a shard runs.
 *
 * Order of points: the first `--grid` given is the outermost loop and the last varies fastest,
 * like nested for-loops written in the order given. Point indexes (0-based) follow this order;
 * shard i of n runs the points whose index is i - 1 modulo n, which spreads cheap and expensive
 * corners of the grid over every shard.
 *
 * Values stay strings: the scenario factory parses them the way a scenario file would
 * (`500ms`, `20k/s`, `24`), so a grid can vary any field, not only numbers.
 */
import { gridDuplicatePath, gridEmptyValue, gridRange, gridSyntax, gridTooLarge, shardSyntax } from './messages.js';

/** A mistake in how a study was asked for: its message is for the user; exit code 2. */
export class StudyInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StudyInputError';
  }
}

export interface GridAxis {
  /** Path of the scenario field, as the user wrote it (`consumer-groups.0.instances`). */
  path: string;
  values: string[];
}

export interface Assignment {
  path: string;
  value: string;
}

export interface GridPoint {
  /** 0-based position in the grid's order. */
  index: number;
  assignments: Assignment[];
  /** Short name for tables and errors: `instances=8, partitions=48`. */
  label: string;
  /** The overrides that make this point from the base, as `path=value`. */
  overrides: string[];
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** More points than this is almost always a mistake in a range. */
export const MAX_GRID_POINTS = 100_000;

/** Parses `path=a..b`, `path=a..b:step` or `path=a,b,c`. */
export function parseGridAxis(arg: string): GridAxis {
  const eq = arg.indexOf('=');
  const path = eq > 0 ? arg.slice(0, eq).trim() : '';
  const spec = eq > 0 ? arg.slice(eq + 1).trim() : '';
  if (path === '' || spec === '') throw new StudyInputError(gridSyntax(arg));
  const range = /^(-?\d+)\s*\.\.\s*(-?\d+)(?:\s*:\s*(\d+))?$/.exec(spec);
  if (range) {
    const from = Number(range[1]);
    const to = Number(range[2]);
    const step = range[3] === undefined ? 1 : Number(range[3]);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new StudyInputError(gridRange(arg, 'range bounds are too large'));
    if (from > to) throw new StudyInputError(gridRange(arg, `the range is empty: ${from} is above ${to}`));
    if (step < 1) throw new StudyInputError(gridRange(arg, 'the step must be at least 1'));
    const count = Math.floor((to - from) / step) + 1;
    if (count > MAX_GRID_POINTS) throw new StudyInputError(gridTooLarge(count, MAX_GRID_POINTS));
    return { path, values: Array.from({ length: count }, (_, i) => String(from + i * step)) };
  }
  if (spec.includes('..')) throw new StudyInputError(gridSyntax(arg));
  const values = splitList(spec);
  if (values.some((v) => v === '')) throw new StudyInputError(gridEmptyValue(arg));
  return { path, values };
}

/** Splits `a,b,{ dist: exponential, mean: 2ms }` at the commas outside brackets and quotes. */
function splitList(spec: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push(spec.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(spec.slice(start).trim());
  return out;
}

/** Every point of the grid, in order (first axis outermost, last fastest). */
export function gridPoints(grid: readonly GridAxis[]): GridPoint[] {
  const seen = new Set<string>();
  for (const axis of grid) {
    if (seen.has(axis.path)) throw new StudyInputError(gridDuplicatePath(axis.path));
    seen.add(axis.path);
  }
  const total = grid.reduce((n, a) => n * a.values.length, 1);
  if (total > MAX_GRID_POINTS) throw new StudyInputError(gridTooLarge(total, MAX_GRID_POINTS));
  const names = axisNames(grid);
  const points: GridPoint[] = [];
  for (let index = 0; index < total; index++) {
    let rest = index;
    const assignments: Assignment[] = new Array(grid.length);
    for (let a = grid.length - 1; a >= 0; a--) {
      const n = grid[a].values.length;
      assignments[a] = { path: grid[a].path, value: grid[a].values[rest % n] };
      rest = Math.floor(rest / n);
    }
    points.push({
      index,
      assignments,
      label: assignments.map((x, a) => `${names[a]}=${x.value}`).join(', '),
      overrides: assignments.map((x) => `${x.path}=${x.value}`),
    });
  }
  return points;
}

/**
 * Short names of the axes for labels and table headers: the last segment of each path
 * (`instances`), or the whole path where two axes would share a short name.
 */
export function axisNames(grid: readonly GridAxis[]): string[] {
  const short = grid.map((a) => lastSegment(a.path));
  return grid.map((a, i) => (short.filter((s) => s === short[i]).length > 1 ? a.path : short[i]));
}

function lastSegment(path: string): string {
  // A Kafka key is one name however many dots it has: `...config.max.poll.records`.
  const config = /(?:^|\.)config\.([^[\]"]+)$/.exec(path);
  if (config) return config[1];
  const bracket = /\[\s*"([^"]*)"\s*\]$/.exec(path);
  if (bracket) return bracket[1];
  const parts = path.split(/[.[\]]+/).filter((p) => p !== '' && !/^\d+$/.test(p));
  return parts.length ? parts[parts.length - 1] : path;
}

/** Parses `i/n` (1-based). */
export function parseShard(arg: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(arg);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) throw new StudyInputError(shardSyntax(arg));
  return { index, count };
}

/** Whether shard `shard` runs the point with this index. */
export function inShard(index: number, shard: Shard | undefined): boolean {
  return shard === undefined || index % shard.count === shard.index - 1;
}

/**
 * Recorded rates to replay as a producer's rate: a CSV of (time, rate) rows, or the JSON a
 * Prometheus range query returns (`/api/v1/query_range`, resultType `matrix`), read into the
 * plain data before validation (load.ts), like config files (client-config.ts):
 *
 *   rate:
 *     series:
 *       file: black-friday.json   # or .csv; relative to the scenario file
 *       scale: 2                  # every rate times 2 (default 1)
 *       skip: 2h                  # the run starts 2 h into the recording (default 0)
 *       delay: 1m                 # the recording starts 1 min into the run (default 0)
 *
 * The file becomes `points: [[seconds, records per second], ...]`, which may also be written
 * inline. Each value is the mean rate over the step that ends at its time, as a Prometheus
 * `rate(...[step])` sample is (and a dashboard's per-interval rate), so the replayed rate is
 * piecewise constant: a point holds from the previous point's time to its own, and the first
 * holds for the step before it (as long as the second step). The records offered are then the
 * sum of rate x step, what `increase()` over the same steps would say. Outside the recording the
 * rate is 0.
 *
 * CSV: rows `time,rate` (a header row, blank lines and `#` comments are skipped; further columns
 * are ignored). A time is a number of seconds (Unix time or any other origin: only differences
 * count) or an ISO 8601 date-time (`2024-11-29T10:00:00Z`; with no zone it is UTC, so a run does
 * not depend on the machine's time zone). Prometheus: every series of the result is summed per
 * timestamp (a range query's series share their timestamps), so `rate(x[1m])` by partition
 * replays as the topic's rate; a sample that is not a finite number (`NaN`, `+Inf`) is refused.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { FilePosition } from './properties.js';

export interface SeriesText {
  /** [time in seconds, rate in records per second], times strictly increasing. */
  points: [number, number][];
  problems: { at: FilePosition; message: string }[];
}

/** Reads a series file, CSV or Prometheus JSON (told apart by a leading `{`). */
export function parseSeries(text: string): SeriesText {
  return /^\s*\{/.test(text) ? parsePrometheus(text) : parseCsv(text);
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Seconds from a CSV time field, or undefined. */
function timeOf(field: string): number | undefined {
  if (NUMBER.test(field)) return Number(field);
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(:\d{2}(\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(field);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[5] ?? 'Z'}`);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

function unquote(field: string): string {
  const f = field.trim();
  return f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1).trim() : f;
}

export function parseCsv(text: string): SeriesText {
  const points: [number, number][] = [];
  const problems: SeriesText['problems'] = [];
  const lines = text.split(/\r\n|\r|\n/);
  let first = true;
  lines.forEach((raw, i) => {
    const line = raw.replace(/^\uFEFF/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const fields = line.split(',');
    const at = (k: number): FilePosition => ({ line: i + 1, col: fields.slice(0, k).reduce((c, f) => c + f.length + 1, 0) + 1 + (fields[k].length - fields[k].trimStart().length) });
    const header = first;
    first = false;
    if (fields.length < 2) {
      problems.push({ at: { line: i + 1, col: 1 }, message: 'expected a row "time,rate" (seconds or an ISO 8601 date-time, then records per second)' });
      return;
    }
    const tf = unquote(fields[0]);
    const vf = unquote(fields[1]);
    const t = timeOf(tf);
    // A first row that is not data is the header.
    if (header && t === undefined && !NUMBER.test(vf)) return;
    if (t === undefined) {
      problems.push({ at: at(0), message: `expected a time: seconds or an ISO 8601 date-time like 2024-11-29T10:00:00Z, got ${JSON.stringify(tf)}` });
      return;
    }
    const v = NUMBER.test(vf) ? Number(vf) : NaN;
    if (!(v >= 0) || !Number.isFinite(v)) {
      problems.push({ at: at(1), message: `expected a rate: a number of records per second >= 0, got ${JSON.stringify(vf)}` });
      return;
    }
    const prev = points[points.length - 1];
    if (prev !== undefined && !(t > prev[0])) {
      problems.push({ at: at(0), message: `expected times that increase row by row, got ${tf} after ${prev[0]} s` });
      return;
    }
    points.push([t, v]);
  });
  if (problems.length === 0 && points.length < 2) problems.push({ at: { line: 1, col: 1 }, message: `expected at least 2 rows of time,rate (a step is the time between two), got ${points.length}` });
  return { points, problems };
}

/** Where `path` is in a JSON text, read with yaml (JSON is YAML) only when there is a problem to show. */
function positionIn(text: string, path: readonly (string | number)[]): FilePosition {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, logLevel: 'silent' });
  let node: unknown = doc.contents;
  for (const segment of path) {
    const next = (node as { get?: (k: unknown, keep: boolean) => unknown } | null)?.get?.(segment, true);
    if (next === undefined) break;
    node = next;
  }
  const offset = (node as { range?: [number] } | null)?.range?.[0] ?? 0;
  const { line, col } = lineCounter.linePos(offset);
  return { line: Math.max(1, line), col: Math.max(1, col) };
}

export function parsePrometheus(text: string): SeriesText {
  const problem = (path: (string | number)[], message: string): SeriesText => ({ points: [], problems: [{ at: positionIn(text, path), message }] });
  let json: any;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { points: [], problems: [{ at: { line: 1, col: 1 }, message: `expected the JSON of a Prometheus range query: ${e instanceof Error ? e.message : String(e)}` }] };
  }
  if (json?.status !== 'success') return problem(['status'], `expected a Prometheus result with "status": "success", got ${JSON.stringify(json?.status)}`);
  if (json.data?.resultType !== 'matrix') {
    return problem(['data', 'resultType'], `expected "resultType": "matrix", the result of a range query (/api/v1/query_range), got ${JSON.stringify(json.data?.resultType)}`);
  }
  const result = json.data.result;
  if (!Array.isArray(result) || result.length === 0) return problem(['data', 'result'], 'expected at least one series in data.result');
  const sums = new Map<number, number>();
  for (let s = 0; s < result.length; s++) {
    const values = result[s]?.values;
    if (!Array.isArray(values)) return problem(['data', 'result', s], 'expected "values": [[unix time, "value"], ...]');
    for (let k = 0; k < values.length; k++) {
      const pair = values[k];
      const ts = Array.isArray(pair) ? pair[0] : undefined;
      const raw = Array.isArray(pair) ? pair[1] : undefined;
      const v = typeof raw === 'string' && NUMBER.test(raw) ? Number(raw) : typeof raw === 'number' ? raw : NaN;
      if (typeof ts !== 'number' || !Number.isFinite(ts)) return problem(['data', 'result', s, 'values', k], `expected [unix time, "value"], got ${JSON.stringify(pair)}`);
      if (!Number.isFinite(v) || v < 0) return problem(['data', 'result', s, 'values', k, 1], `expected a rate: a finite number of records per second >= 0, got ${JSON.stringify(raw)}`);
      sums.set(ts, (sums.get(ts) ?? 0) + v);
    }
  }
  const points = [...sums.entries()].sort((a, b) => a[0] - b[0]);
  if (points.length < 2) return problem(['data', 'result'], `expected at least 2 timestamps (a step is the time between two), got ${points.length}`);
  return { points, problems: [] };
}

/**
 * Quantities with units as scenario authors write them: durations (`250ms`, `5m`), sizes
 * (`16KiB`, `1MB`), rates (`120k/s`, `300/min`).
 *
 * Durations come back in microseconds (the kernel's tick), possibly fractional (a distribution
 * parameter such as a 0.5 us mean is allowed; simulated instants are rounded where they are
 * made). Sizes come back in bytes, rates in records per second. Each parser returns `undefined`
 * for text it does not understand, so the schema can report what was expected.
 */

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1_000,
  MB: 1_000_000,
  GB: 1_000_000_000,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

const RATE_MULTIPLIERS: Record<string, number> = { '': 1, k: 1_000, K: 1_000, M: 1_000_000 };
const RATE_PER: Record<string, number> = { s: 1, sec: 1, min: 1 / 60, m: 1 / 60, h: 1 / 3600 };

const COUNT_MULTIPLIERS: Record<string, number> = { '': 1, k: 1_000, K: 1_000, M: 1_000_000, G: 1_000_000_000 };

const NUMBER = '(\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)';
// A duration is one or more parts, each a number and a unit, largest unit first and each unit
// at most once: `250ms`, `1h30m`, `2m 30s`. One capture group per part, in this order.
const DURATION_PARTS: readonly [units: string, us: number][] = [
  ['d', 86_400_000_000],
  ['h', 3_600_000_000],
  ['min|m', 60_000_000],
  ['s', 1_000_000],
  ['ms', 1_000],
  ['us|µs', 1],
];
/** The whole duration syntax as a regular expression source (also the JSON Schema's pattern). */
export const DURATION_PATTERN = `^\\s*(?=\\d)${DURATION_PARTS.map(([u]) => `(?:${NUMBER}\\s*(?:${u})\\s*)?`).join('')}$`;
const DURATION_RE = new RegExp(DURATION_PATTERN, 'u');
const SIZE_RE = new RegExp(`^${NUMBER}\\s*(B|KB|MB|GB|KiB|MiB|GiB)$`);
const RATE_RE = new RegExp(`^${NUMBER}\\s*(k|K|M)?\\s*/\\s*(s|sec|min|m|h)$`);
const COUNT_RE = new RegExp(`^${NUMBER}\\s*(k|K|M|G)?$`);

export const DURATION_EXAMPLE = 'a duration with a unit, like 250ms, 30s, 5m, 2h or 1h30m (us, ms, s, m, h, d)';
export const SIZE_EXAMPLE = 'a size with a unit, like 512B, 16KiB, 1MiB, 1MB';
export const RATE_EXAMPLE = 'a rate like 20k/s, 1.5M/s, 300/min';
export const COUNT_EXAMPLE = 'a count like 500, 250k, 1.5M';

/**
 * "250ms" -> 250000, "1h30m" -> 5400000000 (us). Plain numbers are not accepted here: a duration
 * needs its unit.
 */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_RE.exec(text);
  if (!m) return undefined;
  let us = 0;
  DURATION_PARTS.forEach(([, unit], k) => {
    if (m[k + 1] !== undefined) us += Number(m[k + 1]) * unit;
  });
  return finite(us);
}

/** "16KiB" -> 16384 (bytes). */
export function parseSize(text: string): number | undefined {
  const m = SIZE_RE.exec(text.trim());
  return m ? finite(Number(m[1]) * SIZE_UNITS[m[2]]) : undefined;
}

/** "120k/s" -> 120000 (records per second). */
export function parseRate(text: string): number | undefined {
  const m = RATE_RE.exec(text.trim());
  return m ? finite(Number(m[1]) * RATE_MULTIPLIERS[m[2] ?? ''] * RATE_PER[m[3]]) : undefined;
}

/** "250k" -> 250000, "1.5M" -> 1500000 (records, rebalances, ...). */
export function parseCount(text: string): number | undefined {
  const m = COUNT_RE.exec(text.trim());
  return m ? finite(Number(m[1]) * COUNT_MULTIPLIERS[m[2] ?? '']) : undefined;
}

/** Human form of a count: 1500000 -> "1.5M", 250000 -> "250k", 12 -> "12". */
export function formatCountShort(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1_000_000_000) return `${trim(n / 1_000_000_000)}G`;
  if (abs >= 1_000_000) return `${trim(n / 1_000_000)}M`;
  if (abs >= 1_000) return `${trim(n / 1_000)}k`;
  return `${trim(n)}`;
}

/** A number too large for a double ("1e999s") is not understood, rather than infinite. */
function finite(v: number): number | undefined {
  return Number.isFinite(v) ? v : undefined;
}

/** Human form of a duration in us, for messages and chart labels: 90000000 -> "1.5m". */
export function formatDuration(us: number): string {
  const abs = Math.abs(us);
  if (abs >= 3_600_000_000) return `${trim(us / 3_600_000_000)}h`;
  if (abs >= 60_000_000) return `${trim(us / 60_000_000)}m`;
  if (abs >= 1_000_000) return `${trim(us / 1_000_000)}s`;
  if (abs >= 1_000) return `${trim(us / 1_000)}ms`;
  return `${trim(us)}us`;
}

/** Human form of a rate in records/s: 120000 -> "120k/s". */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1_000_000) return `${trim(perSecond / 1_000_000)}M/s`;
  if (perSecond >= 1_000) return `${trim(perSecond / 1_000)}k/s`;
  return `${trim(perSecond)}/s`;
}

function trim(x: number): string {
  return String(Math.round(x * 100) / 100);
}

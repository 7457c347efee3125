/**
 * Numbers and durations for people to read in report.md: "1.23M", "4.5 s", "12.3 ms".
 *
 * Everything goes through toPrecision/toFixed and hand-written grouping, never toLocaleString or
 * Intl, so a report is byte-identical whatever the machine's locale.
 */

const NOT_AVAILABLE = 'n/a';

/** Three significant digits, trailing zeros dropped: 12.30 -> "12.3", 1500 -> "1500". */
function significant(value: number, digits = 3): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs < 0.001) return value < 0 ? '>-0.001' : '<0.001';
  // toPrecision switches to exponent notation once the rounded value reaches 10^digits.
  const text =
    Math.abs(Number(value.toPrecision(digits))) >= 10 ** digits ? Math.round(value).toString() : value.toPrecision(digits);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

const COUNT_UNITS: [number, string][] = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** A count or rate for reading at a glance: 999, 1.23k, 45.6M. */
export function formatCount(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NOT_AVAILABLE;
  const abs = Math.abs(value);
  for (let u = 0; u < COUNT_UNITS.length; u++) {
    const [size, suffix] = COUNT_UNITS[u];
    if (abs >= size) {
      const scaled = significant(value / size);
      // 999,950 rounds to "1000k": step up to the next unit instead.
      if (Math.abs(Number(scaled)) >= 1000 && u > 0) return significant(value / COUNT_UNITS[u - 1][0]) + COUNT_UNITS[u - 1][1];
      return scaled + suffix;
    }
  }
  const small = significant(value);
  if (Math.abs(Number(small)) >= 1000) return significant(value / 1e3) + 'k';
  return small;
}

/** An exact integer with thousands separators: 1234567 -> "1,234,567". */
export function formatExact(value: number): string {
  if (!Number.isFinite(value)) return NOT_AVAILABLE;
  const sign = value < 0 ? '-' : '';
  const [whole, fraction] = Math.abs(value).toString().split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return sign + grouped + (fraction === undefined ? '' : '.' + fraction);
}

/** A span of time: "450 ms", "4.5 s", "12 min 5 s", "2 h 3 min". */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return NOT_AVAILABLE;
  const abs = Math.abs(seconds);
  const sign = seconds < 0 ? '-' : '';
  if (abs === 0) return '0 s';
  if (abs < 0.9995) return sign + significant(abs * 1000) + ' ms';
  if (abs < 59.95) return sign + significant(abs) + ' s';
  const whole = Math.round(abs);
  if (whole < 3600) {
    const m = Math.floor(whole / 60);
    const s = whole % 60;
    return sign + (s === 0 ? `${m} min` : `${m} min ${s} s`);
  }
  const minutes = Math.round(abs / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return sign + (m === 0 ? `${h} h` : `${h} h ${m} min`);
}

/** A latency given in milliseconds: "0.85 ms", "12.3 ms", "2.35 s". */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return NOT_AVAILABLE;
  if (Math.abs(ms) < 999.5) return significant(ms) + ' ms';
  return formatSeconds(ms / 1000);
}

/**
 * A share of a whole: "12.3%"; "<0.1%" for a tiny non-zero part and ">99.9%" for all but a tiny
 * part, so a share that is not exactly none or all never reads as "0%" or "100%".
 */
export function formatPercent(part: number, whole: number): string {
  if (whole === 0 || !Number.isFinite(part) || !Number.isFinite(whole)) return NOT_AVAILABLE;
  if (part === 0) return '0%';
  if (part === whole) return '100%';
  const percent = (part / whole) * 100;
  if (Math.abs(percent) < 0.1) return '<0.1%';
  if (percent > 99.9 && percent < 100) return '>99.9%';
  return significant(percent) + '%';
}

const BYTE_UNITS: [number, string][] = [
  [1024 ** 3, 'GiB'],
  [1024 ** 2, 'MiB'],
  [1024, 'KiB'],
];

/** Bytes in binary units, as Kafka's memory settings are usually chosen: 33554432 -> "32 MiB". */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return NOT_AVAILABLE;
  for (const [size, unit] of BYTE_UNITS) {
    if (Math.abs(bytes) >= size) return `${significant(bytes / size)} ${unit}`;
  }
  return `${significant(bytes)} B`;
}

/** A value with its unit, for a cell or a table: "2.35 s", "32 MiB", "120k records/s". */
export function formatWithUnit(value: number | null, unit: string): string {
  if (value === null) return 'n/a';
  if (unit === 'ms') return formatMs(value);
  if (unit === 's') return formatSeconds(value);
  if (unit === 'bytes' || unit === 'B') return formatBytes(value);
  if (unit === '%') return `${formatCount(value)}%`;
  return unit === '' ? formatCount(value) : `${formatCount(value)} ${unit}`;
}

/**
 * JSON text for files people open: summary.json and the charts' .vl.json.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The value with every object's keys in sorted order, so the text does not depend on insertion order. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/**
 * JSON indented by two spaces, except that an array or object that fits on one line of at most
 * `lineWidth` characters stays on one line, and so does every data row (a small object of plain
 * values) in an array: a chart's data reads one row per line instead of one field per line, which
 * keeps a .vl.json a few times smaller and easier to scan.
 */
export function prettyJson(value: unknown, lineWidth = 100): string {
  return layout(JSON.parse(JSON.stringify(value)) as Json, '', lineWidth) + '\n';
}

/** `prefix` is how much of the first line a key already takes ("\"values\": "). */
function layout(value: Json, indent: string, lineWidth: number, prefix = 0): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const oneLine = flatWithin(value, lineWidth - indent.length - prefix);
  if (oneLine !== undefined) return oneLine;
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    const items = value.map((v) => inner + (isFlatRow(v) ? JSON.stringify(v) : layout(v, inner, lineWidth)));
    return '[\n' + items.join(',\n') + '\n' + indent + ']';
  }
  const body = Object.keys(value).map((k) => {
    const key = JSON.stringify(k) + ': ';
    return inner + key + layout(value[k], inner, lineWidth, key.length);
  });
  return '{\n' + body.join(',\n') + '\n' + indent + '}';
}

/** A data row: an object of at most 8 plain values, written on one line whatever its length. */
function isFlatRow(value: Json): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  let count = 0;
  for (const key in value) {
    const v = value[key];
    if (++count > 8 || (v !== null && typeof v === 'object')) return false;
  }
  return true;
}

/**
 * One-line JSON of `value` if it is at most `budget` characters, else undefined. It gives up as
 * soon as the budget is spent, so deciding about a 10,000-row array costs a few rows, not all.
 */
function flatWithin(value: Json, budget: number): string | undefined {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text.length <= budget ? text : undefined;
  }
  const isArray = Array.isArray(value);
  const keys = isArray ? undefined : Object.keys(value);
  const count = isArray ? value.length : (keys as string[]).length;
  // A small container of plain values (a chart's data row): the native serialiser is far faster.
  if (count <= 16) {
    const children = isArray ? value : (keys as string[]).map((k) => value[k]);
    if (children.every((c) => c === null || typeof c !== 'object')) {
      const text = JSON.stringify(value);
      return text.length <= budget ? text : undefined;
    }
  }
  let text = '';
  for (let i = 0; i < count; i++) {
    const prefix = isArray ? '' : JSON.stringify((keys as string[])[i]) + ':';
    const child = isArray ? value[i] : value[(keys as string[])[i]];
    const separator = i === 0 ? '' : ',';
    const part = flatWithin(child, budget - 2 - text.length - separator.length - prefix.length);
    if (part === undefined) return undefined;
    text += separator + prefix + part;
  }
  return isArray ? '[' + text + ']' : '{' + text + '}';
}

/**
 * Every message a scenario author can see, in one place, so tests compare against these
 * functions rather than copies of the text.
 */

/** A value as a reader would recognise it in their file: strings quoted, long ones cut. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  return 'a mapping';
}

export function expectedGot(expected: string, got: unknown): string {
  return `expected ${expected}, got ${describeValue(got)}`;
}

export function unknownKey(key: string, suggestion: string | undefined, allowed: string[]): string {
  return suggestion
    ? `unknown key "${key}" (did you mean "${suggestion}"?)`
    : `unknown key "${key}"; expected one of: ${allowed.join(', ')}`;
}

export function missingKey(key: string): string {
  return `missing required key "${key}"`;
}

export function outputEscapes(name: string): string {
  return `expected a scenario name that stays inside the output folder, got ${JSON.stringify(name)}`;
}

/**
 * Overrides: changing fields of a scenario without editing it, from the command line
 * (`--set consumer-groups.0.instances=16`) or from a named variant in the file:
 *
 *   variants:
 *     baseline:
 *     more-consumers: { consumer-groups.0.instances: 16 }
 *     bigger-polls:
 *       consumer-groups.order-processor.config.max.poll.records: 2000
 *       producers.checkout.config: { linger.ms: 20, batch.size: 64KiB }
 *
 * A path is written with dots. A list item is named by its index or by its `name`
 * (`consumer-groups.order-processor`). Kafka's keys contain dots themselves (`max.poll.records`),
 * so a path is not split blindly: at each level the keys the document has and the keys the schema
 * allows there are tried, longest first. A key the schema allows but the document leaves out is
 * added (with the mappings above it), and a whole item can be added at the end of a list
 * (`services.0={ name: db, latency: 5ms }` when there are none); any other list item that does not
 * exist is an error, as is a key that exists nowhere (with a "did you mean").
 *
 * The value replaces the node at the path whole, and is written as YAML (`30k/s`, `16`,
 * `{ dist: exponential, mean: 5ms }`). Overrides are applied to the plain data of the document
 * before validation (load.ts), so an overridden scenario is checked exactly like a written one.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { Scenario } from './schema.js';
import { allowedKeys, childValue, isMapping, schemasAt } from './introspect.js';
import { closest } from './suggest.js';
import { badOverridePath, cannotGoInto, noSuchItem, notOverridable, overrideSyntax, unknownKey, yamlSyntax } from './messages.js';

export interface Override {
  /** The path as written: `consumer-groups.0.config.max.poll.records`. */
  path: string;
  value: unknown;
  origin: { kind: 'set'; text: string } | { kind: 'variant'; variant: string };
}

/** Reads one `--set path=value`: the value is a YAML scalar or flow collection. */
export function parseSet(text: string): { override: Override } | { problem: string } {
  const eq = text.indexOf('=');
  if (eq <= 0) return { problem: overrideSyntax() };
  const path = text.slice(0, eq).trim();
  const doc = parseDocument(text.slice(eq + 1), { uniqueKeys: true, logLevel: 'error' });
  // yaml's message ends with where the error is in the value, which is short enough to see.
  if (doc.errors.length > 0) return { problem: yamlSyntax(doc.errors[0].message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')) };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 0 });
  } catch (e) {
    return { problem: yamlSyntax(e instanceof Error ? e.message : String(e)) };
  }
  return { override: { path, value: value === undefined ? null : value, origin: { kind: 'set', text } } };
}

/** The names of the variants the document declares, in file order (none if `variants` is not a mapping). */
export function variantNames(data: unknown): string[] {
  const variants = childValue(data, 'variants');
  return isMapping(variants) ? Object.keys(variants) : [];
}

/** The overrides of variant `name`, in file order; none when it is empty or malformed. */
export function variantOverrides(data: unknown, name: string): Override[] {
  const variant = childValue(childValue(data, 'variants'), name);
  if (!isMapping(variant)) return [];
  return Object.entries(variant).map(([path, value]) => ({ path, value, origin: { kind: 'variant', variant: name } }));
}

export type Resolved = { segments: PropertyKey[] } | { at: PropertyKey[]; problem: string };

/**
 * The segments `path` names in `data` (a scenario document, not yet validated), or the problem,
 * with the segments resolved before it.
 */
export function resolvePath(data: unknown, path: string): Resolved {
  if (path === '' || path.split('.').some((s) => s === '')) return { at: [], problem: badOverridePath(path) };
  const segments: PropertyKey[] = [];
  let node = data;
  let rest = path;
  while (rest !== '') {
    if (segments.length === 0 && (rest === 'variants' || rest.startsWith('variants.'))) return { at: [], problem: notOverridable('variants') };
    const schemas = schemasAt(Scenario, segments, data);
    const prefixes = dotPrefixes(rest);
    if (Array.isArray(node) || (node === undefined && schemas.some((s) => s instanceof z.ZodArray))) {
      const items = Array.isArray(node) ? node : [];
      const index = itemIndex(items, prefixes);
      if (!index) {
        const names = items.flatMap((item) => (typeof childValue(item, 'name') === 'string' ? [childValue(item, 'name') as string] : []));
        const suggestion = prefixes.map((p) => closest(p, names)).find((s) => s !== undefined);
        return { at: segments, problem: noSuchItem(prefixes[0], items.length, names, suggestion) };
      }
      segments.push(index.index);
      node = items[index.index];
      rest = rest.slice(index.text.length + 1);
      continue;
    }
    if (node !== undefined && node !== null && !isMapping(node)) return { at: segments, problem: cannotGoInto(node) };
    const docKeys = isMapping(node) ? Object.keys(node) : [];
    const keys = [...new Set([...docKeys, ...allowedKeys(schemas)])];
    const anyKey = schemas.some((s) => s instanceof z.ZodRecord);
    // Longest first: `max.poll.records` before a key `max` that some schema might allow.
    let key = [...prefixes].reverse().find((p) => keys.includes(p));
    if (key === undefined) {
      if (!anyKey) {
        if (keys.length === 0) return { at: segments, problem: cannotGoInto(node) };
        // Shortest first here: `consumer-group.0.instances` is a misspelt `consumer-groups`.
        for (const p of prefixes) {
          const suggestion = closest(p, keys);
          if (suggestion) return { at: segments, problem: unknownKey(p, suggestion, keys) };
        }
        const typed = keys.some((k) => k.includes('.')) ? rest : prefixes[0];
        return { at: segments, problem: unknownKey(typed, undefined, keys) };
      }
      // A mapping of free keys (a percentile table): the rest of the path is the key.
      key = rest;
    }
    segments.push(key);
    node = childValue(node, key);
    rest = rest.slice(key.length + 1);
  }
  return { segments };
}

/** `a.b.c` -> [`a`, `a.b`, `a.b.c`]. */
function dotPrefixes(text: string): string[] {
  const parts = text.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

/** The list item a prefix names: an index first, then an item's `name`, longest name first. */
function itemIndex(items: readonly unknown[], prefixes: readonly string[]): { index: number; text: string } | undefined {
  const first = prefixes[0];
  if (/^(0|[1-9]\d*)$/.test(first)) {
    const index = Number(first);
    // One past the end adds an item, when the path ends there (the item is given whole).
    if (index < items.length || (index === items.length && prefixes.length === 1)) return { index, text: first };
  }
  for (const text of [...prefixes].reverse()) {
    const index = items.findIndex((item) => childValue(item, 'name') === text);
    if (index >= 0) return { index, text };
  }
  return undefined;
}

/**
 * `data` with the node at `segments` replaced by `value`. Only the containers on the path are
 * copied, so `data` is left as it was (and YAML aliases elsewhere keep sharing); missing mappings
 * on the path are created.
 */
export function setIn(data: unknown, segments: readonly PropertyKey[], value: unknown): unknown {
  if (segments.length === 0) return value;
  const [head, ...tail] = segments;
  if (typeof head === 'number' && (Array.isArray(data) || data === undefined || data === null)) {
    const copy = Array.isArray(data) ? [...data] : [];
    copy[head] = setIn(copy[head], tail, value);
    return copy;
  }
  const copy: Record<string, unknown> = isMapping(data) ? { ...data } : {};
  copy[String(head)] = setIn(copy[String(head)], tail, value);
  return copy;
}

/** True when `prefix` is `path` or one of its ancestors. */
export function isPrefix(prefix: readonly PropertyKey[], path: readonly PropertyKey[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}

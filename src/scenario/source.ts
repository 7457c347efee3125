/**
 * The scenario file as YAML: parsing with source ranges kept, the problems the YAML layer itself
 * finds (syntax, duplicate keys, unknown tags, aliases that cannot be expanded), and finding the
 * node a path names, so any problem can be shown at `line:col`.
 */
import { LineCounter, isAlias, isCollection, isMap, isNode, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import { aliasCycle, duplicateKey, tooManyAliases, unknownAlias, unsupportedTag, yamlSyntax } from './messages.js';

/** Aliases a document may expand when it is read (yaml's own guard against "billion laughs"). */
export const MAX_ALIAS_COUNT = 100;

export interface YamlProblem {
  offset: number;
  path: PropertyKey[];
  message: string;
  /** The document cannot be read reliably past this problem, so the schema is not checked. */
  fatal: boolean;
}

export interface YamlSource {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  problems: YamlProblem[];
}

/** The YAML warnings reported as mistakes: a tag that would be silently ignored, an ambiguous alias. */
const WARNINGS_THAT_MATTER = new Set(['TAG_RESOLVE_FAILED', 'BAD_COLLECTION_TYPE', 'BAD_ALIAS']);

export function readYaml(text: string): YamlSource {
  const lineCounter = new LineCounter();
  // logLevel 'error' keeps yaml from printing warnings, and still reports a second document.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const keys = keyPaths(doc);
  const problems: YamlProblem[] = [];
  for (const e of doc.errors) {
    const key = e.code === 'DUPLICATE_KEY' ? keys.get(e.pos[0]) : undefined;
    if (key) problems.push({ offset: e.pos[0], path: key.path, message: duplicateKey(key.name), fatal: false });
    else problems.push({ offset: e.pos[0], path: [], message: yamlSyntax(e.message), fatal: true });
  }
  for (const w of doc.warnings) {
    if (!WARNINGS_THAT_MATTER.has(w.code)) continue;
    const tag = text.slice(w.pos[0], w.pos[1]);
    const message = w.code === 'BAD_ALIAS' || !tag.startsWith('!') ? yamlSyntax(w.message) : unsupportedTag(tag);
    problems.push({ offset: w.pos[0], path: valuePathFrom(doc, w.pos[0]), message, fatal: false });
  }
  if (!problems.some((p) => p.fatal)) problems.push(...aliasProblems(doc));
  return { doc, lineCounter, problems };
}

/** The document as plain data, or the problem that kept it from being expanded. */
export function toData(source: YamlSource): { data: unknown } | { problem: YamlProblem } {
  try {
    return { data: source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (e) {
    const message = /Excessive alias count/.test(String(e)) ? tooManyAliases(MAX_ALIAS_COUNT) : yamlSyntax(e instanceof Error ? e.message : String(e));
    return { problem: { offset: firstAliasOffset(source.doc), path: [], message, fatal: true } };
  }
}

/** How `yaml` names a scalar key in the plain data it builds. */
function keyName(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  return key.value === null ? '' : String(key.value);
}

interface Visited {
  node: Node;
  /** The path of the value; a key node has its mapping's path. */
  path: PropertyKey[];
  ancestors: readonly Node[];
  /** For a value in a mapping, its key node. */
  key: Node | null;
  isKey: boolean;
}

/** Visits every node in document order; aliases are visited, never followed. */
function walk(root: unknown, visit: (v: Visited) => void): void {
  const ancestors: Node[] = [];
  const go = (node: unknown, path: PropertyKey[], key: Node | null, isKey: boolean): void => {
    if (!isNode(node)) return;
    visit({ node, path, ancestors, key, isKey });
    if (!isCollection(node)) return;
    ancestors.push(node);
    node.items.forEach((item: unknown, i) => {
      // In a mapping the path goes on by key, in a sequence by index (a flow `[a: 1]` holds pairs).
      const at = (name: string | undefined): PropertyKey[] => (isMap(node) ? (name === undefined ? path : [...path, name]) : [...path, i]);
      if (isPair(item)) {
        go(item.key, at(undefined), null, true);
        go(item.value, at(keyName(item.key)), isNode(item.key) ? item.key : null, false);
      } else {
        go(item, at(undefined), null, false);
      }
    });
    ancestors.pop();
  };
  go(root, [], null, false);
}

/** Each scalar key's offset, with its name and path, to say which key is duplicated. */
function keyPaths(doc: Document.Parsed): Map<number, { name: string; path: PropertyKey[] }> {
  const keys = new Map<number, { name: string; path: PropertyKey[] }>();
  walk(doc.contents, ({ path, key }) => {
    const name = keyName(key);
    if (key?.range && name !== undefined) keys.set(key.range[0], { name, path });
  });
  return keys;
}

/** The path of the first value written at or after `offset` (the value a tag belongs to). */
function valuePathFrom(doc: Document.Parsed, offset: number): PropertyKey[] {
  let found: PropertyKey[] | undefined;
  walk(doc.contents, ({ node, path, isKey }) => {
    if (found === undefined && !isKey && (node.range?.[0] ?? -1) >= offset) found = path;
  });
  return found ?? [];
}

/** Aliases naming no earlier anchor, and aliases inside the node they name (a cycle). */
function aliasProblems(doc: Document.Parsed): YamlProblem[] {
  const problems: YamlProblem[] = [];
  const anchors = new Map<string, Node>();
  walk(doc.contents, ({ node, path, ancestors }) => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      const offset = node.range?.[0] ?? 0;
      if (!target) problems.push({ offset, path, message: unknownAlias(`*${node.source}`), fatal: true });
      else if (ancestors.includes(target)) problems.push({ offset, path, message: aliasCycle(`*${node.source}`), fatal: true });
    } else if (node.anchor) {
      anchors.set(node.anchor, node);
    }
  });
  return problems;
}

function firstAliasOffset(doc: Document.Parsed): number {
  let offset: number | undefined;
  walk(doc.contents, ({ node }) => {
    if (offset === undefined && isAlias(node)) offset = node.range?.[0];
  });
  return offset ?? 0;
}

/**
 * The node `path` names, or its deepest ancestor present in the document. Returns where to
 * point (the key, with `atKey`, when the last segment is a mapping key) and the part of the path
 * that was found. Aliases are followed, so a mistake in an anchored node is shown where it is
 * written.
 */
export function locate(doc: Document.Parsed, path: readonly PropertyKey[], atKey: boolean): { offset: number; found: PropertyKey[] } {
  let node: unknown = doc.contents;
  let keyNode: Node | null = null;
  let depth = 0;
  for (const segment of path) {
    if (isAlias(node)) node = anchoredNode(doc, node.source, node.range?.[0] ?? Infinity) ?? node;
    let next: unknown;
    let nextKey: Node | null = null;
    if (isMap(node)) {
      // The last of duplicated keys is the one in the data.
      const pair = [...node.items].reverse().find((p) => keyName(p.key) === String(segment));
      if (!pair) break;
      next = pair.value;
      nextKey = isNode(pair.key) ? pair.key : null;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      next = node.items[segment];
    } else {
      break;
    }
    node = next;
    keyNode = nextKey;
    depth++;
    if (!isNode(node)) break;
  }
  const found = path.slice(0, depth);
  const complete = depth === path.length;
  if (complete && atKey && keyNode?.range) return { offset: keyNode.range[0], found };
  // An empty value (`key:` and nothing after) has no text of its own; point at its key.
  const empty = !isNode(node) || (isScalar(node) && node.source === '' && node.value === null);
  if (empty && keyNode?.range) return { offset: keyNode.range[0], found };
  if (isNode(node) && node.range) return { offset: node.range[0], found };
  return { offset: keyNode?.range?.[0] ?? 0, found };
}

function anchoredNode(doc: Document.Parsed, anchor: string, before: number): Node | undefined {
  let found: Node | undefined;
  walk(doc.contents, ({ node }) => {
    if (!isAlias(node) && node.anchor === anchor && (node.range?.[0] ?? Infinity) < before) found = node;
  });
  return found;
}

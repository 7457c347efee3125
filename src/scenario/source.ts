/**
 * The scenario file as YAML: parsing with source ranges kept, the problems the YAML layer itself
 * finds (syntax, duplicate keys, unknown tags, aliases that cannot be expanded, nesting too deep,
 * a `__proto__` key), and finding the node a path names, so any problem can be shown at `line:col`.
 *
 * Lone CR line ends (old Mac files) are read as line ends: YAML 1.2 counts CR as a line break,
 * but the parser reads a text of CRs as one line. Each becomes an LF, which keeps every offset
 * (and so every line:col) as it was.
 *
 * Finding a node never rescans: the mappings' keys and the anchors are indexed once, when the
 * first problem is located, so locating n problems costs n lookups, not n scans of the document.
 */
import { LineCounter, isAlias, isCollection, isMap, isNode, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node, Pair, YAMLMap } from 'yaml';
import { aliasCycle, duplicateKey, nestingTooDeep, reservedKey, tooManyAliases, unknownAlias, unsupportedTag, yamlSyntax } from './messages.js';

/** Aliases a document may expand when it is read (yaml's own guard against "billion laughs"). */
export const MAX_ALIAS_COUNT = 100;

/**
 * Mappings and lists inside one another, at most. A scenario needs about ten (a variant's
 * mixture of distributions); the readers after the parser (expanding aliases, the schema) recurse
 * once per level, and a thousand levels would exhaust the stack.
 */
export const MAX_NESTING = 64;

/** A key that would set the prototype of the plain data rather than be a key of it. */
const RESERVED_KEY = '__proto__';

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
  /** Built on first use by `locate`. */
  index?: NodeIndex;
}

interface NodeIndex {
  /** Each mapping's pairs by key name; the last of duplicated keys, which is the one in the data. */
  pairs: Map<YAMLMap, Map<string, Pair>>;
  /** Each anchor's nodes, in document order. */
  anchors: Map<string, Node[]>;
}

/** The YAML warnings reported as mistakes: a tag that would be silently ignored, an ambiguous alias. */
const WARNINGS_THAT_MATTER = new Set(['TAG_RESOLVE_FAILED', 'BAD_COLLECTION_TYPE', 'BAD_ALIAS']);

export function readYaml(written: string): YamlSource {
  const text = written.replace(/\r(?!\n)/g, '\n');
  const lineCounter = new LineCounter();
  // logLevel 'error' keeps yaml from printing warnings, and still reports a second document.
  // Duplicate keys are found below: yaml's own check compares each key with every earlier one.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, logLevel: 'error' });
  // Before any walk below: they recurse once per level.
  const deep = tooDeep(doc.contents);
  if (deep !== undefined) return { doc, lineCounter, problems: [{ offset: deep, path: [], message: nestingTooDeep(MAX_NESTING), fatal: true }] };
  const problems: YamlProblem[] = [];
  for (const e of doc.errors) problems.push({ offset: e.pos[0], path: [], message: yamlSyntax(e.message), fatal: true });
  for (const w of doc.warnings) {
    if (!WARNINGS_THAT_MATTER.has(w.code)) continue;
    const tag = text.slice(w.pos[0], w.pos[1]);
    const message = w.code === 'BAD_ALIAS' || !tag.startsWith('!') ? yamlSyntax(w.message) : unsupportedTag(tag);
    problems.push({ offset: w.pos[0], path: valuePathFrom(doc, w.pos[0]), message, fatal: false });
  }
  problems.push(...keyProblems(doc));
  if (!problems.some((p) => p.fatal)) problems.push(...aliasProblems(doc));
  return { doc, lineCounter, problems };
}

/** The offset of the first collection nested deeper than MAX_NESTING, found without recursing. */
function tooDeep(root: unknown): number | undefined {
  const stack: [node: unknown, depth: number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!isCollection(node)) continue;
    if (depth + 1 > MAX_NESTING) return node.range?.[0] ?? 0;
    // Pushed last to first, so the first one written is looked at first.
    for (let i = node.items.length - 1; i >= 0; i--) {
      const item: unknown = node.items[i];
      if (isPair(item)) stack.push([item.value, depth + 1], [item.key, depth + 1]);
      else stack.push([item, depth + 1]);
    }
  }
  return undefined;
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

/**
 * Keys written twice in one mapping (as yaml compares them: the same scalar value), and
 * `__proto__` keys: the plain data would lose those without a word (the key sets the object's
 * prototype), so a quota or a variant named that would silently not exist.
 */
function keyProblems(doc: Document.Parsed): YamlProblem[] {
  const problems: YamlProblem[] = [];
  walk(doc.contents, ({ node, path }) => {
    if (!isMap(node)) return;
    const seen = new Set<unknown>();
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const offset = pair.key.range?.[0] ?? 0;
      const name = keyName(pair.key) ?? '';
      if (name === RESERVED_KEY) problems.push({ offset, path: [...path, name], message: reservedKey(name), fatal: true });
      else if (seen.has(pair.key.value)) problems.push({ offset, path: [...path, name], message: duplicateKey(name), fatal: false });
      seen.add(pair.key.value);
    }
  });
  return problems;
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
export function locate(source: YamlSource, path: readonly PropertyKey[], atKey: boolean): { offset: number; found: PropertyKey[] } {
  const index = (source.index ??= indexNodes(source.doc));
  let node: unknown = source.doc.contents;
  let keyNode: Node | null = null;
  let depth = 0;
  for (const segment of path) {
    if (isAlias(node)) node = anchoredNode(index, node.source, node.range?.[0] ?? Infinity) ?? node;
    let next: unknown;
    let nextKey: Node | null = null;
    if (isMap(node)) {
      const pair = index.pairs.get(node)?.get(String(segment));
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

/** The last node anchored `anchor` before `before`: the one an alias there names. */
function anchoredNode(index: NodeIndex, anchor: string, before: number): Node | undefined {
  const nodes = index.anchors.get(anchor) ?? [];
  let found: Node | undefined;
  for (const node of nodes) if ((node.range?.[0] ?? Infinity) < before) found = node;
  return found;
}

function indexNodes(doc: Document.Parsed): NodeIndex {
  const pairs = new Map<YAMLMap, Map<string, Pair>>();
  const anchors = new Map<string, Node[]>();
  walk(doc.contents, ({ node }) => {
    if (!isAlias(node) && node.anchor) {
      const list = anchors.get(node.anchor);
      if (list) list.push(node);
      else anchors.set(node.anchor, [node]);
    }
    if (!isMap(node)) return;
    const byName = new Map<string, Pair>();
    for (const pair of node.items) {
      const name = keyName(pair.key);
      // Later duplicates replace earlier ones: the last is the one in the data.
      if (name !== undefined) byName.set(name, pair);
    }
    pairs.set(node, byName);
  });
  return { pairs, anchors };
}

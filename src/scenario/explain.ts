/**
 * Turns zod's issues into problems a scenario author can act on: each names a path, says what
 * was expected and what was found, and suggests the closest allowed word for a misspelt key,
 * enum value or `dist` kind.
 *
 * Our own messages (those schema.ts writes) begin with "expected" and are kept; zod's built-in
 * issues (wrong type, out of range, unknown key, ...) are worded here from their fields and from
 * the value in the document, so the wording is the same wherever the issue came from (issues
 * raised inside a `byKind` kind carry zod's default English, which is replaced too).
 *
 * A failed union reports every alternative's issues. We keep those of the alternatives that fit
 * the kind of value written (a mapping for a mapping, a string for a string); when none fits, one
 * message lists what each alternative expected.
 */
import type { z } from 'zod';
import {
  bound,
  describeSize,
  didYouMean,
  eitherOf,
  expectedGot,
  expectedSized,
  expectedType,
  matching,
  missingKey,
  missingOneOf,
  multipleOf,
  oneOf,
  unknownKey,
  VALID_KEY,
  VALID_VALUE,
} from './messages.js';
import { allowedKeys, allowedWords, childValue, isMapping, schemasAt, unitExamples } from './introspect.js';
import { closest } from './suggest.js';

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

export interface Problem {
  /** Where the problem is. It may name keys the document lacks (a missing key). */
  path: PropertyKey[];
  /** Point at the key of the path's last segment rather than at its value. */
  atKey?: boolean;
  message: string;
}

export function explainIssues(issues: readonly Issue[], root: z.ZodType, data: unknown): Problem[] {
  const ctx = new Context(root, data);
  return relevant(issues).flatMap((issue) => explain(ctx, issue, []));
}

/**
 * Drops issues made moot by a wrong type at the same place: zod still checks the length of a
 * string given for a list, which would add "expected at least 1 item" to "expected a list".
 */
function relevant(issues: readonly Issue[]): Issue[] {
  const wrongType = new Set(issues.filter((i) => i.code === 'invalid_type').map((i) => JSON.stringify(i.path)));
  return issues.filter((i) => i.code === 'invalid_type' || !wrongType.has(JSON.stringify(i.path)));
}

class Context {
  constructor(
    readonly root: z.ZodType,
    readonly data: unknown,
  ) {}

  valueAt(path: Path): unknown {
    return path.reduce<unknown>((v, segment) => childValue(v, segment), this.data);
  }

  schemasAt(path: Path): z.ZodType[] {
    return schemasAt(this.root, path, this.data);
  }

  /** True when `path` names a key its mapping does not have. */
  isMissing(path: Path): boolean {
    if (path.length === 0) return false;
    const parent = this.valueAt(path.slice(0, -1));
    const key = path[path.length - 1];
    return isMapping(parent) && typeof key === 'string' && !Object.hasOwn(parent, key);
  }
}

function explain(ctx: Context, issue: Issue, base: Path): Problem[] {
  const path = [...base, ...issue.path];
  switch (issue.code) {
    case 'unrecognized_keys':
      return unknownKeys(ctx, path, issue.keys);
    case 'invalid_union':
      if (ctx.isMissing(path)) return [missing(path)];
      if (issue.errors.length === 0) return [{ path, message: withSuggestion(ctx, path, expectedGot(VALID_VALUE, ctx.valueAt(path))) }];
      return explainUnion(ctx, issue.errors, path);
    case 'invalid_key': {
      const key = path[path.length - 1];
      const reason = issue.issues.find((i) => isOwn(i.message))?.message ?? `expected ${VALID_KEY}`;
      return [{ path, atKey: true, message: withGot(reason, typeof key === 'string' ? key : String(key)) }];
    }
    default:
      if (issue.code !== 'custom' && ctx.isMissing(path)) return [missing(path)];
      return [{ path, message: withSuggestion(ctx, path, word(ctx, issue, path)) }];
  }
}

function unknownKeys(ctx: Context, path: PropertyKey[], keys: readonly string[]): Problem[] {
  const allowed = allowedKeys(ctx.schemasAt(path));
  return keys.map((key) => ({ path: [...path, key], atKey: true, message: unknownKey(key, closest(key, allowed), allowed) }));
}

function missing(path: PropertyKey[]): Problem {
  return { path: path.slice(0, -1), message: missingKey(String(path[path.length - 1])) };
}

/** Messages written in schema.ts all start this way; zod's own never do. */
function isOwn(message: string): boolean {
  return message.startsWith('expected ');
}

/** Adds what was found to one of our messages that does not say it, unless it is a mapping. */
function withGot(message: string, value: unknown): string {
  if (message.includes(', got ') || isMapping(value) || value === undefined) return message;
  return `${message}, got ${describeSize(value)}`;
}

function withSuggestion(ctx: Context, path: Path, message: string): string {
  const value = ctx.valueAt(path);
  if (typeof value !== 'string' || message.includes('did you mean')) return message;
  const suggestion = closest(value, allowedWords(ctx.schemasAt(path)));
  return suggestion ? didYouMean(message, suggestion) : message;
}

function word(ctx: Context, issue: Issue, path: Path): string {
  const value = ctx.valueAt(path);
  if (isOwn(issue.message)) return withGot(issue.message, value);
  switch (issue.code) {
    case 'invalid_type':
      return expectedGot(typePhrase(ctx, issue.expected, path), value);
    case 'invalid_value':
      return expectedGot(oneOf(issue.values), value);
    case 'too_small':
      return expectedSized(bound(issue.origin, issue.exact ? '=' : issue.inclusive ? '>=' : '>', issue.minimum), value);
    case 'too_big':
      return expectedSized(bound(issue.origin, issue.exact ? '=' : issue.inclusive ? '<=' : '<', issue.maximum), value);
    case 'invalid_format':
      return expectedGot(matching(issue.pattern ?? issue.format), value);
    case 'not_multiple_of':
      return expectedGot(multipleOf(issue.divisor), value);
    default:
      // Kinds of issue our schema does not raise; zod's English would not fit our messages.
      return expectedGot(VALID_VALUE, value);
  }
}

function typePhrase(ctx: Context, expected: string, path: Path): string {
  if (expected === 'string') {
    const units = unitExamples(ctx.schemasAt(path));
    if (units.length > 0) return eitherOf(units);
  }
  return expectedType(expected);
}

// ---------------------------------------------------------------------------------------------
// Unions

/** False when an alternative failed only because the value is of another kind altogether. */
function fits(branch: readonly Issue[]): boolean {
  return branch.some((i) => i.path.length > 0) || !branch.every(isMismatch);
}

function isMismatch(issue: Issue): boolean {
  if (issue.code === 'invalid_type' || issue.code === 'invalid_value') return true;
  return issue.code === 'invalid_union' && issue.errors.length > 0 && !issue.errors.some(fits);
}

function explainUnion(ctx: Context, branches: readonly (readonly Issue[])[], path: PropertyKey[]): Problem[] {
  const fitting = branches.map(relevant).filter(fits);
  const value = ctx.valueAt(path);
  if (fitting.length === 0) {
    const { phrases, values } = expectations(ctx, branches.flat(), path);
    if (values.length > 0) phrases.push(oneOf(values));
    return [{ path, message: withSuggestion(ctx, path, expectedGot(eitherOf(phrases), value)) }];
  }
  if (fitting.length === 1) return fitting[0].flatMap((i) => explain(ctx, i, path));

  const problems: Problem[] = [];
  let candidates = fitting;
  if (isMapping(value)) {
    // A key no alternative knows is reported once, against the keys of all of them.
    const unknown = [...new Set(rootUnknownKeys(fitting[0]))].filter((k) => fitting.every((b) => rootUnknownKeys(b).includes(k)));
    if (unknown.length > 0) problems.push(...unknownKeys(ctx, path, unknown));
    candidates = fitting.map((b) => withoutUnknownKeys(b, unknown));
  }
  if (candidates.some((b) => b.length === 0)) return problems;
  // The alternative meant is the one that knows most of the keys written, then the one with
  // the fewest issues: `{ spike: { base: 1 } }` is a spike missing keys, not a bad `phases`.
  const score = (b: readonly Issue[]) => rootUnknownKeys(b).length * 1e6 + b.length;
  const fewest = Math.min(...candidates.map(score));
  const best = candidates.filter((b) => score(b) === fewest);
  const missingKeys = best.map((b) => (b.length === 1 ? rootMissingKey(ctx, b[0], path) : undefined));
  if (best.length > 1 && missingKeys.every((k) => k !== undefined)) {
    problems.push({ path, message: missingOneOf(missingKeys as string[]) });
  } else {
    problems.push(...best[0].flatMap((i) => explain(ctx, i, path)));
  }
  return problems;
}

/** What the alternatives that did not fit expected, as phrases and literal values. */
function expectations(ctx: Context, issues: readonly Issue[], path: Path): { phrases: string[]; values: unknown[] } {
  const phrases = new Set<string>();
  const values = new Set<unknown>();
  for (const issue of issues) {
    if (issue.code === 'invalid_type') phrases.add(typePhrase(ctx, issue.expected, path));
    else if (issue.code === 'invalid_value') issue.values.forEach((v) => values.add(v));
    else if (issue.code === 'invalid_union') {
      const inner = expectations(ctx, issue.errors.flat(), path);
      inner.phrases.forEach((p) => phrases.add(p));
      inner.values.forEach((v) => values.add(v));
    }
  }
  return { phrases: [...phrases], values: [...values] };
}

function rootUnknownKeys(branch: readonly Issue[]): string[] {
  return branch.flatMap((i) => (i.code === 'unrecognized_keys' && i.path.length === 0 ? i.keys : []));
}

function withoutUnknownKeys(branch: readonly Issue[], keys: readonly string[]): Issue[] {
  if (keys.length === 0) return [...branch];
  return branch.flatMap((i) => {
    if (i.code !== 'unrecognized_keys' || i.path.length > 0) return [i];
    const rest = i.keys.filter((k) => !keys.includes(k));
    return rest.length > 0 ? [{ ...i, keys: rest }] : [];
  });
}

function rootMissingKey(ctx: Context, issue: Issue, base: Path): string | undefined {
  if (issue.path.length !== 1 || issue.code === 'custom') return undefined;
  const path = [...base, ...issue.path];
  return ctx.isMissing(path) ? String(issue.path[0]) : undefined;
}

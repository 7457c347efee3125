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

export function nameTooLong(name: string, bytes: number, limit: number): string {
  return `expected a name of at most ${limit} characters (it names the folder of the outputs), got ${bytes}: ${describeValue(name)}`;
}

/** The line after the first issues listed, when there were more. */
export function moreProblems(count: number): string {
  return `and ${count} more problem${count === 1 ? '' : 's'} (fix the ones above and run again)`;
}

export function outputEscapes(name: string): string {
  return `expected a scenario name that stays inside the output folder, got ${JSON.stringify(name)}`;
}

/** What a value of a zod base type looks like to a scenario author. */
export function expectedType(zodType: string): string {
  const phrases: Record<string, string> = {
    number: 'a number',
    int: 'a whole number',
    string: 'a string',
    boolean: 'true or false',
    object: 'a mapping',
    record: 'a mapping',
    array: 'a list',
    null: 'null',
  };
  return phrases[zodType] ?? zodType;
}

/** What was expected when the schema says no more than that the value is wrong. */
export const VALID_VALUE = 'a valid value';
export const VALID_KEY = 'a valid key';

/** Alternatives, each a phrase from `expectedType` or a unit example. */
export function eitherOf(phrases: string[]): string {
  return phrases.join(' or ');
}

export function oneOf(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v)));
  return shown.length === 1 ? shown[0] : `one of ${shown.join(', ')}`;
}

export function didYouMean(message: string, suggestion: string): string {
  return `${message} (did you mean ${JSON.stringify(suggestion)}?)`;
}

/** A bound on a number (`>= 0`), a list's length or a string's length. */
export function bound(origin: string, comparison: '>=' | '>' | '<=' | '<' | '=', limit: number | bigint): string {
  if (origin === 'array' || origin === 'set') {
    const items = `${limit} item${limit === 1 ? '' : 's'}`;
    if (comparison === '=') return `exactly ${items}`;
    return comparison.startsWith('>') ? `at least ${items}` : `at most ${items}`;
  }
  if (origin === 'string') {
    const chars = `${limit} character${limit === 1 ? '' : 's'}`;
    if (comparison === '=') return `exactly ${chars}`;
    return comparison.startsWith('>') ? `at least ${chars}` : `at most ${chars}`;
  }
  const what = origin === 'int' ? 'a whole number' : 'a number';
  return `${what} ${comparison} ${limit}`;
}

/** Like `describeValue`, but a list is described by its length: "an empty list", "2 items". */
export function describeSize(v: unknown): string {
  if (!Array.isArray(v)) return describeValue(v);
  return v.length === 0 ? 'an empty list' : `${v.length} item${v.length === 1 ? '' : 's'}`;
}

/** Like `expectedGot`, for a bound on a size: "expected at least 1 item, got an empty list". */
export function expectedSized(expected: string, got: unknown): string {
  return `expected ${expected}, got ${describeSize(got)}`;
}

export function matching(pattern: string): string {
  return `a string matching ${pattern}`;
}

export function multipleOf(divisor: number | bigint): string {
  return `a multiple of ${divisor}`;
}

/** A mapping that must hold exactly one of several keys (a rate profile: phases, spike or diurnal). */
/** A run's duration or sample interval must end on a tick of the kernel. */
export function wholeMicroseconds(us: number): string {
  return `expected a whole number of microseconds (the simulation's tick), got ${Number(us.toFixed(6))}us`;
}

export function missingOneOf(keys: string[]): string {
  return `missing required key: one of ${keys.map((k) => JSON.stringify(k)).join(', ')}`;
}

export function emptyScenario(): string {
  return 'expected a scenario (a YAML mapping with name, duration, topics, producers and consumer-groups), got an empty file';
}

/** A file a scenario points at (`config: { file: ... }`, a rate series) that cannot be read. */
export function cannotReadConfig(file: string, reason: string): string {
  return `cannot read ${file}: ${reason}`;
}

/** A real Kafka key whose effect lagsim does not simulate. */
export function notModelledKey(key: string, what: string): string {
  return `expected a key lagsim models: ${key} changes ${what}, which lagsim does not simulate; leave it out (or override it beside file:)`;
}

export function seriesFileAndPoints(): string {
  return 'expected either file or points in a series, not both';
}

export function configFileTooLarge(file: string, bytes: number, limit: number): string {
  return `expected a config file of at most ${limit} bytes, got ${bytes}: ${file}`;
}

/** The one note listing the Kafka keys accepted although they change nothing in a simulation. */
export function ignoredKeysNote(keys: readonly string[]): string {
  return `note: ${keys.length} Kafka key${keys.length === 1 ? '' : 's'} with no effect in a simulation accepted and ignored: ${keys.join(', ')}`;
}

export function cannotRead(reason: string): string {
  return `cannot read the scenario file: ${reason}`;
}

/** A problem the YAML parser found, in its own words. */
export function yamlSyntax(detail: string): string {
  return `invalid YAML: ${detail}`;
}

export function duplicateKey(key: string): string {
  return `duplicate key ${JSON.stringify(key)}: a key may appear only once in a mapping`;
}

export function unsupportedTag(tag: string): string {
  return `unsupported YAML tag ${tag}: write the value without a tag`;
}

export function unknownAlias(alias: string): string {
  return `alias ${alias} refers to no anchor defined before it`;
}

export function aliasCycle(alias: string): string {
  return `alias ${alias} refers to a node that contains it`;
}

export function nestingTooDeep(limit: number): string {
  return `mappings and lists nested more than ${limit} levels deep: a scenario needs far fewer`;
}

export function reservedKey(key: string): string {
  return `key ${JSON.stringify(key)} is not allowed: it cannot be a name in a scenario`;
}

export function tooManyAliases(limit: number): string {
  return `too many alias expansions (more than ${limit}): expand the aliases by hand`;
}

// ---------------------------------------------------------------------------------------------
// Overrides and variants

export function overrideSyntax(): string {
  return 'expected path=value, like consumer-groups.0.instances=16';
}

export function badOverridePath(path: string): string {
  return `expected a path like consumer-groups.0.instances, got ${JSON.stringify(path)}`;
}

export function notOverridable(what: string): string {
  return `${what} cannot be overridden`;
}

/** A path goes on below a value that holds no keys or items. */
export function cannotGoInto(value: unknown): string {
  return `expected a mapping or a list to go into, got ${describeValue(value)}: override the whole value`;
}

export function noSuchItem(typed: string, count: number, names: readonly string[], suggestion: string | undefined): string {
  const indices = count === 0 ? 'the list is empty' : count === 1 ? 'index 0' : `an index from 0 to ${count - 1}`;
  const expected = count === 0 ? indices : names.length > 0 ? `${indices} or a name (${names.join(', ')})` : indices;
  const message = `no item ${JSON.stringify(typed)}: ${count === 0 ? expected : `expected ${expected}`}`;
  return suggestion ? didYouMean(message, suggestion) : message;
}

export function unknownVariant(name: string, suggestion: string | undefined, names: readonly string[]): string {
  if (names.length === 0) return `unknown variant ${JSON.stringify(name)}: the scenario declares no variants`;
  const message = `unknown variant ${JSON.stringify(name)}; the scenario's variants: ${names.join(', ')}`;
  return suggestion ? `unknown variant ${JSON.stringify(name)} (did you mean ${JSON.stringify(suggestion)}?); the scenario's variants: ${names.join(', ')}` : message;
}

/** An objective on one group's figure written unscoped in a scenario of several groups. */
export function unscopedObjective(key: string, groups: readonly string[]): string {
  return (
    `expected objectives.groups.<group>.${key}, one consumer group's figure (the scenario has ${groups.length} groups: ${groups.join(', ')}), ` +
    `got it unscoped: write it under each group it concerns, like objectives.groups.${groups[0]}.${key}`
  );
}

/** An objective scoped to a group or topic the scenario does not declare. */
export function unknownObjectiveScope(kind: 'consumer groups' | 'topics', name: string, names: readonly string[], suggestion: string | undefined): string {
  const message = expectedGot(`one of the ${kind} (${names.join(', ') || 'none declared'})`, name);
  return suggestion === undefined ? message : didYouMean(message, suggestion);
}

/**
 * Loading a scenario: the first phase of a run (load -> validate -> normalize defaults -> ...).
 *
 *   1. read the file;
 *   2. parse the YAML, keeping source ranges; syntax errors stop here (the rest of the document
 *      cannot be trusted), duplicate keys and ignored tags do not;
 *   3. apply overrides to the plain data: the chosen variant's, then `--set`'s (overrides.ts);
 *   4. read the Kafka config files the configs point at (`config: { file: ... }`), each key as
 *      Kafka parses its type, keys with no effect set aside for one note (client-config.ts);
 *   5. validate the data with the zod schema, which also fills in Kafka's defaults; every other
 *      variant is validated too, for its own mistakes;
 *   6. check that the scenario's name is a safe folder name for its outputs, and that the run
 *      the scenario asks for can be done (model/estimate.ts: at most hours of computing, and
 *      memory under 2 GiB, at least);
 *   7. if anything is wrong, throw one ScenarioError listing every problem in file order, each at
 *      `file:line:col` (of the scenario, or of the config file a key came from; or under the
 *      `--set` or `--variant` at fault) with its path, what was expected and what was found; past
 *      MAX_ISSUES, the first ones and a count of the rest.
 *
 * Every step is linear in the size of the file: 40,000 unknown keys are refused in well under a
 * second, and each of 2,000 variants is checked against the scenario without the others.
 *
 * Paths are written `consumer-groups[0].config["max.poll.records"]`: a key is joined with a dot
 * when it is a plain word (letters, digits, `_`, `-`) and quoted in brackets otherwise, since
 * Kafka's keys contain dots; list items are `[index]`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Scenario } from './schema.js';
import { cannotRead, emptyScenario, moreProblems, nameTooLong, outputEscapes, unknownVariant } from './messages.js';
import { explainIssues, type Problem } from './explain.js';
import { locate, readYaml, toData, type YamlSource } from './source.js';
import { isPrefix, parseSet, resolvePath, setIn, variantNames, variantOverrides, type Override } from './overrides.js';
import { closest } from './suggest.js';
import { isMapping } from './introspect.js';
import { sizeProblems } from '../model/estimate.js';
import { ConfigFiles, ignoredNote, readFailure, type ConfigOrigin, type Expanded } from './client-config.js';

export interface ScenarioIssue {
  file: string;
  /** 1-based; 0 (with col 0) when the problem is with the file as a whole. */
  line: number;
  col: number;
  /** Where in the scenario, like `producers[0].rate`; empty for the whole document. */
  path: string;
  message: string;
}

export type ScenarioIssues = readonly [ScenarioIssue, ...ScenarioIssue[]];

/** Issues a ScenarioError lists; past this many, it counts the rest ("and 9,900 more problems"). */
export const MAX_ISSUES = 100;

/** Everything wrong with a scenario file, found at once (the first MAX_ISSUES of it, in file order). */
export class ScenarioError extends Error {
  readonly issues: ScenarioIssues;
  /** Problems found past the first MAX_ISSUES, counted but not listed. */
  readonly omitted: number;

  constructor(issues: ScenarioIssues, omitted = 0) {
    super(formatIssues(issues, omitted));
    this.name = 'ScenarioError';
    this.issues = issues;
    this.omitted = omitted;
  }

  /** One line per issue: `file:line:col: path: message`; then how many more, if any. */
  format(): string {
    return formatIssues(this.issues, this.omitted);
  }
}

function formatIssues(issues: readonly ScenarioIssue[], omitted: number): string {
  const lines = issues.map((i) => {
    const where = i.line > 0 ? `${i.file}:${i.line}:${i.col}` : i.file;
    return i.path ? `${where}: ${i.path}: ${i.message}` : `${where}: ${i.message}`;
  });
  if (omitted > 0) lines.push(moreProblems(omitted));
  return lines.join('\n');
}

export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(String(s))}]`;
  }
  return out;
}

/** Changes to the scenario as written: a variant it declares, then `--set path=value` overrides in order. */
export interface LoadOptions {
  set?: readonly string[];
  variant?: string;
}

export function loadScenario(file: string, options: LoadOptions = {}): Scenario {
  return parseScenario(readScenarioFile(file), file, options);
}

/** A loaded scenario and the notes loading it gave (keys accepted with no effect), for stderr. */
export interface LoadedScenario {
  scenario: Scenario;
  notes: string[];
}

/** `loadScenario`, with the notes a run should show (each one line). */
export function loadScenarioWithNotes(file: string, options: LoadOptions = {}): LoadedScenario {
  return parseScenarioWithNotes(readScenarioFile(file), file, options);
}

/** The names of the variants a scenario file declares, in file order; the file must be valid. */
export function listVariants(file: string): string[] {
  return Object.keys(loadScenario(file).variants);
}

function readScenarioFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError([{ file, line: 0, col: 0, path: '', message: cannotRead(readFailure(e)) }]);
  }
}

/**
 * Parses and validates scenario text; `file` is only used to name it in issues. With options, the
 * scenario is the document with the variant's overrides and then the `--set` ones applied.
 *
 * Every variant the file declares is checked, whichever is picked, so a mistake in one is found
 * the first time the file is run. A problem is shown where its cause was written: in the file;
 * in a variant, at the override whose value holds it (`variants.more-consumers["consumer-groups.0.instances"]`);
 * or under the `--set` that caused it. A problem at a path no override touched, which the file
 * alone does not have (a renamed topic that producers still name), is laid at the override after
 * which it first appears.
 */
export function parseScenario(text: string, file: string, options: LoadOptions = {}): Scenario {
  return parseScenarioWithNotes(text, file, options).scenario;
}

/** `parseScenario`, with the notes a run should show. Config files are found relative to `file`'s folder. */
export function parseScenarioWithNotes(text: string, file: string, options: LoadOptions = {}): LoadedScenario {
  const source = readYaml(text);
  const issues: ScenarioIssue[] = source.problems.map((p) => at(source, file, p.offset, formatPath(p.path), p.message));
  if (source.problems.some((p) => p.fatal)) throw scenarioError(issues);

  const read = toData(source);
  if ('problem' in read) throw scenarioError([...issues, at(source, file, read.problem.offset, '', read.problem.message)]);
  const data = read.data;
  if (data === null && source.doc.contents === null) throw scenarioError([...issues, at(source, file, 0, '', emptyScenario())]);

  const sets: Override[] = [];
  for (const text of options.set ?? []) {
    const parsed = parseSet(text);
    if ('problem' in parsed) issues.push({ file: `--set ${text}`, line: 0, col: 0, path: '', message: parsed.problem });
    else sets.push(parsed.override);
  }
  const names = variantNames(data);
  const variant = options.variant;
  if (variant !== undefined && !names.includes(variant)) {
    issues.push({ file: `--variant ${variant}`, line: 0, col: 0, path: '', message: unknownVariant(variant, closest(variant, names), names) });
  }

  const picked = variant !== undefined && names.includes(variant) ? variantOverrides(data, variant) : [];
  const configs = new ConfigFiles(path.dirname(file));
  const chosen = new Checker(source, file, data, configs).check([...picked, ...sets], 'all', sizeProblems);
  issues.push(...chosen.issues);
  // The scenario as each other variant makes it, without --set: only its own mistakes count
  // here. The variants themselves were checked above (no override can change them), so they are
  // left out: with them, checking n variants would cost n times the size of all n.
  const others = new Checker(source, file, isMapping(data) && Object.hasOwn(data, 'variants') ? { ...data, variants: {} } : data, configs);
  for (const other of names) {
    if (other === variant) continue;
    issues.push(...others.check(variantOverrides(data, other), 'overrides').issues);
  }
  if (issues.length > 0 || !chosen.result.success) throw scenarioError(issues);
  const note = ignoredNote(chosen.ignored);
  return { scenario: chosen.result.data, notes: note === undefined ? [] : [note] };
}

interface Applied {
  override: Override;
  segments: PropertyKey[];
}

/** A problem, and for one inside a config file, where in that file. */
type Located = Problem & { at?: { file: string; line: number; col: number } };

interface Checked {
  result: ReturnType<typeof Scenario.safeParse>;
  problems: Located[];
  origins: readonly ConfigOrigin[];
  ignored: Expanded['ignored'];
}

/** Validates the document with overrides applied, and places each problem where its cause is written. */
class Checker {
  /** The problems of the document as written, by `problemKey`. */
  private asWritten: Set<string> | undefined;

  constructor(
    private readonly source: YamlSource,
    private readonly file: string,
    private readonly data: unknown,
    private readonly configs: ConfigFiles,
  ) {}

  /** `report` says which problems to report: all of them, or only those the overrides cause. */
  /** `sizes`, for a scenario that validates: what would stop it from running (model/estimate.ts). */
  check(overrides: readonly Override[], report: 'all' | 'overrides', sizes?: (s: Scenario) => Problem[]): { result: Checked['result']; issues: ScenarioIssue[]; ignored: Checked['ignored'] } {
    const issues: ScenarioIssue[] = [];
    const applied: Applied[] = [];
    let data = this.data;
    for (const override of overrides) {
      const r = resolvePath(data, override.path);
      if ('problem' in r) {
        issues.push(this.atOverride(override, r.at, r.problem));
        continue;
      }
      data = setIn(data, r.segments, override.value);
      applied.push({ override, segments: r.segments });
    }
    const checked = this.validate(data);
    if (sizes && checked.result.success && checked.problems.length === 0) checked.problems.push(...sizes(checked.result.data));
    for (const p of checked.problems) {
      if (p.at !== undefined) {
        issues.push({ ...p.at, path: formatPath(p.path), message: p.message });
        continue;
      }
      const inConfigFile = fromConfigFile(checked.origins, p);
      if (inConfigFile !== undefined) {
        issues.push(inConfigFile);
        continue;
      }
      const under = [...applied].reverse().find((a) => isPrefix(a.segments, p.path));
      if (under) {
        issues.push(this.underOverride(under, p));
      } else if (applied.length === 0 || this.writtenHas(p)) {
        if (report === 'all') issues.push(this.inFile(p));
      } else {
        const cause = this.cause(applied, p).override;
        if (cause.origin.kind === 'set') issues.push({ file: `--set ${cause.origin.text}`, line: 0, col: 0, path: formatPath(p.path), message: p.message });
        else issues.push(this.atOverride(cause, [], `${formatPath(p.path) || 'the scenario'}: ${p.message}`));
      }
    }
    return { result: checked.result, issues, ignored: checked.ignored };
  }

  /** The data validated, once the config files it points at are read in. */
  private validate(data: unknown): Checked {
    const expanded = this.configs.expand(data);
    const { result, problems } = validate(expanded.data);
    const located: Located[] = [...expanded.problems, ...problems];
    return { result, problems: located, origins: expanded.origins, ignored: expanded.ignored };
  }

  private writtenHas(p: Problem): boolean {
    this.asWritten ??= new Set(this.validate(this.data).problems.map(problemKey));
    return this.asWritten.has(problemKey(p));
  }

  /** The override after which `p` first appears, applying them one at a time. */
  private cause(applied: readonly Applied[], p: Problem): Applied {
    let data = this.data;
    for (const a of applied) {
      data = setIn(data, a.segments, a.override.value);
      if (this.validate(data).problems.some((q) => problemKey(q) === problemKey(p))) return a;
    }
    return applied[applied.length - 1];
  }

  private inFile(p: Problem): ScenarioIssue {
    const { offset, found } = locate(this.source, p.path, p.atKey ?? false);
    return at(this.source, this.file, offset, formatPath(found), p.message);
  }

  /** A problem inside the value an override gives. */
  private underOverride(a: Applied, p: Problem): ScenarioIssue {
    const o = a.override;
    if (o.origin.kind === 'set') return { file: `--set ${o.origin.text}`, line: 0, col: 0, path: formatPath(p.path), message: p.message };
    const inside = p.path.slice(a.segments.length);
    const { offset, found } = locate(this.source, ['variants', o.origin.variant, o.path, ...inside], p.atKey ?? false);
    return at(this.source, this.file, offset, formatPath(found), p.message);
  }

  /** A problem with an override as a whole: its path, or what it did elsewhere. */
  private atOverride(o: Override, resolved: readonly PropertyKey[], message: string): ScenarioIssue {
    if (o.origin.kind === 'set') return { file: `--set ${o.origin.text}`, line: 0, col: 0, path: formatPath(resolved), message };
    const key = ['variants', o.origin.variant, o.path];
    const { offset } = locate(this.source, key, true);
    const where = resolved.length > 0 ? `${formatPath(resolved)}: ${message}` : message;
    return at(this.source, this.file, offset, formatPath(key), where);
  }
}

/**
 * A problem with a key a config file gave (an unknown key, a value the schema refuses), at that
 * key's or value's place in the file.
 */
function fromConfigFile(origins: readonly ConfigOrigin[], p: Problem): ScenarioIssue | undefined {
  for (const o of origins) {
    if (p.path.length <= o.path.length || !isPrefix(o.path, p.path)) continue;
    const key = p.path[o.path.length];
    const origin = typeof key === 'string' ? o.keys.get(key) : undefined;
    if (origin === undefined) continue;
    const pos = p.atKey && p.path.length === o.path.length + 1 ? origin.keyAt : origin.valueAt;
    return { file: origin.file, line: pos.line, col: pos.col, path: formatPath(p.path), message: p.message };
  }
  return undefined;
}

function validate(data: unknown): { result: Checked['result']; problems: Problem[] } {
  const result = Scenario.safeParse(data);
  let problems: Problem[] = result.success ? [] : explainIssues(result.error.issues, Scenario, data);
  const name = isMapping(data) ? data.name : undefined;
  const escapes = typeof name === 'string' ? outputNameProblem(name) : undefined;
  if (escapes) {
    // The name's other problems (its pattern) matter less than this one.
    problems = [...problems.filter((p) => !(p.path.length === 1 && p.path[0] === 'name')), { path: ['name'], message: escapes }];
  } else if (typeof name === 'string') {
    // A variant's outputs go to <name>.<variant>/, which must fit in a folder name too.
    for (const v of variantNames(data)) {
      const long = outputNameProblem(`${name}.${v}`);
      if (long) problems.push({ path: ['variants', v], atKey: true, message: long });
    }
  }
  return { result, problems };
}

/** Two problems are the same when their paths and messages are. */
function problemKey(p: Problem): string {
  return JSON.stringify([p.message, p.path.map((s) => (typeof s === 'number' ? s : String(s)))]);
}

/**
 * The longest scenario name (with `.<variant>` for a variant's outputs) that can name the folder
 * of its outputs: a file name is at most 255 bytes on Linux, macOS and Windows, and the report is
 * staged beside it in `.<name>.tmp-XXXXXX` and `<name>-sweep-shards` is longer still.
 */
export const MAX_OUTPUT_NAME_BYTES = 200;

/**
 * Refuses a scenario name that cannot be the folder of its outputs (`<output root>/<name>/`):
 * it must be exactly one path segment on POSIX and on Windows, not `.` or `..`, and at most
 * MAX_OUTPUT_NAME_BYTES long. The schema's pattern already forbids most of this; this check does
 * not rely on it. `parseScenario` makes the same check and points at the `name` node (and at a
 * variant whose `<name>.<variant>` is too long); `file` only names the scenario in the error.
 */
export function checkOutputName(name: string, file = 'scenario'): void {
  const message = outputNameProblem(name);
  if (message) throw new ScenarioError([{ file, line: 0, col: 0, path: 'name', message }]);
}

function outputNameProblem(name: string): string | undefined {
  const oneSegment =
    name !== '' &&
    name !== '.' &&
    name !== '..' &&
    !name.includes('\0') &&
    !path.posix.isAbsolute(name) &&
    !path.win32.isAbsolute(name) &&
    path.posix.basename(name) === name &&
    path.win32.basename(name) === name;
  if (!oneSegment) return outputEscapes(name);
  const bytes = Buffer.byteLength(name, 'utf8');
  return bytes > MAX_OUTPUT_NAME_BYTES ? nameTooLong(name, bytes, MAX_OUTPUT_NAME_BYTES) : undefined;
}

function at(source: YamlSource, file: string, offset: number, where: string, message: string): ScenarioIssue {
  const { line, col } = source.lineCounter.linePos(offset);
  // LineCounter reports line 0 before the first line start it knows (an empty text).
  return line === 0 ? { file, line: 1, col: 1, path: where, message } : { file, line, col, path: where, message };
}

/**
 * Issues sorted into file order (a stable sort keeps one node's issues in the order found), the
 * same issue once, the first MAX_ISSUES listed.
 */
function scenarioError(issues: ScenarioIssue[]): ScenarioError {
  const seen = new Set<string>();
  const unique = issues.filter((i) => {
    const key = JSON.stringify([i.file, i.line, i.col, i.path, i.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  unique.sort((a, b) => a.line - b.line || a.col - b.col);
  if (unique.length === 0) throw new Error('internal: a scenario error with no issues');
  return new ScenarioError(unique.slice(0, MAX_ISSUES) as unknown as ScenarioIssues, Math.max(0, unique.length - MAX_ISSUES));
}

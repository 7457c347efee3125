/**
 * Loading a scenario: the first phase of a run (load -> validate -> normalize defaults -> ...).
 *
 *   1. read the file;
 *   2. parse the YAML, keeping source ranges; syntax errors stop here (the rest of the document
 *      cannot be trusted), duplicate keys and ignored tags do not;
 *   3. validate the plain data with the zod schema, which also fills in Kafka's defaults;
 *   4. check that the scenario's name is a safe folder name for its outputs;
 *   5. if anything is wrong, throw one ScenarioError listing every problem in file order, each at
 *      `file:line:col` with its path, what was expected and what was found.
 *
 * Paths are written `consumer-groups[0].config["max.poll.records"]`: a key is joined with a dot
 * when it is a plain word (letters, digits, `_`, `-`) and quoted in brackets otherwise, since
 * Kafka's keys contain dots; list items are `[index]`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Scenario } from './schema.js';
import { cannotRead, emptyScenario, outputEscapes } from './messages.js';
import { explainIssues, type Problem } from './explain.js';
import { locate, readYaml, toData, type YamlSource } from './source.js';

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

/** Everything wrong with a scenario file, found at once. */
export class ScenarioError extends Error {
  readonly issues: ScenarioIssues;

  constructor(issues: ScenarioIssues) {
    super(formatIssues(issues));
    this.name = 'ScenarioError';
    this.issues = issues;
  }

  /** One line per issue: `file:line:col: path: message`. */
  format(): string {
    return formatIssues(this.issues);
  }
}

function formatIssues(issues: readonly ScenarioIssue[]): string {
  return issues
    .map((i) => {
      const where = i.line > 0 ? `${i.file}:${i.line}:${i.col}` : i.file;
      return i.path ? `${where}: ${i.path}: ${i.message}` : `${where}: ${i.message}`;
    })
    .join('\n');
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

export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError([{ file, line: 0, col: 0, path: '', message: cannotRead(readFailure(e)) }]);
  }
  return parseScenario(text, file);
}

function readFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}

/** Parses and validates scenario text; `file` is only used to name it in issues. */
export function parseScenario(text: string, file: string): Scenario {
  const source = readYaml(text);
  const issues: ScenarioIssue[] = source.problems.map((p) => at(source, file, p.offset, formatPath(p.path), p.message));
  if (source.problems.some((p) => p.fatal)) throw scenarioError(issues);

  const read = toData(source);
  if ('problem' in read) throw scenarioError([...issues, at(source, file, read.problem.offset, '', read.problem.message)]);
  const data = read.data;
  if (data === null && source.doc.contents === null) throw scenarioError([...issues, at(source, file, 0, '', emptyScenario())]);

  const result = Scenario.safeParse(data);
  let problems: Problem[] = result.success ? [] : explainIssues(result.error.issues, Scenario, data);
  const name = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).name : undefined;
  const escapes = typeof name === 'string' ? outputNameProblem(name) : undefined;
  if (escapes) {
    // The name's other problems (its pattern) matter less than this one.
    problems = [...problems.filter((p) => !(p.path.length === 1 && p.path[0] === 'name')), { path: ['name'], message: escapes }];
  }
  for (const p of problems) {
    const { offset, found } = locate(source.doc, p.path, p.atKey ?? false);
    issues.push(at(source, file, offset, formatPath(found), p.message));
  }
  if (issues.length > 0 || !result.success) throw scenarioError(issues);
  return result.data;
}

/**
 * Refuses a scenario name that cannot be the folder of its outputs (`<output root>/<name>/`):
 * it must be exactly one path segment on POSIX and on Windows, and not `.` or `..`. The schema's
 * pattern already forbids most of this; this check does not rely on it. `parseScenario` makes
 * the same check and points at the `name` node; `file` only names the scenario in the error.
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
  return oneSegment ? undefined : outputEscapes(name);
}

function at(source: YamlSource, file: string, offset: number, where: string, message: string): ScenarioIssue {
  const { line, col } = source.lineCounter.linePos(offset);
  // LineCounter reports line 0 before the first line start it knows (an empty text).
  return line === 0 ? { file, line: 1, col: 1, path: where, message } : { file, line, col, path: where, message };
}

/** Issues sorted into file order (a stable sort keeps one node's issues in the order found). */
function scenarioError(issues: ScenarioIssue[]): ScenarioError {
  const unique = issues.filter(
    (i, n) => issues.findIndex((j) => j.line === i.line && j.col === i.col && j.path === i.path && j.message === i.message) === n,
  );
  unique.sort((a, b) => a.line - b.line || a.col - b.col);
  if (unique.length === 0) throw new Error('internal: a scenario error with no issues');
  return new ScenarioError(unique as unknown as ScenarioIssues);
}

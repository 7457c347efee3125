/**
 * STAND-IN, to be replaced at merge by the design layer's override loader
 * (`loadScenario(file, { set })`, path=value overrides applied before validation).
 *
 * Makes the scenario of a sweep point or plan value from a scenario file and `path=value`
 * assignments: each value is read as a YAML scalar (`24`, `500ms`, `true`), set at its path in
 * the file's YAML document, and the edited document is validated like any scenario file. Paths
 * are dotted with list indexes as numbers (`consumer-groups.0.instances`), or bracketed the way
 * scenario errors print them (`consumer-groups[0].config["max.poll.records"]`); after a
 * `config` segment the rest of a dotted path is one Kafka key (`...config.max.poll.records`).
 * A value already in the file is replaced in place, so errors keep the file's line numbers; a
 * key the file does not have is added by re-writing the document, which can move lines.
 *
 * Nothing else in src/run depends on this module; the CLI reaches it through wiring.ts.
 */
import { readFileSync } from 'node:fs';
import { isScalar, parse as parseYamlValue, parseDocument } from 'yaml';
import type { Scenario } from '../scenario/schema.js';
import { parseScenario, ScenarioError } from '../scenario/load.js';
import { StudyInputError, type Assignment } from './grid.js';

export type ScenarioFactory = (assignments: readonly Assignment[]) => Scenario;

/** A factory for the scenario in `file`; throws ScenarioError if the file cannot be read. */
export function scenarioFactory(file: string): ScenarioFactory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError([{ file, line: 0, col: 0, path: '', message: `cannot read the file: ${(e as Error).message}` }]);
  }
  return (assignments) => {
    let edited = text;
    for (const a of assignments) edited = setValue(edited, pathSegments(a.path), a.value);
    return parseScenario(edited, file);
  };
}

/**
 * The text with the value at `segments` replaced. A scalar already in the file is replaced in
 * place, so every other line keeps its number; a missing key is added through the YAML document,
 * which reformats it.
 */
function setValue(text: string, segments: (string | number)[], value: string): string {
  const doc = parseDocument(text);
  const node = doc.getIn(segments, true);
  if (isScalar(node) && node.range && /^[\w.:/+-]+$/.test(value)) {
    return text.slice(0, node.range[0]) + value + text.slice(node.range[1]);
  }
  let parsed: unknown;
  try {
    parsed = parseYamlValue(value);
  } catch (err) {
    throw new StudyInputError(`${value}: not a YAML value (${(err as Error).message.split('\n')[0]})`);
  }
  doc.setIn(segments, doc.createNode(parsed));
  return String(doc);
}

export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\[\s*(\d+)\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|([^.[\]]+)/g;
  const words: { text: string; quoted: boolean; index: boolean }[] = [];
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m[1] !== undefined) words.push({ text: m[1], quoted: false, index: true });
    else if (m[2] !== undefined) words.push({ text: JSON.parse(`"${m[2]}"`) as string, quoted: true, index: false });
    else words.push({ text: m[3], quoted: false, index: false });
  }
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w.index || (!w.quoted && /^\d+$/.test(w.text))) out.push(Number(w.text));
    else out.push(w.text);
    if (w.text === 'config' && !w.quoted && i + 1 < words.length && !words[i + 1].quoted) {
      out.push(words.slice(i + 1).map((x) => x.text).join('.'));
      break;
    }
  }
  return out;
}

/**
 * A seeded fuzz of the loader: the shipped scenarios, mutated the ways a hostile or careless
 * file would be (type swaps, huge and non-finite numbers, wrong units, unknown and reserved keys,
 * unicode and control characters, deep nesting, BOM, CR line ends, duplicate keys, aliases,
 * binary garbage, long strings), each through the public loader. Every case either loads or
 * throws a ScenarioError whose issues are located in the text, never an internal error, and
 * each within a time bound.
 *
 * LAGSIM_FUZZ_CASES sets the number of cases (default 2,000, ~20 s); LAGSIM_FUZZ_SEED the seed.
 * A failure names the case's seed and mutation, so it can be replayed alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError, MAX_ISSUES } from '../../src/scenario/load.js';

const root = path.resolve(import.meta.dirname, '../..');
const SHIPPED = readdirSync(path.join(root, 'scenarios'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => readFileSync(path.join(root, 'scenarios', f), 'utf8'));

const CASES = Number(process.env.LAGSIM_FUZZ_CASES ?? 2000);
const SEED = Number(process.env.LAGSIM_FUZZ_SEED ?? 20_261_203);
/** Per case; the slowest mutation (a few MB of text) takes well under a second. */
const CASE_BOUND_MS = 3000;

/** mulberry32: a small seeded generator, so a case is replayed from its seed alone. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T,>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Random, n: number) => Math.floor(r() * n);

const VALUES = [
  '1e308', '-1e308', '.inf', '-.inf', '.nan', '-1', '0', '1e999', '9007199254740993', '0x10', '1e308ms', '1e300s', '5 parsecs', '10', '10ms',
  '20k/s', '1e308/s', '16KiB', '-5MiB', 'null', '~', 'true', '[]', '{}', '[1, 2, 3]', '{ dist: nope }', '{ dist: mixture, of: [] }', '""',
  '"\\u0000"', '"\\u202e"', '"é"', '"😀"', 'exponental', 'poison', '*nowhere', '&a x', '!!binary aGk=', '!custom 3', '"a\\nb"', "'it''s'",
];
const KEYS = ['__proto__', 'constructor', 'prototype', 'max.pol.records', 'partitons', 'unknown-key', '"\\u0000"', 'ключ', '', '<<', '? x'];

/** One mutation: its name and what it does to the text. */
const MUTATIONS: [string, (text: string, r: Random) => string][] = [
  ['value', (t, r) => replaceValue(t, r, pick(r, VALUES))],
  ['value x3', (t, r) => replaceValue(replaceValue(replaceValue(t, r, pick(r, VALUES)), r, pick(r, VALUES)), r, pick(r, VALUES))],
  ['key', (t, r) => replaceKey(t, r, pick(r, KEYS))],
  ['unknown keys', (t, r) => t + Array.from({ length: 1 + int(r, 2000) }, (_, i) => `k${i}: ${i}`).join('\n') + '\n'],
  ['duplicate line', (t, r) => { const lines = t.split('\n'); const i = int(r, lines.length); lines.splice(i, 0, lines[i]); return lines.join('\n'); }],
  ['delete line', (t, r) => { const lines = t.split('\n'); lines.splice(int(r, lines.length), 1); return lines.join('\n'); }],
  ['swap lines', (t, r) => { const lines = t.split('\n'); const i = int(r, lines.length); const j = int(r, lines.length); [lines[i], lines[j]] = [lines[j], lines[i]]; return lines.join('\n'); }],
  ['indent', (t, r) => { const lines = t.split('\n'); const i = int(r, lines.length); lines[i] = ' '.repeat(1 + int(r, 6)) + lines[i]; return lines.join('\n'); }],
  ['characters', (t, r) => { const at = int(r, t.length + 1); return t.slice(0, at) + randomText(r, 1 + int(r, 8)) + t.slice(at + int(r, 8)); }],
  ['binary', (t, r) => { const at = int(r, t.length + 1); return t.slice(0, at) + String.fromCharCode(...Array.from({ length: 1 + int(r, 64) }, () => int(r, 256))) + t.slice(at); }],
  ['garbage', (t, r) => randomText(r, int(r, 400))],
  ['BOM', (t) => `\uFEFF${t}`],
  ['CR line ends', (t) => t.replace(/\n/g, '\r')],
  ['CRLF line ends', (t) => t.replace(/\n/g, '\r\n')],
  ['tabs', (t) => t.replace(/^ {2}/gm, '\t')],
  ['deep nesting', (t, r) => { const n = 1 + int(r, 2000); return replaceValue(t, r, `${'['.repeat(n)}1${']'.repeat(n)}`); }],
  ['deep block nesting', (t, r) => { const n = 1 + int(r, 300); return t + Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n'; }],
  ['long string', (t, r) => replaceValue(t, r, 'x'.repeat(1 + int(r, 200_000)))],
  ['long key', (t, r) => replaceKey(t, r, 'y'.repeat(1 + int(r, 100_000)))],
  ['alias bomb', (t) => `${t}\nlaughs:\n  a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 8 }, (_, i) => `  ${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`).join('\n')}\n`],
  ['alias cycle', (t) => `${t}\nbrokers: &b { append-latency: *b }\n`],
  ['truncate', (t, r) => t.slice(0, int(r, t.length))],
  ['second document', (t) => `${t}\n---\nname: again\n`],
  ['many variants', (t, r) => `${t.replace(/^variants:[\s\S]*$/m, '')}\nvariants:\n${Array.from({ length: 1 + int(r, 500) }, (_, i) => `  v${i}: { consumer-groups.0.instances: ${pick(r, VALUES)} }`).join('\n')}\n`],
  ['variant key', (t, r) => `${t.replace(/^variants:[\s\S]*$/m, '')}\nvariants:\n  ${pick(r, ['__proto__', 'x'.repeat(300), 'ok'])}: { ${pick(r, ['__proto__', 'producers.0.rate', 'topics.0.config.retention.ms', 'nope.nope'])}: ${pick(r, VALUES)} }\n`],
  ['quota key', (t, r) => `${t}\nquotas-probe: 1\n`.replace('quotas-probe: 1', `brokers:\n  quotas:\n    ${pick(r, ['__proto__', 'checkout', 'nobody'])}: { producer_byte_rate: ${pick(r, VALUES)} }`)],
];

/** Replaces the value of a random `key: value` line. */
function replaceValue(text: string, r: Random, value: string): string {
  const lines = text.split('\n');
  const candidates = lines.flatMap((l, i) => (/^\s*-?\s*[\w.-]+:\s*\S/.test(l) ? [i] : []));
  if (candidates.length === 0) return text;
  const i = pick(r, candidates);
  lines[i] = lines[i].replace(/^(\s*-?\s*[\w.-]+:\s*).*$/, (_, key: string) => key + value);
  return lines.join('\n');
}

/** Replaces the key of a random `key:` line. */
function replaceKey(text: string, r: Random, key: string): string {
  const lines = text.split('\n');
  const candidates = lines.flatMap((l, i) => (/^\s*-?\s*[\w.-]+:/.test(l) ? [i] : []));
  if (candidates.length === 0) return text;
  const i = pick(r, candidates);
  lines[i] = lines[i].replace(/^(\s*-?\s*)[\w.-]+:/, (_, lead: string) => `${lead}${key}:`);
  return lines.join('\n');
}

function randomText(r: Random, n: number): string {
  const pieces = ['a', ': ', '- ', '\n', '  ', '[', ']', '{', '}', ',', '&x ', '*x', '!t ', '"', "'", '#', '? ', '|', '>', '\t', '\r', '\0', '\u202e', 'é', '😀', '\uFFFF', '\uD800', '1e308', '%YAML 1.2\n'];
  return Array.from({ length: n }, () => pick(r, pieces)).join('');
}

// Infinity, NaN and the like can be what the file wrote ("got -Infinity"), so they are not here.
const INTERNAL = /TypeError|RangeError|ReferenceError|SyntaxError|Maximum call stack|is not a function|Cannot read propert|Cannot convert|internal:/;

function checkCase(text: string, label: string): void {
  const started = performance.now();
  try {
    parseScenario(text, 'fuzz.yaml');
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw new Error(`${label}: not a ScenarioError: ${e instanceof Error ? e.stack : String(e)}`);
    const lines = text.replace(/\r\n/g, '\n').split(/\r|\n/).length;
    expect(e.issues.length, label).toBeGreaterThan(0);
    expect(e.issues.length, label).toBeLessThanOrEqual(MAX_ISSUES);
    for (const issue of e.issues) {
      expect(issue.file, label).toBe('fuzz.yaml');
      expect(issue.line, `${label}: ${issue.message}`).toBeGreaterThanOrEqual(1);
      expect(issue.line, `${label}: ${issue.message}`).toBeLessThanOrEqual(lines);
      expect(issue.col, label).toBeGreaterThanOrEqual(1);
      expect(issue.message, label).not.toBe('');
      // Text from the file can be quoted in a message; only the loader's own words are checked.
      expect(issue.message.replace(/"(?:[^"\\]|\\.)*"/g, '""'), label).not.toMatch(INTERNAL);
    }
  }
  const took = performance.now() - started;
  expect(took, `${label} took ${Math.round(took)} ms`).toBeLessThan(CASE_BOUND_MS);
}

describe(`the loader on ${CASES} mutations of the shipped scenarios (seed ${SEED})`, () => {
  it('loads each or refuses it with located issues, never an internal error, each in time', () => {
    const started = performance.now();
    for (let n = 0; n < CASES; n++) {
      const r = generator(SEED + n);
      const base = pick(r, SHIPPED);
      const [name, mutate] = pick(r, MUTATIONS);
      // One to three mutations on top of each other.
      let text = mutate(base, r);
      const names = [name];
      for (let k = int(r, 3); k > 0; k--) {
        const [more, again] = pick(r, MUTATIONS);
        text = again(text, r);
        names.push(more);
      }
      checkCase(text, `case ${n} (LAGSIM_FUZZ_SEED=${SEED + n} LAGSIM_FUZZ_CASES=1): ${names.join(' + ')}`);
    }
    // Within CI's time: about 10 ms a case.
    expect(performance.now() - started).toBeLessThan(CASES * 40);
  }, Math.max(120_000, CASES * 60));
});

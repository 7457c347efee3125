/**
 * Whatever it is given, parseScenario returns a scenario or throws a ScenarioError whose issues
 * all point inside the text: never another exception, never a stack trace for the user.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/scenario/load.js';
import { MINIMAL } from './helpers.js';

/** A fixed seed, so a run in CI is repeatable; change it to explore further. */
const runs = (numRuns: number) => ({ numRuns, seed: 20_251_122 });

function check(text: string): void {
  try {
    parseScenario(text, 'fuzz.yaml');
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    expect(e.issues.length).toBeGreaterThan(0);
    const lines = text.split(/\r\n|\r|\n/).length;
    for (const issue of e.issues) {
      expect(issue.file).toBe('fuzz.yaml');
      expect(issue.line).toBeGreaterThanOrEqual(1);
      expect(issue.line).toBeLessThanOrEqual(lines);
      expect(issue.col).toBeGreaterThanOrEqual(1);
      expect(issue.message).not.toBe('');
      expect(issue.message).not.toMatch(/Invalid input|received|Too small|Too big|Unrecognized/);
    }
  }
}

// Words the scenario format uses, so random documents reach deep into the schema.
const KEYS = [
  'name', 'title', 'description', 'seed', 'duration', 'sample-interval', 'fidelity', 'network', 'rtt', 'brokers', 'append-latency', 'replication-latency',
  'topics', 'partitions', 'producers', 'topic', 'rate', 'phases', 'for', 'ramp-to', 'label', 'spike', 'base', 'peak', 'at',
  'ramp', 'diurnal', 'mean', 'amplitude', 'period', 'peak-at', 'arrivals', 'record-size', 'keys', 'count', 'exponent',
  'hot-keys', 'hot-share', 'config', 'linger.ms', 'batch.size', 'acks', 'consumer-groups', 'instances', 'max.poll.records',
  'fetch.max.wait.ms', 'enable.auto.commit', 'processing', 'per-record', 'per-batch', 'calls', 'service', 'per', 'commit',
  'services', 'latency', 'concurrency', 'windows', 'from', 'to', 'dist', 'value', 'min', 'max', 'sd', 'p50', 'p99', 'shape',
  'scale', 'percentiles', 'p0', 'p100', 'of', 'weight', 'max.pol.records', '__proto__', 'constructor', '',
];
const WORDS = [
  'orders', 'web', '5ms', '10m', '20k/s', '300/min', '16KiB', '-1', 'all', 'poisson', 'paced', 'null', 'constant', 'uniform',
  'exponential', 'normal', 'lognormal', 'gamma', 'pareto', 'empirical', 'mixture', 'zipf', 'hot', 'record', 'batch', 'sync',
  '../x', '1e999s', 'exponental', 'abc', '',
];

const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...WORDS),
    fc.double(),
    fc.integer({ min: -5, max: 200_000 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('v'), { maxKeys: 5 }),
  ),
})).v;

describe('parseScenario on junk', () => {
  it('random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), check), runs(300));
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), check), runs(300));
  });

  it('random text made of YAML punctuation', () => {
    const piece = fc.constantFrom('a', ': ', '- ', '\n', '  ', '[', ']', '{', '}', ',', '&x ', '*x', '!t ', '"', "'", '#', '---\n', '? ', '|', '>', '\t', '%YAML 1.2\n', '<<: ');
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }).map((p) => p.join('')), check), runs(500));
  });

  it('random YAML documents in the scenario vocabulary', () => {
    fc.assert(fc.property(fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 8 }), (doc) => check(stringify(doc))), runs(500));
    fc.assert(fc.property(value, (doc) => check(stringify(doc))), runs(200));
  });

  it('a valid scenario with one value replaced at random', () => {
    const lines = MINIMAL.trimEnd().split('\n');
    const edit = fc.record({ line: fc.nat({ max: lines.length - 1 }), replacement: value });
    fc.assert(
      fc.property(edit, ({ line, replacement }) => {
        const copy = [...lines];
        const [key] = copy[line].split(':');
        copy[line] = `${key}: ${stringify(replacement, { collectionStyle: 'flow' }).trimEnd()}`;
        check(copy.join('\n'));
      }),
      runs(500),
    );
  });

  it('a valid scenario with characters deleted or inserted', () => {
    const edit = fc.record({ at: fc.nat({ max: MINIMAL.length }), remove: fc.nat({ max: 6 }), insert: fc.string({ maxLength: 4 }) });
    fc.assert(
      fc.property(edit, ({ at, remove, insert }) => check(MINIMAL.slice(0, at) + insert + MINIMAL.slice(at + remove))),
      runs(500),
    );
  });

  it('documents that expand aliases without end', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    check(laughs.join('\n'));
    check('a: &a { dist: mixture, of: [{ weight: 1, value: *a }] }');
  });
});

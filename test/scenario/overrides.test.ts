/**
 * Overrides: `--set path=value` and named variants, applied to the document before validation,
 * every mistake shown where it was written (file:line:col inside `variants:`, or the `--set`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listVariants, loadScenario, parseScenario, ScenarioError, type LoadOptions, type ScenarioIssue } from '../../src/scenario/load.js';
import { resolvePath, setIn } from '../../src/scenario/overrides.js';
import {
  cannotGoInto,
  expectedGot,
  missingKey,
  noSuchItem,
  notOverridable,
  overrideSyntax,
  unknownKey,
  unknownVariant,
} from '../../src/scenario/messages.js';
import { DURATION_EXAMPLE } from '../../src/scenario/units.js';
import { MINIMAL, yaml } from './helpers.js';

const WITH_VARIANTS = yaml`
  name: checkout
  duration: 10m
  topics:
    - name: orders
      partitions: 12
  producers:
    - name: web
      topic: orders
      rate: 20k/s
  consumer-groups:
    - name: billing
      topic: orders
      instances: 4
  variants:
    baseline:
    more-consumers: { consumer-groups.0.instances: 16 }
    bigger-polls:
      consumer-groups.billing.config.max.poll.records: 2000
      producers.web.config: { linger.ms: 20, batch.size: 64KiB }
`;

function issuesWith(text: string, options: LoadOptions): ScenarioIssue[] {
  try {
    parseScenario(text, 'test.yaml', options);
  } catch (e) {
    if (e instanceof ScenarioError) return [...e.issues];
    throw e;
  }
  throw new Error('expected a ScenarioError, but the scenario was accepted');
}

const inFile = (line: number, col: number, where: string, message: string) => ({ file: 'test.yaml', line, col, path: where, message });
const atSet = (text: string, where: string, message: string) => ({ file: `--set ${text}`, line: 0, col: 0, path: where, message });

describe('--set', () => {
  it('changes fields by index, by name and Kafka keys with dots, values read as YAML', () => {
    const s = parseScenario(MINIMAL, 'test.yaml', {
      set: ['topics.0.partitions=96', 'producers.0.rate=30k/s', 'consumer-groups.0.config.max.poll.records=100', 'consumer-groups.billing.instances=8'],
    });
    expect(s.topics[0].partitions).toBe(96);
    expect(s.producers[0].rate).toEqual({ kind: 'constant', rate: 30_000 });
    expect(s['consumer-groups'][0].config['max.poll.records']).toBe(100);
    // The rest of the config keeps its defaults.
    expect(s['consumer-groups'][0].config['fetch.max.wait.ms']).toBe(500_000);
    expect(s['consumer-groups'][0].instances).toBe(8);
  });

  it('takes flow mappings, and the last --set of a path wins', () => {
    const s = parseScenario(MINIMAL, 'test.yaml', {
      set: ['producers.web.rate={ spike: { base: 20k/s, peak: 120k/s, at: 5m, for: 10m } }', 'topics.0.partitions=24', 'topics.0.partitions=48'],
    });
    expect(s.producers[0].rate).toMatchObject({ kind: 'spike', base: 20_000, peak: 120_000 });
    expect(s.topics[0].partitions).toBe(48);
  });

  it('can add sections the file leaves out, objectives included', () => {
    const s = parseScenario(MINIMAL, 'test.yaml', { set: ['objectives.latency.p99=5s', 'services.0={ name: db, latency: 5ms }'] });
    expect(s.objectives.map((o) => o.objective)).toEqual(['latency p99 <= 5s']);
    expect(s.services).toEqual([{ name: 'db', latency: { dist: 'constant', value: 5000 }, windows: [] }]);
    expect(issuesWith(MINIMAL, { set: ['services.1={ name: db, latency: 5ms }'] })).toEqual([
      atSet('services.1={ name: db, latency: 5ms }', 'services', noSuchItem('1', 0, [], undefined)),
    ]);
  });

  it('names the --set when the value is wrong, with the path in the scenario', () => {
    expect(issuesWith(MINIMAL, { set: ['consumer-groups.0.instances=0'] })).toEqual([
      atSet('consumer-groups.0.instances=0', 'consumer-groups[0].instances', expectedGot('a number > 0', 0)),
    ]);
    expect(issuesWith(MINIMAL, { set: ['duration=10'] })).toEqual([atSet('duration=10', 'duration', expectedGot(DURATION_EXAMPLE, 10))]);
    expect(issuesWith(MINIMAL, { set: ['consumer-groups.0.config={ max.pol.records: 1 }'] })).toEqual([
      atSet('consumer-groups.0.config={ max.pol.records: 1 }', 'consumer-groups[0].config["max.pol.records"]', unknownKey('max.pol.records', 'max.poll.records', [])),
    ]);
  });

  it('refuses a path that does not exist, with a did-you-mean', () => {
    expect(issuesWith(MINIMAL, { set: ['consumer-group.0.instances=3'] })).toEqual([
      atSet('consumer-group.0.instances=3', '', unknownKey('consumer-group', 'consumer-groups', [])),
    ]);
    expect(issuesWith(MINIMAL, { set: ['consumer-groups.0.config.max.pol.records=3'] })).toEqual([
      atSet('consumer-groups.0.config.max.pol.records=3', 'consumer-groups[0].config', unknownKey('max.pol.records', 'max.poll.records', [])),
    ]);
    expect(issuesWith(MINIMAL, { set: ['consumer-groups.1.instances=3'] })).toEqual([
      atSet('consumer-groups.1.instances=3', 'consumer-groups', noSuchItem('1', 1, ['billing'], undefined)),
    ]);
    expect(issuesWith(MINIMAL, { set: ['consumer-groups.biling.instances=3'] })).toEqual([
      atSet('consumer-groups.biling.instances=3', 'consumer-groups', noSuchItem('biling', 1, ['billing'], 'billing')),
    ]);
    expect(noSuchItem('biling', 1, ['billing'], 'billing')).toBe('no item "biling": expected index 0 or a name (billing) (did you mean "billing"?)');
  });

  it('refuses going into a value that is not a mapping, and changing variants', () => {
    expect(issuesWith(MINIMAL, { set: ['producers.0.rate.spike.base=3'] })).toEqual([
      atSet('producers.0.rate.spike.base=3', 'producers[0].rate', cannotGoInto('20k/s')),
    ]);
    expect(issuesWith(MINIMAL, { set: ['variants.x={}'] })).toEqual([atSet('variants.x={}', '', notOverridable('variants'))]);
  });

  it('refuses text that is not path=value, and a value that is not YAML', () => {
    expect(issuesWith(MINIMAL, { set: ['instances'] })).toEqual([atSet('instances', '', overrideSyntax())]);
    expect(issuesWith(MINIMAL, { set: ['=3'] })).toEqual([atSet('=3', '', overrideSyntax())]);
    const [bad] = issuesWith(MINIMAL, { set: ['topics.0.partitions=[1,'] });
    expect(bad).toMatchObject({ file: '--set topics.0.partitions=[1,', line: 0, path: '' });
    expect(bad.message).toMatch(/^invalid YAML: /);
  });

  it('lays a problem elsewhere at the --set that caused it', () => {
    expect(issuesWith(MINIMAL, { set: ['topics.0.partitions=24', 'topics.0.name=payments'] })).toEqual([
      atSet('topics.0.name=payments', 'producers[0].topic', expectedGot('one of the topics (payments)', 'orders')),
      atSet('topics.0.name=payments', 'consumer-groups[0].topic', expectedGot('one of the topics (payments)', 'orders')),
    ]);
  });

  it('still reports mistakes of the file itself in the file, unless a --set replaces them', () => {
    const bad = MINIMAL.replace('instances: 4', 'instances: 0');
    expect(issuesWith(bad, { set: ['topics.0.partitions=24'] })).toEqual([inFile(13, 16, 'consumer-groups[0].instances', expectedGot('a number > 0', 0))]);
    expect(parseScenario(bad, 'test.yaml', { set: ['consumer-groups.0.instances=2'] })['consumer-groups'][0].instances).toBe(2);
  });

  it('leaves the text and a scenario parsed without it unchanged', () => {
    const plain = parseScenario(MINIMAL, 'test.yaml');
    parseScenario(MINIMAL, 'test.yaml', { set: ['topics.0.partitions=96'] });
    expect(parseScenario(MINIMAL, 'test.yaml')).toEqual(plain);
    expect(parseScenario(MINIMAL, 'test.yaml', { set: [] })).toEqual(plain);
  });
});

describe('variants', () => {
  it('are listed in file order; a variant applies its overrides, the base scenario has none applied', () => {
    expect(Object.keys(parseScenario(WITH_VARIANTS, 'test.yaml').variants)).toEqual(['baseline', 'more-consumers', 'bigger-polls']);
    const base = parseScenario(WITH_VARIANTS, 'test.yaml');
    expect(base['consumer-groups'][0].instances).toBe(4);
    expect(parseScenario(WITH_VARIANTS, 'test.yaml', { variant: 'baseline' })).toEqual(base);
    expect(parseScenario(WITH_VARIANTS, 'test.yaml', { variant: 'more-consumers' })['consumer-groups'][0].instances).toBe(16);
    const polls = parseScenario(WITH_VARIANTS, 'test.yaml', { variant: 'bigger-polls' });
    expect(polls['consumer-groups'][0].config['max.poll.records']).toBe(2000);
    expect(polls.producers[0].config).toMatchObject({ 'linger.ms': 20_000, 'batch.size': 65_536, acks: 'all' });
  });

  it('--set applies after the variant', () => {
    const s = parseScenario(WITH_VARIANTS, 'test.yaml', { variant: 'more-consumers', set: ['consumer-groups.0.instances=20'] });
    expect(s['consumer-groups'][0].instances).toBe(20);
  });

  it('an unknown variant is an error listing the variants, with a suggestion', () => {
    expect(issuesWith(WITH_VARIANTS, { variant: 'more-consumer' })).toEqual([
      { file: '--variant more-consumer', line: 0, col: 0, path: '', message: unknownVariant('more-consumer', 'more-consumers', ['baseline', 'more-consumers', 'bigger-polls']) },
    ]);
    expect(unknownVariant('x', undefined, ['a', 'b'])).toBe('unknown variant "x"; the scenario\'s variants: a, b');
    expect(issuesWith(MINIMAL, { variant: 'fast' })).toEqual([
      { file: '--variant fast', line: 0, col: 0, path: '', message: unknownVariant('fast', undefined, []) },
    ]);
  });

  const withBadVariant = (lines: string) => `${WITH_VARIANTS}${lines}`;
  // WITH_VARIANTS has 19 lines; the variants added below start on line 20.

  it('a wrong value is shown at the override, line:col inside variants', () => {
    expect(issuesWith(withBadVariant('  none: { consumer-groups.0.instances: 0 }\n'), {})).toEqual([
      inFile(20, 40, 'variants.none["consumer-groups.0.instances"]', expectedGot('a number > 0', 0)),
    ]);
    expect(issuesWith(withBadVariant('  wrong:\n    consumer-groups.0.config: { max.poll.records: -1, fetch.min.byte: 1 }\n'), {})).toEqual([
      inFile(21, 51, 'variants.wrong["consumer-groups.0.config"]["max.poll.records"]', expectedGot('a number > 0', -1)),
      inFile(21, 55, 'variants.wrong["consumer-groups.0.config"]["fetch.min.byte"]', unknownKey('fetch.min.byte', 'fetch.min.bytes', [])),
    ]);
  });

  it('a path that does not exist is shown at its key, with a did-you-mean', () => {
    expect(issuesWith(withBadVariant('  typo: { consumer-groups.0.instancs: 2 }\n'), {})).toEqual([
      inFile(20, 11, 'variants.typo["consumer-groups.0.instancs"]', `consumer-groups[0]: ${unknownKey('instancs', 'instances', [])}`),
    ]);
  });

  it('a problem elsewhere is shown at the override that caused it', () => {
    expect(issuesWith(withBadVariant('  rename: { topics.0.name: payments }\n'), {})).toEqual([
      inFile(20, 13, 'variants.rename["topics.0.name"]', `producers[0].topic: ${expectedGot('one of the topics (payments)', 'orders')}`),
      inFile(20, 13, 'variants.rename["topics.0.name"]', `consumer-groups[0].topic: ${expectedGot('one of the topics (payments)', 'orders')}`),
    ]);
  });

  it('every variant is checked, whichever is run', () => {
    const text = withBadVariant('  none: { consumer-groups.0.instances: 0 }\n');
    for (const variant of [undefined, 'more-consumers', 'none']) {
      expect(issuesWith(text, { variant })).toEqual([inFile(20, 40, 'variants.none["consumer-groups.0.instances"]', expectedGot('a number > 0', 0))]);
    }
  });

  it('a mistake of the file is reported once, not once per variant', () => {
    const bad = WITH_VARIANTS.replace('partitions: 12', 'partitions: 0');
    expect(issuesWith(bad, {})).toEqual([inFile(5, 17, 'topics[0].partitions', expectedGot('a number > 0', 0))]);
  });

  it('names and values of variants are checked like any key', () => {
    expect(issuesWith(withBadVariant('  "two words": {}\n  three: 3\n'), {})).toEqual([
      inFile(20, 3, 'variants["two words"]', expectedGot('a name of letters, digits, ".", "_" or "-", starting with a letter or digit', 'two words')),
      inFile(21, 10, 'variants.three', expectedGot('null or a mapping', 3)),
    ]);
    expect(issuesWith(withBadVariant('  nothing: { consumer-groups.0: { name: billing } }\n'), {})).toEqual([
      inFile(20, 33, 'variants.nothing["consumer-groups.0"]', missingKey('topic')),
      inFile(20, 33, 'variants.nothing["consumer-groups.0"]', missingKey('instances')),
    ]);
  });
});

describe('loadScenario and listVariants', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lagsim-overrides-'));
  const file = path.join(dir, 'v.yaml');
  writeFileSync(file, WITH_VARIANTS);

  it('load a file with options, and list its variants', () => {
    expect(loadScenario(file)['consumer-groups'][0].instances).toBe(4);
    expect(loadScenario(file, { variant: 'more-consumers', set: ['topics.0.partitions=24'] })).toMatchObject({ topics: [{ partitions: 24 }] });
    expect(listVariants(file)).toEqual(['baseline', 'more-consumers', 'bigger-polls']);
    const plain = path.join(dir, 'plain.yaml');
    writeFileSync(plain, MINIMAL);
    expect(listVariants(plain)).toEqual([]);
  });
});

describe('resolvePath and setIn', () => {
  const data = { topics: [{ name: 'orders', partitions: 12 }], 'consumer-groups': [{ name: 'a.b', config: { 'max.poll.records': 5 } }] };

  it('match the longest key or name, by index first', () => {
    expect(resolvePath(data, 'consumer-groups.a.b.config.max.poll.records')).toEqual({ segments: ['consumer-groups', 0, 'config', 'max.poll.records'] });
    expect(resolvePath(data, 'consumer-groups.0.config.fetch.max.wait.ms')).toEqual({ segments: ['consumer-groups', 0, 'config', 'fetch.max.wait.ms'] });
    expect(resolvePath(data, 'topics.0')).toEqual({ segments: ['topics', 0] });
    expect(resolvePath(data, 'topics..name')).toMatchObject({ problem: expect.stringMatching(/^expected a path/) });
  });

  it('take a free key whole in a mapping of free keys (a percentile table)', () => {
    const d = { producers: [{ 'record-size': { dist: 'empirical', percentiles: { p0: 1, p100: 2 } } }] };
    expect(resolvePath(d, 'producers.0.record-size.percentiles.p99.9')).toEqual({ segments: ['producers', 0, 'record-size', 'percentiles', 'p99.9'] });
  });

  it('setIn copies only the path, leaving the input and shared nodes as they were', () => {
    const shared = { value: 1 };
    const before = { a: shared, b: shared, list: [1, 2] };
    const after = setIn(before, ['a', 'value'], 2) as typeof before;
    expect(before.a.value).toBe(1);
    expect(after.a.value).toBe(2);
    expect(after.b).toBe(shared);
    expect(setIn(before, ['list', 1], 5)).toEqual({ a: shared, b: shared, list: [1, 5] });
    expect(setIn({}, ['x', 'y'], 3)).toEqual({ x: { y: 3 } });
  });
});

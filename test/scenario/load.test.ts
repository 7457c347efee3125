import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Scenario } from '../../src/scenario/schema.js';
import { checkOutputName, formatPath, loadScenario, parseScenario, ScenarioError } from '../../src/scenario/load.js';
import {
  cannotRead,
  didYouMean,
  duplicateKey,
  emptyScenario,
  expectedGot,
  missingKey,
  oneOf,
  outputEscapes,
  unknownKey,
  unsupportedTag,
  yamlSyntax,
  aliasCycle,
  unknownAlias,
  missingOneOf,
  eitherOf,
  wholeMicroseconds,
} from '../../src/scenario/messages.js';
import { DURATION_EXAMPLE, RATE_EXAMPLE, SIZE_EXAMPLE } from '../../src/scenario/units.js';
import { issuesOf, MINIMAL, yaml } from './helpers.js';

const issue = (line: number, col: number, path: string, message: string) => ({ file: 'test.yaml', line, col, path, message });

describe('a valid scenario', () => {
  it('gets Kafka 4.0 defaults where it is silent', () => {
    const s = parseScenario(MINIMAL, 'test.yaml');
    expect(s.producers[0].config).toEqual({
      'linger.ms': 5_000,
      'batch.size': 16_384,
      acks: 'all',
      'buffer.memory': 33_554_432,
      'max.block.ms': 60_000_000,
      'max.in.flight.requests.per.connection': 5,
      'max.request.size': 1_048_576,
      'delivery.timeout.ms': 120_000_000,
      'request.timeout.ms': 30_000_000,
      'retry.backoff.ms': 100_000,
      'retry.backoff.max.ms': 1_000_000,
      'compression.type': 'none',
      'enable.idempotence': true,
      retries: 2_147_483_647,
    });
    expect(s.producers[0]['on-buffer-full']).toBe('block');
    expect(s.brokers).toEqual({
      count: 3,
      'append-latency': { dist: 'constant', value: 500 },
      'replication-latency': { dist: 'constant', value: 1_000 },
      quotas: {},
      'group.initial.rebalance.delay.ms': 3_000_000,
      'group.consumer.heartbeat.interval.ms': 5_000_000,
      'group.consumer.session.timeout.ms': 45_000_000,
      'log.retention.check.interval.ms': 300_000_000,
    });
    expect(s['consumer-groups'][0].config).toMatchObject({
      'max.poll.interval.ms': 300_000_000,
      'auto.offset.reset': 'latest',
      'group.protocol': 'classic',
      'max.poll.records': 500,
      'fetch.max.wait.ms': 500_000,
      'enable.auto.commit': true,
      'auto.commit.interval.ms': 5_000_000,
    });
    expect(s.seed).toBe(1);
    expect(s['sample-interval']).toBe(1_000_000);
    expect(s.producers[0].arrivals).toBe('poisson');
    expect(s.producers[0].keys).toEqual({ dist: 'null' });
    expect(s.services).toEqual([]);
  });

  it('reads quantities with units into base units', () => {
    const s = parseScenario(
      yaml`
        name: units
        duration: 10m
        sample-interval: 250ms
        topics: [{ name: orders, partitions: 12 }]
        producers:
          - name: web
            topic: orders
            rate: 120k/s
            config: { batch.size: 16KiB, linger.ms: 20 }
          - name: batch-job
            topic: orders
            rate: 300/min
        consumer-groups:
          - name: billing
            topic: orders
            instances: 4
            config: { fetch.max.wait.ms: 1s }
      `,
      'test.yaml',
    );
    expect(s.duration).toBe(600_000_000);
    expect(s['sample-interval']).toBe(250_000);
    expect(s.producers[0].rate).toEqual({ kind: 'constant', rate: 120_000 });
    expect(s.producers[1].rate).toEqual({ kind: 'constant', rate: 5 });
    expect(s.producers[0].config['batch.size']).toBe(16_384);
    expect(s.producers[0].config['linger.ms']).toBe(20_000);
    expect(s['consumer-groups'][0].config['fetch.max.wait.ms']).toBe(1_000_000);
  });

  it('does not change the text it was given, and parses the same twice', () => {
    const text = MINIMAL;
    const a = parseScenario(text, 'test.yaml');
    const b = parseScenario(text, 'test.yaml');
    expect(a).toEqual(b);
    expect(text).toBe(MINIMAL);
  });

  it('follows YAML aliases', () => {
    const s = parseScenario(
      MINIMAL.replace('    instances: 4', '    instances: 4\n    processing: { per-record: &fast 5us, per-batch: *fast }'),
      'test.yaml',
    );
    expect(s['consumer-groups'][0].processing['per-batch']).toEqual({ dist: 'constant', value: 5 });
  });
});

describe('each kind of mistake is reported at its line and column, with its path', () => {
  it('a wrong type', () => {
    expect(issuesOf(MINIMAL.replace('partitions: 12', 'partitions: twelve'))).toEqual([
      issue(5, 17, 'topics[0].partitions', expectedGot('a number', 'twelve')),
    ]);
  });

  it('a negative rate', () => {
    expect(issuesOf(MINIMAL.replace('rate: 20k/s', 'rate: -100'))).toEqual([issue(9, 11, 'producers[0].rate', expectedGot('a number >= 0', -100))]);
  });

  it('an unknown key close to a known one', () => {
    const text = MINIMAL + '    config:\n      max.pol.records: 100\n';
    expect(issuesOf(text)).toEqual([
      issue(15, 7, 'consumer-groups[0].config["max.pol.records"]', unknownKey('max.pol.records', 'max.poll.records', [])),
    ]);
    expect(issuesOf(text)[0].message).toBe('unknown key "max.pol.records" (did you mean "max.poll.records"?)');
  });

  it('an unknown key close to nothing', () => {
    // Every top-level key of the schema, in its declared order.
    const allowed = Object.keys(Scenario.shape);
    expect(allowed.slice(0, 4)).toEqual(['name', 'title', 'description', 'seed']);
    expect(issuesOf('colour: red\n' + MINIMAL)).toEqual([issue(1, 1, 'colour', unknownKey('colour', undefined, allowed))]);
  });

  it('bad YAML syntax', () => {
    const text = MINIMAL.replace('    partitions: 12', '    partitions: [12');
    expect(issuesOf(text)).toEqual([
      issue(6, 1, '', yamlSyntax('Flow sequence in block collection must be sufficiently indented and end with a ]')),
    ]);
  });

  it('a duration without a unit it knows', () => {
    expect(issuesOf(MINIMAL.replace('duration: 10m', 'duration: 5 minutes'))).toEqual([
      issue(2, 11, 'duration', expectedGot(DURATION_EXAMPLE, '5 minutes')),
    ]);
  });

  it('a duration or sample interval that does not end on a microsecond, the tick of the kernel', () => {
    expect(issuesOf(MINIMAL.replace('duration: 10m', 'duration: 1s\nsample-interval: 2.5us'))).toEqual([
      issue(3, 18, 'sample-interval', wholeMicroseconds(2.5)),
    ]);
    expect(issuesOf(MINIMAL.replace('duration: 10m', 'duration: 1.0000005s'))).toEqual([issue(2, 11, 'duration', wholeMicroseconds(1000000.5))]);
    // A decimal in a larger unit that floating point puts a hair off a microsecond is that microsecond.
    const s = parseScenario(MINIMAL.replace('duration: 10m', 'duration: 8.3s\nsample-interval: 4.1s'), 'test.yaml');
    expect([s.duration, s['sample-interval']]).toEqual([8_300_000, 4_100_000]);
  });

  it('a missing required key, at the mapping that lacks it', () => {
    expect(issuesOf(MINIMAL.replace('    instances: 4', ''))).toEqual([issue(11, 5, 'consumer-groups[0]', missingKey('instances'))]);
  });

  it('a misspelt enum value', () => {
    expect(issuesOf(MINIMAL.replace('rate: 20k/s', 'rate: 20k/s\n    arrivals: poison'))).toEqual([
      issue(10, 15, 'producers[0].arrivals', didYouMean(expectedGot(oneOf(['poisson', 'paced']), 'poison'), 'poisson')),
    ]);
  });

  it('an unknown distribution kind', () => {
    const text = MINIMAL.replace('rate: 20k/s', 'rate: 20k/s\n    record-size: { dist: exponental, mean: 1KiB }');
    const kinds = 'constant, uniform, exponential, normal, lognormal, gamma, pareto, empirical, mixture';
    expect(issuesOf(text)).toEqual([
      issue(10, 26, 'producers[0].record-size.dist', didYouMean(expectedGot(`dist to be one of ${kinds}`, 'exponental'), 'exponential')),
    ]);
  });

  it('a mistake inside a distribution kind, worded like any other', () => {
    const text = MINIMAL.replace('rate: 20k/s', 'rate: 20k/s\n    record-size: { dist: exponential, mean: lots, sd: 1KiB }');
    expect(issuesOf(text)).toEqual([
      issue(10, 45, 'producers[0].record-size.mean', expectedGot(SIZE_EXAMPLE, 'lots')),
      issue(10, 51, 'producers[0].record-size.sd', unknownKey('sd', undefined, ['dist', 'mean'])),
    ]);
  });

  it('a producer naming a topic that does not exist', () => {
    expect(issuesOf(MINIMAL.replace('    topic: orders\n    rate', '    topic: order\n    rate'))).toEqual([
      issue(8, 12, 'producers[0].topic', expectedGot('one of the topics (orders)', 'order')),
    ]);
  });

  it('a name that would put outputs outside the output folder', () => {
    expect(issuesOf(MINIMAL.replace('name: checkout', 'name: ../../x'))).toEqual([issue(1, 7, 'name', outputEscapes('../../x'))]);
  });

  it('a key written twice', () => {
    expect(issuesOf(MINIMAL.replace('duration: 10m', 'duration: 10m\nduration: 20m'))).toEqual([
      issue(3, 1, 'duration', duplicateKey('duration')),
    ]);
  });

  it('a YAML tag we would otherwise ignore', () => {
    expect(issuesOf(MINIMAL.replace('duration: 10m', 'duration: !minutes 10m'))).toEqual([issue(2, 11, 'duration', unsupportedTag('!minutes'))]);
  });

  it('aliases that cannot be expanded', () => {
    expect(issuesOf(MINIMAL + '    processing: { per-record: *slow }\n')).toEqual([
      issue(14, 31, 'consumer-groups[0].processing.per-record', unknownAlias('*slow')),
    ]);
    expect(issuesOf('a: &loop [*loop]\n')).toEqual([issue(1, 11, 'a[0]', aliasCycle('*loop'))]);
  });

  it('an empty file, and a file that is not a mapping', () => {
    expect(issuesOf('')).toEqual([issue(1, 1, '', emptyScenario())]);
    expect(issuesOf('# nothing but a comment\n')).toEqual([issue(1, 1, '', emptyScenario())]);
    expect(issuesOf('- a\n- b\n')).toEqual([issue(1, 1, '', expectedGot('a mapping', ['a', 'b']))]);
  });

  it('a key with no value, pointed at by its key', () => {
    expect(issuesOf(MINIMAL.replace('duration: 10m', 'duration:'))).toEqual([issue(2, 1, 'duration', expectedGot(DURATION_EXAMPLE, null))]);
  });
});

describe('a value that may take several forms', () => {
  it('a misspelt rate profile key is reported once, against all the forms', () => {
    expect(issuesOf(MINIMAL.replace('rate: 20k/s', 'rate: { spkie: { base: 1k/s } }'))).toEqual([
      issue(9, 11, 'producers[0].rate', missingOneOf(['phases', 'spike', 'diurnal', 'series'])),
      issue(9, 13, 'producers[0].rate.spkie', unknownKey('spkie', 'spike', [])),
    ]);
  });

  it('the form whose key is written is the one meant', () => {
    expect(issuesOf(MINIMAL.replace('rate: 20k/s', 'rate: { spike: { base: 1k/s, peak: 5k/s, at: 1m, for: 1m, rmp: 5s } }'))).toEqual([
      issue(9, 63, 'producers[0].rate.spike.rmp', unknownKey('rmp', 'ramp', [])),
    ]);
  });

  it('a value of no accepted kind lists every form', () => {
    expect(issuesOf(MINIMAL.replace('rate: 20k/s', 'rate: true'))).toEqual([
      issue(9, 11, 'producers[0].rate', expectedGot(eitherOf(['a number', RATE_EXAMPLE, 'a mapping']), true)),
    ]);
    expect(issuesOf(MINIMAL.replace('rate: 20k/s', 'rate: 20k/s\n    config: { linger.ms: [5] }'))).toEqual([
      issue(10, 26, 'producers[0].config["linger.ms"]', expectedGot(eitherOf(['a number', DURATION_EXAMPLE]), [5])),
    ]);
  });

  it('a string of the wrong form gets the message of the string form', () => {
    expect(issuesOf(MINIMAL.replace('rate: 20k/s', 'rate: 20k per second'))).toEqual([
      issue(9, 11, 'producers[0].rate', expectedGot(RATE_EXAMPLE, '20k per second')),
    ]);
    expect(issuesOf(MINIMAL.replace('rate: 20k/s', 'rate: 20k/s\n    keys: nul'))).toEqual([
      issue(10, 11, 'producers[0].keys', didYouMean(expectedGot('null, or a mapping with dist: null, uniform, zipf or hot', 'nul'), 'null')),
    ]);
  });

  it('a number too large to hold is not a duration', () => {
    expect(issuesOf(MINIMAL.replace('duration: 10m', 'duration: 1e999s'))).toEqual([issue(2, 11, 'duration', expectedGot(DURATION_EXAMPLE, '1e999s'))]);
  });

  it('a mistake in an anchored value is shown where the value is written', () => {
    const text = MINIMAL.replace('rate: 20k/s', 'rate: &r -5') + '    processing: { per-record: *r }\n';
    expect(issuesOf(text)).toEqual([
      issue(9, 14, 'producers[0].rate', expectedGot('a number >= 0', -5)),
      issue(14, 31, 'consumer-groups[0].processing.per-record', expectedGot('a duration like 5ms, or a mapping with dist: constant, uniform, exponential, normal, lognormal, gamma, pareto, empirical or mixture', -5)),
    ]);
  });
});

describe('a file with several mistakes', () => {
  const text = yaml`
    name: checkout
    duration: 10 minutes
    seed: lucky
    topics:
      - name: orders
        partitions: 12
    producers:
      - name: web
        topic: order
        rate: 20k/s
        arrivals: poison
    consumer-groups:
      - name: billing
        topic: orders
        config:
          max.pol.records: 100
  `;

  it('gets all of them in one error, in file order', () => {
    expect(issuesOf(text)).toEqual([
      issue(2, 11, 'duration', expectedGot(DURATION_EXAMPLE, '10 minutes')),
      issue(3, 7, 'seed', expectedGot('a number', 'lucky')),
      issue(9, 12, 'producers[0].topic', expectedGot('one of the topics (orders)', 'order')),
      issue(11, 15, 'producers[0].arrivals', didYouMean(expectedGot(oneOf(['poisson', 'paced']), 'poison'), 'poisson')),
      issue(13, 5, 'consumer-groups[0]', missingKey('instances')),
      issue(16, 7, 'consumer-groups[0].config["max.pol.records"]', unknownKey('max.pol.records', 'max.poll.records', [])),
    ]);
  });

  it('formats one line per issue', () => {
    const error = (() => {
      try {
        parseScenario(text, 'scenarios/checkout.yaml');
      } catch (e) {
        return e as ScenarioError;
      }
      throw new Error('accepted');
    })();
    expect(error).toBeInstanceOf(ScenarioError);
    expect(error.format().split('\n')).toEqual([
      'scenarios/checkout.yaml:2:11: duration: expected a duration with a unit, like 250ms, 30s, 5m, 2h or 1h30m (us, ms, s, m, h, d), got "10 minutes"',
      'scenarios/checkout.yaml:3:7: seed: expected a number, got "lucky"',
      'scenarios/checkout.yaml:9:12: producers[0].topic: expected one of the topics (orders), got "order"',
      'scenarios/checkout.yaml:11:15: producers[0].arrivals: expected one of "poisson", "paced", got "poison" (did you mean "poisson"?)',
      'scenarios/checkout.yaml:13:5: consumer-groups[0]: missing required key "instances"',
      'scenarios/checkout.yaml:16:7: consumer-groups[0].config["max.pol.records"]: unknown key "max.pol.records" (did you mean "max.poll.records"?)',
    ]);
    expect(error.message).toBe(error.format());
  });
});

describe('loadScenario', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lagsim-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and names it in issues', () => {
    const file = path.join(dir, 'ok.yaml');
    writeFileSync(file, MINIMAL);
    expect(loadScenario(file).name).toBe('checkout');
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, MINIMAL.replace('partitions: 12', 'partitions: -1'));
    expect(() => loadScenario(bad)).toThrow(ScenarioError);
    try {
      loadScenario(bad);
    } catch (e) {
      expect((e as ScenarioError).issues[0].file).toBe(bad);
    }
  });

  it('turns a file it cannot read into a ScenarioError', () => {
    for (const [file, reason] of [
      [path.join(dir, 'missing.yaml'), 'no such file'],
      [dir, 'it is a folder'],
    ]) {
      try {
        loadScenario(file);
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(ScenarioError);
        expect((e as ScenarioError).issues).toEqual([{ file, line: 0, col: 0, path: '', message: cannotRead(reason) }]);
        expect((e as ScenarioError).format()).toBe(`${file}: ${cannotRead(reason)}`);
      }
    }
  });
});

describe('checkOutputName', () => {
  it('accepts a plain folder name', () => {
    for (const name of ['flash-sale', 'v1.2', 'a_b', '...']) expect(() => checkOutputName(name)).not.toThrow();
  });

  it('refuses anything that would leave the output folder', () => {
    for (const name of ['', '.', '..', '../x', '../../x', 'a/../../b', '/etc', 'a/b', 'a\\b', '..\\x', 'C:\\x', 'C:x', 'x\0y']) {
      expect(() => checkOutputName(name), JSON.stringify(name)).toThrow(ScenarioError);
    }
  });

  it('says why, at the name', () => {
    try {
      checkOutputName('../x', 'scenarios/a.yaml');
      throw new Error('accepted');
    } catch (e) {
      expect((e as ScenarioError).format()).toBe(`scenarios/a.yaml: name: ${outputEscapes('../x')}`);
    }
  });
});

describe('formatPath', () => {
  it('joins plain keys with dots and quotes keys with dots in brackets', () => {
    expect(formatPath(['consumer-groups', 0, 'config', 'max.poll.records'])).toBe('consumer-groups[0].config["max.poll.records"]');
    expect(formatPath(['producers', 1, 'rate', 'spike', 'ramp'])).toBe('producers[1].rate.spike.ramp');
    expect(formatPath([])).toBe('');
    expect(formatPath(['a b', '0'])).toBe('["a b"]["0"]');
  });
});

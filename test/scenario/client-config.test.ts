import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario, loadScenarioWithNotes, ScenarioError, type ScenarioIssue } from '../../src/scenario/load.js';
import { parseDescribe, parseProperties } from '../../src/scenario/properties.js';
import { cannotReadConfig, ignoredKeysNote, notModelledKey, unknownKey } from '../../src/scenario/messages.js';
import { yaml } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lagsim-client-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function issuesLoading(file: string): ScenarioIssue[] {
  try {
    loadScenario(file);
  } catch (e) {
    if (e instanceof ScenarioError) return [...e.issues];
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

/** A scenario whose producer, consumer group and topic read the given files. */
function scenario(name: string, configs: { producer?: string; consumer?: string; topic?: string }): string {
  return write(
    name,
    yaml`
      name: configs
      duration: 10s
      topics:
        - name: orders
          partitions: 6
          ${configs.topic ? `config: ${configs.topic}` : ''}
      producers:
        - name: web
          topic: orders
          rate: 1k/s
          ${configs.producer ? `config: ${configs.producer}` : ''}
      consumer-groups:
        - name: billing
          topic: orders
          instances: 2
          ${configs.consumer ? `config: ${configs.consumer}` : ''}
    `,
  );
}

const PRODUCER_PROPERTIES = [
  '# producer.properties of the checkout service',
  'bootstrap.servers=kafka-1:9092,kafka-2:9092',
  'client.id = checkout',
  'key.serializer=org.apache.kafka.common.serialization.StringSerializer',
  'value.serializer: io.confluent.kafka.serializers.KafkaAvroSerializer',
  'security.protocol=SASL_SSL',
  'sasl.mechanism=PLAIN',
  'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\',
  '    username="checkout" password="secret";',
  'ssl.endpoint.identification.algorithm=https',
  '! tuning',
  'linger.ms=20',
  'batch.size 65536',
  'acks=all',
  'buffer.memory=67108864',
  'max.in.flight.requests.per.connection=5',
  'request.timeout.ms=   30000   ',
  '',
].join('\n');

const CONSUMER_PROPERTIES = [
  'bootstrap.servers=kafka-1:9092',
  'group.id=billing',
  'key.deserializer=org.apache.kafka.common.serialization.StringDeserializer',
  'value.deserializer=org.apache.kafka.common.serialization.StringDeserializer',
  'enable.auto.commit=FALSE',
  'max.poll.records=250',
  'fetch.max.wait.ms=100',
  'partition.assignment.strategy=org.apache.kafka.clients.consumer.CooperativeStickyAssignor',
  'session.timeout.ms=30000',
  '',
].join('\r\n');

const TOPIC_DESCRIBE = [
  'Dynamic configs for topic orders are:',
  '  retention.ms=86400000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=86400000, DEFAULT_CONFIG:log.retention.hours=168}',
  '  min.insync.replicas=2 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:min.insync.replicas=2, DEFAULT_CONFIG:min.insync.replicas=1}',
  '  cleanup.policy=delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=delete, DEFAULT_CONFIG:log.cleanup.policy=delete}',
  '  max.message.bytes=2097152 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:max.message.bytes=2097152, DEFAULT_CONFIG:message.max.bytes=1048588}',
  '  segment.bytes=536870912 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:segment.bytes=536870912, DEFAULT_CONFIG:log.segment.bytes=1073741824}',
  '',
].join('\n');

describe('a Java properties file, read as java.util.Properties reads it', () => {
  it('separators, comments, continuations and escapes', () => {
    const text = [
      '  # a comment \\',
      'a=1',
      '! another',
      'b : two words  ',
      'c\\=d=e\\:f',
      'long = one, \\',
      '       two, \\\\',
      'next\\ key value\\twith\\u0041tab',
      'empty=',
      'bare',
      'multi\\',
      '  line = x',
    ].join('\n');
    const { entries, problems } = parseProperties(text);
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.key, e.value])).toEqual([
      ['a', '1'],
      ['b', 'two words'],
      ['c=d', 'e:f'],
      ['long', 'one, two, \\'],
      ['next key', 'value\twithAtab'],
      ['empty', ''],
      ['bare', ''],
      ['multiline', 'x'],
    ]);
    // Where each key and value is written, 1-based.
    expect(entries[1].keyAt).toEqual({ line: 4, col: 1 });
    expect(entries[1].valueAt).toEqual({ line: 4, col: 5 });
    expect(entries[3].keyAt).toEqual({ line: 6, col: 1 });
    expect(entries[4].keyAt).toEqual({ line: 8, col: 1 });
  });

  it('a malformed \\u escape is an error at its line and column', () => {
    const { problems } = parseProperties('ok=1\nbad=x\\u12G4\n');
    expect(problems).toEqual([{ at: { line: 2, col: 6 }, message: expect.stringContaining('\\uXXXX') }]);
  });
});

describe('kafka-configs --describe output', () => {
  it('reads the keys of the topic, leaving out null (sensitive or unset) values', () => {
    const text = TOPIC_DESCRIBE + '  leader.replication.throttled.replicas=null sensitive=false synonyms={}\n';
    const { entries, problems } = parseDescribe(text, 'orders');
    expect(problems).toEqual([]);
    expect(entries.map((e) => e.key)).toEqual(['retention.ms', 'min.insync.replicas', 'cleanup.policy', 'max.message.bytes', 'segment.bytes']);
    expect(entries[0]).toMatchObject({ value: '86400000', keyAt: { line: 2, col: 3 }, valueAt: { line: 2, col: 16 } });
  });

  it('picks the block of the topic by name when there are several', () => {
    const text = 'All configs for topic a are:\n  retention.ms=1 sensitive=false synonyms={}\nAll configs for topic orders are:\n  retention.ms=2 sensitive=false synonyms={}\n';
    expect(parseDescribe(text, 'orders').entries.map((e) => e.value)).toEqual(['2']);
    expect(parseDescribe(text, 'b').problems[0].message).toMatch(/topic b, got those of a, orders/);
  });
});

describe('a scenario pointing at config files', () => {
  write('producer.properties', PRODUCER_PROPERTIES);
  write('consumer.properties', CONSUMER_PROPERTIES);
  write('orders.describe.txt', TOPIC_DESCRIBE);

  it('takes each key as Kafka parses it, with one note listing the keys with no effect', () => {
    const file = scenario('ok.yaml', {
      producer: '{ file: producer.properties }',
      consumer: '{ file: consumer.properties, max.poll.records: 100 }',
      topic: '{ file: orders.describe.txt }',
    });
    const { scenario: s, notes } = loadScenarioWithNotes(file);
    const p = s.producers[0].config;
    expect(p['linger.ms']).toBe(20_000); // 20 ms, in us
    expect(p['batch.size']).toBe(65_536);
    expect(p['buffer.memory']).toBe(67_108_864);
    expect(p['request.timeout.ms']).toBe(30_000_000);
    const c = s['consumer-groups'][0].config;
    expect(c['enable.auto.commit']).toBe(false);
    expect(c['max.poll.records']).toBe(100); // the inline key overrides the file's 250
    expect(c['fetch.max.wait.ms']).toBe(100_000);
    expect(c['partition.assignment.strategy']).toBe('cooperative-sticky');
    expect(c['session.timeout.ms']).toBe(30_000_000);
    const t = s.topics[0].config;
    expect(t['retention.ms']).toBe(86_400_000_000);
    expect(t['min.insync.replicas']).toBe(2);
    expect(t['segment.bytes']).toBe(536_870_912);

    const shown = (name: string) => path.join(dir, name);
    expect(notes).toEqual([
      ignoredKeysNote([
        `cleanup.policy (${shown('orders.describe.txt')}:4:3)`,
        `max.message.bytes (${shown('orders.describe.txt')}:5:3)`,
        `bootstrap.servers (${shown('producer.properties')}:2:1)`,
        `client.id (${shown('producer.properties')}:3:1)`,
        `key.serializer (${shown('producer.properties')}:4:1)`,
        `value.serializer (${shown('producer.properties')}:5:1)`,
        `security.protocol (${shown('producer.properties')}:6:1)`,
        `sasl.mechanism (${shown('producer.properties')}:7:1)`,
        `sasl.jaas.config (${shown('producer.properties')}:8:1)`,
        `ssl.endpoint.identification.algorithm (${shown('producer.properties')}:10:1)`,
        `bootstrap.servers (${shown('consumer.properties')}:1:1)`,
        `group.id (${shown('consumer.properties')}:2:1)`,
        `key.deserializer (${shown('consumer.properties')}:3:1)`,
        `value.deserializer (${shown('consumer.properties')}:4:1)`,
      ]),
    ]);
    expect(notes[0]).toMatch(/^note: 14 Kafka keys with no effect/);
  });

  it('a scenario with no such keys has no note', () => {
    expect(loadScenarioWithNotes(scenario('plain.yaml', {})).notes).toEqual([]);
  });

  it('quoted numbers written inline are numbers in the key\'s unit, as Kafka reads them', () => {
    const s = loadScenario(scenario('quoted.yaml', { producer: '{ linger.ms: "7", batch.size: "1024" }' }));
    expect(s.producers[0].config['linger.ms']).toBe(7_000);
    expect(s.producers[0].config['batch.size']).toBe(1024);
  });

  it('an unknown key in a properties file is shown at its line and column, with a suggestion', () => {
    write('typo.properties', 'bootstrap.servers=x\n\nlinger.ms=5\n  lingr.ms=20\n');
    const issues = issuesLoading(scenario('typo.yaml', { producer: '{ file: typo.properties }' }));
    expect(issues).toEqual([
      { file: path.join(dir, 'typo.properties'), line: 4, col: 3, path: 'producers[0].config["lingr.ms"]', message: unknownKey('lingr.ms', 'linger.ms', []) },
    ]);
  });

  it('a value Kafka would refuse is shown at the value', () => {
    write('bad-value.properties', 'max.poll.records=many\nenable.auto.commit=yes\n');
    const issues = issuesLoading(scenario('bad-value.yaml', { consumer: '{ file: bad-value.properties }' }));
    expect(issues.map((i) => [i.file, i.line, i.col, i.path])).toEqual([
      [path.join(dir, 'bad-value.properties'), 1, 18, 'consumer-groups[0].config["max.poll.records"]'],
      [path.join(dir, 'bad-value.properties'), 2, 20, 'consumer-groups[0].config["enable.auto.commit"]'],
    ]);
    expect(issues[0].message).toBe('expected a number, got "many"');
  });

  it('a key that changes behaviour lagsim does not model is refused with the reason, unless overridden beside file:', () => {
    write('compact.txt', 'Dynamic configs for topic orders are:\n  cleanup.policy=compact sensitive=false synonyms={}\n');
    const issues = issuesLoading(scenario('compact.yaml', { topic: '{ file: compact.txt }' }));
    expect(issues).toEqual([
      { file: path.join(dir, 'compact.txt'), line: 2, col: 3, path: 'topics[0].config["cleanup.policy"]', message: notModelledKey('cleanup.policy', 'log compaction (only cleanup.policy=delete is)') },
    ]);
    expect(loadScenarioWithNotes(scenario('compact-overridden.yaml', { topic: '{ file: compact.txt, cleanup.policy: delete }' })).notes[0]).toContain('cleanup.policy (topics[0].config["cleanup.policy"])');
    write('txn.properties', 'transactional.id=checkout-1\n');
    expect(issuesLoading(scenario('txn.yaml', { producer: '{ file: txn.properties }' }))[0].message).toBe(notModelledKey('transactional.id', 'transactions'));
  });

  it('compression and idempotence from a properties file, and a conflict Kafka refuses shown at its value', () => {
    write('zstd.properties', 'compression.type=zstd\nenable.idempotence=true\nretries=10\n');
    const s = loadScenario(scenario('zstd.yaml', { producer: '{ file: zstd.properties }' })).producers[0];
    expect(s.config['compression.type']).toBe('zstd');
    expect(s.config['enable.idempotence']).toBe(true);
    expect(s.config.retries).toBe(10);
    write('conflict.properties', 'enable.idempotence=TRUE\nacks=1\n');
    const issues = issuesLoading(scenario('conflict.yaml', { producer: '{ file: conflict.properties }' }));
    expect(issues.map((i) => [i.file, i.line, i.col, i.path])).toEqual([[path.join(dir, 'conflict.properties'), 2, 6, 'producers[0].config.acks']]);
    expect(issues[0].message).toMatch(/^expected acks: all with enable.idempotence: true, got 1/);
  });

  it('a file that cannot be read is shown at the scenario\'s file key', () => {
    const file = scenario('missing.yaml', { producer: '{ file: nowhere.properties }' });
    const issues = issuesLoading(file);
    expect(issues).toEqual([{ file, line: 11, col: 21, path: 'producers[0].config.file', message: cannotReadConfig(path.join(dir, 'nowhere.properties'), 'no such file') }]);
  });

  it('a malformed escape in a properties file is shown in that file', () => {
    write('escape.properties', 'linger.ms=5\\u00\n');
    const issues = issuesLoading(scenario('escape.yaml', { producer: '{ file: escape.properties }' }));
    expect(issues).toEqual([{ file: path.join(dir, 'escape.properties'), line: 1, col: 12, path: 'producers[0].config', message: expect.stringContaining('\\uXXXX') }]);
  });
});

/**
 * The stand-in scenario factory (until the design layer's overrides are merged): values set in
 * place keep the file's line numbers; Kafka keys with dots; missing keys added.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathSegments, scenarioFactory } from '../../src/run/factory.js';
import { ScenarioError } from '../../src/scenario/load.js';

const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'lagsim-factory-')), 's.yaml');
writeFileSync(
  file,
  `name: s
duration: 10s
topics: [{ name: t, partitions: 4 }]
producers: [{ name: p, topic: t, rate: 2k/s }]
consumer-groups:
  - name: g
    topic: t
    instances: 2
    processing: { per-record: 300us }
`,
);

describe('scenarioFactory (stand-in)', () => {
  const make = scenarioFactory(file);

  it('reads paths dotted or bracketed; a config key is one name', () => {
    expect(pathSegments('consumer-groups.0.instances')).toStrictEqual(['consumer-groups', 0, 'instances']);
    expect(pathSegments('consumer-groups.0.config.max.poll.records')).toStrictEqual(['consumer-groups', 0, 'config', 'max.poll.records']);
    expect(pathSegments('consumer-groups[0].config["max.poll.records"]')).toStrictEqual(['consumer-groups', 0, 'config', 'max.poll.records']);
  });

  it('sets values as the file would state them', () => {
    expect(make([])['consumer-groups'][0].instances).toBe(2);
    const s = make([
      { path: 'consumer-groups.0.instances', value: '7' },
      { path: 'topics.0.partitions', value: '14' },
      { path: 'consumer-groups.0.config.max.poll.records', value: '50' },
      { path: 'consumer-groups.0.processing.per-record', value: '{ dist: exponential, mean: 2ms }' },
      { path: 'duration', value: '1m' },
    ]);
    expect(s['consumer-groups'][0].instances).toBe(7);
    expect(s.topics[0].partitions).toBe(14);
    expect(s['consumer-groups'][0].config['max.poll.records']).toBe(50);
    expect(s['consumer-groups'][0].processing['per-record']).toMatchObject({ dist: 'exponential' });
    expect(s.duration).toBe(60_000_000);
  });

  it('reports a bad value at its line in the file', () => {
    let err: unknown;
    try {
      make([{ path: 'consumer-groups.0.instances', value: '0' }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).issues[0]).toMatchObject({ line: 8, path: 'consumer-groups[0].instances' });
  });
});

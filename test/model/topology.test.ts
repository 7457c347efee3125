/**
 * The graph built from a scenario (model/topology.ts), and the facts only the whole graph knows.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { Simulation } from '../../src/kernel/simulation.js';
import { Recorder } from '../../src/metrics/recorder.js';
import { SampleWindows } from '../../src/metrics/windows.js';
import { buildGraph, graphFacts } from '../../src/model/topology.js';
import { simulate } from '../../src/model/simulate.js';

const BASE = `
name: graph
seed: 3
duration: 20s
sample-interval: 1s
topics: [{ name: orders, partitions: 6 }]
producers: [{ name: web, topic: orders, rate: 500/s }]
services:
  - { name: db, latency: 2ms, concurrency: 8 }
  - { name: cache, latency: 1ms }
consumer-groups:
  - name: app
    topic: orders
    instances: 3
    processing: { calls: [{ service: db }] }
`;

describe('graph facts', () => {
  it('a service may have twice the most instances of each group that calls it, counting every scale fault', () => {
    const s = parseScenario(`${BASE}faults: [{ type: scale, at: 5s, instances: 5 }, { type: scale, at: 10s, instances: 2 }]\n`, 'g.yaml');
    const f = graphFacts(s);
    expect(f.maxCallers.get('db')).toBe(10);
    expect(f.callers.get('db')).toEqual(['app']);
    // A service nobody calls can have no caller.
    expect(f.maxCallers.get('cache')).toBe(0);
    expect(f.callers.get('cache')).toEqual([]);
  });

  it('counts every group that calls a service, not only the first', () => {
    const s = parseScenario(BASE, 'g.yaml');
    const second = { ...s['consumer-groups'][0], name: 'audit', instances: 4 };
    const two: Scenario = { ...s, 'consumer-groups': [...s['consumer-groups'], second] };
    const f = graphFacts(two);
    expect(f.maxCallers.get('db')).toBe(2 * 3 + 2 * 4);
    expect(f.callers.get('db')).toEqual(['app', 'audit']);
  });

  it('a service queues when its concurrency is below the callers the graph can have, and is computed inline otherwise', () => {
    const s = parseScenario(BASE, 'g.yaml');
    const build = (scenario: Scenario) => buildGraph(scenario, { sim: new Simulation(), recorder: new Recorder(new SampleWindows(20e6, 1e6)), batched: false, producersElsewhere: false });
    expect(build(s).services.find((x) => x.name === 'db')!.service.inline).toBe(true); // 8 >= 2 x 3
    const few = parseScenario(BASE.replace('concurrency: 8', 'concurrency: 5'), 'g.yaml');
    expect(build(few).services.find((x) => x.name === 'db')!.service.inline).toBe(false); // 5 < 2 x 3
    const scaled = parseScenario(BASE.replace('concurrency: 8', 'concurrency: 6'), 'g.yaml');
    expect(build(scaled).services.find((x) => x.name === 'db')!.service.inline).toBe(true); // 6 >= 2 x 3
    const grown = parseScenario(`${BASE.replace('concurrency: 8', 'concurrency: 6')}faults: [{ type: scale, at: 5s, instances: 4 }]\n`, 'g.yaml');
    expect(build(grown).services.find((x) => x.name === 'db')!.service.inline).toBe(false); // 6 < 2 x 4
  });
});

describe('the graph', () => {
  it('wires each group as a reader of its topic, and names components by id', () => {
    const g = buildGraph(parseScenario(BASE, 'g.yaml'), { sim: new Simulation(), recorder: new Recorder(new SampleWindows(20e6, 1e6)), batched: false, producersElsewhere: false });
    expect(g.topics.map((t) => t.id)).toEqual(['topic:orders']);
    expect(g.groups.map((x) => x.id)).toEqual(['group:app']);
    expect(g.services.map((x) => x.id)).toEqual(['service:db', 'service:cache']);
    expect(g.topics[0].readers).toEqual([g.groups[0].group]);
    expect(g.topics[0].logs).toHaveLength(6);
    expect(g.producers).toHaveLength(1);
  });

  it('builds no producers when they run elsewhere', () => {
    const g = buildGraph(parseScenario(BASE, 'g.yaml'), { sim: new Simulation(), recorder: new Recorder(new SampleWindows(20e6, 1e6)), batched: false, producersElsewhere: true });
    expect(g.producers).toHaveLength(0);
  });

  it('the result is keyed by the same ids: topology, series and summary', () => {
    const r = simulate(parseScenario(BASE, 'g.yaml'));
    expect(r.version).toBe(2);
    // replication-factor defaults to min(3, brokers.count).
    expect(r.topology.topics).toEqual({ orders: { partitions: 6, replicationFactor: 3 } });
    expect(r.topology.groups).toEqual({ app: { topic: 'orders', instances: 3, produces: null } });
    expect(r.topology.services).toEqual({ db: { callers: ['app'] }, cache: { callers: [] } });
    expect(Object.keys(r.series.groups)).toEqual(['app']);
    expect(Object.keys(r.summary.topics)).toEqual(['orders']);
    expect(Object.keys(r.partitionLag)).toEqual(['app']);
    expect(r.partitionLag.app[0]).toHaveLength(6);
    // One call per record processed (duplicates too), plus those of records still in processing at the end.
    const done = r.summary.accounting.processed + r.summary.groups.app.duplicates;
    expect(r.summary.services.db.calls).toBeGreaterThanOrEqual(done);
    expect(r.summary.services.db.calls).toBeLessThanOrEqual(done + r.summary.accounting.inProcessing);
  });
});

describe('the probe', () => {
  it('reads a group as the recorder samples it, and a queueing service\'s calls now', async () => {
    const { Probe } = await import('../../src/model/probe.js');
    const s = parseScenario(BASE.replace('concurrency: 8', 'concurrency: 1').replace('latency: 2ms', 'latency: 20ms'), 'g.yaml');
    const sim = new Simulation();
    const graph = buildGraph(s, { sim, recorder: new Recorder(new SampleWindows(20e6, 1e6)), batched: false, producersElsewhere: false });
    const probe = new Probe(graph);
    for (const p of graph.producers) p.start();
    for (const g of graph.groups) g.group.start();
    sim.run(10e6);
    const state = probe.group(0, 10e6);
    expect(state.partitionLag).toHaveLength(6);
    expect(state.lag).toBe(state.partitionLag.reduce((a, b) => a + b, 0));
    expect(state.maxPartitionLag).toBe(Math.max(...state.partitionLag));
    // One call at a time of 20 ms for 500 records/s: the service is the bottleneck, calls queue.
    expect(state.lag).toBeGreaterThan(1000);
    const db = probe.service(0);
    expect(db.inFlight).toBe(1);
    expect(db.queued).toBeGreaterThan(0);
    expect(db.queued).toBeLessThanOrEqual(2 * 3);
    expect(probe.service(1)).toEqual({ inFlight: null, queued: 0 });
  });
});

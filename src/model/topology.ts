/**
 * Builds the graph of one run from its scenario: the one place where components are made and
 * wired together.
 *
 *   source producers ──append──▶ topic (partition logs) ──fetch──▶ consumer group
 *                                    │ retention deletes                │ processing
 *                                    ▼                                  ▼
 *                               every reader told                 services it calls
 *
 * A topic knows its readers (the groups that consume it) and tells each of them when data is
 * appended or deleted, so no component holds a forward reference to one built after it.
 *
 * Facts that depend on the whole graph are computed here, from every caller and every scaling
 * limit, never by a component from its own corner (`graphFacts`):
 * - how many callers can have a call to a service outstanding at once: over every group that
 *   calls it, twice the most instances the group can ever run (its own count, every `scale` fault
 *   naming more), since a member that left on a poll timeout keeps processing while its
 *   replacement starts. A service whose concurrency is at least that can never queue, and its
 *   calls may be computed inline by the caller (app service's header argues why that is exact);
 * - which producers are exogenous (source producers, whose records come from a rate profile and
 *   depend on nothing downstream): only they may run ahead of the clock on the producer thread.
 */
import type { Simulation } from '../kernel/simulation.js';
import type { ConsumerGroupSpec, Scenario, TopicSpec } from '../scenario/schema.js';
import type { MarkedEvent } from '../metrics/result.js';
import { stream } from '../random/stream.js';
import type { Recorder } from '../metrics/recorder.js';
import { PartitionLog, type RetentionConfig } from './log.js';
import { buildProducers, type KafkaProducer } from './producer/index.js';
import { Service } from './app/service.js';
import { ConsumerGroup } from './consumer/group.js';
import { Brokers } from './brokers.js';

const US = 1e6;

/** What one topic's logs tell the groups reading them. */
export interface TopicReader {
  dataAppended(partition: number): void;
  deleted(partition: number, from: number, to: number, now: number): void;
}

export interface TopicNode {
  readonly id: string;
  readonly name: string;
  readonly spec: TopicSpec;
  readonly partitions: number;
  readonly logs: PartitionLog[];
  readonly retention: RetentionConfig;
  /** The groups consuming this topic, in the scenario's order. */
  readonly readers: TopicReader[];
  /** Tells every reader that partition p has new data (a producer appended to it). */
  readonly appended: (partition: number) => void;
}

export interface GroupNode {
  readonly id: string;
  readonly name: string;
  readonly spec: ConsumerGroupSpec;
  readonly topic: TopicNode;
  readonly group: ConsumerGroup;
}

export interface ServiceNode {
  readonly id: string;
  readonly name: string;
  readonly service: Service;
  /** Names of the groups that call it. */
  readonly callers: string[];
}

/** Facts of the whole graph, computed from the scenario alone (see the header). */
export interface GraphFacts {
  /** Per service: the most calls that can be outstanding at once. */
  maxCallers: Map<string, number>;
  /** Per service: the groups that call it, in the scenario's order. */
  callers: Map<string, string[]>;
  /** True when every producer is a source producer (an arrival process), so all may run on the producer thread. */
  producersExogenous: boolean;
}

export interface Graph {
  readonly brokers: Brokers;
  readonly topics: TopicNode[];
  readonly groups: GroupNode[];
  readonly services: ServiceNode[];
  /** The source producers on this kernel (none when they run on the producer thread). */
  readonly producers: KafkaProducer[];
  readonly facts: GraphFacts;
  /** Marks known when the graph is built (rate profile changes, service windows, broker faults). */
  readonly marks: MarkedEvent[];
}

export function graphFacts(scenario: Scenario): GraphFacts {
  const callers = new Map<string, string[]>();
  const maxCallers = new Map<string, number>();
  for (const s of scenario.services) {
    callers.set(s.name, []);
    maxCallers.set(s.name, 0);
  }
  for (const g of scenario['consumer-groups']) {
    // Scale faults name no group while a scenario has one group: they scale that one.
    let most = g.instances;
    for (const f of scenario.faults) if (f.type === 'scale') most = Math.max(most, f.instances);
    const called = new Set(g.processing.calls.map((c) => c.service));
    for (const name of called) {
      callers.get(name)?.push(g.name);
      maxCallers.set(name, (maxCallers.get(name) ?? 0) + 2 * most);
    }
  }
  return { maxCallers, callers, producersExogenous: true };
}

export interface BuildOptions {
  sim: Simulation;
  recorder: Recorder;
  batched: boolean;
  /** The source producers run elsewhere (the producer thread): build none here. */
  producersElsewhere: boolean;
}

export function buildGraph(scenario: Scenario, o: BuildOptions): Graph {
  const { sim, recorder, batched } = o;
  const seed = scenario.seed;
  const end = scenario.duration;
  const interval = scenario['sample-interval'];
  const facts = graphFacts(scenario);
  const marks: MarkedEvent[] = [];

  // 1. Brokers and topics: one topic's partitions over the cluster.
  const first = scenario.topics[0];
  const brokers = new Brokers(scenario.brokers, first.partitions, first['replication-factor'], scenario.faults, end);
  const topics = scenario.topics.map((spec) => topicNode(spec, batched));

  // 2. Services, each told how many callers it can have.
  const services: ServiceNode[] = scenario.services.map((s) => {
    const service = new Service(sim, s, stream(seed, `service:${s.name}`), facts.maxCallers.get(s.name) ?? 0, recorder.sampling);
    for (const w of s.windows) {
      marks.push({ timeSeconds: w.from / US, endSeconds: Math.min(w.to, end) / US, kind: 'service', label: w.label ?? `${s.name} latency changed` });
    }
    return { id: `service:${s.name}`, name: s.name, service, callers: facts.callers.get(s.name) ?? [] };
  });
  marks.push(...brokers.marks);
  const serviceMap = new Map(services.map((s) => [s.name, s.service]));

  // 3. Consumer groups, each registered as a reader of its topic.
  const ctx = { sim, end, interval, rtt: scenario.network.rtt, batched, brokers };
  const coordinator = scenario.brokers;
  const groups: GroupNode[] = scenario['consumer-groups'].map((spec) => {
    const topic = topicNamed(topics, spec.topic);
    const metrics = recorder.groupMetrics(spec.name);
    const group = new ConsumerGroup(ctx, spec, topic.logs, serviceMap, metrics, (id) => stream(seed, `member:${id}`), {
      initialRebalanceDelay: coordinator['group.initial.rebalance.delay.ms'],
      consumerHeartbeat: coordinator['group.consumer.heartbeat.interval.ms'],
      consumerSession: coordinator['group.consumer.session.timeout.ms'],
    });
    topic.readers.push(group);
    return { id: `group:${spec.name}`, name: spec.name, spec, topic, group };
  });

  // 4. Source producers, appending to their topic and telling its readers.
  let producers: KafkaProducer[] = [];
  if (!o.producersElsewhere) {
    const topic = topicNamed(topics, first.name);
    const built = buildProducers({
      scenario,
      sim,
      logs: topic.logs,
      brokers,
      metrics: recorder.producerMetrics(topic.name),
      onAppend: topic.appended,
      batched,
    });
    producers = built.producers;
    marks.push(...built.marks);
  }
  return { brokers, topics, groups, services, producers, facts, marks };
}

function topicNode(spec: TopicSpec, batched: boolean): TopicNode {
  const tc = spec.config;
  const retention: RetentionConfig = {
    segmentBytes: tc['segment.bytes'],
    segmentMs: tc['segment.ms'],
    retentionMs: tc['retention.ms'],
    retentionBytes: tc['retention.bytes'],
  };
  const readers: TopicReader[] = [];
  const onDeleted = (p: number, from: number, to: number, now: number) => {
    for (let i = 0; i < readers.length; i++) readers[i].deleted(p, from, to, now);
  };
  const appended = (p: number) => {
    for (let i = 0; i < readers.length; i++) readers[i].dataAppended(p);
  };
  const logs = Array.from({ length: spec.partitions }, (_, p) => new PartitionLog(p, !batched, { retention, onDeleted }));
  return { id: `topic:${spec.name}`, name: spec.name, spec, partitions: spec.partitions, logs, retention, readers, appended };
}

export function topicNamed(topics: readonly TopicNode[], name: string): TopicNode {
  const t = topics.find((x) => x.name === name);
  if (t === undefined) throw new Error(`internal: no topic ${name} in the graph`);
  return t;
}

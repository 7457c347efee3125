/**
 * Builds the graph of one run from its scenario: the one place where components are made and
 * wired together.
 *
 *   source producers ──append──▶ topic (partition logs) ──fetch──▶ consumer group
 *                                    │ retention deletes                │ processing ──▶ services it calls
 *                                    ▼                                  ▼
 *                               every reader told          its instances' producers (a stage's sink)
 *                                                                       │ append
 *                                                                       ▼
 *                                                           the next topic ──fetch──▶ the next group ...
 *
 * A pipeline is any such graph without cycles (the loader refuses them): several topics, several
 * groups per topic (each with its own offsets: fan-out), stages that produce onward. Each
 * application instance of a stage has its own KafkaProducer (app/sink.ts), made with the
 * instance, so a stage's backpressure reaches its own poll loop and, through its lag, the stage
 * before it, as Kafka's clients make it go.
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
import { buildProducers, KafkaProducer } from './producer/index.js';
import { Sink, stagePartitioner } from './app/sink.js';
import { BlockedMemory } from './run-limit.js';
import { CALLER_BYTES, Waiters } from './producer/waiters.js';
import { compile } from '../random/distributions.js';
import { Service } from './app/service.js';
import { ConsumerGroup, concernsGroup } from './consumer/group.js';
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
  /** The cluster as this topic's partitions see it (their leaders and replicas). */
  readonly brokers: Brokers;
}

export interface GroupNode {
  readonly id: string;
  readonly name: string;
  readonly spec: ConsumerGroupSpec;
  readonly topic: TopicNode;
  readonly group: ConsumerGroup;
  /** The topic its processing produces to, or null for a last stage. */
  readonly output: TopicNode | null;
  /** The sinks of its instances, one per instance ever started (their producers hold what they sent). */
  readonly sinks: Sink[];
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
  /**
   * True when the source producers (arrival processes) may run on the producer thread: they share
   * nothing with the stages' producers that would need one order of events (a broker byte rate
   * or a client quota shared with them).
   */
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
    // A scale fault names its group, or none when the scenario has one group.
    let most = g.instances;
    for (const f of scenario.faults) if (f.type === 'scale' && concernsGroup(f, g.name)) most = Math.max(most, f.instances);
    const called = new Set(g.processing.calls.map((c) => c.service));
    for (const name of called) {
      callers.get(name)?.push(g.name);
      maxCallers.set(name, (maxCallers.get(name) ?? 0) + 2 * most);
    }
  }
  const stages = scenario['consumer-groups'].some((g) => g.produces !== undefined);
  const quotas = Object.keys(scenario.brokers.quotas).some((c) => scenario['consumer-groups'].some((g) => g.name === c && g.produces !== undefined));
  const sharedBrokers = stages && (scenario.brokers['max-bytes-in-per-second'] !== undefined || quotas);
  // The thread streams appends to one topic's partitions.
  const oneSourceTopic = new Set(scenario.producers.map((p) => p.topic)).size === 1;
  return { maxCallers, callers, producersExogenous: !sharedBrokers && oneSourceTopic };
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

  // 1. Brokers and topics: each topic's partitions over the one cluster (its view of leaders and
  // replicas; the brokers' byte rates and client quotas are shared by all views).
  const first = scenario.topics[0];
  const brokers = new Brokers(scenario.brokers, first.partitions, first['replication-factor'], scenario.faults, end);
  const topics = scenario.topics.map((spec, i) =>
    topicNode(spec, batched, i === 0 ? brokers : new Brokers(scenario.brokers, spec.partitions, spec['replication-factor'], scenario.faults, end, brokers)),
  );

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
    const written = writers(scenario, topic.name);
    const lastStages = scenario['consumer-groups'].filter((g) => g.produces === undefined).length;
    const metrics = recorder.groupMetrics(spec.name, { last: spec.produces === undefined, first: written.stages === 0, onlyLast: lastStages === 1 });
    const output = spec.produces ? topicNamed(topics, spec.produces.topic) : null;
    const sinks: Sink[] = [];
    const partitioner = output && spec.produces ? stagePartitioner(spec.produces, output.partitions) : null;
    // When a process of this group may crash (any of its instances: the sink runs ahead only
    // where none can, see sink.ts flushAhead).
    const crashes = scenario.faults.flatMap((f) => (f.type === 'consumer-crash' && concernsGroup(f, spec.name) ? [f.at] : []));
    const mayDie = (from: number, to: number) => crashes.some((c) => c >= from && c <= to);
    const sinkFor = (memberId: string): Sink | null => {
      if (!output || !spec.produces) return null;
      const out = spec.produces;
      const producer = new KafkaProducer({
        id: `${memberId}-producer`,
        topic: output.name,
        client: spec.name,
        spec: out,
        logs: output.logs,
        senderRng: stream(seed, `sender:${memberId}`),
        brokers: output.brokers,
        minInsyncReplicas: output.spec.config['min.insync.replicas'],
        appendLatency: compile(scenario.brokers['append-latency']),
        replicationLatency: compile(scenario.brokers['replication-latency']),
        rtt: scenario.network.rtt,
        end,
        interval,
        metrics: recorder.producerMetrics(output.name),
        onAppend: output.appended,
        batched,
        origins: true,
        // The processing thread blocks in turn (sink.ts): its producer never holds waiting callers.
        waiters: new Waiters(new BlockedMemory(Infinity), {
          producer: spec.name,
          instances: 1,
          instance: memberId,
          rate: 0,
          bytesPerCaller: CALLER_BYTES,
          bufferMemory: out.config['buffer.memory'],
          maxBlock: out.config['max.block.ms'],
        }),
      });
      const sink = new Sink(sim, out, producer, output.partitions, written.keyed, partitioner, stream(seed, `sink:${memberId}`), memberId, mayDie);
      sinks.push(sink);
      return sink;
    };
    const group = new ConsumerGroup(
      { ...ctx, brokers: topic.brokers },
      spec,
      topic.logs,
      serviceMap,
      metrics,
      (id) => stream(seed, `member:${id}`),
      {
        initialRebalanceDelay: coordinator['group.initial.rebalance.delay.ms'],
        consumerHeartbeat: coordinator['group.consumer.heartbeat.interval.ms'],
        consumerSession: coordinator['group.consumer.session.timeout.ms'],
      },
      sinkFor,
    );
    topic.readers.push(group);
    return { id: `group:${spec.name}`, name: spec.name, spec, topic, group, output, sinks };
  });

  // 4. Source producers, appending to their topics and telling their readers.
  let producers: KafkaProducer[] = [];
  if (!o.producersElsewhere) {
    const built = buildProducers({
      scenario,
      sim,
      topic: (name) => {
        const t = topicNamed(topics, name);
        return { logs: t.logs, brokers: t.brokers, metrics: recorder.producerMetrics(t.name), onAppend: t.appended, minInsyncReplicas: t.spec.config['min.insync.replicas'] };
      },
      batched,
    });
    producers = built.producers;
    marks.push(...built.marks);
  }
  return { brokers, topics, groups, services, producers, facts, marks };
}

/** Who writes topic `name`: how many stages, and whether its records carry keys (some writer gives them keys). */
export function writers(scenario: Scenario, name: string): { sources: number; stages: number; keyed: boolean } {
  const sources = scenario.producers.filter((p) => p.topic === name);
  const stages = scenario['consumer-groups'].filter((g) => g.produces?.topic === name);
  const keyed =
    sources.some((p) => p.keys.dist !== 'null') ||
    stages.some((g) => (g.produces!.keys === 'keep' ? writers(scenario, g.topic).keyed : g.produces!.keys.dist !== 'null'));
  return { sources: sources.length, stages: stages.length, keyed };
}

function topicNode(spec: TopicSpec, batched: boolean, brokers: Brokers): TopicNode {
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
  return { id: `topic:${spec.name}`, name: spec.name, spec, partitions: spec.partitions, logs, retention, readers, appended, brokers };
}

export function topicNamed(topics: readonly TopicNode[], name: string): TopicNode {
  const t = topics.find((x) => x.name === name);
  if (t === undefined) throw new Error(`internal: no topic ${name} in the graph`);
  return t;
}

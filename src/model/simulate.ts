/**
 * Runs the graph of one scenario on a kernel for the scenario's duration, samples its state at
 * each window's end through the probe, balances the books, and hands what was recorded to the
 * summary. The run fails loudly if any record is unaccounted for.
 *
 * Causality rules: what may be computed ahead of the clock, and why it stays exact.
 * 1. Sampling runs at priority 0, before model events (priority 1) at the same instant, so a
 *    sample at T shows the state left by every event before T; the end-of-run accounting uses
 *    the same cut, which keeps "appended", "processed" and the lag series on one definition of
 *    time.
 * 2. Source producers' arrivals are exogenous: nothing they do depends on the consumer side (they
 *    read only the brokers' timelines, fixed from the start, and their own state). So a producer
 *    works a slice of simulated time ahead per event, and appends batches that become visible at
 *    a known later time; readers always ask a log "what is visible at t" (model/log.ts). For the
 *    same reason all source producers may run on a thread of their own and be replayed at proxy
 *    events standing where their slices stood (model/producer-thread.ts). The topology says which
 *    producers are exogenous (`GraphFacts.producersExogenous`); only those may do either.
 * 3. A member knows a poll batch's completion times when processing starts, so completions are
 *    recorded into the windows they fall in, which may lie ahead of the clock (metrics/windows.ts);
 *    a window's latency histogram is closed only once the clock has reached its end. The
 *    application's clock keeps the fraction of a tick at which its last batch ended (events stay
 *    on whole ticks), so a batch may start up to a tick before its event, never before the last
 *    window end sampled (consumer/member.ts, app/processing.ts).
 * 4. A service call whose start can never wait (no concurrency limit, or one at least the most
 *    callers the graph can ever have, `GraphFacts.maxCallers`) is a latency draw and nothing
 *    else, so the caller computes it inline with no event (model/service.ts). Any service that
 *    can queue is simulated call by call.
 * 5. Retention checks run every `log.retention.check.interval.ms` from the start of the run over
 *    every partition (checks that cannot delete anything in the run are not scheduled). Records
 *    deleted before a group fetched them are lost to retention, counted when deleted.
 * 6. A stage's processing produces through a KafkaProducer of its own instance (app/sink.ts). A
 *    poll batch runs ahead only if its outputs' worst-case allocations fit in the memory free at
 *    its start (then none of its sends can block: the thread is the producer's only caller).
 *    Its outputs then go into the producer's accumulator ahead of the clock when the batch's
 *    work is computed (nothing in the accumulator depends on the sender while nothing blocks),
 *    and the batches they close are queued for the sender in ready order without moving it; the
 *    sender, which appends to the logs, moves only at the clock, so every log gets its writers'
 *    batches in time order. Where the process may crash inside the batch (its outputs must stay
 *    takeable back) or leaders may change, the outputs wait in an outbox and reach send() at
 *    their exact times instead. Otherwise each record's sends happen at their own event and a
 *    full buffer blocks the thread.
 */
import { Simulation, named } from '../kernel/simulation.js';
import type { Scenario } from '../scenario/schema.js';
import type { Accounting, GroupBooks, RunResult, TopicBooks } from '../metrics/result.js';
import { Recorder } from '../metrics/recorder.js';
import { SampleWindows } from '../metrics/windows.js';
import { summarise, type Recording, type GroupOutcome, type ServiceOutcome } from '../metrics/summarise.js';
import { ConservationError, checkConservation } from '../metrics/accounting.js';

export { ConservationError, checkConservation };
import type { PartitionLog } from './log.js';
import { producerMarks, producerOutcome, type ProducerOutcome } from './producer/index.js';
import { ProducerThread, type ThreadResult } from './producer-thread.js';
import { resolveFidelity } from './estimate.js';
import { asRunLimit } from './run-limit.js';
import type { ConsumerGroup } from './consumer/group.js';
import { buildGraph, graphFacts, topicNamed, type Graph } from './topology.js';
import { Probe } from './probe.js';
import { compareText } from '../text.js';

export interface RunOptions {
  /** Called with the fraction of simulated time done, at each sample. */
  onProgress?: (fraction: number) => void;
  /** Called with the partitions' logs and the group once the run has ended (for tests). */
  inspect?: (model: { logs: readonly PartitionLog[]; group: ConsumerGroup }) => void;
  /**
   * Run the producers on a thread of their own (producer-thread.ts): the same outputs, byte for
   * byte, on two cores. For a single run on a machine with a core to spare, not for runs that
   * already share the cores (a pool). The thread then waits for this thread's next such run
   * (unreferenced), so only the first pays its start-up.
   */
  producerThread?: boolean;
}

const US = 1e6;

/** Simulates the scenario and returns what the run recorded, books balanced (summarise.ts turns it into a RunResult). */
export function simulateGraph(scenario: Scenario, options: RunOptions = {}): Recording {
  const sim = new Simulation();
  const end = scenario.duration;
  const interval = scenario['sample-interval'];
  const fidelity = resolveFidelity(scenario);
  const batched = fidelity === 'batched';
  const windows = new SampleWindows(end, interval);
  const recorder = new Recorder(windows);

  // The producers: here, or on their own thread with a proxy per producer replaying its slices.
  const threaded = options.producerThread === true && graphFacts(scenario).producersExogenous;
  const graph = buildGraph(scenario, { sim, recorder, batched, producersElsewhere: threaded });
  const marks = [...graph.marks];
  if (threaded) marks.push(...producerMarks(scenario));
  // The topic the source producers write (the producer thread streams to it; it has one then).
  const topic = topicNamed(graph.topics, scenario.producers[0].topic);
  const { logs } = topic;

  // ---- sampling (rule 1) --------------------------------------------------------------------
  const probe = new Probe(graph);
  const groupSamples = graph.groups.map((g) => recorder.samples(g.name, g.topic.partitions));
  const sample = (T: number) => {
    const w = recorder.nextSample(T);
    for (let i = 0; i < graph.groups.length; i++) {
      const s = groupSamples[i];
      const state = probe.group(i, T, s.partitionLagAt(w));
      s.lag[w] = state.lag;
      s.maxPartitionLag[w] = state.maxPartitionLag;
      s.lagSeconds[w] = state.lagAge / US;
      s.pausedPartitions[w] = state.pausedPartitions;
      s.unownedPartitions[w] = state.unownedPartitions;
      s.consumers[w] = state.members;
    }
    recorder.closeUntil(T);
    options.onProgress?.(T / end);
  };
  // Window k is sampled at its end; the last window ends with the run (shorter when the duration
  // is not a multiple of the interval) and is sampled after the kernel has run to the end.
  const sampleEvent = (k: number) => {
    sample(sim.now);
    if (k + 2 < windows.count) sim.at(windows.endOf(k + 1), sampleEvent, k + 1, 0);
  };
  if (windows.count > 1) sim.at(windows.endOf(0), sampleEvent, 0, 0);

  // ---- retention (rule 5) -------------------------------------------------------------------
  const checkInterval = scenario.brokers['log.retention.check.interval.ms'];
  const allLogs = graph.topics.flatMap((t) => t.logs);
  const canDelete = graph.topics.some((t) => (t.retention.retentionMs >= 0 && t.retention.retentionMs < end) || t.retention.retentionBytes >= 0);
  const retentionCheck = () => {
    const now = sim.now;
    for (const log of allLogs) log.applyRetention(now);
    if (now + checkInterval < end) sim.at(now + checkInterval, retentionCheck, 0, 1);
  };
  if (canDelete && checkInterval < end) sim.at(checkInterval, retentionCheck, 0, 1);

  // Started last, so nothing before the run can fail and leave it running.
  const thread = threaded ? new ProducerThread(scenario, batched) : null;
  let remote: ThreadResult | undefined;
  const counters = recorder.producerMetrics(topic.name);
  try {
    if (thread) {
      const replaySlice = (): void => {
        const next = thread.replaySlice(logs, topic.appended);
        if (next !== null) sim.at(next, replaySlice, 0, 1);
      };
      named('producers', 'slice', replaySlice);
      for (const spec of scenario.producers) for (let i = 0; i < spec.instances; i++) sim.at(0, replaySlice, 0, 1);
    }
    for (const p of graph.producers) p.start();
    for (const g of graph.groups) {
      g.group.start();
      g.group.scheduleFaults(scenario.faults);
    }
    sim.run(end);
    sample(end);
    if (thread) {
      remote = thread.finish();
      for (const k of ['produced', 'appended', 'rejected', 'blocked', 'buffer'] as const) counters[k].values.set(remote.metrics[k]);
    }
  } catch (e) {
    thread?.stop();
    throw asRunLimit(e) ?? e;
  }
  for (const p of graph.producers) p.finish(end);
  for (const g of graph.groups) for (const k of g.sinks) k.finish(end);
  const sourceOutcome = remote ? remote.outcome : producerOutcome(graph.producers);
  for (const s of graph.services) s.service.finish(end);
  const several = graph.groups.length > 1;
  for (const g of graph.groups) {
    g.group.settle(end);
    // In a pipeline a mark says which group it is about.
    marks.push(...(several ? g.group.marks.map((m) => ({ ...m, label: `${g.name}: ${m.label}` })) : g.group.marks));
  }

  // ---- accounting ---------------------------------------------------------------------------
  const books = balanceBooks(graph, end, sourceOutcome, remote !== undefined ? topic.name : null, recorder);
  const first = graph.groups[0];
  options.inspect?.({ logs: first.topic.logs, group: first.group });
  const accounting: Accounting = books.first;
  const outcome = books.producers.get(first.topic.name)!;

  // ---- what the summary reads ---------------------------------------------------------------
  const groups: Record<string, GroupOutcome> = {};
  for (const g of graph.groups) {
    groups[g.name] = {
      topic: g.topic.name,
      instances: g.spec.instances,
      rebalances: g.group.rebalances,
      membershipChanges: g.group.membershipChanges,
      pausedPartitionSeconds: g.group.pausedSeconds,
      longestPartitionPauseSeconds: g.group.longestPause,
      duplicates: g.group.duplicates,
      maxFetchThrottleMs: g.group.maxFetchThrottleMs,
      books: books.groups[g.name],
      produces: g.output?.name ?? null,
    };
  }
  const services: Record<string, ServiceOutcome> = {};
  for (const s of graph.services) {
    const sv = s.service;
    services[s.name] = { callers: s.callers, calls: sv.calls, latency: sv.latency, queueWait: sv.queueWait, inFlightTime: sv.inFlightTime.values, queuedTime: sv.queuedTime.values };
  }
  marks.sort((a, b) => a.timeSeconds - b.timeSeconds || compareText(a.label, b.label));
  return {
    scenario,
    fidelity,
    recorder,
    topics: Object.fromEntries(
      graph.topics.map((t) => [t.name, { partitions: t.partitions, replicationFactor: t.brokers.replicationFactor, producers: books.producers.get(t.name)!, books: books.topics[t.name] }]),
    ),
    producers: Object.fromEntries(scenario.producers.map((p) => [p.name, { topic: p.topic, instances: p.instances }])),
    groups,
    services,
    accounting,
    marks,
    kernelEvents: sim.executed,
  };
}

/**
 * Expected records from which a single run is worth a producer thread: below, the thread's
 * start-up and cold JIT cost more than it saves in a process's first run (a 1M-record exact
 * M/M/1 run takes 1.3-1.4x as long with it; flash-sale, 99M records, 0.65x). Later runs in the
 * same process find the thread started and compiled (model/producer-thread.ts).
 */
export const PRODUCER_THREAD_RECORDS = 2_000_000;

/** Simulates the scenario and summarises what it recorded: the run's RunResult. */
export function simulate(scenario: Scenario, options: RunOptions = {}): RunResult {
  return summarise(simulateGraph(scenario, options));
}

/**
 * The books of every topic and every group, balanced or the run fails (ConservationError):
 * per topic, offered = rejected + appended + still in a producer, over every producer writing it
 * (source producers and stages' sinks); per group, its topic's appended = processed + lost + in
 * the log + in processing. `first` is the first group's books on its topic (a single stage's
 * books, as the summary has always given them).
 */
function balanceBooks(graph: Graph, end: number, sourceOutcome: ProducerOutcome, sourceTopic: string | null, recorder: Recorder) {
  const producers = new Map<string, ProducerOutcome>();
  const topics: Record<string, TopicBooks> = {};
  for (const t of graph.topics) {
    const local = graph.producers.filter((p) => p.topic === t.name);
    const stageProducers = graph.groups.filter((g) => g.output === t).flatMap((g) => g.sinks.map((k) => k.producer));
    const sources = t.name === sourceTopic ? sourceOutcome : producerOutcome(local);
    const stages = producerOutcome(stageProducers);
    const pending = graph.groups.filter((g) => g.output === t).reduce((n, g) => n + g.sinks.reduce((m, k) => m + k.pending, 0), 0);
    const o = mergeOutcomes(sources, stages);
    let appended = 0;
    let pendingInLog = 0;
    for (const log of t.logs) {
      appended += log.endOffsetBefore(end);
      pendingInLog += log.pendingAtOrAfter(end);
    }
    const b: TopicBooks = {
      offered: o.offered + pending,
      rejected: sortedReasons(o.rejected),
      appended,
      inProducer: o.inProducer + pendingInLog + pending,
    };
    const producerSide = Object.values(b.rejected).reduce((x, y) => x + y, 0) + b.appended + b.inProducer;
    if (producerSide !== b.offered) {
      throw new ConservationError(`records unaccounted for in topic ${t.name}: offered ${b.offered} vs rejected+appended+in producer ${producerSide}`, {
        offered: b.offered, rejected: b.rejected, appended: b.appended, processed: 0, lost: {}, inLog: 0, inProcessing: 0, inProducer: b.inProducer,
      });
    }
    producers.set(t.name, o);
    topics[t.name] = b;
  }
  const groups: Record<string, GroupBooks> = {};
  let first: Accounting | undefined;
  for (const node of graph.groups) {
    const group = node.group;
    const logs = node.topic.logs;
    let notDone = 0;
    let doneOrLost = 0;
    let appended = 0;
    for (let p = 0; p < logs.length; p++) {
      const leo = logs[p].endOffsetBefore(end);
      appended += leo;
      notDone += leo - group.accountedOffsets(p);
      doneOrLost += group.accountedOffsets(p);
    }
    const inProcessing = group.inProcessing((p) => logs[p].endOffsetBefore(end));
    const lost: Record<string, number> = {};
    for (const [reason, n] of Object.entries(group.lost)) if (n > 0) lost[reason] = n;
    const completions = recorder.groupMetrics(node.name).processed.values.reduce((a, b) => a + b, 0);
    const b: GroupBooks = { appended, processed: group.unique, lost, inLog: notDone - inProcessing, inProcessing, duplicates: group.duplicates };
    if (completions !== group.unique + group.duplicates || doneOrLost !== group.unique + group.lost.retention + group.lost['offset-reset']) {
      throw new ConservationError(
        `processing unaccounted for in group ${node.name}: ${completions} completions vs ${group.unique} distinct + ${group.duplicates} duplicates; ` +
          `offsets done or lost ${doneOrLost} vs ${group.unique} processed + ${group.lost.retention + group.lost['offset-reset']} lost`,
        { offered: 0, rejected: {}, appended, processed: group.unique, lost, inLog: b.inLog, inProcessing, inProducer: 0 },
      );
    }
    groups[node.name] = b;
    if (first === undefined) {
      const t = topics[node.topic.name];
      first = { offered: t.offered, rejected: t.rejected, appended, processed: b.processed, lost, inLog: b.inLog, inProcessing, inProducer: t.inProducer };
      checkConservation(first);
    } else {
      const consumerSide = b.processed + Object.values(lost).reduce((x, y) => x + y, 0) + b.inLog + b.inProcessing;
      if (consumerSide !== appended) {
        throw new ConservationError(`records unaccounted for in group ${node.name}: appended ${appended} vs processed+lost+in log+in processing ${consumerSide}`, {
          offered: 0, rejected: {}, appended, processed: b.processed, lost, inLog: b.inLog, inProcessing, inProducer: 0,
        });
      }
    }
  }
  return { first: first!, topics, groups, producers };
}

function mergeOutcomes(a: ProducerOutcome, b: ProducerOutcome): ProducerOutcome {
  const rejected: Record<string, number> = { ...a.rejected };
  for (const [k, n] of Object.entries(b.rejected)) rejected[k] = (rejected[k] ?? 0) + n;
  return {
    offered: a.offered + b.offered,
    rejected,
    inProducer: a.inProducer + b.inProducer,
    blockedTime: a.blockedTime + b.blockedTime,
    maxBufferBytes: Math.max(a.maxBufferBytes, b.maxBufferBytes),
    maxThrottleMs: Math.max(a.maxThrottleMs, b.maxThrottleMs),
    retries: a.retries + b.retries,
  };
}

function sortedReasons(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).filter(([, n]) => n > 0).sort(([a], [b]) => compareText(a, b)));
}

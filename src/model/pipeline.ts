/**
 * Builds the model of one scenario (topic, producers, consumer group, services) on a kernel,
 * runs it for the scenario's duration, samples its state at each window's end, and returns
 * what was recorded as a RunResult. The run fails loudly if any record is unaccounted for.
 *
 * Sampling happens at priority 0, before model events (priority 1) at the same instant, so a
 * sample at T shows the state left by every event before T; the end-of-run accounting uses the
 * same cut, which keeps "appended", "processed" and the lag series on one definition of time.
 *
 * Retention: the brokers' check runs every `log.retention.check.interval.ms` from the start of
 * the run, over every partition (checks that cannot delete anything in the run are not
 * scheduled). Records deleted before the group fetched them are lost to retention, counted when
 * deleted. Until the consumer handles OFFSET_OUT_OF_RANGE itself, `resetBelowLogStart` moves a
 * partition's fetch position to the log start offset whenever it has nothing fetched left
 * below it (auto.offset.reset=earliest without its round trips), so no fetch reads below the
 * log start.
 */
import { Simulation, named } from '../kernel/simulation.js';
import type { Scenario } from '../scenario/schema.js';
import { KAFKA_DEFAULTS_VERSION } from '../scenario/schema.js';
import { formatDuration } from '../scenario/units.js';
import { stream } from '../random/stream.js';
import { WindowedCounter, WindowedHistogram } from '../metrics/windows.js';
import type { Histogram } from '../metrics/histogram.js';
import type { Accounting, LatencySummary, MarkedEvent, RunResult, ServiceSummary } from '../metrics/result.js';
import { PartitionLog, type RetentionConfig } from './log.js';
import { buildProducers, producerMarks, producerOutcome } from './producer/index.js';
import { ProducerThread, type ThreadResult } from './producer-thread.js';
import type { Producer } from './producer/index.js';
import { compileProfile } from './rate-profile.js';
import { Service } from './service.js';
import { ConsumerGroup } from './group.js';
import { Brokers } from './brokers.js';

export class ConservationError extends Error {
  constructor(
    message: string,
    readonly accounting: Accounting,
  ) {
    super(message);
    this.name = 'ConservationError';
  }
}

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

export function simulate(scenario: Scenario, options: RunOptions = {}): RunResult {
  const sim = new Simulation();
  const seed = scenario.seed;
  const end = scenario.duration;
  const interval = scenario['sample-interval'];
  const nWindows = Math.ceil(end / interval);
  const topic = scenario.topics[0];
  const groupSpec = scenario['consumer-groups'][0];
  const P = topic.partitions;

  const fidelity = resolveFidelity(scenario);
  const batched = fidelity === 'batched';
  const produced = new WindowedCounter(nWindows, interval);
  const appended = new WindowedCounter(nWindows, interval);
  const processed = new WindowedCounter(nWindows, interval);
  const lost = new WindowedCounter(nWindows, interval);
  const latency = new WindowedHistogram(nWindows, interval);
  const rejected = new WindowedCounter(nWindows, interval);
  const blocked = new WindowedCounter(nWindows, interval);
  const buffer = new WindowedCounter(nWindows, interval);
  const brokers = new Brokers(scenario.brokers, P, topic['replication-factor'], scenario.faults, end);

  // ---- retention ----------------------------------------------------------------------------
  const tc = topic.config;
  const retention: RetentionConfig = {
    segmentBytes: tc['segment.bytes'],
    segmentMs: tc['segment.ms'],
    retentionMs: tc['retention.ms'],
    retentionBytes: tc['retention.bytes'],
  };
  // The group is built after the logs (it reads them); deletions only happen once both exist.
  let group: ConsumerGroup | undefined;
  const onDeleted = (p: number, from: number, to: number, now: number) => group!.deleted(p, from, to, now);
  const logs = Array.from({ length: P }, (_, p) => new PartitionLog(p, !batched, { retention, onDeleted }));

  const services = new Map<string, Service>();
  const marks: MarkedEvent[] = [];
  for (const s of scenario.services) {
    services.set(s.name, new Service(sim, s, stream(seed, `service:${s.name}`), maxCallers(scenario), nWindows, interval));
    for (const w of s.windows) {
      marks.push({ timeSeconds: w.from / US, endSeconds: Math.min(w.to, end) / US, kind: 'service', label: w.label ?? `${s.name} latency changed` });
    }
  }

  marks.push(...brokers.marks);

  const ctx = { sim, end, interval, rtt: scenario.network.rtt, batched, brokers };
  const coordinator = scenario.brokers;
  group = new ConsumerGroup(ctx, groupSpec, logs, services, { processed, latency, lost }, (id) => stream(seed, `member:${id}`), {
    initialRebalanceDelay: coordinator['group.initial.rebalance.delay.ms'],
    consumerHeartbeat: coordinator['group.consumer.heartbeat.interval.ms'],
    consumerSession: coordinator['group.consumer.session.timeout.ms'],
  });

  // The producers: here, or on their own thread with a proxy per producer replaying its slices.
  const threaded = options.producerThread === true;
  let producers: Producer[] = [];
  if (threaded) {
    marks.push(...producerMarks(scenario));
  } else {
    const built = buildProducers({
      scenario,
      sim,
      logs,
      brokers,
      metrics: { produced, appended, rejected, blocked, buffer },
      onAppend: (p) => group.dataAppended(p),
      batched,
    });
    producers = built.producers;
    marks.push(...built.marks);
  }

  // ---- sampling -----------------------------------------------------------------------------
  const time: number[] = [];
  const groupLag: number[] = [];
  const maxPartitionLag: number[] = [];
  const lagSeconds: number[] = [];
  const partitionLag: number[][] = [];
  const lastCommitted = new Float64Array(P);
  const consumers: number[] = [];
  const pausedPartitions: number[] = [];
  const unownedPartitions: number[] = [];

  const sample = (T: number) => {
    let sum = 0;
    let max = 0;
    let oldest = 0;
    const row: number[] = new Array(P);
    for (let p = 0; p < P; p++) {
      const leo = logs[p].endOffsetBefore(T);
      const committed = group.committed[p];
      const position = group.position[p];
      if (committed < lastCommitted[p]) {
        throw new Error(`committed offset went back on partition ${p} at t=${formatDuration(T)}`);
      }
      if (committed > leo || position > leo) {
        throw new Error(`partition ${p} at t=${formatDuration(T)}: committed ${committed} or position ${position} beyond log end ${leo}`);
      }
      lastCommitted[p] = committed;
      const lag = leo - committed;
      row[p] = lag;
      sum += lag;
      if (lag > max) max = lag;
      const age = group.oldestUnprocessedAge(p, T, leo);
      if (age > oldest) oldest = age;
    }
    time.push(T / US);
    groupLag.push(sum);
    maxPartitionLag.push(max);
    lagSeconds.push(oldest / US);
    partitionLag.push(row);
    const { paused, unowned } = group.pausedAndUnowned();
    pausedPartitions.push(paused);
    unownedPartitions.push(unowned);
    consumers.push(group.membersInGroup());
    latency.closeUntil(T);
    options.onProgress?.(T / end);
  };
  const sampleEvent = (k: number) => {
    sample(sim.now);
    if (k + 1 < nWindows) sim.at(Math.min(end, (k + 2) * interval), sampleEvent, k + 1, 0);
  };
  if (nWindows > 1) sim.at(interval, sampleEvent, 0, 0);

  // Time retention cannot delete anything in a run shorter than retention.ms.
  const checkInterval = scenario.brokers['log.retention.check.interval.ms'];
  const canDelete = (retention.retentionMs >= 0 && retention.retentionMs < end) || retention.retentionBytes >= 0;
  const retentionCheck = () => {
    const now = sim.now;
    for (const log of logs) log.applyRetention(now);
    if (now + checkInterval < end) sim.at(now + checkInterval, retentionCheck, 0, 1);
  };
  if (canDelete && checkInterval < end) sim.at(checkInterval, retentionCheck, 0, 1);

  // Started last, so nothing before the run can fail and leave it running.
  const thread = threaded ? new ProducerThread(scenario, batched) : null;
  let remote: ThreadResult | undefined;
  try {
    if (thread) {
      const replaySlice = (): void => {
        const next = thread.replaySlice(logs, (p) => group.dataAppended(p));
        if (next !== null) sim.at(next, replaySlice, 0, 1);
      };
      named('producers', 'slice', replaySlice);
      for (const spec of scenario.producers) for (let i = 0; i < spec.instances; i++) sim.at(0, replaySlice, 0, 1);
    }
    for (const p of producers) p.start();
    group.start();
    group.scheduleFaults(scenario.faults);
    sim.run(end);
    sample(end);
    if (thread) {
      remote = thread.finish();
      for (const [k, c] of [['produced', produced], ['appended', appended], ['rejected', rejected], ['blocked', blocked], ['buffer', buffer]] as const) c.values.set(remote.metrics[k]);
    }
  } catch (e) {
    thread?.stop();
    throw e;
  }
  for (const p of producers) p.finish(end);
  const outcome = remote ? remote.outcome : producerOutcome(producers);
  for (const s of services.values()) s.finish(end);
  group.settle(end);
  marks.push(...group.marks);

  // ---- accounting ---------------------------------------------------------------------------
  const offered = outcome.offered;
  let appendedTotal = 0;
  let notDone = 0;
  let pendingInLog = 0;
  let doneOrLost = 0;
  for (let p = 0; p < P; p++) {
    const leo = logs[p].endOffsetBefore(end);
    appendedTotal += leo;
    notDone += leo - group.accountedOffsets(p);
    doneOrLost += group.accountedOffsets(p);
    pendingInLog += logs[p].pendingAtOrAfter(end);
  }
  const inProcessing = group.inProcessing((p) => logs[p].endOffsetBefore(end));
  const lostByReason: Record<string, number> = {};
  for (const [reason, n] of Object.entries(group.lost)) if (n > 0) lostByReason[reason] = n;
  const completions = processed.values.reduce((a, b) => a + b, 0);
  if (completions !== group.unique + group.duplicates || doneOrLost !== group.unique + group.lost.retention + group.lost['offset-reset']) {
    throw new ConservationError(
      `processing unaccounted for: ${completions} completions vs ${group.unique} distinct + ${group.duplicates} duplicates; ` +
        `offsets done or lost ${doneOrLost} vs ${group.unique} processed + ${group.lost.retention + group.lost['offset-reset']} lost`,
      { offered: 0, rejected: {}, appended: appendedTotal, processed: group.unique, lost: lostByReason, inLog: notDone - inProcessing, inProcessing, inProducer: 0 },
    );
  }
  const rejectedByReason = outcome.rejected;
  options.inspect?.({ logs, group });
  const accounting: Accounting = {
    offered,
    rejected: Object.fromEntries(Object.entries(rejectedByReason).sort(([a], [b]) => a.localeCompare(b))),
    appended: appendedTotal,
    processed: group.unique,
    lost: lostByReason,
    inLog: notDone - inProcessing,
    inProcessing,
    inProducer: outcome.inProducer + pendingInLog,
  };
  checkConservation(accounting);

  // ---- series and summary -------------------------------------------------------------------
  const windowSeconds = (w: number) => (Math.min(end, (w + 1) * interval) - w * interval) / US;
  const perSecond = (c: WindowedCounter) => Array.from(c.values, (v, w) => v / windowSeconds(w));
  const ms = (v: number | null) => (v === null ? null : v / 1000);
  const summaries = latency.summaries;
  const serviceSeries: RunResult['series']['services'] = {};
  const serviceSummaries: Record<string, ServiceSummary> = {};
  for (const [name, s] of services) {
    const inFlight = Array.from(s.inFlightTime.values, (v, w) => v / (windowSeconds(w) * US));
    const queued = Array.from(s.queuedTime.values, (v, w) => v / (windowSeconds(w) * US));
    serviceSeries[name] = { inFlight, queued };
    serviceSummaries[name] = {
      calls: s.calls,
      latency: latencySummary(s.latency),
      maxInFlight: Math.max(0, ...inFlight),
      maxQueued: Math.max(0, ...queued),
      meanQueueWaitMs: ms(s.queueWait.mean()),
    };
  }

  const producedRate = perSecond(produced);
  const processedRate = perSecond(processed);
  let peakIdx = 0;
  for (let i = 1; i < groupLag.length; i++) if (groupLag[i] > groupLag[peakIdx]) peakIdx = i;
  const peak = groupLag[peakIdx] ?? 0;
  let drain: number | null = null;
  if (peak > 0) {
    for (let i = peakIdx + 1; i < groupLag.length; i++) {
      if (groupLag[i] <= peak * 0.1) {
        drain = time[i] - time[peakIdx];
        break;
      }
    }
  }

  marks.sort((a, b) => a.timeSeconds - b.timeSeconds || a.label.localeCompare(b.label));

  return {
    scenario: {
      name: scenario.name,
      title: scenario.title ?? scenario.name,
      description: scenario.description,
      seed,
      durationSeconds: end / US,
      sampleIntervalSeconds: interval / US,
      topic: topic.name,
      partitions: P,
      group: groupSpec.name,
      consumers: groupSpec.instances,
      fidelity,
      kafkaDefaults: KAFKA_DEFAULTS_VERSION,
    },
    time,
    series: {
      producedRate,
      appendedRate: perSecond(appended),
      processedRate,
      groupLag,
      maxPartitionLag,
      lagSeconds,
      latencyP50: summaries.map((s) => ms(s.p50)),
      latencyP95: summaries.map((s) => ms(s.p95)),
      latencyP99: summaries.map((s) => ms(s.p99)),
      latencyMax: summaries.map((s) => ms(s.max)),
      consumers,
      pausedPartitions,
      unownedPartitions,
      producerBufferBytes: Array.from(buffer.values),
      producerBlocked: Array.from(blocked.values, (v, w) => v / (windowSeconds(w) * US)),
      rejectedRate: perSecond(rejected),
      lostRate: perSecond(lost),
      services: serviceSeries,
    },
    partitionLag,
    events: marks,
    summary: {
      accounting,
      lag: {
        peakRecords: peak,
        peakAtSeconds: time[peakIdx] ?? 0,
        peakSeconds: Math.max(0, ...lagSeconds),
        maxPartitionLagRecords: Math.max(0, ...maxPartitionLag),
        finalRecords: groupLag[groupLag.length - 1] ?? 0,
        timeToDrainSeconds: drain,
      },
      latency: latencySummary(latency.overall),
      throughput: {
        meanProducedPerSecond: offered / (end / US),
        peakProducedPerSecond: Math.max(0, ...producedRate),
        meanProcessedPerSecond: accounting.processed / (end / US),
        peakProcessedPerSecond: Math.max(0, ...processedRate),
      },
      services: serviceSummaries,
      group: {
        rebalances: group.rebalances,
        membershipChanges: group.membershipChanges,
        pausedPartitionSeconds: group.pausedSeconds,
        longestPartitionPauseSeconds: group.longestPause,
        duplicates: group.duplicates,
        maxFetchThrottleMs: group.maxFetchThrottleMs,
      },
      producer: {
        blockedSeconds: outcome.blockedTime / US,
        maxBufferBytes: outcome.maxBufferBytes,
        maxThrottleMs: outcome.maxThrottleMs,
        retries: outcome.retries,
      },
      kernelEvents: sim.executed,
    },
  };
}

/**
 * The most consumers that can have a service call outstanding at once: every instance the
 * group may run, twice over, since a member that left on a poll timeout keeps processing while
 * its replacement starts. A service whose concurrency is at least this never queues.
 */
function maxCallers(scenario: Scenario): number {
  let most = scenario['consumer-groups'][0].instances;
  for (const f of scenario.faults) if (f.type === 'scale') most = Math.max(most, f.instances);
  return 2 * most;
}

/** Expected records above which `fidelity: auto` chooses the batched fidelity. */
export const AUTO_BATCHED_RECORDS = 5_000_000;

export function resolveFidelity(scenario: Scenario): 'exact' | 'batched' {
  if (scenario.fidelity !== 'auto') return scenario.fidelity;
  return expectedRecords(scenario) > AUTO_BATCHED_RECORDS ? 'batched' : 'exact';
}

/** Records the producers are expected to offer over the run (their rate profiles' integral). */
export function expectedRecords(scenario: Scenario): number {
  let expected = 0;
  for (const p of scenario.producers) {
    for (const s of compileProfile(p.rate, scenario.duration).segments) expected += ((s.r0 + s.r1) / 2) * (s.end - s.start);
  }
  return expected;
}

/**
 * Expected records from which a single run is worth a producer thread: below, the thread's
 * start-up and cold JIT cost more than it saves in a process's first run (a 1M-record exact
 * M/M/1 run takes 1.3-1.4x as long with it; flash-sale, 99M records, 0.65x). Later runs in the
 * same process find the thread started and compiled (model/producer-thread.ts).
 */
export const PRODUCER_THREAD_RECORDS = 2_000_000;

function latencySummary(h: Histogram): LatencySummary {
  const ms = (v: number | null) => (v === null ? null : v / 1000);
  return {
    count: h.count,
    meanMs: ms(h.mean()),
    p50Ms: ms(h.quantile(0.5)),
    p95Ms: ms(h.quantile(0.95)),
    p99Ms: ms(h.quantile(0.99)),
    p999Ms: ms(h.quantile(0.999)),
    maxMs: h.count > 0 ? h.max / 1000 : null,
  };
}

/** offered = rejected + appended + in producer; appended = processed + lost + in log + in processing. */
export function checkConservation(a: Accounting): void {
  const sum = (r: Record<string, number>) => Object.values(r).reduce((s, v) => s + v, 0);
  const producerSide = sum(a.rejected) + a.appended + a.inProducer;
  const consumerSide = a.processed + sum(a.lost) + a.inLog + a.inProcessing;
  if (producerSide !== a.offered || consumerSide !== a.appended) {
    throw new ConservationError(
      `records unaccounted for: offered ${a.offered} vs rejected+appended+in producer ${producerSide}; ` +
        `appended ${a.appended} vs processed+lost+in log+in processing ${consumerSide}`,
      a,
    );
  }
}

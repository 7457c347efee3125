/**
 * What limited a run, from its RunResult alone: per stage how busy its
 * consumers were and how many partitions each had, the services' queues, the producers' buffers
 * and blocking, rebalances and retention losses; then the limits the run reached, in the order it
 * reached them, the stage that was the bottleneck, and for a backlog still draining at the end
 * the time it would take at the rate of the last windows.
 *
 * The limits, each found in the series (window i covers [time[i - 1], time[i]]; a limit is
 * "reached from" the start of the first window where it holds):
 * - consumers busy: the group's mean busy application threads over the window are at least
 *   SATURATED of the consumers that can work, min(consumers, partitions) (a consumer with no
 *   partition has nothing to process, so 8 busy consumers out of 8 on 4 partitions never happens),
 *   in two windows in a row (one window at 98% can be a burst the stage absorbs; the last window
 *   counts on its own), while it falls behind (its lag in seconds grows by at least 1% of the
 *   window and it processes under 98% of what its topic is appended): consumers with a per-batch
 *   write stay busy even when they keep up;
 * - more consumers than partitions: some consumers have no partition, so adding instances
 *   cannot make the stage faster (Kafka assigns a partition to one member of a group at most);
 * - a service's calls queued: all its concurrency was in use and callers waited (queued > 0);
 * - a producer blocked in send(): its buffer.memory was full (max.block.ms then rejects);
 * - records lost by retention: the group's lag outgrew the topic's retention.
 *
 * The bottleneck is the stage throttled first: by its own consumers, by a service it calls, or by
 * the producer it writes through (a stage blocked in send() or waiting on a service is busy too,
 * so at the same moment the service or the producer is named as the cause). Idle consumers and
 * retention losses are reported but are not a throttle of their own.
 */
import type { RunResult } from '../metrics/result.js';
import { formatBytes, formatCount, formatExact, formatMs, formatPercent, formatSeconds } from './format.js';

/** The share of the consumers that can work which counts as all of them busy. */
export const SATURATED = 0.98;

export interface StageFacts {
  group: string;
  topic: string;
  produces: string | null;
  instances: number;
  partitions: number;
  /** Partitions of its topic per instance it starts with; below 1, some instances have no partition. */
  partitionsPerConsumer: number;
  busyFraction: number;
  rebalances: number;
  lostToRetention: number;
  /** Start of the first window of its consumers' saturation (see the header), or null. */
  busyFrom: number | null;
  /** Start of the first window with more consumers than partitions, or null. */
  idleConsumersFrom: number | null;
  /** Start of the first window in which it lost records (retention, offset reset), or null. */
  losingFrom: number | null;
}

export interface ServiceFacts {
  service: string;
  callers: string[];
  /** Highest mean calls in flight over a window. */
  maxInFlight: number;
  maxQueued: number;
  meanQueueWaitMs: number | null;
  /** Start of the first window in which calls waited for a free slot, or null. */
  queuedFrom: number | null;
}

export interface ProducerFacts {
  topic: string;
  /** The stages writing the topic, in the scenario's order. */
  stages: string[];
  /** The source producers writing it. */
  sources: string[];
  maxBufferBytes: number;
  blockedSeconds: number;
  /** Start of the first window in which a producer of the topic blocked in send(), or null. */
  blockedFrom: number | null;
}

export type LimitKind = 'consumers-busy' | 'idle-consumers' | 'service-queue' | 'producer-blocked' | 'retention';

export interface Limit {
  kind: LimitKind;
  /** The group, service or topic the limit is about. */
  subject: string;
  /** The stages it throttles (callers of a service, writers of a topic); [subject] for a group's own. */
  stages: string[];
  atSeconds: number;
}

export interface Bottleneck {
  stage: string;
  /** What throttled it first. */
  cause: Limit;
}

export interface Drain {
  group: string;
  finalRecords: number;
  /** Processed minus appended to its topic per second, mean over the last windows (DRAIN_WINDOWS). */
  netPerSecond: number;
  /** Lag at the end over the net rate, when it is draining; null otherwise. */
  secondsToDrain: number | null;
}

export interface Why {
  stages: StageFacts[];
  services: ServiceFacts[];
  producers: ProducerFacts[];
  /** In the order reached (ties: in LIMIT_ORDER, then the scenario's order). */
  limits: Limit[];
  bottleneck: Bottleneck | null;
  /** Groups still behind at the end (lag in seconds at least one sample interval). */
  drains: Drain[];
}

/** At the same moment, the root cause first: a service or a producer makes its stage busy. */
const LIMIT_ORDER: LimitKind[] = ['service-queue', 'producer-blocked', 'consumers-busy', 'idle-consumers', 'retention'];
/** The limits that slow a stage down. */
const THROTTLES: ReadonlySet<LimitKind> = new Set(['service-queue', 'producer-blocked', 'consumers-busy']);

export function whyLimited(result: RunResult): Why {
  const { topology, summary, series, time } = result;
  const startOf = (i: number) => (i > 0 ? time[i - 1] : 0);
  const firstWindow = (holds: (i: number) => boolean): number | null => {
    for (let i = 0; i < time.length; i++) if (holds(i)) return startOf(i);
    return null;
  };

  const stages: StageFacts[] = Object.entries(topology.groups).map(([group, g]) => {
    const partitions = topology.topics[g.topic].partitions;
    const s = series.groups[group];
    const working = (i: number) => Math.min(s.consumers[i], partitions);
    // All busy, and falling behind: the age of its oldest unprocessed record grew over the window
    // by at least 1% of it, and it processed under 98% of what was appended to its topic. Consumers can be all busy and keep up (a per-batch write amortised
    // over whatever the last poll brought: the next poll always has records): that is no limit.
    const appended = series.topics[g.topic].appendedRate;
    const falling = (i: number) => i > 0 && s.lagSeconds[i] - s.lagSeconds[i - 1] > 0.01 * (time[i] - time[i - 1]) && s.processedRate[i] < 0.98 * appended[i];
    const saturated = (i: number) => working(i) > 0 && s.busyInstances[i] >= SATURATED * working(i) && falling(i);
    const gs = summary.groups[group];
    return {
      group,
      topic: g.topic,
      produces: g.produces,
      instances: g.instances,
      partitions,
      partitionsPerConsumer: partitions / g.instances,
      busyFraction: gs.busyFraction,
      rebalances: gs.rebalances,
      lostToRetention: gs.books.lost.retention ?? 0,
      busyFrom: firstWindow((i) => saturated(i) && (i === time.length - 1 || saturated(i + 1))),
      idleConsumersFrom: firstWindow((i) => s.consumers[i] > partitions),
      losingFrom: firstWindow((i) => s.lostRate[i] > 0),
    };
  });

  const services: ServiceFacts[] = Object.entries(topology.services).map(([service, sv]) => {
    const sum = summary.services[service];
    const queued = series.services[service]?.queued ?? [];
    return {
      service,
      callers: sv.callers,
      maxInFlight: sum.maxInFlight,
      maxQueued: sum.maxQueued,
      meanQueueWaitMs: sum.meanQueueWaitMs,
      queuedFrom: firstWindow((i) => (queued[i] ?? 0) > 0),
    };
  });

  const producers: ProducerFacts[] = Object.keys(topology.topics).map((topic) => {
    const blocked = series.topics[topic].producerBlocked;
    const p = summary.topics[topic].producer;
    return {
      topic,
      stages: Object.keys(topology.groups).filter((g) => topology.groups[g].produces === topic),
      sources: Object.keys(topology.producers).filter((n) => topology.producers[n].topic === topic),
      maxBufferBytes: p.maxBufferBytes,
      blockedSeconds: p.blockedSeconds,
      blockedFrom: firstWindow((i) => blocked[i] > 0),
    };
  });

  const limits: Limit[] = [];
  for (const s of stages) {
    if (s.busyFrom !== null) limits.push({ kind: 'consumers-busy', subject: s.group, stages: [s.group], atSeconds: s.busyFrom });
    if (s.idleConsumersFrom !== null) limits.push({ kind: 'idle-consumers', subject: s.group, stages: [s.group], atSeconds: s.idleConsumersFrom });
    if (s.losingFrom !== null && s.lostToRetention > 0) limits.push({ kind: 'retention', subject: s.group, stages: [s.group], atSeconds: s.losingFrom });
  }
  for (const sv of services) {
    if (sv.queuedFrom !== null) limits.push({ kind: 'service-queue', subject: sv.service, stages: sv.callers, atSeconds: sv.queuedFrom });
  }
  for (const p of producers) {
    if (p.blockedFrom !== null) limits.push({ kind: 'producer-blocked', subject: p.topic, stages: p.stages, atSeconds: p.blockedFrom });
  }
  const order = Object.keys(topology.groups);
  const rank = (l: Limit) => Math.min(...l.stages.map((g) => order.indexOf(g)).filter((k) => k >= 0), order.length);
  limits.sort((a, b) => a.atSeconds - b.atSeconds || LIMIT_ORDER.indexOf(a.kind) - LIMIT_ORDER.indexOf(b.kind) || rank(a) - rank(b));

  return { stages, services, producers, limits, bottleneck: bottleneckOf(limits, stages), drains: drains(result) };
}

/**
 * The stage throttled first; between stages throttled in the same window, the busier one (the
 * others are waiting on it or share its cause), then the first in the scenario.
 */
function bottleneckOf(limits: readonly Limit[], stages: readonly StageFacts[]): Bottleneck | null {
  let best: (Bottleneck & { busy: number }) | null = null;
  for (const cause of limits) {
    if (!THROTTLES.has(cause.kind)) continue;
    if (best !== null && cause.atSeconds > best.cause.atSeconds) break;
    for (const stage of cause.stages) {
      const busy = stages.find((s) => s.group === stage)?.busyFraction ?? 0;
      if (best === null || busy > best.busy) best = { stage, cause, busy };
    }
  }
  return best === null ? null : { stage: best.stage, cause: best.cause };
}

/** The windows whose rates estimate a drain: the last twentieth of the run, at least 3. */
export function drainWindows(samples: number): number {
  return Math.min(samples, Math.max(3, Math.ceil(samples / 20)));
}

/**
 * Groups still behind at the end of the run and how long their backlog would take to clear at
 * the last windows' rates. Lag in records counts what is not yet committed, so a group whose
 * oldest unprocessed record is younger than a sample interval is not behind (its lag is the
 * commit interval's worth), and is left out.
 */
export function drains(result: RunResult): Drain[] {
  const { topology, series, time, scenario } = result;
  const n = time.length;
  if (n === 0) return [];
  const k = drainWindows(n);
  const out: Drain[] = [];
  for (const [group, g] of Object.entries(topology.groups)) {
    const s = series.groups[group];
    const finalRecords = s.lag[n - 1];
    if (finalRecords <= 0 || s.lagSeconds[n - 1] < scenario.sampleIntervalSeconds) continue;
    const appended = series.topics[g.topic].appendedRate;
    let net = 0;
    for (let i = n - k; i < n; i++) net += s.processedRate[i] - appended[i];
    net /= k;
    out.push({ group, finalRecords, netPerSecond: net, secondsToDrain: net > 0 ? finalRecords / net : null });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// What the report says

/** Makes one line of scenario text safe for the target format (tables.ts's UserText). */
type UserText = (text: string) => string;

export interface WhyText {
  /** One sentence: the bottleneck and what to change, or that no stage reached a limit. */
  bottleneck: string;
  /** The limits reached, one line each, in the order reached. */
  limits: string[];
  /** Backlogs left at the end, one line each. */
  drains: string[];
}

/** At most this many limits are listed; the rest are counted. */
const MAX_LIMIT_LINES = 8;

export function whyText(why: Why, userText: UserText): WhyText {
  const stage = (g: string) => why.stages.find((s) => s.group === g) as StageFacts;
  const names = (list: readonly string[]) => list.map(userText).join(', ');
  const lines = why.limits.map((l) => `${formatSeconds(l.atSeconds)} \u2014 ${limitText(l, why, userText)}`);
  const shown = lines.length > MAX_LIMIT_LINES ? [...lines.slice(0, MAX_LIMIT_LINES), `and ${lines.length - MAX_LIMIT_LINES} more`] : lines;

  let bottleneck = 'No stage reached a limit: no group had its consumers saturated, no service queued calls and no producer blocked in send().';
  if (why.bottleneck !== null) {
    const s = stage(why.bottleneck.stage);
    const c = why.bottleneck.cause;
    const from = formatSeconds(c.atSeconds);
    const busy = `busy ${formatPercent(s.busyFraction, 1)} over the run`;
    if (c.kind === 'consumers-busy') {
      const advice =
        s.instances < s.partitions
          ? `more instances (up to ${s.partitions}, one per partition) or faster processing would raise it`
          : `it has as many instances as partitions or more, so only more partitions (with instances) or faster processing would raise it`;
      const perConsumer = `${formatCount(s.partitionsPerConsumer)} ${s.partitionsPerConsumer === 1 ? 'partition' : 'partitions'} per consumer${unevenText(s)}`;
      const calls = why.services.filter((sv) => sv.callers.includes(s.group) && sv.queuedFrom === null);
      const waits = calls.length === 0 ? '' : `; its processing waits on ${names(calls.map((sv) => sv.service))}, which had free concurrency`;
      const who =
        s.instances > s.partitions
          ? `the ${s.partitions} of its ${s.instances} consumers that own a partition were all busy (the other ${s.instances - s.partitions} idle; busy ${formatPercent(s.busyFraction, 1)} of all its consumers' time over the run, ${perConsumer}${waits})`
          : `its ${s.instances} consumers were all busy (${busy}, ${perConsumer}${waits})`;
      bottleneck = `The bottleneck is ${userText(s.group)}: from ${from} ${who}; ${advice}.`;
    } else if (c.kind === 'service-queue') {
      bottleneck = `The bottleneck is ${userText(s.group)}: from ${from} its calls to ${userText(c.subject)} queued for a free slot (${busy}); more concurrency at ${userText(c.subject)} or fewer calls per record would raise it.`;
    } else {
      bottleneck = `The bottleneck is ${userText(s.group)}: from ${from} its producer to ${userText(c.subject)} blocked in send() with buffer.memory full (${busy}); the brokers or quotas of ${userText(c.subject)}, or a larger buffer and batches, would raise it.`;
    }
    const others = why.limits.filter((l) => THROTTLES.has(l.kind) && l !== c && !l.stages.includes(s.group));
    if (others.length > 0) bottleneck += ` Also throttled later: ${names([...new Set(others.flatMap((l) => l.stages))])}.`;
  }

  const drainLines = why.drains.map((d) => {
    const behind = `${userText(d.group)}: ${formatCount(d.finalRecords)} records behind at the end`;
    return d.secondsToDrain === null
      ? `${behind}, not draining (lag ${d.netPerSecond === 0 ? 'steady' : `growing by ${formatCount(-d.netPerSecond)}/s`} over the last windows).`
      : `${behind}, draining at ${formatCount(d.netPerSecond)}/s: about ${formatSeconds(d.secondsToDrain)} more at that rate.`;
  });
  return { bottleneck, limits: shown, drains: drainLines };
}

function limitText(l: Limit, why: Why, userText: UserText): string {
  switch (l.kind) {
    case 'consumers-busy': {
      const s = why.stages.find((x) => x.group === l.subject) as StageFacts;
      return `${userText(l.subject)}: consumers all busy (${s.instances} on ${s.partitions} partitions)`;
    }
    case 'idle-consumers': {
      const s = why.stages.find((x) => x.group === l.subject) as StageFacts;
      return `${userText(l.subject)}: ${s.instances} consumers for ${s.partitions} partitions, so ${s.instances - s.partitions} have none; more instances cannot make it faster`;
    }
    case 'service-queue': {
      const sv = why.services.find((x) => x.service === l.subject) as ServiceFacts;
      const wait = sv.meanQueueWaitMs === null ? '' : `, mean wait ${formatMs(sv.meanQueueWaitMs)}`;
      return `${userText(l.subject)}: calls queued, all its concurrency in use (up to ${formatCount(sv.maxQueued)} waiting${wait}), slowing ${l.stages.map(userText).join(', ')}`;
    }
    case 'producer-blocked': {
      const p = why.producers.find((x) => x.topic === l.subject) as ProducerFacts;
      const who = [...p.stages, ...p.sources].map(userText).join(', ');
      return `${userText(l.subject)}: its producers (${who}) blocked in send(), buffer.memory full (${formatSeconds(p.blockedSeconds)} blocked in all, highest buffer ${formatBytes(p.maxBufferBytes)})`;
    }
    case 'retention': {
      const s = why.stages.find((x) => x.group === l.subject) as StageFacts;
      return `${userText(l.subject)}: records deleted by retention before it read them (${formatExact(s.lostToRetention)} lost)`;
    }
  }
}

/**
 * When the partitions do not divide evenly over the instances, `more` consumers own `few + 1`
 * partitions and the others `few`; those fall behind first (the others idle once theirs are drained).
 */
export function unevenSplit(s: Pick<StageFacts, 'partitions' | 'instances'>): { few: number; more: number } | null {
  if (s.instances >= s.partitions || s.partitions % s.instances === 0) return null;
  return { few: Math.floor(s.partitions / s.instances), more: s.partitions % s.instances };
}

function unevenText(s: Pick<StageFacts, 'partitions' | 'instances'>): string {
  const u = unevenSplit(s);
  return u === null ? '' : ` (uneven: ${u.more} of the ${s.instances} consumers own ${u.few + 1}, the others ${u.few}, so those ${u.more} fall behind first)`;
}

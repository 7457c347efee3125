/**
 * What a run will cost, read off the scenario before anything is simulated, so that a valid but
 * absurd scenario (10^9 records/s, 100,000 partitions sampled a million times, a million
 * producer instances) is refused at once with the figure and the knob to change, instead of
 * running for an hour or dying of memory.
 *
 * Every figure is a lower bound, from costs measured on this project's 2-core reference machine
 * (the README's "Limits"): a run refused here could not have finished in the bound, or fitted
 * in memory, on a faster machine either.
 * - Records: the producers' rate profiles integrated over the run (`expectedRecords`).
 * - Time: at least 50 ns a record (the batched fidelity at its best, flash-sale's 500-record
 *   polls), and 20 ns per partition and group for each window sampled.
 * - Memory, the parts that grow with the scenario's sizes: the output series (8 bytes a value:
 *   per-partition lag, windows x partitions per group, and about 16 series per group and 8 per
 *   topic and service), the partitions' state (2 KiB per partition, per group and per producer
 *   instance writing to it) and the producer instances themselves (4 KiB each).
 * - Callers blocked in send(), apart: there are none unless the brokers fall behind, and then
 *   up to the rate times max.block.ms, held at 12 bytes or more each and stopped at the run's
 *   limit for them (model/run-limit.ts). Counted here only where blocking is certain
 *   (`certainlyBlocked`): where the records offered in the run's first max.block.ms are more
 *   than the brokers can take and buffer.memory hold, whatever the draws.
 * Refused: at least MAX_RUN_SECONDS of computing, or MAX_RUN_BYTES of memory, or blocked
 * callers certain to need twice their limit (so the run would stop at its limit, however its
 * draws fall). Runs over LONG_RUN_SECONDS are only worth a word before they start (`sim`
 * prints it).
 */
import { acksOf, type ProducerSpec, type Scenario } from '../scenario/schema.js';
import { mean, type Dist } from '../random/distributions.js';
import { formatBytes, formatCount, formatSeconds } from '../report/format.js';
import { compileProfile } from './rate-profile.js';
import { blockedLimit } from './run-limit.js';
import { CALLER_BYTES } from './producer/waiters.js';
import { producerCompression } from './producer/compression.js';

export interface Estimate {
  /** Records the producers are expected to offer. */
  records: number;
  /** Sample windows. */
  windows: number;
  /** Values of the per-partition lag series: windows x partitions, summed over groups. */
  partitionLagValues: number;
  /** At least this many seconds of computing. */
  seconds: number;
  /** At least this many bytes of memory (callers blocked in send() apart). */
  bytes: number;
  /** Callers certain to be blocked in send() at once, at least (`certainlyBlocked`). */
  blocked: CertainBlocking;
  /**
   * Computing on top of `seconds` where blocking is certain (the blocked path's cost). The CLI's
   * long-run warning counts it; refusals do not (a run that blocks that much is refused for its
   * blocked callers' memory first).
   */
  blockedSeconds: number;
}

/** The most computing a run may take, at least: beyond, it is refused. */
export const MAX_RUN_SECONDS = 4 * 3600;
/** The most memory a run may need, at least: beyond, it is refused (a run must stay under 2 GiB). */
export const MAX_RUN_BYTES = 1.5 * 2 ** 30;
/** From this much computing, a run is said to be long before it starts. */
export const LONG_RUN_SECONDS = 60;

const NS_PER_RECORD = 50;
/** A source producer's record through send() while callers are blocked (the run's memory for them is bounded; its time is not). */
const NS_PER_BLOCKED_RECORD = 670;
const NS_PER_PARTITION_SAMPLE = 20;
const BYTES_PER_VALUE = 8;
const BYTES_PER_PARTITION = 2048;
const BYTES_PER_PRODUCER = 4096;
const US = 1e6;

/** Records one producer is expected to offer over the run (its rate profile's integral), or over its first `until` us. */
function offered(p: ProducerSpec, duration: number, until = duration): number {
  let n = 0;
  for (const s of compileProfile(p.rate, duration).segments) {
    if (s.start >= until) break;
    const end = Math.min(s.end, until);
    const rateAtEnd = s.r0 + ((s.r1 - s.r0) * (end - s.start)) / (s.end - s.start);
    n += ((s.r0 + rateAtEnd) / 2) * (end - s.start);
  }
  return n;
}

/**
 * Records the run is expected to handle: each group's topic's records (so the source producers'
 * records in a single stage; in a pipeline each stage's, a stage's topic receiving `yield` records
 * per record of the stage before it).
 */
export function expectedRecords(scenario: Scenario): number {
  const volume = topicVolumes(scenario);
  let expected = 0;
  for (const g of scenario['consumer-groups']) expected += volume.get(g.topic) ?? 0;
  return expected;
}

/** Records each topic is expected to receive over the run: its source producers' and its writing stages' (the graph has no cycles). */
export function topicVolumes(scenario: Scenario): Map<string, number> {
  const volume = new Map<string, number>();
  const visiting = new Set<string>();
  const of = (topic: string): number => {
    const known = volume.get(topic);
    if (known !== undefined) return known;
    if (visiting.has(topic)) return 0;
    visiting.add(topic);
    let n = 0;
    for (const p of scenario.producers) if (p.topic === topic) n += offered(p, scenario.duration);
    for (const g of scenario['consumer-groups']) if (g.produces?.topic === topic) n += g.produces.yield * of(g.topic);
    visiting.delete(topic);
    volume.set(topic, n);
    return n;
  };
  for (const t of scenario.topics) of(t.name);
  return volume;
}

export function estimate(scenario: Scenario): Estimate {
  const records = expectedRecords(scenario);
  const windows = Math.ceil(scenario.duration / scenario['sample-interval']);
  const partitionsOf = new Map(scenario.topics.map((t) => [t.name, t.partitions]));
  const groups = scenario['consumer-groups'];
  let groupPartitions = 0;
  for (const g of groups) groupPartitions += partitionsOf.get(g.topic) ?? 0;
  const partitionLagValues = windows * groupPartitions;
  let instances = 0;
  let producerPartitions = 0;
  for (const p of scenario.producers) {
    instances += p.instances;
    producerPartitions += p.instances * (partitionsOf.get(p.topic) ?? 0);
  }
  const series = windows * (16 * groups.length + 8 * scenario.topics.length + 8 * scenario.services.length);
  const bytes =
    (partitionLagValues + series) * BYTES_PER_VALUE +
    (groupPartitions + producerPartitions) * BYTES_PER_PARTITION +
    instances * BYTES_PER_PRODUCER;
  const blocked = certainlyBlocked(scenario);
  // Where blocking is certain, a source producer's records go through send() one by one (the
  // blocked path, ~0.6 us a record measured on flash-sale with brokers at 1 B/s), not in slices.
  let blockedRecords = 0;
  if (blocked.callers > 0) {
    for (const p of scenario.producers) if (p['on-buffer-full'] === 'block') blockedRecords += offered(p, scenario.duration);
  }
  const seconds = (records * NS_PER_RECORD + partitionLagValues * NS_PER_PARTITION_SAMPLE) / 1e9;
  const blockedSeconds = (blockedRecords * (NS_PER_BLOCKED_RECORD - NS_PER_RECORD)) / 1e9;
  return { records, windows, partitionLagValues, seconds, blockedSeconds, bytes, blocked };
}

/** Expected records above which `fidelity: auto` chooses the batched fidelity. */
export const AUTO_BATCHED_RECORDS = 5_000_000;

export function resolveFidelity(scenario: Scenario): 'exact' | 'batched' {
  if (scenario.fidelity !== 'auto') return scenario.fidelity;
  return expectedRecords(scenario) > AUTO_BATCHED_RECORDS ? 'batched' : 'exact';
}

/** What `certainlyBlocked` finds. */
export interface CertainBlocking {
  /** Callers blocked in send() at once, at least, at `at` (us); 0 when blocking is not certain. */
  callers: number;
  at: number;
  /** What bounds `at`: the producers' max.block.ms, their delivery.timeout.ms, or the run's duration. */
  bound: 'max.block.ms' | 'delivery.timeout.ms' | 'duration';
  /** Records offered by then by the producers that block, and the most bytes the brokers could take of them. */
  offered: number;
  brokerBytes: number;
  /** The producer (index) that offers the most of them, or null. */
  producer: number | null;
}

/** The least a delay law can draw (0 where it is not known to be more). */
function least(d: Dist): number {
  switch (d.dist) {
    case 'constant':
      return d.value;
    case 'uniform':
      return d.min;
    case 'mixture':
      return Math.min(...d.of.map((c) => least(c.value)));
    default:
      return 0;
  }
}

/**
 * Callers certain to be blocked in send() at once, at least. Over the run's first L (the
 * shortest max.block.ms and delivery.timeout.ms of the producers that block, at most the
 * duration) no caller that arrived is rejected yet and no batch has expired, so a record that
 * got into the accumulator is either still in buffer.memory or was in a request answered by
 * then. With acks=1 or all, an answer comes only once the broker has appended the request's
 * bytes, so those are at most what the brokers can take in L: count x max-bytes-in-per-second
 * x L, and what each producer instance's connections can carry, max.in.flight.requests
 * requests at once per broker, of at most max.request.size (or a batch, or a record, if
 * larger), each taking at least rtt + the least append latency (+ the least replication
 * latency with acks=all and replicas). Every record offered in L beyond those and beyond what
 * buffer.memory holds is a caller still blocked at L. Records are counted at the least size
 * they can have: the law's constant, the mean in the batched fidelity (every record has it),
 * else 1 byte. Acks=0 (memory is freed at send) and on-buffer-full: drop never block.
 */
export function certainlyBlocked(scenario: Scenario): CertainBlocking {
  const eligible = scenario.producers.map((p, i) => ({ p, i })).filter(({ p }) => p['on-buffer-full'] === 'block' && acksOf(p.config.acks) !== 0);
  let at = scenario.duration;
  let bound: CertainBlocking['bound'] = 'duration';
  for (const { p } of eligible) {
    if (p.config['max.block.ms'] <= at) {
      at = p.config['max.block.ms'];
      bound = 'max.block.ms';
    }
    if (p.config['delivery.timeout.ms'] < at) {
      at = p.config['delivery.timeout.ms'];
      bound = 'delivery.timeout.ms';
    }
  }
  const none: CertainBlocking = { callers: 0, at, bound, offered: 0, brokerBytes: Infinity, producer: null };
  if (eligible.length === 0 || at <= 0) return none;
  const b = scenario.brokers;
  const batched = resolveFidelity(scenario) === 'batched';
  const replicas = new Map(scenario.topics.map((t) => [t.name, t['replication-factor'] ?? Math.min(3, b.count)]));
  const brokerBytes = b['max-bytes-in-per-second'] === undefined ? Infinity : (b.count * b['max-bytes-in-per-second'] * at) / US;
  let offeredAll = 0;
  let memoryAll = 0;
  let admittedEach = 0;
  let carriedAll = 0;
  let leastSize = Infinity;
  let producer: number | null = null;
  let most = 0;
  for (const { p, i } of eligible) {
    const size = p['record-size'];
    // Compressed, the least bytes a record takes on the wire and in buffer.memory's batches.
    const { wire } = producerCompression(p);
    const smallest = (size.dist === 'constant' ? size.value : batched ? mean(size) : 1) * wire;
    const largest = size.dist === 'constant' ? size.value : batched ? mean(size) : size.dist === 'uniform' ? size.max : Infinity;
    const c = p.config;
    const n = offered(p, scenario.duration, at);
    if (n > most) {
      most = n;
      producer = i;
    }
    offeredAll += n;
    const memory = p.instances * c['buffer.memory'];
    memoryAll += memory;
    leastSize = Math.min(leastSize, smallest);
    const roundTrip = scenario.network.rtt + least(b['append-latency']) + (acksOf(c.acks) === 'all' && (replicas.get(p.topic) ?? 1) > 1 ? least(b['replication-latency']) : 0);
    const request = Math.max(c['max.request.size'], c['batch.size'], largest);
    const carried = roundTrip > 0 ? (p.instances * b.count * c['max.in.flight.requests.per.connection'] * request * at) / roundTrip : Infinity;
    carriedAll += carried;
    admittedEach += (carried + memory) / smallest;
  }
  const admitted = Math.min(admittedEach, (brokerBytes + memoryAll) / leastSize);
  const callers = offeredAll - admitted;
  if (!(callers > 0)) return none;
  return { callers, at, bound, offered: offeredAll, brokerBytes: Math.min(brokerBytes, carriedAll), producer };
}

/** A figure of the estimate that refuses the run: where to change it and why. */
export interface SizeProblem {
  path: PropertyKey[];
  message: string;
}

/** Why the scenario cannot be run here, with the knob to change (none: it can). */
export function sizeProblems(scenario: Scenario): SizeProblem[] {
  const e = estimate(scenario);
  const problems: SizeProblem[] = [];
  if (e.seconds > MAX_RUN_SECONDS) {
    const busiest = busiestProducer(scenario);
    problems.push({
      path: busiest === null ? ['duration'] : ['producers', busiest, 'rate'],
      message:
        `expected a run lagsim can finish: this one offers ${formatRecords(e.records)} records over ${formatSeconds(scenario.duration / US)}, ` +
        `${Number.isFinite(e.seconds) ? `at least ${formatSeconds(e.seconds)}` : 'more'} of computing (at 50 ns a record; the limit is ${formatSeconds(MAX_RUN_SECONDS)}): lower the rate or shorten duration`,
    });
  }
  if (e.bytes > MAX_RUN_BYTES) {
    const lagBytes = e.partitionLagValues * BYTES_PER_VALUE;
    const largest = lagBytes >= e.bytes / 2 ? 'lag' : 'other';
    problems.push({
      path: largest === 'lag' ? ['sample-interval'] : ['producers'],
      message:
        `expected a run that fits in memory: this one needs at least ${formatBytes(e.bytes)} (the limit is ${formatBytes(MAX_RUN_BYTES)})` +
        (largest === 'lag'
          ? `, ${formatBytes(lagBytes)} of it for the per-partition lag series (${formatCount(e.windows)} samples x ${formatCount(e.partitionLagValues / e.windows)} partitions): use a longer sample-interval, or fewer partitions`
          : `, for the partitions' and the producer instances' state: fewer partitions or producer instances`),
    });
  }
  const blocked = e.blocked;
  const limit = blockedLimit(e.bytes, MAX_RUN_BYTES);
  if (blocked.producer !== null && blocked.callers * CALLER_BYTES > 2 * limit) {
    const by = blocked.bound === 'duration' ? 'the whole run' : `its ${blocked.bound}`;
    problems.push({
      path: ['producers', blocked.producer, 'rate'],
      message:
        `expected a run that fits in memory: its producers offer ${formatRecords(blocked.offered)} records in the first ${formatSeconds(blocked.at / US)} (${by}), ` +
        `more than the brokers can take by then${Number.isFinite(blocked.brokerBytes) ? ` (at most ${formatBytes(blocked.brokerBytes)})` : ''} and buffer.memory hold, ` +
        (Number.isFinite(blocked.callers)
          ? `so at least ${formatCount(blocked.callers)} callers would be blocked in send() at once, ${formatBytes(blocked.callers * CALLER_BYTES)} to hold them `
          : `so more than 10^308 callers would be blocked in send() at once, more memory than there is `) +
        `(a run stops at ${formatBytes(limit)}): lower the rate, raise the brokers' max-bytes-in-per-second, shorten max.block.ms, or set on-buffer-full: drop`,
    });
  }
  return problems;
}

/** The index of the producer with the most expected records (null if none offers any). */
function busiestProducer(scenario: Scenario): number | null {
  let best: number | null = null;
  let most = 0;
  scenario.producers.forEach((p, i) => {
    const n = offered(p, scenario.duration);
    if (n > most) {
      most = n;
      best = i;
    }
  });
  return best;
}

/** A count of records as the estimate words it (report/format.ts's, and words for one past a double). */
export function formatRecords(n: number): string {
  return Number.isFinite(n) ? formatCount(n) : 'more than 10^308';
}

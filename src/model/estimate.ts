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
 *   instance writing to it) and the producer instances themselves (4 KiB each). Callers blocked
 *   in send() are not counted: there are none unless the brokers fall behind, and then at most
 *   the rate times max.block.ms (24 bytes each).
 * Refused: at least MAX_RUN_SECONDS of computing, or MAX_RUN_BYTES of memory. Runs over
 * LONG_RUN_SECONDS are only worth a word before they start (`sim` prints it).
 */
import type { ProducerSpec, Scenario } from '../scenario/schema.js';
import { formatBytes, formatCount, formatSeconds } from '../report/format.js';
import { compileProfile } from './rate-profile.js';

export interface Estimate {
  /** Records the producers are expected to offer. */
  records: number;
  /** Sample windows. */
  windows: number;
  /** Values of the per-partition lag series: windows x partitions, summed over groups. */
  partitionLagValues: number;
  /** At least this many seconds of computing. */
  seconds: number;
  /** At least this many bytes of memory. */
  bytes: number;
}

/** The most computing a run may take, at least: beyond, it is refused. */
export const MAX_RUN_SECONDS = 4 * 3600;
/** The most memory a run may need, at least: beyond, it is refused (a run must stay under 2 GiB). */
export const MAX_RUN_BYTES = 1.5 * 2 ** 30;
/** From this much computing, a run is said to be long before it starts. */
export const LONG_RUN_SECONDS = 60;

const NS_PER_RECORD = 50;
const NS_PER_PARTITION_SAMPLE = 20;
const BYTES_PER_VALUE = 8;
const BYTES_PER_PARTITION = 2048;
const BYTES_PER_PRODUCER = 4096;
const US = 1e6;

/** Records one producer is expected to offer over the run (its rate profile's integral). */
function offered(p: ProducerSpec, duration: number): number {
  let n = 0;
  for (const s of compileProfile(p.rate, duration).segments) n += ((s.r0 + s.r1) / 2) * (s.end - s.start);
  return n;
}

/** Records the producers are expected to offer over the run. */
export function expectedRecords(scenario: Scenario): number {
  let expected = 0;
  for (const p of scenario.producers) expected += offered(p, scenario.duration);
  return expected;
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
  const seconds = (records * NS_PER_RECORD + partitionLagValues * NS_PER_PARTITION_SAMPLE) / 1e9;
  return { records, windows, partitionLagValues, seconds, bytes };
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

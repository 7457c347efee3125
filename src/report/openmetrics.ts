/**
 * Every time series of one or more runs as OpenMetrics text (OpenMetrics 1.0, the format
 * `promtool tsdb create-blocks-from openmetrics` backfills), to put a simulation beside the
 * production curves a team already charts.
 *
 * Names follow kafka-lag-exporter (seglo/kafka-lag-exporter, `Metrics.scala`) where it exports the
 * same quantity: `kafka_consumergroup_group_lag` (per partition), `..._group_max_lag`,
 * `..._group_max_lag_seconds`, `..._group_sum_lag`, `..._group_topic_sum_lag`, with its label
 * names `group`, `topic`, `partition` (no `cluster_name`: a run has one cluster). Everything else
 * is `lagsim_...`, with the unit in the name and counters ending in `_total`, as Prometheus'
 * naming conventions ask. The Kafka clients' metrics, as the Prometheus JMX exporter names them
 * (`kafka_consumer_consumer_fetch_manager_metrics_records_lag_max`,
 * `kafka_producer_producer_metrics_buffer_available_bytes`), are per client instance and measure
 * other things (records-lag-max is the fetch position's lag, not the committed offset's;
 * buffer-available-bytes needs buffer.memory, which the result does not hold): the run records
 * neither, so neither is written; the HELP of the nearest lagsim family says how they relate.
 *
 * Only what the run recorded is written: a window with no latency (null) has no sample, and
 * kafka-lag-exporter's per-partition `kafka_consumergroup_group_lag_seconds` and
 * `kafka_partition_latest_offset` are absent because the result keeps lag in seconds per group
 * only and no log end offsets. Counters are the per-window rates times the window's length,
 * added up (window i covers [i * interval, time[i])). A sample is stamped with its window's end:
 * `startSeconds` (Unix seconds; default 2026-01-01T00:00:00Z, fixed so that the output is
 * byte-identical run to run) plus the simulated time.
 *
 * Layout, as the format requires: each family once, `# TYPE`, `# UNIT`, `# HELP`, then its
 * series one after another, each series' samples in time order; `# EOF` last.
 */
import type { RunResult } from '../metrics/result.js';

/** 2026-01-01T00:00:00Z: the default time of simulated time 0, in Unix seconds. */
export const DEFAULT_START_SECONDS = 1_767_225_600;

/** One run to export, and the labels that tell it from the others in the file. */
export interface OpenMetricsRun {
  result: RunResult;
  /** The `run` label; default the scenario's name. */
  run?: string;
  /** The `variant` label; default `baseline`. */
  variant?: string;
}

export interface OpenMetricsOptions {
  /** Unix seconds (an integer) of simulated time 0. */
  startSeconds?: number;
}

type Labels = [name: string, value: string][];

interface Series {
  labels: Labels;
  /** One value per sample window; null: no sample. */
  values: ArrayLike<number | null>;
}

interface Family {
  name: string;
  type: 'gauge' | 'counter';
  unit?: string;
  help: string;
  series: (run: RunLabels) => Series[];
}

interface RunLabels {
  result: RunResult;
  labels: Labels;
}

/** Per-window rates (per second) added up into a running count: rate x the window's length. */
function cumulative(result: RunResult, rates: ArrayLike<number>): number[] {
  const interval = result.scenario.sampleIntervalSeconds;
  const out: number[] = new Array(rates.length);
  let total = 0;
  for (let i = 0; i < rates.length; i++) {
    total += rates[i] * (result.time[i] - i * interval);
    out[i] = total;
  }
  return out;
}

const msToSeconds = (values: (number | null)[]) => values.map((v) => (v === null ? null : v / 1000));

function topics(r: RunLabels, pick: (name: string) => ArrayLike<number | null>): Series[] {
  return Object.keys(r.result.series.topics).map((topic) => ({ labels: [...r.labels, ['topic', topic]], values: pick(topic) }));
}

function groups(r: RunLabels, pick: (name: string) => ArrayLike<number | null>, withTopic = true): Series[] {
  return Object.keys(r.result.series.groups).map((group) => ({
    labels: [...r.labels, ['group', group], ...(withTopic ? ([['topic', r.result.topology.groups[group].topic]] as Labels) : [])],
    values: pick(group),
  }));
}

function quantiles(labels: Labels, byQuantile: [string, (number | null)[]][]): Series[] {
  return byQuantile.map(([q, values]) => ({ labels: [...labels, ['quantile', q]], values: msToSeconds(values) }));
}

/** The families, in the order they are written. */
const FAMILIES: Family[] = [
  {
    name: 'kafka_consumergroup_group_lag',
    type: 'gauge',
    help: 'Log end offset minus the group\'s committed offset of a partition, records, at the window\'s end (kafka-lag-exporter\'s name).',
    series: (r) =>
      Object.keys(r.result.series.groups).flatMap((group) => {
        const topic = r.result.topology.groups[group].topic;
        const rows = r.result.partitionLag[group];
        const partitions = r.result.topology.topics[topic].partitions;
        return Array.from({ length: partitions }, (_, p) => ({
          labels: [...r.labels, ['group', group], ['topic', topic], ['partition', String(p)]] as Labels,
          values: Array.from(rows, (row) => row[p]),
        }));
      }),
  },
  {
    name: 'kafka_consumergroup_group_max_lag',
    type: 'gauge',
    help: 'Largest lag of one partition of the group, records (kafka-lag-exporter\'s name).',
    series: (r) => groups(r, (g) => r.result.series.groups[g].maxPartitionLag, false),
  },
  {
    name: 'kafka_consumergroup_group_max_lag_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Age of the oldest appended record not yet processed, largest over the group\'s partitions (lagsim measures it; kafka-lag-exporter estimates it from committed offsets).',
    series: (r) => groups(r, (g) => r.result.series.groups[g].lagSeconds, false),
  },
  {
    name: 'kafka_consumergroup_group_sum_lag',
    type: 'gauge',
    help: 'Sum of the group\'s partition lags, records (kafka-lag-exporter\'s name).',
    series: (r) => groups(r, (g) => r.result.series.groups[g].lag, false),
  },
  {
    name: 'kafka_consumergroup_group_topic_sum_lag',
    type: 'gauge',
    help: 'Sum of the group\'s partition lags on the topic it reads, records (kafka-lag-exporter\'s name).',
    series: (r) => groups(r, (g) => r.result.series.groups[g].lag),
  },
  {
    name: 'lagsim_consumergroup_processed_records',
    type: 'counter',
    unit: 'records',
    help: 'Records whose processing completed, since the start.',
    series: (r) => groups(r, (g) => cumulative(r.result, r.result.series.groups[g].processedRate)),
  },
  {
    name: 'lagsim_consumergroup_lost_records',
    type: 'counter',
    unit: 'records',
    help: 'Records lost to the group (retention, offset reset), since the start.',
    series: (r) => groups(r, (g) => cumulative(r.result, r.result.series.groups[g].lostRate)),
  },
  {
    name: 'lagsim_consumergroup_latency_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Stage latency (create time in the group\'s topic to processed) of the records completing in the window, by quantile.',
    series: (r) =>
      Object.keys(r.result.series.groups).flatMap((group) => {
        const s = r.result.series.groups[group];
        return quantiles([...r.labels, ['group', group], ['topic', r.result.topology.groups[group].topic]], [
          ['0.5', s.latencyP50],
          ['0.99', s.latencyP99],
        ]);
      }),
  },
  {
    name: 'lagsim_consumergroup_members',
    type: 'gauge',
    help: 'Consumers in the group at the window\'s end.',
    series: (r) => groups(r, (g) => r.result.series.groups[g].consumers),
  },
  {
    name: 'lagsim_consumergroup_busy_threads',
    type: 'gauge',
    help: 'Mean number of the group\'s application threads busy processing over the window.',
    series: (r) => groups(r, (g) => r.result.series.groups[g].busyInstances),
  },
  {
    name: 'lagsim_consumergroup_paused_partitions',
    type: 'gauge',
    help: 'Partitions with an owner that may not consume them (revoked, awaiting a rebalance), at the window\'s end.',
    series: (r) => groups(r, (g) => r.result.series.groups[g].pausedPartitions),
  },
  {
    name: 'lagsim_consumergroup_unowned_partitions',
    type: 'gauge',
    help: 'Partitions no member of the group owns, at the window\'s end.',
    series: (r) => groups(r, (g) => r.result.series.groups[g].unownedPartitions),
  },
  {
    name: 'lagsim_topic_produced_records',
    type: 'counter',
    unit: 'records',
    help: 'Records handed to the topic\'s producers (send()), since the start.',
    series: (r) => topics(r, (t) => cumulative(r.result, r.result.series.topics[t].producedRate)),
  },
  {
    name: 'lagsim_topic_appended_records',
    type: 'counter',
    unit: 'records',
    help: 'Records appended to the topic (visible to consumers), since the start.',
    series: (r) => topics(r, (t) => cumulative(r.result, r.result.series.topics[t].appendedRate)),
  },
  {
    name: 'lagsim_producer_rejected_records',
    type: 'counter',
    unit: 'records',
    help: 'Records the topic\'s producers rejected (every reason), since the start.',
    series: (r) => topics(r, (t) => cumulative(r.result, r.result.series.topics[t].rejectedRate)),
  },
  {
    name: 'lagsim_producer_buffer_used_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'buffer.memory in use, summed over the topic\'s producer instances, at the window\'s end (the clients\' buffer-available-bytes is buffer-total-bytes minus this, per instance).',
    series: (r) => topics(r, (t) => r.result.series.topics[t].producerBufferBytes),
  },
  {
    name: 'lagsim_producer_blocked_seconds',
    type: 'counter',
    unit: 'seconds',
    help: 'Time application threads spent blocked in send(), summed over the topic\'s producer instances, since the start.',
    series: (r) => topics(r, (t) => cumulative(r.result, r.result.series.topics[t].producerBlocked)),
  },
  {
    name: 'lagsim_service_calls_in_flight',
    type: 'gauge',
    help: 'Mean number of calls in flight to the downstream service over the window.',
    series: (r) => Object.keys(r.result.series.services).map((service) => ({ labels: [...r.labels, ['service', service]], values: r.result.series.services[service].inFlight })),
  },
  {
    name: 'lagsim_service_calls_queued',
    type: 'gauge',
    help: 'Mean number of calls waiting for the downstream service over the window.',
    series: (r) => Object.keys(r.result.series.services).map((service) => ({ labels: [...r.labels, ['service', service]], values: r.result.series.services[service].queued })),
  },
  {
    name: 'lagsim_end_to_end_latency_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'End-to-end latency (handed to the first producer to processed by the last stage) of the records completing in the window, by quantile (1: the largest).',
    series: (r) => {
      const e = r.result.series.endToEnd;
      return quantiles(r.labels, [
        ['0.5', e.latencyP50],
        ['0.95', e.latencyP95],
        ['0.99', e.latencyP99],
        ['1', e.latencyMax],
      ]);
    },
  },
];

/**
 * Why a run with this sample interval cannot be exported, or undefined when it can. Prometheus
 * keeps milliseconds: windows shorter than 1 ms would put two samples of a series on one
 * millisecond, and promtool keeps one of them without a word.
 */
export function sampleIntervalRefusal(sampleIntervalSeconds: number): string | undefined {
  if (sampleIntervalSeconds >= 0.001) return undefined;
  return `--openmetrics: the sample-interval is ${sampleIntervalSeconds * 1e6}us; Prometheus keeps milliseconds, so it needs at least 1ms (--set sample-interval=1ms)`;
}

/** A label value as the format writes it: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Labels): string {
  return `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

function numberText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Unix seconds of a window's end, from whole microseconds (exact: no float sum of the two). */
function timestampText(startMicros: number, timeSeconds: number): string {
  const us = startMicros + Math.round(timeSeconds * 1e6);
  const whole = Math.floor(us / 1e6);
  const frac = us - whole * 1e6;
  return frac === 0 ? String(whole) : `${whole}.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
}

/**
 * The runs' series as OpenMetrics text, ending with `# EOF` and a line feed. Throws if two runs
 * carry the same run and variant labels (their series would be the same series twice).
 */
export function openMetricsText(runs: readonly OpenMetricsRun[], options: OpenMetricsOptions = {}): string {
  const start = options.startSeconds ?? DEFAULT_START_SECONDS;
  if (!Number.isSafeInteger(start) || start < 0 || start > 4_000_000_000) {
    throw new RangeError(`openmetrics: startSeconds must be a whole number of Unix seconds from 0 to 4000000000, got ${start}`);
  }
  const startMicros = start * 1e6;
  const labelled: RunLabels[] = runs.map((r) => ({
    result: r.result,
    labels: [
      ['run', r.run ?? r.result.scenario.name],
      ['variant', r.variant ?? 'baseline'],
    ],
  }));
  const seen = new Set<string>();
  for (const r of labelled) {
    const key = labelText(r.labels);
    if (seen.has(key)) throw new Error(`openmetrics: two runs labelled ${key}; give each run or variant its own name`);
    seen.add(key);
  }
  const lines: string[] = [];
  for (const family of FAMILIES) {
    lines.push(`# TYPE ${family.name} ${family.type}`);
    if (family.unit !== undefined) lines.push(`# UNIT ${family.name} ${family.unit}`);
    lines.push(`# HELP ${family.name} ${family.help}`);
    const sample = family.type === 'counter' ? `${family.name}_total` : family.name;
    for (const r of labelled) {
      for (const s of family.series(r)) {
        const head = `${sample}${labelText(s.labels)} `;
        for (let i = 0; i < r.result.time.length; i++) {
          const v = s.values[i];
          if (v === null || v === undefined) continue;
          lines.push(`${head}${numberText(v)} ${timestampText(startMicros, r.result.time[i])}`);
        }
      }
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}

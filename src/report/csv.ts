/**
 * The run's time series at full resolution, as CSV (RFC 4180, "\n" line ends): every sample,
 * nothing decimated, so anyone can re-plot or check a chart.
 *
 * Numbers are written with String(n), the shortest text that reads back as the same double;
 * a window with no value (null) is an empty cell.
 */
import { mainStage, type RunResult } from '../metrics/result.js';

type Column = [name: string, values: readonly (number | null)[]];

/** Column names and values of timeseries.csv, in order: the run's first stage (its group and that group's topic), end-to-end latency, then services sorted by name. */
export function timeseriesColumns(result: RunResult): Column[] {
  const stage = mainStage(result);
  const t = stage.topicSeries;
  const g = stage.groupSeries;
  const e = result.series.endToEnd;
  const services = result.series.services;
  const columns: Column[] = [
    ['time_s', result.time],
    ['produced_per_s', t.producedRate],
    ['appended_per_s', t.appendedRate],
    ['processed_per_s', g.processedRate],
    ['group_lag', g.lag],
    ['max_partition_lag', g.maxPartitionLag],
    ['lag_s', g.lagSeconds],
    ['latency_p50_ms', e.latencyP50],
    ['latency_p95_ms', e.latencyP95],
    ['latency_p99_ms', e.latencyP99],
    ['latency_max_ms', e.latencyMax],
    ['consumers', g.consumers],
    ['paused_partitions', g.pausedPartitions],
    ['unowned_partitions', g.unownedPartitions],
    ['producer_buffer_bytes', t.producerBufferBytes],
    ['producer_blocked_fraction', t.producerBlocked],
    ['rejected_per_s', t.rejectedRate],
    ['lost_per_s', g.lostRate],
  ];
  for (const name of Object.keys(services).sort()) {
    columns.push([`service.${name}.in_flight`, services[name].inFlight]);
    columns.push([`service.${name}.queued`, services[name].queued]);
  }
  return columns;
}

export function timeseriesCsv(result: RunResult): string {
  return table(timeseriesColumns(result), result.time.length);
}

/** time_s, then the lag of each partition p0, p1, ... of the first stage's topic for its group, in records. */
export function partitionLagCsv(result: RunResult): string {
  const stage = mainStage(result);
  const rows = stage.partitionLag;
  const partitions = rows[0]?.length ?? stage.partitions;
  const columns: Column[] = [['time_s', result.time]];
  for (let p = 0; p < partitions; p++) columns.push([`p${p}`, rows.map((row) => row[p])]);
  return table(columns, result.time.length);
}

function table(columns: Column[], rows: number): string {
  for (const [name, values] of columns) {
    if (values.length !== rows) {
      throw new Error(`series ${name} has ${values.length} values but the run has ${rows} samples`);
    }
  }
  const lines = [columns.map(([name]) => quote(name)).join(',')];
  for (let i = 0; i < rows; i++) {
    lines.push(columns.map(([name, values]) => cell(values[i], name, i)).join(','));
  }
  return lines.join('\n') + '\n';
}

function cell(value: number | null | undefined, column: string, row: number): string {
  if (value === undefined) throw new Error(`${column} has no value at sample ${row}`);
  return value === null ? '' : String(value);
}

function quote(text: string): string {
  return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

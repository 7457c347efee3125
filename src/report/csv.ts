/**
 * The run's time series at full resolution, as CSV (RFC 4180, "\n" line ends): every sample,
 * nothing decimated, so anyone can re-plot or check a chart.
 *
 * Numbers are written with String(n), the shortest text that reads back as the same double;
 * a window with no value (null) is an empty cell.
 */
import type { RunResult } from '../metrics/result.js';

type Column = [name: string, values: readonly (number | null)[]];

/** Column names and values of timeseries.csv, in order; services sorted by name. */
export function timeseriesColumns(result: RunResult): Column[] {
  const s = result.series;
  const columns: Column[] = [
    ['time_s', result.time],
    ['produced_per_s', s.producedRate],
    ['appended_per_s', s.appendedRate],
    ['processed_per_s', s.processedRate],
    ['group_lag', s.groupLag],
    ['max_partition_lag', s.maxPartitionLag],
    ['lag_s', s.lagSeconds],
    ['latency_p50_ms', s.latencyP50],
    ['latency_p95_ms', s.latencyP95],
    ['latency_p99_ms', s.latencyP99],
    ['latency_max_ms', s.latencyMax],
    ['consumers', s.consumers],
    ['paused_partitions', s.pausedPartitions],
    ['unowned_partitions', s.unownedPartitions],
    ['producer_buffer_bytes', s.producerBufferBytes],
    ['producer_blocked_fraction', s.producerBlocked],
    ['rejected_per_s', s.rejectedRate],
    ['lost_per_s', s.lostRate],
  ];
  for (const name of Object.keys(s.services).sort()) {
    columns.push([`service.${name}.in_flight`, s.services[name].inFlight]);
    columns.push([`service.${name}.queued`, s.services[name].queued]);
  }
  return columns;
}

export function timeseriesCsv(result: RunResult): string {
  return table(timeseriesColumns(result), result.time.length);
}

/** time_s, then the lag of each partition p0, p1, ... in records. */
export function partitionLagCsv(result: RunResult): string {
  const partitions = result.partitionLag[0]?.length ?? result.scenario.partitions;
  const columns: Column[] = [['time_s', result.time]];
  for (let p = 0; p < partitions; p++) columns.push([`p${p}`, result.partitionLag.map((row) => row[p])]);
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

/**
 * The run's time series at full resolution, as CSV (RFC 4180, "\n" line ends): every sample,
 * nothing decimated, so anyone can re-plot or check a chart.
 *
 * Numbers are written with String(n), the shortest text that reads back as the same double;
 * a window with no value (null) is an empty cell.
 *
 * A day of 1 s samples is ~86k rows (x 49 columns for partition-lag.csv), so the report writes
 * each file from `...Chunks`: text of ~64 KiB at a time, made as the file is written, so no
 * whole file and no array of its lines is ever held. The `...Csv` functions join the same chunks
 * (for tests and small runs); both give the same text.
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

/** timeseries.csv: a header, then a row per sample. */
export function timeseriesCsv(result: RunResult): string {
  return [...timeseriesCsvChunks(result)].join('');
}

/** timeseries.csv in chunks, made as they are read; each iteration starts again from the header. */
export function timeseriesCsvChunks(result: RunResult): Iterable<string> {
  const columns = timeseriesColumns(result);
  const rows = result.time.length;
  checkLengths(columns, rows);
  return { [Symbol.iterator]: () => tableChunks(columns, rows) };
}

/** partition-lag.csv: time_s, then the lag of each partition p0, p1, ... of the first stage's topic for its group, in records. */
export function partitionLagCsv(result: RunResult): string {
  return [...partitionLagCsvChunks(result)].join('');
}

/** partition-lag.csv in chunks, made as they are read, row by row from the run's partition lag (never a column copied out). */
export function partitionLagCsvChunks(result: RunResult): Iterable<string> {
  const stage = mainStage(result);
  const rows = stage.partitionLag;
  const partitions = rows[0]?.length ?? stage.partitions;
  const time = result.time;
  if (partitions > 0 && rows.length !== time.length) {
    throw new Error(`series p0 has ${rows.length} values but the run has ${time.length} samples`);
  }
  const header = ['time_s', ...Array.from({ length: partitions }, (_, p) => `p${p}`)].join(',');
  const line = (i: number): string => {
    const row = rows[i];
    let text = cell(time[i], 'time_s', i);
    for (let p = 0; p < partitions; p++) text += ',' + cell(row[p], `p${p}`, i);
    return text;
  };
  return { [Symbol.iterator]: () => chunks(header, time.length, line) };
}

function checkLengths(columns: readonly Column[], rows: number): void {
  for (const [name, values] of columns) {
    if (values.length !== rows) {
      throw new Error(`series ${name} has ${values.length} values but the run has ${rows} samples`);
    }
  }
}

function tableChunks(columns: readonly Column[], rows: number): Generator<string> {
  const header = columns.map(([name]) => quote(name)).join(',');
  const line = (i: number): string => {
    let text = '';
    for (let c = 0; c < columns.length; c++) {
      const [name, values] = columns[c];
      text += (c === 0 ? '' : ',') + cell(values[i], name, i);
    }
    return text;
  };
  return chunks(header, rows, line);
}

/** Chunks of text this many characters or a little more (one line past it). */
const CHUNK = 64 * 1024;

/** The header and `rows` lines, each ending in "\n", gathered into chunks of about CHUNK characters. */
function* chunks(header: string, rows: number, line: (i: number) => string): Generator<string> {
  let text = header + '\n';
  for (let i = 0; i < rows; i++) {
    text += line(i) + '\n';
    if (text.length >= CHUNK) {
      yield text;
      text = '';
    }
  }
  if (text !== '') yield text;
}

function cell(value: number | null | undefined, column: string, row: number): string {
  if (value === undefined) throw new Error(`${column} has no value at sample ${row}`);
  return value === null ? '' : String(value);
}

function quote(text: string): string {
  return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

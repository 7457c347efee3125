import { describe, expect, it } from 'vitest';
import { partitionLagCsv, timeseriesCsv } from '../../src/report/csv.js';
import { makeRunResult } from './fixture.js';
import { one } from '../helpers/one-stage.js';

describe('timeseries.csv', () => {
  const result = makeRunResult();
  const lines = timeseriesCsv(result).split('\n');

  it('has a header, one row per sample and a final newline', () => {
    expect(lines[lines.length - 1]).toBe('');
    expect(lines.length - 2).toBe(result.time.length);
  });

  it('has time_s then every series, services by name', () => {
    const header = lines[0].split(',');
    expect(header[0]).toBe('time_s');
    expect(header).toEqual([
      'time_s',
      'produced_per_s',
      'appended_per_s',
      'processed_per_s',
      'group_lag',
      'max_partition_lag',
      'lag_s',
      'latency_p50_ms',
      'latency_p95_ms',
      'latency_p99_ms',
      'latency_max_ms',
      'consumers',
      'paused_partitions',
      'unowned_partitions',
      'producer_buffer_bytes',
      'producer_blocked_fraction',
      'rejected_per_s',
      'lost_per_s',
      'service.inventory-db.in_flight',
      'service.inventory-db.queued',
      'service.payments.in_flight',
      'service.payments.queued',
    ]);
    for (const line of lines.slice(1, -1)) expect(line.split(',').length).toBe(header.length);
  });

  it('writes full-resolution values and an empty cell for null', () => {
    const header = lines[0].split(',');
    const p50 = header.indexOf('latency_p50_ms');
    const first = lines[1].split(',');
    expect(one(result).series.latencyP50[0]).toBeNull();
    expect(first[p50]).toBe('');
    const row = 1235; // sample 1234 holds the max-latency spike
    expect(lines[row].split(',')[header.indexOf('latency_max_ms')]).toBe('99999');
    expect(lines[row].split(',')[0]).toBe(String(result.time[1234]));
  });

  it('quotes a service name that would break a CSV line', () => {
    const odd = makeRunResult({ services: ['a,"b"'] });
    expect(timeseriesCsv(odd).split('\n')[0]).toContain('"service.a,""b"".in_flight"');
  });

  it('refuses a series whose length differs from the sample count', () => {
    const broken = makeRunResult();
    one(broken).series.groupLag.pop();
    expect(() => timeseriesCsv(broken)).toThrow(/group_lag has 1799 values but the run has 1800 samples/);
  });
});

describe('partition-lag.csv', () => {
  it('has time_s, p0..pN-1 and one row per sample', () => {
    const result = makeRunResult({ partitions: 8 });
    const lines = partitionLagCsv(result).trimEnd().split('\n');
    expect(lines[0]).toBe('time_s,p0,p1,p2,p3,p4,p5,p6,p7');
    expect(lines.length - 1).toBe(result.time.length);
    expect(lines[600].split(',').map(Number)).toEqual([result.time[599], ...Array.from(one(result).partitionLag[599])]);
  });
});

/**
 * A synthetic RunResult for report tests: a traffic burst that builds lag and then drains, one hot
 * partition (key skew), latency windows with no completions (null), two downstream services, and
 * events including a windowed one. Built from formulas and a tiny LCG, so it is the same every
 * time and needs no model.
 */
import type { MarkedEvent, RunResult } from '../../src/metrics/result.js';
import { oneStageResult } from '../helpers/one-stage.js';

export interface FixtureOptions {
  durationSeconds?: number;
  sampleIntervalSeconds?: number;
  partitions?: number;
  /** Names of downstream services; [] for a pipeline without any. */
  services?: string[];
  events?: MarkedEvent[];
  title?: string;
  description?: string;
  fidelity?: 'exact' | 'batched';
  /**
   * 'quiet': no rebalance, no producer pressure, nothing rejected or lost in the series (the
   * group, producer and losses charts are left out); 'storm': 50 rebalances in a row from minute
   * 18, each pausing every partition for a few seconds.
   */
  group?: 'default' | 'quiet' | 'storm';
}

const DEFAULT_EVENTS: MarkedEvent[] = [
  { timeSeconds: 300, label: 'ramp to 120k/s', kind: 'traffic' },
  { timeSeconds: 600, endSeconds: 700, label: 'payments slow', kind: 'service' },
  { timeSeconds: 900, label: 'back to 20k/s', kind: 'traffic' },
  { timeSeconds: 1000, label: 'consumer-3 crash', kind: 'fault' },
  { timeSeconds: 1010, endSeconds: 1013, label: 'rebalance', kind: 'group' },
  { timeSeconds: 1040, label: 'consumer-3 rejoins', kind: 'group' },
  { timeSeconds: 1040, endSeconds: 1043, label: 'rebalance', kind: 'group' },
];

/** 50 rebalances 10 s apart from 1080 s, each pausing every partition for 6 s. */
const STORM_START = 1080;
const STORM_EVENTS: MarkedEvent[] = Array.from({ length: 50 }, (_, i) => ({
  timeSeconds: STORM_START + i * 10,
  endSeconds: STORM_START + i * 10 + 6,
  label: 'rebalance',
  kind: 'group' as const,
}));

const MIB = 1024 * 1024;

export function makeRunResult(options: FixtureOptions = {}): RunResult {
  const duration = options.durationSeconds ?? 1800;
  const interval = options.sampleIntervalSeconds ?? 1;
  const partitions = options.partitions ?? 8;
  const serviceNames = options.services ?? ['payments', 'inventory-db'];
  const samples = Math.round(duration / interval);
  const scale = duration / 1800;
  let seed = 12345;
  const noise = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };

  const time: number[] = [];
  const produced: number[] = [];
  const processed: number[] = [];
  const groupLag: number[] = [];
  const maxPartitionLag: number[] = [];
  const lagSeconds: number[] = [];
  const p50: (number | null)[] = [];
  const p95: (number | null)[] = [];
  const p99: (number | null)[] = [];
  const pmax: (number | null)[] = [];
  const consumers: number[] = [];
  const paused: number[] = [];
  const unowned: number[] = [];
  const bufferBytes: number[] = [];
  const blocked: number[] = [];
  const rejectedRate: number[] = [];
  const lostRate: number[] = [];
  const groupMode = options.group ?? 'default';
  const partitionLag: number[][] = [];
  const services: RunResult['series']['services'] = {};
  for (const name of serviceNames) services[name] = { inFlight: [], queued: [] };

  // The hot partition gets twice the traffic of any other; consumers can take 128k/s in all.
  const hot = Math.min(3, partitions - 1);
  const shares = Array.from({ length: partitions }, (_, p) => (p === hot ? 2 : 1));
  const shareSum = shares.reduce((a, b) => a + b, 0);
  const capacityPerPartition = 128_000 / partitions;
  const lagByPartition = new Array<number>(partitions).fill(0);

  let offered = 0;
  let done = 0;
  for (let i = 0; i < samples; i++) {
    const t = (i + 1) * interval;
    const burst = t >= 300 * scale && t < 900 * scale;
    const slow = t >= 600 * scale && t < 700 * scale;
    const rate = Math.round((burst ? 120_000 : 20_000) * (1 + 0.05 * noise()));
    let processedInWindow = 0;
    for (let p = 0; p < partitions; p++) {
      const inflow = (rate * interval * shares[p]) / shareSum;
      const capacity = capacityPerPartition * interval * (slow ? 0.3 : 1);
      const available = lagByPartition[p] + inflow;
      const out = Math.min(available, capacity);
      lagByPartition[p] = Math.round(available - out);
      processedInWindow += out;
    }
    const lag = lagByPartition.reduce((a, b) => a + b, 0);
    offered += rate * interval;
    done += processedInWindow;
    time.push(t);
    produced.push(rate);
    processed.push(Math.round(processedInWindow / interval));
    groupLag.push(lag);
    maxPartitionLag.push(Math.max(...lagByPartition));
    lagSeconds.push(lag === 0 ? 0 : Math.round((Math.max(...lagByPartition) / capacityPerPartition) * 1000) / 1000 + 0.2);
    partitionLag.push([...lagByPartition]);
    const noLatency = i < 3 || (t >= 650 * scale && t < 660 * scale);
    const base = 8 + (1000 * Math.max(...lagByPartition)) / capacityPerPartition / shareSum;
    p50.push(noLatency ? null : Math.round(base * 10) / 10);
    p95.push(noLatency ? null : Math.round(base * 2.5 * 10) / 10);
    p99.push(noLatency ? null : Math.round(base * 4 * (1 + noise() * 0.2) * 10) / 10);
    // One isolated spike of the max at sample 1234, to check that downsampling keeps it.
    pmax.push(noLatency ? null : i === 1234 ? 99_999 : Math.round(base * 8));
    const quiet = groupMode === 'quiet';
    consumers.push(!quiet && t >= 1000 * scale && t < 1040 * scale ? 7 : 8);
    // consumer-3 crashes at 1000 s: its partition is unowned until the rebalance at 1010 s, which
    // (eager) pauses every partition for 3 s; the rejoin at 1040 s pauses them all again.
    const inWindow = (from: number, to: number) => t > from * scale && t <= to * scale;
    const stormPause = groupMode === 'storm' && t > STORM_START * scale && t <= (STORM_START + 500) * scale &&
      (t / scale - STORM_START) % 10 < 6;
    unowned.push(!quiet && inWindow(1000, 1010) ? 1 : 0);
    paused.push(!quiet && (inWindow(1010, 1013) || inWindow(1040, 1043) || stormPause) ? partitions : 0);
    // The buffer fills during the burst; from 400 s to 450 s it is full and send() blocks,
    // rejecting 512 records between 420 s and 436 s (32/s).
    const buffering = !quiet && burst ? Math.min(32 * MIB, (t / scale - 300) * 0.4 * MIB) : 0;
    bufferBytes.push(Math.round(buffering));
    blocked.push(!quiet && inWindow(400, 450) ? 0.6 : 0);
    rejectedRate.push(!quiet && inWindow(420, 436) ? 32 / scale : 0);
    // 1200 records deleted by retention between 1500 s and 1520 s; 37 dead-lettered at 700 s.
    lostRate.push(!quiet && inWindow(1500, 1520) ? 60 / scale : !quiet && inWindow(699, 700) ? 37 / scale : 0);
    serviceNames.forEach((name, k) => {
      const load = (processedInWindow / interval / 128_000) * (k + 1) * 30;
      const saturated = slow && k === 0;
      services[name].inFlight.push(saturated ? 50 : Math.round(Math.min(load, 50) * 100) / 100);
      services[name].queued.push(Math.round(Math.max(0, load - 50 + (slow && k === 0 ? 400 : 0)) * 100) / 100);
    });
  }

  const peakRecords = Math.max(...groupLag);
  const peakIndex = groupLag.indexOf(peakRecords);
  const drainIndex = groupLag.findIndex((v, i) => i > peakIndex && v <= peakRecords * 0.1);
  const finalRecords = groupLag[groupLag.length - 1];
  const processedTotal = Math.round(done);
  const lost = { 'deleted by retention': 1200, 'dead-lettered': 37 };
  const lostTotal = 1237;
  const appended = processedTotal + lostTotal + finalRecords;
  const rejected = { 'buffer full (max.block.ms)': 512 };
  offered = appended + 512 + 40;

  return oneStageResult({
    topic: 'orders',
    partitions,
    group: 'order-processor',
    consumers: 8,
    scenario: {
      name: 'flash-sale',
      title: options.title ?? 'Flash sale: 20k to 120k records/s for ten minutes',
      description:
        options.description ??
        '# Not a heading\nOrders topic during a flash sale.\nPayments slow down for 100 s | mid-burst.',
      seed: 42,
      durationSeconds: duration,
      sampleIntervalSeconds: interval,
      fidelity: options.fidelity ?? 'batched',
      kafkaDefaults: '3.7',
    },
    time,
    series: {
      producedRate: produced,
      appendedRate: produced.map((r, i) => (i === 0 ? 0 : produced[i - 1])),
      processedRate: processed,
      groupLag,
      maxPartitionLag,
      lagSeconds,
      latencyP50: p50,
      latencyP95: p95,
      latencyP99: p99,
      latencyMax: pmax,
      consumers,
      pausedPartitions: paused,
      unownedPartitions: unowned,
      producerBufferBytes: bufferBytes,
      producerBlocked: blocked,
      rejectedRate,
      lostRate,
    },
    partitionLag,
    events: options.events ?? [...DEFAULT_EVENTS, ...(groupMode === 'storm' ? STORM_EVENTS : [])].map((e) => ({
      ...e,
      timeSeconds: e.timeSeconds * scale,
      ...(e.endSeconds === undefined ? {} : { endSeconds: e.endSeconds * scale }),
    })),
    summary: {
      accounting: {
        offered,
        rejected,
        appended,
        processed: processedTotal,
        lost,
        inLog: finalRecords,
        inProcessing: 0,
        inProducer: 40,
      },
      lag: {
        peakRecords,
        peakAtSeconds: time[peakIndex],
        peakSeconds: Math.max(...lagSeconds),
        maxPartitionLagRecords: Math.max(...maxPartitionLag),
        finalRecords,
        timeToDrainSeconds: drainIndex < 0 ? null : time[drainIndex] - time[peakIndex],
      },
      latency: {
        count: processedTotal,
        meanMs: 412.5,
        p50Ms: 95.2,
        p95Ms: 2350,
        p99Ms: 8123.4,
        p999Ms: 11020,
        maxMs: 99_999,
      },
      throughput: {
        meanProducedPerSecond: produced.reduce((a, b) => a + b, 0) / samples,
        peakProducedPerSecond: Math.max(...produced),
        meanProcessedPerSecond: processed.reduce((a, b) => a + b, 0) / samples,
        peakProcessedPerSecond: Math.max(...processed),
      },
      group:
        groupMode === 'quiet'
          ? { rebalances: 0, membershipChanges: 0, pausedPartitionSeconds: 0, longestPartitionPauseSeconds: 0, duplicates: 0, maxFetchThrottleMs: 0 }
          : {
              rebalances: groupMode === 'storm' ? 52 : 2,
              membershipChanges: 2,
              pausedPartitionSeconds: groupMode === 'storm' ? 2458 : 58,
              longestPartitionPauseSeconds: 10,
              duplicates: 1500,
              maxFetchThrottleMs: 120,
            },
      producer:
        groupMode === 'quiet'
          ? { blockedSeconds: 0, maxBufferBytes: 0, maxThrottleMs: 0, retries: 0 }
          : { blockedSeconds: 30, maxBufferBytes: 33_554_432, maxThrottleMs: 250, retries: 17 },
      kernelEvents: 4_321_987,
    },
    services: {
      series: services,
      summary: Object.fromEntries(
        serviceNames.map((name, k) => [
          name,
          {
            calls: processedTotal * (k + 1),
            latency: {
              count: processedTotal * (k + 1),
              meanMs: 52.1 * (k + 1),
              p50Ms: 50,
              p95Ms: 180,
              p99Ms: k === 0 ? 2040 : 0.85,
              p999Ms: 2500,
              maxMs: 4100,
            },
            maxInFlight: 50,
            maxQueued: Math.max(...services[name].queued),
            meanQueueWaitMs: k === 0 ? 310.4 : null,
          },
        ]),
      ),
    },
  });
}

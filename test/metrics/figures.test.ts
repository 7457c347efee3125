import { describe, expect, it } from 'vitest';
import { FigurePathError, resolveFigure, resolveSeries, valueAt } from '../../src/metrics/figures.js';
import type { Topology } from '../../src/metrics/result.js';

const oneStage: Topology = {
  topics: { orders: { partitions: 48, replicationFactor: 3 } },
  groups: { 'order-processor': { topic: 'orders', instances: 8, produces: null } },
  services: { db: { callers: ['order-processor'] } },
  producers: { checkout: { topic: 'orders', instances: 1 } },
};

const twoStages: Topology = {
  topics: { orders: { partitions: 48, replicationFactor: 3 }, payments: { partitions: 12, replicationFactor: 3 } },
  groups: { validation: { topic: 'orders', instances: 8, produces: 'payments' }, payment: { topic: 'payments', instances: 4, produces: null } },
  services: {},
  producers: { checkout: { topic: 'orders', instances: 1 } },
};

describe('figure paths', () => {
  it('resolves one-stage summary paths to the only topic or group', () => {
    expect(resolveFigure('lag.peakRecords', oneStage)).toBe('groups.order-processor.lag.peakRecords');
    expect(resolveFigure('latency.p99Ms', oneStage)).toBe('endToEnd.latency.p99Ms');
    expect(resolveFigure('group.rebalances', oneStage)).toBe('groups.order-processor.rebalances');
    expect(resolveFigure('producer.blockedSeconds', oneStage)).toBe('topics.orders.producer.blockedSeconds');
    expect(resolveFigure('throughput.meanProducedPerSecond', oneStage)).toBe('topics.orders.throughput.meanProducedPerSecond');
    expect(resolveFigure('throughput.peakProcessedPerSecond', oneStage)).toBe('groups.order-processor.throughput.peakProcessedPerSecond');
  });

  it('leaves v2 paths, services, accounting and kernelEvents as they are', () => {
    for (const p of ['groups.order-processor.lag.peakRecords', 'services.db.latency.p99Ms', 'accounting.lost.retention', 'kernelEvents', 'endToEnd.latency.maxMs']) {
      expect(resolveFigure(p, oneStage)).toBe(p);
    }
  });

  it('end-to-end latency needs no stage even with several', () => {
    expect(resolveFigure('latency.p99Ms', twoStages)).toBe('endToEnd.latency.p99Ms');
    expect(resolveSeries('latencyP99', twoStages)).toBe('endToEnd.latencyP99');
  });

  it('refuses a one-stage path where it names no single group, naming the paths to use', () => {
    expect(() => resolveFigure('lag.peakRecords', twoStages)).toThrow(FigurePathError);
    expect(() => resolveFigure('lag.peakRecords', twoStages)).toThrow(
      'lag.peakRecords names no group: this run has 2 groups (validation, payment); name one, like groups.validation.lag.peakRecords or groups.payment.lag.peakRecords',
    );
    expect(() => resolveSeries('producedRate', twoStages)).toThrow('producedRate names no topic: this run has 2 topics (orders, payments)');
  });

  it('resolves one-stage series names', () => {
    expect(resolveSeries('groupLag', oneStage)).toBe('groups.order-processor.lag');
    expect(resolveSeries('appendedRate', oneStage)).toBe('topics.orders.appendedRate');
    expect(resolveSeries('services.db.inFlight', oneStage)).toBe('services.db.inFlight');
  });

  it('reads a value by path, component names with dots included', () => {
    const tree = { groups: { 'eu.orders': { lag: { peakRecords: 7 } }, eu: { lag: { peakRecords: 1 } } } };
    expect(valueAt(tree, 'groups.eu.orders.lag.peakRecords')).toBe(7);
    expect(valueAt(tree, 'groups.eu.lag.peakRecords')).toBe(1);
    expect(valueAt(tree, 'groups.us.lag.peakRecords')).toBeUndefined();
  });
});

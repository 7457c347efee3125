/**
 * Grid syntax, the order of grid points, and which shard runs which point.
 */
import { describe, expect, it } from 'vitest';
import { gridPoints, inShard, parseGridAxis, parseShard, StudyInputError } from '../../src/study/grid.js';
import { gridSyntax, shardSyntax } from '../../src/study/messages.js';

describe('parseGridAxis', () => {
  it('reads integer ranges, with or without a step, and lists', () => {
    expect(parseGridAxis('consumer-groups.0.instances=4..8')).toStrictEqual({ path: 'consumer-groups.0.instances', values: ['4', '5', '6', '7', '8'] });
    expect(parseGridAxis('consumer-groups.0.instances=4..32:4').values).toStrictEqual(['4', '8', '12', '16', '20', '24', '28', '32']);
    expect(parseGridAxis('x=1..10:4').values).toStrictEqual(['1', '5', '9']); // the last step may stop short of b
    expect(parseGridAxis('topics.0.partitions=24,48, 96').values).toStrictEqual(['24', '48', '96']);
    expect(parseGridAxis('consumer-groups.0.config.fetch.max.wait.ms=100ms,500ms')).toStrictEqual({ path: 'consumer-groups.0.config.fetch.max.wait.ms', values: ['100ms', '500ms'] });
    expect(parseGridAxis('seed=7').values).toStrictEqual(['7']);
    // Commas inside a flow mapping or quotes belong to the value.
    expect(parseGridAxis('consumer-groups.0.processing.per-record=5ms, { dist: exponential, mean: 2ms },"a,b"').values).toStrictEqual([
      '5ms',
      '{ dist: exponential, mean: 2ms }',
      '"a,b"',
    ]);
  });

  it('refuses what is not a grid, saying what was expected', () => {
    expect(() => parseGridAxis('instances')).toThrow(new StudyInputError(gridSyntax('instances')));
    expect(() => parseGridAxis('=1..2')).toThrow(StudyInputError);
    expect(() => parseGridAxis('x=')).toThrow(StudyInputError);
    expect(() => parseGridAxis('x=1..b')).toThrow(StudyInputError);
    expect(() => parseGridAxis('x=8..4')).toThrow(/empty: 8 is above 4/);
    expect(() => parseGridAxis('x=1..4:0')).toThrow(/step must be at least 1/);
    expect(() => parseGridAxis('x=1,,2')).toThrow(/empty/);
    expect(() => parseGridAxis('x=1..1000000')).toThrow(/at most 100000/);
  });
});

describe('gridPoints', () => {
  it('puts the first axis outermost and the last fastest, with short labels and path=value overrides', () => {
    const points = gridPoints([parseGridAxis('topics.0.partitions=24,48'), parseGridAxis('consumer-groups.0.instances=4..6')]);
    expect(points.map((p) => p.label)).toStrictEqual([
      'partitions=24, instances=4',
      'partitions=24, instances=5',
      'partitions=24, instances=6',
      'partitions=48, instances=4',
      'partitions=48, instances=5',
      'partitions=48, instances=6',
    ]);
    expect(points.map((p) => p.index)).toStrictEqual([0, 1, 2, 3, 4, 5]);
    expect(points[4].overrides).toStrictEqual(['topics.0.partitions=48', 'consumer-groups.0.instances=5']);
  });

  it('labels with whole paths where short names would collide, and refuses a path given twice', () => {
    const points = gridPoints([parseGridAxis('producers.0.instances=1,2'), parseGridAxis('consumer-groups.0.instances=3')]);
    expect(points[0].label).toBe('producers.0.instances=1, consumer-groups.0.instances=3');
    expect(() => gridPoints([parseGridAxis('a=1'), parseGridAxis('a=2')])).toThrow(/given twice/);
    expect(gridPoints([parseGridAxis('consumer-groups.0.config.max.poll.records=100')])[0].label).toBe('max.poll.records=100');
    expect(gridPoints([parseGridAxis('consumer-groups[0].config["fetch.min.bytes"]=1')])[0].label).toBe('fetch.min.bytes=1');
  });

  it('an empty grid is one point: the base scenario', () => {
    expect(gridPoints([])).toStrictEqual([{ index: 0, assignments: [], label: '', overrides: [] }]);
  });
});

describe('shards', () => {
  it('parses i/n, 1-based, and refuses anything else', () => {
    expect(parseShard('2/5')).toStrictEqual({ index: 2, count: 5 });
    expect(parseShard('1/1')).toStrictEqual({ index: 1, count: 1 });
    for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '-1/3', '1.5/3']) expect(() => parseShard(bad), bad).toThrow(new StudyInputError(shardSyntax(bad)));
  });

  it('gives every point to exactly one shard: index = i - 1 modulo n', () => {
    for (const n of [1, 2, 3, 7]) {
      for (let index = 0; index < 20; index++) {
        const owners = Array.from({ length: n }, (_, i) => i + 1).filter((i) => inShard(index, { index: i, count: n }));
        expect(owners).toStrictEqual([(index % n) + 1]);
      }
    }
    expect(inShard(5, undefined)).toBe(true);
  });
});

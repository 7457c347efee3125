/**
 * Durations as scenario authors write them, including compound ones (`1h30m`), checked against
 * the arithmetic of their parts; and the mistakes that must be refused rather than guessed.
 */
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/scenario/units.js';
import { parseScenario, ScenarioError } from '../../src/scenario/load.js';


const S = 1_000_000;

describe('durations', () => {
  it('read one part with its unit', () => {
    expect(parseDuration('250ms')).toBe(250_000);
    expect(parseDuration('1.5h')).toBe(1.5 * 3600 * S);
    expect(parseDuration('2d')).toBe(2 * 86_400 * S);
    expect(parseDuration('3us')).toBe(3);
  });

  it('add up compound parts, largest unit first, blanks allowed between them', () => {
    expect(parseDuration('1h30m')).toBe((3600 + 30 * 60) * S);
    expect(parseDuration('15m5s')).toBe((15 * 60 + 5) * S);
    expect(parseDuration('2m 30s')).toBe(150 * S);
    expect(parseDuration('1m30s500ms')).toBe(90.5 * S);
    expect(parseDuration('1d2h3min4s5ms6us')).toBe(86_400 * S + 2 * 3600 * S + 3 * 60 * S + 4 * S + 5000 + 6);
  });

  it('refuse parts out of order, a unit twice, a number without a unit, and a unit without a number', () => {
    for (const bad of ['30m1h', '5s1m', '1h1h', '1m1min', '1h30', 'h30m', '5', 'ms', '', '1h-30m', '1h,30m']) {
      expect(parseDuration(bad), bad).toBeUndefined();
    }
  });

  it('a scenario takes a compound duration, and a bad one is reported at its line and column', () => {
    const text = (d: string) => `
name: d
duration: ${d}
topics: [{ name: t, partitions: 1 }]
producers: [{ name: p, topic: t, rate: 10/s }]
consumer-groups: [{ name: g, topic: t, instances: 1, processing: { per-record: 1ms } }]
`;
    expect(parseScenario(text('1h30m'), 'd.yaml').duration).toBe(5400 * S);
    let error: unknown;
    try {
      parseScenario(text('30m1h'), 'd.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toMatch(/d\.yaml:3:11: .*expected a duration with a unit, like 250ms, 30s, 5m, 2h or 1h30m.*got "30m1h"/s);
  });
});

/**
 * The verdict lines `sim --check` prints: alert columns (first crossing, time above) only when an
 * objective has them, so a run's verdicts without lag or per-window objectives read as before.
 */
import { describe, expect, it } from 'vitest';
import { formatFailures, formatVerdicts } from '../../src/cli/verdicts.js';
import { verdict } from '../report/study-fixture.js';

describe('formatVerdicts', () => {
  it('without alert figures: objective, measured, margin, verdict, confidence', () => {
    expect(formatVerdicts([verdict()], 1)).toBe(
      ['objectives: 0 of 1 met', '  objective          measured  margin   verdict  confidence', '  latency p99 <= 5s  8.12 s    -3.12 s  FAIL     single run', ''].join('\n'),
    );
  });

  it('with them: when the figure first crossed its bound and the time above it; "-" for an objective without a series', () => {
    const lag = verdict({ objective: 'payment: peak lag <= 1k records', bound: 1000, measured: 3001, unit: 'records', margin: -2001, alert: { firstCrossedSeconds: 20, secondsAbove: 41 } });
    const never = verdict({ objective: 'billing: peak lag <= 1k records', bound: 1000, measured: 0, unit: 'records', margin: 1000, pass: true, alert: { firstCrossedSeconds: null, secondsAbove: 0 } });
    expect(formatVerdicts([verdict(), lag, never], 1)).toBe(
      [
        'objectives: 1 of 3 met',
        '  objective                        measured  margin   first crossed  time above  verdict  confidence',
        '  latency p99 <= 5s                8.12 s    -3.12 s  -              -           FAIL     single run',
        '  payment: peak lag <= 1k records  3k        -2k      at 20 s        41 s        FAIL     single run',
        '  billing: peak lag <= 1k records  0         1k       never          0 s         PASS     single run',
        '',
      ].join('\n'),
    );
  });

  it('with replications, says the crossing is the earliest run\'s and the time above the mean', () => {
    const lag = verdict({ unit: 'records', confidence: 'fails', interval: { low: 2000, high: 4000 }, alert: { firstCrossedSeconds: 2 * 60 + 5, secondsAbove: 90 } });
    const out = formatVerdicts([lag], 3);
    expect(out).toContain('first crossed (earliest)');
    expect(out).toContain('time above (mean)');
    expect(out).toContain('at 2 min 5 s');
    expect(out).toContain('1 min 30 s');
  });
});

describe('formatFailures', () => {
  it('one line per failed objective with the figure, how far past the bound and the bound; nothing when all pass', () => {
    const lag = verdict({ objective: 'peak lag <= 10k records', bound: 10_000, measured: 21_479_394, unit: 'records', margin: 10_000 - 21_479_394 });
    const atLeast = verdict({ objective: 'throughput >= 100k', comparison: 'at-least', bound: 100_000, measured: 60_000, unit: 'records/s', margin: -40_000 });
    const ok = verdict({ pass: true, measured: 1000, margin: 4000 });
    expect(formatFailures([verdict(), ok, lag, atLeast])).toBe(
      [
        'sim: --check: 3 of 4 objectives failed',
        '  latency p99 <= 5s: measured 8.12 s, 3.12 s over the bound (5 s)',
        '  peak lag <= 10k records: measured 21.5M records, 21.5M records over the bound (10k records)',
        '  throughput >= 100k: measured 60k records/s, 40k records/s under the bound (100k records/s)',
        '',
      ].join('\n'),
    );
    expect(formatFailures([ok])).toBe('');
  });

  it('with replications: the mean and its interval; a comparison names the configuration', () => {
    const replicated = verdict({ confidence: 'fails', interval: { low: 7000, high: 9000 } });
    expect(formatFailures([replicated], undefined, 'baseline')).toBe('sim: --check: baseline: 1 of 1 objectives failed\n  latency p99 <= 5s: mean 8.12 s [95% CI 7 s, 9 s], 3.12 s over the bound (5 s)\n');
  });
});

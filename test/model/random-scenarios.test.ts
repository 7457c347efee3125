/**
 * Random valid scenarios through the public entry points (issue 21): YAML text -> `parse` ->
 * `run`, a few thousand small runs in CI's time (LAGSIM_RANDOM_SCENARIOS=N for more). Every run
 * must end with its books balanced (the run throws a ConservationError otherwise), and this
 * test checks the books again from the outside, with every other invariant of a run: no
 * internal error, each case within a time bound, lag never negative, sample times increasing,
 * completions = distinct + redelivered, and (every tenth case) the same seed giving the same
 * bytes. The generator covers what found defects before: retention with short segments, both
 * offset resets, rolling restarts, crashes and scaling, broker faults, every rebalance protocol,
 * durations that are not a whole number of sample intervals, both fidelities.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parse, run } from '../../src/index.js';
import { scenarioArb } from './arbitrary.js';
import { one } from '../helpers/one-stage.js';

const CASES = Number(process.env.LAGSIM_RANDOM_SCENARIOS ?? 2000);
/** Wall time a case may take: its runs are at most ~10k records. */
const CASE_MS = 20_000;

const small = fc
  .record({
    base: scenarioArb,
    durationMs: fc.integer({ min: 500, max: 4000 }),
    intervalMs: fc.constantFrom(250, 300, 700, 1000),
    rate: fc.integer({ min: 0, max: 2500 }),
    retention: fc.option(fc.record({ ms: fc.integer({ min: 300, max: 3000 }), segment: fc.integer({ min: 100, max: 1000 }), check: fc.integer({ min: 100, max: 1000 }) }), { nil: undefined }),
    reset: fc.constantFrom('earliest', 'latest'),
  })
  .map(({ base, durationMs, intervalMs, rate, retention, reset }) => {
    const s = structuredClone(base) as Record<string, any>;
    s.name = 'random';
    s.duration = `${durationMs}ms`;
    s['sample-interval'] = `${intervalMs}ms`;
    // Small runs: one rate, faults scaled into the run.
    s.producers[0].rate = `${rate}/s`;
    for (const f of s.faults) f.at = `${Math.round((Number.parseInt(f.at, 10) * durationMs) / 20_000)}ms`;
    const group = s['consumer-groups'][0];
    group.config['auto.offset.reset'] = reset;
    if (retention) {
      s.topics[0].config = { ...s.topics[0].config, 'retention.ms': retention.ms, 'segment.ms': retention.segment };
      s.brokers['log.retention.check.interval.ms'] = retention.check;
    }
    return stringify(s);
  });

describe('random valid scenarios, through parse and run', () => {
  it(`${CASES} runs: no internal error, the books balanced, every invariant`, () => {
    let retained = 0;
    let lost = 0;
    let cases = 0;
    fc.assert(
      fc.property(small, (text) => {
        const started = performance.now();
        const scenario = parse(text, 'random.yaml');
        const r = run(scenario);
        const acc = r.summary.accounting;
        const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
        expect(sum(acc.rejected) + acc.appended + acc.inProducer).toBe(acc.offered);
        expect(acc.processed + sum(acc.lost) + acc.inLog + acc.inProcessing).toBe(acc.appended);
        for (const v of [acc.offered, acc.appended, acc.processed, acc.inLog, acc.inProcessing, acc.inProducer, ...Object.values(acc.lost), ...Object.values(acc.rejected)]) {
          expect(Number.isInteger(v) && v >= 0, `a count of the books: ${v}`).toBe(true);
        }
        const o = one(r);
        for (let i = 1; i < r.time.length; i++) expect(r.time[i]).toBeGreaterThan(r.time[i - 1]);
        expect(r.time.at(-1)).toBeCloseTo(scenario.duration / 1e6, 9);
        for (const row of o.partitionLag) for (const lag of Array.from(row)) expect(lag).toBeGreaterThanOrEqual(0);
        // Rates per second over each window; the last window ends with the run (it may be shorter).
        const completions = o.series.processedRate.reduce((a, rate, i) => a + rate * (r.time[i] - (i > 0 ? r.time[i - 1] : 0)), 0);
        expect(Math.abs(completions - (acc.processed + o.group.duplicates))).toBeLessThan(1e-6 * Math.max(1, acc.processed));
        if (cases % 10 === 0) expect(JSON.stringify(run(parse(text, 'random.yaml')))).toBe(JSON.stringify(r));
        expect(performance.now() - started, 'case time, ms').toBeLessThan(CASE_MS);
        if (scenario.topics[0].config['retention.ms'] < scenario.duration) retained++;
        if (sum(acc.lost) > 0) lost++;
        cases++;
      }),
      { numRuns: CASES, seed: 20261203 },
    );
    // The generator reaches retention, and some runs lose records to it.
    expect(retained).toBeGreaterThan(CASES / 4);
    expect(lost).toBeGreaterThan(0);
  }, 600_000);
});

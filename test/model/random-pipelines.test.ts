/**
 * Random multi-stage pipelines through the public entry points (issue 15): the random
 * single-stage scenarios of random-scenarios.test.ts, grown into chains and fan-outs of up to
 * four stages with random partitions, instances, yields, producer buffers and faults on any
 * stage. Every topic's books and every group's books must balance (the run throws otherwise, and
 * this test checks them again from the outside), a stage with yield 1 offers its next topic
 * exactly what it processed (duplicates included), and the same seed gives the same bytes.
 * LAGSIM_RANDOM_PIPELINES=N runs more.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parse, run } from '../../src/index.js';
import { scenarioArb } from './arbitrary.js';

const CASES = Number(process.env.LAGSIM_RANDOM_PIPELINES ?? 300);

const stageArb = fc.record({
  partitions: fc.integer({ min: 1, max: 6 }),
  instances: fc.integer({ min: 1, max: 4 }),
  yield: fc.constantFrom(1, 1, 1, 0.5, 2, 1.5),
  perRecordUs: fc.integer({ min: 1, max: 3000 }),
  buffer: fc.constantFrom(33_554_432, 33_554_432, 100_000, 20_000),
  maxBlockMs: fc.constantFrom(60_000, 200, 5),
  drop: fc.boolean(),
  linger: fc.constantFrom(0, 5),
  /** Reads the previous stage's output (a chain), or the first topic (fan-out). */
  fanOut: fc.boolean(),
  keyed: fc.boolean(),
  crashAtMs: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: undefined }),
});

const pipelineArb = fc
  .record({
    base: scenarioArb,
    durationMs: fc.integer({ min: 500, max: 4000 }),
    rate: fc.integer({ min: 0, max: 2500 }),
    stages: fc.array(stageArb, { minLength: 1, maxLength: 3 }),
  })
  .map(({ base, durationMs, rate, stages }) => {
    const s = structuredClone(base) as Record<string, any>;
    s.name = 'random-pipeline';
    s.duration = `${durationMs}ms`;
    s['sample-interval'] = '500ms';
    s.producers[0].rate = `${rate}/s`;
    for (const f of s.faults) {
      f.at = `${Math.round((Number.parseInt(f.at, 10) * durationMs) / 20_000)}ms`;
      if (['consumer-crash', 'rolling-restart', 'scale'].includes(f.type)) f.group = 'g';
    }
    let upstream = s['consumer-groups'][0];
    stages.forEach((st, i) => {
      const topic = `t${i + 1}`;
      s.topics.push({ name: topic, partitions: st.partitions });
      // The stage before this one produces to its topic.
      const from = st.fanOut && i > 0 ? s['consumer-groups'][0] : upstream;
      if (from.produces) {
        // Already producing (fan-out from the first group): a new group reads the first topic and produces here.
        const reader = { name: `f${i}`, topic: s['consumer-groups'][0].topic, instances: 1, processing: { 'per-record': { dist: 'constant', value: '0ms' } } } as Record<string, any>;
        s['consumer-groups'].push(reader);
        upstream = reader;
      } else {
        upstream = from;
      }
      upstream.produces = {
        topic,
        keys: st.keyed ? { dist: 'uniform', count: 50 } : 'keep',
        yield: st.yield,
        'on-buffer-full': st.drop ? 'drop' : 'block',
        config: { 'buffer.memory': st.buffer, 'max.block.ms': st.maxBlockMs, 'linger.ms': st.linger },
      };
      const g = { name: `g${i + 1}`, topic, instances: st.instances, processing: { 'per-record': { dist: 'exponential', mean: `${st.perRecordUs}us` } } };
      s['consumer-groups'].push(g);
      if (st.crashAtMs !== undefined && st.crashAtMs < durationMs) s.faults.push({ type: 'consumer-crash', group: g.name, at: `${st.crashAtMs}ms`, 'restart-after': '300ms' });
      upstream = g;
    });
    // keys: keep across topics of different partition counts needs keyless input.
    for (const g of s['consumer-groups']) {
      if (g.produces?.keys !== 'keep') continue;
      const pin = s.topics.find((t: any) => t.name === g.topic).partitions;
      const pout = s.topics.find((t: any) => t.name === g.produces.topic).partitions;
      if (pin !== pout) g.produces.keys = { dist: 'null' };
    }
    return stringify(s);
  });

describe('random pipelines, through parse and run', () => {
  it(`${CASES} runs: every topic's and every group's books balanced, yield-1 stages pass on what they process`, () => {
    let blocked = 0;
    let multi = 0;
    fc.assert(
      fc.property(pipelineArb, (text) => {
        const scenario = parse(text, 'random.yaml');
        const r = run(scenario);
        const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
        for (const [name, t] of Object.entries(r.summary.topics)) {
          const b = t.books;
          expect(sum(b.rejected) + b.appended + b.inProducer, `topic ${name}`).toBe(b.offered);
        }
        for (const [name, g] of Object.entries(r.summary.groups)) {
          const b = g.books;
          expect(b.processed + sum(b.lost) + b.inLog + b.inProcessing, `group ${name}`).toBe(b.appended);
          expect(b.appended).toBe(r.summary.topics[r.topology.groups[name].topic].books.appended);
          const spec = scenario['consumer-groups'].find((x) => x.name === name)!;
          if (spec.produces && spec.produces.yield === 1) {
            // Only this stage writes its topic: every completion handed one record to send(). A
            // batch whose records end together (per-batch work) sends its records one after the
            // other at its end, so one still sending when the run ends, or when its process
            // crashes, has sent part of them (redelivered, they are sent again: at least once).
            const offered = r.summary.topics[spec.produces.topic].books.offered;
            expect(offered, `stage ${name}`).toBeGreaterThanOrEqual(b.processed + b.duplicates);
            const perBatch = spec.processing.calls.some((c) => c.per === 'batch') || spec.processing['per-batch'].dist !== 'constant' || spec.processing['per-batch'].value !== 0;
            // A member that crashed, or was put out of the group (poll timeout) and finished its batch as a
            // zombie, has sent outputs of records the next owner processes again.
            const crashes = g.membershipChanges > 0 || r.events.some((e) => e.kind === 'group') || scenario.faults.some((f) => 'group' in f && (f.group === name || f.group === undefined));
            if (!perBatch && !crashes) expect(offered, `stage ${name}`).toBe(b.processed + b.duplicates);
            else if (!crashes) expect(offered, `stage ${name}`).toBeLessThanOrEqual(b.processed + b.duplicates + b.inProcessing);
          }
          if (spec.produces) multi++;
        }
        if (Object.values(r.summary.topics).some((t) => t.producer.blockedSeconds > 0)) blocked++;
        if (multi % 20 === 1) expect(JSON.stringify(run(parse(text, 'random.yaml')))).toBe(JSON.stringify(r));
      }),
      { numRuns: CASES, seed: 20261215 },
    );
    expect(multi).toBeGreaterThan(CASES);
    expect(blocked).toBeGreaterThan(0);
  }, 600_000);
});

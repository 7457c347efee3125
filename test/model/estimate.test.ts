/**
 * model/estimate.ts: a valid scenario whose run could not finish in hours, or fit in memory, is
 * refused while loading, located at the knob to change, with the figure, and so is one certain to
 * block more callers in send() than a run may hold; the shipped scenarios (every variant) and
 * long but sane runs (a day at 2k/s) are not.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario, ScenarioError } from '../../src/scenario/load.js';
import { estimate, MAX_RUN_BYTES, MAX_RUN_SECONDS } from '../../src/model/estimate.js';

const root = path.resolve(import.meta.dirname, '../..');
const flashSale = path.join(root, 'scenarios/flash-sale.yaml');

function refusal(text: string, set: string[] = []): ScenarioError {
  try {
    parseScenario(text, 'big.yaml', { set });
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

const base = (over: { rate?: string; partitions?: number; duration?: string; interval?: string; producers?: string } = {}) => `name: big
duration: ${over.duration ?? '30m'}
sample-interval: ${over.interval ?? '1s'}
topics: [{ name: t, partitions: ${over.partitions ?? 48} }]
producers:
${over.producers ?? `  - { name: p, topic: t, rate: ${over.rate ?? '20k/s'} }`}
consumer-groups: [{ name: g, topic: t, instances: 8, processing: { per-record: 10us } }]
`;

describe('the estimate', () => {
  it('counts the records the profiles offer, the windows and the lag values', () => {
    const e = estimate(loadScenario(flashSale));
    // 5 min at 20k/s, a 1 min ramp to 120k/s, 10 min at 120k/s, 14 min at 20k/s.
    expect(e.records).toBeCloseTo(20e3 * 300 + 70e3 * 60 + 120e3 * 600 + 20e3 * 840, -3);
    expect(e.windows).toBe(1800);
    expect(e.partitionLagValues).toBe(1800 * 48);
    expect(e.seconds).toBeLessThan(10);
    expect(e.bytes).toBeLessThan(100 * 2 ** 20);
  });

  it('counts the blocked path where blocking is certain, so a run that takes a minute says so first', () => {
    // Flash-sale into brokers that take 1 B/s: every record goes through send() one by one
    // (66 s measured on this machine, against ~5 s at 50 ns a record).
    const slow = loadScenario(flashSale, { set: ['brokers.max-bytes-in-per-second=1B'] });
    const e = estimate(slow);
    expect(e.blocked.callers).toBeGreaterThan(0);
    expect(e.seconds + e.blockedSeconds).toBeGreaterThanOrEqual(60);
    expect(estimate(loadScenario(flashSale)).seconds).toBeLessThan(10);
  });

  it('lets every shipped scenario and a day at 2k records/s through', () => {
    for (const f of readdirSync(path.join(root, 'scenarios')).filter((x) => x.endsWith('.yaml'))) {
      const file = path.join(root, 'scenarios', f);
      expect(estimate(loadScenario(file)).blocked.callers).toBe(0);
      for (const variant of Object.keys(loadScenario(file).variants)) expect(estimate(loadScenario(file, { variant })).blocked.callers).toBe(0);
    }
    const day = estimate(parseScenario(base({ rate: '2k/s', duration: '24h' }), 'day.yaml'));
    expect(day.records).toBeCloseTo(172.8e6, -5);
    expect(day.seconds).toBeLessThan(MAX_RUN_SECONDS);
    expect(day.bytes).toBeLessThan(MAX_RUN_BYTES);
  });
});

describe('refused while loading, at the knob', () => {
  it('10^9 records/s for 30 minutes: the producer rate, with the records and the time, and the callers it would block', () => {
    const e = refusal(base({ rate: '1e9/s' }));
    expect(e.issues).toHaveLength(2);
    const [i, blocked] = e.issues;
    expect([i.file, i.line, i.path]).toEqual(['big.yaml', 6, 'producers[0].rate']);
    expect(i.message).toMatch(/^expected a run lagsim can finish: this one offers 1\.8T records over 30 min, at least 25 h of computing \(at 50 ns a record; the limit is 4 h\): lower the rate or shorten duration$/);
    expect([blocked.line, blocked.path]).toEqual([6, 'producers[0].rate']);
    expect(blocked.message).toBe(
      "expected a run that fits in memory: its producers offer 60B records in the first 1 min (its max.block.ms), more than the brokers can take by then (at most 352 GiB) and buffer.memory hold, " +
        "so at least 59.3B callers would be blocked in send() at once, 662 GiB to hold them (a run stops at 512 MiB): lower the rate, raise the brokers' max-bytes-in-per-second, shorten max.block.ms, or set on-buffer-full: drop",
    );
  });

  it('10^9 records/s for a minute: refused for the callers it would block alone; not where the brokers could take it all, or with on-buffer-full: drop', () => {
    const [i, ...rest] = refusal(base({ rate: '1e9/s', duration: '1m' })).issues;
    expect(rest).toEqual([]);
    expect(i.path).toBe('producers[0].rate');
    expect(i.message).toMatch(/^expected a run that fits in memory: its producers offer 60B records in the first 1 min/);
    // 2k/s into brokers at 1 B/s blocks ~120k callers at once, certainly, and is run.
    expect(() => parseScenario(base({ rate: '2k/s', duration: '10m' }), 'slow.yaml', { set: ['brokers.max-bytes-in-per-second=1'] })).not.toThrow();
    expect(() => parseScenario(base({ rate: '1e9/s', duration: '1m' }), 'drop.yaml', { set: ['producers.0.on-buffer-full=drop'] })).not.toThrow();
    expect(() => parseScenario(base({ rate: '1e9/s', duration: '1m' }), 'acks0.yaml', { set: ['producers.0.config.acks=0'] })).not.toThrow();
  });

  it('rate 1e308/s: the callers it would block said in words, no Infinity or n/a', () => {
    const [, blocked] = refusal(base({ rate: '1e308/s' })).issues;
    expect(blocked.message).toMatch(/offer more than 10\^308 records in the first 1 min .*so more than 10\^308 callers would be blocked in send\(\) at once, more memory than there is \(a run stops at 512 MiB\)/);
    expect(blocked.message).not.toMatch(/Infinity|n\/a|NaN/);
  });

  it('rate 1e308/s: refused the same way, no Infinity in the message', () => {
    const [i] = refusal(base({ rate: '1e308/s' })).issues;
    expect(i.path).toBe('producers[0].rate');
    expect(i.message).toMatch(/more than 10\^308 records over 30 min, more of computing/);
  });

  it('100,000 partitions sampled every millisecond: the sample-interval, with the lag series size', () => {
    const [i] = refusal(base({ partitions: 100_000, interval: '1ms', duration: '1000s', rate: '10/s' })).issues;
    expect([i.line, i.path]).toEqual([3, 'sample-interval']);
    expect(i.message).toMatch(/needs at least 746 GiB .*745 GiB of it for the per-partition lag series \(1M samples x 100k partitions\): use a longer sample-interval/);
  });

  it('1,000 producers x 1,000 instances over 48 partitions: their state', () => {
    const producers = Array.from({ length: 1000 }, (_, k) => `  - { name: p${k}, topic: t, rate: 1/s, instances: 1000 }`).join('\n');
    const [i] = refusal(base({ producers })).issues;
    expect(i.path).toBe('producers');
    expect(i.message).toMatch(/fits in memory: this one needs at least 9[0-9.]+ GiB .*fewer partitions or producer instances/);
  });

  it('through --set, under the --set that asked for it', () => {
    const [i] = refusal(base(), ['producers.0.rate=1e9/s']).issues;
    expect(i.file).toBe('--set producers.0.rate=1e9/s');
  });

  it('by sim: exit 2, the located message, nothing written, in seconds', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lagsim-estimate-'));
    const file = path.join(dir, 'big.yaml');
    writeFileSync(file, base({ rate: '1e9/s' }));
    const started = performance.now();
    const p = spawnSync(process.execPath, [path.join(root, 'bin/sim.js'), file, '--out', path.join(dir, 'out')], { encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:\\d+: producers\\[0\\]\\.rate: expected a run lagsim can finish`));
    expect(p.stderr).not.toMatch(/bug|at .*\.ts:\d+/);
    expect(readdirSync(dir)).toEqual(['big.yaml']);
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it('a long run that can be done is said to be long, then run', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lagsim-estimate-'));
    const file = path.join(dir, 'long.yaml');
    writeFileSync(file, base({ rate: '20k/s', duration: '24h' }));
    // Stopped after the word: the run itself would take minutes (SIGTERM leaves nothing behind).
    const p = spawnSync(process.execPath, [path.join(root, 'bin/sim.js'), file, '--out', path.join(dir, 'out')], { encoding: 'utf8', timeout: 8_000 });
    expect(p.stderr).toMatch(/^sim: a long run: 1\.73B records to simulate, at least 1 min 26 s of computing$/m);
    expect(p.stderr).not.toMatch(/bug/);
  }, 30_000);
});

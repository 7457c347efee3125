/**
 * `--replications` has one rule and one message (study/messages.ts): a single run and a comparison
 * check it in the CLI, a sweep and a plan in the library, and all of them refuse the same values
 * with the same words, and accept the largest allowed value.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGridAxis } from '../../src/study/grid.js';
import { MAX_REPLICATIONS, replicationsRefusal } from '../../src/study/messages.js';
import { plan } from '../../src/study/plan.js';
import type { Runner } from '../../src/study/pool.js';
import { sweep } from '../../src/study/sweep.js';
import { parseScenario } from '../../src/scenario/load.js';
import { aggregate } from '../../src/stats/aggregate.js';
import { replicationSeeds } from '../../src/stats/seeds.js';

const root = path.resolve(import.meta.dirname, '../..');
const simBin = path.join(root, 'bin/sim.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lagsim-replications-'));

function sim(args: string[]) {
  const p = spawnSync(process.execPath, [simBin, ...args], { cwd: tmp, encoding: 'utf8', env: { ...process.env, LAGSIM_DEBUG: '' } });
  return { code: p.status, stderr: p.stderr };
}

const SMALL = `name: small
seed: 5
duration: 5s
topics: [{ name: t, partitions: 2 }]
producers: [{ name: p, topic: t, rate: 1k/s, keys: { dist: uniform, count: 10 } }]
consumer-groups:
  - { name: g, topic: t, instances: 1, processing: { per-record: 300us } }
`;
const file = path.join(tmp, 'small.yaml');
writeFileSync(file, SMALL);
const base = parseScenario(SMALL, 'small.yaml');

/** A pool that stops the study where it would start running: the input was accepted by then. */
const REACHED = 'reached the pool';
const stopAtPool: Runner = {
  size: 1,
  usage: { runs: 0, runMs: 0, wallMs: 0 },
  each: async () => {
    throw new Error(REACHED);
  },
  run: async () => {
    throw new Error(REACHED);
  },
  close: async () => undefined,
};

const study = (replications: number) => ({ replicationSeeds, aggregate, evaluate: () => [], replications, pool: stopAtPool });
const librarySweep = (n: number) => sweep(base, [parseGridAxis('consumer-groups.0.instances=1,2')], () => base, study(n));
const libraryPlan = (n: number) => plan('consumer-groups.0.instances', { min: 1, max: 2 }, () => base, () => [], study(n));

/** What the library says when it refuses, or undefined when it got as far as running. */
async function libraryRefusal(attempt: Promise<unknown>): Promise<string | undefined> {
  const message = await attempt.then(
    () => 'finished',
    (err: unknown) => (err as Error).message,
  );
  return message === REACHED ? undefined : message;
}

describe('--replications', () => {
  it('allows 1 to MAX_REPLICATIONS whole', () => {
    expect([1, MAX_REPLICATIONS].map(replicationsRefusal)).toEqual([undefined, undefined]);
    for (const n of [0, -1, 1.5, MAX_REPLICATIONS + 1, Number.NaN]) expect(replicationsRefusal(n)).toMatch(/^--replications: /);
  });

  it('is refused alike by a run, a comparison and a sweep on the command line, and by sweep() and plan()', async () => {
    for (const n of [0, MAX_REPLICATIONS + 1]) {
      const refusal = replicationsRefusal(n)!;
      for (const args of [[file], ['compare', file, file], ['sweep', file, '--grid', 'consumer-groups.0.instances=1,2']]) {
        const r = sim([...args, '--replications', String(n), '--out', 'never']);
        expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 2, stderr: `sim: ${refusal}\n` });
      }
      expect(await libraryRefusal(librarySweep(n))).toBe(refusal);
      expect(await libraryRefusal(libraryPlan(n))).toBe(refusal);
    }
  }, 120_000);

  it('lets MAX_REPLICATIONS through, to the next check', async () => {
    // A missing scenario file is what the CLI says next, so nothing runs a thousand times.
    for (const args of [['missing.yaml'], ['compare', 'missing.yaml', 'missing.yaml']]) {
      const r = sim([...args, '--replications', String(MAX_REPLICATIONS), '--out', 'never']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/missing\.yaml/);
      expect(r.stderr).not.toMatch(/--replications/);
    }
    expect(await libraryRefusal(librarySweep(MAX_REPLICATIONS))).toBeUndefined();
    expect(await libraryRefusal(libraryPlan(MAX_REPLICATIONS))).toBeUndefined();
  }, 60_000);
});

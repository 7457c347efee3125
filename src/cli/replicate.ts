/**
 * The runs of `sim <scenario>`. One run goes on this thread, with its producers on a thread of
 * their own when there is a core to spare and the run is big enough to gain from it
 * (model/producer-thread.ts: the same output; flash-sale about 1.5x sooner). `--replications N`
 * runs N seeds derived from the scenario's (stats/seeds.ts; the first is the scenario's own) on
 * the worker pool, one run per core, and sums them up in seed order (stats/aggregate.ts), so the
 * result does not depend on which run finished first.
 */
import type { Scenario } from '../scenario/schema.js';
import type { Replicated } from '../metrics/study.js';
import { expectedRecords, PRODUCER_THREAD_RECORDS, simulate } from '../model/pipeline.js';
import { prestartProducerThread } from '../model/producer-thread.js';
import { aggregate } from '../stats/aggregate.js';
import { replicationSeeds } from '../stats/seeds.js';

/** `fraction` of all the work done (0..1), with `done` of `runs` runs finished. */
export type ReplicationProgress = (fraction: number, done: number, runs: number) => void;

/** Whether `n` replications on `jobs` cores run on this thread with their producers on another. */
function producerThreadFor(scenario: Scenario, n: number, jobs: number): boolean {
  return n === 1 && jobs > 1 && expectedRecords(scenario) >= PRODUCER_THREAD_RECORDS;
}

/**
 * Gets ready for runReplications with the same arguments: starts the producer thread it will
 * use, if any, so that it boots while the caller goes on.
 */
export function prepareReplications(scenario: Scenario, n: number, jobs: number): void {
  if (producerThreadFor(scenario, n, jobs)) prestartProducerThread();
}

/** Runs `n` replications using at most `jobs` cores. */
export async function runReplications(scenario: Scenario, n: number, jobs: number, onProgress?: ReplicationProgress): Promise<Replicated> {
  const seeds = replicationSeeds(scenario.seed, n);
  if (n === 1 || jobs === 1) {
    const producerThread = producerThreadFor(scenario, n, jobs);
    const runs = seeds.map((seed, i) => simulate({ ...scenario, seed }, { producerThread, onProgress: (f) => onProgress?.((i + f) / n, i, n) }));
    return aggregate(seeds, runs);
  }
  const { createPool } = await import('../run/pool.js');
  const pool = createPool(Math.min(jobs, n));
  try {
    const runs = await pool.run(
      seeds.map((seed, i) => ({ label: `replication ${i + 1} of ${n}, seed ${seed}`, scenario: { ...scenario, seed } })),
      { onProgress: (p) => onProgress?.(p.fraction, p.done, p.total) },
    );
    return aggregate(
      seeds,
      runs.map((r) => r.result),
    );
  } finally {
    await pool.close();
  }
}

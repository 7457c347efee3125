/**
 * The run loop of `sim --replications N`: N runs of one scenario with seeds derived from its
 * seed (stats/seeds.ts; the first is the scenario's own), one after another on this thread,
 * summed up by stats/aggregate.ts. A worker pool can replace this function: it only has to give
 * the same runs in the same order.
 */
import type { Scenario } from '../scenario/schema.js';
import type { Replicated } from '../metrics/study.js';
import { simulate } from '../model/pipeline.js';
import { aggregate } from '../stats/aggregate.js';
import { replicationSeeds } from '../stats/seeds.js';

/** `fraction` of all the work done (0..1), while run `run` (0-based) of `runs` is going. */
export type ReplicationProgress = (fraction: number, run: number, runs: number) => void;

export function runReplications(scenario: Scenario, n: number, onProgress?: ReplicationProgress): Replicated {
  const seeds = replicationSeeds(scenario.seed, n);
  const runs = seeds.map((seed, i) => simulate({ ...scenario, seed }, { onProgress: (f) => onProgress?.((i + f) / n, i, n) }));
  return aggregate(seeds, runs);
}

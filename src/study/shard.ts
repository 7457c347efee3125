/**
 * Sweeps split over machines (docs/definitions.md, "Scaling out"): `--shard i/n` runs a share of the
 * grid's points (grid.ts) and writes them to a shard file; `sim merge` puts the shard files back
 * together into the result one machine would have produced, byte for byte, so the report made
 * from it is the same too. Any batch system can run the shards (Kubernetes Indexed Jobs, CI
 * matrices, Slurm arrays); lagsim schedules nothing itself.
 *
 * A study is identified by a SHA-256 of everything that determines its results: the base
 * scenario after defaults, the grid, the replications and their seeds, the pass rule, and what
 * the caller adds (lagsim's version, objectives given on the command line). Shards of different
 * studies are refused, as are a missing or repeated shard and points not covered exactly once.
 */
import { StudyInputError } from './grid.js';
import { duplicateShard, missingShards, notAShard, otherStudy, pointCoverage, shardCountDiffers } from './messages.js';
import { sweepResult, type SweepResult } from './sweep.js';

export function shardFileName(index: number, count: number): string {
  return `shard-${index}-of-${count}.json`;
}

/** The text of a sweep result or shard file: two-space JSON with a final newline. */
export function resultJson(result: SweepResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}

export interface ShardFile {
  /** As the user named it, for messages. */
  file: string;
  text: string;
}

/** Reassembles the shards of one study into the whole sweep's result; a StudyInputError says what is wrong. */
export function mergeShards(files: readonly ShardFile[]): SweepResult {
  if (files.length === 0) throw new StudyInputError('merge needs the shard files of a sweep');
  const shards = files.map(readShard);
  const [first] = shards;
  const byIndex = new Map<number, (typeof shards)[number]>();
  for (const s of shards) {
    if (s.result.study !== first.result.study) throw new StudyInputError(otherStudy(s.file, s.result.study, first.file, first.result.study));
    if (s.shard.count !== first.shard.count) throw new StudyInputError(shardCountDiffers(s.file, s.shard.count, first.file, first.shard.count));
    const twin = byIndex.get(s.shard.index);
    if (twin) throw new StudyInputError(duplicateShard(s.shard.index, s.shard.count, twin.file, s.file));
    byIndex.set(s.shard.index, s);
  }
  const count = first.shard.count;
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) throw new StudyInputError(missingShards(missing, count));

  const total = first.result.totalPoints;
  const points = new Array<SweepResult['points'][number]>(total);
  for (const s of shards) {
    for (const p of s.result.points) {
      if (!Number.isInteger(p.index) || p.index < 0 || p.index >= total) throw new StudyInputError(pointCoverage(`${s.file} holds point ${p.index}, outside the grid's ${total} points`));
      if (p.index % count !== s.shard.index - 1) throw new StudyInputError(pointCoverage(`${s.file} holds point ${p.index}, which belongs to another shard`));
      if (points[p.index]) throw new StudyInputError(pointCoverage(`point ${p.index} (${p.label}) appears twice`));
      points[p.index] = p;
    }
  }
  const absent = points.findIndex((p) => p === undefined);
  if (absent >= 0 || points.length !== total) throw new StudyInputError(pointCoverage(`point ${absent} is in no shard`));
  const r = first.result;
  return sweepResult({ study: r.study, scenario: r.scenario, grid: r.grid, replications: r.replications, passRule: r.passRule, totalPoints: total }, points);
}

function readShard({ file, text }: ShardFile): { file: string; result: SweepResult; shard: { index: number; count: number } } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new StudyInputError(notAShard(file, `not JSON: ${(err as Error).message}`));
  }
  const r = data as Partial<SweepResult> | null;
  if (r === null || typeof r !== 'object' || r.kind !== 'lagsim-sweep') throw new StudyInputError(notAShard(file, 'it is not a sweep result'));
  if (r.format !== 1) throw new StudyInputError(notAShard(file, `format ${String(r.format)}, this lagsim reads format 1`));
  if (!r.shard) throw new StudyInputError(notAShard(file, 'it is a whole sweep, not a shard of one'));
  if (typeof r.study !== 'string' || !Array.isArray(r.points) || !Number.isInteger(r.totalPoints) || !Array.isArray(r.grid)) {
    throw new StudyInputError(notAShard(file, 'fields are missing'));
  }
  const { index, count } = r.shard;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 1 || index > count) throw new StudyInputError(notAShard(file, 'its shard number is invalid'));
  return { file, result: r as SweepResult, shard: { index, count } };
}

/**
 * Every message the execution layer (sweeps, plans, shards) shows a user, as functions, so tests
 * compare against these rather than against copies of the wording.
 */

export function gridSyntax(arg: string): string {
  return `--grid ${arg}: expected path=values, where values are integers a..b or a..b:step, or a list a,b,c (e.g. consumer-groups.0.instances=4..32:4, topics.0.partitions=24,48,96)`;
}

export function gridRange(arg: string, detail: string): string {
  return `--grid ${arg}: ${detail}`;
}

export function gridTooLarge(points: number, limit: number): string {
  return `the grid has ${points} points; at most ${limit} are allowed in one sweep (split it, or use a coarser step)`;
}

export function gridDuplicatePath(path: string): string {
  return `--grid ${path} is given twice`;
}

export function gridEmptyValue(arg: string): string {
  return `--grid ${arg}: a value in the list is empty`;
}

export function shardSyntax(arg: string): string {
  return `--shard ${arg}: expected i/n with 1 <= i <= n, like 2/5`;
}

/**
 * The most replications any study may ask for (`sim`, compare, sweep, plan). A thousand runs
 * already put a mean within about 6% of one run's standard deviation (1.96 / sqrt(1000)); more
 * is much likelier a typo than a need, and would keep every core busy for hours.
 */
export const MAX_REPLICATIONS = 1000;

/** Why `value` is refused as `--replications`, or undefined when it is allowed. */
export function replicationsRefusal(value: number): string | undefined {
  if (Number.isInteger(value) && value >= 1 && value <= MAX_REPLICATIONS) return undefined;
  return `--replications: expected an integer from 1 to ${MAX_REPLICATIONS}, got ${value}`;
}

export function jobsRange(value: number): string {
  return `--jobs: expected an integer >= 1, got ${value}`;
}

export function badPoint(label: string, detail: string): string {
  return `grid point ${label}:\n${detail}`;
}

export function badPlanValue(field: string, value: number, detail: string): string {
  return `${field}=${value}:\n${detail}`;
}

export function unknownMetric(metric: string, suggestion: string | undefined): string {
  return `--metric ${metric}: not a figure of a run's summary${suggestion ? `; did you mean ${suggestion}?` : ''} (figures are named by their path under summary in summary.json, like endToEnd.latency.p99Ms or groups.<group>.lag.peakRecords; with one topic and one group also latency.p99Ms, lag.peakRecords)`;
}

export function planRange(min: number, max: number): string {
  return `--min ${min} --max ${max}: expected integers with min <= max`;
}

export function planNoObjectives(): string {
  return 'plan needs at least one objective to meet: the scenario states none';
}

export function notAShard(file: string, detail: string): string {
  return `${file}: not a lagsim sweep shard (${detail})`;
}

export function otherStudy(file: string, study: string, first: string, firstStudy: string): string {
  return `${file} belongs to another study (${study.slice(0, 12)}) than ${first} (${firstStudy.slice(0, 12)}): same scenario, grid, replications and seeds are needed`;
}

export function shardCountDiffers(file: string, count: number, first: string, firstCount: number): string {
  return `${file} is one of ${count} shards, but ${first} is one of ${firstCount}`;
}

export function duplicateShard(index: number, count: number, a: string, b: string): string {
  return `shard ${index}/${count} is given twice: ${a} and ${b}`;
}

export function missingShards(missing: number[], count: number): string {
  return `missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')}: every shard of the study is needed`;
}

export function pointCoverage(detail: string): string {
  return `the shards do not cover every grid point exactly once: ${detail}`;
}

/**
 * Fewer points for charts, without losing what a reader looks for.
 *
 * A chart of 100k samples renders slowly and shows no more than one of ~1500, but averaging
 * would flatten the spikes that matter (a lag peak, a p99 outlier). So each bucket of samples
 * keeps its minimum and its maximum, in time order (the "min/max" decimation used by most
 * time-series plotting tools). The CSVs keep every sample.
 */

/**
 * Which sample indices to draw so that a line has at most `maxPoints` points: the first minimum and
 * first maximum of each bucket. A bucket with only nulls keeps one null, so the line still breaks
 * where nothing was measured.
 */
export function minMaxIndices(values: readonly (number | null)[], maxPoints: number): number[] {
  const n = values.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const kept: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let lo = -1;
    let hi = -1;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (v === null) continue;
      if (lo < 0 || v < (values[lo] as number)) lo = i;
      if (hi < 0 || v > (values[hi] as number)) hi = i;
    }
    if (lo < 0) kept.push(start);
    else if (lo === hi) kept.push(lo);
    else kept.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  return kept;
}

/** One column of the heat map: samples grouped into a time span, with each partition's worst lag. */
export interface LagBucket {
  /** Start of the first window in the bucket, seconds. */
  startSeconds: number;
  /** End of the last window in the bucket, seconds. */
  endSeconds: number;
  /** Max lag per partition over the bucket's samples, records. */
  maxLag: number[];
}

/**
 * Groups samples into at most `maxBuckets` consecutive spans and keeps, per partition, the largest
 * lag seen in each span: a short burst on one partition still shows as a hot cell.
 */
export function bucketPartitionLag(
  time: readonly number[],
  partitionLag: readonly ArrayLike<number>[],
  maxBuckets: number,
): LagBucket[] {
  const n = time.length;
  const count = Math.min(n, Math.max(1, maxBuckets));
  const buckets: LagBucket[] = [];
  for (let b = 0; b < count; b++) {
    const start = Math.floor((b * n) / count);
    const end = Math.floor(((b + 1) * n) / count);
    const maxLag = Array.from(partitionLag[start]);
    for (let i = start + 1; i < end; i++) {
      const row = partitionLag[i];
      for (let p = 0; p < maxLag.length; p++) if (row[p] > maxLag[p]) maxLag[p] = row[p];
    }
    // A window starts where the one before it ended (the last may be shorter than the interval).
    buckets.push({ startSeconds: start > 0 ? time[start - 1] : 0, endSeconds: time[end - 1], maxLag });
  }
  return buckets;
}

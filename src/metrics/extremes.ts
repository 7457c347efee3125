/**
 * The largest value of a series, in a loop: `Math.max(...values)` passes every value as an
 * argument and overflows the call stack past ~125,000 of them (a two-day run at 1 s samples).
 * Nulls (windows with no value) are skipped; `floor` is the answer for an empty or all-null series.
 */
export function maxOf(values: ArrayLike<number | null>, floor: number): number {
  let m = floor;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v > m) m = v;
  }
  return m;
}

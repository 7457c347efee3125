/**
 * "Did you mean": the allowed word closest to a misspelt one, by edit distance (Damerau's
 * optimal string alignment: insert, delete, substitute, swap two neighbours), ignoring case.
 * A word is suggested only when it is close: within max(2, a third of the typed word's length),
 * so short typos still match and long unrelated words do not, and sharing at least one letter
 * in place (`of` is two edits from `at`, but nothing suggests one was meant for the other).
 *
 * The cost is bounded whatever is typed: words longer than MAX_SUGGESTED_LENGTH are never
 * compared (a 3 MB string where a word belongs is no typo of one), a candidate whose length alone
 * puts it out of reach is skipped, and the distance is only computed in the band that can still
 * beat the best so far (Ukkonen's cut-off), so a comparison costs length x band, not length².
 */

/** Longer words, typed or allowed, get no suggestion. */
export const MAX_SUGGESTED_LENGTH = 100;

export function closest(typed: string, allowed: readonly string[]): string | undefined {
  if (typed.length > MAX_SUGGESTED_LENGTH) return undefined;
  const limit = Math.max(2, Math.floor(typed.length / 3));
  const lower = typed.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const word of allowed) {
    if (word === typed || word.length > MAX_SUGGESTED_LENGTH) continue;
    // Only a distance below both the limit, the typed length and the best so far can win.
    const within = Math.min(limit, typed.length - 1, bestDistance - 1);
    const other = word.toLowerCase();
    if (within < 0 || Math.abs(other.length - lower.length) > within || bagDistance(lower, other) > within) continue;
    const d = editDistance(lower, other, within);
    if (d <= within) {
      best = word;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * A lower bound on the edit distance, cheap to compute: the characters one word has more of than
 * the other, the larger of the two counts (a swap changes neither; any other edit, one of each).
 */
function bagDistance(a: string, b: string): number {
  // By UTF-16 code unit, as editDistance counts.
  const counts = new Map<number, number>();
  for (let i = 0; i < a.length; i++) counts.set(a.charCodeAt(i), (counts.get(a.charCodeAt(i)) ?? 0) + 1);
  for (let i = 0; i < b.length; i++) counts.set(b.charCodeAt(i), (counts.get(b.charCodeAt(i)) ?? 0) - 1);
  let more = 0;
  let fewer = 0;
  for (const n of counts.values()) {
    if (n > 0) more += n;
    else fewer -= n;
  }
  return Math.max(more, fewer);
}

/**
 * The edit distance between `a` and `b`; with `max`, any distance above it comes back as
 * `max + 1`, and only the cells within `max` of the diagonal are computed.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const over = Math.min(max + 1, a.length + b.length + 1);
  // Rows i-2, i-1 and i of the dynamic-programming table; cells outside the band hold `over`.
  let older = new Array<number>(b.length + 1).fill(over);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => (j <= max ? j : over));
  let row = new Array<number>(b.length + 1).fill(over);
  let prevBest = 0;
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - max);
    const to = Math.min(b.length, i + max);
    row.fill(over);
    row[0] = i <= max ? i : over;
    let rowBest = row[0];
    for (let j = from; j <= to; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, older[j - 2] + 1);
      row[j] = Math.min(d, over);
      if (row[j] < rowBest) rowBest = row[j];
    }
    // Every later cell is at least the smallest of this row or the one before (for a swap).
    if (rowBest >= over && prevBest >= over) return over;
    prevBest = rowBest;
    [older, prev, row] = [prev, row, older];
  }
  return Math.min(prev[b.length], over);
}

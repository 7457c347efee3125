/**
 * "Did you mean": the allowed word closest to a misspelt one, by edit distance (Damerau's
 * optimal string alignment: insert, delete, substitute, swap two neighbours), ignoring case.
 * A word is suggested only when it is close: within max(2, a third of the typed word's length),
 * so short typos still match and long unrelated words do not, and sharing at least one letter
 * in place (`of` is two edits from `at`, but nothing suggests one was meant for the other).
 */

export function closest(typed: string, allowed: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(typed.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const word of allowed) {
    if (word === typed) continue;
    const d = editDistance(typed.toLowerCase(), word.toLowerCase());
    if (d <= limit && d < typed.length && d < bestDistance) {
      best = word;
      bestDistance = d;
    }
  }
  return best;
}

export function editDistance(a: string, b: string): number {
  // Rows i-2, i-1 and i of the dynamic-programming table.
  let older: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, older[j - 2] + 1);
      row.push(d);
    }
    older = prev;
    prev = row;
  }
  return prev[b.length];
}

/**
 * Comparing text for anything that decides output order. Strings compare by UTF-16 code unit
 * (JavaScript's `<`, Java's String.compareTo), never by `localeCompare`: that follows the process
 * locale's collation (LANG, LC_ALL), so a run under sv_SE or da_DK would order same-instant
 * marks differently from one under C, and its report bytes would differ.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../src/scenario/suggest.js';

describe('editDistance', () => {
  it('counts inserts, deletes, substitutions and swaps of neighbours', () => {
    expect(editDistance('max.pol.records', 'max.poll.records')).toBe(1);
    expect(editDistance('poison', 'poisson')).toBe(1);
    expect(editDistance('nmae', 'name')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
  });
});

describe('closest', () => {
  const keys = ['max.poll.records', 'fetch.min.bytes', 'fetch.max.wait.ms', 'enable.auto.commit'];

  it('suggests a close word, ignoring case', () => {
    expect(closest('max.pol.records', keys)).toBe('max.poll.records');
    expect(closest('Fetch.Min.Bytes', keys)).toBe('fetch.min.bytes');
    expect(closest('exponental', ['constant', 'exponential', 'normal'])).toBe('exponential');
  });

  it('suggests nothing when nothing is close', () => {
    expect(closest('colour', keys)).toBeUndefined();
    expect(closest('of', ['at', 'for'])).toBeUndefined();
    expect(closest('expo', ['constant', 'exponential'])).toBeUndefined();
  });

  it('prefers the first of equally close words, so the result does not depend on anything else', () => {
    expect(closest('ab', ['abc', 'abd'])).toBe('abc');
  });
});

describe('closest on hostile input', () => {
  it('agrees with the unbounded distance wherever the bound is not reached', () => {
    const words = ['abc', 'abd', 'max.poll.records', 'poisson', 'kitten', 'sitting', 'ba', 'exponential', '', '\uD83D\uDE00', '\uD83Dx'];
    for (const a of words) for (const b of words) for (const max of [0, 1, 2, 3, 5]) {
      const full = editDistance(a, b);
      expect(editDistance(a, b, max), `${a} ${b} ${max}`).toBe(full <= max ? full : max + 1);
    }
  });

  it('suggests what an unbounded search would, on random words', () => {
    const letters = 'abcde.-';
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const word = () => Array.from({ length: Math.floor(next() * 9) }, () => letters[Math.floor(next() * letters.length)]).join('');
    for (let n = 0; n < 500; n++) {
      const typed = word();
      const allowed = Array.from({ length: 6 }, word);
      const limit = Math.max(2, Math.floor(typed.length / 3));
      let expected: string | undefined;
      let best = Infinity;
      for (const w of allowed) {
        const d = editDistance(typed, w);
        if (w !== typed && d <= limit && d < typed.length && d < best) [expected, best] = [w, d];
      }
      expect(closest(typed, allowed), `${typed} in ${allowed.join(' ')}`).toBe(expected);
    }
  });

  it('answers at once for a 3 MB word, typed or allowed', () => {
    const huge = 'x'.repeat(3_000_000);
    const started = performance.now();
    expect(closest(huge, ['auto', 'exact', 'batched'])).toBeUndefined();
    expect(closest('exakt', [huge, 'exact'])).toBe('exact');
    expect(closest(huge, [huge.slice(1)])).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(500);
  });
});

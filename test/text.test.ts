import { describe, expect, it } from 'vitest';
import { compareText } from '../src/text.js';

describe('compareText', () => {
  it('orders by UTF-16 code unit, whatever the locale', () => {
    // Collation would put "aa" last in Danish, "ä" after "z" in Swedish and "Zeta" after "alpha" anywhere.
    expect(['z', 'aa', 'ä', 'Zeta', 'ab', 'alpha', 'w', 'v'].sort(compareText)).toEqual(['Zeta', 'aa', 'ab', 'alpha', 'v', 'w', 'z', 'ä']);
    expect(compareText('x', 'x')).toBe(0);
  });
});

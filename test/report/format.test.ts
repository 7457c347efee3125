import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatExact, formatMs, formatPercent, formatSeconds } from '../../src/report/format.js';

describe('formatCount', () => {
  it.each([
    [0, '0'],
    [7, '7'],
    [12.5, '12.5'],
    [999, '999'],
    [999.7, '1k'],
    [1234, '1.23k'],
    [45_600, '45.6k'],
    [120_000, '120k'],
    [999_950, '1M'],
    [1_234_567, '1.23M'],
    [2.5e9, '2.5B'],
    [-1500, '-1.5k'],
    [0.25, '0.25'],
  ])('%d -> %s', (value, text) => {
    expect(formatCount(value)).toBe(text);
  });

  it('says n/a for a missing value', () => {
    expect(formatCount(null)).toBe('n/a');
  });
});

describe('formatExact', () => {
  it('groups thousands with commas whatever the locale', () => {
    expect(formatExact(1234567)).toBe('1,234,567');
    expect(formatExact(999)).toBe('999');
    expect(formatExact(-1000)).toBe('-1,000');
    expect(formatExact(1234.5)).toBe('1,234.5');
  });
});

describe('formatSeconds', () => {
  it.each([
    [0, '0 s'],
    [0.45, '450 ms'],
    [4.5, '4.5 s'],
    [59.99, '1 min'],
    [125, '2 min 5 s'],
    [720, '12 min'],
    [3600, '1 h'],
    [7380, '2 h 3 min'],
  ])('%d s -> %s', (value, text) => {
    expect(formatSeconds(value)).toBe(text);
  });

  it('says n/a for a missing value', () => {
    expect(formatSeconds(null)).toBe('n/a');
  });
});

describe('formatMs', () => {
  it('shows milliseconds below a second and seconds above', () => {
    expect(formatMs(0.85)).toBe('0.85 ms');
    expect(formatMs(12.345)).toBe('12.3 ms');
    expect(formatMs(999.4)).toBe('999 ms');
    expect(formatMs(999.6)).toBe('1 s');
    expect(formatMs(2345)).toBe('2.35 s');
    expect(formatMs(null)).toBe('n/a');
  });
});

describe('formatPercent', () => {
  it('keeps three significant digits and flags tiny shares', () => {
    expect(formatPercent(1, 3)).toBe('33.3%');
    expect(formatPercent(0, 3)).toBe('0%');
    expect(formatPercent(1, 100_000)).toBe('<0.1%');
    expect(formatPercent(5, 5)).toBe('100%');
    expect(formatPercent(99_999, 100_000)).toBe('>99.9%');
    expect(formatPercent(999, 1000)).toBe('99.9%');
    expect(formatPercent(1, 0)).toBe('n/a');
  });
});

describe('formatBytes', () => {
  it('uses binary units, as buffer.memory is set', () => {
    expect(formatBytes(33_554_432)).toBe('32 MiB');
    expect(formatBytes(16_384)).toBe('16 KiB');
    expect(formatBytes(1_500)).toBe('1.46 KiB');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3 GiB');
    expect(formatBytes(null)).toBe('n/a');
  });
});

import { describe, expect, it } from 'vitest';
import { prettyJson, sortKeys } from '../../src/report/json.js';

describe('prettyJson', () => {
  const value = {
    title: { text: 'T', subtitle: 's' },
    layer: [{ data: { values: [{ t: 0, v: 1 }, { t: 1, v: null }] }, mark: { type: 'line' } }],
    long: 'x'.repeat(120),
  };

  it('reads back as the same value and ends with a newline', () => {
    const text = prettyJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('keeps short containers and data rows on one line, indents the rest by two spaces', () => {
    const text = prettyJson(value, 40);
    expect(text).toContain('\n  "title": {"text":"T","subtitle":"s"},\n');
    expect(text).toContain('\n          {"t":0,"v":1},\n          {"t":1,"v":null}\n');
    expect(text).toContain(`\n  "long": "${'x'.repeat(120)}"\n`);
  });
});

describe('sortKeys', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    const sorted = sortKeys({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 3 } });
    expect(JSON.stringify(sorted)).toBe('{"a":{"c":3,"d":[{"y":2,"z":1}]},"b":1}');
  });
});

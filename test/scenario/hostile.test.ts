/**
 * The loader under hostile sizes and shapes (issue 21): refusals that stay fast and short however
 * many problems a file has, a limit on nesting, bounded durations, CR line ends, `__proto__`
 * keys, many variants, names too long for a folder.
 */
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { MAX_ISSUES, MAX_OUTPUT_NAME_BYTES, parseScenario, ScenarioError } from '../../src/scenario/load.js';
import { MAX_NESTING } from '../../src/scenario/source.js';
import { duplicateKey, moreProblems, nameTooLong, nestingTooDeep, reservedKey } from '../../src/scenario/messages.js';
import { issuesOf, MINIMAL } from './helpers.js';

function refusal(text: string): ScenarioError {
  try {
    parseScenario(text, 'test.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError, but the scenario was accepted');
}

function timed<T>(work: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = work();
  return { value, ms: performance.now() - started };
}

/** The fastest of n timings of `work`, with the value of the last. */
function fastest<T>(n: number, work: () => T): { value: T; ms: number } {
  let best = timed(work);
  for (let i = 1; i < n; i++) {
    const t = timed(work);
    best = { value: t.value, ms: Math.min(best.ms, t.ms) };
  }
  return best;
}

describe('many problems', () => {
  it('40,000 unknown keys are refused in under 2 s, the first 100 listed and the rest counted', () => {
    const text = MINIMAL + Array.from({ length: 40_000 }, (_, i) => `unknown-key-${i}: 1`).join('\n') + '\n';
    refusal(text.slice(0, 20_000)); // warm up
    // ~1 s alone on a 2-core machine, about half of it yaml's parser (the quadratic loader took
    // 69 s). When the suite loads the machine, parsing alone is slower too: 3x that is allowed.
    // Each is timed 3 times and the fastest kept, so a burst of load from the test files running
    // beside this one does not land on one side only.
    const { value: e, ms } = fastest(3, () => refusal(text));
    const parsing = fastest(3, () => parseDocument(text, { uniqueKeys: false })).ms;
    expect(ms).toBeLessThan(Math.max(2000, 3 * parsing));
    expect(e.issues).toHaveLength(MAX_ISSUES);
    expect(e.omitted).toBe(40_000 - MAX_ISSUES);
    expect(e.issues[0]).toMatchObject({ line: 14, col: 1, path: 'unknown-key-0' });
    expect(e.issues[MAX_ISSUES - 1]).toMatchObject({ line: 14 + MAX_ISSUES - 1, path: `unknown-key-${MAX_ISSUES - 1}` });
    const lines = e.format().split('\n');
    expect(lines).toHaveLength(MAX_ISSUES + 1);
    expect(lines[MAX_ISSUES]).toBe(moreProblems(40_000 - MAX_ISSUES));
    expect(e.message).toBe(e.format());
  });

  it('the time to refuse grows with the number of problems, not its square', () => {
    const keys = (n: number) => MINIMAL + Array.from({ length: n }, (_, i) => `unknown-key-${i}: 1`).join('\n') + '\n';
    refusal(keys(1000)); // warm up
    const small = timed(() => refusal(keys(5_000))).ms;
    const large = timed(() => refusal(keys(20_000))).ms;
    // Quadratic would be 16x; allow for noise on a busy machine.
    expect(large).toBeLessThan(Math.max(8 * small, 300));
  });

  it('30,000 invalid phases give a message of 101 lines', () => {
    const phases = Array.from({ length: 30_000 }, () => '        - { for: 1s }').join('\n');
    const e = refusal(MINIMAL.replace('rate: 20k/s', `rate:\n      phases:\n${phases}`));
    expect(e.issues).toHaveLength(MAX_ISSUES);
    expect(e.omitted).toBe(30_000 - MAX_ISSUES);
    expect(e.format().length).toBeLessThan(30_000);
  }, 30_000);

  it('a duplicated key among 20,000 is found at once, at the second one', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `  v${i}: {}`).join('\n');
    const { value: issues, ms } = timed(() => issuesOf(`${MINIMAL}variants:\n${keys}\n  v7: {}\n`));
    expect(ms).toBeLessThan(3000);
    expect(issues).toEqual([{ file: 'test.yaml', line: 15 + 20_000, col: 3, path: 'variants.v7', message: duplicateKey('v7') }]);
  });
});

describe('hostile shapes', () => {
  it('a 3 MB string where a word is expected is refused at once, with no suggestion', () => {
    const { value: issues, ms } = timed(() => issuesOf(`${MINIMAL}fidelity: ${'x'.repeat(3_000_000)}\n`));
    expect(ms).toBeLessThan(2000);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 14, col: 11, path: 'fidelity' });
    expect(issues[0].message).not.toMatch(/did you mean/);
    expect(issues[0].message.length).toBeLessThan(200);
  });

  it('a 3 MB key is refused at once', () => {
    const { value: issues, ms } = timed(() => issuesOf(`${MINIMAL}${'k'.repeat(3_000_000)}: 1\n`));
    expect(ms).toBeLessThan(2000);
    expect(issues).toHaveLength(1);
    expect(issues[0].line).toBe(14);
  });

  it('1,000 levels of nesting are refused with the limit, where the limit is passed', () => {
    const flow = issuesOf(`${MINIMAL}description: ${'['.repeat(1000)}${']'.repeat(1000)}\n`);
    expect(flow).toEqual([{ file: 'test.yaml', line: 14, col: 14 + MAX_NESTING - 1, path: '', message: nestingTooDeep(MAX_NESTING) }]);
    const block = issuesOf(`${MINIMAL}${Array.from({ length: 1000 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} 1\n`);
    expect(block).toHaveLength(1);
    expect(block[0]).toMatchObject({ line: 14 + MAX_NESTING, message: nestingTooDeep(MAX_NESTING) });
    const list = issuesOf(`${MINIMAL}description:\n${'- '.repeat(1000)}x\n`);
    expect(list[0].message).toBe(nestingTooDeep(MAX_NESTING));
  });

  it('nesting up to the limit still reads (and is judged by the schema alone)', () => {
    const issues = issuesOf(`${MINIMAL}description: ${'['.repeat(MAX_NESTING - 1)}${']'.repeat(MAX_NESTING - 1)}\n`);
    expect(issues).toHaveLength(1);
    expect(issues[0].message).toMatch(/^expected a string, got a list/);
  });

  it.each([
    ['consumer-groups[0].config["max.poll.interval.ms"]', 'max.poll.interval.ms: 1e308', 'group'],
    ['consumer-groups[0].config["fetch.max.wait.ms"]', 'fetch.max.wait.ms: 1e308', 'group'],
    ['consumer-groups[0].config["session.timeout.ms"]', 'session.timeout.ms: 1e300s', 'group'],
    ['topics[0].config["retention.ms"]', 'retention.ms: 1e308', 'topic'],
    ['topics[0].config["segment.ms"]', 'segment.ms: 1e308', 'topic'],
  ])('%s beyond the clock is refused with the bound, not Infinity', (path, setting, where) => {
    const text =
      where === 'group'
        ? MINIMAL.replace('    instances: 4\n', `    instances: 4\n    config: { ${setting} }\n`)
        : MINIMAL.replace('    partitions: 12\n', `    partitions: 12\n    config: { ${setting} }\n`);
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe(path);
    expect(issues[0].line).toBeGreaterThan(1);
    expect(issues[0].message).toMatch(/^expected .*at most .*2\^53 - 1 us, the simulation clock's limit\), got /);
  });

  it('the largest duration the clock holds is accepted', () => {
    const s = parseScenario(MINIMAL.replace('    instances: 4\n', '    instances: 4\n    config: { max.poll.interval.ms: 9007199254740 }\n'), 'test.yaml');
    expect(s['consumer-groups'][0].config['max.poll.interval.ms']).toBe(9_007_199_254_740_000);
    expect(Number.isSafeInteger(s['consumer-groups'][0].config['max.poll.interval.ms'])).toBe(true);
  });

  it('CR-only line ends read like LF ones, and issues keep their line and column', () => {
    expect(parseScenario(MINIMAL.replace(/\n/g, '\r'), 'test.yaml')).toEqual(parseScenario(MINIMAL, 'test.yaml'));
    const wrong = MINIMAL.replace('instances: 4', 'instances: four');
    expect(issuesOf(wrong.replace(/\n/g, '\r'))).toEqual(issuesOf(wrong));
    expect(issuesOf(wrong.replace(/\n/g, '\r\n'))).toEqual(issuesOf(wrong));
  });

  it('__proto__ as a key of a free-key mapping is refused at the key, not dropped', () => {
    const quotas = issuesOf(`${MINIMAL}brokers:\n  quotas:\n    __proto__: { producer_byte_rate: 1MB }\n`);
    expect(quotas).toEqual([{ file: 'test.yaml', line: 16, col: 5, path: 'brokers.quotas.__proto__', message: reservedKey('__proto__') }]);
    const variants = issuesOf(`${MINIMAL}variants:\n  __proto__: { consumer-groups.0.instances: 8 }\n`);
    expect(variants).toEqual([{ file: 'test.yaml', line: 15, col: 3, path: 'variants.__proto__', message: reservedKey('__proto__') }]);
    expect(issuesOf(`${MINIMAL}variants:\n  more: { __proto__: 8 }\n`)[0]).toMatchObject({ line: 15, message: reservedKey('__proto__') });
  });

  it('2,000 variants load in under 2 s', () => {
    const variants = Array.from({ length: 2000 }, (_, i) => `  v${i}: { consumer-groups.0.instances: ${(i % 10) + 1} }`).join('\n');
    const { value: s, ms } = timed(() => parseScenario(`${MINIMAL}variants:\n${variants}\n`, 'test.yaml'));
    expect(ms).toBeLessThan(2000);
    expect(Object.keys(s.variants)).toHaveLength(2000);
  });

  it("a mistake in one of 2,000 variants is still found at its override", () => {
    const variants = Array.from({ length: 2000 }, (_, i) => `  v${i}: { consumer-groups.0.instances: ${i === 1234 ? 0 : 4} }`).join('\n');
    const issues = issuesOf(`${MINIMAL}variants:\n${variants}\n`);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 15 + 1234, path: 'variants.v1234["consumer-groups.0.instances"]' });
  });

  it('a name too long to be a folder is refused at the name, and so is a variant that makes one', () => {
    const long = 'n'.repeat(300);
    expect(issuesOf(MINIMAL.replace('name: checkout', `name: ${long}`))).toEqual([
      { file: 'test.yaml', line: 1, col: 7, path: 'name', message: nameTooLong(long, 300, MAX_OUTPUT_NAME_BYTES) },
    ]);
    const variant = 'v'.repeat(MAX_OUTPUT_NAME_BYTES - 'checkout'.length);
    expect(issuesOf(`${MINIMAL}variants:\n  ${variant}: {}\n`)[0]).toMatchObject({ line: 15, col: 3, path: `variants.${variant}` });
    expect(() => parseScenario(`${MINIMAL}variants:\n  ${variant.slice(1)}: {}\n`, 'test.yaml')).not.toThrow();
  });
});

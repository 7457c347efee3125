import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderScenarioJsonSchema, scenarioJsonSchema, UNIT_PATTERNS } from '../../src/scenario/json-schema.js';
import { COUNT_EXAMPLE, DURATION_EXAMPLE, parseDuration, parseRate, parseSize, RATE_EXAMPLE, SIZE_EXAMPLE } from '../../src/scenario/units.js';

const schemaUnitExamples = { COUNT_EXAMPLE, DURATION_EXAMPLE, RATE_EXAMPLE, SIZE_EXAMPLE };
import { MINIMAL } from './helpers.js';

const root = path.resolve(import.meta.dirname, '../..');
const scenarioFiles = readdirSync(path.join(root, 'scenarios'))
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => path.join(root, 'scenarios', f));

type Schema = Record<string, unknown> & { $ref?: string; anyOf?: Schema[]; properties?: Record<string, Schema> };

/**
 * Just enough of JSON Schema to check our scenarios against the generated file: $ref, allOf, anyOf,
 * type, const, enum, pattern, properties, required, additionalProperties, items, bounds.
 * Returns the problems found (empty when the value conforms).
 */
function validate(schema: Schema, value: unknown, defs: Record<string, Schema>, at = ''): string[] {
  if (schema.$ref) {
    const target = defs[schema.$ref.replace('#/definitions/', '')];
    if (!target) return [`${at}: no definition ${schema.$ref}`];
    const { $ref: _, ...rest } = schema;
    return [...validate(target, value, defs, at), ...validate(rest, value, defs, at)];
  }
  if (schema.allOf) {
    const failed = (schema.allOf as Schema[]).flatMap((s) => validate(s, value, defs, at));
    if (failed.length > 0) return failed;
  }
  if (schema.anyOf) {
    const results = schema.anyOf.map((s) => validate(s, value, defs, at));
    if (!results.some((r) => r.length === 0)) return [`${at}: matches no alternative (${results.map((r) => r[0]).join(' | ')})`];
  }
  const problems: string[] = [];
  const type = schema.type as string | string[] | undefined;
  if (type !== undefined) {
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' && Number.isInteger(value) ? 'integer' : typeof value;
    const types = Array.isArray(type) ? type : [type];
    if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) return [`${at}: expected ${types.join('|')}, got ${actual}`];
  }
  if ('const' in schema && schema.const !== value) problems.push(`${at}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) problems.push(`${at}: expected one of ${schema.enum.join(', ')}`);
  if (typeof value === 'string' && typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
    problems.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${at}: below minimum`);
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) problems.push(`${at}: not above minimum`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${at}: above maximum`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) problems.push(`${at}: too few items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) problems.push(`${at}: too many items`);
    if (schema.items) value.forEach((v, i) => problems.push(...validate(schema.items as Schema, v, defs, `${at}[${i}]`)));
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const props = schema.properties ?? {};
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in value)) problems.push(`${at}: missing ${key}`);
    for (const [key, v] of Object.entries(value)) {
      if (key in props) problems.push(...validate(props[key], v, defs, `${at}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${at}: unknown key ${key}`);
    }
  }
  return problems;
}

describe('scenario.schema.json', () => {
  const committed = readFileSync(path.join(root, 'scenario.schema.json'), 'utf8');
  const schema = JSON.parse(committed) as Schema;
  const defs = schema.definitions as Record<string, Schema>;

  it('is what `npm run schema` generates from the zod schema now (run it after changing the schema)', () => {
    expect(committed).toBe(renderScenarioJsonSchema());
  });

  it('is the same every time it is generated', () => {
    expect(JSON.stringify(scenarioJsonSchema())).toBe(JSON.stringify(scenarioJsonSchema()));
  });

  it('is a draft-07 schema (what yaml-language-server reads) whose references all resolve', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const refs = committed.match(/"\$ref": "[^"]*"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref.startsWith('"$ref": "#/definitions/')).toBe(true);
      expect(defs).toHaveProperty(ref.slice('"$ref": "#/definitions/'.length, -1));
    }
    // Keywords of later drafts that draft-07 does not know.
    for (const keyword of ['"$defs"', '"prefixItems"', '"$dynamicRef"', '"unevaluatedProperties"', '"dependentRequired"']) expect(committed).not.toContain(keyword);
    expect(committed).not.toContain('lagsimKinds');
  });

  it('describes every property, in more words than its unit', () => {
    const undescribed: string[] = [];
    const unitOnly: string[] = [];
    const units = new Set(Object.values(schemaUnitExamples));
    let properties = 0;
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}[${i}]`));
      if (typeof node !== 'object' || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (key !== 'properties') {
          walk(value, `${at}/${key}`);
          continue;
        }
        for (const [name, property] of Object.entries(value as Record<string, Schema>)) {
          properties++;
          const d = property.description;
          if (typeof d !== 'string' || d.trim() === '') undescribed.push(`${at}.${name}`);
          else if (units.has(d) || /, or a mapping with dist: /.test(d)) unitOnly.push(`${at}.${name}`);
          walk(property, `${at}.${name}`);
        }
      }
    };
    walk(schema, '');
    expect(properties).toBeGreaterThan(250);
    expect(undescribed).toEqual([]);
    expect(unitOnly).toEqual([]);
  });

  it('knows every top-level key of the scenario files, and accepts them whole', () => {
    expect(scenarioFiles.length).toBeGreaterThan(0);
    for (const file of scenarioFiles) {
      const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      for (const key of Object.keys(doc)) expect(schema.properties, `${path.basename(file)}: ${key}`).toHaveProperty([key]);
      expect(validate(schema, doc, defs), path.basename(file)).toEqual([]);
    }
    expect(validate(schema, parse(MINIMAL), defs)).toEqual([]);
  });

  it('rejects what the loader rejects, in simple cases', () => {
    const minimal = parse(MINIMAL) as Record<string, unknown>;
    expect(validate(schema, { ...minimal, colour: 'red' }, defs)).not.toEqual([]);
    expect(validate(schema, { ...minimal, duration: '5 minutes' }, defs)).not.toEqual([]);
    const { duration: _, ...noDuration } = minimal;
    expect(validate(schema, noDuration, defs)).not.toEqual([]);
    const latency = (l: unknown) => ({ ...minimal, services: [{ name: 'db', latency: l }] });
    expect(validate(schema, latency({ dist: 'lognormal', p50: '12ms', p99: '60ms' }), defs)).toEqual([]);
    expect(validate(schema, latency({ dist: 'mixture', of: [{ weight: 1, value: { dist: 'exponential', mean: '5ms' } }] }), defs)).toEqual([]);
    expect(validate(schema, latency({ dist: 'expo', mean: '5ms' }), defs)).not.toEqual([]);
  });

  it('shows defaults as an author would write them', () => {
    const props = (schema.properties as Record<string, Schema>)['consumer-groups'].items as Schema;
    const config = (props.properties as Record<string, Schema>).config.properties as Record<string, Schema>;
    expect(config['max.poll.records'].default).toBe(500);
    expect(config['fetch.max.wait.ms'].default).toBe(500);
    expect(config['auto.commit.interval.ms'].default).toBe(5000);
    expect((schema.properties as Record<string, Schema>)['sample-interval'].default).toBe('1s');
  });
});

describe('unit patterns', () => {
  // Short numbers, so no text overflows to Infinity (which the parsers refuse).
  const text = (units: string[]) =>
    fc
      .tuple(
        fc.constantFrom('', ' ', '-', '+'),
        fc.constantFrom('0', '1', '25', '1.5', '.5', '1.', '2e3', '2E-1', '1e', 'x'),
        fc.constantFrom('', ' ', '  '),
        fc.constantFrom(...units, ''),
        fc.constantFrom('', ' ', '\t', 'x'),
      )
      .map((parts) => parts.join(''));

  it('accept exactly what the parsers understand', () => {
    const cases = [
      ['duration', parseDuration, ['us', 'µs', 'ms', 's', 'min', 'm', 'h', 'd', 'sec', 'M', 'ns']],
      ['size', parseSize, ['B', 'KB', 'MB', 'GB', 'KiB', 'MiB', 'GiB', 'kb', 'TB']],
      ['rate', parseRate, ['/s', 'k/s', 'K /sec', 'M/ min', '/m', '/h', 'k/d', '/']],
    ] as const;
    for (const [unit, parse, units] of cases) {
      const re = new RegExp(UNIT_PATTERNS[unit], 'u');
      fc.assert(
        fc.property(text([...units]), (s) => {
          expect(re.test(s), `${unit} ${JSON.stringify(s)}`).toBe(parse(s) !== undefined);
        }),
        { numRuns: 2000, seed: 20_251_122 },
      );
    }
  });
});

/**
 * Validates a spec against Vega-Lite's own JSON Schema (vega-lite/vega-lite-schema.json), with
 * the draft-07 keywords that schema uses. No validator package is installed, and compiling alone
 * would not catch a misspelt property: Vega-Lite ignores what it does not know.
 */
import { createRequire } from 'node:module';

type Schema = Record<string, unknown>;

const require = createRequire(import.meta.url);
const ROOT = require('vega-lite/vega-lite-schema.json') as Schema;

/** Problems found, each with its JSON path; empty if the spec is valid. */
export function validateVegaLite(spec: unknown): string[] {
  return check(spec, ROOT, '$');
}

function resolve(ref: string): Schema {
  const name = ref.replace('#/definitions/', '');
  const found = (ROOT.definitions as Record<string, Schema>)[name];
  if (found === undefined) throw new Error(`unknown $ref ${ref}`);
  return found;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function check(value: unknown, schema: Schema | boolean, path: string): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: not allowed`];
  if (typeof schema.$ref === 'string') return check(value, resolve(schema.$ref), path);
  if (Array.isArray(schema.anyOf)) {
    // For the message, the alternative that got furthest into the value is the likely intent.
    const depth = (errors: string[]) => Math.max(...errors.map((e) => e.split(':')[0].length));
    let best: string[] | undefined;
    for (const branch of schema.anyOf as Schema[]) {
      const errors = check(value, branch, path);
      if (errors.length === 0) return [];
      if (best === undefined || depth(errors) > depth(best)) best = errors;
    }
    return [`${path}: matches none of ${(schema.anyOf as unknown[]).length} alternatives; closest: ${best?.[0]}`];
  }
  const errors: string[] = [];
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const actual = typeOf(value);
    if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) {
      return [`${path}: expected ${types.join('|')}, got ${actual}`];
    }
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) {
    return [`${path}: expected ${JSON.stringify(schema.const)}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    return [`${path}: ${JSON.stringify(value)} not one of ${JSON.stringify(schema.enum)}`];
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) errors.push(`${path}: too few items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) errors.push(`${path}: too many items`);
    if (Array.isArray(schema.items)) {
      (schema.items as Schema[]).forEach((s, i) => i < value.length && errors.push(...check(value[i], s, `${path}[${i}]`)));
    } else if (schema.items !== undefined) {
      for (let i = 0; i < value.length && errors.length === 0; i++) {
        errors.push(...check(value[i], schema.items as Schema, `${path}[${i}]`));
      }
    }
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) {
      if (!(key in object)) errors.push(`${path}: missing ${key}`);
    }
    for (const [key, v] of Object.entries(object)) {
      if (key in properties) errors.push(...check(v, properties[key], `${path}.${key}`));
      else if (schema.additionalProperties !== undefined) {
        errors.push(...check(v, schema.additionalProperties as Schema | boolean, `${path}.${key}`));
      }
    }
  }
  return errors;
}

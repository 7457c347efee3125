/**
 * Reading the scenario schema itself, for messages and for the JSON Schema: which schemas could
 * describe the value at a path, and what they allow there (keys of a mapping, literal values,
 * the unit a string carries).
 *
 * The walk follows the input side of the schema: wrappers (default, optional, lazy, ...) are
 * looked through, a pipe is read by its input, a union offers all its options, and a `byKind`
 * node offers the kind named by the data's `dist` key (all kinds when that is not a known kind).
 */
import { z } from 'zod';
import { COUNT_EXAMPLE, DURATION_EXAMPLE, RATE_EXAMPLE, SIZE_EXAMPLE } from './units.js';

type Kinds = Record<string, z.ZodType>;

/** The kinds a `byKind` node dispatches on, from its `lagsimKinds` meta. */
export function kindsOf(schema: z.ZodType): Kinds | undefined {
  const meta = z.globalRegistry.get(schema) as { lagsimKinds?: Kinds } | undefined;
  return meta?.lagsimKinds;
}

/** The key whose value picks a `byKind` node's kind (`dist` for distributions, `type` for faults). */
export function kindKeyOf(schema: z.ZodType): string {
  const meta = z.globalRegistry.get(schema) as { lagsimKindKey?: string } | undefined;
  return meta?.lagsimKindKey ?? 'dist';
}

export type Unit = 'duration' | 'size' | 'rate' | 'count';

const UNIT_EXAMPLES: Record<string, Unit> = {
  [DURATION_EXAMPLE]: 'duration',
  [SIZE_EXAMPLE]: 'size',
  [RATE_EXAMPLE]: 'rate',
  [COUNT_EXAMPLE]: 'count',
};

/** The unit a string schema (or a pipe reading one) carries, known by its example text. */
export function unitOf(schema: z.ZodType): { unit: Unit; example: string } | undefined {
  if (schema instanceof z.ZodPipe) return unitOf(schema.in as z.ZodType);
  if (!(schema instanceof z.ZodString)) return undefined;
  const example = z.globalRegistry.get(schema)?.description;
  return example !== undefined && example in UNIT_EXAMPLES ? { unit: UNIT_EXAMPLES[example], example } : undefined;
}

function inner(schema: z.ZodType): z.ZodType | undefined {
  if (
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodNonOptional ||
    schema instanceof z.ZodReadonly ||
    schema instanceof z.ZodCatch
  ) {
    return schema.unwrap() as z.ZodType;
  }
  // Not `unwrap()`: that calls the getter again and builds new schemas; zod caches this one.
  if (schema instanceof z.ZodLazy) return schema._zod.innerType as z.ZodType;
  if (schema instanceof z.ZodPipe) return schema.in as z.ZodType;
  return undefined;
}

/**
 * The schemas `schema` stands for, once wrappers, pipes and unions are looked through; `value` is
 * the data there, used to pick a `byKind` node's kind. The `byKind` node itself is kept too, so
 * callers can see its kinds.
 */
export function expand(schema: z.ZodType, value: unknown): z.ZodType[] {
  const out: z.ZodType[] = [];
  const seen = new Set<z.ZodType>();
  const visit = (s: z.ZodType): void => {
    if (seen.has(s)) return;
    seen.add(s);
    const next = inner(s);
    if (next) return visit(next);
    if (s instanceof z.ZodUnion) return (s.options as z.ZodType[]).forEach(visit);
    out.push(s);
    const kinds = kindsOf(s);
    if (kinds) {
      const kind = isMapping(value) ? value[kindKeyOf(s)] : undefined;
      if (typeof kind === 'string' && Object.hasOwn(kinds, kind)) visit(kinds[kind]);
      else Object.values(kinds).forEach(visit);
    }
  };
  visit(schema);
  return out;
}

function child(schema: z.ZodType, segment: PropertyKey): z.ZodType | undefined {
  if (schema instanceof z.ZodObject && typeof segment === 'string') {
    return Object.hasOwn(schema.shape, segment) ? (schema.shape[segment] as z.ZodType) : undefined;
  }
  if (schema instanceof z.ZodArray && typeof segment === 'number') return schema.element as z.ZodType;
  if (schema instanceof z.ZodRecord && typeof segment === 'string') return schema.valueType as z.ZodType;
  return undefined;
}

/** The schemas that could describe the value at `path` in `data`, validated by `root`. */
export function schemasAt(root: z.ZodType, path: readonly PropertyKey[], data: unknown): z.ZodType[] {
  let value = data;
  let current = expand(root, value);
  for (const segment of path) {
    value = childValue(value, segment);
    const next = new Set<z.ZodType>();
    for (const s of current) {
      const c = child(s, segment);
      if (c) expand(c, value).forEach((e) => next.add(e));
    }
    current = [...next];
  }
  return current;
}

/** Keys a mapping described by any of `schemas` may hold, in schema order. */
export function allowedKeys(schemas: readonly z.ZodType[]): string[] {
  const keys = new Set<string>();
  for (const s of schemas) if (s instanceof z.ZodObject) Object.keys(s.shape).forEach((k) => keys.add(k));
  return [...keys];
}

/** String values that `schemas` name literally (enum options, literals), for "did you mean". */
export function allowedWords(schemas: readonly z.ZodType[]): string[] {
  const words = new Set<string>();
  for (const s of schemas) {
    const values: unknown[] = s instanceof z.ZodEnum ? s.options : s instanceof z.ZodLiteral ? [...s.values] : [];
    for (const v of values) if (typeof v === 'string') words.add(v);
  }
  return [...words];
}

/** The unit examples of the string schemas among `schemas`. */
export function unitExamples(schemas: readonly z.ZodType[]): string[] {
  const examples = new Set<string>();
  for (const s of schemas) {
    const u = unitOf(s);
    if (u) examples.add(u.example);
  }
  return [...examples];
}

export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function childValue(value: unknown, segment: PropertyKey): unknown {
  if (Array.isArray(value) && typeof segment === 'number') return value[segment];
  if (isMapping(value) && typeof segment === 'string' && Object.hasOwn(value, segment)) return value[segment];
  return undefined;
}

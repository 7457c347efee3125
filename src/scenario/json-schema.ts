/**
 * The JSON Schema of scenario files (draft-07, the draft yaml-language-server supports), generated from the same zod schema that
 * validates them, for editors: with `# yaml-language-server: $schema=../scenario.schema.json` at
 * the top of a scenario, yaml-language-server offers completion, hover text and checks.
 * `npm run schema` writes it to scenario.schema.json; a test keeps that file current.
 *
 * It describes what authors write (zod's `io: 'input'`), with three additions zod cannot make:
 * - a `byKind` node (a mapping whose `dist` key picks the schema) becomes a reference to an
 *   `anyOf` of its kinds' schemas, one `definitions` entry per kind family;
 * - strings with a unit carry the unit's example as description and a `pattern`;
 * - a default is shown as an author would write it (`linger.ms: 5`, `sample-interval: "1s"`),
 *   only when that written form reads back as the default; otherwise it is left out.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import * as schemas from './schema.js';
import { expand, kindsOf, unitOf, type Unit } from './introspect.js';
import { DURATION_PATTERN, formatDuration } from './units.js';

type JsonSchema = Record<string, unknown>;

// The patterns of units.ts's parsers, which allow surrounding blanks (they trim). A test checks
// that each pattern accepts exactly what its parser understands.
const NUMBER = '\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?';
export const UNIT_PATTERNS: Record<Unit, string> = {
  duration: DURATION_PATTERN,
  size: `^\\s*${NUMBER}\\s*(?:B|KB|MB|GB|KiB|MiB|GiB)\\s*$`,
  rate: `^\\s*${NUMBER}\\s*[kKM]?\\s*/\\s*(?:s|sec|min|m|h)\\s*$`,
  count: `^\\s*${NUMBER}\\s*[kKMG]?\\s*$`,
};

/** What unitString names its quantities (schema.ts): not a description of any key. */
const GENERIC_DESCRIPTIONS = new Set(['duration', 'size', 'rate', 'count']);

export function scenarioJsonSchema(): JsonSchema {
  const defs: Record<string, JsonSchema> = {};
  const defNames = new Map<object, string>();
  // Kind families are named after the schema.ts export that holds them (DurationDist, Keys, ...).
  const exportNames = new Map<object, string>();
  for (const [name, value] of Object.entries(schemas)) {
    if (!(value instanceof z.ZodType)) continue;
    for (const s of expand(value, undefined)) {
      const kinds = kindsOf(s);
      if (kinds && !exportNames.has(kinds)) exportNames.set(kinds, name);
    }
  }

  const options = {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }: { zodSchema: unknown; jsonSchema: JsonSchema }) => {
      const schema = zodSchema as z.ZodType;
      const kinds = kindsOf(schema);
      if (kinds) {
        delete jsonSchema.lagsimKinds;
        delete jsonSchema.lagsimKindKey;
        jsonSchema.$ref = `#/definitions/${defineKinds(kinds)}`;
        return;
      }
      const unit = unitOf(schema);
      if (unit) {
        // A description of the key's own (what it is, its default) comes first, then the unit's example.
        const own = z.globalRegistry.get(schema)?.description;
        jsonSchema.description = own !== undefined && !GENERIC_DESCRIPTIONS.has(own) && own !== unit.example ? `${own}; ${unit.example}` : unit.example;
        jsonSchema.pattern = UNIT_PATTERNS[unit.unit];
      }
      if (schema instanceof z.ZodDefault && !('default' in jsonSchema)) {
        const written = writtenDefault(schema);
        if (written !== undefined) jsonSchema.default = written;
      }
    },
  } as const;

  const defineKinds = (kinds: Record<string, z.ZodType>): string => {
    const known = defNames.get(kinds);
    if (known) return known;
    const name = exportNames.get(kinds) ?? `Kinds${defNames.size}`;
    // Named before its kinds are generated, so a kind that nests its own family (a mixture of
    // distributions) refers back to this entry instead of recursing.
    defNames.set(kinds, name);
    defs[name] = {
      anyOf: Object.values(kinds).map((kind) => {
        const { $schema: _, ...body } = z.toJSONSchema(kind, options) as JsonSchema;
        if ('definitions' in body || '$defs' in body) throw new Error(`scenario JSON Schema: the ${name} kinds need definitions of their own`);
        return body;
      }),
    };
    return name;
  };

  const { $schema, ...body } = z.toJSONSchema(schemas.Scenario, options) as JsonSchema;
  // The kind families are the only definitions; zod's own would be overwritten below.
  if ('definitions' in body) throw new Error('scenario JSON Schema: zod made definitions of its own');
  return {
    $schema,
    title: 'lagsim scenario',
    description: 'A lagsim scenario: a Kafka pipeline and its traffic. Generated from src/scenario/schema.ts by `npm run schema`; do not edit.',
    ...body,
    definitions: defs,
  };
}

/** The file `npm run schema` writes, byte for byte. */
export function renderScenarioJsonSchema(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

/**
 * A default in the form an author writes it. Defaults are stored parsed (microseconds, say), so
 * the stored value, the value in milliseconds and a duration with a unit (and for a constant
 * distribution, its value) are tried in turn; the first that parses back to the stored value is
 * the written form.
 */
function writtenDefault(schema: z.ZodDefault<z.core.$ZodType>): unknown {
  const value: unknown = schema.def.defaultValue;
  const forms: unknown[] = [value];
  if (typeof value === 'number') forms.push(value / 1000, formatDuration(value));
  // A constant distribution is written as its value: `produce-latency: 2ms`.
  const constant = isConstantDist(value) ? value.value : undefined;
  if (constant !== undefined) forms.push(formatDuration(constant), constant);
  const inner = schema.unwrap() as z.ZodType;
  for (const form of forms) {
    const r = inner.safeParse(form);
    if (r.success && isDeepStrictEqual(r.data, value)) return form;
  }
  return undefined;
}

function isConstantDist(v: unknown): v is { dist: 'constant'; value: number } {
  const d = v as { dist?: unknown; value?: unknown } | null;
  return typeof d === 'object' && d !== null && d.dist === 'constant' && typeof d.value === 'number';
}

#!/usr/bin/env node
// Writes scenario.schema.json (the JSON Schema editors use for scenario files) from the zod
// schema in src/scenario/schema.ts. Run it after changing the schema: `npm run schema`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const { renderScenarioJsonSchema } = await import('../src/scenario/json-schema.ts');
const out = fileURLToPath(new URL('../scenario.schema.json', import.meta.url));
writeFileSync(out, renderScenarioJsonSchema());
process.stdout.write(`wrote ${out}\n`);

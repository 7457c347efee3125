/**
 * Golden outputs: every scenario in scenarios/ gives exactly the committed summary.json.
 * A change in the model that moves any figure fails here; if the change is meant, regenerate
 * with `npm run golden` and review the diff like code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/model/simulate.js';
import { summaryJson } from '../../src/report/index.js';

const root = path.resolve(import.meta.dirname, '../..');
const scenarios = readdirSync(path.join(root, 'scenarios')).filter((f) => f.endsWith('.yaml')).sort();

describe('golden summary.json per scenario', () => {
  it('covers every scenario', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(3);
    for (const f of scenarios) {
      const name = loadScenario(path.join(root, 'scenarios', f)).name;
      expect(readdirSync(path.join(root, 'test/golden')), `no golden for ${f}; run npm run golden`).toContain(`${name}.summary.json`);
    }
  });

  it.each(scenarios)('%s', (f) => {
    const scenario = loadScenario(path.join(root, 'scenarios', f));
    const actual = summaryJson(simulate(scenario));
    const expected = readFileSync(path.join(root, 'test/golden', `${scenario.name}.summary.json`), 'utf8');
    expect(actual).toBe(expected);
  }, 120_000);
});

/**
 * `npm run golden:v2 [-- REV] [--at REV2]`: checks that the v2 goldens (test/golden/*.summary.json, keyed by
 * topic, group and service) hold every figure of the v1 goldens at REV (default: 7539637, the
 * last commit with v1 results), each at its new path. Every v1 leaf is mapped (summary paths
 * through metrics/figures.ts, the scenario's topic, partitions, group and consumers to the
 * topology) and compared exactly; any v1 leaf with no v2 home, or any difference, fails.
 *
 * `npm run golden:v2 -- --against DIR` does the same for every scenario in scenarios/ and every
 * variant it declares, running each through the v1 build in DIR (a checkout of REV with
 * `npm run build` done) and through this one.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveFigure, valueAt } from '../metrics/figures.js';
import type { Topology } from '../metrics/result.js';

const V1_REV = '7539637';

type Leaf = [path: string, value: unknown];

function leaves(value: unknown, prefix: string, out: Leaf[] = []): Leaf[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    // An empty object (no loss reason) is a leaf of its own: it must be empty in v2 too.
    if (entries.length === 0) out.push([prefix, value]);
    for (const [k, v] of entries) leaves(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else {
    out.push([prefix, value]);
  }
  return out;
}

/** Where a v1 summary.json leaf lives in a v2 summary.json. */
function v2Path(v1: string, topology: Topology): string {
  const topic = Object.keys(topology.topics)[0];
  const group = Object.keys(topology.groups)[0];
  const moved: Record<string, string> = {
    'scenario.topic': `topology.groups.${group}.topic`,
    'scenario.partitions': `topology.topics.${topic}.partitions`,
    'scenario.group': `topology.groups.${group}`,
    'scenario.consumers': `topology.groups.${group}.instances`,
  };
  if (moved[v1] !== undefined) return moved[v1];
  if (v1.startsWith('summary.')) return `summary.${resolveFigure(v1.slice('summary.'.length), topology)}`;
  return v1;
}

/**
 * `at`: read the v2 goldens at that commit instead of the work tree (the restructuring itself is
 * 06faab9; later commits may move figures on purpose and regenerate the goldens).
 */
export function checkGoldensV2(root: string, rev = V1_REV, at?: string): { lines: string[]; failures: number } {
  const show = (commit: string, file: string) => execFileSync('git', ['show', `${commit}:test/golden/${file}`], { cwd: root, encoding: 'utf8' });
  const dir = path.join(root, 'test/golden');
  const lines: string[] = [];
  let failures = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.summary.json')).sort()) {
    const v2Text = at === undefined ? readFileSync(path.join(dir, file), 'utf8') : show(at, file);
    const r = compareTexts(file, show(rev, file), v2Text);
    lines.push(...r.lines);
    failures += r.failures;
  }
  return { lines, failures };
}

/** Compares one v1 summary.json text with one v2 text, leaf by leaf; returns the lines and the failures. */
function compareTexts(label: string, v1Text: string, v2Text: string): { lines: string[]; failures: number } {
  const v2 = JSON.parse(v2Text) as { topology: Topology };
  const lines: string[] = [];
  let failures = 0;
  let same = 0;
  for (const [p, value] of leaves(JSON.parse(v1Text), '')) {
    const to = v2Path(p, v2.topology);
    // scenario.group names the group: the key itself in v2.
    const found = p === 'scenario.group' ? (valueAt(v2, to) !== undefined ? value : undefined) : valueAt(v2, to);
    if (JSON.stringify(found) === JSON.stringify(value)) same++;
    else {
      failures++;
      lines.push(`  ${label}  ${p} -> ${to}  v1 ${JSON.stringify(value)}  v2 ${JSON.stringify(found)}  DIFFERENT`);
    }
  }
  lines.push(`${label}: ${same} of ${same + failures} v1 figures unchanged at their v2 paths`);
  return { lines, failures };
}

/** Every scenario and variant through the v1 build in `dir` and through this one. */
async function checkAgainst(root: string, dir: string): Promise<{ lines: string[]; failures: number }> {
  const { pathToFileURL } = await import('node:url');
  const old = async (f: string) => import(pathToFileURL(path.join(dir, 'dist/src', f)).href);
  const oldLoad = await old('scenario/load.js');
  const oldModel = await old('model/pipeline.js');
  const oldReport = await old('report/index.js');
  const { loadScenario, listVariants } = await import('../scenario/load.js');
  const { simulate } = await import('../model/simulate.js');
  const { summaryJson } = await import('../report/index.js');
  const lines: string[] = [];
  let failures = 0;
  const dirScenarios = path.join(root, 'scenarios');
  for (const f of readdirSync(dirScenarios).filter((x) => x.endsWith('.yaml')).sort()) {
    const file = path.join(dirScenarios, f);
    for (const variant of [undefined, ...listVariants(file)]) {
      const options = variant === undefined ? {} : { variant };
      const v1 = oldReport.summaryJson(oldModel.simulate(oldLoad.loadScenario(file, options))) as string;
      const v2 = summaryJson(simulate(loadScenario(file, options)));
      const r = compareTexts(variant === undefined ? f : `${f} variant ${variant}`, v1, v2);
      lines.push(...r.lines);
      failures += r.failures;
    }
  }
  return { lines, failures };
}

export async function main(args: string[]): Promise<number> {
  const root = path.resolve(import.meta.dirname, '../..');
  const against = args.indexOf('--against');
  const at = args.indexOf('--at');
  const rev = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1].startsWith('--')));
  const { lines, failures } =
    against >= 0 ? await checkAgainst(root, path.resolve(args[against + 1])) : checkGoldensV2(root, rev, at >= 0 ? args[at + 1] : undefined);
  process.stdout.write(lines.join('\n') + '\n');
  process.stdout.write(failures === 0 ? 'every v1 figure is unchanged at its v2 path\n' : `${failures} v1 figures differ or are missing\n`);
  return failures === 0 ? 0 : 1;
}

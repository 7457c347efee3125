/**
 * `npm run golden:v2 [-- REV]`: checks that the v2 goldens (test/golden/*.summary.json, keyed by
 * topic, group and service) hold every figure of the v1 goldens at REV (default: 7539637, the
 * last commit with v1 results), each at its new path. Every v1 leaf is mapped (summary paths
 * through metrics/figures.ts, the scenario's topic, partitions, group and consumers to the
 * topology) and compared exactly; any v1 leaf with no v2 home, or any difference, fails.
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

export function checkGoldensV2(root: string, rev = V1_REV): { lines: string[]; failures: number } {
  const dir = path.join(root, 'test/golden');
  const lines: string[] = [];
  let failures = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.summary.json')).sort()) {
    const v2 = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { topology: Topology };
    const v1 = JSON.parse(execFileSync('git', ['show', `${rev}:test/golden/${file}`], { cwd: root, encoding: 'utf8' })) as unknown;
    let same = 0;
    for (const [p, value] of leaves(v1, '')) {
      const to = v2Path(p, v2.topology);
      // scenario.group names the group: the key itself in v2.
      const found = p === 'scenario.group' ? (valueAt(v2, to) !== undefined ? value : undefined) : valueAt(v2, to);
      if (JSON.stringify(found) === JSON.stringify(value)) {
        same++;
        lines.push(`  ${file}  ${p} -> ${to}  ${JSON.stringify(value)}  ok`);
      } else {
        failures++;
        lines.push(`  ${file}  ${p} -> ${to}  v1 ${JSON.stringify(value)}  v2 ${JSON.stringify(found)}  DIFFERENT`);
      }
    }
    lines.push(`${file}: ${same} of ${same + lines.filter((l) => l.includes(file) && l.endsWith('DIFFERENT')).length} v1 figures found unchanged at their v2 paths`);
  }
  return { lines, failures };
}

export function main(args: string[]): number {
  const root = path.resolve(import.meta.dirname, '../..');
  const { lines, failures } = checkGoldensV2(root, args[0]);
  process.stdout.write(lines.join('\n') + '\n');
  process.stdout.write(failures === 0 ? 'every v1 figure is unchanged at its v2 path\n' : `${failures} v1 figures differ or are missing\n`);
  return failures === 0 ? 0 : 1;
}

/**
 * Writers over one report, and a run stopped by a signal (issue 21, items 12 and 13): whoever
 * writes last wins, nobody fails for the other, and nothing is left beside the output folder.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { replaceDirectory } from '../../src/report/atomic.js';

const root = path.resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lagsim-writers-'));

const report = (tag: string) => [
  { name: 'report.md', content: `# ${tag}\n` },
  ...Array.from({ length: 40 }, (_, i) => ({ name: `chart-${i}.svg`, content: `<svg>${tag} ${i}</svg>`.repeat(200) })),
];

const leftovers = (dir: string) => readdirSync(dir).filter((n) => /\.(tmp|old)-/.test(n));

describe('several writers over one report', () => {
  it('all succeed, the folder holds one whole report, and nothing is left aside', async () => {
    const out = path.join(tmp, 'shared');
    await replaceDirectory(out, report('first'));
    for (let round = 0; round < 15; round++) {
      const tags = ['a', 'b', 'c', 'd'].map((t) => `${t}${round}`);
      await Promise.all(tags.map((t) => replaceDirectory(out, report(t))));
      const tag = readFileSync(path.join(out, 'report.md'), 'utf8').slice(2, -1);
      expect(tags).toContain(tag);
      // One writer's report, whole: every file is that writer's.
      for (const f of readdirSync(out)) if (f !== 'report.md') expect(readFileSync(path.join(out, f), 'utf8')).toContain(`${tag} `);
      expect(readdirSync(out)).toHaveLength(41);
      expect(leftovers(tmp)).toEqual([]);
    }
  });
});

describe('a run stopped by a signal', () => {
  // Long enough to be stopped at any point: loading, simulating, rendering or writing the report.
  const file = path.join(tmp, 'stopped.yaml');
  writeFileSync(
    file,
    `name: stopped
duration: 60s
topics: [{ name: t, partitions: 8 }]
producers: [{ name: p, topic: t, rate: 20k/s }]
consumer-groups: [{ name: g, topic: t, instances: 2, processing: { per-record: 40us } }]
`,
  );

  it.each([
    ['SIGINT', 130, 400],
    ['SIGTERM', 143, 900],
    ['SIGINT', 130, 1500],
    ['SIGTERM', 143, 2500],
  ] as const)('%s (exit %s) after %s ms leaves no staging folder, or the run finished first', async (signal, code, after) => {
    const parent = mkdtempSync(path.join(tmp, 'sig-'));
    const child = spawn(process.execPath, [path.join(root, 'bin/sim.js'), file, '--quiet', '--jobs', '1', '--out', path.join(parent, 'out')], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    await new Promise((r) => setTimeout(r, after));
    child.kill(signal);
    const status = await exited;
    // Stopped: the signal's code; or it had finished first: 0 with a whole report.
    expect([code, 0, null]).toContain(status);
    expect(leftovers(parent)).toEqual([]);
    const out = readdirSync(parent);
    if (out.includes('out')) expect(readdirSync(path.join(parent, 'out'))).toContain('report.md');
  }, 60_000);

  it.each(['SIGINT', 'SIGTERM'] as const)('%s while the report is being staged removes the staging folder', async (signal) => {
    const parent = mkdtempSync(path.join(tmp, 'staged-'));
    const child = spawn(process.execPath, [path.join(root, 'bin/sim.js'), file, '--quiet', '--jobs', '1', '--out', path.join(parent, 'out')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let done = false;
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (c) => {
        done = true;
        resolve(c);
      }),
    );
    // Watch for the staging folder and stop the run the moment it appears.
    let caught = false;
    while (!done && !caught) {
      if (leftovers(parent).length > 0) {
        caught = child.kill(signal);
        break;
      }
      await new Promise((r) => setImmediate(r));
    }
    const status = await exited;
    expect(leftovers(parent), `caught ${caught}, exit ${status}, stderr ${stderr}`).toEqual([]);
    // The watch can lose the race to a fast write; when it won, the run stopped with the signal's code.
    if (caught) expect([signal === 'SIGINT' ? 130 : 143, 0]).toContain(status);
  }, 60_000);
});

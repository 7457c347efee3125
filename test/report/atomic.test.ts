/**
 * A failure while the report is being written must leave the previous report as it was and no
 * temporary directory behind. The failure is injected by making node:fs/promises' writeFile fail
 * on a chosen call, after some files have already been written.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const failure = vi.hoisted(() => ({ failOnCall: 0, calls: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile: typeof real.writeFile = async (...args) => {
    failure.calls++;
    if (failure.failOnCall > 0 && failure.calls === failure.failOnCall) throw new Error('disk full (injected)');
    return real.writeFile(...args);
  };
  return { ...real, default: { ...real, writeFile }, writeFile };
});

const { writeReport } = await import('../../src/report/index.js');
const { makeRunResult } = await import('./fixture.js');

const scratch = await mkdtemp(path.join(tmpdir(), 'lagsim-atomic-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('a failure mid-write', { timeout: 60_000 }, () => {
  it('leaves the previous report intact and removes the temporary directory', async () => {
    const out = path.join(scratch, 'report');
    const before = await writeReport(makeRunResult({ title: 'Before' }), out);
    const md = await readFile(path.join(out, 'report.md'), 'utf8');

    failure.calls = 0;
    failure.failOnCall = 7;
    await expect(writeReport(makeRunResult({ title: 'After', services: [] }), out)).rejects.toThrow(
      'disk full (injected)',
    );
    expect(failure.calls).toBeGreaterThan(7); // others were written before the failure surfaced
    failure.failOnCall = 0;

    expect((await readdir(out)).sort()).toEqual([...before].sort());
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toBe(md);
    expect(await readdir(scratch)).toEqual(['report']);
  });
});

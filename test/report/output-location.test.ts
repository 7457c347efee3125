/**
 * Where a report may go (report/atomic.ts): refused up front when it cannot be written, and a
 * failed write leaves no folder it made on the way.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputDirectory, replaceDirectory, ReportDirectoryError } from '../../src/report/atomic.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'lagsim-out-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('checkOutputDirectory', () => {
  it('accepts a new folder, an empty one and one under folders still to be made', () => {
    mkdirSync(path.join(scratch, 'empty'));
    expect(() => checkOutputDirectory(path.join(scratch, 'new'))).not.toThrow();
    expect(() => checkOutputDirectory(path.join(scratch, 'empty'))).not.toThrow();
    expect(() => checkOutputDirectory(path.join(scratch, 'a', 'b', 'c'))).not.toThrow();
  });

  it('refuses a file, a folder under a file, a symbolic link and a name too long to stage', () => {
    writeFileSync(path.join(scratch, 'file'), 'x');
    symlinkSync(path.join(scratch, 'empty'), path.join(scratch, 'link'));
    for (const [out, reason] of [
      ['file', /it exists and is not a directory/],
      [path.join('file', 'a', 'b'), /file is a file, not a folder/],
      ['link', /it is a symbolic link/],
      ['x'.repeat(250), /its name is longer than 243 bytes/],
    ] as const) {
      expect(() => checkOutputDirectory(path.join(scratch, out))).toThrow(ReportDirectoryError);
      expect(() => checkOutputDirectory(path.join(scratch, out))).toThrow(reason);
    }
  });
});

describe('replaceDirectory', () => {
  it('removes the folders it made on the way when the report cannot be written', async () => {
    const before = readdirSync(scratch).sort();
    // A file name with a folder in it cannot be written into the staging folder.
    await expect(replaceDirectory(path.join(scratch, 'made', 'on', 'the-way', 'out'), [{ name: 'no/such/dir', content: 'x' }])).rejects.toThrow();
    expect(readdirSync(scratch).sort()).toEqual(before);
  });

  it('leaves a folder that was there before', async () => {
    mkdirSync(path.join(scratch, 'kept'));
    await expect(replaceDirectory(path.join(scratch, 'kept', 'out'), [{ name: 'no/such/dir', content: 'x' }])).rejects.toThrow();
    expect(readdirSync(path.join(scratch, 'kept'))).toEqual([]);
  });
});

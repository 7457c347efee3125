/**
 * Writing a report directory so that readers only ever see a whole report: everything goes into a
 * temporary sibling directory, which then replaces the output directory by rename. A failure
 * leaves the previous report as it was and removes the temporary directory.
 *
 * Replacing is a rename of the old directory aside and of the new one into place (Node has no
 * atomic directory exchange), so for an instant neither exists; a reader never sees a mix.
 *
 * `checkOutputDirectory` says up front whether a folder can take a report (the CLI asks before
 * simulating, so a mistake in `--out` costs nothing): not a file, not a symbolic link, not under
 * a file, a name short enough to stage beside. Folders made on the way to the output are removed
 * again if the report cannot be written, so a failure leaves nothing new behind.
 */
import { lstatSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface OutputFile {
  name: string;
  content: string | Uint8Array;
}

/** The output directory exists but does not look like a report we may replace. */
export class ReportDirectoryError extends Error {
  constructor(
    readonly directory: string,
    reason: string,
  ) {
    super(`cannot write the report to ${directory}: ${reason}`);
    this.name = 'ReportDirectoryError';
  }
}

/** The file that marks a directory as an earlier report, which may be replaced. */
const REPORT_MARKER = 'report.md';

/** The longest file name most file systems take (ext4, APFS, NTFS: 255 bytes or UTF-16 units). */
const MAX_NAME_BYTES = 255;
/** What staging adds to the output folder's name: `.` before, `.tmp-XXXXXX` or `.old-XXXXXX` after. */
const STAGING_EXTRA = '..tmp-XXXXXX'.length;

/**
 * Throws a ReportDirectoryError if `outDir` cannot take a report: it is a file or a symbolic
 * link, a folder on the way to it is a file, or its name is too long to stage the report beside.
 * A folder that exists must also be empty or an earlier report (checked again when writing).
 */
export function checkOutputDirectory(outDir: string): void {
  const target = path.resolve(outDir);
  const base = path.basename(target);
  if (Buffer.byteLength(base, 'utf8') + STAGING_EXTRA > MAX_NAME_BYTES) {
    throw new ReportDirectoryError(target, `its name is longer than ${MAX_NAME_BYTES - STAGING_EXTRA} bytes, too long to stage the report beside it`);
  }
  const link = lstatOrUndefined(target);
  if (link?.isSymbolicLink()) throw new ReportDirectoryError(target, 'it is a symbolic link: give the folder itself');
  if (link !== undefined && !link.isDirectory()) throw new ReportDirectoryError(target, 'it exists and is not a directory');
  // The nearest folder on the way that exists must be a folder (or a link to one) to create the rest in.
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    const found = statOrUndefined(dir);
    if (found !== undefined) {
      if (!found.isDirectory()) throw new ReportDirectoryError(target, `${dir} is a file, not a folder`);
      break;
    }
    if (dir === path.dirname(dir)) break;
  }
}

function lstatOrUndefined(file: string) {
  try {
    return lstatSync(file);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function statOrUndefined(file: string) {
  try {
    return statSync(file);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Replaces `outDir` with a directory holding exactly `files`. An existing `outDir` is replaced
 * only if it is empty or holds a report.md: `--out .` by mistake must not delete a working tree.
 */
export async function replaceDirectory(outDir: string, files: readonly OutputFile[]): Promise<void> {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  checkOutputDirectory(target);
  await checkReplaceable(target);
  // The first folder mkdir creates, if any: removed again (with those under it, while empty) on failure.
  const created = await mkdir(parent, { recursive: true });
  let staging: string;
  try {
    staging = await mkdtemp(path.join(parent, `.${base}.tmp-`));
  } catch (error) {
    await removeEmpty(parent, created);
    throw error;
  }
  try {
    // Settle every write before giving up, so none is still creating a file while staging is removed.
    const writes = await Promise.allSettled(files.map((f) => writeFile(path.join(staging, f.name), f.content)));
    const failed = writes.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    await swapIn(staging, target, parent, base);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    await removeEmpty(parent, created);
    throw error;
  }
}

/** Removes `dir` and its parents up to `top` (made by this write), each only if empty. */
async function removeEmpty(dir: string, top: string | undefined): Promise<void> {
  if (top === undefined) return;
  for (let d = dir; d.startsWith(top); d = path.dirname(d)) {
    try {
      await rmdir(d);
    } catch {
      return; // not empty (someone else wrote there) or already gone: leave it
    }
    if (d === top) return;
  }
}

async function checkReplaceable(target: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(target)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!isDirectory) throw new ReportDirectoryError(target, 'it exists and is not a directory');
  const entries = await readdir(target);
  if (entries.length > 0 && !entries.includes(REPORT_MARKER)) {
    throw new ReportDirectoryError(
      target,
      `it is not empty and holds no ${REPORT_MARKER}, so it is not an earlier report; refusing to replace it`,
    );
  }
}

async function swapIn(staging: string, target: string, parent: string, base: string): Promise<void> {
  try {
    await rename(staging, target);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EISDIR') throw error;
  }
  // An earlier report is in the way: move it aside, move the new one in, then delete the old one.
  const aside = await mkdtemp(path.join(parent, `.${base}.old-`));
  await rename(target, aside);
  try {
    await rename(staging, target);
  } catch (error) {
    await rename(aside, target);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}

/**
 * Writing a report directory so that readers only ever see a whole report: everything goes into a
 * temporary sibling directory, which then replaces the output directory by rename. A failure
 * leaves the previous report as it was and removes the temporary directory.
 *
 * Replacing is a rename of the old directory aside and of the new one into place (Node has no
 * atomic directory exchange), so for an instant neither exists; a reader never sees a mix.
 */
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
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

/**
 * Replaces `outDir` with a directory holding exactly `files`. An existing `outDir` is replaced
 * only if it is empty or holds a report.md: `--out .` by mistake must not delete a working tree.
 */
export async function replaceDirectory(outDir: string, files: readonly OutputFile[]): Promise<void> {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  await checkReplaceable(target);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(path.join(parent, `.${base}.tmp-`));
  try {
    // Settle every write before giving up, so none is still creating a file while staging is removed.
    const writes = await Promise.allSettled(files.map((f) => writeFile(path.join(staging, f.name), f.content)));
    const failed = writes.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    await swapIn(staging, target, parent, base);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
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

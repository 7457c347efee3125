/**
 * Writing a report directory so that readers only ever see a whole report: everything goes into a
 * temporary sibling directory, which then replaces the output directory by rename. A failure
 * leaves the previous report as it was and removes the temporary directory.
 *
 * Replacing is a rename of the old directory aside and of the new one into place (Node has no
 * atomic directory exchange), so for an instant neither exists; a reader never sees a mix.
 *
 * Several writers over one report (two runs with the same --out) never fail for each other and
 * never leave an old report aside: the last to swap in wins, and each retries a swap another
 * writer got in the way of. A process stopped by a signal while staging removes what it staged
 * (`removeStagingSync`, called by the CLI's signal handler), so an interrupted run leaves nothing.
 *
 * `checkOutputDirectory` says up front whether a folder can take a report (the CLI asks before
 * simulating, so a mistake in `--out` costs nothing): not a file, not a symbolic link, not under
 * a file, a name short enough to stage beside. Folders made on the way to the output are removed
 * again if the report cannot be written, so a failure leaves nothing new behind.
 */
import { lstatSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A file of a report, whole in memory: its text or its bytes. */
export interface OutputFile {
  name: string;
  content: string | Uint8Array;
}

/** A file to write: whole, or its text in chunks made as the file is written (a long run's CSV). */
export interface StagedFile {
  name: string;
  content: string | Uint8Array | Iterable<string>;
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

/**
 * Staging and set-aside folders this process has made and not yet removed or swapped in: what a
 * signal handler must remove before the process exits. Process-wide by nature (a signal stops
 * the whole process), and only ever read by removeStagingSync.
 */
const inProgress = new Set<string>();

/** What to do as the first staging folder appears and as the last one goes (guardStaging). */
let guard: { armed(): void; disarmed(): void } | null = null;

/**
 * Tells `armed` when this process starts staging (the first folder appears) and `disarmed` when
 * it stops (the last is gone). The CLI arms its signal handlers then and only then: a handler
 * installed for the whole run would keep a signal from stopping a simulation (synchronous work,
 * during which no handler can run) until it had finished.
 */
export function guardStaging(g: { armed(): void; disarmed(): void }): void {
  guard = g;
}

function track(dir: string): void {
  if (inProgress.size === 0) guard?.armed();
  inProgress.add(dir);
}

function untrack(dir: string): void {
  if (inProgress.delete(dir) && inProgress.size === 0) guard?.disarmed();
}

/**
 * Makes a new folder `<parent>/.<base>.<kind>-XXXXXX` and returns its path. The name is in
 * `inProgress` before the folder exists, so a signal that lands while it is being made still
 * finds it (mkdtemp would name it only once made).
 */
async function makeScratch(parent: string, base: string, kind: 'tmp' | 'old'): Promise<string> {
  for (;;) {
    const dir = path.join(parent, `.${base}.${kind}-${randomBytes(3).toString('hex')}`);
    track(dir);
    try {
      await mkdir(dir);
      return dir;
    } catch (error) {
      untrack(dir);
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** Removes every staging or set-aside folder this process is in the middle of (for a signal handler: synchronous). */
export function removeStagingSync(): void {
  // Writes already queued on libuv's thread pool go on landing while this thread waits, and a
  // file created after the folder was listed makes its removal fail (ENOTEMPTY): wait a little
  // and remove again, for up to ~5 s, rather than fail inside a signal handler and leave it.
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const dir of inProgress) {
    for (let attempt = 1; ; attempt++) {
      try {
        rmSync(dir, { recursive: true, force: true });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || attempt >= 250) throw error;
        Atomics.wait(pause, 0, 0, 20);
      }
    }
  }
  for (const dir of [...inProgress]) untrack(dir);
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
export async function replaceDirectory(outDir: string, files: readonly StagedFile[]): Promise<void> {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  checkOutputDirectory(target);
  await checkReplaceable(target);
  // The first folder mkdir creates, if any: removed again (with those under it, while empty) on failure.
  const created = await mkdir(parent, { recursive: true });
  let staging: string;
  try {
    staging = await makeScratch(parent, base, 'tmp');
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
  } finally {
    untrack(staging);
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

/** A rename failed because a directory is where it goes (another writer's report, or ours). */
function inTheWay(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EISDIR';
}

/** How many times a writer retries a swap that another writer got in the way of. */
const SWAP_ATTEMPTS = 20;

async function swapIn(staging: string, target: string, parent: string, base: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await rename(staging, target);
      return;
    } catch (error) {
      if (!inTheWay(error) || attempt >= SWAP_ATTEMPTS) throw error;
    }
    // A report is in the way: move it aside, move ours in, then delete the one set aside.
    const aside = await makeScratch(parent, base, 'old');
    // Set when the earlier report could not be put back: then it is left aside, not deleted.
    let keep = false;
    try {
      try {
        await rename(target, aside);
      } catch (error) {
        // Another writer moved it first (ENOENT) or put its own there meanwhile: try again.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || inTheWay(error)) continue;
        throw error;
      }
      try {
        await rename(staging, target);
      } catch (error) {
        // Another writer's report got in first: the one set aside is older than both, so it goes.
        if (inTheWay(error)) continue;
        await rename(aside, target).catch(() => {
          keep = true;
        });
        throw error;
      }
      return;
    } finally {
      untrack(aside);
      if (!keep) await rm(aside, { recursive: true, force: true });
    }
  }
}

/**
 * A single output file the CLI was asked for (`--junit FILE`, `--openmetrics FILE`) that cannot be
 * written: said on stderr, exit 2. The message starts with the option and the file.
 */
export class OutputFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputFileError';
  }
}

/**
 * Checks before anything is simulated that `file` can be written as `option`'s output: a name,
 * not a folder, and under no file (missing folders above it are made when it is written).
 * `example` is the file name suggested when a folder is given.
 */
export function checkOutputFile(option: string, file: string, example: string): void {
  if (file === '') throw new OutputFileError(`${option}: expected a file name, got ""`);
  const stat = statOf(option, file);
  if (stat?.isDirectory()) throw new OutputFileError(`${option} ${file}: is a folder; give a file name, like ${path.join(file, example)}`);
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    const above = statOf(option, dir);
    if (above !== undefined) {
      if (!above.isDirectory()) throw new OutputFileError(`${option} ${file}: ${dir} is a file, not a folder`);
      return;
    }
    if (dir === path.dirname(dir)) return;
  }
}

/** What is at `p`, or undefined when nothing is (or a file stands where a folder above it should be). */
function statOf(option: string, p: string) {
  try {
    return statSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new OutputFileError(`${option} ${p}: cannot look at it: ${code ?? (err as Error).message}`);
  }
}

/**
 * Writes `content` to `file` in one step: staged beside it and renamed into place, so a reader
 * never sees half of it and a failure leaves the earlier file as it was. Folders above it are made.
 */
export function writeOutputFile(option: string, file: string, content: string): void {
  const staged = `${file}.tmp-${process.pid}`;
  try {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileSync(staged, content);
    renameSync(staged, file);
  } catch (err) {
    try {
      rmSync(staged, { force: true });
    } catch {
      // Nothing was staged, or it cannot be removed either: the error below says why.
    }
    throw new OutputFileError(`${option} ${file}: cannot write it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

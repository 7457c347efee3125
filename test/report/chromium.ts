/**
 * Opens a page in headless Chromium (Debian's `chromium` package) and returns the DOM after its
 * scripts ran, and every console message. No DevTools protocol, no npm package: `--dump-dom`
 * prints the DOM once the page is idle (virtual time lets every pending promise and timer run),
 * and `--enable-logging=stderr` prints each console message as an `INFO:CONSOLE` line.
 *
 * Which browser: $CHROMIUM if set, else `chromium`, `chromium-browser` or `google-chrome` on the
 * PATH. Where none is found, the browser tests skip with a message, unless CI or
 * LAGSIM_REQUIRE_CHROMIUM is set (.ci/run sets it and installs chromium first): then they fail.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      const candidate = path.join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** True where a missing browser must fail the tests rather than skip them. */
export function chromiumRequired(): boolean {
  const set = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
  return set(process.env.CI) || set(process.env.LAGSIM_REQUIRE_CHROMIUM);
}

export interface LoadedPage {
  dom: string;
  /** Console messages (any level) and uncaught errors, as Chromium logged them. */
  console: string[];
}

export async function loadInChromium(chromium: string, file: string): Promise<LoadedPage> {
  const profile = await mkdtemp(path.join(tmpdir(), 'lagsim-chromium-'));
  try {
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--enable-logging=stderr',
      '--v=0',
      '--virtual-time-budget=30000',
      '--dump-dom',
      pathToFileURL(file).href,
    ];
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(chromium, args, { timeout: 120_000, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${chromium} failed: ${error.message}\n${stderr.slice(-2000)}`));
        else resolve({ stdout, stderr });
      });
    });
    const console = stderr.split('\n').filter((line) => line.includes(':CONSOLE'));
    return { dom: stdout, console };
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

export interface RenderedChart {
  /** The container's data-rendered attribute: "true", "failed", or undefined if never settled. */
  rendered: string | undefined;
  /** Data marks drawn: paths of line, area, rect and symbol marks with a non-empty outline. */
  marks: number;
}

/** Each chart container of a dumped page, by its data-chart name. */
export function chartsInDom(dom: string): Map<string, RenderedChart> {
  const charts = new Map<string, RenderedChart>();
  const parts = dom.split(/<div class="view" data-chart="/).slice(1);
  for (const part of parts) {
    const name = part.slice(0, part.indexOf('"'));
    const content = part.slice(0, part.search(/<\/section>/));
    const rendered = /data-rendered="([a-z]+)"/.exec(content.slice(0, content.indexOf('>')))?.[1];
    const marks = [...content.matchAll(/<g class="mark-(?:line|area|rect|symbol) role-mark[^"]*"[^>]*>((?:<path[^>]*>(?:<\/path>)?)+)/g)]
      .map((m) => (m[1].match(/<path[^>]* d="M/g) ?? []).length)
      .reduce((a, b) => a + b, 0);
    charts.set(name, { rendered, marks });
  }
  return charts;
}

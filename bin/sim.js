#!/usr/bin/env node
// The `lagsim` command (`sim` is the same command under its older name).
//
// Installed from npm, the package holds the compiled CLI in dist/ and no sources: that is what
// runs, with no TypeScript runtime. In a clone (src/ beside dist/), the build `npm ci` made
// through the prepare script runs when it is newer than every source file, which saves the
// ~0.6 s that compiling TypeScript on the fly costs at start-up; otherwise the sources run
// through tsx (a devDependency). Either way what runs is never older than src/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist', 'src', 'cli', 'main.js');
const sources = path.join(root, 'src');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

let cli;
if (existsSync(built) && (!existsSync(sources) || statSync(built).mtimeMs >= newest(sources))) {
  ({ cli } = await import(pathToFileURL(built).href));
} else if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ cli } = await import('../src/cli/main.ts'));
} else {
  process.stderr.write(`lagsim: ${built} is missing: this installation of lagsim is incomplete; reinstall it\n`);
  process.exit(2);
}
await cli();

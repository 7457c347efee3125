/**
 * argv.ts reads a plain run's command line without yargs: whatever it accepts, yargs must read
 * the same way, and whatever it cannot be sure of it must leave to yargs.
 */
import { describe, expect, it } from 'vitest';
import { plainRunArgs, type RunArgs } from '../../src/cli/argv.js';
import { withYargs } from '../../src/cli/main.js';

async function yargsRead(argv: string[]): Promise<RunArgs | undefined> {
  let read: RunArgs | undefined;
  const stderr = process.stderr.write;
  // A line yargs refuses is said on stderr; here only what it reads matters.
  process.stderr.write = () => true;
  try {
    await withYargs(argv, async (args) => {
      read = args;
      return 0;
    });
  } finally {
    process.stderr.write = stderr;
  }
  return read;
}

const PLAIN: string[][] = [
  ['s.yaml'],
  ['scenarios/flash-sale.yaml', '--out', '/tmp/fs', '--quiet'],
  ['--quiet', 's.yaml', '--check'],
  ['s.yaml', '--seed', '7', '--replications', '10', '--jobs', '2'],
  ['s.yaml', '--seed=0', '--out=a=b', '--variant', 'more-consumers'],
  ['s.yaml', '--set', 'consumer-groups.0.instances=16', '--set=topics.0.partitions=24'],
  ['12', '--out', '34'],
  ['s.yaml', '--check', '--quiet', '--junit', 'ci/junit.xml'],
  ['s.yaml', '--seed', '4294967296', '--jobs', '0'],
];

const FOR_YARGS: string[][] = [
  [],
  ['--help'],
  ['--version'],
  ['compare', 'a.yaml', 'b.yaml'],
  ['sweep', 's.yaml', '--grid', 'a=1..2'],
  ['a.yaml', 'b.yaml'],
  ['s.yaml', '--quiet', 'true'],
  ['s.yaml', '--quiet=false'],
  ['s.yaml', '--no-quiet'],
  ['s.yaml', '--out', 'a', '--out', 'b'],
  ['s.yaml', '--out', '-x'],
  ['s.yaml', '--out'],
  ['s.yaml', '--seed', '1e3'],
  ['s.yaml', '--seed', '07'],
  ['s.yaml', '--seed', '-1'],
  ['s.yaml', '--seed', 'x'],
  ['s.yaml', '-q'],
  ['s.yaml', '--bogus', '1'],
  ['s.yaml', '--', '--out'],
];

describe('plainRunArgs', () => {
  it.each(PLAIN)('reads %j as yargs does', async (...argv) => {
    const plain = plainRunArgs(argv);
    expect(plain).toBeDefined();
    expect(plain).toEqual(await yargsRead(argv));
  });

  it.each(FOR_YARGS)('leaves %j to yargs', (...argv) => {
    expect(plainRunArgs(argv)).toBeUndefined();
  });
});

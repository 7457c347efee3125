/**
 * The command line of a plain run, `sim <scenario> [options]`, read without yargs: loading yargs
 * costs about a third of the CLI's own start-up (~0.1 s of CPU, some 50 modules), and most runs
 * spell their options the plain way.
 *
 * Only a command line made of the run's own options in their plain spellings is read here: one
 * scenario file that is not a subcommand's name, `--name value` or `--name=value` for a string,
 * `--name 12` for an integer (digits only), a bare `--quiet` or `--check`, each option at most
 * once except `--set`. Anything else (help, version, a subcommand, an unknown or repeated option,
 * a value that begins with `-`, a number that is not plain digits, `--quiet false`) gives
 * undefined, and the CLI hands the whole line to yargs, which reads it as it always has. What is
 * read here is what yargs reads from the same line (tests compare them).
 */

/** What a plain run needs from its command line: yargs' reading of the default command's options. */
export interface RunArgs {
  file: string;
  seed: number | undefined;
  out: string | undefined;
  quiet: boolean;
  set: string[];
  variant: string | undefined;
  replications: number;
  jobs: number | undefined;
  check: boolean;
  /** Where to write the verdicts as a JUnit XML report. */
  junit: string | undefined;
  /** Where to write every time series as OpenMetrics text. */
  openmetrics: string | undefined;
}

/** Positionals yargs reads as a subcommand, not as a scenario file. */
const SUBCOMMANDS = new Set(['compare', 'sweep', 'plan', 'merge']);
const STRINGS = new Set(['out', 'variant', 'set', 'junit', 'openmetrics']);
const INTEGERS = new Set(['seed', 'replications', 'jobs']);
const FLAGS = new Set(['quiet', 'check']);
const DIGITS = /^(0|[1-9][0-9]{0,14})$/;

/** The run's arguments, or undefined when the line needs yargs (see the header). */
export function plainRunArgs(argv: readonly string[]): RunArgs | undefined {
  let file: string | undefined;
  const strings = new Map<string, string>();
  const integers = new Map<string, number>();
  const flags = new Set<string>();
  const set: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith('-')) {
      if (file !== undefined || token === '' || SUBCOMMANDS.has(token)) return undefined;
      file = token;
      continue;
    }
    if (!token.startsWith('--')) return undefined;
    const eq = token.indexOf('=');
    const name = eq < 0 ? token.slice(2) : token.slice(2, eq);
    let value: string | undefined;
    if (eq >= 0) value = token.slice(eq + 1);
    else if (!FLAGS.has(name)) value = argv[++i];
    if (FLAGS.has(name)) {
      // yargs takes a following `true`/`false` as the flag's value.
      if (value !== undefined || flags.has(name) || argv[i + 1] === 'true' || argv[i + 1] === 'false') return undefined;
      flags.add(name);
    } else if (STRINGS.has(name)) {
      if (value === undefined || value === '' || value.startsWith('-')) return undefined;
      if (name === 'set') set.push(value);
      else if (strings.has(name)) return undefined;
      else strings.set(name, value);
    } else if (INTEGERS.has(name)) {
      if (value === undefined || !DIGITS.test(value) || integers.has(name)) return undefined;
      integers.set(name, Number(value));
    } else return undefined;
  }
  if (file === undefined) return undefined;
  return {
    file,
    seed: integers.get('seed'),
    out: strings.get('out'),
    quiet: flags.has('quiet'),
    set,
    variant: strings.get('variant'),
    replications: integers.get('replications') ?? 1,
    jobs: integers.get('jobs'),
    check: flags.has('check'),
    junit: strings.get('junit'),
    openmetrics: strings.get('openmetrics'),
  };
}

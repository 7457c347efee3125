/**
 * The objectives' verdicts as a JUnit XML report (`--junit FILE`), for CI systems that read test
 * results: one <testsuite> per configuration run (a plain run has one; a comparison one per
 * configuration), one <testcase> per objective, a <failure> for each objective that failed, with
 * the sentence `--check` prints on stderr (verdicts.ts failureSentence) as its message and the
 * figures in its text.
 *
 * The shape is the one the common JUnit schema (Ant's JUnit task, as Jenkins, GitLab and GitHub
 * readers take it) describes: <testsuites tests failures errors time> over <testsuite name tests
 * failures errors skipped time> with <properties>, over <testcase name classname time>. An
 * objective is judged, not run, so a test case's time is 0; a suite's time is the wall-clock
 * seconds its runs and verdicts took (the one figure here that is not the scenario's own).
 */
import { checkOutputFile, writeOutputFile } from '../report/atomic.js';
import type { ObjectiveVerdict } from '../metrics/study.js';
import { failureSentence } from './verdicts.js';

export interface JunitSuite {
  /** The configuration: the scenario's name, with its variant (`flash-sale.more-consumers`). */
  name: string;
  verdicts: readonly ObjectiveVerdict[];
  /** Wall-clock seconds the suite's runs and verdicts took. */
  seconds: number;
  /** Shown as <property> elements: scenario file, seed, runs. */
  properties: Readonly<Record<string, string | number>>;
  /** Which verdicts failed (a comparison's `--accept` rule); by default those that do not pass. */
  failed?: (v: ObjectiveVerdict) => boolean;
}

/** Characters XML 1.0 cannot hold at all, even escaped. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function text(s: string): string {
  return s.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attribute(s: string | number): string {
  return text(String(s)).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

const seconds = (s: number) => (Number.isFinite(s) && s > 0 ? s.toFixed(3) : '0');

/** The figures behind a failure, for the reader of the CI log. */
function details(v: ObjectiveVerdict): string {
  const lines = [
    `figure: ${v.figure}${v.window ? ' (in every sample window: the worst window)' : ''}`,
    `bound: ${v.comparison} ${v.bound} ${v.unit}`.trimEnd(),
    `measured: ${v.measured === null ? 'not measured' : `${v.measured} ${v.unit}`.trimEnd()}`,
    `margin: ${v.margin === null ? '-' : `${v.margin} ${v.unit}`.trimEnd()}`,
    `confidence: ${v.confidence}`,
  ];
  if (v.interval) lines.push(`95% CI: ${v.interval.low} to ${v.interval.high} ${v.unit}`.trimEnd());
  if (v.alert) {
    lines.push(`first crossed: ${v.alert.firstCrossedSeconds === null ? 'never' : `${v.alert.firstCrossedSeconds} s`}`, `time above the bound: ${v.alert.secondsAbove} s`);
  }
  return lines.join('\n');
}

function suiteXml(suite: JunitSuite): { xml: string; tests: number; failures: number } {
  const failed = suite.failed ?? ((v: ObjectiveVerdict) => !v.pass);
  const failures = suite.verdicts.filter(failed).length;
  const lines = [
    `  <testsuite name="${attribute(suite.name)}" tests="${suite.verdicts.length}" failures="${failures}" errors="0" skipped="0" time="${seconds(suite.seconds)}">`,
    '    <properties>',
    ...Object.entries(suite.properties).map(([k, v]) => `      <property name="${attribute(k)}" value="${attribute(v)}"/>`),
    '    </properties>',
  ];
  for (const v of suite.verdicts) {
    const open = `    <testcase name="${attribute(v.objective)}" classname="${attribute(`lagsim.${suite.name}`)}" time="0"`;
    if (!failed(v)) {
      lines.push(`${open}/>`);
      continue;
    }
    lines.push(`${open}>`, `      <failure message="${attribute(failureSentence(v))}" type="objective">${text(details(v))}</failure>`, '    </testcase>');
  }
  lines.push('  </testsuite>');
  return { xml: lines.join('\n'), tests: suite.verdicts.length, failures };
}

/**
 * The whole report: <testsuites> named `name` (the command run) over the suites; its time is
 * `totalSeconds`, by default the suites' times added up (suites that ran side by side on the
 * worker pool should give the wall-clock time instead).
 */
export function junitXml(name: string, suites: readonly JunitSuite[], totalSeconds?: number): string {
  const parts = suites.map(suiteXml);
  const tests = parts.reduce((n, p) => n + p.tests, 0);
  const failures = parts.reduce((n, p) => n + p.failures, 0);
  const time = totalSeconds ?? suites.reduce((t, s) => t + s.seconds, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attribute(name)}" tests="${tests}" failures="${failures}" errors="0" time="${seconds(time)}">`,
    ...parts.map((p) => p.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * Checks before anything is simulated that `file` can be a JUnit report (report/atomic.ts
 * checkOutputFile: an OutputFileError otherwise).
 */
export function checkJunitFile(file: string): void {
  checkOutputFile('--junit', file, 'junit.xml');
}

/** Writes the report to `file` in one step (a reader never sees half of it). */
export function writeJunit(file: string, name: string, suites: readonly JunitSuite[], totalSeconds?: number): void {
  writeOutputFile('--junit', file, junitXml(name, suites, totalSeconds));
}

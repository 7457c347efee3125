/**
 * `--junit FILE`: the verdicts as a JUnit XML report, one test case per objective, checked with a
 * strict XML reader against the common JUnit schema (test/helpers/junit-xml.ts); and what
 * `--check` says on stderr, with or without --quiet.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { junitXml } from '../../src/cli/junit.js';
import { failureSentence } from '../../src/cli/verdicts.js';
import { checkJunit, parseXml } from '../helpers/junit-xml.js';
import { verdict } from '../report/study-fixture.js';

const root = path.resolve(import.meta.dirname, '../..');
const simBin = path.join(root, 'bin/sim.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lagsim-junit-'));

function sim(args: string[]) {
  const p = spawnSync(process.execPath, [simBin, ...args], { cwd: tmp, encoding: 'utf8', env: { ...process.env, LAGSIM_DEBUG: '' } });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}

const pass = verdict({ objective: 'records lost or rejected <= 0', figure: 'accounting.lostOrRejected', bound: 0, measured: 0, margin: 0, unit: 'records', pass: true });
const fail = verdict();
const unmeasured = verdict({ objective: 'time to drain <= 10m', figure: 'lag.timeToDrainSeconds', bound: 600, measured: null, margin: null, unit: 's' });

describe('junitXml', () => {
  it('one suite, one test case per objective, a failure with the sentence --check prints; counts that add up', () => {
    const xml = junitXml('sim s.yaml', [{ name: 'flash-sale', verdicts: [fail, pass, unmeasured], seconds: 2.5, properties: { scenario: 's.yaml', seed: 1, runs: 1 } }]);
    const report = checkJunit(parseXml(xml));
    expect(report.tests).toBe(3);
    expect(report.failures).toBe(2);
    expect(report.suites).toHaveLength(1);
    const [suite] = report.suites;
    expect(suite.name).toBe('flash-sale');
    expect(suite.cases.map((c) => c.name)).toEqual(['latency p99 <= 5s', 'records lost or rejected <= 0', 'time to drain <= 10m']);
    expect(suite.cases.every((c) => c.classname === 'lagsim.flash-sale')).toBe(true);
    expect(suite.cases[0].failure?.message).toBe('latency p99 <= 5s: measured 8.12 s, 3.12 s over the bound (5 s)');
    expect(suite.cases[0].failure?.text).toContain('figure: latency.p99Ms');
    expect(suite.cases[1].failure).toBeUndefined();
    expect(suite.cases[2].failure?.message).toBe('time to drain <= 10m: not measured (no value in the run), bound 10 min');
    expect(xml).toMatch(/<testsuites name="sim s.yaml" tests="3" failures="2" errors="0" time="2.500">/);
    expect(xml).toContain('<property name="seed" value="1"/>');
  });

  it('escapes what names and messages hold, and replaces what XML cannot hold', () => {
    const odd = verdict({ objective: 'a<b & "c" \u0001 payment: peak lag <= 1k records' });
    const report = checkJunit(parseXml(junitXml('sim "x" & <y>', [{ name: 'o&<"d', verdicts: [odd], seconds: 0, properties: {} }])));
    expect(report.suites[0].name).toBe('o&<"d');
    expect(report.suites[0].cases[0].name).toBe('a<b & "c" \uFFFD payment: peak lag <= 1k records');
    expect(report.suites[0].cases[0].failure?.message).toBe(failureSentence({ ...odd, objective: 'a<b & "c" \uFFFD payment: peak lag <= 1k records' }));
  });

  it('a suite per configuration, with the --accept rule deciding what failed', () => {
    const onAverage = verdict({ measured: 4000, margin: 1000, pass: true, confidence: 'on-average', interval: { low: 3000, high: 6000 } });
    const xml = junitXml('sim compare', [
      { name: 'baseline', verdicts: [fail, pass], seconds: 1, properties: {} },
      { name: 'more-consumers', verdicts: [onAverage], seconds: 1, failed: (v) => v.confidence !== 'holds' && v.confidence !== 'single-run', properties: {} },
    ], 1.2);
    const report = checkJunit(parseXml(xml));
    expect(report.suites.map((s) => [s.name, s.tests, s.failures])).toEqual([['baseline', 2, 1], ['more-consumers', 1, 1]]);
    expect(report.suites[1].cases[0].failure?.message).toBe('latency p99 <= 5s: mean 4 s [95% CI 3 s, 6 s], within the bound (5 s) on average only: the 95% CI crosses it');
    expect(xml).toContain('time="1.200"');
  });

  it('the checker is strict: a count that does not add up, a bad element or malformed XML is refused', () => {
    const xml = junitXml('x', [{ name: 's', verdicts: [fail, pass], seconds: 1, properties: {} }]);
    expect(() => checkJunit(parseXml(xml.replace('tests="2" failures="1"', 'tests="3" failures="1"')))).toThrow(/tests=3, holds 2/);
    expect(() => checkJunit(parseXml(xml.replace('<testsuite ', '<suite ').replace('</testsuite>', '</suite>')))).toThrow(/may not hold <suite>/);
    expect(() => parseXml(xml.replace('&lt;=', '<='))).toThrow(/XML/);
    expect(() => parseXml(xml.replace('</testsuites>', ''))).toThrow(/XML/);
  });
});

const SMALL = `name: small
seed: 5
duration: 20s
topics: [{ name: t, partitions: 4 }]
producers: [{ name: p, topic: t, rate: 2k/s, keys: { dist: uniform, count: 100 } }]
consumer-groups:
  - { name: g, topic: t, instances: 2, processing: { per-record: 300us } }
objectives:
  latency: { p99: 1ms }
  lost: 0
`;

describe('sim --check --junit', () => {
  const file = path.join(tmp, 'small.yaml');
  writeFileSync(file, SMALL);

  it('with --quiet: nothing on stdout, the failed objective and by how much on stderr, exit 1, the JUnit report written', () => {
    const r = sim([file, '--check', '--quiet', '--out', 'q', '--junit', 'ci/junit.xml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^sim: --check: 1 of 2 objectives failed\n {2}latency p99 <= 1ms: measured \S+ ms, \S+ ms over the bound \(1 ms\)\n$/);
    const report = checkJunit(parseXml(readFileSync(path.join(tmp, 'ci/junit.xml'), 'utf8')));
    expect([report.tests, report.failures]).toEqual([2, 1]);
    expect(report.suites[0].name).toBe('small');
    const failed = report.suites[0].cases.find((c) => c.failure !== undefined)!;
    expect(failed.name).toBe('latency p99 <= 1ms');
    // The same sentence in the report as on stderr.
    expect(r.stderr).toContain(failed.failure!.message);
    const summary = JSON.parse(readFileSync(path.join(tmp, 'q/summary.json'), 'utf8')) as { objectives: { measured: number }[] };
    expect(failed.failure!.text).toContain(`measured: ${summary.objectives[0].measured} ms`);
  });

  it('without --quiet the table goes to stdout and the failures to stderr as well; all met: nothing on stderr, exit 0', () => {
    const r = sim([file, '--check', '--out', 'loud']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/objectives: 1 of 2 met/);
    expect(r.stderr).toMatch(/^sim: --check: 1 of 2 objectives failed\n/);
    const ok = sim([file, '--check', '--quiet', '--out', 'ok', '--set', 'objectives.latency.p99=1m', '--junit', 'ok.xml']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(checkJunit(parseXml(readFileSync(path.join(tmp, 'ok.xml'), 'utf8'))).failures).toBe(0);
  });

  it('a --junit that cannot be a file is refused before simulating: exit 2, no stack, nothing written', () => {
    mkdirSync(path.join(tmp, 'a-folder'));
    writeFileSync(path.join(tmp, 'a-file'), '');
    for (const [junit, says] of [
      ['a-folder', /--junit a-folder: is a folder/],
      ['a-file/junit.xml', /--junit a-file\/junit.xml: .*a-file is a file, not a folder/],
    ] as const) {
      const r = sim([file, '--check', '--out', 'refused', '--junit', junit]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(says);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(path.join(tmp, 'refused'))).toBe(false);
    }
  });
});

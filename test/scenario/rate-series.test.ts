import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario, ScenarioError, type ScenarioIssue } from '../../src/scenario/load.js';
import { parseCsv, parsePrometheus } from '../../src/scenario/rate-series.js';
import { compileProfile, CumulativeRate } from '../../src/model/rate-profile.js';
import { simulate } from '../../src/model/simulate.js';
import { yaml } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lagsim-rate-series-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function scenarioFile(name: string, series: string, duration = '60s'): string {
  return write(
    name,
    yaml`
      name: replay
      duration: ${duration}
      fidelity: exact
      topics:
        - name: orders
          partitions: 4
      producers:
        - name: web
          topic: orders
          arrivals: paced
          rate:
            series: ${series}
      consumer-groups:
        - name: billing
          topic: orders
          instances: 2
    `,
  );
}

function issuesLoading(file: string): ScenarioIssue[] {
  try {
    loadScenario(file);
  } catch (e) {
    if (e instanceof ScenarioError) return [...e.issues];
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

// Six 10 s steps: 100, 200, 400, 400, 50 and 0 records/s, Unix times from 1732874400.
const CSV = ['time,rate', '1732874410,100', '1732874420,200', '1732874430,400', '# a comment', '', '1732874440,400', '1732874450,50', '1732874460,0', ''].join('\n');
const PROMETHEUS = JSON.stringify({
  status: 'success',
  data: {
    resultType: 'matrix',
    result: [
      // Two partitions' rates, summed per timestamp: the same series as the CSV.
      { metric: { topic: 'orders', partition: '0' }, values: [[1732874410, '60'], [1732874420, '120'], [1732874430, '240'], [1732874440, '200'], [1732874450, '25'], [1732874460, '0']] },
      { metric: { topic: 'orders', partition: '1' }, values: [[1732874410, '40'], [1732874420, '80'], [1732874430, '160'], [1732874440, '200'], [1732874450, '25'], [1732874460, '0']] },
    ],
  },
});
/** The records the six steps offer: sum of rate x 10 s. */
const INTEGRAL = (100 + 200 + 400 + 400 + 50 + 0) * 10;

describe('reading a recorded rate series', () => {
  it('a CSV: header, comments and blank lines skipped; ISO times read as UTC', () => {
    expect(parseCsv(CSV)).toEqual({ points: [[1732874410, 100], [1732874420, 200], [1732874430, 400], [1732874440, 400], [1732874450, 50], [1732874460, 0]], problems: [] });
    expect(parseCsv('2024-11-29T10:00:00Z,5\n2024-11-29 10:00:30,7\n').points).toEqual([
      [1732874400, 5],
      [1732874430, 7],
    ]);
  });

  it('a CSV mistake is at its line and column', () => {
    expect(parseCsv('t,r\n0,1\n10,lots\n20,2\n15,3\n').problems).toEqual([
      { at: { line: 3, col: 4 }, message: 'expected a rate: a number of records per second >= 0, got "lots"' },
      { at: { line: 5, col: 1 }, message: 'expected times that increase row by row, got 15 after 20 s' },
    ]);
  });

  it('a Prometheus range query: the series summed per timestamp', () => {
    expect(parsePrometheus(PROMETHEUS)).toEqual(parseCsv(CSV));
  });

  it('a Prometheus mistake is at its place in the JSON', () => {
    const text = '{\n  "status": "success",\n  "data": {\n    "resultType": "matrix",\n    "result": [{ "metric": {}, "values": [[1, "2"], [2, "NaN"]] }]\n  }\n}\n';
    expect(parsePrometheus(text).problems).toEqual([{ at: { line: 5, col: 57 }, message: 'expected a rate: a finite number of records per second >= 0, got "NaN"' }]);
    expect(parsePrometheus('{"status":"success","data":{"resultType":"vector","result":[]}}').problems[0].message).toMatch(/range query/);
  });
});

describe('replaying a series as a producer\'s rate', () => {
  write('traffic.csv', CSV);
  write('traffic.json', PROMETHEUS);

  it.each(['traffic.csv', 'traffic.json'])('%s: the records offered are the integral of the series (paced arrivals)', (file) => {
    const s = loadScenario(scenarioFile(`replay-${file}.yaml`, `{ file: ${file} }`));
    const r = simulate(s);
    expect(r.summary.accounting.offered).toBe(INTEGRAL);
  });

  it('in the batched fidelity too, and with Poisson arrivals within their noise', () => {
    const file = scenarioFile('batched.yaml', '{ file: traffic.json }');
    const s = loadScenario(file);
    expect(simulate({ ...s, fidelity: 'batched' }).summary.accounting.offered).toBe(INTEGRAL);
    const poisson = simulate({ ...s, producers: [{ ...s.producers[0], arrivals: 'poisson' }] }).summary.accounting.offered;
    // 11,500 expected: a Poisson count's sd is about 107.
    expect(Math.abs(poisson - INTEGRAL)).toBeLessThan(4 * Math.sqrt(INTEGRAL));
  });

  it('scale multiplies every rate; skip and delay shift the recording against the run', () => {
    const offered = (series: string, duration = '60s') => simulate(loadScenario(scenarioFile('shifted.yaml', series, duration))).summary.accounting.offered;
    expect(offered('{ file: traffic.csv, scale: 2.5 }')).toBe(INTEGRAL * 2.5);
    // Skipping the first 20 s leaves 400, 400, 50, 0.
    expect(offered('{ file: traffic.csv, skip: 20s }')).toBe((400 + 400 + 50) * 10);
    // Delayed by 30 s in a 60 s run: the first three steps only.
    expect(offered('{ file: traffic.csv, delay: 30s }')).toBe((100 + 200 + 400) * 10);
  });

  it('the rate is piecewise constant: each value holds over the step that ends at its time', () => {
    const s = loadScenario(scenarioFile('steps.yaml', '{ file: traffic.csv }'));
    const { segments } = compileProfile(s.producers[0].rate, s.duration);
    const lambda = new CumulativeRate(segments);
    // Halfway through the second step (15 s): 10 s x 100 + 5 s x 200.
    expect(lambda.at(15_000_000)).toBeCloseTo(2000, 6);
    expect(lambda.rateAt(15_000_000) * 1e6).toBeCloseTo(200, 9);
  });

  it('points may be written inline', () => {
    const r = simulate(loadScenario(scenarioFile('inline.yaml', '{ points: [[0, 10], [30, 20], [60, 30]] }')));
    // The first point's step is the 30 s before it, so the run sees 10/s then 20/s for 30 s each.
    expect(r.summary.accounting.offered).toBe(10 * 30 + 20 * 30);
  });

  it('a mistake in the series file is shown in that file', () => {
    write('bad.csv', 'time,rate\n0,1\n10,-3\n');
    expect(issuesLoading(scenarioFile('bad.yaml', '{ file: bad.csv }'))).toEqual([
      { file: path.join(dir, 'bad.csv'), line: 3, col: 4, path: 'producers[0].rate.series', message: 'expected a rate: a number of records per second >= 0, got "-3"' },
    ]);
  });
});

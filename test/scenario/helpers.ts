import { parseScenario, ScenarioError, type ScenarioIssue } from '../../src/scenario/load.js';

/** A YAML fixture written indented inside a test: drops the first newline and the common indent. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const lines = text.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n').replace(/[ ]+$/, '');
}

/** The issues parseScenario reports for `text`; fails the test if it reports none. */
export function issuesOf(text: string, file = 'test.yaml'): ScenarioIssue[] {
  try {
    parseScenario(text, file);
  } catch (e) {
    if (e instanceof ScenarioError) return [...e.issues];
    throw e;
  }
  throw new Error('expected a ScenarioError, but the scenario was accepted');
}

/** The smallest valid scenario; tests change one thing in it. */
export const MINIMAL = yaml`
  name: checkout
  duration: 10m
  topics:
    - name: orders
      partitions: 12
  producers:
    - name: web
      topic: orders
      rate: 20k/s
  consumer-groups:
    - name: billing
      topic: orders
      instances: 4
`;

/**
 * Where the execution layer meets the modules it uses: scenarios built with `--set`-style
 * overrides (scenario/load.ts), replication seeds and aggregation (stats/), objectives
 * (slo/objectives.ts), a sweep's grid charts and comparison reports (report/). The CLI takes all of
 * them from here, so the run layer itself depends only on the interfaces in study.ts.
 */
import type { VariantResult } from '../metrics/study.js';
import { loadScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import { replicationSeeds } from '../stats/seeds.js';
import { aggregate } from '../stats/aggregate.js';
import { evaluateObjectives } from '../slo/objectives.js';
import { renderGridChart, writeComparison } from '../report/index.js';
import type { Assignment } from './grid.js';
import { checkObjectiveFigures, parseObjectiveOption } from './objective-option.js';
import type { RenderGridChart } from './sweep-report.js';
import type { Evaluate, StudyFunctions } from './study.js';

/** Builds the scenario of a sweep point or plan value from `path=value` assignments. */
export type ScenarioFactory = (assignments: readonly Assignment[]) => Scenario;

export interface StudyWiring extends StudyFunctions {
  /** Builds scenarios from a file and `path=value` assignments; throws ScenarioError on a bad file or value. */
  factory(file: string): ScenarioFactory;
  /** Evaluates the scenario's objectives plus those given on the command line as `figure<=number`. */
  evaluator(objectives: readonly string[]): Evaluate;
  renderGridChart: RenderGridChart;
  writeComparison(dir: string, variants: VariantResult[]): Promise<void>;
}

export const wiring: StudyWiring = {
  factory: (file) => (assignments) => loadScenario(file, { set: assignments.map((a) => `${a.path}=${a.value}`) }),
  replicationSeeds,
  aggregate,
  evaluator(objectives) {
    const extra = objectives.map(parseObjectiveOption);
    let checked = false;
    return (scenario, result) => {
      if (!checked) checkObjectiveFigures(extra, result);
      checked = true;
      return evaluateObjectives([...scenario.objectives, ...extra], result);
    };
  },
  renderGridChart,
  writeComparison: async (dir, variants) => {
    await writeComparison(dir, variants);
  },
};

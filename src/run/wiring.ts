/**
 * Where the execution layer meets the modules it does not own: the scenario factory (design
 * layer's overrides), replication seeds and aggregation (statistics), objectives (design layer),
 * heat maps and comparisons (reports). The CLI takes all of them from here and nowhere else.
 *
 * Every entry below is a STAND-IN (factory.ts, stand-ins.ts) until the owners' modules are
 * merged; wiring the real ones means editing this file only:
 *   factory:           (file) => (assignments) => loadScenario(file, { set: assignments.map((a) => `${a.path}=${a.value}`) })
 *   replicationSeeds:  statistics' replicationSeeds(seed, n)
 *   aggregate:         statistics' aggregate(seeds, runs)
 *   evaluator:         (extra) => (scenario, result) => evaluateObjectives([...scenario.objectives, ...extra], result)
 *   renderGridHeatmap: reports' renderGridHeatmap, adapted to GridHeatmap (sweep-report.ts)
 *   writeComparison:   reports' writeComparison(dir, variants)
 */
import type { VariantResult } from '../metrics/study.js';
import { scenarioFactory, type ScenarioFactory } from './factory.js';
import * as standIn from './stand-ins.js';
import type { RenderGridHeatmap } from './sweep-report.js';
import type { Evaluate, StudyFunctions } from './study.js';

export interface StudyWiring extends StudyFunctions {
  /** Builds scenarios from a file and `path=value` assignments; throws ScenarioError on a bad file or value. */
  factory(file: string): ScenarioFactory;
  /** Evaluates the scenario's objectives plus those given as `--objective` (STAND-IN syntax `figure<=number`). */
  evaluator(objectives: readonly string[]): Evaluate;
  renderGridHeatmap: RenderGridHeatmap;
  writeComparison(dir: string, variants: VariantResult[]): Promise<void>;
}

export const wiring: StudyWiring = {
  factory: scenarioFactory,
  replicationSeeds: standIn.replicationSeeds,
  aggregate: standIn.aggregate,
  evaluator(objectives) {
    const specs = objectives.map(standIn.parseObjective);
    return (_scenario, result) => standIn.evaluateObjectives(specs, result);
  },
  renderGridHeatmap: standIn.renderGridHeatmap,
  writeComparison: standIn.writeComparison,
};

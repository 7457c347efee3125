/**
 * lagsim's library API: what a program can use without the CLI.
 *
 * - Kafka's partition assignors as pure functions (`assign`, `assignCooperativeSticky`): give
 *   them the group's members (subscriptions, owned partitions, generation, static ids) and the
 *   topics with their partition counts; get each member's partitions back. They follow Kafka
 *   4.x's assignors and are tested against Kafka's own assignor unit tests; where Kafka's result
 *   depends on hash-map order, the tie-break rules are documented in model/assignors/index.ts.
 * - A run's phases (run.ts), as `sim` runs them: `load` (a YAML file, with `set` overrides and a
 *   `variant`) or `parse` (YAML text) validate and apply Kafka's defaults; `run` simulates one
 *   seed and returns what it recorded (RunResult, keyed by topic, group and service);
 *   `replicate` runs several seeds (on the worker pool with `jobs` > 1) and sums them up;
 *   `judge` gives the verdicts on the scenario's objectives; `report` writes the report;
 *   `runFile` does all of it for one file. `loadScenario`, `parseScenario` and `simulate` are the
 *   same first phases under their older names.
 * - Figures by path (`resolveFigure`, `valueAt`): what objectives and sweeps name a figure by.
 */
export {
  assign,
  assignCooperativeSticky,
  ASSIGNOR_NAMES,
  DEFAULT_GENERATION,
  AssignmentInputError,
  AssignorStateError,
} from './model/assignors/index.js';
export type {
  Assignment,
  AssignmentInput,
  AssignmentIssue,
  AssignorName,
  CooperativeAssignment,
  GroupMember,
  PartitionHandover,
  TopicMetadata,
  TopicPartition,
} from './model/assignors/index.js';
export { loadScenario, loadScenarioWithNotes, parseScenario, parseScenarioWithNotes, ScenarioError } from './scenario/load.js';
export type { LoadedScenario } from './scenario/load.js';
export type { Scenario } from './scenario/schema.js';
export { simulate, ConservationError } from './model/simulate.js';
export { RunLimitError } from './model/run-limit.js';
export type { BlockedLimit } from './model/run-limit.js';
export { load, parse, run, prepare, replicate, judge, report, runFile } from './run.js';
export type { LoadOptions, RunOptions, ReplicateOptions, ReplicationProgress, RunFileOptions, RunFileResult } from './run.js';
export { mainStage, stageOf, RESULT_VERSION } from './metrics/result.js';
export type { RunResult, Summary, Series, Topology, Stage } from './metrics/result.js';
export type { Replicated, ObjectiveVerdict } from './metrics/study.js';
export { resolveFigure, resolveSeries, valueAt, FigurePathError } from './metrics/figures.js';
export { openMetricsText, DEFAULT_START_SECONDS as OPENMETRICS_START_SECONDS } from './report/openmetrics.js';
export type { OpenMetricsRun, OpenMetricsOptions } from './report/openmetrics.js';

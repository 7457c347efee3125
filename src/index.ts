/**
 * lagsim's library API: what a program can use without the CLI.
 *
 * - Kafka's partition assignors as pure functions (`assign`, `assignCooperativeSticky`): give
 *   them the group's members (subscriptions, owned partitions, generation, static ids) and the
 *   topics with their partition counts; get each member's partitions back. They follow Kafka
 *   4.x's assignors and are tested against Kafka's own assignor unit tests; where Kafka's result
 *   depends on hash-map order, the tie-break rules are documented in model/assignors/index.ts.
 * - Scenarios: `loadScenario` (a YAML file) and `parseScenario` (YAML text) validate and apply
 *   Kafka's defaults; `simulate` runs one and returns everything it recorded.
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
export { loadScenario, parseScenario, ScenarioError } from './scenario/load.js';
export type { Scenario } from './scenario/schema.js';
export { simulate, ConservationError } from './model/pipeline.js';
export type { RunResult } from './metrics/result.js';

/**
 * What goes wrong at the assignors' boundary, and the words used to say it. Input is checked
 * once, every problem is collected with the path where it was found, and the whole list is
 * thrown together so a caller fixes a scenario in one pass rather than one error at a time.
 */

export interface AssignmentIssue {
  /** Where in the call the problem is, e.g. `input.members[2].memberId`. */
  readonly path: string;
  readonly expected: string;
  readonly received: string;
  readonly message: string;
}

export class AssignmentInputError extends Error {
  readonly issues: readonly AssignmentIssue[];

  constructor(issues: readonly AssignmentIssue[]) {
    super(messages.invalidInput(issues));
    this.name = 'AssignmentInputError';
    this.issues = issues;
  }
}

/** Thrown when an algorithm reaches a state Kafka's own code treats as a bug (IllegalStateException). */
export class AssignorStateError extends Error {
  constructor(assignor: string, what: string) {
    super(messages.illegalState(assignor, what));
    this.name = 'AssignorStateError';
  }
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

export const messages = {
  invalidInput: (issues: readonly AssignmentIssue[]): string =>
    `Invalid assignment input (${issues.length} issue${issues.length === 1 ? '' : 's'}):\n` +
    issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n'),
  unknownAssignor: (received: string, known: readonly string[]): string =>
    `unknown assignor ${received}; expected one of ${known.join(', ')}`,
  wrongType: (expected: string, received: string): string => `expected ${expected}, got ${received}`,
  duplicateMemberId: (memberId: string, firstIndex: number): string =>
    `member id ${JSON.stringify(memberId)} is already used by members[${firstIndex}]`,
  duplicateInstanceId: (instanceId: string, firstIndex: number): string =>
    `group.instance.id ${JSON.stringify(instanceId)} is already used by members[${firstIndex}]`,
  duplicateTopic: (topic: string, firstIndex: number): string =>
    `topic ${JSON.stringify(topic)} is already described by topics[${firstIndex}]`,
  illegalState: (assignor: string, what: string): string => `${assignor} assignor reached an illegal state: ${what}`,
};

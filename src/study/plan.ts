/**
 * A plan: the smallest value of an integer field (consumers, partitions) at which a scenario
 * meets every objective, assuming that more of the field never hurts.
 *
 *   1. search, with each tested value run with its replications on the pool:
 *      - 'exponential' (default): test min, min+1, min+3, min+7, ... (capped at max) until one
 *        passes, then bisect between the last failure and that pass; cheap when the answer is
 *        near min, where runs are usually cheaper too;
 *      - 'bisect': test max (if it fails, nothing in the range does), then min, then bisect;
 *   2. verify the neighbours of the answer a: a - 1 must fail (unless a is min) and a + 1 must
 *      pass (unless a is max); both are run, as one batch, if the search did not already;
 *   3. if some tested value passes while a larger one fails, monotonicity does not hold here
 *      (noise from too few replications, or a real effect such as rebalances): the result says
 *      so, and the search goes on linearly upward from the highest failure until the answer is
 *      a value that passes with every tested value above it passing, its lower neighbour
 *      failing and its upper neighbour passing.
 * The answer is then the smallest value a such that a and every tested value above it pass.
 *
 * Whether a value passes follows the pass rule (study.ts): by default, with replications, every
 * objective's whole 95% interval must be on the passing side ('holds'); 'on-average' accepts a
 * passing mean. The values tested depend only on the scenario, the range, the rule and the
 * results, never on the number of cores, so a plan is as repeatable as a run.
 */
import type { ObjectiveVerdict, Replicated, VariantResult } from '../metrics/study.js';
import type { Scenario } from '../scenario/schema.js';
import { ScenarioError } from '../scenario/load.js';
import { StudyInputError } from './grid.js';
import { badPlanValue, planNoObjectives, planRange, replicationsRefusal } from './messages.js';
import type { PoolProgress, RunJob, Runner } from './pool.js';
import { asJson, meetsObjectives, replicate, runRecord, type Evaluate, type PassRule, type RunRecord, type StudyFunctions } from './study.js';

export type PlanFactory = (value: number) => Scenario;

export type SearchStrategy = 'exponential' | 'bisect';

export interface PlanOptions extends StudyFunctions {
  replications: number;
  pool: Runner;
  passRule?: PassRule;
  search?: SearchStrategy;
  /** Before each batch of runs: the values about to be tested and why. */
  onStep?: (step: { values: number[]; reason: ProbeReason }) => void;
  onProgress?: (progress: PoolProgress) => void;
}

export type ProbeReason = 'search' | 'bisect' | 'verify' | 'linear';

export interface PlanProbe {
  value: number;
  reason: ProbeReason;
  pass: boolean;
  verdicts: ObjectiveVerdict[];
  seeds: number[];
  runs: (RunRecord & { wallMs: number })[];
  /** Sum of its runs' simulate() wall times, ms. */
  wallMs: number;
}

export interface PlanResult {
  kind: 'lagsim-plan';
  field: string;
  range: { min: number; max: number };
  replications: number;
  passRule: PassRule;
  search: SearchStrategy;
  /** The smallest passing value, or null when even max fails. */
  answer: number | null;
  /** False when a tested value passed while a larger one failed (`notes` says which). */
  monotone: boolean;
  notes: string[];
  /** The verdicts at the answer: `margin` is the room left before each bound. */
  margins: ObjectiveVerdict[];
  /** Every value tested, in the order tested. */
  probes: PlanProbe[];
}

/** The answer's and its lower neighbour's replications in full, for a side-by-side report. */
export interface PlanDetail {
  result: PlanResult;
  /** [answer - 1, answer] where both were run; [answer] when answer is min; [] without an answer. */
  variants: VariantResult[];
}

export async function plan(
  field: string,
  range: { min: number; max: number },
  factory: PlanFactory,
  evaluate: Evaluate,
  options: PlanOptions,
): Promise<PlanDetail> {
  const { min, max } = range;
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) throw new StudyInputError(planRange(min, max));
  const refusal = replicationsRefusal(options.replications);
  if (refusal !== undefined) throw new StudyInputError(refusal);
  const passRule = options.passRule ?? 'holds';
  const search = options.search ?? 'exponential';
  const probes = new Map<number, PlanProbe>();
  const full = new Map<number, Replicated>();
  const order: PlanProbe[] = [];

  const scenarioAt = (value: number): Scenario => {
    try {
      return factory(value);
    } catch (err) {
      if (err instanceof ScenarioError) throw new StudyInputError(badPlanValue(field, value, err.format()));
      if (err instanceof StudyInputError) throw new StudyInputError(badPlanValue(field, value, err.message));
      throw err;
    }
  };

  /** Runs the untested ones of `values` in one batch; returns whether each passes. */
  const test = async (values: number[], reason: ProbeReason): Promise<boolean[]> => {
    const todo = [...new Set(values)].filter((v) => !probes.has(v));
    if (todo.length) {
      options.onStep?.({ values: todo, reason });
      const batches = todo.map((value) => {
        const scenario = scenarioAt(value);
        return { value, scenario, ...replicate(scenario, `${field}=${value}`, options.replications, options) };
      });
      const jobs: RunJob[] = batches.flatMap((b) => b.jobs);
      const runs = await options.pool.run(jobs, { onProgress: options.onProgress });
      let at = 0;
      for (const b of batches) {
        const mine = runs.slice(at, (at += b.jobs.length));
        const replicated = options.aggregate(b.seeds, mine.map((r) => r.result));
        const verdicts = evaluate(b.scenario, replicated);
        if (verdicts.length === 0) throw new StudyInputError(planNoObjectives());
        const probe: PlanProbe = asJson({
          value: b.value,
          reason,
          pass: meetsObjectives(verdicts, passRule),
          verdicts,
          seeds: b.seeds,
          runs: mine.map((r) => ({ ...runRecord(r.result), wallMs: r.wallMs })),
          wallMs: mine.reduce((s, r) => s + r.wallMs, 0),
        });
        probes.set(b.value, probe);
        full.set(b.value, replicated);
        order.push(probe);
      }
    }
    return values.map((v) => probes.get(v)!.pass);
  };

  // 1. Search: find lo (fails, or min - 1 untested) and hi (passes) with hi = lo + 1.
  let lo = min - 1;
  let hi: number | null = null;
  if (search === 'bisect') {
    if ((await test([max], 'search'))[0]) {
      hi = max;
      if ((await test([min], 'search'))[0]) hi = min;
      else lo = min;
    } else lo = max;
  } else {
    for (let step = 1, v = min; ; v = Math.min(max, min + (step *= 2) - 1)) {
      if ((await test([v], 'search'))[0]) {
        hi = v;
        break;
      }
      lo = v;
      if (v === max) break;
    }
  }
  if (hi !== null) {
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await test([mid], 'bisect'))[0]) hi = mid;
      else lo = mid;
    }
  }

  // 2-3. Verify the neighbours; on a contradiction, go on linearly.
  let reason: ProbeReason = 'verify';
  for (;;) {
    const answer = candidate(probes);
    if (answer === null) {
      // The largest tested value fails: nothing tested passes with all above it. Go upward.
      const top = Math.max(...probes.keys());
      if (top >= max) break;
      await test([top + 1], 'linear');
      continue;
    }
    const needed = [answer - 1, answer + 1].filter((v) => v >= min && v <= max && !probes.has(v));
    if (needed.length === 0) break;
    await test(needed, reason);
    if (!isMonotone(probes)) reason = 'linear';
  }

  const answer = candidate(probes);
  const notes: string[] = [];
  const contradictions = violations(probes);
  for (const [a, b] of contradictions) notes.push(`${field}=${a} meets every objective but ${field}=${b} does not: the objectives are not monotone in ${field} here (noise, or a real effect); the answer is the smallest value from which every tested value passes`);
  if (answer === null) notes.push(`no value of ${field} up to ${max} meets every objective`);
  else if (answer === min) notes.push(`${field}=${min}, the bottom of the range, already meets every objective; smaller values were not tried`);
  const result: PlanResult = {
    kind: 'lagsim-plan',
    field,
    range: { min, max },
    replications: options.replications,
    passRule,
    search,
    answer,
    monotone: contradictions.length === 0,
    notes,
    margins: answer === null ? [] : probes.get(answer)!.verdicts,
    probes: order,
  };
  const variants: VariantResult[] = [];
  if (answer !== null) {
    for (const v of [answer - 1, answer]) {
      const p = probes.get(v);
      if (p) variants.push({ label: `${field}=${v}`, overrides: [`${field}=${v}`], result: full.get(v)!, verdicts: p.verdicts });
    }
  }
  return { result, variants };
}

/** The smallest tested value that passes with every tested value above it passing; null if the largest tested fails. */
function candidate(probes: Map<number, PlanProbe>): number | null {
  const values = [...probes.keys()].sort((a, b) => b - a);
  let answer: number | null = null;
  for (const v of values) {
    if (!probes.get(v)!.pass) break;
    answer = v;
  }
  return answer;
}

/** Pairs (a, b), a < b, where a passes and b fails: each smallest failing b above a passing a. */
function violations(probes: Map<number, PlanProbe>): [number, number][] {
  const values = [...probes.keys()].sort((a, b) => a - b);
  const out: [number, number][] = [];
  let lastPass: number | null = null;
  for (const v of values) {
    if (probes.get(v)!.pass) lastPass = v;
    else if (lastPass !== null) {
      out.push([lastPass, v]);
      lastPass = null;
    }
  }
  return out;
}

function isMonotone(probes: Map<number, PlanProbe>): boolean {
  return violations(probes).length === 0;
}

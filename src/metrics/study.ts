/**
 * What a study of several runs produced: replications of one configuration (seeds derived from
 * the scenario's seed), variants side by side, and service-level objective verdicts. Like
 * RunResult, these are plain data that reports read; nothing here runs a simulation.
 *
 * Figures are named by their path in a RunResult's `summary` (`lag.peakRecords`,
 * `latency.p99Ms`, `group.duplicates`, `accounting.lost.retention`, ...).
 */
import type { RunResult } from './result.js';

/** A sample mean with a two-sided 95% confidence interval from Student's t (n - 1 degrees of freedom). */
export interface Estimate {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator); 0 when n is 1. */
  sd: number;
  /** Bounds of the 95% interval; equal to the mean when n is 1 (no interval from one run). */
  low: number;
  high: number;
}

/** Per sample window, a low and a high quantile across runs (5th and 95th percentile). */
export interface Band {
  low: (number | null)[];
  high: (number | null)[];
}

/** Several runs of one configuration with different seeds. */
export interface Replicated {
  /** Seeds in the order the runs were made; runs[i] used seeds[i]. */
  seeds: number[];
  runs: RunResult[];
  /**
   * A RunResult whose series are the per-window median across runs (partitionLag too), whose
   * events are the first run's, and whose summary is the first run's: charts draw it as the
   * line. With one run, it is that run.
   */
  median: RunResult;
  /** 5th-95th percentile band across runs for each numeric series of `series`, by name. */
  bands: Record<string, Band>;
  /** Mean and 95% CI of every numeric summary figure, by path. */
  estimates: Record<string, Estimate>;
}

/** How an objective compares a figure with its bound. */
export type Comparison = 'at-most' | 'at-least';

/**
 * The verdict on one objective. With replications, `pass` is judged on the mean and
 * `confidence` says whether the whole 95% interval is on the passing side.
 */
export interface ObjectiveVerdict {
  /** The objective as the scenario states it, e.g. "latency p99 <= 5s". */
  objective: string;
  /** The summary figure it reads, by path, or a per-window series name with `window` set. */
  figure: string;
  /** True when `figure` is a series and the objective must hold in every sample window. */
  window?: boolean;
  comparison: Comparison;
  /** The bound in the figure's own unit. */
  bound: number;
  /** The measured value (the mean with replications), in the same unit; null if nothing was measured. */
  measured: number | null;
  unit: string;
  /** Room left before the bound: bound - measured for at-most, measured - bound for at-least. */
  margin: number | null;
  pass: boolean;
  /** 'single-run', or with replications 'holds' (the whole CI passes), 'on-average' (only the mean passes), 'fails'. */
  confidence: 'single-run' | 'holds' | 'on-average' | 'fails';
  /** With replications: the 95% CI of the measured figure. */
  interval?: { low: number; high: number };
  /** For a lag objective (records or seconds) and a per-window one: when and for how long the figure's series was past the bound. */
  alert?: AlertFigures;
}

/**
 * What an on-call team reads off a threshold, from the series at window resolution: a window is
 * past the bound when its value is (above an at-most bound, below an at-least one; a window with
 * no value is not), and is counted whole. A lag series holds the lag at each window's end, so a
 * crossing is seen at the first sample past the bound, and the time past it is within one window
 * per crossing of the truth.
 */
export interface AlertFigures {
  /** End of the first window past the bound, seconds of simulated time; null if none was. With replications: the earliest over the runs. */
  firstCrossedSeconds: number | null;
  /** Total length of the windows past the bound, seconds. With replications: the mean over the runs. */
  secondsAbove: number;
}

/** One configuration of a comparison, sweep or plan, as reports show it. */
export interface VariantResult {
  /** Variant name, file name, or grid point such as "instances=8,partitions=48". */
  label: string;
  /** The overrides that made this configuration from the base, as `path=value` strings. */
  overrides: string[];
  result: Replicated;
  verdicts: ObjectiveVerdict[];
}

/**
 * Runs many simulations at once on worker threads, one per core (docs/definitions.md, "Scaling out").
 *
 * A job is a plain-data Scenario (zod's output has no class instances or functions, so it goes to
 * a worker by structured clone unchanged) and a label that names it in errors. Each worker runs
 * simulate() and posts back the RunResult. Workers take the next job as soon as they finish one,
 * but results are handed back in job order (or to `onResult` with their job index), so what a
 * study builds from them does not depend on which run finished first: a study on the pool and
 * the same study run one job after the other give byte-identical outputs.
 *
 * One failed job fails the whole batch with a RunFailedError naming the job; the other workers
 * are stopped. A job stopped by its limit on blocked callers fails the batch with a RunLimitError
 * (model/run-limit.ts) naming the job instead: the scenario's problem, not the simulation's. A
 * pool of size 1 runs jobs inline on the calling thread, with no worker at all.
 *
 * Workers start lazily and are kept between batches (a plan runs many small batches); an idle
 * worker does not keep the process alive, a busy one does.
 *
 * Loading a worker: the compiled build (dist/) starts worker.js directly. From the TypeScript
 * sources (tsx, vitest) a worker thread does not inherit the parent's loader hooks, so it starts
 * boot.mjs, which registers tsx and then imports worker.ts. Which case applies is read from this
 * module's own URL.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Scenario } from '../scenario/schema.js';
import { RunLimitError } from '../model/run-limit.js';
import { runJob, WORKER_ROLE, type JobMessage, type JobRun, type WorkerMessage } from './worker.js';

export type { JobRun } from './worker.js';

export interface RunJob {
  /** Names the run in errors and progress: the grid point or plan value and the replication. */
  label: string;
  scenario: Scenario;
}

export interface PoolProgress {
  /** Jobs finished in this batch. */
  done: number;
  total: number;
  /** Per job of the batch, the fraction of its simulated time done (1 when finished). */
  fractions: readonly number[];
  /** Sum of `fractions` / total: the batch's overall progress, for a bar. */
  fraction: number;
}

export interface BatchOptions {
  onProgress?: (progress: PoolProgress) => void;
}

/** A job of a batch failed; the batch stopped. `message` is the simulation's own. */
export class RunFailedError extends Error {
  constructor(
    readonly label: string,
    readonly causeName: string,
    readonly causeMessage: string,
    readonly causeStack?: string,
  ) {
    super(`run ${label} failed: ${causeMessage}`);
    this.name = 'RunFailedError';
  }
}

/** What a runner's batches cost so far: the runs' own time against the wall time they took. */
export interface PoolUsage {
  /** Runs finished. */
  runs: number;
  /** Sum of the runs' simulate() wall times, ms. */
  runMs: number;
  /** Wall time with a batch in progress, ms. */
  wallMs: number;
}

export interface Runner {
  /** How many jobs run at once. */
  readonly size: number;
  /** Totals over every batch so far (wall-clock figures for the terminal, never for a report). */
  readonly usage: PoolUsage;
  /** Runs every job; `onResult` is called as each finishes, in completion order, with its job index. */
  each(jobs: readonly RunJob[], onResult: (index: number, run: JobRun) => void, options?: BatchOptions): Promise<void>;
  /** Runs every job and returns the runs in job order. */
  run(jobs: readonly RunJob[], options?: BatchOptions): Promise<JobRun[]>;
  /** Stops the workers. The pool may not be used afterwards. */
  close(): Promise<void>;
}

/** A pool of `size` workers (default: every core); size 1 runs inline. */
export function createPool(size: number = os.availableParallelism()): Runner {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`pool size must be an integer >= 1, got ${size}`);
  return size === 1 ? new InlineRunner() : new WorkerPool(size);
}

abstract class BatchRunner implements Runner {
  abstract readonly size: number;
  /** Batches run one after the other: a second caller waits for the first batch to end. */
  private tail: Promise<unknown> = Promise.resolve();
  protected closed = false;
  readonly usage: PoolUsage = { runs: 0, runMs: 0, wallMs: 0 };

  each(jobs: readonly RunJob[], onResult: (index: number, run: JobRun) => void, options: BatchOptions = {}): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the pool is closed'));
    const counted = (i: number, run: JobRun) => {
      this.usage.runs++;
      this.usage.runMs += run.wallMs;
      onResult(i, run);
    };
    const batch = this.tail.then(async () => {
      const t0 = performance.now();
      try {
        await this.batch(jobs, counted, options.onProgress);
      } finally {
        this.usage.wallMs += performance.now() - t0;
      }
    });
    this.tail = batch.catch(() => undefined);
    return batch;
  }

  async run(jobs: readonly RunJob[], options: BatchOptions = {}): Promise<JobRun[]> {
    const runs: JobRun[] = new Array(jobs.length);
    await this.each(jobs, (i, r) => (runs[i] = r), options);
    return runs;
  }

  protected abstract batch(jobs: readonly RunJob[], onResult: (index: number, run: JobRun) => void, onProgress?: (p: PoolProgress) => void): Promise<void>;

  abstract close(): Promise<void>;
}

/** Tracks per-job fractions and reports the batch's progress. */
class Progress {
  readonly fractions: number[];
  done = 0;

  constructor(
    total: number,
    private readonly report?: (p: PoolProgress) => void,
  ) {
    this.fractions = new Array(total).fill(0);
  }

  set(index: number, fraction: number, finished = false): void {
    this.fractions[index] = finished ? 1 : Math.min(fraction, 1);
    if (finished) this.done++;
    if (!this.report) return;
    const total = this.fractions.length;
    let sum = 0;
    for (const f of this.fractions) sum += f;
    this.report({ done: this.done, total, fractions: this.fractions, fraction: total === 0 ? 1 : sum / total });
  }
}

class InlineRunner extends BatchRunner {
  readonly size = 1;

  protected async batch(jobs: readonly RunJob[], onResult: (index: number, run: JobRun) => void, onProgress?: (p: PoolProgress) => void): Promise<void> {
    const progress = new Progress(jobs.length, onProgress);
    for (let i = 0; i < jobs.length; i++) {
      // Let timers and signals through between runs, as a worker pool would.
      await new Promise((resolve) => setImmediate(resolve));
      let run: JobRun;
      try {
        run = runJob(jobs[i].scenario, (f) => progress.set(i, f));
      } catch (err) {
        if (err instanceof RunLimitError) throw new RunLimitError(err.limit, jobs[i].label);
        const e = err instanceof Error ? err : new Error(String(err));
        throw new RunFailedError(jobs[i].label, e.name, e.message, e.stack);
      }
      onResult(i, run);
      progress.set(i, 1, true);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

interface Slot {
  worker: Worker;
  /** The job index it is running, or -1 when idle. */
  job: number;
  /** Stopped after a failed batch or by close(): its late messages and its exit mean nothing. */
  retired: boolean;
}

/** What a batch in progress does with a worker's messages and failures. */
interface BatchHandler {
  message(slot: Slot, m: WorkerMessage): void;
  crashed(slot: Slot, err: Error): void;
}

const moduleUrl = import.meta.url;
const fromSource = new URL(moduleUrl).pathname.endsWith('.ts');

function startWorker(): Worker {
  const workerData = { role: WORKER_ROLE, entry: new URL('./worker.ts', moduleUrl).href };
  return fromSource
    ? new Worker(new URL('./boot.mjs', moduleUrl), { workerData })
    : new Worker(new URL('./worker.js', moduleUrl), { workerData });
}

class WorkerPool extends BatchRunner {
  private slots: Slot[] = [];
  private handler: BatchHandler | undefined;

  constructor(readonly size: number) {
    super();
  }

  private slot(): Slot {
    const slot: Slot = { worker: startWorker(), job: -1, retired: false };
    slot.worker.on('message', (m: WorkerMessage) => {
      if (!slot.retired) this.handler?.message(slot, m);
    });
    slot.worker.on('error', (err) => {
      if (!slot.retired) this.handler?.crashed(slot, err);
    });
    slot.worker.on('exit', (code) => {
      if (slot.retired) return;
      // A dead worker never takes another job; if it was running one, the batch fails.
      slot.retired = true;
      this.slots = this.slots.filter((s) => s !== slot);
      if (slot.job >= 0) this.handler?.crashed(slot, new Error(`a worker thread exited unexpectedly (code ${code})`));
    });
    slot.worker.unref();
    return slot;
  }

  protected batch(jobs: readonly RunJob[], onResult: (index: number, run: JobRun) => void, onProgress?: (p: PoolProgress) => void): Promise<void> {
    if (jobs.length === 0) return Promise.resolve();
    while (this.slots.length < Math.min(this.size, jobs.length)) this.slots.push(this.slot());
    const progress = new Progress(jobs.length, onProgress);
    let next = 0;
    return new Promise<void>((resolve, reject) => {
      const finish = (err?: Error) => {
        this.handler = undefined;
        for (const s of this.slots) s.worker.unref();
        if (err) {
          // Workers may still be running jobs of the failed batch: stop them all; the next batch
          // starts fresh ones.
          for (const s of this.retire()) void s.worker.terminate();
          reject(err);
        } else resolve();
      };
      const dispatch = (slot: Slot) => {
        if (next >= jobs.length) {
          slot.job = -1;
          slot.worker.unref();
          return;
        }
        slot.job = next++;
        slot.worker.ref();
        slot.worker.postMessage({ index: slot.job, scenario: jobs[slot.job].scenario } satisfies JobMessage);
      };
      this.handler = {
        message: (slot, m) => {
          if (m.kind === 'progress') {
            progress.set(m.index, m.fraction);
          } else if (m.kind === 'error') {
            const label = jobs[m.index].label;
            finish(m.limit !== undefined ? new RunLimitError(m.limit, label) : new RunFailedError(label, m.name, m.message, m.stack));
          } else {
            try {
              onResult(m.index, { result: m.result, wallMs: m.wallMs });
            } catch (err) {
              finish(err instanceof Error ? err : new Error(String(err)));
              return;
            }
            progress.set(m.index, 1, true);
            if (progress.done === jobs.length) finish();
            else dispatch(slot);
          }
        },
        crashed: (slot, err) => {
          const label = slot.job >= 0 ? jobs[slot.job].label : 'worker start-up';
          finish(new RunFailedError(label, err.name, err.message, err.stack));
        },
      };
      for (const s of this.slots) dispatch(s);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.retire().map((s) => s.worker.terminate()));
  }

  private retire(): Slot[] {
    const stopping = this.slots;
    this.slots = [];
    for (const s of stopping) s.retired = true;
    return stopping;
  }
}

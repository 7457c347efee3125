/**
 * One run of a study, and the loop a worker thread runs to serve a pool (pool.ts).
 *
 * `runJob` is what every run of a study goes through, in a worker or inline when the pool has
 * one slot, so both give the same RunResult. The message loop at the bottom starts only in a
 * thread the pool created (it passes `role` in workerData): this module is also imported by
 * pool.ts on the main thread, which keeps it in the CLI's import graph and so in the dist/ build.
 */
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
// Phases 3-5 of a run (src/run.ts), which drives this pool: imported from the model itself, so
// the pool and run.ts do not import each other.
import { simulate } from '../model/simulate.js';
import type { Scenario } from '../scenario/schema.js';
import type { RunResult } from '../metrics/result.js';
import { RunLimitError, type BlockedLimit } from '../model/run-limit.js';

export const WORKER_ROLE = 'lagsim-run-worker';

/** Pool -> worker: run this scenario; `index` is the pool's slot for the answer. */
export interface JobMessage {
  index: number;
  scenario: Scenario;
}

/** Worker -> pool. Progress is posted only when the whole percentage changes; a run stopped by its limit posts the limit's data. */
export type WorkerMessage =
  | { kind: 'progress'; index: number; fraction: number }
  | { kind: 'done'; index: number; result: RunResult; wallMs: number }
  | { kind: 'error'; index: number; name: string; message: string; stack?: string; limit?: BlockedLimit };

export interface JobRun {
  result: RunResult;
  /** Wall-clock time of simulate() alone, ms: what the run cost, not what the pool added. */
  wallMs: number;
}

export function runJob(scenario: Scenario, onProgress?: (fraction: number) => void): JobRun {
  const t0 = performance.now();
  const result = simulate(scenario, { onProgress });
  return { result, wallMs: performance.now() - t0 };
}

function serve(port: MessagePort): void {
  port.on('message', (job: JobMessage) => {
    let percent = -1;
    const onProgress = (f: number) => {
      const p = Math.floor(f * 100);
      if (p !== percent) {
        percent = p;
        port.postMessage({ kind: 'progress', index: job.index, fraction: f } satisfies WorkerMessage);
      }
    };
    let answer: WorkerMessage;
    try {
      const { result, wallMs } = runJob(job.scenario, onProgress);
      answer = { kind: 'done', index: job.index, result, wallMs };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      answer = { kind: 'error', index: job.index, name: e.name, message: e.message, stack: e.stack, limit: e instanceof RunLimitError ? e.limit : undefined };
    }
    port.postMessage(answer);
  });
}

if (!isMainThread && parentPort && (workerData as { role?: string } | null)?.role === WORKER_ROLE) serve(parentPort);

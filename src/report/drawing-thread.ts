/**
 * The thread that draws a report's charts (the entry drawing.ts starts it with).
 *
 * It loads vega, vega-lite and resvg (~300 modules, ~0.35 s) as it starts, so a caller that
 * starts it early (the CLI, before it simulates) finds it ready when the charts come. It does not
 * draw warm-up charts meanwhile: measured, a warm-up saved the real charts about as much CPU time
 * as it cost, and during a run the CPU it takes is the simulation's.
 *
 * The caller sends a chart only when the thread says it is ready, so with several drawing threads
 * each chart goes to the first one free; each chart's PNG is rasterised on libuv's thread pool
 * while the next one is drawn (draw.ts).
 */
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import { drawChart, type DrawnChart } from './draw.js';

export const DRAWING_THREAD_ROLE = 'lagsim-drawing-thread';

export interface DrawingThreadData {
  role: typeof DRAWING_THREAD_ROLE;
  /** This module's URL, for the loader that runs it from the TypeScript sources (study/boot.mjs). */
  entry: string;
}

/** Caller -> thread: draw this spec; `id` names the answer. */
export interface DrawRequest {
  id: number;
  spec: TopLevelSpec;
}

/**
 * Thread -> caller. `ready` when the thread can take a chart: once loaded, then each time a
 * chart's SVG is drawn (its PNG goes on elsewhere); `done` or `error` when that chart is finished.
 */
export type DrawAnswer =
  | { kind: 'ready' }
  | { kind: 'done'; id: number; chart: DrawnChart }
  | { kind: 'error'; id: number; name: string; message: string; stack?: string };

function serve(port: MessagePort): void {
  port.on('message', (request: DrawRequest) => {
    const { drawn, chart } = drawChart(request.spec);
    const ready = () => port.postMessage({ kind: 'ready' } satisfies DrawAnswer);
    drawn.then(ready, ready);
    chart.then(
      (c) => port.postMessage({ kind: 'done', id: request.id, chart: c } satisfies DrawAnswer),
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        port.postMessage({ kind: 'error', id: request.id, name: e.name, message: e.message, stack: e.stack } satisfies DrawAnswer);
      },
    );
  });
  port.postMessage({ kind: 'ready' } satisfies DrawAnswer);
}

if (!isMainThread && parentPort && (workerData as { role?: string } | null)?.role === DRAWING_THREAD_ROLE) serve(parentPort);

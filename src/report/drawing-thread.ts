/**
 * The thread that draws a report's charts (the entry drawing.ts starts it with).
 *
 * It loads vega, vega-lite and resvg and then draws a small chart of every kind the reports use
 * (warm-up.ts) and throws it away, so that by the time the real charts come the modules are
 * loaded and their code compiled: the CLI starts this thread before it simulates, and the
 * simulation (synchronous work on its own thread) leaves the rest of the machine to it.
 *
 * The caller sends a chart only when the thread says it is ready, so with several drawing threads
 * each chart goes to the first one free; each chart's PNG is rasterised on libuv's thread pool
 * while the next one is drawn (draw.ts).
 */
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import { drawChart, type DrawnChart } from './draw.js';
import { warmUpSpecs } from './warm-up.js';

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
 * Thread -> caller. `ready` when the thread can take a chart: once warmed up, then each time a
 * chart's SVG is drawn (its PNG goes on elsewhere); `done` or `error` when that chart is finished.
 */
export type DrawAnswer =
  | { kind: 'ready' }
  | { kind: 'done'; id: number; chart: DrawnChart }
  | { kind: 'error'; id: number; name: string; message: string; stack?: string };

async function serve(port: MessagePort): Promise<void> {
  // A failure in the warm-up is not the report's: a real chart would show it again.
  for (const spec of warmUpSpecs()) await drawChart(spec).chart.catch(() => undefined);
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

if (!isMainThread && parentPort && (workerData as { role?: string } | null)?.role === DRAWING_THREAD_ROLE) void serve(parentPort);

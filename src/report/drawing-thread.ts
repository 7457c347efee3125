/**
 * The thread that draws a report's charts (the entry drawing.ts starts it with).
 *
 * It loads vega, vega-lite and resvg and then draws a small chart of every kind the reports use
 * (warm-up.ts) and throws it away, so that by the time the real charts come the modules are
 * loaded and their code compiled: the CLI starts this thread before it simulates, and the
 * simulation (synchronous work on its own thread) leaves the rest of the machine to it.
 *
 * Charts are drawn one at a time in the order they come; each one's PNG is rasterised on libuv's
 * thread pool while the next one is drawn (draw.ts).
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

/** Thread -> caller. */
export type DrawAnswer = { kind: 'done'; id: number; chart: DrawnChart } | { kind: 'error'; id: number; name: string; message: string; stack?: string };

function serve(port: MessagePort): void {
  // The thread is free for the next chart once a chart's SVG is drawn (its PNG goes on elsewhere).
  let free: Promise<void> = Promise.resolve();
  const draw = (spec: TopLevelSpec): Promise<DrawnChart> => {
    const next = free.then(() => drawChart(spec));
    free = next.then((d) => d.drawn).catch(() => undefined);
    return next.then((d) => d.chart);
  };
  // Warm-up first; a failure there is not the report's, and a real chart would show it again.
  for (const spec of warmUpSpecs()) draw(spec).catch(() => undefined);
  port.on('message', (request: DrawRequest) => {
    draw(request.spec).then(
      (chart) => {
        port.postMessage({ kind: 'done', id: request.id, chart } satisfies DrawAnswer);
      },
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        port.postMessage({ kind: 'error', id: request.id, name: e.name, message: e.message, stack: e.stack } satisfies DrawAnswer);
      },
    );
  });
}

if (!isMainThread && parentPort && (workerData as { role?: string } | null)?.role === DRAWING_THREAD_ROLE) serve(parentPort);

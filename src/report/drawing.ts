/**
 * Where a report's charts are drawn: on this thread (the default; vega is loaded on first use),
 * or on a thread of their own that a caller starts ahead of time (the CLI starts it before it
 * simulates, so vega loads while the run goes on, and charts are drawn beside the rest of the
 * report afterwards). Either way each chart is drawn by draw.ts, so the files are the
 * same bytes: vega's only process-wide state that reaches an output (the SVG gradient and clip
 * ids) is renumbered per chart (render.ts), and the text measurer is set in each thread.
 *
 * This module loads neither vega nor the drawing thread's code: importing the report's modules
 * (index.ts) stays cheap for a thread that does not draw.
 */
import { Worker } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import type { OutputFile } from './atomic.js';
import type { Chart } from './charts.js';
import type { DrawnChart } from './draw.js';
import type { DrawAnswer, DrawingThreadData, DrawRequest } from './drawing-thread.js';

export interface ChartDrawer {
  draw(spec: TopLevelSpec): Promise<DrawnChart>;
}

/** Draws on this thread, one chart after the other (each PNG is rasterised while the next is drawn). */
export function drawHere(): ChartDrawer {
  let free: Promise<void> = Promise.resolve();
  return {
    draw(spec) {
      const next = free.then(async () => (await import('./draw.js')).drawChart(spec));
      free = next.then((d) => d.drawn).catch(() => undefined);
      return next.then((d) => d.chart);
    },
  };
}

/** Drawers on threads of their own; `close` stops the threads (charts not yet drawn fail). */
export interface DrawingThreads extends ChartDrawer {
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  /** The thread said it can take a chart and has not been given one since. */
  ready: boolean;
}

/**
 * Starts `count` drawing threads now: they load vega while the caller goes on. Each chart goes
 * to the first thread ready for one, in the order they were asked for. Idle threads do not keep
 * the process alive; threads with charts to draw do.
 */
export function startDrawingThreads(count: number): DrawingThreads {
  const queue: DrawRequest[] = [];
  const pending = new Map<number, { resolve: (chart: DrawnChart) => void; reject: (err: Error) => void }>();
  let next = 0;
  let failure: Error | undefined;
  const slots: Slot[] = [];
  const keepAlive = () => {
    for (const s of slots) {
      if (pending.size > 0) s.worker.ref();
      else s.worker.unref();
    }
  };
  const dispatch = () => {
    for (const slot of slots) {
      if (queue.length === 0) break;
      if (!slot.ready) continue;
      slot.ready = false;
      slot.worker.postMessage(queue.shift());
    }
  };
  const failAll = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
    queue.length = 0;
    keepAlive();
  };
  for (let i = 0; i < count; i++) {
    const slot: Slot = { worker: startThread(), ready: false };
    slots.push(slot);
    slot.worker.on('message', (answer: DrawAnswer) => {
      if (answer.kind === 'ready') {
        slot.ready = true;
        dispatch();
        return;
      }
      const p = pending.get(answer.id);
      if (p === undefined) return;
      pending.delete(answer.id);
      keepAlive();
      if (answer.kind === 'done') p.resolve(answer.chart);
      else p.reject(Object.assign(new Error(answer.message), { name: answer.name, stack: answer.stack }));
    });
    slot.worker.on('error', (err) => failAll(err));
    slot.worker.on('exit', (code) => failAll(new Error(`a chart drawing thread exited (code ${code})`)));
  }
  keepAlive();
  return {
    draw(spec) {
      if (failure !== undefined) return Promise.reject(failure);
      const id = next++;
      return new Promise<DrawnChart>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        queue.push({ id, spec });
        keepAlive();
        dispatch();
      });
    },
    async close() {
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

function startThread(): Worker {
  const here = import.meta.url;
  // From the TypeScript sources a worker does not inherit the loader hooks: study/boot.mjs registers tsx first.
  const fromSources = here.endsWith('.ts');
  const entry = new URL(fromSources ? './drawing-thread.ts' : './drawing-thread.js', here);
  const workerData: DrawingThreadData = { role: 'lagsim-drawing-thread', entry: entry.href };
  return new Worker(fromSources ? new URL('../study/boot.mjs', here) : entry, { workerData });
}

/**
 * Draws `charts` with `drawer`, all at once: each chart's files (.svg, .png, .vl.json, in that
 * order) and, in chart order, what report.html embeds for each.
 */
export function drawCharts(charts: readonly Chart[], drawer: ChartDrawer): { files: Promise<OutputFile>[]; pages: Promise<unknown[]> } {
  const drawn = charts.map((chart) => drawer.draw(chart.spec));
  const files = charts.flatMap((chart, i) => [
    drawn[i].then((d): OutputFile => ({ name: `${chart.name}.svg`, content: d.svg })),
    drawn[i].then((d): OutputFile => ({ name: `${chart.name}.png`, content: d.png })),
    drawn[i].then((d): OutputFile => ({ name: `${chart.name}.vl.json`, content: d.vlJson })),
  ]);
  return { files, pages: Promise.all(drawn).then((all) => all.map((d) => d.page)) };
}

/**
 * Where a report's charts are drawn: on this thread (the default; vega is loaded on first use),
 * or on a thread of their own that a caller starts ahead of time (the CLI starts it before it
 * simulates, so vega loads and warms up while the run goes on, and charts are drawn beside the
 * rest of the report afterwards). Either way each chart is drawn by draw.ts, so the files are the
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

/** A drawer on a thread of its own; `close` stops the thread (charts not yet drawn fail). */
export interface DrawingThread extends ChartDrawer {
  close(): Promise<void>;
}

/** Young generation of the drawing thread: drawing allocates a lot that dies young (specs, scenegraphs, SVG text). */
const YOUNG_GENERATION_MB = 48;

/**
 * Starts the drawing thread now: it loads vega and warms up while the caller goes on. An idle
 * thread does not keep the process alive; one with charts to draw does.
 */
export function startDrawingThread(): DrawingThread {
  const here = import.meta.url;
  // From the TypeScript sources a worker does not inherit the loader hooks: study/boot.mjs registers tsx first.
  const fromSources = here.endsWith('.ts');
  const entry = new URL(fromSources ? './drawing-thread.ts' : './drawing-thread.js', here);
  const workerData: DrawingThreadData = { role: 'lagsim-drawing-thread', entry: entry.href };
  const worker = new Worker(fromSources ? new URL('../study/boot.mjs', here) : entry, {
    workerData,
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  worker.unref();
  const pending = new Map<number, { resolve: (chart: DrawnChart) => void; reject: (err: Error) => void }>();
  let next = 0;
  let failure: Error | undefined;
  const failAll = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    worker.unref();
  };
  worker.on('message', (answer: DrawAnswer) => {
    const p = pending.get(answer.id);
    if (p === undefined) return;
    pending.delete(answer.id);
    if (pending.size === 0) worker.unref();
    if (answer.kind === 'done') p.resolve(answer.chart);
    else p.reject(Object.assign(new Error(answer.message), { name: answer.name, stack: answer.stack }));
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new Error(`the chart drawing thread exited (code ${code})`)));
  return {
    draw(spec) {
      if (failure !== undefined) return Promise.reject(failure);
      const id = next++;
      return new Promise<DrawnChart>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, spec } satisfies DrawRequest);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
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

/**
 * Drawing one chart of a report: everything made from its Vega-Lite spec, on whichever thread
 * runs this module (drawing.ts decides which).
 *
 * Phases, per chart:
 *   1. compile the spec and draw it to SVG (render.ts);
 *   2. hand the SVG to resvg, which rasterises it on libuv's thread pool while this thread goes on;
 *   3. meanwhile compile the spec with tooltips for report.html (html.ts), and lay out its .vl.json;
 *   4. the chart is done when its PNG is.
 * This module loads vega, vega-lite and resvg (~300 modules), so only the thread that draws
 * imports it.
 */
import type { TopLevelSpec } from 'vega-lite';
import { pageSpec } from './html.js';
import { prettyJson } from './json.js';
import { compileChart, renderSvg, svgToPng } from './render.js';

/** One chart drawn: the contents of its three files and what report.html embeds for it. */
export interface DrawnChart {
  svg: string;
  png: Uint8Array;
  vlJson: string;
  /** The chart as report.html carries it: compiled to Vega with tooltips, large datasets as CSV. */
  page: unknown;
}

/**
 * Draws `spec`. The promise settles once the PNG is done, but this thread is free again as soon
 * as the SVG and the page spec are (`drawn` says when), so a caller drawing many charts can start
 * the next one while resvg works on this one's PNG.
 */
export function drawChart(spec: TopLevelSpec): { drawn: Promise<void>; chart: Promise<DrawnChart> } {
  const parts = (async () => {
    // Warnings from compiling or drawing are not fatal to a report; tests keep them at none.
    const { svg } = await renderSvg(compileChart(spec).vega);
    const png = svgToPng(svg);
    // Until `chart` is awaited, a failure must not count as an unhandled rejection.
    png.catch(() => undefined);
    const page = pageSpec(spec, compileChart);
    return { svg, png, page, vlJson: prettyJson(spec) };
  })();
  const drawn = parts.then(() => undefined);
  drawn.catch(() => undefined);
  return { drawn, chart: parts.then(async ({ png, ...rest }) => ({ ...rest, png: await png })) };
}

/**
 * Vega-Lite spec -> SVG -> PNG, with no browser, byte-identical from run to run.
 *
 * Phases:
 *   1. compile the Vega-Lite spec to Vega, collecting the compiler's warnings (never printed);
 *   2. run a headless vega View (renderer 'none') and serialise its scenegraph with toSVG();
 *   3. renumber the SVG's gradient and clip-path ids, which vega takes from process-wide
 *      counters, so a chart's SVG does not depend on what was rendered before it;
 *   4. rasterise with resvg, given DejaVu Sans Regular and Bold explicitly: resvg draws no text
 *      at all without fonts and does not say so, and system fonts would differ between machines.
 *
 * Text widths for layout come from DejaVu Sans's own advance widths (text-metrics.ts), never from
 * a canvas: if the optional `canvas` package were installed, vega would silently measure with the
 * system's fonts and the output would change from machine to machine.
 *
 * chartFiles makes the three files every report writes for a chart.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { OutputFile } from './atomic.js';
import type { Chart } from './charts.js';
import { prettyJson } from './json.js';
import { vegaTextWidth } from './text-metrics.js';

export interface CompiledChart {
  vega: vega.Spec;
  /** Vega-Lite's warnings; a chart built by this module should have none (tests check). */
  warnings: string[];
}

export function compileChart(spec: TopLevelSpec): CompiledChart {
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const { spec: compiled } = compile(spec, { logger });
  return { vega: compiled, warnings };
}

export interface RenderedSvg {
  svg: string;
  /** vega's runtime warnings; none for a chart built by this module (tests check). */
  warnings: string[];
}

/** Draws a compiled chart to SVG text. vega's errors throw; its warnings are returned. */
export async function renderSvg(compiled: vega.Spec): Promise<RenderedSvg> {
  useDejaVuTextMetrics();
  const warnings: string[] = [];
  const view = new vega.View(vega.parse(compiled), {
    renderer: 'none',
    logger: collectingLogger(warnings),
    // Data is inline; a spec that asks to load anything is a bug, not a reason to touch the disk or network.
    loader: refusingLoader(),
  });
  try {
    return { svg: renumberSvgIds(await view.toSVG()), warnings };
  } finally {
    view.finalize();
  }
}

/**
 * Rewrites `id="gradient_7"` / `url(#clip3)` style references to numbers counted from 1 in order
 * of first appearance. Only id attributes and url(#...) references are touched, never text.
 */
export function renumberSvgIds(svg: string): string {
  const ids = new Map<string, string>();
  const rename = (kind: 'gradient' | 'clip', n: string): string => {
    const key = kind + n;
    let renamed = ids.get(key);
    if (renamed === undefined) {
      const count = [...ids.keys()].filter((k) => k.startsWith(kind)).length + 1;
      renamed = String(count);
      ids.set(key, renamed);
    }
    return renamed;
  };
  return svg.replace(
    /(id="|url\(#)(p_)?(gradient_|clip)(\d+)/g,
    (_, prefix: string, pattern: string | undefined, kind: string, n: string) =>
      prefix + (pattern ?? '') + kind + rename(kind === 'clip' ? 'clip' : 'gradient', n),
  );
}

export type FontChoice = 'dejavu' | 'none';

/** Rasterises an SVG at its own size. `fonts: 'none'` exists so tests can show that text is drawn. */
export async function svgToPng(svg: string, fonts: FontChoice = 'dejavu'): Promise<Buffer> {
  const options: ResvgRenderOptions = {
    fitTo: { mode: 'original' },
    logLevel: 'off',
    font:
      fonts === 'dejavu'
        ? {
            loadSystemFonts: false,
            fontFiles: dejaVuFontFiles(),
            defaultFontFamily: 'DejaVu Sans',
            sansSerifFamily: 'DejaVu Sans',
          }
        : { loadSystemFonts: false, fontFiles: [] },
  };
  const image = await renderAsync(svg, options);
  return image.asPng();
}

/** DejaVu Sans Regular and Bold from the dejavu-fonts-ttf package (titles are bold). */
export function dejaVuFontFiles(): string[] {
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return [path.join(dir, 'DejaVuSans.ttf'), path.join(dir, 'DejaVuSans-Bold.ttf')];
}

/** vega's text measurer as exported at runtime (its typings do not declare it). */
interface VegaTextMetrics {
  width: (item: object, text: unknown) => number;
}

/**
 * Points vega's measurer at DejaVu's widths. vega keeps it in one module-wide object, so this is
 * a process-wide setting; it is the same function on every call, so setting it again is harmless.
 */
function useDejaVuTextMetrics(): void {
  (vega as unknown as { textMetrics: VegaTextMetrics }).textMetrics.width = vegaTextWidth;
}

function collectingLogger(into: string[]): vega.LoggerInterface {
  let level = vega.Warn;
  const logger = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error(...args: readonly unknown[]) {
      throw new Error(args.map(String).join(' '));
    },
    warn(...args: readonly unknown[]) {
      into.push(args.map(String).join(' '));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger as unknown as vega.LoggerInterface;
}

function refusingLoader(): vega.Loader {
  const refuse = async (uri: string): Promise<never> => {
    throw new Error(`chart spec tried to load ${uri}; report charts carry their data inline`);
  };
  return { load: refuse, sanitize: refuse, http: refuse, file: refuse } as unknown as vega.Loader;
}

/**
 * A chart's files: `<name>.svg`, `<name>.png` and `<name>.vl.json` (the spec with its data).
 * The SVG is drawn on this thread before it returns; the PNG is rasterised on libuv's thread
 * pool while the caller goes on to its next chart, and its failure is the caller's to await.
 */
export async function chartFiles(chart: Chart): Promise<[OutputFile, Promise<OutputFile>, OutputFile]> {
  // Warnings from compiling or drawing are not fatal to a report; tests keep them at none.
  const { svg } = await renderSvg(compileChart(chart.spec).vega);
  const png = svgToPng(svg).then((content) => ({ name: `${chart.name}.png`, content }));
  // Until the caller awaits it, a failure must not count as an unhandled rejection.
  png.catch(() => undefined);
  return [{ name: `${chart.name}.svg`, content: svg }, png, { name: `${chart.name}.vl.json`, content: prettyJson(chart.spec) }];
}

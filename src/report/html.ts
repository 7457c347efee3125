/**
 * report.html: the report as one self-contained page that works offline from file://, with every
 * chart interactive (tooltips on lines, heat-map cells and event marks).
 *
 * Phases:
 *   1. each chart's Vega-Lite spec gets tooltip layers (interactiveSpec) and is compiled to Vega
 *      (pageSpec), so the page needs only vega's runtime, not the Vega-Lite compiler (~520 KB, not
 *      ~830); a chart drawn already (drawing.ts) comes compiled, any other is compiled here;
 *   2. the page is written: tables and text, every piece of scenario text HTML-escaped; one empty
 *      container per chart;
 *   3. the compiled specs go in one JSON script tag (`<` written as \u003c, so no text in them
 *      can close the tag), then vega's minified UMD build from node_modules, inlined, then a
 *      small script that draws each chart with vega's SVG renderer and its built-in tooltip
 *      handler (the browser's own tooltip), and marks each container rendered or failed.
 * No CDN, no clock, no randomness: the same input gives the same bytes.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { Table } from './tables.js';

/** A chart as the page shows it. */
export interface HtmlChart {
  name: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
  /** `pageSpec(spec)`, when the chart has been compiled already. */
  page?: unknown;
}

export interface HtmlPage {
  /** The page title, as plain text. */
  title: string;
  /** The page body in order: HTML from the helpers below (htmlTable, paragraph, chartSection...). */
  body: string[];
  /** Every chart that a chartSection in `body` refers to. */
  charts: readonly HtmlChart[];
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** One line of scenario text for a table cell: whitespace runs become one space (htmlTable escapes). */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function heading(level: 1 | 2 | 3, text: string): string {
  return `<h${level}>${escapeHtml(oneLine(text))}</h${level}>`;
}

export function paragraph(text: string, className?: string): string {
  return `<p${className === undefined ? '' : ` class="${className}"`}>${escapeHtml(text)}</p>`;
}

/** Free text (a scenario's description) as a quote, one paragraph per blank-line-separated block. */
export function quote(text: string): string {
  const blocks = text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n\s*\n/)
    .map((block) => `<p>${block.split('\n').map(escapeHtml).join('<br>')}</p>`);
  return `<blockquote>${blocks.join('')}</blockquote>`;
}

/** A table; every cell is escaped here, so rows hold plain text. */
export function htmlTable({ header, rows, align = [] }: Table, className?: string): string {
  const cls = (i: number) => ((align[i] ?? 'left') === 'right' ? ' class="num"' : '');
  const head = `<tr>${header.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${escapeHtml(c)}</td>`).join('')}</tr>`);
  return `<table${className === undefined ? '' : ` class="${className}"`}>\n<thead>${head}</thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

/** A bulleted list of plain-text items. */
export function list(items: readonly string[]): string {
  return `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
}

/**
 * The container and caption of one chart; the chart must be in the page's `charts`. No heading:
 * the chart draws its own title.
 */
export function chartSection(chart: HtmlChart): string {
  const id = chartId(chart.name);
  return [
    `<section class="chart" id="${id}">`,
    `<div class="view" data-chart="${escapeHtml(chart.name)}" role="img" aria-label="${escapeHtml(chart.title)}"></div>`,
    paragraph(chart.caption, 'caption'),
    '</section>',
  ].join('\n');
}

function chartId(name: string): string {
  return 'chart-' + name.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** The whole page. Reads vega's UMD build from node_modules. */
export async function renderHtml(page: HtmlPage): Promise<string> {
  const specs: Record<string, unknown> = {};
  for (const chart of page.charts) specs[chart.name] = chart.page ?? pageSpec(chart.spec, (await import('./render.js')).compileChart);
  const vega = await vegaRuntime();
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="lagsim">',
    `<title>${escapeHtml(oneLine(page.title))}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...page.body,
    '</main>',
    `<script type="application/json" id="lagsim-charts">${jsonForScript(specs)}</script>`,
    `<script>${scriptText(vega.source)}</script>`,
    `<script>${BOOTSTRAP}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * A chart as the page carries it: with tooltips, compiled to Vega by `compile` (render.ts's
 * compileChart; passed in, so that this module does not load vega), large datasets as CSV.
 */
export function pageSpec(spec: TopLevelSpec, compile: (spec: TopLevelSpec) => { vega: unknown }): unknown {
  return compactData(compile(interactiveSpec(spec)).vega);
}

/**
 * JSON that cannot end its script tag early: `<` (the start of `</script>` or `<!--`) and the two
 * line separators JavaScript once rejected are written as \u escapes, which JSON.parse reads back.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * Code inlined in a script element: `</script` would end the element, so it is written `<\/script`,
 * which means the same inside JavaScript strings and regular expressions. vega's build has none
 * today; this guards a future version.
 */
export function scriptText(code: string): string {
  if (code.includes('<!--')) throw new Error('inlined script contains "<!--", which HTML parses specially; refusing to inline it');
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

interface VegaRuntime {
  version: string;
  source: string;
}

/** vega's minified UMD build (defines the global `vega`), from the installed package. */
async function vegaRuntime(): Promise<VegaRuntime> {
  const require = createRequire(import.meta.url);
  // vega's package exports only its module entry; the UMD build sits beside it in build/.
  const buildDir = path.dirname(require.resolve('vega'));
  const source = await readFile(path.join(buildDir, 'vega.min.js'), 'utf8');
  const version = /\bversion="([^"]+)"/.exec(source)?.[1] ?? 'unknown';
  return { version, source: `/* vega ${version}, BSD-3-Clause, https://vega.github.io */\n${source}` };
}

/** Datasets smaller than this stay JSON: CSV saves little on a few rows. */
const COMPACT_MIN_ROWS = 50;

/**
 * The compiled spec with each large inline dataset written as CSV text that vega parses itself
 * (`format: {type: 'csv', parse: {...}}`) instead of an array of objects: the keys are not repeated
 * on every row, so a page's data is about a third the size. A dataset is left as JSON unless every
 * column is all numbers (or null, an empty cell) or all non-empty strings, which CSV reads back
 * exactly; vega's number parser reads an empty cell as null.
 */
export function compactData<T>(spec: T): T {
  const copy = JSON.parse(JSON.stringify(spec)) as { data?: Json[] };
  for (const data of copy.data ?? []) {
    const values = data.values;
    if (!Array.isArray(values) || values.length < COMPACT_MIN_ROWS) continue;
    if (data.format !== undefined && Object.keys(data.format as Json).length > 0) continue;
    const csv = toCsv(values as unknown[]);
    if (csv === undefined) continue;
    data.values = csv.text;
    data.format = { type: 'csv', parse: csv.parse };
  }
  return copy as T;
}

function toCsv(rows: readonly unknown[]): { text: string; parse: Record<string, 'number'> } | undefined {
  const fields: string[] = [];
  const kind = new Map<string, 'number' | 'string'>();
  for (const row of rows) {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) return undefined;
    for (const [key, value] of Object.entries(row)) {
      const k = value === null ? 'number' : typeof value === 'number' && Number.isFinite(value) ? 'number' : typeof value === 'string' && value !== '' ? 'string' : undefined;
      if (k === undefined) return undefined;
      const seen = kind.get(key);
      if (seen === undefined) {
        kind.set(key, k);
        fields.push(key);
      } else if (seen !== k) return undefined;
    }
  }
  // A string column with a missing or null cell would read back as "", not as missing.
  for (const row of rows as Record<string, unknown>[]) {
    for (const key of fields) {
      if (kind.get(key) === 'string' && typeof row[key] !== 'string') return undefined;
    }
  }
  const cell = (value: unknown) => {
    if (value === null || value === undefined) return '';
    const text = String(value);
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  };
  const lines = [fields.map(cell).join(',')];
  for (const row of rows as Record<string, unknown>[]) lines.push(fields.map((f) => cell(row[f])).join(','));
  const parse: Record<string, 'number'> = {};
  for (const f of fields) if (kind.get(f) === 'number') parse[f] = 'number';
  return { text: lines.join('\n'), parse };
}

// ---------------------------------------------------------------------------------------------
// Tooltips

type Json = Record<string, unknown>;

/**
 * The spec with tooltips for a page: every line gets invisible points carrying its values (a
 * line mark's own tooltip would show one value for the whole line), heat-map cells show their
 * partition, time span and lag, and event rules their label. The static charts (.svg, .png,
 * .vl.json) stay without, so their files hold nothing that does not draw.
 */
export function interactiveSpec(spec: TopLevelSpec): TopLevelSpec {
  return withTooltips(JSON.parse(JSON.stringify(spec)) as Json) as unknown as TopLevelSpec;
}

function withTooltips(spec: Json): Json {
  if (Array.isArray(spec.vconcat)) spec.vconcat = (spec.vconcat as Json[]).map(withTooltips);
  if (Array.isArray(spec.hconcat)) spec.hconcat = (spec.hconcat as Json[]).map(withTooltips);
  if (Array.isArray(spec.layer)) {
    const layers: Json[] = [];
    for (const child of spec.layer as Json[]) {
      const unit = withTooltips(child);
      layers.push(unit);
      const points = linePoints(unit);
      if (points !== undefined) layers.push(points);
    }
    spec.layer = layers;
  }
  const mark = spec.mark as Json | undefined;
  const encoding = spec.encoding as Json | undefined;
  if (mark === undefined || encoding === undefined) return spec;
  const x = encoding.x as Json | undefined;
  if (mark.type === 'rect' && (encoding.color as Json | undefined)?.field !== undefined) {
    // A heat-map cell: its row, its span and its value.
    const color = encoding.color as Json;
    const y = encoding.y as Json;
    const x2 = encoding.x2 as Json | undefined;
    mark.tooltip = true;
    encoding.tooltip = [
      ...(y?.field !== undefined ? [{ field: y.field, type: y.type, title: y.title ?? y.field }] : []),
      ...(x?.field !== undefined ? [{ field: x.field, type: 'quantitative', title: `from, ${String(x.title)}`, format: ',.4~g' }] : []),
      ...(x2?.field !== undefined ? [{ field: x2.field, type: 'quantitative', title: 'to', format: ',.4~g' }] : []),
      { field: color.field, type: 'quantitative', title: color.title ?? color.field, format: ',.4~g' },
    ];
  } else if (mark.type === 'rect' && (encoding.fill as Json | undefined)?.field !== undefined) {
    // A shaded span: what it means, which events, when.
    mark.tooltip = true;
    encoding.tooltip = [
      { field: 'meaning', type: 'nominal', title: 'shaded' },
      { field: 'event', type: 'nominal', title: 'events' },
      { field: 'start', type: 'quantitative', title: `from, ${String(x?.title)}`, format: ',.4~g' },
      { field: 'end', type: 'quantitative', title: 'to', format: ',.4~g' },
    ];
  } else if (mark.type === 'rule' && x?.field !== undefined) {
    mark.tooltip = true;
    encoding.tooltip = [
      { field: 'event', type: 'nominal', title: 'event' },
      { field: x.field, type: 'quantitative', title: String(x.title), format: ',.4~g' },
    ];
  }
  return spec;
}

/** Invisible points over a line layer's samples, each with a tooltip: time, series, value. */
function linePoints(unit: Json): Json | undefined {
  const mark = unit.mark as Json | undefined;
  const encoding = unit.encoding as Json | undefined;
  if (mark?.type !== 'line' || encoding === undefined) return undefined;
  const x = encoding.x as Json;
  const y = encoding.y as Json;
  const color = encoding.color as Json | undefined;
  return {
    data: unit.data,
    ...(unit.transform === undefined ? {} : { transform: unit.transform }),
    mark: { type: 'point', opacity: 0, size: 60, filled: true, tooltip: true },
    encoding: {
      x,
      y,
      tooltip: [
        { field: x.field, type: 'quantitative', title: x.title, format: ',.4~g' },
        ...(color?.field !== undefined ? [{ field: color.field, type: 'nominal', title: 'series' }] : []),
        { field: y.field, type: 'quantitative', title: y.title, format: ',.4~g' },
      ],
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Page furniture

const STYLE = `
:root { color-scheme: light; }
body { margin: 0; background: #f7f7f7; color: #222; font: 15px/1.5 "DejaVu Sans", Verdana, system-ui, sans-serif; }
main { max-width: 860px; margin: 0 auto; padding: 24px 20px 48px; background: white; }
h1 { font-size: 24px; margin: 0 0 12px; }
h2 { font-size: 19px; margin: 32px 0 10px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 24px 0 6px; }
blockquote { margin: 0 0 16px; padding: 4px 14px; border-left: 4px solid #ccc; color: #444; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 14px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.pass { color: #1a7f37; font-weight: bold; }
td.fail { color: #b42318; font-weight: bold; }
.note { color: #555; }
.chart .view { overflow-x: auto; min-height: 60px; }
.chart .view svg { max-width: 100%; height: auto; }
.chart .caption { color: #444; font-size: 14px; font-style: italic; margin-top: 4px; }
.chart .failed { color: #b42318; }
`.trim();

/**
 * Draws every chart container with vega (SVG renderer, vega's own tooltip handler: the browser
 * shows a mark's tooltip as its title). A chart that fails says so in place instead of leaving a
 * blank; each container ends with data-rendered="true" or "failed", and <html> gets
 * data-charts="done" when all have settled (the headless browser test reads these).
 */
const BOOTSTRAP = `
(function () {
  "use strict";
  var specs = JSON.parse(document.getElementById("lagsim-charts").textContent);
  var containers = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
  function failed(el, error) {
    el.setAttribute("data-rendered", "failed");
    var p = document.createElement("p");
    p.className = "failed";
    p.textContent = "This chart could not be drawn: " + (error && error.message ? error.message : String(error));
    el.appendChild(p);
  }
  var pending = containers.map(function (el) {
    var spec = specs[el.getAttribute("data-chart")];
    if (!spec) { failed(el, "no spec for this chart"); return Promise.resolve(); }
    try {
      var view = new vega.View(vega.parse(spec), { renderer: "svg", container: el, hover: true });
      return view.runAsync().then(
        function () { el.setAttribute("data-rendered", "true"); },
        function (error) { failed(el, error); }
      );
    } catch (error) {
      failed(el, error);
      return Promise.resolve();
    }
  });
  Promise.all(pending).then(function () { document.documentElement.setAttribute("data-charts", "done"); });
})();
`.trim();

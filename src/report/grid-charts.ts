/**
 * Charts of configurations laid out on a grid (a sweep): one figure over one knob as a line,
 * one figure over two knobs as a heat map, and the objectives' verdicts as a table of coloured
 * cells. Built from plain cells, with the single-run charts' look (chart-base.ts).
 *
 * - One unit per chart, chosen from the data's range (durations in ms, s, min or h; sizes in
 *   B to GiB), and the same unit in the axis or legend title, on its labels and in every cell's
 *   text: a legend in ms under cells that read "17 min 18 s" is what this avoids.
 * - A cell with no value (a figure the run did not measure: lag that never drained, latency with
 *   no record completed) is drawn hatched, with a legend entry that says why; never "n/a" over
 *   the colour ramp, which would give it a colour it does not have.
 * - The objective on the figure shown, when there is one, is drawn: on a line as a dashed rule
 *   at its bound, labelled with the bound, the points coloured by whether they meet it; on a
 *   heat map as ✓ and ✗ in the cells, the failing ones outlined in red.
 */
import type { TopLevelSpec } from 'vega-lite';
import { chartNumber, COUNT_LABEL, logDomainOf, logTicks, PLOT_WIDTH, specBase, type Chart, type Layer } from './charts.js';
import { withUnit } from './figure-words.js';
import { formatCount, formatWithUnit } from './format.js';

/** One configuration: where it sits on each axis, its figure, and its verdict. */
export interface GridCell {
  x: string | number;
  /** Required on a heat map; absent on a line. */
  y?: string | number;
  /** The figure in the input's `unit`; null if the run did not measure it (drawn hatched). */
  value: number | null;
  /** The 95% confidence interval of the mean, with replications. */
  low?: number;
  high?: number;
  /** Whether the configuration meets the objective drawn (or every objective); undefined if none was set. */
  pass?: boolean;
  /** Why `value` is null, for the legend ("lag never drained before the run ended"); "not measured" if not given. */
  missing?: string;
}

/** An objective on the figure shown, in the figure's unit. */
export interface GridBound {
  value: number;
  comparison: 'at-most' | 'at-least';
  /** The objective in words, as the report names it: "latency p99 <= 5s". */
  objective: string;
}

interface GridFigureInput {
  /** Name of the knob on the x axis, e.g. "instances". */
  xField: string;
  cells: readonly GridCell[];
  /** The figure in words, e.g. "End-to-end latency p99". */
  metric: string;
  /** The figure's unit: 'ms', 's' and 'bytes' (or 'B') are scaled to the data; '%' and anything else (a thing counted, 'records') follow the number. */
  unit: string;
  /** File name without extension. */
  name?: string;
  title?: string;
  /** Said first in the subtitle, e.g. "mean of 3 runs at each point". */
  note?: string;
  /** Which end is good: 'low' (default: lag, latency) or 'high' (throughput). Bad is dark on a heat map. */
  better?: 'low' | 'high';
  /**
   * What the cells' `pass` judges: an objective's name, or "every objective". Defaults to the
   * bound's objective, else every objective.
   */
  judged?: string;
  bound?: GridBound;
}

export interface GridHeatmapInput extends GridFigureInput {
  /** Name of the knob on the y axis, e.g. "max.poll.records". */
  yField: string;
}

export type GridLineInput = GridFigureInput;

/** One cell of a verdicts chart: a configuration (x, y) and what it got. */
export interface GridVerdictCell {
  x: string | number;
  y: string | number;
  verdict: 'pass' | 'pass on average' | 'fail';
  /** What the cell says: "pass", "fails 2 of 4". */
  text: string;
}

export interface GridVerdictsInput {
  xField: string;
  /** What runs down: the second knob, or "objective" for a one-knob sweep's objectives. */
  yField: string;
  cells: readonly GridVerdictCell[];
  name?: string;
  title: string;
  subtitle: string;
}

/** Any chart of a grid, as a sweep report asks for it. */
export type GridChartInput =
  | ({ kind: 'heatmap' } & GridHeatmapInput)
  | ({ kind: 'line' } & GridLineInput)
  | ({ kind: 'verdicts' } & GridVerdictsInput);

export function gridChart(input: GridChartInput): Chart {
  if (input.kind === 'heatmap') return gridHeatmapChart(input);
  if (input.kind === 'line') return gridLineChart(input);
  return gridVerdictsChart(input);
}

const PASS_COLOUR = '#54a24b';
const FAIL_COLOUR = '#d62728';
const LINE_COLOUR = '#4c78a8';
const MISSING_INK = '#8c8c8c';
const GRID_RANGE_LOW_IS_GOOD = ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'];
const VERDICT_COLOURS: Record<GridVerdictCell['verdict'], string> = { pass: '#b7e1a1', 'pass on average': '#fdd49e', fail: '#f4a6a0' };

/** Diagonal stripes for a cell or legend symbol with no value: a hard-stopped gradient, which every SVG renderer draws. */
const HATCH = {
  gradient: 'linear',
  x1: 0,
  y1: 0,
  x2: 1,
  y2: 1,
  stops: Array.from({ length: 12 }, (_, i) => [
    { offset: i / 12, color: i % 2 === 0 ? '#dddddd' : '#f7f7f7' },
    { offset: (i + 1) / 12, color: i % 2 === 0 ? '#dddddd' : '#f7f7f7' },
  ]).flat(),
} as const;

/** The same hatching as a legend symbol: a square with diagonals, as an SVG path on [-1, 1]. */
const HATCH_SYMBOL = 'M-1,-1H1V1H-1Z M-1,0L0,-1 M-1,1L1,-1 M0,1L1,0';

// ---------------------------------------------------------------------------------------------
// Units

/** How a chart writes its values: divide by `per`, write with `text`, title the axis with `title`. */
interface DisplayUnit {
  per: number;
  /** For axis and legend titles: "min", "MiB", "records"; '' for a plain number. */
  title: string;
  text(scaled: number): string;
  /** A Vega label expression, for counts ("120k"); default labels otherwise. */
  labelExpr?: string;
}

const DURATIONS: [string, number][] = [
  ['ms', 0.001],
  ['s', 1],
  ['min', 60],
  ['h', 3600],
];
const SIZES: [string, number][] = [
  ['B', 1],
  ['KiB', 1024],
  ['MiB', 1024 ** 2],
  ['GiB', 1024 ** 3],
];

/** The one unit a chart uses for `values` (given in `unit`): durations and sizes scaled so the largest reads between 1 and ~1000. */
export function displayUnit(unit: string, values: readonly number[]): DisplayUnit {
  const max = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const scaled = (name: string, per: number): DisplayUnit => ({ per, title: name, text: (v) => `${formatCount(v)} ${name}` });
  if (unit === 'ms' || unit === 's') {
    const seconds = unit === 'ms' ? max / 1000 : max;
    // Up to 2 min in seconds and 2 h in minutes: "90 s" reads better than "1.5 min".
    const [name, size] = seconds < 0.9995 ? DURATIONS[0] : seconds < 120 ? DURATIONS[1] : seconds < 7200 ? DURATIONS[2] : DURATIONS[3];
    return scaled(name, unit === 'ms' ? size * 1000 : size);
  }
  if (unit === 'bytes' || unit === 'B') {
    const [name, size] = [...SIZES].reverse().find(([, s]) => max >= s) ?? SIZES[0];
    return scaled(name, size);
  }
  if (unit === '%') return { per: 1, title: '%', text: (v) => `${formatCount(v)}%` };
  return { per: 1, title: unit, text: formatCount, labelExpr: COUNT_LABEL };
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the charts

/** Axis values in their order of first appearance, or ascending when all are numbers. */
function axisOrder(values: readonly (string | number | undefined)[]): string[] {
  const unique = [...new Set(values.filter((v): v is string | number => v !== undefined))];
  const numeric = unique.every((v) => typeof v === 'number');
  return (numeric ? (unique as number[]).sort((a, b) => a - b) : unique).map(String);
}

function comparisonSign(bound: GridBound): string {
  return bound.comparison === 'at-most' ? '≤' : '≥';
}

function judgedOf(input: GridFigureInput): string | undefined {
  return input.judged ?? input.bound?.objective;
}

/** "fails latency p99 <= 5s"; "fails an objective" for every objective. */
function failsText(judged: string): string {
  return judged === 'every objective' ? 'fails an objective' : `fails ${judged}`;
}

/** The reasons the cells give for having no value, in order of first appearance. */
function missingReasons(cells: readonly GridCell[]): string[] {
  return [...new Set(cells.filter((c) => c.value === null).map((c) => `no value: ${c.missing ?? 'not measured'}`))];
}

// ---------------------------------------------------------------------------------------------
// Heat map: a figure over two knobs

/**
 * A heat map of one figure over a grid of two knobs: one cell per configuration, coloured by the
 * figure in one unit, with its value written in; a cell with no value hatched; a cell that fails
 * the objective judged outlined in red and marked ✗, one that meets it marked ✓.
 */
export function gridHeatmapChart(input: GridHeatmapInput): Chart {
  const xs = axisOrder(input.cells.map((c) => c.x));
  const ys = axisOrder(input.cells.map((c) => c.y));
  const measured = input.cells.map((c) => c.value).filter((v): v is number => v !== null);
  const shown = displayUnit(input.unit, measured);
  const lo = measured.length > 0 ? Math.min(...measured) / shown.per : 0;
  const hi = measured.length > 0 ? Math.max(...measured) / shown.per : 1;
  const range = input.better === 'high' ? [...GRID_RANGE_LOW_IS_GOOD].reverse() : GRID_RANGE_LOW_IS_GOOD;
  // Dark cells get white text: the darker 45% of the scale.
  const darkFrom = input.better === 'high' ? lo + (hi - lo) * 0.45 : lo + (hi - lo) * 0.55;
  const reasons = missingReasons(input.cells);
  const judged = judgedOf(input) ?? 'every objective';
  const outline = `✗ ${failsText(judged)}`;
  const rows = input.cells.map((c) => {
    const value = c.value === null ? null : chartNumber(c.value / shown.per);
    const mark = c.pass === undefined ? '' : c.pass ? ' ✓' : ' ✗';
    const dark = value !== null && (input.better === 'high' ? value <= darkFrom : value >= darkFrom) && hi > lo;
    return {
      x: String(c.x),
      y: String(c.y),
      value,
      missing: c.value === null ? `no value: ${c.missing ?? 'not measured'}` : null,
      label: value === null ? '' : shown.text(value) + mark,
      verdict: c.pass === undefined ? 'no objective' : c.pass ? 'pass' : 'fail',
      outline: c.pass === false ? outline : null,
      ink: dark ? 'white' : '#222222',
    };
  });
  const anyVerdict = input.cells.some((c) => c.pass !== undefined);
  const anyFail = input.cells.some((c) => c.pass === false);
  const cellWidth = Math.max(60, Math.min(120, Math.floor(PLOT_WIDTH / Math.max(1, xs.length))));
  const cellHeight = Math.max(28, Math.min(48, Math.floor(400 / Math.max(1, ys.length))));
  const title = input.title ?? `${input.metric} by ${input.xField} and ${input.yField}`;
  const colourTitle = withUnit(input.metric, shown.title);
  const x = { field: 'x', type: 'ordinal', title: input.xField, sort: xs, axis: { labelAngle: 0 } } as const;
  const y = { field: 'y', type: 'ordinal', title: input.yField, sort: ys } as const;
  const layers: Layer[] = [
    {
      transform: [{ filter: 'datum.value !== null' }],
      mark: { type: 'rect', tooltip: false },
      encoding: {
        x,
        y,
        color: {
          field: 'value',
          type: 'quantitative',
          title: colourTitle,
          scale: { range, domain: [lo, hi === lo ? lo + 1 : hi], nice: false },
          legend: {
            orient: 'bottom',
            direction: 'horizontal',
            gradientLength: 240,
            titleLimit: 400,
            ...(shown.labelExpr ? { labelExpr: shown.labelExpr } : {}),
          },
        },
      },
    },
  ];
  if (reasons.length > 0) {
    layers.push(
      {
        // Names the reasons in a legend; the hatching is drawn over it.
        transform: [{ filter: 'datum.value === null' }],
        mark: { type: 'rect', tooltip: false },
        encoding: {
          x,
          y,
          fill: {
            field: 'missing',
            type: 'nominal',
            title: null,
            scale: { domain: reasons, range: reasons.map(() => '#eeeeee') },
            legend: { orient: 'bottom', direction: 'vertical', symbolType: HATCH_SYMBOL, symbolStrokeColor: '#a6a6a6', symbolStrokeWidth: 1 },
          },
        },
      },
      {
        transform: [{ filter: 'datum.value === null' }],
        mark: { type: 'rect', tooltip: false, fill: HATCH },
        encoding: { x, y },
      },
    );
  }
  if (anyFail) {
    layers.push({
      transform: [{ filter: "datum.verdict == 'fail'" }],
      mark: { type: 'rect', filled: false, strokeWidth: 3, tooltip: false },
      encoding: {
        x,
        y,
        stroke: {
          field: 'outline',
          type: 'nominal',
          title: null,
          scale: { domain: [outline], range: [FAIL_COLOUR] },
          legend: { orient: 'bottom', symbolType: 'square', symbolFillColor: 'white', symbolStrokeWidth: 3 },
        },
      },
    });
  }
  layers.push({
    transform: [{ filter: "datum.label != ''" }],
    mark: { type: 'text', fontSize: 11, tooltip: false },
    encoding: {
      x,
      y,
      text: { field: 'label', type: 'nominal' },
      color: { condition: { test: "datum.ink == 'white'", value: 'white' }, value: '#222222' },
    },
  });
  const subtitle = [
    [input.note, `colour = ${colourTitle}, darker is worse`].filter(Boolean).join('; '),
    [anyVerdict ? `✓ meets ${judged}, ✗ and red outline: ${failsText(judged)}` : undefined, reasons.length ? 'hatched: no value (the legend says why)' : undefined]
      .filter(Boolean)
      .join('; '),
  ].filter((line) => line !== '');
  const spec = {
    ...specBase(title, subtitle.length === 1 ? subtitle[0] : subtitle),
    width: cellWidth * xs.length,
    height: cellHeight * ys.length,
    data: { values: rows },
    layer: layers,
  } as TopLevelSpec;
  return {
    name: input.name ?? 'grid-heatmap',
    title,
    alt: `Heat map of ${input.metric} over ${input.xField} and ${input.yField}`,
    caption:
      `Each cell is one configuration: ${input.xField} across, ${input.yField} down; its colour and number are ${input.metric}, in ${shown.title || 'its unit'}.` +
      (anyVerdict ? ` Cells outlined in red fail ${judged}.` : '') +
      (reasons.length ? ' Hatched cells have no value; the legend says why.' : ''),
    spec,
  };
}

// ---------------------------------------------------------------------------------------------
// Line: a figure over one knob

/**
 * A line of one figure over one knob: a point per configuration with its value written above
 * it (and its 95% interval as a bar, with replications), coloured by whether it meets the
 * objective judged; the objective's bound as a dashed rule labelled with it; a configuration with
 * no value as a grey cross on the axis, with the line broken there. Numeric knob values are
 * placed at their values, others evenly in the order given. A log scale when the values (and the
 * bound) span more than a hundredfold.
 */
export function gridLineChart(input: GridLineInput): Chart {
  const numeric = input.cells.every((c) => typeof c.x === 'number' || /^-?\d+(\.\d+)?$/.test(String(c.x)));
  const xs = axisOrder(input.cells.map((c) => (numeric ? Number(c.x) : c.x)));
  const measured = input.cells.map((c) => c.value).filter((v): v is number => v !== null);
  const shown = displayUnit(input.unit, measured);
  const scale = (v: number) => chartNumber(v / shown.per);
  const bound = input.bound === undefined ? undefined : scale(input.bound.value);
  const judged = judgedOf(input) ?? 'every objective';
  const judging = input.cells.some((c) => c.pass !== undefined);
  const reasons = missingReasons(input.cells);
  const status = (c: GridCell) =>
    c.value === null ? `no value: ${c.missing ?? 'not measured'}` : c.pass === undefined ? 'measured' : c.pass ? `meets ${judged}` : failsText(judged);
  const statuses = [
    ...(input.cells.some((c) => c.value !== null && c.pass === undefined) ? ['measured'] : []),
    ...(input.cells.some((c) => c.value !== null && c.pass === true) ? [`meets ${judged}`] : []),
    ...(input.cells.some((c) => c.value !== null && c.pass === false) ? [failsText(judged)] : []),
    ...reasons,
  ];
  const colours = statuses.map((s) => (s === 'measured' ? LINE_COLOUR : s.startsWith('meets') ? PASS_COLOUR : s.startsWith('fails') ? FAIL_COLOUR : MISSING_INK));
  const shapes = statuses.map((s) => (s.startsWith('no value') ? 'cross' : 'circle'));

  const extent = [...measured.map((v) => v / shown.per), ...(bound === undefined ? [] : [bound])];
  const positive = extent.filter((v) => v > 0);
  const log = positive.length === extent.length && positive.length > 1 && Math.max(...positive) / Math.min(...positive) > 100;
  const top = extent.length ? Math.max(...extent) : 1;
  const bottom = extent.length ? Math.min(...extent) : 0;
  const domain: [number, number] = log ? logDomainOf([extent]) : [Math.min(0, bottom), chartNumber(top > 0 ? top * 1.12 : 1)];

  // A segment per run of measured points, so the line breaks where a point has no value.
  let segment = 0;
  const rows = input.cells.map((c) => {
    if (c.value === null) segment++;
    const value = c.value === null ? null : scale(c.value);
    return {
      x: numeric ? Number(c.x) : String(c.x),
      value,
      low: c.low === undefined || c.value === null ? null : scale(c.low),
      high: c.high === undefined || c.value === null ? null : scale(c.high),
      label: value === null ? '' : shown.text(value),
      why: value === null ? (c.missing ?? 'not measured') : '',
      status: status(c),
      segment,
      // Where a point with no value is drawn: on the x axis.
      floor: domain[0],
    };
  });
  const x = numeric
    ? ({
        field: 'x',
        type: 'quantitative',
        title: input.xField,
        scale: { zero: false, nice: false, padding: 36 },
        axis: { values: xs.map(Number), labelAngle: 0, format: '~r', grid: false },
      } as const)
    : ({ field: 'x', type: 'ordinal', title: input.xField, sort: xs, scale: { padding: 0.5 }, axis: { labelAngle: 0 } } as const);
  const yTitle = withUnit(input.metric, shown.title) + (log ? ', log scale' : '');
  const y = {
    field: 'value',
    type: 'quantitative',
    title: yTitle,
    scale: log ? ({ type: 'log', domain, nice: false } as const) : ({ type: 'linear', domain, nice: true, zero: true } as const),
    axis: {
      titleLimit: 400,
      ...(log ? { values: logTicks(domain), format: '~r' } : {}),
      ...(shown.labelExpr ? { labelExpr: shown.labelExpr } : {}),
    },
  } as const;
  const colour = {
    field: 'status',
    type: 'nominal',
    title: null,
    scale: { domain: statuses, range: colours },
    legend: statuses.length > 1 || reasons.length > 0 || judging ? { orient: 'bottom', direction: 'vertical' } : null,
  } as const;
  const shape = { field: 'status', type: 'nominal', title: null, scale: { domain: statuses, range: shapes } } as const;

  const layers: Layer[] = [
    {
      transform: [{ filter: 'datum.value !== null' }],
      mark: { type: 'line', color: '#9ab3d1', strokeWidth: 2, tooltip: false },
      encoding: { x, y, detail: { field: 'segment', type: 'nominal' } },
    },
  ];
  if (input.cells.some((c) => c.low !== undefined && c.high !== undefined && c.value !== null)) {
    layers.push({
      transform: [{ filter: 'datum.low !== null && datum.high !== null' }],
      mark: { type: 'rule', strokeWidth: 1.5, tooltip: false },
      encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color: colour },
    });
  }
  if (input.bound !== undefined && bound !== undefined) {
    const text = `bound ${comparisonSign(input.bound)} ${formatWithUnit(input.bound.value, input.unit)}`;
    layers.push(
      {
        data: { values: [{ bound }] },
        mark: { type: 'rule', color: FAIL_COLOUR, strokeDash: [6, 4], strokeWidth: 1.5, tooltip: false },
        encoding: { y: { field: 'bound', type: 'quantitative', title: yTitle } },
      },
      {
        data: { values: [{ bound, text }] },
        mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -4, dy: -3, fontSize: 11, color: FAIL_COLOUR, tooltip: false },
        encoding: { y: { field: 'bound', type: 'quantitative', title: yTitle }, x: { value: 'width' }, text: { field: 'text', type: 'nominal' } },
      },
    );
  }
  layers.push(
    {
      transform: [{ filter: 'datum.value !== null' }],
      mark: { type: 'point', filled: true, size: 90, opacity: 1, tooltip: false },
      encoding: { x, y, color: colour, shape },
    },
    {
      transform: [{ filter: "datum.label != ''" }],
      mark: { type: 'text', baseline: 'bottom', dy: -9, fontSize: 11, color: '#222222', tooltip: false },
      encoding: { x, y, text: { field: 'label', type: 'nominal' } },
    },
  );
  // Only when some point has no value: a layer with no data would give its scales an empty extent.
  if (reasons.length > 0) {
    layers.push(
      {
        transform: [{ filter: 'datum.value === null' }],
        mark: { type: 'point', filled: false, size: 120, strokeWidth: 2.5, opacity: 1, tooltip: false },
        encoding: { x, y: { ...y, field: 'floor' }, color: colour, shape },
      },
      {
        transform: [{ filter: "datum.why != ''" }],
        mark: { type: 'text', baseline: 'bottom', dy: -10, fontSize: 10, fontStyle: 'italic', color: MISSING_INK, tooltip: false },
        encoding: { x, y: { ...y, field: 'floor' }, text: { field: 'why', type: 'nominal' } },
      },
    );
  }

  const title = input.title ?? `${input.metric} by ${input.xField}`;
  const subtitle = [
    [input.note, input.bound ? `dashed line: the bound of ${input.bound.objective}` : undefined].filter(Boolean).join('; '),
    [
      judging ? `green meets ${judged}, red ${failsText(judged)}` : undefined,
      reasons.length ? 'a grey cross on the axis: no value' : undefined,
    ]
      .filter(Boolean)
      .join('; '),
  ].filter((line) => line !== '');
  const spec = {
    ...specBase(title, subtitle.length === 0 ? `one point per value of ${input.xField}` : subtitle.length === 1 ? subtitle[0] : subtitle),
    width: Math.min(PLOT_WIDTH, Math.max(360, 110 * xs.length)),
    height: 260,
    data: { values: rows },
    layer: layers,
  } as TopLevelSpec;
  return {
    name: input.name ?? 'grid-line',
    title,
    alt: `${input.metric} for each value of ${input.xField}` + (input.bound ? `, with the bound of ${input.bound.objective}` : ''),
    caption:
      `One point per configuration: ${input.xField} across, ${input.metric} up, in ${shown.title || 'its unit'}.` +
      (input.bound ? ` The dashed line is the bound of ${input.bound.objective}.` : '') +
      (reasons.length ? ' A cross on the axis is a configuration with no value; the legend says why.' : ''),
    spec,
  };
}

// ---------------------------------------------------------------------------------------------
// Verdicts

/** Cells coloured by verdict (pass, pass on average, fail) with their words written in: the objectives over the grid. */
export function gridVerdictsChart(input: GridVerdictsInput): Chart {
  const xs = axisOrder(input.cells.map((c) => c.x));
  const ys = axisOrder(input.cells.map((c) => c.y));
  const verdicts = (['pass', 'pass on average', 'fail'] as const).filter((v) => input.cells.some((c) => c.verdict === v));
  const cellWidth = Math.max(60, Math.min(120, Math.floor(PLOT_WIDTH / Math.max(1, xs.length))));
  const cellHeight = Math.max(26, Math.min(40, Math.floor(400 / Math.max(1, ys.length))));
  const x = { field: 'x', type: 'ordinal', title: input.xField, sort: xs, axis: { labelAngle: 0, orient: 'top' } } as const;
  const y = { field: 'y', type: 'ordinal', title: input.yField, sort: ys, axis: { labelLimit: 320 } } as const;
  const spec = {
    ...specBase(input.title, input.subtitle),
    width: cellWidth * xs.length,
    height: cellHeight * ys.length,
    data: { values: input.cells.map((c) => ({ x: String(c.x), y: String(c.y), verdict: c.verdict, text: c.text })) },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2, tooltip: false },
        encoding: {
          x,
          y,
          color: {
            field: 'verdict',
            type: 'nominal',
            title: null,
            scale: { domain: verdicts, range: verdicts.map((v) => VERDICT_COLOURS[v]) },
            legend: { orient: 'bottom', direction: 'horizontal' },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 11, color: '#222222', tooltip: false },
        encoding: { x, y, text: { field: 'text', type: 'nominal' } },
      },
    ],
  } as TopLevelSpec;
  return {
    name: input.name ?? 'grid-verdicts',
    title: input.title,
    alt: `${input.title}: pass or fail for each configuration`,
    caption: `Each cell is one configuration's verdict: ${input.xField} across, ${input.yField} down.`,
    spec,
  };
}


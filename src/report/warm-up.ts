/**
 * Small charts with every ingredient the report's charts use (charts.ts): layered lines with a
 * legend, a log axis with label expressions, shaded spans with a fill legend, dashed event rules
 * and their labels, a heat map of rects with a transform and a colour gradient, stacked panels.
 * The drawing thread draws them once and discards them, so that vega's and vega-lite's code is
 * loaded and compiled before a real chart arrives. They reach no output.
 */
import type { TopLevelSpec } from 'vega-lite';
import { specBase } from './charts.js';

/**
 * Points per line. Loading and compiling the code is most of what a first chart costs more than
 * the next; a warm-up with a real chart's 1500 points per line was measured no better.
 */
const WARM_UP_POINTS = 20;

const x = { field: 't', type: 'quantitative', title: 'time (s)', scale: { domain: [0, 10], nice: false, zero: false } } as const;
const events = [
  { t: 2, top: 0, y: 0, event: 'ramp' },
  { t: 6, top: 0, y: 0, event: 'crash' },
];
const shades = [{ start: 3, end: 5, meaning: 'rebalance' }];
const countLabels = "datum.value == 0 ? '0' : abs(datum.value) >= 1000 ? format(datum.value, '~s') : format(datum.value, '~r')";

function panel(height: number, log: boolean, points: number) {
  const rows = Array.from({ length: points }, (_, i) => [
    { t: (10 * i) / points, series: 'a', value: 1 + (i % 97) * i },
    { t: (10 * i) / points, series: 'b', value: 100 + (i % 13) },
  ]).flat();
  return {
    width: 300,
    height,
    layer: [
      {
        data: { values: shades },
        mark: { type: 'rect', opacity: 0.14, tooltip: false },
        encoding: {
          x: { ...x, field: 'start' },
          x2: { field: 'end' },
          fill: { field: 'meaning', type: 'nominal', legend: { orient: 'bottom', direction: 'horizontal', title: 'shaded:', symbolType: 'square' } },
        },
      },
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 1.5, tooltip: false, ...(log ? {} : { interpolate: 'step-after' }) },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: 'value', ...(log ? { scale: { type: 'log' } } : {}), axis: { labelExpr: countLabels } },
          color: { field: 'series', type: 'nominal', scale: { domain: ['a', 'b'], range: ['#4c78a8', '#f58518'] }, legend: { orient: 'bottom', title: null } },
        },
      },
      {
        data: { values: events },
        mark: { type: 'rule', color: '#525252', strokeDash: [4, 3], strokeWidth: 1, tooltip: false },
        encoding: { x, y: { field: 'top', type: 'quantitative', scale: null, axis: null }, y2: { value: height } },
      },
      {
        data: { values: events },
        mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, fontSize: 10, tooltip: false, color: 'white', stroke: 'white', strokeWidth: 3 },
        encoding: { x, y: { field: 'y', type: 'quantitative', scale: null, axis: null }, text: { field: 'event', type: 'nominal' } },
      },
    ],
  };
}

const heatmap = (cells: number) => ({
  width: 300,
  height: 80,
  layer: [
    {
      data: { values: Array.from({ length: cells }, (_, i) => ({ start: (i % 100) / 10, end: (i % 100) / 10 + 0.1, partition: Math.floor(i / 100), lag: i * 37 })) },
      transform: [{ calculate: 'datum.end + 0.01', as: 'end_drawn' }],
      mark: { type: 'rect', tooltip: false, clip: true },
      encoding: {
        x: { ...x, field: 'start' },
        x2: { field: 'end_drawn' },
        y: { field: 'partition', type: 'ordinal', title: 'partition', scale: { paddingInner: 0 }, axis: { labelExpr: "'p' + datum.value", ticks: false } },
        color: { field: 'lag', type: 'quantitative', scale: { range: ['#f2f2f2', '#7f2704'], nice: false }, legend: { orient: 'bottom', direction: 'horizontal', labelExpr: countLabels } },
      },
    },
  ],
});

/** The warm-up charts; tests check that they compile and draw without warnings. */
export function warmUpSpecs(): TopLevelSpec[] {
  // Plain literals, cast once: the same shapes as charts.ts builds, without its typed helpers.
  return [
    { ...specBase('Warm-up', 'lines'), ...panel(120, true, WARM_UP_POINTS) },
    { ...specBase('Warm-up', ['panels', 'and a heat map']), vconcat: [panel(60, false, WARM_UP_POINTS), heatmap(4 * WARM_UP_POINTS)] },
  ] as unknown as TopLevelSpec[];
}

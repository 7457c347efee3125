/**
 * What every chart of a report shares: the Chart a report writes (its files' name, its title and
 * caption, its Vega-Lite spec) and the look every spec carries with it (title, fonts, axes,
 * legends), so that a .vl.json renders the same anywhere. charts.ts, comparison-charts.ts and
 * pipeline.ts build on it.
 */
import type { TopLevelSpec } from 'vega-lite';

/** One chart: its file name (without extension), its spec and what report.md says about it. */
export interface Chart {
  name: string;
  title: string;
  /** Alt text for the image in report.md. */
  alt: string;
  /** One line under the chart in report.md: how to read it. */
  caption: string;
  spec: TopLevelSpec;
  /**
   * Where a run's report puts it: with the run's charts (not given), as the pipeline diagram at
   * the top, or with its stage (a run with several consumer groups).
   */
  section?: { kind: 'pipeline' } | { kind: 'stage'; group: string };
}

type LayerSpec = Extract<TopLevelSpec, { layer: unknown }>;
export type Layer = LayerSpec['layer'][number];

export function specBase(title: string, subtitle: string | string[]) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle },
    background: 'white',
    padding: { left: 8, right: 16, top: 8, bottom: 8 },
    config: CHART_CONFIG,
  } as const;
}

/** Shared look; kept in each spec so a .vl.json renders the same anywhere. */
export const CHART_CONFIG = {
  // No per-mark ARIA labels: the report shows charts as images with alt text, and labelling each
  // of thousands of points and cells would double the SVG and the time to draw it.
  aria: false,
  font: 'DejaVu Sans, Verdana, sans-serif',
  title: { anchor: 'start', fontSize: 15, subtitleFontSize: 11, subtitleColor: '#555555', offset: 8 },
  axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
  axisY: { minExtent: 44 },
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 400, symbolStrokeWidth: 2.5, symbolSize: 300, columnPadding: 24 },
  view: { stroke: '#cccccc' },
} as const;

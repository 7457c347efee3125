import { describe, expect, it } from 'vitest';
import { buildCharts } from '../../src/report/charts.js';
import { compileChart, renderSvg, renumberSvgIds, svgToPng } from '../../src/report/render.js';
import { textWidth } from '../../src/report/text-metrics.js';
import { makeRunResult } from './fixture.js';
import { darkPixels, decodePng, isPng } from './png.js';

describe('rendering', async () => {
  const charts = buildCharts(makeRunResult());
  const svgs = new Map<string, string>();
  const warnings: string[] = [];
  for (const chart of charts) {
    const rendered = await renderSvg(compileChart(chart.spec).vega);
    svgs.set(chart.name, rendered.svg);
    warnings.push(...rendered.warnings);
  }

  it('draws every chart without a warning from vega', () => {
    expect(warnings).toEqual([]);
  });

  it('writes each chart title and axis title into its SVG', () => {
    const expected: Record<string, string[]> = {
      'lag-records': ['Consumer lag (records)', 'time (min)', 'lag (records)', 'max partition lag'],
      'lag-seconds': ['Consumer lag (seconds behind)', 'time (min)', 'lag (s)'],
      latency: ['End-to-end latency per window', 'latency (log scale)', '>p99<', '>100 ms<', '>1 s<'],
      throughput: ['Throughput: in vs out', 'throughput (records/s)', '>appended<'],
      'partition-lag-heatmap': ['Lag per partition', '>partition<', '>p3<', 'lag (records, worst in each time slice)'],
      services: ['Downstream services', 'calls in flight', 'calls queued', '>payments<', '>inventory-db<'],
    };
    for (const [name, texts] of Object.entries(expected)) {
      for (const text of texts) expect(svgs.get(name), `${name}: ${text}`).toContain(text);
      expect(svgs.get(name)).toContain('payments slow'); // events are labelled on every chart
    }
  });

  it('draws charts about 800 px wide', () => {
    for (const svg of svgs.values()) {
      const width = Number(/^<svg[^>]* width="(\d+)"/.exec(svg)?.[1]);
      expect(width).toBeGreaterThan(750);
      expect(width).toBeLessThan(850);
    }
  });

  it('gives the same SVG whatever was rendered before', async () => {
    const heatmap = charts.find((c) => c.name === 'partition-lag-heatmap')!;
    const { svg: again } = await renderSvg(compileChart(heatmap.spec).vega);
    expect(again).toBe(svgs.get('partition-lag-heatmap'));
    expect(again).toMatch(/id="(p_)?gradient_1"/);
  });

  it('draws the text in the PNG: the title area has ink with fonts and none without', async () => {
    const svg = svgs.get('lag-records')!;
    const withFonts = await svgToPng(svg);
    const noFonts = await svgToPng(svg, 'none');
    expect(isPng(withFonts)).toBe(true);
    const image = decodePng(withFonts);
    expect(image.width).toBe(Number(/width="(\d+)"/.exec(svg)?.[1]));
    // The title and subtitle sit in the top-left 30 px band, above everything else.
    expect(darkPixels(image, 0, 0, 400, 40)).toBeGreaterThan(300);
    expect(darkPixels(decodePng(noFonts), 0, 0, 400, 40)).toBe(0);
    expect(Buffer.compare(withFonts, noFonts)).not.toBe(0);
  });

  it('renders PNGs byte-identically', async () => {
    const svg = svgs.get('services')!;
    expect(Buffer.compare(await svgToPng(svg), await svgToPng(svg))).toBe(0);
  });
});

describe('renumberSvgIds', () => {
  it('renumbers ids and their references from 1 in order, leaving text alone', () => {
    const svg =
      '<defs><linearGradient id="gradient_7"/><clipPath id="clip12"/></defs>' +
      '<rect fill="url(#gradient_7)" clip-path="url(#clip12)"/><text>clip12 gradient_7</text>' +
      '<rect fill="url(#p_gradient_7)"/>';
    expect(renumberSvgIds(svg)).toBe(
      '<defs><linearGradient id="gradient_1"/><clipPath id="clip1"/></defs>' +
        '<rect fill="url(#gradient_1)" clip-path="url(#clip1)"/><text>clip12 gradient_7</text>' +
        '<rect fill="url(#p_gradient_1)"/>',
    );
  });
});

describe('textWidth', () => {
  it('uses DejaVu Sans advance widths', () => {
    expect(textWidth('0', 10)).toBeCloseTo(6.36);
    expect(textWidth('Ab', 11)).toBeCloseTo((684 + 635) * 0.011);
    expect(textWidth('Ab', 11, true)).toBeGreaterThan(textWidth('Ab', 11));
  });
});

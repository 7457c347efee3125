import { describe, expect, it } from 'vitest';
import { planCharts } from '../../src/report/charts.js';
import { compactData, escapeHtml, interactiveSpec, jsonForScript, scriptText } from '../../src/report/html.js';
import { compileChart } from '../../src/report/render.js';
import { reportHtml } from '../../src/report/run-html.js';
import { makeRunResult } from './fixture.js';
import type { RunResult } from '../../src/metrics/result.js';
import { validateVegaLite } from './vl-schema.js';

async function html(result: RunResult): Promise<string> {
  const { charts, skipped } = planCharts(result);
  return reportHtml(result, charts, skipped);
}

/** The JSON of the charts' compiled specs, as the page carries it. */
function specsIn(page: string): Record<string, { data: { values?: unknown; format?: unknown }[] }> {
  const json = /<script type="application\/json" id="lagsim-charts">([\s\S]*?)<\/script>/.exec(page)?.[1];
  return JSON.parse(json as string);
}

describe('report.html', async () => {
  const result = makeRunResult();
  const page = await html(result);

  it('is one self-contained page: no external script, stylesheet, image or URL to load', () => {
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(page).not.toMatch(/<script[^>]+src=|<link |<img |<iframe|@import|url\(http/i);
    expect(page).toContain('/* vega 6.');
    // Compiled to Vega here: the Vega-Lite compiler is not in the page.
    expect(page).not.toContain('vega-lite@');
  });

  it('has a container and a compiled spec for every chart, and the tables', () => {
    const { charts } = planCharts(result);
    const specs = specsIn(page);
    expect(Object.keys(specs)).toEqual(charts.map((c) => c.name));
    for (const chart of charts) expect(page).toContain(`data-chart="${chart.name}"`);
    expect(page).toContain('<th>Measure</th>');
    expect(page).toContain('<td>Rebalances</td><td>2 (2 membership changes)</td>');
    expect(page).toContain('<td class="num">&lt;0.1%</td>');
  });

  it('is byte-identical for the same result', async () => {
    expect(await html(makeRunResult())).toBe(page);
  });

  it('escapes all scenario text and cannot be broken out of', async () => {
    const evil = makeRunResult({
      title: '</title><script>alert(1)</script>',
      description: '<img src=x onerror=alert(2)>\n\n& more',
      events: [{ timeSeconds: 60, label: '</script><script>alert(3)</script>', kind: 'fault' }],
    });
    evil.scenario.name = '"><b>name</b>';
    const text = await html(evil);
    expect(text).not.toMatch(/<script>alert|<img |<b>name/);
    expect(text).toContain('<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(text).toContain('<blockquote><p>&lt;img src=x onerror=alert(2)&gt;</p><p>&amp; more</p></blockquote>');
    expect(text).toContain('&quot;&gt;&lt;b&gt;name&lt;/b&gt;');
    // The label is in the chart data too, where it may not close the JSON script element.
    const json = /id="lagsim-charts">([\s\S]*?)<\/script>/.exec(text)?.[1] ?? '';
    expect(json).not.toContain('<');
    expect(JSON.stringify(JSON.parse(json))).toContain('</script><script>alert(3)</script>');
  });

  it('stays near 1.2 MB for a 30 min run with nine charts (vega itself is ~520 KB)', () => {
    expect(page.length).toBeLessThan(1_400_000);
  });
});

describe('HTML building blocks', () => {
  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('writes JSON and code that cannot end their script element', () => {
    expect(jsonForScript({ a: '</script><!--' })).toBe('{"a":"\\u003c/script>\\u003c!--"}');
    expect(JSON.parse(jsonForScript({ a: '</script>\u2028' }))).toEqual({ a: '</script>\u2028' });
    expect(scriptText('var s = "</SCRIPT>";')).toBe('var s = "<\\/SCRIPT>";');
    expect(() => scriptText('x = "<!--"')).toThrow(/<!--/);
  });

  it('writes large datasets as CSV that vega parses back to the same rows', async () => {
    const vega = await import('vega');
    const spec = {
      data: [
        { name: 'rows', values: Array.from({ length: 60 }, (_, i) => ({ t: i / 3, series: i % 2 ? 'a, "b"' : 'c', value: i === 5 ? null : i })) },
        { name: 'small', values: [{ x: 1 }] },
        { name: 'mixed', values: Array.from({ length: 60 }, (_, i) => ({ x: i % 2 ? 'one' : 1 })) },
      ],
    };
    const compact = compactData(spec) as unknown as { data: { values: unknown; format?: unknown }[] };
    expect(typeof compact.data[0].values).toBe('string');
    expect(compact.data[0].format).toEqual({ type: 'csv', parse: { t: 'number', value: 'number' } });
    expect(Array.isArray(compact.data[1].values)).toBe(true);
    expect(Array.isArray(compact.data[2].values)).toBe(true);
    const view = new vega.View(vega.parse(compact as never), { renderer: 'none' });
    await view.runAsync();
    const rows = view.data('rows').map((r: Record<string, unknown>) => ({ t: r.t, series: r.series, value: r.value }));
    expect(rows).toEqual(spec.data[0].values);
    view.finalize();
  });

  it('adds tooltips to every chart without breaking it', () => {
    for (const chart of planCharts(makeRunResult()).charts) {
      const spec = interactiveSpec(chart.spec);
      expect(validateVegaLite(JSON.parse(JSON.stringify(spec))), chart.name).toEqual([]);
      expect(compileChart(spec).warnings, chart.name).toEqual([]);
      expect(JSON.stringify(spec)).toContain('"tooltip":[');
    }
    // The static spec is left alone.
    const lag = planCharts(makeRunResult()).charts[0];
    expect(JSON.stringify(lag.spec)).not.toContain('"tooltip":[');
  });
});

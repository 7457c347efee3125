/**
 * Drawing on threads of their own (drawing.ts) gives the same bytes as drawing on this thread;
 * a chart that cannot be drawn fails its report, not the thread.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { renderReport } from '../../src/report/index.js';
import { startDrawingThreads } from '../../src/report/drawing.js';
import { makeRunResult } from './fixture.js';

describe('drawing threads', { timeout: 120_000 }, () => {
  const threads = startDrawingThreads(2);
  afterAll(() => threads.close());

  it('give the same report, file for file, as drawing on this thread', async () => {
    const result = makeRunResult();
    const here = await renderReport(result);
    const there = await renderReport(result, {}, threads);
    expect(there.map((f) => f.name)).toEqual(here.map((f) => f.name));
    // A CSV's text is chunks made as it is written.
    const bytes = (c: string | Uint8Array | Iterable<string>) => (typeof c === 'string' || c instanceof Uint8Array ? Buffer.from(c) : Buffer.from([...c].join('')));
    for (let i = 0; i < here.length; i++) {
      expect(Buffer.compare(bytes(there[i].content), bytes(here[i].content)), here[i].name).toBe(0);
    }
  });

  it('reject the chart that fails, with its message, and go on drawing', async () => {
    const bad = { layer: 5 } as unknown as TopLevelSpec;
    await expect(threads.draw(bad)).rejects.toThrow(/layer/);
    const good = { mark: 'point', data: { values: [{ x: 1 }] }, encoding: { x: { field: 'x', type: 'quantitative' } } } as TopLevelSpec;
    await expect(threads.draw(good)).resolves.toMatchObject({ svg: expect.stringContaining('<svg') });
  });
});

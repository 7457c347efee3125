/**
 * The pipeline diagram: the run's topics (with their source producers) and stages (consumer groups) from left
 * to right, each stage annotated with what a reader asks first (how busy, how far behind, how
 * slow), drawn as a Vega-Lite spec so it goes through the same SVG, PNG, .vl.json and report.html
 * path as every chart.
 *
 * Layout:
 *   1. levels: a topic no stage writes is at level 0; a group is at its topic's level; a topic a
 *      stage writes is one level past the furthest such stage (the loader refuses cycles);
 *   2. columns: one per level, holding its topics (each naming its source producers), each with
 *      the groups reading it stacked below it and indented, so a fan-out is a topic with two
 *      stages under it, and a column is no wider than a stage (a chain of four stages fits a page);
 *   3. rows: each column's topics from the top, in the order of the height of the stages that
 *      write them, then the scenario's;
 *   4. edges: a topic's line runs down the indent and turns right into each of its stages; a
 *      stage's runs right, up or down, and right into the topic it writes; each ends in an
 *      arrowhead. They are thin rects so that report.html adds no tooltips to them (html.ts adds
 *      tooltips to rules and lines).
 * Coordinates are pixels (`scale: null`), computed here from DejaVu Sans's widths
 * (text-metrics.ts), so the diagram is the same on every machine.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RunResult } from '../metrics/result.js';
import { CHART_CONFIG, specBase, type Chart, type Layer } from './chart-base.js';
import { formatCount, formatMs, formatPercent, formatSeconds } from './format.js';
import { textWidth } from './text-metrics.js';
import type { Why } from './why.js';

const NAME_SIZE = 11;
const DETAIL_SIZE = 10;
const LINE = 14;
const PAD_X = 8;
const PAD_Y = 6;
const COLUMN_GAP = 30;
/** A stage's box sits this far right of its topic's, the line from the topic running down the gap. */
const INDENT = 16;
/** Between boxes of a column: room for a stage's "bottleneck" tag. */
const V_GAP = 18;
/** Between one topic's stages and the next topic of the column. */
const BLOCK_GAP = 26;
/** Room above the first row (a stage there could carry a tag). */
const TAG_ROOM = 4;

const COLOURS = {
  topicFill: '#eef3f8',
  topicStroke: '#4c78a8',
  stageFill: '#ffffff',
  stageStroke: '#737373',
  bottleneck: '#d62728',
  throttled: '#f58518',
  edge: '#969696',
  text: '#222222',
  detail: '#444444',
};

type Kind = 'topic' | 'stage';

interface Node {
  id: string;
  kind: Kind;
  name: string;
  details: string[];
  column: number;
  /** The nodes it is fed by. */
  from: string[];
  order: number;
  width: number;
  height: number;
  x: number;
  y: number;
  /** Outline: a bottleneck, a stage throttled later, or plain. */
  mark: 'bottleneck' | 'throttled' | 'plain';
}

export function pipelineChart(result: RunResult, why: Why): Chart {
  const nodes = layout(result, why);
  const width = Math.max(...nodes.map((n) => n.x + n.width));
  const height = Math.max(...nodes.map((n) => n.y + n.height));
  const title = 'Pipeline';
  const bottleneck = why.bottleneck === null ? 'no stage reached a limit' : `bottleneck: ${why.bottleneck.stage} (red)`;
  return {
    name: 'pipeline',
    title,
    alt: 'The pipeline from producers through topics to consumer groups, each group with its peak lag, stage p99 latency and busy share',
    caption:
      'Left to right, one column per step: each topic (blue: partitions, records produced to it per second, its source producers) with the stages (consumer groups) reading it below it. ' +
      'Each stage: instances, the share of time its consumers were busy processing, its peak lag in records and in seconds, and its stage p99 ' +
      '(from a record\u2019s create time in the stage\u2019s topic to the end of its processing). ' +
      'Red outline: the bottleneck (see "What limited this run"); orange: a stage throttled later.',
    spec: {
      ...specBase(title, `${Object.keys(result.topology.groups).length} stages, ${Object.keys(result.topology.topics).length} topics; ${bottleneck}`),
      config: { ...CHART_CONFIG, view: { stroke: null } },
      width,
      height,
      layer: [...edgeLayers(nodes), ...boxLayers(nodes), ...textLayers(nodes)],
    } as TopLevelSpec,
  };
}

function layout(result: RunResult, why: Why): Node[] {
  const { topology, summary } = result;
  const groups = Object.keys(topology.groups);
  const topics = Object.keys(topology.topics);

  // 1. levels
  const topicLevel = new Map(topics.map((t) => [t, 0]));
  for (let pass = 0; pass <= groups.length; pass++) {
    for (const g of groups) {
      const out = topology.groups[g].produces;
      if (out === null) continue;
      const level = (topicLevel.get(topology.groups[g].topic) ?? 0) + 1;
      if (level > (topicLevel.get(out) ?? 0)) topicLevel.set(out, level);
    }
  }
  // 2. columns (a topic's source producers are named in its box)
  const producers = Object.keys(topology.producers);
  const nodes: Node[] = [];
  const add = (n: Omit<Node, 'width' | 'height' | 'x' | 'y'>) => {
    const width = Math.ceil(Math.max(textWidth(n.name, NAME_SIZE, true), ...n.details.map((d) => textWidth(d, DETAIL_SIZE)))) + 2 * PAD_X;
    nodes.push({ ...n, width, height: (1 + n.details.length) * LINE + 2 * PAD_Y, x: 0, y: 0 });
  };
  topics.forEach((t, order) => {
    const tp = summary.topics[t];
    const sources = producers.filter((p) => topology.producers[p].topic === t);
    add({
      id: `t:${t}`,
      kind: 'topic',
      name: t,
      details: [
        `${topology.topics[t].partitions} partitions`,
        `${formatCount(tp.throughput.meanProducedPerSecond)}/s in`,
        ...(sources.length > 0 ? [`from ${sources.join(', ')}`] : []),
      ],
      column: topicLevel.get(t) ?? 0,
      from: groups.filter((g) => topology.groups[g].produces === t).map((g) => `g:${g}`),
      order,
      mark: 'plain',
    });
  });
  const throttled = new Set(why.limits.filter((l) => l.kind === 'consumers-busy' || l.kind === 'service-queue' || l.kind === 'producer-blocked').flatMap((l) => l.stages));
  groups.forEach((g, order) => {
    const gr = topology.groups[g];
    const s = summary.groups[g];
    const calls = Object.keys(topology.services).filter((sv) => topology.services[sv].callers.includes(g));
    add({
      id: `g:${g}`,
      kind: 'stage',
      name: g,
      details: [
        `${gr.instances} ${gr.instances === 1 ? 'instance' : 'instances'}, busy ${formatPercent(s.busyFraction, 1)}`,
        `peak lag ${formatCount(s.lag.peakRecords)} / ${formatSeconds(s.lag.peakSeconds)}`,
        `stage p99 ${formatMs(s.latency.p99Ms)}`,
        ...(calls.length > 0 ? [`calls ${calls.join(', ')}`] : []),
      ],
      column: topicLevel.get(gr.topic) ?? 0,
      from: [`t:${gr.topic}`],
      order,
      mark: why.bottleneck?.stage === g ? 'bottleneck' : throttled.has(g) ? 'throttled' : 'plain',
    });
  });

  // 3. each column's topics from the top, in the order of the stages feeding them, each with its stages below it
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const columns = Math.max(...nodes.map((n) => n.column)) + 1;
  let x = 0;
  for (let c = 0; c < columns; c++) {
    const want = (n: Node) => {
      const ys = n.from.map((id) => byId.get(id)).filter((f): f is Node => f !== undefined && f.column < c).map((f) => f.y);
      return ys.length === 0 ? 0 : ys.reduce((a, b) => a + b, 0) / ys.length;
    };
    const columnTopics = nodes.filter((n) => n.kind === 'topic' && n.column === c).sort((a, b) => want(a) - want(b) || a.order - b.order);
    let y = 0;
    let width = 0;
    for (const topic of columnTopics) {
      topic.x = x;
      topic.y = y;
      y += topic.height + V_GAP;
      width = Math.max(width, topic.width);
      for (const stage of nodes.filter((n) => n.kind === 'stage' && n.from[0] === topic.id)) {
        stage.x = x + INDENT;
        stage.y = y;
        y += stage.height + V_GAP;
        width = Math.max(width, INDENT + stage.width);
      }
      y += BLOCK_GAP - V_GAP;
    }
    if (columnTopics.length > 0) x += width + COLUMN_GAP;
  }
  for (const n of nodes) n.y = Math.round(n.y + TAG_ROOM);
  for (const n of nodes) n.x = Math.round(n.x);
  return nodes;
}

interface Segment {
  x: number;
  x2: number;
  y: number;
  y2: number;
}

const pixel = (field: string) => ({ field, type: 'quantitative', scale: null, axis: null }) as const;

function edgeLayers(nodes: readonly Node[]): Layer[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const segments: Segment[] = [];
  const heads: { x: number; y: number }[] = [];
  const half = 0.75;
  for (const to of nodes) {
    for (const id of to.from) {
      const from = byId.get(id);
      if (from === undefined) continue;
      if (from.kind === 'topic') {
        // Down the indent from the topic's bottom, then right into the stage.
        const xv = from.x + INDENT / 2;
        const yv = to.y + to.height / 2;
        segments.push({ x: xv - half, x2: xv + half, y: from.y + from.height, y2: yv + half });
        segments.push({ x: xv - half, x2: to.x - 5, y: yv - half, y2: yv + half });
        heads.push({ x: to.x - 4, y: yv });
        continue;
      }
      const x1 = from.x + from.width;
      const y1 = from.y + from.height / 2;
      const x2 = to.x - 5;
      const y2 = to.y + to.height / 2;
      // The elbow sits in the gap just before the target's column.
      const xm = Math.max(x1 + 6, to.x - COLUMN_GAP / 2);
      segments.push({ x: x1, x2: xm + half, y: y1 - half, y2: y1 + half });
      if (y1 !== y2) segments.push({ x: xm - half, x2: xm + half, y: Math.min(y1, y2) - half, y2: Math.max(y1, y2) + half });
      segments.push({ x: xm - half, x2, y: y2 - half, y2: y2 + half });
      heads.push({ x: to.x - 4, y: y2 });
    }
  }
  return [
    { data: { values: segments }, mark: { type: 'rect', color: COLOURS.edge, tooltip: false }, encoding: { x: pixel('x'), x2: { field: 'x2' }, y: pixel('y'), y2: { field: 'y2' } } },
    {
      data: { values: heads },
      mark: { type: 'point', shape: 'triangle-right', filled: true, size: 50, color: COLOURS.edge, opacity: 1, tooltip: false },
      encoding: { x: pixel('x'), y: pixel('y') },
    },
  ];
}

function boxLayers(nodes: readonly Node[]): Layer[] {
  const styles: { fill: string; stroke: string; width: number; pick: (n: Node) => boolean }[] = [
    { fill: COLOURS.topicFill, stroke: COLOURS.topicStroke, width: 1, pick: (n) => n.kind === 'topic' },
    { fill: COLOURS.stageFill, stroke: COLOURS.stageStroke, width: 1, pick: (n) => n.kind === 'stage' && n.mark === 'plain' },
    { fill: COLOURS.stageFill, stroke: COLOURS.throttled, width: 2, pick: (n) => n.kind === 'stage' && n.mark === 'throttled' },
    { fill: COLOURS.stageFill, stroke: COLOURS.bottleneck, width: 2.5, pick: (n) => n.kind === 'stage' && n.mark === 'bottleneck' },
  ];
  return styles
    .map((style) => ({ style, boxes: nodes.filter(style.pick) }))
    .filter(({ boxes }) => boxes.length > 0)
    .map(({ style, boxes }) => ({
      data: { values: boxes.map((n) => ({ x: n.x, x2: n.x + n.width, y: n.y, y2: n.y + n.height })) },
      mark: { type: 'rect', fill: style.fill, stroke: style.stroke, strokeWidth: style.width, cornerRadius: 4, tooltip: false },
      encoding: { x: pixel('x'), x2: { field: 'x2' }, y: pixel('y'), y2: { field: 'y2' } },
    }));
}

function textLayers(nodes: readonly Node[]): Layer[] {
  const names = nodes.map((n) => ({ x: n.x + PAD_X, y: n.y + PAD_Y + LINE / 2, text: n.name }));
  const details = nodes.flatMap((n) => n.details.map((text, i) => ({ x: n.x + PAD_X, y: n.y + PAD_Y + LINE * (i + 1.5), text })));
  const tags = nodes.filter((n) => n.mark === 'bottleneck').map((n) => ({ x: n.x + 2, y: n.y - 3, text: 'bottleneck' }));
  const text = (values: { x: number; y: number; text: string }[], mark: Record<string, unknown>): Layer => ({
    data: { values },
    mark: { type: 'text', align: 'left', tooltip: false, ...mark },
    encoding: { x: pixel('x'), y: pixel('y'), text: { field: 'text', type: 'nominal' } },
  });
  return [
    text(names, { baseline: 'middle', fontSize: NAME_SIZE, fontWeight: 'bold', color: COLOURS.text }),
    text(details, { baseline: 'middle', fontSize: DETAIL_SIZE, color: COLOURS.detail }),
    ...(tags.length > 0 ? [text(tags, { baseline: 'bottom', fontSize: DETAIL_SIZE, fontWeight: 'bold', color: COLOURS.bottleneck })] : []),
  ];
}

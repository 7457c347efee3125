/**
 * The shape of src/ as a whole, read from the files themselves so the checks follow the tree as
 * modules move: no import cycles between modules (a cycle makes load order decide what is
 * defined, and means two modules are really one), and every document a comment points at is
 * in the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const srcDir = path.join(root, 'src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []))
    .sort();
}

const files = tsFiles(srcDir);
const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');

/**
 * Relative specifiers a file imports or re-exports, type-only ones included: a type-only cycle
 * still ties the modules together. `from '…'` covers import/export declarations over any
 * number of lines; `import('…')` covers dynamic imports and inline type imports.
 */
const SPECIFIER = /\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]|^\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/gm;

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = new Set<string>();
    for (const m of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2] ?? m[3];
      // Sources import each other as './x.js' (NodeNext); the module is ./x.ts.
      const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
      if (target.endsWith('.ts')) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/**
 * Each set of modules that reach each other (Tarjan's strongly connected components), as its
 * shortest cycle through the set's first file and the other files caught in the same knot.
 */
function importCycles(graph: Map<string, string[]>): string[] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return components
    .map((c) => {
      const cycle = shortestCycle(graph, new Set(c), c[0]);
      const others = c.filter((f) => !cycle.includes(f));
      return cycle.map(rel).join(' -> ') + (others.length === 0 ? '' : ` (tied in with ${others.map(rel).join(', ')})`);
    })
    .sort();
}

/** The shortest way from `start` back to itself inside a component, by breadth-first search. */
function shortestCycle(graph: Map<string, string[]>, within: Set<string>, start: string): string[] {
  const from = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!within.has(w)) continue;
      if (w === start) {
        const cycle = [start];
        for (let u = v; u !== start; u = from.get(u)!) cycle.unshift(u);
        return [start, ...cycle];
      }
      if (!from.has(w)) {
        from.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

/**
 * Cycles known today and left for their owners; each entry says why it may stay. None is
 * listed: src/model had none when this test was written, and a new one should fail here.
 */
const ALLOWED_CYCLES: readonly string[] = [];

describe('module graph of src/', () => {
  it('finds every .ts file and its relative imports', () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(50);
    // A regex parse that silently matched nothing would pass the cycle check below.
    expect(graph.get(path.join(srcDir, 'report/index.ts'))).toContain(path.join(srcDir, 'report/atomic.ts'));
  });

  it('has no import cycle', () => {
    const cycles = importCycles(importGraph()).filter((c) => !ALLOWED_CYCLES.includes(c));
    expect(cycles, `import cycles in src/:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('names a cycle when there is one', () => {
    const a = path.join(srcDir, 'a.ts');
    const b = path.join(srcDir, 'b.ts');
    const c = path.join(srcDir, 'c.ts');
    const graph = new Map([
      [a, [b]],
      [b, [c]],
      [c, [a]],
    ]);
    expect(importCycles(graph)).toEqual(['src/a.ts -> src/b.ts -> src/c.ts -> src/a.ts']);
  });
});

/** References known to be broken and left for their owners (none today; each entry must still occur). */
const PENDING_REFERENCES: readonly string[] = [];

describe('documents named in src/ comments', () => {
  const COMMENT = /\/\*[\s\S]*?\*\/|\/\/[^\n]*/g;
  const DOCUMENT = /[\w./-]*[\w-]\.md\b/g;
  /** `docs/definitions.md, "Scaling out"`: a document and one of its sections. */
  const SECTION = /([\w./-]*[\w-]\.md), "([^"]+)"/g;

  it('exist in the repository, with the sections named', () => {
    const sources = files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
    // A name the code itself uses outside comments ('report.md') is a file it writes, not a
    // document it points at.
    const written = new Set(sources.flatMap(({ text }) => text.replace(COMMENT, '').match(DOCUMENT) ?? []).map((d) => path.basename(d)));
    const missing: string[] = [];
    const pending = new Set<string>();
    for (const { file, text } of sources) {
      // A path is read from the repository root, or from the file's own folder when it starts with '.'.
      const resolve = (doc: string) => path.resolve(doc.startsWith('.') ? path.dirname(file) : root, doc);
      for (const comment of text.match(COMMENT) ?? []) {
        for (const doc of comment.match(DOCUMENT) ?? []) {
          const where = `${rel(file)}: ${doc}`;
          if (written.has(path.basename(doc))) continue;
          if (PENDING_REFERENCES.includes(where)) pending.add(where);
          else if (!existsSync(resolve(doc))) missing.push(where);
        }
        for (const [, doc, section] of comment.replace(/\n\s*(\*|\/\/)\s*/g, ' ').matchAll(SECTION)) {
          if (PENDING_REFERENCES.includes(`${rel(file)}: ${doc}`) || !existsSync(resolve(doc))) continue;
          const headings = readFileSync(resolve(doc), 'utf8').match(/^#+ .*$/gm) ?? [];
          if (!headings.some((h) => h.replace(/^#+ /, '') === section)) missing.push(`${rel(file)}: ${doc}, "${section}"`);
        }
      }
    }
    expect(missing, `comments name documents or sections that are not in the repository:\n${missing.join('\n')}`).toEqual([]);
    // Once a pending reference is repointed, its entry goes too.
    expect(PENDING_REFERENCES.filter((r) => !pending.has(r)), 'pending references that no longer occur').toEqual([]);
  });
});

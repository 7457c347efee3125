/**
 * For tests of the JUnit reports: a strict reader of the XML they are written in (elements,
 * attributes, text, the five predefined entities and character references; anything else, such
 * as a mismatched tag, an unquoted attribute or a bare `&` or `<`, throws), and a check against
 * the common JUnit schema (Ant's junit task, as Jenkins' junit-10.xsd and GitLab read it): which
 * element may hold which, the attributes each must have, their types, and that the counts agree
 * with the test cases. Written for the test: the project has no XML dependency.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  if (/<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error(`XML: a bare < or & near offset ${where}`);
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e],
  );
}

/** The document's root element; throws on anything that is not well-formed. */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const rest = () => xml.slice(i);
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/.exec(xml);
  if (!decl) throw new Error('XML: no <?xml version="1.0" encoding="UTF-8"?> declaration');
  i = decl[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < xml.length) {
    if (xml.startsWith('</', i)) {
      const m = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(rest());
      const open = stack.pop();
      if (!m || open === undefined || m[1] !== open.name) throw new Error(`XML: unexpected closing tag at offset ${i}`);
      i += m[0].length;
      if (stack.length === 0) root = open;
    } else if (xml[i] === '<') {
      if (root !== undefined) throw new Error('XML: more than one root element');
      i++;
      const name = NAME.exec(rest());
      if (!name) throw new Error(`XML: bad element name at offset ${i}`);
      i += name[0].length;
      const el: XmlElement = { name: name[0], attributes: {}, children: [], text: '' };
      for (;;) {
        const ws = /^\s*/.exec(rest())![0];
        i += ws.length;
        if (xml.startsWith('/>', i) || xml[i] === '>') break;
        if (ws === '') throw new Error(`XML: no space before an attribute at offset ${i}`);
        const a = /^([A-Za-z_][\w.:-]*)="([^"]*)"/.exec(rest());
        if (!a) throw new Error(`XML: bad attribute at offset ${i}`);
        if (a[1] in el.attributes) throw new Error(`XML: attribute ${a[1]} twice`);
        el.attributes[a[1]] = decode(a[2], i);
        i += a[0].length;
      }
      stack.at(-1)?.children.push(el);
      if (xml.startsWith('/>', i)) {
        i += 2;
        if (stack.length === 0) root = el;
      } else {
        i += 1;
        stack.push(el);
      }
    } else {
      const end = xml.indexOf('<', i);
      const raw = xml.slice(i, end < 0 ? xml.length : end);
      if (stack.length === 0) {
        if (raw.trim() !== '') throw new Error(`XML: text outside the root element at offset ${i}`);
      } else stack.at(-1)!.text += decode(raw, i);
      i += raw.length;
    }
  }
  if (stack.length > 0 || root === undefined) throw new Error('XML: unclosed element or no root');
  return root;
}

const INT = /^(0|[1-9]\d*)$/;
const DECIMAL = /^\d+(\.\d+)?$/;

function attrs(el: XmlElement, required: Record<string, RegExp>, optional: Record<string, RegExp>): void {
  for (const [k, re] of Object.entries(required)) {
    if (!(k in el.attributes)) throw new Error(`JUnit: <${el.name}> has no ${k}`);
    if (!re.test(el.attributes[k])) throw new Error(`JUnit: <${el.name} ${k}="${el.attributes[k]}"> is not of its type`);
  }
  for (const [k, v] of Object.entries(el.attributes)) {
    const re = required[k] ?? optional[k];
    if (re === undefined) throw new Error(`JUnit: <${el.name}> may not have ${k}`);
    if (!re.test(v)) throw new Error(`JUnit: <${el.name} ${k}="${v}"> is not of its type`);
  }
}

function children(el: XmlElement, allowed: string[]): void {
  for (const c of el.children) if (!allowed.includes(c.name)) throw new Error(`JUnit: <${el.name}> may not hold <${c.name}>`);
  if (el.children.length > 0 && el.text.trim() !== '') throw new Error(`JUnit: <${el.name}> holds text beside elements`);
}

const ANY = /^[\s\S]*$/;
const NON_EMPTY = /^[\s\S]+$/;

export interface JunitCounts {
  tests: number;
  failures: number;
  suites: { name: string; tests: number; failures: number; cases: { name: string; classname: string; failure?: { message: string; text: string } }[] }[];
}

/** Checks `root` against the common JUnit schema and that its counts add up; returns what it holds. */
export function checkJunit(root: XmlElement): JunitCounts {
  if (root.name !== 'testsuites') throw new Error(`JUnit: the root is <${root.name}>, not <testsuites>`);
  attrs(root, {}, { name: ANY, tests: INT, failures: INT, errors: INT, disabled: INT, time: DECIMAL });
  children(root, ['testsuite']);
  const suites = root.children.map((suite) => {
    attrs(suite, { name: NON_EMPTY, tests: INT }, { failures: INT, errors: INT, skipped: INT, disabled: INT, time: DECIMAL, timestamp: ANY, hostname: ANY, id: ANY, package: ANY });
    children(suite, ['properties', 'testcase', 'system-out', 'system-err']);
    const props = suite.children.filter((c) => c.name === 'properties');
    if (props.length > 1 || (props.length === 1 && suite.children[0] !== props[0])) throw new Error('JUnit: <properties> once, before the test cases');
    for (const p of props) {
      children(p, ['property']);
      for (const q of p.children) attrs(q, { name: NON_EMPTY, value: ANY }, {});
    }
    const cases = suite.children
      .filter((c) => c.name === 'testcase')
      .map((tc) => {
        attrs(tc, { name: NON_EMPTY }, { classname: ANY, time: DECIMAL, assertions: ANY, status: ANY });
        children(tc, ['skipped', 'error', 'failure', 'system-out', 'system-err']);
        const f = tc.children.filter((c) => c.name === 'failure');
        if (f.length > 1) throw new Error('JUnit: more than one <failure> in a test case');
        for (const x of f) {
          attrs(x, {}, { message: ANY, type: ANY });
          children(x, []);
        }
        return { name: tc.attributes.name, classname: tc.attributes.classname ?? '', ...(f[0] ? { failure: { message: f[0].attributes.message ?? '', text: f[0].text } } : {}) };
      });
    const failures = cases.filter((c) => c.failure !== undefined).length;
    if (Number(suite.attributes.tests) !== cases.length) throw new Error(`JUnit: suite ${suite.attributes.name} says tests=${suite.attributes.tests}, holds ${cases.length}`);
    if (Number(suite.attributes.failures ?? 0) !== failures) throw new Error(`JUnit: suite ${suite.attributes.name} says failures=${suite.attributes.failures}, holds ${failures}`);
    return { name: suite.attributes.name, tests: cases.length, failures, cases };
  });
  const tests = suites.reduce((n, s) => n + s.tests, 0);
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  if (root.attributes.tests !== undefined && Number(root.attributes.tests) !== tests) throw new Error(`JUnit: testsuites says tests=${root.attributes.tests}, holds ${tests}`);
  if (root.attributes.failures !== undefined && Number(root.attributes.failures) !== failures) throw new Error(`JUnit: testsuites says failures=${root.attributes.failures}, holds ${failures}`);
  return { tests, failures, suites };
}

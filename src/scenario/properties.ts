/**
 * Reading the two text formats Kafka's configurations come in, keeping where each key and value
 * is written so a mistake can be shown at `file:line:col`:
 *
 * - A Java properties file, read as `java.util.Properties.load` reads it (the reader Kafka's own
 *   tools use, `Utils.loadProps`): natural lines end at LF, CR or CRLF; a line whose first
 *   non-blank character is `#` or `!` is a comment (a backslash at its end continues nothing);
 *   a line ending in an odd number of backslashes goes on at the next line, whose leading blanks
 *   are skipped; the key ends at the first unescaped `=`, `:` or blank, then blanks, at most one
 *   `=` or `:`, and blanks are skipped; `\t \n \r \f` and `\uXXXX` are escapes and a backslash
 *   before any other character stands for that character. A malformed `\u` is an error, as it is
 *   for Java (IllegalArgumentException). The last of a key written twice wins, as in Java. The
 *   file is decoded as ISO-8859-1, as `Properties.load(InputStream)` decodes it.
 * - What `kafka-configs.sh --describe --entity-type topics` prints (`ConfigCommand`): a header
 *   `Dynamic configs for topic <name> are:` (or `All configs for topic <name> are:` with `--all`),
 *   then one indented line per key, `  <key>=<value> sensitive=<bool> synonyms={...}`. A
 *   sensitive or unset value is printed `null`; such a key is left out (Kafka's default applies).
 */

/** A position in a file: 1-based line and column. */
export interface FilePosition {
  line: number;
  col: number;
}

export interface ConfigEntry {
  key: string;
  /** The value as Kafka reads it: the text after the separator, trimmed (ConfigDef.parseType). */
  value: string;
  keyAt: FilePosition;
  valueAt: FilePosition;
}

export interface ConfigText {
  entries: ConfigEntry[];
  problems: { at: FilePosition; message: string }[];
}

const BLANK = new Set([' ', '\t', '\f']);

/** Line starts of `text`, for offset -> line:col (LF, CR and CRLF all end a line). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) starts.push(i + 1);
  }
  return starts;
}

function positionOf(starts: readonly number[], offset: number): FilePosition {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: offset - starts[lo] + 1 };
}

/**
 * A logical line: its characters (continuations joined, their leading blanks dropped) with the
 * offset in the text each came from.
 */
interface LogicalLine {
  chars: string[];
  offsets: number[];
}

function logicalLines(text: string): LogicalLine[] {
  const lines: LogicalLine[] = [];
  let i = 0;
  const n = text.length;
  const atEol = (k: number) => k >= n || text[k] === '\n' || text[k] === '\r';
  const skipEol = (k: number) => (text[k] === '\r' && text[k + 1] === '\n' ? k + 2 : k + 1);
  while (i < n) {
    // Leading blanks of a natural line are not part of it.
    while (i < n && BLANK.has(text[i])) i++;
    if (atEol(i)) {
      i = skipEol(i);
      continue;
    }
    if (text[i] === '#' || text[i] === '!') {
      while (!atEol(i)) i++;
      i = skipEol(i);
      continue;
    }
    const line: LogicalLine = { chars: [], offsets: [] };
    for (;;) {
      let end = i;
      while (!atEol(end)) end++;
      let slashes = 0;
      for (let k = end - 1; k >= i && text[k] === '\\'; k--) slashes++;
      const continues = slashes % 2 === 1;
      const stop = continues ? end - 1 : end;
      for (let k = i; k < stop; k++) {
        line.chars.push(text[k]);
        line.offsets.push(k);
      }
      i = end < n ? skipEol(end) : end;
      if (!continues || i >= n) break;
      while (i < n && BLANK.has(text[i])) i++;
    }
    lines.push(line);
  }
  return lines;
}

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/** Unescapes chars[from, to); a malformed `\u` gives the offset of its backslash. */
function unescape(line: LogicalLine, from: number, to: number): { text: string } | { badAt: number } {
  let out = '';
  for (let k = from; k < to; k++) {
    const c = line.chars[k];
    if (c !== '\\' || k + 1 >= to) {
      // A lone backslash at the very end of a value stands for nothing (Java drops it).
      if (c !== '\\') out += c;
      continue;
    }
    const e = line.chars[++k];
    if (e === 'u') {
      const hex = line.chars.slice(k + 1, k + 5).join('');
      if (k + 4 >= to || !/^[0-9a-fA-F]{4}$/.test(hex)) return { badAt: line.offsets[k - 1] };
      out += String.fromCharCode(parseInt(hex, 16));
      k += 4;
    } else {
      out += ESCAPES[e] ?? e;
    }
  }
  return { text: out };
}

/** Reads a Java properties file: every key, value and where each is, in file order. */
export function parseProperties(text: string): ConfigText {
  const starts = lineStarts(text);
  const entries: ConfigEntry[] = [];
  const problems: ConfigText['problems'] = [];
  for (const line of logicalLines(text)) {
    const { chars } = line;
    let k = 0;
    let escaped = false;
    for (; k < chars.length; k++) {
      const c = chars[k];
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '=' || c === ':' || BLANK.has(c)) break;
    }
    const keyEnd = k;
    while (k < chars.length && BLANK.has(chars[k])) k++;
    if (k < chars.length && (chars[k] === '=' || chars[k] === ':')) k++;
    while (k < chars.length && BLANK.has(chars[k])) k++;
    const key = unescape(line, 0, keyEnd);
    const value = unescape(line, k, chars.length);
    const bad = 'badAt' in key ? key.badAt : 'badAt' in value ? value.badAt : undefined;
    if (bad !== undefined) {
      problems.push({ at: positionOf(starts, bad), message: 'malformed \\uXXXX escape: expected four hexadecimal digits after \\u' });
      continue;
    }
    const keyAt = positionOf(starts, line.offsets[0]);
    const valueAt = k < chars.length ? positionOf(starts, line.offsets[k]) : keyAt;
    entries.push({ key: (key as { text: string }).text, value: (value as { text: string }).text.trim(), keyAt, valueAt });
  }
  return { entries, problems };
}

const DESCRIBE_HEADER = /^(Dynamic|All|Default) configs for topic (.+) are:\s*$/;
const DESCRIBE_ENTRY = /^(\s+)([^\s=]+)=(.*?) sensitive=(true|false) synonyms=\{.*\}\s*$/;

/** True when the text is `kafka-configs --describe` output rather than a properties file. */
export function isDescribeOutput(text: string): boolean {
  return text.split(/\r\n|\r|\n/).some((l) => DESCRIBE_HEADER.test(l));
}

/**
 * Reads `kafka-configs --describe` output for topics. With several topics in it, `topic` picks
 * the block of that name; with one, that one is read whatever its name.
 */
export function parseDescribe(text: string, topic: string | undefined): ConfigText & { topics: string[] } {
  const lines = text.split(/\r\n|\r|\n/);
  const blocks: { name: string; at: number; lines: number[] }[] = [];
  const problems: ConfigText['problems'] = [];
  lines.forEach((l, i) => {
    const h = DESCRIBE_HEADER.exec(l);
    if (h) {
      blocks.push({ name: h[2], at: i, lines: [] });
      return;
    }
    if (l.trim() === '') return;
    if (blocks.length === 0) {
      problems.push({ at: { line: i + 1, col: 1 }, message: 'expected "Dynamic configs for topic <name> are:" or "All configs for topic <name> are:" before the first key, as kafka-configs --describe prints it' });
      return;
    }
    blocks[blocks.length - 1].lines.push(i);
  });
  const topics = blocks.map((b) => b.name);
  const block = blocks.length === 1 ? blocks[0] : blocks.find((b) => b.name === topic);
  const entries: ConfigEntry[] = [];
  if (!block) {
    if (blocks.length > 1) {
      problems.push({ at: { line: blocks[0].at + 1, col: 1 }, message: `expected the configs of topic ${topic ?? '(unnamed)'}, got those of ${topics.join(', ')}: keep one topic's block in the file, or name the scenario's topic like one of them` });
    }
    return { entries, problems, topics };
  }
  for (const i of block.lines) {
    const m = DESCRIBE_ENTRY.exec(lines[i]);
    if (!m) {
      problems.push({ at: { line: i + 1, col: 1 }, message: 'expected a line like "  retention.ms=604800000 sensitive=false synonyms={...}", as kafka-configs --describe prints it' });
      continue;
    }
    const [, indent, key, value] = m;
    if (value === 'null') continue;
    const keyCol = indent.length + 1;
    entries.push({ key, value: value.trim(), keyAt: { line: i + 1, col: keyCol }, valueAt: { line: i + 1, col: keyCol + key.length + 1 } });
  }
  return { entries, problems, topics };
}

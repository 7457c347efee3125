/**
 * Kafka configurations as a team already has them: a producer's or consumer's properties file,
 * a topic's `kafka-configs --describe` output, pointed at from the scenario and read into the
 * plain data before validation (load.ts), so the schema checks them like keys written inline.
 *
 *   producers:
 *     - name: checkout
 *       config: { file: producer.properties, linger.ms: 20 }   # inline keys override the file's
 *   consumer-groups:
 *     - name: billing
 *       config: { file: consumer.properties }
 *   topics:
 *     - name: orders
 *       config: { file: orders.describe.txt }                  # kafka-configs --describe output
 *
 * A path is relative to the scenario file. Each key is taken as Kafka's ConfigDef parses its
 * type (`ConfigDef.parseType`): the value is trimmed; an INT or LONG key's number is a number in
 * Kafka's unit for that key (`linger.ms=5` is 5 ms, `batch.size=16384` bytes), a BOOLEAN is
 * `true` or `false` in any case, a LIST is split at commas (the assignors' class names are read
 * as the short names the scenario uses). Quoted numbers written inline (`linger.ms: "5"`) are
 * read the same way, since that is how Kafka would read them.
 *
 * Keys that change nothing a simulation can show (where the brokers are, who the client is,
 * serializers, security, metrics, socket buffers...) are accepted, left out of the data and
 * listed in one note. Any other key the schema does not know is still a mistake, with a "did you
 * mean", shown at the file's `line:col`.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMapping } from './introspect.js';
import { setIn } from './overrides.js';
import { cannotReadConfig, configFileTooLarge, ignoredKeysNote, notModelledKey, seriesFileAndPoints } from './messages.js';
import { parseSeries, type SeriesText } from './rate-series.js';
import { isDescribeOutput, parseDescribe, parseProperties, type ConfigText, type FilePosition } from './properties.js';

export type ConfigKind = 'producer' | 'consumer' | 'topic';

/** A Kafka type, as ConfigDef declares it for the key. */
type KafkaType = 'int' | 'long' | 'boolean' | 'string' | 'list';

/** The keys the scenario models, by kind, with their ConfigDef types (ProducerConfig, ConsumerConfig, TopicConfig). */
const MODELLED: Record<ConfigKind, Record<string, KafkaType>> = {
  producer: {
    'linger.ms': 'long',
    'batch.size': 'int',
    acks: 'string',
    'buffer.memory': 'long',
    'max.block.ms': 'long',
    'max.in.flight.requests.per.connection': 'int',
    'max.request.size': 'int',
    'delivery.timeout.ms': 'int',
    'request.timeout.ms': 'int',
    'retry.backoff.ms': 'long',
    'retry.backoff.max.ms': 'long',
    'compression.type': 'string',
    'enable.idempotence': 'boolean',
    retries: 'int',
  },
  consumer: {
    'max.poll.records': 'int',
    'fetch.min.bytes': 'int',
    'fetch.max.wait.ms': 'int',
    'max.partition.fetch.bytes': 'int',
    'fetch.max.bytes': 'int',
    'enable.auto.commit': 'boolean',
    'auto.commit.interval.ms': 'int',
    'auto.offset.reset': 'string',
    'max.poll.interval.ms': 'int',
    'heartbeat.interval.ms': 'int',
    'session.timeout.ms': 'int',
    'partition.assignment.strategy': 'list',
    'group.instance.id': 'string',
    'group.protocol': 'string',
    'group.remote.assignor': 'string',
  },
  topic: {
    'retention.ms': 'long',
    'retention.bytes': 'long',
    'segment.bytes': 'int',
    'segment.ms': 'long',
    'min.insync.replicas': 'int',
  },
};

/** Client keys with no effect on what a simulation shows: connection, identity, security, metrics, socket tuning. */
const CLIENT_NO_EFFECT = [
  'bootstrap.servers',
  'client.id',
  'client.dns.lookup',
  'client.rack',
  'connections.max.idle.ms',
  'metadata.max.age.ms',
  'metadata.recovery.strategy',
  'metadata.recovery.rebootstrap.trigger.ms',
  'metric.reporters',
  'metrics.num.samples',
  'metrics.recording.level',
  'metrics.sample.window.ms',
  'auto.include.jmx.reporter',
  'enable.metrics.push',
  'interceptor.classes',
  'receive.buffer.bytes',
  'send.buffer.bytes',
  'reconnect.backoff.ms',
  'reconnect.backoff.max.ms',
  'socket.connection.setup.timeout.ms',
  'socket.connection.setup.timeout.max.ms',
  'security.protocol',
  'security.providers',
];

/** Prefixes of key families with no effect (TLS and SASL settings). */
const NO_EFFECT_PREFIXES = ['ssl.', 'sasl.'];

const NO_EFFECT: Record<ConfigKind, ReadonlySet<string>> = {
  producer: new Set([
    ...CLIENT_NO_EFFECT,
    'key.serializer',
    'value.serializer',
    'metadata.max.idle.ms',
    // A codec's level changes its ratio, which the scenario states itself (compression-ratio).
    'compression.gzip.level',
    'compression.lz4.level',
    'compression.zstd.level',
    // Only used with transactional.id, which lagsim does not model (it stays an unknown key).
    'transaction.timeout.ms',
  ]),
  consumer: new Set([
    ...CLIENT_NO_EFFECT,
    'group.id',
    'key.deserializer',
    'value.deserializer',
    'allow.auto.create.topics',
    'check.crcs',
    'exclude.internal.topics',
    // Without transactions in the run, read_committed reads what read_uncommitted reads.
    'isolation.level',
    'default.api.timeout.ms',
    'request.timeout.ms',
    'retry.backoff.ms',
    'retry.backoff.max.ms',
  ]),
  // What `kafka-configs --describe --all` lists for a topic besides the modelled keys: log
  // cleaning, flushing, indexes, timestamps, message format, throttles and tiered storage.
  topic: new Set([
    'compression.gzip.level',
    'compression.lz4.level',
    'compression.zstd.level',
    'delete.retention.ms',
    'file.delete.delay.ms',
    'flush.messages',
    'flush.ms',
    'follower.replication.throttled.replicas',
    'leader.replication.throttled.replicas',
    'index.interval.bytes',
    'local.retention.bytes',
    'local.retention.ms',
    'max.compaction.lag.ms',
    'min.compaction.lag.ms',
    'min.cleanable.dirty.ratio',
    'max.message.bytes',
    'message.downconversion.enable',
    'message.format.version',
    'message.timestamp.after.max.ms',
    'message.timestamp.before.max.ms',
    'message.timestamp.difference.max.ms',
    'message.timestamp.type',
    'preallocate',
    'remote.storage.enable',
    'remote.log.copy.disable',
    'remote.log.delete.on.disable',
    'segment.index.bytes',
    'segment.jitter.ms',
    'unclean.leader.election.enable',
  ]),
};

/**
 * Topic keys that have no effect at one value only: deleting (not compacting) old segments, and
 * keeping the producer's compression. Any other value is a behaviour lagsim does not model.
 */
const NO_EFFECT_AT: Record<ConfigKind, Readonly<Record<string, readonly string[]>>> = {
  producer: {},
  consumer: {},
  topic: { 'cleanup.policy': ['delete'], 'compression.type': ['producer'] },
};

/**
 * Real Kafka keys that change what a run would show in ways lagsim does not simulate: refused
 * with the reason rather than as unknown keys (a "did you mean" would mislead).
 */
const NOT_MODELLED: Record<ConfigKind, Readonly<Record<string, string>>> = {
  producer: {
    'transactional.id': 'transactions',
    'partitioner.class': 'a partitioner of your own (lagsim partitions as the built-in partitioner does)',
    'partitioner.ignore.keys': 'partitioning keyed records as if they had no key',
    'partitioner.adaptive.partitioning.enable': 'turning adaptive partitioning off',
    'partitioner.availability.timeout.ms': 'the partitioner avoiding slow brokers',
  },
  consumer: {},
  topic: {
    'cleanup.policy': 'log compaction (only cleanup.policy=delete is)',
    'compression.type': 'a broker recompressing batches to its own codec (only compression.type=producer is)',
  },
};

/** The assignors' class names (ConsumerConfig's partition.assignment.strategy) and the names the scenario uses. */
const ASSIGNOR_CLASSES: Record<string, string> = {
  'org.apache.kafka.clients.consumer.RangeAssignor': 'range',
  'org.apache.kafka.clients.consumer.RoundRobinAssignor': 'roundrobin',
  'org.apache.kafka.clients.consumer.StickyAssignor': 'sticky',
  'org.apache.kafka.clients.consumer.CooperativeStickyAssignor': 'cooperative-sticky',
};

/** Where a key of an expanded config mapping was written, when it came from a file. */
export interface KeyOrigin {
  file: string;
  keyAt: FilePosition;
  valueAt: FilePosition;
}

/** One config mapping that read a file: its path in the scenario and where its keys came from. */
export interface ConfigOrigin {
  path: PropertyKey[];
  keys: Map<string, KeyOrigin>;
}

export interface ExpandProblem {
  /** Where in the scenario (a `file` key, or a key the file gave). */
  path: PropertyKey[];
  /** Set when the problem is inside a config file rather than in the scenario. */
  at?: { file: string; line: number; col: number };
  message: string;
}

export interface Expanded {
  data: unknown;
  origins: ConfigOrigin[];
  problems: ExpandProblem[];
  /** Keys accepted with no effect, each with where it was written (file:line:col, or a scenario path). */
  ignored: { key: string; where: string }[];
}

/** The config mappings of a scenario (as plain data) and what kind each is. */
function configMappings(data: unknown): { path: PropertyKey[]; kind: ConfigKind; topic?: string }[] {
  const out: { path: PropertyKey[]; kind: ConfigKind; topic?: string }[] = [];
  if (!isMapping(data)) return out;
  const list = (key: string): unknown[] => (Array.isArray(data[key]) ? (data[key] as unknown[]) : []);
  list('topics').forEach((t, i) => {
    if (isMapping(t) && isMapping(t.config)) out.push({ path: ['topics', i, 'config'], kind: 'topic', topic: typeof t.name === 'string' ? t.name : undefined });
  });
  list('producers').forEach((p, i) => {
    if (isMapping(p) && isMapping(p.config)) out.push({ path: ['producers', i, 'config'], kind: 'producer' });
  });
  list('consumer-groups').forEach((g, i) => {
    if (!isMapping(g)) return;
    if (isMapping(g.config)) out.push({ path: ['consumer-groups', i, 'config'], kind: 'consumer' });
    if (isMapping(g.produces) && isMapping(g.produces.config)) out.push({ path: ['consumer-groups', i, 'produces', 'config'], kind: 'producer' });
  });
  return out;
}

/** Files above this size are refused: a properties file is a few kilobytes. */
export const MAX_CONFIG_FILE_BYTES = 1_048_576;
/** A rate series file may be larger: a week of 15 s samples is about 1.5 MB of Prometheus JSON. */
export const MAX_SERIES_FILE_BYTES = 64 * 1_048_576;

/** Stands for a series whose file could not be read, so the schema adds nothing to that problem. */
const UNREAD_SERIES: [number, number][] = [
  [0, 0],
  [1, 0],
];

/**
 * Reads config files for the loader. `dir` is the scenario file's folder (paths are relative to
 * it); a file is read once however many variants name it.
 */
export class ConfigFiles {
  private readonly cache = new Map<string, { text: string } | { problem: string }>();
  private readonly parsedSeries = new Map<string, SeriesText | { problem: string }>();

  constructor(private readonly dir: string) {}

  /** The name a file is shown by in messages: relative paths stay relative (to where `sim` runs). */
  display(ref: string): string {
    return path.isAbsolute(ref) ? ref : path.join(this.dir, ref);
  }

  private read(ref: string, limit = MAX_CONFIG_FILE_BYTES, encoding: BufferEncoding = 'latin1'): { text: string } | { problem: string } {
    const shown = this.display(ref);
    const cached = this.cache.get(shown);
    if (cached) return cached;
    let got: { text: string } | { problem: string };
    try {
      const size = statSync(shown).size;
      // Java's Properties.load(InputStream), which Kafka's tools use, decodes ISO-8859-1.
      got = size > limit ? { problem: configFileTooLarge(shown, size, limit) } : { text: readFileSync(shown, encoding) };
    } catch (e) {
      got = { problem: cannotReadConfig(shown, readFailure(e)) };
    }
    this.cache.set(shown, got);
    return got;
  }

  /**
   * The data with every `config: { file: ... }` read in (the file's keys first, the mapping's own
   * keys over them), each value read as Kafka reads its type, and keys with no effect left out.
   * The data given is not changed.
   */
  expand(data: unknown): Expanded {
    const mappings = configMappings(data);
    const result: Expanded = { data, origins: [], problems: [], ignored: [] };
    let root = this.expandSeries(data, result);
    for (const m of mappings) {
      const written = m.path.reduce<any>((v, s) => v[s as string], data) as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      const keys = new Map<string, KeyOrigin>();
      // A file's key lagsim refuses, unless the mapping overrides it.
      const refusals = new Map<string, ExpandProblem>();
      const ref = written.file;
      if (typeof ref === 'string') {
        const read = this.read(ref);
        if ('problem' in read) {
          result.problems.push({ path: [...m.path, 'file'], message: read.problem });
        } else {
          const shown = this.display(ref);
          const parsed: ConfigText = isDescribeOutput(read.text) ? parseDescribe(read.text, m.topic) : parseProperties(read.text);
          for (const p of parsed.problems) result.problems.push({ path: m.path, at: { file: shown, ...p.at }, message: p.message });
          for (const e of parsed.entries) {
            const refused = notModelled(m.kind, e.key, e.value);
            if (refused !== undefined) {
              refusals.set(e.key, { path: [...m.path, e.key], at: { file: shown, ...e.keyAt }, message: refused });
              continue;
            }
            refusals.delete(e.key);
            if (noEffect(m.kind, e.key, e.value)) {
              result.ignored.push({ key: e.key, where: `${shown}:${e.keyAt.line}:${e.keyAt.col}` });
              continue;
            }
            out[e.key] = kafkaValue(m.kind, e.key, e.value);
            keys.set(e.key, { file: shown, keyAt: e.keyAt, valueAt: e.valueAt });
          }
        }
      }
      for (const [key, value] of Object.entries(written)) {
        if (key === 'file' && typeof ref === 'string') continue;
        refusals.delete(key);
        const refused = notModelled(m.kind, key, value);
        if (refused !== undefined) {
          result.problems.push({ path: [...m.path, key], message: refused });
          delete out[key];
          keys.delete(key);
          continue;
        }
        if (noEffect(m.kind, key, value)) {
          result.ignored.push({ key, where: formatWhere([...m.path, key]) });
          delete out[key];
          keys.delete(key);
          continue;
        }
        out[key] = typeof value === 'string' ? kafkaValue(m.kind, key, value) : value;
        keys.delete(key);
      }
      result.problems.push(...refusals.values());
      root = setIn(root, m.path, out);
      if (keys.size > 0) result.origins.push({ path: m.path, keys });
    }
    result.data = root;
    return result;
  }

  /** Each `rate: { series: { file } }` read into `points` (rate-series.ts). */
  private expandSeries(data: unknown, result: Expanded): unknown {
    let root = data;
    for (const m of seriesMappings(data)) {
      const ref = m.series.file as string;
      const shown = this.display(ref);
      const { file: _, ...rest } = m.series;
      let parsed = this.parsedSeries.get(shown);
      if (parsed === undefined) {
        const read = this.read(ref, MAX_SERIES_FILE_BYTES, 'utf8');
        parsed = 'problem' in read ? { problem: read.problem } : parseSeries(read.text);
        this.parsedSeries.set(shown, parsed);
      }
      let points = UNREAD_SERIES;
      if ('problem' in parsed) result.problems.push({ path: [...m.path, 'file'], message: parsed.problem });
      else if (parsed.problems.length > 0) for (const p of parsed.problems) result.problems.push({ path: m.path, at: { file: shown, ...p.at }, message: p.message });
      else points = parsed.points;
      if (Object.hasOwn(rest, 'points')) result.problems.push({ path: [...m.path, 'points'], message: seriesFileAndPoints() });
      root = setIn(root, m.path, { ...rest, points });
    }
    return root;
  }
}

function seriesMappings(data: unknown): { path: PropertyKey[]; series: Record<string, unknown> }[] {
  if (!isMapping(data) || !Array.isArray(data.producers)) return [];
  const out: { path: PropertyKey[]; series: Record<string, unknown> }[] = [];
  (data.producers as unknown[]).forEach((p, i) => {
    const rate = isMapping(p) ? p.rate : undefined;
    if (isMapping(rate) && isMapping(rate.series) && typeof rate.series.file === 'string') out.push({ path: ['producers', i, 'rate', 'series'], series: rate.series });
  });
  return out;
}

/** A scenario path as load.ts's formatPath writes it (`topics[0].config["cleanup.policy"]`). */
function formatWhere(p: PropertyKey[]): string {
  let out = '';
  for (const s of p) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(s))) out += out === '' ? String(s) : `.${String(s)}`;
    else out += `[${JSON.stringify(String(s))}]`;
  }
  return out;
}

/** Why lagsim refuses a Kafka key it knows but does not model, or undefined. */
function notModelled(kind: ConfigKind, key: string, value: unknown): string | undefined {
  if (!Object.hasOwn(NOT_MODELLED[kind], key) || noEffect(kind, key, value)) return undefined;
  return notModelledKey(key, NOT_MODELLED[kind][key]);
}

function noEffect(kind: ConfigKind, key: string, value: unknown): boolean {
  if (Object.hasOwn(MODELLED[kind], key)) return false;
  if (NO_EFFECT[kind].has(key)) return true;
  const at = Object.hasOwn(NO_EFFECT_AT[kind], key) ? NO_EFFECT_AT[kind][key] : undefined;
  if (at !== undefined) return typeof value === 'string' && at.includes(value.trim().toLowerCase());
  return kind !== 'topic' && NO_EFFECT_PREFIXES.some((p) => key.startsWith(p));
}

const INTEGER = /^[+-]?\d+$/;

/**
 * A string value as Kafka's ConfigDef.parseType reads the key's type: numbers for INT and LONG,
 * booleans for BOOLEAN, lists split at commas. A value Kafka would refuse is left as written, for
 * the schema to say what was expected.
 */
export function kafkaValue(kind: ConfigKind, key: string, value: string): unknown {
  const type = Object.hasOwn(MODELLED[kind], key) ? MODELLED[kind][key] : undefined;
  const v = value.trim();
  switch (type) {
    case 'int':
    case 'long':
      return INTEGER.test(v) ? Number(v) : value;
    case 'boolean':
      return /^true$/i.test(v) ? true : /^false$/i.test(v) ? false : value;
    case 'list': {
      if (v === '') return [];
      const items = v.split(/\s*,\s*/).map((s) => (Object.hasOwn(ASSIGNOR_CLASSES, s) ? ASSIGNOR_CLASSES[s] : s));
      return items.length === 1 ? items[0] : items;
    }
    case 'string':
      // GroupProtocol is read case-insensitively (CaseInsensitiveValidString); other strings as written.
      return key === 'group.protocol' ? v.toLowerCase() : v;
    default:
      return value;
  }
}

/** The note a run shows for the keys accepted with no effect, or undefined when there were none. */
export function ignoredNote(ignored: readonly { key: string; where: string }[]): string | undefined {
  if (ignored.length === 0) return undefined;
  return ignoredKeysNote(ignored.map((i) => `${i.key} (${i.where})`));
}

export function readFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}

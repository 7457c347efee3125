/**
 * The scenario format: one zod schema that validates a parsed YAML document, applies Kafka's
 * defaults where the scenario is silent, and gives the TypeScript types the model is built from.
 * The JSON Schema for editors is generated from this same schema (`npm run schema`).
 *
 * Kafka configuration keys are spelled as Kafka spells them and default to Kafka 4.0's values
 * (KIP-1030 made `linger.ms` 5). Our own keys are kebab-case. Durations, sizes and rates carry
 * units (see units.ts); Kafka keys that end in `.ms` or are byte counts also take plain numbers,
 * as in a Kafka properties file.
 */
import { z } from 'zod';
import {
  DURATION_EXAMPLE,
  RATE_EXAMPLE,
  SIZE_EXAMPLE,
  parseDuration,
  parseRate,
  parseSize,
} from './units.js';
import { expectedGot } from './messages.js';

export const KAFKA_DEFAULTS_VERSION = '4.0';

// ---------------------------------------------------------------------------------------------
// Quantities

function unitString(parse: (s: string) => number | undefined, example: string, what: string) {
  return z
    .string()
    .meta({ description: example })
    .transform((text, ctx) => {
      const v = parse(text);
      if (v === undefined) {
        ctx.issues.push({ code: 'custom', message: expectedGot(example, text), input: text });
        return z.NEVER;
      }
      return v;
    })
    .describe(what);
}

/** A duration with a unit; result in microseconds. */
export const Duration = unitString(parseDuration, DURATION_EXAMPLE, 'duration');
/** A size with a unit; result in bytes. */
export const Size = unitString(parseSize, SIZE_EXAMPLE, 'size');

/** A Kafka `*.ms` key: a number of milliseconds, or a duration with a unit. Result in us. */
export const KafkaMs = z.union([z.number().nonnegative().transform((ms) => ms * 1000), Duration]);
/** A Kafka byte-count key: a number of bytes, or a size with a unit. */
export const KafkaBytes = z.union([z.number().int().nonnegative(), Size]);

const nonNegative = (schema: z.ZodType<number>, what: string) =>
  schema.refine((v) => v >= 0, { message: `expected ${what} >= 0` });
const positive = (schema: z.ZodType<number>, what: string) =>
  schema.refine((v) => v > 0, { message: `expected ${what} > 0` });

export const Rate = z.union([
  z.number().nonnegative().describe('records per second'),
  unitString(parseRate, RATE_EXAMPLE, 'rate').refine((v) => v >= 0, { message: 'expected a rate >= 0' }),
]);

// ---------------------------------------------------------------------------------------------
// Distributions, usable for any duration or size. `q` parses one quantity of the right kind.

/**
 * A mapping whose `dist` key picks which schema validates the rest. Unlike a plain union, a
 * mistake gives one precise issue (about the chosen kind) rather than one per alternative.
 */
export function byKind<T>(what: string, kinds: Record<string, z.ZodType<T, unknown>>, key = 'dist') {
  const names = Object.keys(kinds);
  return z
    .custom<unknown>()
    .meta({ lagsimKinds: kinds, lagsimKindKey: key, description: what })
    .transform((input, ctx): T => {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        ctx.issues.push({ code: 'custom', message: expectedGot(what, input), input });
        return z.NEVER;
      }
      const kind = (input as Record<string, unknown>)[key];
      const schema = typeof kind === 'string' && Object.hasOwn(kinds, kind) ? kinds[kind] : undefined;
      if (!schema) {
        ctx.issues.push({ code: 'custom', path: [key], message: expectedGot(`${key} to be one of ${names.join(', ')}`, kind), input });
        return z.NEVER;
      }
      const r = schema.safeParse(input);
      if (!r.success) {
        for (const issue of r.error.issues) ctx.issues.push({ ...issue, input } as never);
        return z.NEVER;
      }
      return r.data;
    });
}

function distribution(q: z.ZodType<number, unknown>, what: string) {
  const pq = positive(q, 'a positive value');
  const nq = nonNegative(q, 'a value');
  const percentileKey = z.string().regex(/^p(\d+(\.\d+)?)$/, 'expected a percentile key like p50, p99.9');
  const one: z.ZodType<Dist, unknown> = z.lazy(() =>
    z.union([
      nq.transform((value): Dist => ({ dist: 'constant', value })),
      byKind<Dist>(`${what}, or a mapping with dist: constant, uniform, exponential, normal, lognormal, gamma, pareto, empirical or mixture`, {
        constant: z.strictObject({ dist: z.literal('constant'), value: nq }),
        uniform: z
          .strictObject({ dist: z.literal('uniform'), min: nq, max: nq })
          .refine((d) => d.max >= d.min, { message: 'expected max >= min', path: ['max'] }),
        exponential: z.strictObject({ dist: z.literal('exponential'), mean: pq }),
        normal: z.strictObject({ dist: z.literal('normal'), mean: nq, sd: nq }),
        lognormal: z
          .strictObject({ dist: z.literal('lognormal'), mean: pq.optional(), sd: nq.optional(), p50: pq.optional(), p99: pq.optional() })
          .superRefine((d, ctx) => {
            const byMoments = d.mean !== undefined && d.sd !== undefined && d.p50 === undefined && d.p99 === undefined;
            const byPercentiles = d.p50 !== undefined && d.p99 !== undefined && d.mean === undefined && d.sd === undefined;
            if (!byMoments && !byPercentiles) ctx.addIssue({ code: 'custom', message: 'expected either mean and sd, or p50 and p99' });
            if (byPercentiles && d.p99! < d.p50!) ctx.addIssue({ code: 'custom', message: 'expected p99 >= p50', path: ['p99'] });
          })
          .transform((d): Dist => (d.p50 !== undefined ? { dist: 'lognormal', p50: d.p50, p99: d.p99! } : { dist: 'lognormal', mean: d.mean!, sd: d.sd! })),
        gamma: z.strictObject({ dist: z.literal('gamma'), shape: z.number().positive(), mean: pq }),
        pareto: z.strictObject({ dist: z.literal('pareto'), scale: pq, shape: z.number().positive() }),
        empirical: z
          .strictObject({ dist: z.literal('empirical'), percentiles: z.record(percentileKey, nq) })
          .superRefine((d, ctx) => {
            const pts = Object.entries(d.percentiles)
              .map(([k, v]) => [Number(k.slice(1)), v] as const)
              .sort((a, b) => a[0] - b[0]);
            if (pts.length < 2 || pts[0][0] !== 0 || pts[pts.length - 1][0] !== 100) {
              ctx.addIssue({ code: 'custom', message: 'expected a percentile table from p0 to p100', path: ['percentiles'] });
            }
            for (let i = 1; i < pts.length; i++) {
              if (pts[i][1] < pts[i - 1][1]) {
                ctx.addIssue({ code: 'custom', message: `expected values that never decrease, got p${pts[i][0]} < p${pts[i - 1][0]}`, path: ['percentiles'] });
                break;
              }
            }
          }),
        mixture: z.strictObject({
          dist: z.literal('mixture'),
          of: z.array(z.strictObject({ weight: z.number().positive(), value: one })).min(1),
        }),
      }),
    ]),
  );
  return one;
}

/** A distribution, its parameters already in base units (us or bytes). */
export type Dist =
  | { dist: 'constant'; value: number }
  | { dist: 'uniform'; min: number; max: number }
  | { dist: 'exponential'; mean: number }
  | { dist: 'normal'; mean: number; sd: number }
  | { dist: 'lognormal'; mean: number; sd: number }
  | { dist: 'lognormal'; p50: number; p99: number }
  | { dist: 'gamma'; shape: number; mean: number }
  | { dist: 'pareto'; scale: number; shape: number }
  | { dist: 'empirical'; percentiles: Record<string, number> }
  | { dist: 'mixture'; of: { weight: number; value: Dist }[] };

export const DurationDist = distribution(Duration, 'a duration like 5ms');
export const SizeDist = distribution(z.union([z.number().int().nonnegative(), Size]), 'a size like 512B');

// ---------------------------------------------------------------------------------------------
// Traffic

const Phase = z
  .strictObject({
    for: Duration.optional(),
    rate: Rate.optional(),
    'ramp-to': Rate.optional(),
    label: z.string().optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.rate === undefined) === (p['ramp-to'] === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'expected exactly one of rate (hold) or ramp-to (linear change)' });
    }
  });

export const RateProfile = z.union([
  Rate.transform((rate) => ({ kind: 'constant' as const, rate })),
  z.strictObject({ phases: z.array(Phase).min(1) }).transform((p) => ({ kind: 'phases' as const, phases: p.phases })),
  z.strictObject({
    spike: z.strictObject({
      base: Rate,
      peak: Rate,
      at: Duration,
      for: Duration,
      ramp: Duration.default(0),
    }),
  }).transform((p) => ({ kind: 'spike' as const, ...p.spike })),
  z.strictObject({
    diurnal: z.strictObject({
      mean: Rate,
      amplitude: Rate,
      period: Duration.default(86_400_000_000),
      'peak-at': Duration.default(0),
    }),
  }).transform((p) => ({ kind: 'diurnal' as const, ...p.diurnal })),
]);

export const Keys = z.union([
  z.literal('null').transform((): KeyDist => ({ dist: 'null' })),
  // `keys: null` in YAML is the null value, and means what it says: records without a key.
  z.null().transform((): KeyDist => ({ dist: 'null' })),
  byKind<KeyDist>('null, or a mapping with dist: null, uniform, zipf or hot', {
    null: z.strictObject({ dist: z.literal('null') }),
    uniform: z.strictObject({ dist: z.literal('uniform'), count: z.number().int().positive().max(50_000_000) }),
    zipf: z.strictObject({
      dist: z.literal('zipf'),
      count: z.number().int().positive().max(50_000_000),
      exponent: z.number().positive().default(1),
    }),
    hot: z
      .strictObject({
        dist: z.literal('hot'),
        count: z.number().int().positive().max(50_000_000),
        'hot-keys': z.number().int().positive(),
        'hot-share': z.number().min(0).max(1),
      })
      .refine((k) => k['hot-keys'] <= k.count, { message: 'expected hot-keys <= count', path: ['hot-keys'] }),
  }),
]);

/** Which keys records carry: none (sticky partitioner), or ids 0..count-1 drawn by a law. */
export type KeyDist =
  | { dist: 'null' }
  | { dist: 'uniform'; count: number }
  | { dist: 'zipf'; count: number; exponent: number }
  | { dist: 'hot'; count: number; 'hot-keys': number; 'hot-share': number };

// ---------------------------------------------------------------------------------------------
// Kafka client configuration, Kafka 4.0 defaults.

export const ProducerConfig = z
  .strictObject({
    'linger.ms': KafkaMs.default(5_000),
    'batch.size': KafkaBytes.default(16_384),
    acks: z.union([z.literal('all'), z.literal('-1'), z.literal(-1), z.literal(0), z.literal(1), z.literal('0'), z.literal('1')]).default('all'),
  })
  .default({ 'linger.ms': 5_000, 'batch.size': 16_384, acks: 'all' });

export const ConsumerConfig = z
  .strictObject({
    'max.poll.records': z.number().int().positive().default(500),
    'fetch.min.bytes': KafkaBytes.default(1),
    'fetch.max.wait.ms': KafkaMs.default(500_000),
    'max.partition.fetch.bytes': KafkaBytes.default(1_048_576),
    'fetch.max.bytes': KafkaBytes.default(52_428_800),
    'enable.auto.commit': z.boolean().default(true),
    'auto.commit.interval.ms': KafkaMs.default(5_000_000),
  })
  .default({
    'max.poll.records': 500,
    'fetch.min.bytes': 1,
    'fetch.max.wait.ms': 500_000,
    'max.partition.fetch.bytes': 1_048_576,
    'fetch.max.bytes': 52_428_800,
    'enable.auto.commit': true,
    'auto.commit.interval.ms': 5_000_000,
  });

// ---------------------------------------------------------------------------------------------
// Scenario sections

const Name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a name of letters, digits, ".", "_" or "-", starting with a letter or digit');

/** Kafka's smallest `segment.bytes` from 4.0 (KIP-1030; LogConfig's `atLeast(1024 * 1024)`). */
export const MIN_SEGMENT_BYTES = 1_048_576;
const MAX_INT = 2 ** 31 - 1;
const DAY_MS = 86_400_000;

/** `retention.ms`: -1 (no time limit), milliseconds, or a duration with a unit. Result in us. */
const RetentionMs = z.union([
  z
    .number()
    .refine((v) => v === -1 || v >= 0, { message: 'expected -1 (no time limit) or a number of milliseconds >= 0' })
    .transform((ms) => (ms === -1 ? -1 : ms * 1000)),
  Duration,
]);
/** `retention.bytes`: -1 (no size limit), bytes, or a size with a unit. */
const RetentionBytes = z.union([
  z.number().int().refine((v) => v >= -1, { message: 'expected -1 (no size limit) or a number of bytes >= 0' }),
  Size,
]);

export const TopicConfig = z
  .strictObject({
    'retention.ms': RetentionMs.default(7 * DAY_MS * 1000),
    'retention.bytes': RetentionBytes.default(-1),
    'segment.bytes': KafkaBytes.refine((v) => v >= MIN_SEGMENT_BYTES && v <= MAX_INT, {
      message: `expected segment.bytes from ${MIN_SEGMENT_BYTES} (1MiB, Kafka's minimum) to ${MAX_INT}`,
    }).default(1_073_741_824),
    'segment.ms': KafkaMs.refine((v) => v >= 1000, { message: 'expected segment.ms >= 1 (ms, Kafka\'s minimum)' }).default(7 * DAY_MS * 1000),
  })
  .describe('topic-level configuration: segments and retention on the brokers')
  .default({ 'retention.ms': 7 * DAY_MS * 1000, 'retention.bytes': -1, 'segment.bytes': 1_073_741_824, 'segment.ms': 7 * DAY_MS * 1000 });

export const Topic = z.strictObject({
  name: Name,
  partitions: z.number().int().positive().max(100_000),
  config: TopicConfig,
});

/** Broker configuration shared by every broker of the cluster. */
export const Brokers = z
  .strictObject({
    'log.retention.check.interval.ms': KafkaMs.refine((v) => v >= 1000, {
      message: 'expected log.retention.check.interval.ms >= 1 (ms, Kafka\'s minimum)',
    }).default(300_000_000),
  })
  .default({ 'log.retention.check.interval.ms': 300_000_000 });

export const Producer = z.strictObject({
  name: Name,
  topic: Name,
  instances: z
    .number()
    .int()
    .positive()
    .max(1000)
    .default(1)
    .describe('application instances, each with its own KafkaProducer and accumulator; the rate is shared equally'),
  rate: RateProfile,
  arrivals: z.enum(['poisson', 'paced']).default('poisson'),
  'record-size': SizeDist.default({ dist: 'constant', value: 512 }),
  keys: Keys.default({ dist: 'null' }),
  config: ProducerConfig,
});

export const Call = z.strictObject({
  service: Name,
  per: z.enum(['record', 'batch']).default('record'),
});

export const Processing = z
  .strictObject({
    'per-record': DurationDist.default({ dist: 'constant', value: 0 }),
    'per-batch': DurationDist.default({ dist: 'constant', value: 0 }),
    calls: z.array(Call).default([]),
    commit: z.enum(['sync', 'async']).default('sync'),
  })
  .default({ 'per-record': { dist: 'constant', value: 0 }, 'per-batch': { dist: 'constant', value: 0 }, calls: [], commit: 'sync' });

export const ConsumerGroup = z.strictObject({
  name: Name,
  topic: Name,
  instances: z.number().int().positive().max(10_000),
  config: ConsumerConfig,
  processing: Processing,
});

export const ServiceWindow = z
  .strictObject({
    from: Duration,
    to: Duration,
    latency: DurationDist,
    label: z.string().optional(),
  })
  .refine((w) => w.to > w.from, { message: 'expected to > from', path: ['to'] });

export const Service = z.strictObject({
  name: Name,
  latency: DurationDist,
  concurrency: z.number().int().positive().optional().describe('calls served at once; more wait in FIFO order. Unlimited when absent.'),
  windows: z.array(ServiceWindow).default([]),
});

// ---------------------------------------------------------------------------------------------
// Faults a scenario schedules. Consumer faults: a crash sends nothing (the coordinator notices
// after session.timeout.ms); a restart in a rolling deploy is a clean close (a dynamic member
// sends LeaveGroup, a static member does not and keeps its assignment if it is back within
// session.timeout.ms). Broker faults: a slowdown multiplies a broker's produce and fetch times;
// a loss makes its leaders unavailable until failover moves them.

const Member = z.number().int().nonnegative().describe('member index, 0-based, in start-up order');

export const Fault = byKind<FaultSpec>(
  'a mapping with type: consumer-crash, rolling-restart, scale, broker-slowdown or broker-loss',
  {
    'consumer-crash': z.strictObject({
      type: z.literal('consumer-crash'),
      at: Duration,
      member: Member.default(0),
      'restart-after': Duration.optional().describe('the crashed instance starts again after this; never when absent'),
    }),
    'rolling-restart': z.strictObject({
      type: z.literal('rolling-restart'),
      at: Duration,
      interval: Duration.describe('from one member coming back to the next one stopping'),
      downtime: Duration.default(10_000_000).describe('how long each instance is down'),
    }),
    scale: z.strictObject({
      type: z.literal('scale'),
      at: Duration,
      instances: z.number().int().positive().max(10_000),
    }),
    'broker-slowdown': z.strictObject({
      type: z.literal('broker-slowdown'),
      at: Duration,
      for: positive(Duration, 'a duration'),
      broker: z.number().int().nonnegative(),
      factor: z.number().min(1).describe('produce latency and time per byte are multiplied by this'),
    }),
    'broker-loss': z.strictObject({
      type: z.literal('broker-loss'),
      at: Duration,
      broker: z.number().int().nonnegative(),
      failover: Duration.default(10_000_000).describe('time until new leaders are elected for its partitions'),
      'restart-after': Duration.optional().describe('the broker comes back (as a follower) after this'),
    }),
  },
  'type',
);

export type FaultSpec =
  | { type: 'consumer-crash'; at: number; member: number; 'restart-after'?: number }
  | { type: 'rolling-restart'; at: number; interval: number; downtime: number }
  | { type: 'scale'; at: number; instances: number }
  | { type: 'broker-slowdown'; at: number; for: number; broker: number; factor: number }
  | { type: 'broker-loss'; at: number; broker: number; failover: number; 'restart-after'?: number };

export const Network = z
  .strictObject({
    rtt: Duration.default(1_000),
    'produce-latency': DurationDist.default({ dist: 'constant', value: 2_000 }),
  })
  .default({ rtt: 1_000, 'produce-latency': { dist: 'constant', value: 2_000 } });

export const Scenario = z
  .strictObject({
    name: Name,
    title: z.string().optional(),
    description: z.string().default(''),
    seed: z.number().int().nonnegative().max(2 ** 32 - 1).default(1),
    duration: positive(Duration, 'a duration'),
    'sample-interval': positive(Duration, 'a duration').default(1_000_000),
    fidelity: z
      .enum(['auto', 'exact', 'batched'])
      .default('auto')
      .describe('exact: every record drawn; batched: counts and processing times drawn per slice and per poll batch; auto: batched from 5M expected records'),
    network: Network,
    brokers: Brokers,
    topics: z.array(Topic).length(1, 'expected exactly one topic (multi-stage pipelines come in a later version)'),
    producers: z.array(Producer).min(1),
    'consumer-groups': z.array(ConsumerGroup).length(1, 'expected exactly one consumer group (multi-stage pipelines come in a later version)'),
    services: z.array(Service).default([]),
    faults: z.array(Fault).default([]),
  })
  .superRefine(
    (s, ctx) => {
      // This runs for any mapping, even when other keys have mistakes (`when` below), so that all
      // mistakes are reported at once. Parts that did not parse may be missing or malformed
      // here: a check that depends on one is skipped, since that part has its own issue already.
      const declared = namesOf(s.topics);
      const topics = declared?.size ? declared : undefined; // no topics at all is a mistake of its own
      const services = namesOf(s.services);
      listOf(s.producers).forEach((p, i) => {
        if (topics && typeof p?.topic === 'string' && !topics.has(p.topic)) ctx.addIssue({ code: 'custom', path: ['producers', i, 'topic'], message: expectedGot(`one of the topics (${[...topics].join(', ')})`, p.topic) });
      });
      listOf(s['consumer-groups']).forEach((g, i) => {
        if (topics && typeof g?.topic === 'string' && !topics.has(g.topic)) ctx.addIssue({ code: 'custom', path: ['consumer-groups', i, 'topic'], message: expectedGot(`one of the topics (${[...topics].join(', ')})`, g.topic) });
        listOf(g?.processing?.calls).forEach((c, j) => {
          if (services && typeof c?.service === 'string' && !services.has(c.service)) {
            ctx.addIssue({ code: 'custom', path: ['consumer-groups', i, 'processing', 'calls', j, 'service'], message: expectedGot(`one of the services (${[...services].join(', ') || 'none declared'})`, c.service) });
          }
        });
      });
      const windows = s.duration / s['sample-interval'];
      if (Number.isFinite(windows) && windows > 1_000_000) {
        ctx.addIssue({ code: 'custom', path: ['sample-interval'], message: `expected at most 1,000,000 samples per run, got ${Math.ceil(windows)}: use a longer sample-interval` });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

/** The items of a list that may not have parsed. */
function listOf<T>(list: readonly T[] | undefined): readonly (T | undefined)[] {
  return Array.isArray(list) ? list : [];
}

/** The names in a list of named things, or undefined when the list itself has mistakes. */
function namesOf(list: readonly { name: string }[] | undefined): Set<string> | undefined {
  if (!Array.isArray(list) || !list.every((x) => typeof x?.name === 'string')) return undefined;
  return new Set(list.map((x) => x.name));
}

export type Scenario = z.output<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;
export type RateProfile = z.output<typeof RateProfile>;
export type ProducerSpec = z.output<typeof Producer>;
export type ConsumerGroupSpec = z.output<typeof ConsumerGroup>;
export type TopicSpec = z.output<typeof Topic>;
export type BrokersSpec = z.output<typeof Brokers>;
export type ServiceSpec = z.output<typeof Service>;

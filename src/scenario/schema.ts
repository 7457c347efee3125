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
  COUNT_EXAMPLE,
  DURATION_EXAMPLE,
  RATE_EXAMPLE,
  SIZE_EXAMPLE,
  formatCountShort,
  formatDuration,
  parseCount,
  parseDuration,
  parseRate,
  parseSize,
} from './units.js';
import type { Dist } from '../random/distributions.js';
import { expectedGot, unknownObjectiveScope, unscopedObjective, wholeMicroseconds } from './messages.js';
import { closest } from './suggest.js';

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

/**
 * The largest duration, size or count a scenario may give. The simulation clock counts whole
 * microseconds in a double, which is exact up to 2^53 - 1 (about 285 years); a larger value
 * (`max.poll.interval.ms: 1e308` would be Infinity in us) cannot be a time on it. Sizes and
 * counts share the bound: it is the largest whole number a double holds exactly.
 */
export const MAX_QUANTITY = Number.MAX_SAFE_INTEGER;
const MAX_MS = Math.floor(MAX_QUANTITY / 1000);

const CLOCK_LIMIT = "2^53 - 1 us, the simulation clock's limit";
const EXACT_LIMIT = 'the largest whole number a double holds exactly';

const atMost = (schema: z.ZodType<number, unknown>, limit: number, bound: string) =>
  schema.refine((v) => v <= limit, { message: `expected ${bound}` });

/** A duration with a unit; result in microseconds. */
export const Duration = atMost(
  unitString(parseDuration, DURATION_EXAMPLE, 'duration'),
  MAX_QUANTITY,
  `a duration of at most ${Math.floor(MAX_QUANTITY / 86_400_000_000)}d (${CLOCK_LIMIT})`,
);
/** A size with a unit; result in bytes. */
export const Size = atMost(unitString(parseSize, SIZE_EXAMPLE, 'size'), MAX_QUANTITY, `a size of at most ${MAX_QUANTITY} bytes (${EXACT_LIMIT})`);

/** A Kafka `*.ms` key: a number of milliseconds, or a duration with a unit. Result in us. */
export const KafkaMs = z.union([
  atMost(z.number().nonnegative(), MAX_MS, `a number of milliseconds of at most ${MAX_MS} (${CLOCK_LIMIT})`).transform((ms) => ms * 1000),
  Duration,
]);
/** A Kafka byte-count key: a number of bytes, or a size with a unit. */
export const KafkaBytes = z.union([z.number().int().nonnegative(), Size]);

const nonNegative = (schema: z.ZodType<number>, what: string) =>
  schema.refine((v) => v >= 0, { message: `expected ${what} >= 0` });
const positive = (schema: z.ZodType<number>, what: string) =>
  schema.refine((v) => v > 0, { message: `expected ${what} > 0` });

/**
 * The run's duration and sample interval, which the kernel's clock must land on: whole
 * microseconds. A decimal written in a larger unit can come out a hair off one (4.1s is
 * 4099999.9999999995 us in floating point), and that noise is taken off; a value really between
 * two microseconds is reported by the scenario's check below.
 */
const Ticks = positive(Duration, 'a duration').transform((v) => {
  const r = Math.round(v);
  return Math.abs(v - r) <= 1e-12 * Math.max(1, r) ? r : v;
});

/** A count of things (records, rebalances): a number, or a string with k, M or G. */
export const Count = z.union([
  atMost(z.number().nonnegative(), MAX_QUANTITY, `a count of at most ${MAX_QUANTITY} (${EXACT_LIMIT})`),
  atMost(
    unitString(parseCount, COUNT_EXAMPLE, 'count').refine((v) => v >= 0, { message: 'expected a count >= 0' }),
    MAX_QUANTITY,
    `a count of at most ${MAX_QUANTITY} (${EXACT_LIMIT})`,
  ),
]);

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

const DIST = 'the kind of distribution';

function distribution(q: z.ZodType<number, unknown>, what: string) {
  const pq = positive(q, 'a positive value');
  const nq = nonNegative(q, 'a value');
  const percentileKey = z.string().regex(/^p(\d+(\.\d+)?)$/, 'expected a percentile key like p50, p99.9');
  // `one` is annotated because it is recursive (a mixture's parts); `kinds` is not, so the
  // assertion below compares what each kind really parses to with random/'s Dist.
  const one: z.ZodType<Dist, unknown> = z.lazy(() =>
    z.union([
      nq.transform((value): Dist => ({ dist: 'constant', value })),
      byKind<Dist>(`${what}, or a mapping with dist: constant, uniform, exponential, normal, lognormal, gamma, pareto, empirical or mixture`, kinds),
    ]),
  );
  const kinds = {
    constant: z.strictObject({ dist: z.literal('constant').describe(DIST), value: nq.describe('the one value every draw takes') }),
    uniform: z
      .strictObject({ dist: z.literal('uniform').describe(DIST), min: nq.describe('the smallest value drawn'), max: nq.describe('the largest value drawn, at least min') })
      .refine((d) => d.max >= d.min, { message: 'expected max >= min', path: ['max'] }),
    exponential: z.strictObject({ dist: z.literal('exponential').describe(DIST), mean: pq.describe('the mean of the draws') }),
    normal: z.strictObject({ dist: z.literal('normal').describe(DIST), mean: nq.describe('the mean of the draws'), sd: nq.describe('their standard deviation (draws below 0 are taken as 0)') }),
    lognormal: z
      .strictObject({
        dist: z.literal('lognormal').describe(DIST),
        mean: pq.optional().describe('the mean of the draws (with sd; or give p50 and p99)'),
        sd: nq.optional().describe('their standard deviation (with mean)'),
        p50: pq.optional().describe('the median (with p99; or give mean and sd)'),
        p99: pq.optional().describe('the 99th percentile, at least p50 (with p50)'),
      })
      .superRefine((d, ctx) => {
        const byMoments = d.mean !== undefined && d.sd !== undefined && d.p50 === undefined && d.p99 === undefined;
        const byPercentiles = d.p50 !== undefined && d.p99 !== undefined && d.mean === undefined && d.sd === undefined;
        if (!byMoments && !byPercentiles) ctx.addIssue({ code: 'custom', message: 'expected either mean and sd, or p50 and p99' });
        if (byPercentiles && d.p99! < d.p50!) ctx.addIssue({ code: 'custom', message: 'expected p99 >= p50', path: ['p99'] });
      })
      .transform((d): Extract<Dist, { dist: 'lognormal' }> => (d.p50 !== undefined ? { dist: 'lognormal', p50: d.p50, p99: d.p99! } : { dist: 'lognormal', mean: d.mean!, sd: d.sd! })),
    gamma: z.strictObject({ dist: z.literal('gamma').describe(DIST), shape: z.number().positive().describe('the shape k: 1 is exponential, larger is less spread'), mean: pq.describe('the mean of the draws') }),
    pareto: z.strictObject({ dist: z.literal('pareto').describe(DIST), scale: pq.describe('the smallest value drawn'), shape: z.number().positive().describe('the tail index: smaller means a heavier tail (no finite mean at 1 or below)') }),
    empirical: z
      .strictObject({ dist: z.literal('empirical').describe(DIST), percentiles: z.record(percentileKey, nq).describe('a table from p0 to p100 (p50: 12ms, ...), values never decreasing; draws interpolate between its rows') })
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
      dist: z.literal('mixture').describe(DIST),
      of: z
        .array(z.strictObject({ weight: z.number().positive().describe('how often this part is drawn, relative to the other parts'), value: one.describe('the part: a value or a distribution') }))
        .min(1)
        .describe('the parts, each drawn with its weight\'s share'),
    }),
  };
  const parsesEveryDist: SameType<z.output<(typeof kinds)[keyof typeof kinds]>, Dist> = true;
  void parsesEveryDist;
  return one;
}

/** `true` only when A and B are the same type: each assignable to the other. */
type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// Dist is random/'s: the samplers define what a distribution is, the schema how one is written.
export type { Dist } from '../random/distributions.js';

export const DurationDist = distribution(Duration, 'a duration like 5ms');
export const SizeDist = distribution(z.union([z.number().int().nonnegative(), Size]), 'a size like 512B');

// ---------------------------------------------------------------------------------------------
// Traffic

const Phase = z
  .strictObject({
    for: Duration.optional().describe('how long the phase lasts; the last phase may leave it out and last to the end'),
    rate: Rate.optional().describe('hold this rate (records per second) through the phase'),
    'ramp-to': Rate.optional().describe('change linearly from the previous rate to this one over the phase'),
    label: z.string().optional().describe('what the phase is, for the charts\' marks'),
  })
  .superRefine((p, ctx) => {
    if ((p.rate === undefined) === (p['ramp-to'] === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'expected exactly one of rate (hold) or ramp-to (linear change)' });
    }
  });

/**
 * A recorded rate replayed (rate-series.ts reads a file into `points`): each point is a time in
 * seconds and the mean rate over the step ending then, so the rate is piecewise constant.
 */
const Series = z
  .strictObject({
    file: z.string().optional().describe('a CSV of time,rate rows or a Prometheus range-query JSON result, relative to the scenario file; read into points when the scenario is loaded'),
    points: z
      .array(z.tuple([z.number(), z.number().nonnegative()]))
      .min(2)
      .optional()
      .describe('[time in seconds, records per second] pairs, times increasing; each rate holds over the step that ends at its time'),
    scale: z.number().nonnegative().default(1).describe('every rate of the series is multiplied by this'),
    skip: Duration.default(0).describe('the run starts this far into the recording'),
    delay: Duration.default(0).describe('the recording starts this far into the run (the rate is 0 before it)'),
  })
  .superRefine((sr, ctx) => {
    if (sr.points === undefined) {
      ctx.addIssue({ code: 'custom', path: ['points'], message: sr.file === undefined ? 'expected file or points' : 'expected points: a series file is read when the scenario is loaded from its file (loadScenario)' });
      return;
    }
    for (let i = 1; i < sr.points.length; i++) {
      if (!(sr.points[i][0] > sr.points[i - 1][0])) {
        ctx.addIssue({ code: 'custom', path: ['points', i, 0], message: `expected times that increase, got ${sr.points[i][0]} after ${sr.points[i - 1][0]}` });
        break;
      }
    }
  })
  .transform((sr) => ({ points: sr.points!, scale: sr.scale, skip: sr.skip, delay: sr.delay }));

export const RateProfile = z.union([
  Rate.transform((rate) => ({ kind: 'constant' as const, rate })),
  z.strictObject({ phases: z.array(Phase).min(1).describe('the rate as phases one after another, each a hold or a ramp') }).transform((p) => ({ kind: 'phases' as const, phases: p.phases })),
  z.strictObject({
    spike: z
      .strictObject({
        base: Rate.describe('the rate before and after the spike'),
        peak: Rate.describe('the rate at the top of the spike'),
        at: Duration.describe('when the spike starts'),
        for: Duration.describe('how long it stays at its peak'),
        ramp: Duration.default(0).describe('how long the rise and the fall each take; default 0 (a step)'),
      })
      .describe('a steady rate with one spike'),
  }).transform((p) => ({ kind: 'spike' as const, ...p.spike })),
  z.strictObject({
    diurnal: z
      .strictObject({
        mean: Rate.describe('the mean rate over a period'),
        amplitude: Rate.describe('how far the rate swings above and below the mean (a cosine; never below 0)'),
        period: Duration.default(86_400_000_000).describe('the length of one cycle; default 1 day'),
        'peak-at': Duration.default(0).describe('when in the run the rate is highest; default 0'),
      })
      .describe('a daily (or any period) wave'),
  }).transform((p) => ({ kind: 'diurnal' as const, ...p.diurnal })),
  z.strictObject({ series: Series.describe('a recorded rate replayed: a CSV or a Prometheus range query') }).transform((p) => ({ kind: 'series' as const, ...p.series })),
]);

const KEY_DIST = 'how keys are drawn: null (no key, sticky partitioner), uniform, zipf or hot';
const KEY_COUNT = z.number().int().positive().max(50_000_000).describe('how many distinct keys (ids 0 to count - 1), at most 50M');

export const Keys = z.union([
  z.literal('null').transform((): KeyDist => ({ dist: 'null' })),
  // `keys: null` in YAML is the null value, and means what it says: records without a key.
  z.null().transform((): KeyDist => ({ dist: 'null' })),
  byKind<KeyDist>('null, or a mapping with dist: null, uniform, zipf or hot', {
    null: z.strictObject({ dist: z.literal('null').describe(KEY_DIST) }),
    uniform: z.strictObject({ dist: z.literal('uniform').describe(KEY_DIST), count: KEY_COUNT }),
    zipf: z.strictObject({
      dist: z.literal('zipf').describe(KEY_DIST),
      count: KEY_COUNT,
      exponent: z.number().positive().default(1).describe('the Zipf exponent s: key k is drawn in proportion to 1/k^s; default 1'),
    }),
    hot: z
      .strictObject({
        dist: z.literal('hot').describe(KEY_DIST),
        count: KEY_COUNT,
        'hot-keys': z.number().int().positive().describe('how many of the keys are hot, at most count'),
        'hot-share': z.number().min(0).max(1).describe('the share of records (0 to 1) that carry a hot key'),
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

/**
 * `file:` in a config mapping: a Kafka config file read into it before validation
 * (client-config.ts); the keys written beside it override the file's.
 */
const ConfigFile = z
  .string()
  .optional()
  .describe('a Kafka config file to read the keys from: a Java properties file, or kafka-configs --describe output for a topic; relative to the scenario file; keys written beside it override the file\'s');

const ACKS = z.union([z.literal('all'), z.literal('-1'), z.literal(-1), z.literal(0), z.literal(1), z.literal('0'), z.literal('1')]);

/** `delivery.timeout.ms` when the scenario is silent (KafkaProducer raises it to linger.ms + request.timeout.ms if that is larger). */
export const DEFAULT_DELIVERY_TIMEOUT = 120_000_000;

const PRODUCER_CONFIG_DEFAULTS = {
  'linger.ms': 5_000,
  'batch.size': 16_384,
  acks: 'all' as const,
  'buffer.memory': 33_554_432,
  'max.block.ms': 60_000_000,
  'max.in.flight.requests.per.connection': 5,
  'max.request.size': 1_048_576,
  'request.timeout.ms': 30_000_000,
  'retry.backoff.ms': 100_000,
  'retry.backoff.max.ms': 1_000_000,
  'compression.type': 'none' as const,
  retries: 2_147_483_647,
};

/** `max.in.flight.requests.per.connection` an idempotent producer may have (ProducerConfig). */
export const MAX_IN_FLIGHT_FOR_IDEMPOTENCE = 5;

export const ProducerConfig = z
  .strictObject({
    file: ConfigFile,
    'linger.ms': KafkaMs.default(PRODUCER_CONFIG_DEFAULTS['linger.ms']).describe('how long a batch waits for more records before it is sent, ms; default 5 (Kafka 4.0, 0 before)'),
    'batch.size': KafkaBytes.default(PRODUCER_CONFIG_DEFAULTS['batch.size']).describe("a partition's batch is full at this many bytes (compressed, as estimated while it fills); default 16384"),
    acks: ACKS.default('all').describe('when the broker answers a produce request: 0 never, 1 after the leader appends, all (-1) after every in-sync replica has it; default all'),
    'buffer.memory': positive(KafkaBytes, 'a size')
      .default(PRODUCER_CONFIG_DEFAULTS['buffer.memory'])
      .describe("bytes the producer's batches may hold; send() blocks when they are taken; default 33554432 (32 MiB)"),
    'max.block.ms': KafkaMs.default(PRODUCER_CONFIG_DEFAULTS['max.block.ms']).describe('how long send() may block waiting for buffer.memory before the record is rejected, ms; default 60000'),
    'max.in.flight.requests.per.connection': z
      .number()
      .int()
      .positive()
      .default(5)
      .describe('produce requests sent to one broker and not yet answered, at most; default 5 (at most 5 with idempotence)'),
    'max.request.size': positive(KafkaBytes, 'a size').default(PRODUCER_CONFIG_DEFAULTS['max.request.size']).describe('the largest produce request, bytes; default 1048576 (1 MiB)'),
    'delivery.timeout.ms': KafkaMs.optional().describe('a batch not acknowledged this long after it was created is rejected, retries or not, ms; default 120000, raised to linger.ms + request.timeout.ms when that is larger'),
    'request.timeout.ms': positive(KafkaMs, 'a duration')
      .default(PRODUCER_CONFIG_DEFAULTS['request.timeout.ms'])
      .describe('how long the producer waits for an answer to a request before it fails and its batches are retried, ms; default 30000'),
    'retry.backoff.ms': KafkaMs.default(PRODUCER_CONFIG_DEFAULTS['retry.backoff.ms']).describe('the wait before a failed batch is retried, doubling at each attempt (with 20% jitter), ms; default 100'),
    'retry.backoff.max.ms': KafkaMs.default(PRODUCER_CONFIG_DEFAULTS['retry.backoff.max.ms']).describe('the longest wait between retries, ms; default 1000'),
    'compression.type': z
      .enum(['none', 'gzip', 'snappy', 'lz4', 'zstd'])
      .default('none')
      .describe('the codec batches are compressed with; every byte past the accumulator (requests, quotas, broker byte rate, logs, fetches) is a compressed byte (see compression-ratio); default none'),
    'enable.idempotence': z
      .boolean()
      .optional()
      .describe('default true; needs acks=all, retries > 0 and max.in.flight.requests.per.connection <= 5. Left unset, acks other than all or retries=0 turn it off, as in Kafka'),
    retries: z.number().int().nonnegative().max(2_147_483_647).default(PRODUCER_CONFIG_DEFAULTS.retries).describe('default 2147483647: retried until delivery.timeout.ms'),
  })
  .default(PRODUCER_CONFIG_DEFAULTS)
  .describe("the producer's Kafka configuration (ProducerConfig keys, Kafka 4.0 defaults), or a properties file with file:");

/** Normalised acks: 0, 1 or 'all' (-1). */
export function acksOf(acks: z.output<typeof ACKS>): 0 | 1 | 'all' {
  return acks === 0 || acks === '0' ? 0 : acks === 1 || acks === '1' ? 1 : 'all';
}

const Name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a name of letters, digits, ".", "_" or "-", starting with a letter or digit');

const CLIENT_ASSIGNORS = ['range', 'roundrobin', 'sticky', 'cooperative-sticky'] as const;

const CONSUMER_DEFAULTS = {
  'max.poll.records': 500,
  'fetch.min.bytes': 1,
  'fetch.max.wait.ms': 500_000,
  'max.partition.fetch.bytes': 1_048_576,
  'fetch.max.bytes': 52_428_800,
  'enable.auto.commit': true,
  'auto.commit.interval.ms': 5_000_000,
  'auto.offset.reset': 'latest' as const,
  'max.poll.interval.ms': 300_000_000,
  'group.protocol': 'classic' as const,
  'group.remote.assignor': 'uniform' as const,
};

/**
 * Consumer keys. `heartbeat.interval.ms`, `session.timeout.ms` and
 * `partition.assignment.strategy` belong to the classic protocol: with `group.protocol:
 * consumer` (KIP-848) the broker sets the first two and the server-side assignor replaces the
 * third, and Kafka refuses them (ConsumerConfig), so they are left undefined here when absent and
 * defaulted by the protocol in use.
 */
export const ConsumerConfig = z
  .strictObject({
    file: ConfigFile,
    'max.poll.records': z.number().int().positive().default(500).describe('records one poll() returns, at most (fetches are not smaller for it); default 500'),
    'fetch.min.bytes': KafkaBytes.default(1).describe('the broker answers a fetch once this many bytes are there (or fetch.max.wait.ms has passed); default 1'),
    'fetch.max.wait.ms': KafkaMs.default(500_000).describe('how long the broker holds a fetch waiting for fetch.min.bytes, ms; default 500'),
    'max.partition.fetch.bytes': KafkaBytes.default(1_048_576).describe("bytes a fetch takes from one partition, at most (a larger first batch still comes whole); default 1048576"),
    'fetch.max.bytes': KafkaBytes.default(52_428_800).describe('bytes one fetch response holds, at most; default 52428800 (50 MiB)'),
    'enable.auto.commit': z.boolean().default(true).describe('commit the positions in poll() every auto.commit.interval.ms; default true (false: commit after each batch, as processing.commit says)'),
    'auto.commit.interval.ms': KafkaMs.default(5_000_000).describe('how often auto-commit commits, ms; default 5000'),
    'auto.offset.reset': z.enum(['latest', 'earliest']).default('latest').describe('where a member starts when its committed offset is no longer in the log; default latest'),
    'max.poll.interval.ms': KafkaMs.default(300_000_000).describe('a member that does not poll for this long leaves the group (a rebalance), ms; default 300000'),
    'heartbeat.interval.ms': KafkaMs.optional().describe('how often a member heartbeats to the coordinator, ms; classic protocol only; default 3000'),
    'session.timeout.ms': KafkaMs.optional().describe('a member silent this long is removed from the group, ms; classic protocol only; default 45000'),
    'partition.assignment.strategy': z
      .union([z.enum(CLIENT_ASSIGNORS), z.array(z.enum(CLIENT_ASSIGNORS)).min(1)])
      .optional()
      .describe('the client-side assignors, classic protocol only; default [range, cooperative-sticky], which is eager range'),
    'group.instance.id': Name.optional().describe('static membership: instance i gets "<this>-<i>"; default none (dynamic members)'),
    'group.protocol': z.enum(['classic', 'consumer']).default('classic').describe('the rebalance protocol: classic (stop-the-world or cooperative, client-side assignors) or consumer (KIP-848, broker-side); default classic'),
    'group.remote.assignor': z.enum(['uniform', 'range']).default('uniform').describe('the broker-side assignor, consumer protocol (KIP-848) only; default uniform'),
  })
  .superRefine((c, ctx) => {
    if (c['group.protocol'] === 'consumer') {
      for (const key of ['heartbeat.interval.ms', 'session.timeout.ms', 'partition.assignment.strategy'] as const) {
        if (c[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `not allowed with group.protocol: consumer (the broker sets it: see brokers.group.consumer.*)` });
      }
    }
    const hb = c['heartbeat.interval.ms'] ?? 3_000_000;
    const session = c['session.timeout.ms'] ?? 45_000_000;
    if (c['group.protocol'] === 'classic' && hb >= session) {
      ctx.addIssue({ code: 'custom', path: ['heartbeat.interval.ms'], message: 'expected heartbeat.interval.ms lower than session.timeout.ms' });
    }
  })
  .default(CONSUMER_DEFAULTS)
  .describe("the members' Kafka consumer configuration (ConsumerConfig keys, Kafka 4.0 defaults), or a properties file with file:");

/** Broker-side (group coordinator) settings, Kafka 4.0 defaults. */
export const CoordinatorConfig = {
  'group.initial.rebalance.delay.ms': KafkaMs.default(3_000_000).describe("how long the coordinator waits for more members before a new group's first rebalance (classic), ms; default 3000"),
  'group.consumer.heartbeat.interval.ms': KafkaMs.default(5_000_000).describe('how often members heartbeat with group.protocol consumer (KIP-848), ms; default 5000'),
  'group.consumer.session.timeout.ms': KafkaMs.default(45_000_000).describe('a consumer-protocol member silent this long is removed, ms; default 45000'),
};

// ---------------------------------------------------------------------------------------------
// Scenario sections


/** Kafka's smallest `segment.bytes` from 4.0 (KIP-1030; LogConfig's `atLeast(1024 * 1024)`). */
export const MIN_SEGMENT_BYTES = 1_048_576;
const MAX_INT = 2 ** 31 - 1;
const DAY_MS = 86_400_000;

/** `retention.ms`: -1 (no time limit), milliseconds, or a duration with a unit. Result in us. */
const RetentionMs = z.union([
  z
    .number()
    .refine((v) => v === -1 || v >= 0, { message: 'expected -1 (no time limit) or a number of milliseconds >= 0' })
    .refine((v) => v <= MAX_MS, { message: `expected -1 (no time limit) or a number of milliseconds of at most ${MAX_MS} (${CLOCK_LIMIT})` })
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
    file: ConfigFile,
    'retention.ms': RetentionMs.default(7 * DAY_MS * 1000).describe('a segment is deleted once its newest record is this old, ms (-1: never by age); default 604800000 (7 days)'),
    'retention.bytes': RetentionBytes.default(-1).describe("oldest segments are deleted while a partition's log is larger than this, bytes (-1: no size limit); default -1"),
    'segment.bytes': KafkaBytes.refine((v) => v >= MIN_SEGMENT_BYTES && v <= MAX_INT, {
      message: `expected segment.bytes from ${MIN_SEGMENT_BYTES} (1MiB, Kafka's minimum) to ${MAX_INT}`,
    })
      .default(1_073_741_824)
      .describe('a new segment is rolled when the active one would pass this size, bytes; default 1073741824 (1 GiB)'),
    'segment.ms': KafkaMs.refine((v) => v >= 1000, { message: 'expected segment.ms >= 1 (ms, Kafka\'s minimum)' })
      .default(7 * DAY_MS * 1000)
      .describe('a new segment is rolled when the active one is this old, ms; default 604800000 (7 days)'),
    'min.insync.replicas': z
      .number()
      .int()
      .positive()
      .default(1)
      .describe('an acks=all write to a partition with fewer in-sync replicas is refused (NOT_ENOUGH_REPLICAS) and retried; default 1'),
  })
  .describe('topic-level configuration: segments and retention, in-sync replicas')
  .default({ 'retention.ms': 7 * DAY_MS * 1000, 'retention.bytes': -1, 'segment.bytes': 1_073_741_824, 'segment.ms': 7 * DAY_MS * 1000, 'min.insync.replicas': 1 });

export const Topic = z.strictObject({
  name: Name.describe('the topic name producers and consumer groups refer to'),
  partitions: z.number().int().positive().max(100_000).describe('how many partitions the topic has (at most 100,000)'),
  'replication-factor': z.number().int().positive().optional().describe('default min(3, brokers.count)'),
  config: TopicConfig,
});

type ProducerConfigOut = z.output<typeof ProducerConfig>;

/**
 * KafkaProducer.configureDeliveryTimeout: an explicit delivery.timeout.ms below linger.ms +
 * request.timeout.ms is a ConfigException (for a source producer and a stage's alike).
 */
function deliveryTimeoutIssue(p: { config: ProducerConfigOut }, ctx: z.RefinementCtx): void {
  const c = p.config;
  const dt = c?.['delivery.timeout.ms'];
  if (dt !== undefined && typeof c['linger.ms'] === 'number' && typeof c['request.timeout.ms'] === 'number' && dt < c['linger.ms'] + c['request.timeout.ms']) {
    ctx.addIssue({
      code: 'custom',
      path: ['config', 'delivery.timeout.ms'],
      message: `expected delivery.timeout.ms >= linger.ms + request.timeout.ms (${(c['linger.ms'] + c['request.timeout.ms']) / 1000}), got ${dt / 1000}`,
    });
  }
}

/**
 * ProducerConfig.postProcessAndValidateIdempotenceConfigs (Kafka 4.0): with idempotence on,
 * retries=0 and acks other than all are ConfigExceptions when enable.idempotence was set (true),
 * and silently turn idempotence off when it was only the default; more than 5 requests in flight
 * is a ConfigException either way. `compression-ratio` needs a codec to apply to.
 */
function producerConfigIssues(p: { config: ProducerConfigOut; 'compression-ratio'?: number }, ctx: z.RefinementCtx): void {
  deliveryTimeoutIssue(p, ctx);
  const c = p.config;
  if (c === undefined) return;
  const explicit = c['enable.idempotence'] !== undefined;
  if (c['enable.idempotence'] ?? true) {
    if (explicit && c.retries === 0) {
      ctx.addIssue({ code: 'custom', path: ['config', 'retries'], message: 'expected retries > 0 with enable.idempotence: true (Kafka: "Must set retries to non-zero when using the idempotent producer")' });
    }
    if (explicit && c.acks !== undefined && acksOf(c.acks) !== 'all') {
      ctx.addIssue({ code: 'custom', path: ['config', 'acks'], message: `expected acks: all with enable.idempotence: true, got ${c.acks} (Kafka: "Must set acks to all in order to use the idempotent producer")` });
    }
    const inFlight = c['max.in.flight.requests.per.connection'];
    if (typeof inFlight === 'number' && inFlight > MAX_IN_FLIGHT_FOR_IDEMPOTENCE) {
      ctx.addIssue({
        code: 'custom',
        path: ['config', 'max.in.flight.requests.per.connection'],
        message: `expected at most ${MAX_IN_FLIGHT_FOR_IDEMPOTENCE} with idempotence (on by default), got ${inFlight}: set enable.idempotence: false for more (Kafka: "To use the idempotent producer, max.in.flight.requests.per.connection must be set to at most 5")`,
      });
    }
  }
  if (p['compression-ratio'] !== undefined && c['compression.type'] === 'none') {
    ctx.addIssue({ code: 'custom', path: ['compression-ratio'], message: 'expected config.compression.type (gzip, snappy, lz4 or zstd) with a compression-ratio: with compression.type none nothing is compressed' });
  }
}

/**
 * The default delivery.timeout.ms, raised silently to linger.ms + request.timeout.ms, as
 * KafkaProducer does; and enable.idempotence as ProducerConfig resolves it (off when only
 * defaulted and acks is not all or retries is 0).
 */
function withDeliveryTimeout<P extends { config: ProducerConfigOut }>(p: P): P & { config: ProducerConfigOut & { 'delivery.timeout.ms': number; 'enable.idempotence': boolean } } {
  const c = p.config;
  const dt = c['delivery.timeout.ms'] ?? Math.max(DEFAULT_DELIVERY_TIMEOUT, c['linger.ms'] + c['request.timeout.ms']);
  const idempotence = c['enable.idempotence'] ?? (acksOf(c.acks) === 'all' && c.retries > 0);
  return { ...p, config: { ...c, 'delivery.timeout.ms': dt, 'enable.idempotence': idempotence } };
}

/** `compression-ratio`: uncompressed bytes per compressed byte, for a producer with compression.type set. */
const CompressionRatio = z
  .number()
  .positive()
  .optional()
  .describe('uncompressed bytes per compressed byte (4 means batches shrink to a quarter); default by codec: snappy 2, lz4 2.2, gzip 3, zstd 3.3');

export const Producer = z
  .strictObject({
    name: Name.describe("the producer's name; also its client id, which quotas are keyed by"),
    topic: Name.describe('the topic it writes'),
    instances: z
      .number()
      .int()
      .positive()
      .max(1000)
      .default(1)
      .describe('application instances, each with its own KafkaProducer and accumulator; the rate is shared equally'),
    rate: RateProfile.describe('records per second the application sends: a rate (20k/s), phases, a spike, a diurnal wave or a recorded series'),
    arrivals: z.enum(['poisson', 'paced']).default('poisson').describe('poisson: random gaps at the rate; paced: evenly spaced; default poisson'),
    'record-size': SizeDist.default({ dist: 'constant', value: 512 }).describe("a record's serialized size, uncompressed (a size or a distribution of sizes); default 512B"),
    keys: Keys.default({ dist: 'null' }).describe('the keys records carry, which choose their partitions; default null (no keys: sticky partitioning)'),
    'on-buffer-full': z
      .enum(['block', 'drop'])
      .default('block')
      .describe('what the application does when send() would block on buffer.memory: block (wait up to max.block.ms, as Kafka does) or drop the record'),
    'compression-ratio': CompressionRatio,
    config: ProducerConfig,
  })
  .superRefine(producerConfigIssues)
  .transform(withDeliveryTimeout);

export const Call = z.strictObject({
  service: Name.describe('the service called (one of services)'),
  per: z.enum(['record', 'batch']).default('record').describe('one call per record or one per poll batch; default record'),
});

export const Processing = z
  .strictObject({
    'per-record': DurationDist.default({ dist: 'constant', value: 0 }).describe('processing time of each record (a duration or a distribution); default 0'),
    'per-batch': DurationDist.default({ dist: 'constant', value: 0 }).describe('processing time added once per poll batch; default 0'),
    calls: z.array(Call).default([]).describe('calls to services each record or batch makes, one after another; default none'),
    commit: z.enum(['sync', 'async']).default('sync').describe('with enable.auto.commit false: commitSync (waits) or commitAsync after each batch; default sync'),
  })
  .describe('what the application does with each poll batch')
  .default({ 'per-record': { dist: 'constant', value: 0 }, 'per-batch': { dist: 'constant', value: 0 }, calls: [], commit: 'sync' });

/**
 * What a stage's processing produces, through a KafkaProducer of each application instance: per
 * input record `yield` records on average (1; a fraction filters, more fans out: the whole part
 * always, one more with the fraction's probability), sent when the input record's processing ends.
 */
export const Produces = z
  .strictObject({
    topic: Name.describe('the topic the stage writes (downstream of the one it reads)'),
    keys: z
      .union([z.literal('keep'), Keys])
      .default('keep')
      .describe('keep: the input record\'s key (so its partition, when both topics have as many partitions), or a new key distribution'),
    'record-size': SizeDist.default({ dist: 'constant', value: 512 }).describe("an output record's serialized size, uncompressed; default 512B"),
    yield: z.number().min(0).max(1_000).default(1).describe('records produced per input record, on average: below 1 filters, above 1 fans out'),
    'on-buffer-full': z
      .enum(['block', 'drop'])
      .default('block')
      .describe('block: send() blocks the processing thread (up to max.block.ms, then the record is rejected buffer-exhausted and processing goes on); drop: the record is dropped'),
    'compression-ratio': CompressionRatio,
    config: ProducerConfig,
  })
  .superRefine(producerConfigIssues)
  .transform(withDeliveryTimeout);

export const ConsumerGroup = z.strictObject({
  name: Name.describe("the group's name (group.id); also its client id for quotas"),
  topic: Name.describe('the topic the group reads'),
  instances: z.number().int().positive().max(10_000).describe('application instances, each one consumer (member) of the group'),
  config: ConsumerConfig,
  processing: Processing,
  produces: Produces.optional().describe('the topic this stage writes, with its producer: a stage of a multi-stage pipeline'),
});

export const ServiceWindow = z
  .strictObject({
    from: Duration.describe('when the window starts'),
    to: Duration.describe('when it ends, after from'),
    latency: DurationDist.describe("the service's latency during the window"),
    label: z.string().optional().describe('what happened, for the charts\' marks'),
  })
  .refine((w) => w.to > w.from, { message: 'expected to > from', path: ['to'] });

export const Service = z.strictObject({
  name: Name.describe('the service name calls refer to'),
  latency: DurationDist.describe('how long a call takes (a duration or a distribution)'),
  concurrency: z.number().int().positive().optional().describe('calls served at once; more wait in FIFO order. Unlimited when absent.'),
  windows: z.array(ServiceWindow).default([]).describe('periods with a different latency (an incident, a slow dependency); default none'),
});

// ---------------------------------------------------------------------------------------------
// Faults a scenario schedules. Consumer faults: a crash sends nothing (the coordinator notices
// after session.timeout.ms); a restart in a rolling deploy is a clean close (a dynamic member
// sends LeaveGroup, a static member does not and keeps its assignment if it is back within
// session.timeout.ms). Broker faults: a slowdown multiplies a broker's produce and fetch times;
// a loss makes its leaders unavailable until failover moves them.

const Member = z.number().int().nonnegative().describe('member index, 0-based, in start-up order');
const BrokerIndex = z.number().int().nonnegative().describe('the broker, by index from 0 (below brokers.count)');
const FaultGroup = Name.optional().describe('the consumer group it concerns; may be left out when the scenario has one');
const FaultAt = Duration.describe('when the fault happens, from the start of the run');

export const Fault = byKind<FaultSpec>(
  'a mapping with type: consumer-crash, rolling-restart, scale, broker-slowdown or broker-loss',
  {
    'consumer-crash': z.strictObject({
      type: z.literal('consumer-crash').describe('a member stops without leaving: the coordinator notices after session.timeout.ms'),
      group: FaultGroup,
      at: FaultAt,
      member: Member.default(0),
      'restart-after': Duration.optional().describe('the crashed instance starts again after this; never when absent'),
    }),
    'rolling-restart': z.strictObject({
      type: z.literal('rolling-restart').describe("the group's members restarted one after another (a deploy)"),
      group: FaultGroup,
      at: FaultAt,
      interval: Duration.describe('from one member coming back to the next one stopping'),
      downtime: Duration.default(10_000_000).describe('how long each instance is down'),
    }),
    scale: z.strictObject({
      type: z.literal('scale').describe('the group grows or shrinks to a number of instances'),
      group: FaultGroup,
      at: FaultAt,
      instances: z.number().int().positive().max(10_000).describe('how many instances the group has from then on'),
    }),
    'broker-slowdown': z.strictObject({
      type: z.literal('broker-slowdown').describe("a broker's produce and fetch handling slows down for a while"),
      at: FaultAt,
      for: positive(Duration, 'a duration').describe('how long the slowdown lasts'),
      broker: BrokerIndex,
      factor: z.number().min(1).describe('produce latency and time per byte are multiplied by this'),
    }),
    'broker-loss': z.strictObject({
      type: z.literal('broker-loss').describe('a broker is lost: its leaderships move to others after failover'),
      at: FaultAt,
      broker: BrokerIndex,
      failover: Duration.default(10_000_000).describe('time until new leaders are elected for its partitions'),
      'restart-after': Duration.optional().describe('the broker comes back (as a follower) after this'),
      connections: z
        .enum(['time-out', 'reset'])
        .default('time-out')
        .describe(
          "time-out: the host stops answering (power loss, network partition), so requests in flight to it fail only after the producer's request.timeout.ms; reset: the broker's process dies on a live host (crash, kill), its connections are reset and requests in flight fail at once",
        ),
    }),
  },
  'type',
);

export type FaultSpec =
  | { type: 'consumer-crash'; group?: string; at: number; member: number; 'restart-after'?: number }
  | { type: 'rolling-restart'; group?: string; at: number; interval: number; downtime: number }
  | { type: 'scale'; group?: string; at: number; instances: number }
  | { type: 'broker-slowdown'; at: number; for: number; broker: number; factor: number }
  | { type: 'broker-loss'; at: number; broker: number; failover: number; 'restart-after'?: number; connections: 'time-out' | 'reset' };

export const Network = z
  .strictObject({
    rtt: Duration.default(1_000).describe('the round trip between a client and a broker; default 1ms'),
    'produce-latency': z
      .unknown()
      .optional()
      .describe('removed: use brokers.append-latency and brokers.replication-latency (send -> visible = rtt/2 + append + replication)'),
  })
  .superRefine((n, ctx) => {
    if (n['produce-latency'] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['produce-latency'],
        message:
          'expected no produce-latency here: it was replaced by brokers.append-latency (leader append) and brokers.replication-latency ' +
          '(followers fetch, for the high watermark), and a record becomes visible rtt/2 + append + replication after it is sent',
      });
    }
  })
  .transform((n) => ({ rtt: n.rtt }))
  .default({ rtt: 1_000 })
  .describe('the network between clients and brokers');

/** Client quotas of one client id (a producer's or a consumer group's name), per broker as Kafka enforces them. */
export const ClientQuotaSpec = z.strictObject({
  producer_byte_rate: positive(KafkaBytes, 'a byte rate').optional().describe('bytes per second a producer may send to each broker'),
  consumer_byte_rate: positive(KafkaBytes, 'a byte rate').optional().describe('bytes per second a consumer group member may fetch from each broker'),
});

const BROKERS_DEFAULTS = {
  count: 3,
  'append-latency': { dist: 'constant' as const, value: 500 },
  'replication-latency': { dist: 'constant' as const, value: 1_000 },
  quotas: {},
  'group.initial.rebalance.delay.ms': 3_000_000,
  'group.consumer.heartbeat.interval.ms': 5_000_000,
  'group.consumer.session.timeout.ms': 45_000_000,
  'log.retention.check.interval.ms': 300_000_000,
};

export const Brokers = z
  .strictObject({
    count: z.number().int().positive().max(10_000).default(3).describe('how many brokers; partition leaders are spread over them; default 3'),
    'append-latency': DurationDist.default(BROKERS_DEFAULTS['append-latency']).describe('leader: request handling and log append'),
    'replication-latency': DurationDist.default(BROKERS_DEFAULTS['replication-latency']).describe(
      'from leader append until every in-sync follower has fetched it (the high watermark covers it); 0 with replication-factor 1',
    ),
    'max-bytes-in-per-second': positive(KafkaBytes, 'a size').optional().describe('produce bytes one broker appends per second; requests queue FIFO behind it'),
    quotas: z.record(Name, ClientQuotaSpec).default({}).describe('client quotas by client id (a producer or consumer group name), enforced by each broker'),
    ...CoordinatorConfig,
    'log.retention.check.interval.ms': KafkaMs.refine((v) => v >= 1000, {
      message: 'expected log.retention.check.interval.ms >= 1 (ms, Kafka\'s minimum)',
    })
      .default(300_000_000)
      .describe('how often brokers delete segments past retention, ms; default 300000 (5 min)'),
  })
  .default(BROKERS_DEFAULTS)
  .describe('the Kafka cluster: brokers, their latencies, byte rates, quotas and coordinator settings');

// ---------------------------------------------------------------------------------------------
// Objectives (service-level objectives a run is checked against with `sim --check`). One mapping,
// each key a kind of objective, so a misspelt kind gets a "did you mean" like any other key:
//
//   objectives:
//     latency: { p99: 5s }             # overall end-to-end latency percentile, at most
//     latency-per-window: { p99: 10s } # the same in every sample window (the worst window)
//     lag: { max-records: 1M, max-seconds: 30s }
//     drain: { within: 10m }           # time to drain after the peak
//     lost: 0                          # records never to be processed: rejected or lost, all reasons
//     duplicates: 0
//     rebalances: { at-most: 3 }       # or just `rebalances: 3`
//     groups:                          # objectives of one stage, by consumer group name
//       payment:
//         lag: { max-records: 10k }    # that group's lag on its topic
//         latency: { p99: 2s }         # its stage latency (create time in its topic -> processed)
//         latency-per-window: { p99: 3s }
//         drain: { within: 5m }
//         lost: 0                      # lost to that group after append (retention, offset reset)
//         duplicates: 0
//         rebalances: 3
//     topics:                          # objectives of one topic, by name
//       payments: { rejected: 0 }      # records its producers rejected (source producers and stages)
//
// `lag`, `drain`, `duplicates` and `rebalances` are a group's figures. With one consumer group
// they are that group's; with several they must be written under `groups:` (the loader says so)
// rather than applied to every group, because one bound seldom fits every stage (a fan-out
// stage, a slow enrichment step) and a check that silently multiplies is hard to read in a
// verdict table. `latency` and `latency-per-window` at the top are end-to-end, `lost` the whole
// pipeline's.
//
// Every bound is an upper bound and a figure equal to it passes. The output is a list: the
// unscoped objectives in the order above, then each group's in the same order, then each
// topic's; each bound in the unit of the RunResult figure it is compared with.

/** One objective, normalized: a RunResult figure, how it compares and the bound in its unit. */
export interface Objective {
  /** As a reader would say it: "latency p99 <= 5s", "latency p99 <= 10s in every window". */
  objective: string;
  /**
   * A summary path (`latency.p99Ms`, `groups.payment.lag.peakRecords`); `accounting.lost` or
   * `accounting.rejected` (the sum over reasons), `accounting.lostOrRejected` (every topic's
   * rejections and every group's losses); `groups.<g>.books.lost`, `topics.<t>.books.rejected`
   * (summed over reasons); or a series path with `window`.
   */
  figure: string;
  /** True when `figure` is a series and the objective must hold in every sample window. */
  window: boolean;
  comparison: 'at-most' | 'at-least';
  bound: number;
  unit: string;
}

const LATENCY_FIGURES = {
  p50: { summary: 'latency.p50Ms', series: 'latencyP50' },
  p95: { summary: 'latency.p95Ms', series: 'latencyP95' },
  p99: { summary: 'latency.p99Ms', series: 'latencyP99' },
  'p99.9': { summary: 'latency.p999Ms', series: undefined },
  max: { summary: 'latency.maxMs', series: 'latencyMax' },
  mean: { summary: 'latency.meanMs', series: undefined },
} as const;

type LatencyKey = keyof typeof LATENCY_FIGURES;

function latencyBounds<K extends LatencyKey>(keys: readonly K[]) {
  const shape = Object.fromEntries(keys.map((k) => [k, Duration.optional().describe(k === 'mean' ? 'the mean latency, at most; no default' : k === 'max' ? 'the largest latency, at most; no default' : `the ${k} latency (${k.slice(1)}% of records take at most this), at most; no default`)])) as Record<K, z.ZodOptional<typeof Duration>>;
  return z.strictObject(shape);
}

const AtMost = z.union([Count, z.strictObject({ 'at-most': Count.describe('the bound: at most this many') }).transform((o) => o['at-most'])]);

const LagBounds = z
  .strictObject({
    'max-records': Count.optional().describe("the group's peak lag in records (summed over partitions), at most"),
    'max-seconds': Duration.optional().describe('the peak lag in time (how far behind processing is), at most'),
    'max-partition-records': Count.optional().describe("one partition's peak lag in records, at most"),
  })
  .optional();
const Drain = z.strictObject({ within: Duration.describe('the time from the peak of lag until it is down to 10% of it, at most') }).optional();

/** A group's objectives: under `groups.<name>`, or at the top for a scenario's only group. */
const GroupObjectiveKinds = {
  lag: LagBounds.describe('peak lag, at most'),
  drain: Drain.describe('time from the peak of lag until it falls to 10% of the peak, at most'),
  duplicates: AtMost.optional().describe('records processed more than once, at most'),
  rebalances: AtMost.optional().describe('rebalances completed, at most'),
};

/**
 * Where an unscoped objective's figure sits in the scenario: the figures that are a group's, so
 * that a scenario of several groups can be told which line to scope.
 */
export const GROUP_FIGURES_UNSCOPED: Readonly<Record<string, readonly string[]>> = {
  'lag.peakRecords': ['lag', 'max-records'],
  'lag.peakSeconds': ['lag', 'max-seconds'],
  'lag.maxPartitionLagRecords': ['lag', 'max-partition-records'],
  'lag.timeToDrainSeconds': ['drain'],
  'group.duplicates': ['duplicates'],
  'group.rebalances': ['rebalances'],
};

type Add = (objective: string, figure: string, bound: number, unit: string, window?: boolean) => void;
const ms = (us: number) => us / 1000;

/** The objectives a group's kinds give; `at` prefixes figures (`groups.payment.`), `who` labels (`payment: `). */
function groupObjectives(o: { lag?: z.output<typeof LagBounds>; drain?: z.output<typeof Drain>; duplicates?: number; rebalances?: number }, add: Add, at: (figure: string) => string, who: string): void {
  const lag = o.lag;
  if (lag?.['max-records'] !== undefined) add(`${who}peak lag <= ${formatCountShort(lag['max-records'])} records`, at('lag.peakRecords'), lag['max-records'], 'records');
  if (lag?.['max-seconds'] !== undefined) add(`${who}peak lag (time) <= ${formatDuration(lag['max-seconds'])}`, at('lag.peakSeconds'), lag['max-seconds'] / 1e6, 's');
  if (lag?.['max-partition-records'] !== undefined) {
    add(`${who}peak partition lag <= ${formatCountShort(lag['max-partition-records'])} records`, at('lag.maxPartitionLagRecords'), lag['max-partition-records'], 'records');
  }
  if (o.drain) add(`${who}time to drain <= ${formatDuration(o.drain.within)}`, at('lag.timeToDrainSeconds'), o.drain.within / 1e6, 's');
}

const StageObjectives = z.strictObject({
  lag: GroupObjectiveKinds.lag,
  drain: GroupObjectiveKinds.drain,
  latency: latencyBounds(['p50', 'p95', 'p99', 'p99.9', 'max', 'mean'] as const).optional().describe("the stage's latency (create time in its topic -> processed), at most"),
  'latency-per-window': latencyBounds(['p50', 'p99'] as const).optional().describe("the stage's latency in every sample window, at most"),
  lost: AtMost.optional().describe('records lost to this group after append (retention, offset reset), at most'),
  duplicates: GroupObjectiveKinds.duplicates,
  rebalances: GroupObjectiveKinds.rebalances,
});

const TopicObjectives = z.strictObject({
  rejected: AtMost.optional().describe("records rejected by the topic's producers (source producers and stages, every reason), at most"),
});

export const Objectives = z
  .strictObject({
    latency: latencyBounds(['p50', 'p95', 'p99', 'p99.9', 'max', 'mean'] as const).optional().describe('overall end-to-end latency, at most'),
    'latency-per-window': latencyBounds(['p50', 'p95', 'p99', 'max'] as const).optional().describe('end-to-end latency in every sample window, at most'),
    lag: GroupObjectiveKinds.lag.describe("peak lag of the scenario's only consumer group, at most"),
    drain: GroupObjectiveKinds.drain,
    lost: AtMost.optional().describe('records rejected by producers or lost after append (every reason, every topic and group), at most'),
    duplicates: GroupObjectiveKinds.duplicates,
    rebalances: GroupObjectiveKinds.rebalances,
    groups: z.record(Name, StageObjectives).optional().describe('objectives of one stage, by consumer group name'),
    topics: z.record(Name, TopicObjectives).optional().describe('objectives of one topic, by topic name'),
  })
  .transform((o): Objective[] => {
    const out: Objective[] = [];
    const add: Add = (objective, figure, bound, unit, window = false) => out.push({ objective, figure, window, comparison: 'at-most', bound, unit });
    for (const [k, us] of Object.entries(o.latency ?? {}) as [LatencyKey, number | undefined][]) {
      if (us !== undefined) add(`latency ${k} <= ${formatDuration(us)}`, LATENCY_FIGURES[k].summary, ms(us), 'ms');
    }
    for (const [k, us] of Object.entries(o['latency-per-window'] ?? {}) as [LatencyKey, number | undefined][]) {
      if (us !== undefined) add(`latency ${k} <= ${formatDuration(us)} in every window`, LATENCY_FIGURES[k].series!, ms(us), 'ms', true);
    }
    groupObjectives(o, add, (f) => f, '');
    if (o.lost !== undefined) add(`records lost or rejected <= ${formatCountShort(o.lost)}`, 'accounting.lostOrRejected', o.lost, 'records');
    if (o.duplicates !== undefined) add(`duplicates <= ${formatCountShort(o.duplicates)}`, 'group.duplicates', o.duplicates, 'records');
    if (o.rebalances !== undefined) add(`rebalances <= ${formatCountShort(o.rebalances)}`, 'group.rebalances', o.rebalances, 'rebalances');
    for (const [g, st] of Object.entries(o.groups ?? {})) {
      const at = (f: string) => `groups.${g}.${f}`;
      const who = `${g}: `;
      groupObjectives(st, add, at, who);
      for (const [k, us] of Object.entries(st.latency ?? {}) as [LatencyKey, number | undefined][]) {
        if (us !== undefined) add(`${who}stage latency ${k} <= ${formatDuration(us)}`, at(LATENCY_FIGURES[k].summary), ms(us), 'ms');
      }
      for (const [k, us] of Object.entries(st['latency-per-window'] ?? {}) as [LatencyKey, number | undefined][]) {
        if (us !== undefined) add(`${who}stage latency ${k} <= ${formatDuration(us)} in every window`, at(LATENCY_FIGURES[k].series!), ms(us), 'ms', true);
      }
      if (st.lost !== undefined) add(`${who}records lost <= ${formatCountShort(st.lost)}`, at('books.lost'), st.lost, 'records');
      if (st.duplicates !== undefined) add(`${who}duplicates <= ${formatCountShort(st.duplicates)}`, at('duplicates'), st.duplicates, 'records');
      if (st.rebalances !== undefined) add(`${who}rebalances <= ${formatCountShort(st.rebalances)}`, at('rebalances'), st.rebalances, 'rebalances');
    }
    for (const [t, to] of Object.entries(o.topics ?? {})) {
      if (to.rejected !== undefined) add(`${t}: records rejected <= ${formatCountShort(to.rejected)}`, `topics.${t}.books.rejected`, to.rejected, 'records');
    }
    return out;
  });

/**
 * The scope an objective's figure names: the group of a `groups.<name>.` figure or the topic of a
 * `topics.<name>.` one, found by the figure's known ending (a name may hold dots); undefined for
 * an unscoped figure.
 */
export function objectiveScope(figure: string): { kind: 'groups' | 'topics'; name: string } | undefined {
  const endings = {
    groups: ['lag.peakRecords', 'lag.peakSeconds', 'lag.maxPartitionLagRecords', 'lag.timeToDrainSeconds', 'books.lost', 'duplicates', 'rebalances', 'latencyP50', 'latencyP99', ...Object.values(LATENCY_FIGURES).map((f) => f.summary)],
    topics: ['books.rejected'],
  };
  for (const kind of ['groups', 'topics'] as const) {
    if (!figure.startsWith(`${kind}.`)) continue;
    const end = endings[kind].find((e) => figure.endsWith(`.${e}`) && figure.length > kind.length + e.length + 2);
    if (end !== undefined) return { kind, name: figure.slice(kind.length + 1, figure.length - end.length - 1) };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Variants: named sets of overrides on the scenario, each a mapping from a path to the value it
// gets (overrides.ts resolves and applies them before validation). A variant with no overrides
// (`baseline: {}` or just `baseline:`) is the scenario as written.
//
//   variants:
//     baseline:
//     more-consumers: { consumer-groups.0.instances: 16 }
//     bigger-polls: { consumer-groups.order-processor.config.max.poll.records: 2000 }

export const Variants = z.record(
  Name,
  z
    .union([z.null(), z.record(z.string(), z.unknown())])
    .transform((v) => v ?? {})
    .describe('overrides: a mapping from a path (consumer-groups.0.instances) to its value'),
);

export const Scenario = z
  .strictObject({
    name: Name.describe("the scenario's name: its outputs go to reports/<name>/"),
    title: z.string().optional().describe("a title for the report; default the name"),
    description: z.string().default('').describe('what the scenario is about, shown in the report'),
    seed: z.number().int().nonnegative().max(2 ** 32 - 1).default(1).describe('the seed every random draw derives from: same seed, same run; default 1'),
    duration: Ticks.describe('how much time to simulate'),
    'sample-interval': Ticks.default(1_000_000).describe("the length of a sample window of the report's series; default 1s"),
    fidelity: z
      .enum(['auto', 'exact', 'batched'])
      .default('auto')
      .describe('exact: every record drawn; batched: counts and processing times drawn per slice and per poll batch; auto: batched from 5M expected records'),
    network: Network,
    brokers: Brokers,
    topics: z.array(Topic).min(1).max(1_000).describe('the topics, each with its partitions and configuration'),
    producers: z.array(Producer).min(1).describe('the source producers: applications sending records to a topic'),
    'consumer-groups': z.array(ConsumerGroup).min(1).max(1_000).describe('the consumer groups: each reads a topic, processes records and may write another topic'),
    services: z.array(Service).default([]).describe('downstream services the groups call while processing; default none'),
    faults: z.array(Fault).default([]).describe('scheduled faults: consumer crashes, rolling restarts, scaling, broker slowdowns and losses; default none'),
    objectives: Objectives.default([]).describe('service-level objectives checked by sim --check'),
    variants: Variants.default({}).describe('named sets of overrides, picked with sim --variant NAME'),
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
      pipelineIssues(s, topics, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
      objectiveIssues(s, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
      const brokerCount = typeof s.brokers?.count === 'number' ? s.brokers.count : undefined;
      listOf(s.topics).forEach((t, i) => {
        const rf = t?.['replication-factor'];
        if (brokerCount !== undefined && typeof rf === 'number' && rf > brokerCount) {
          ctx.addIssue({ code: 'custom', path: ['topics', i, 'replication-factor'], message: `expected a replication factor <= brokers.count (${brokerCount}), got ${rf}` });
        }
        // Kafka accepts a larger value, but then refuses every acks=all write.
        const minIsr = t?.config?.['min.insync.replicas'];
        const effectiveRf = typeof rf === 'number' ? rf : Math.min(3, brokerCount ?? 3);
        if (typeof minIsr === 'number' && minIsr > effectiveRf) {
          ctx.addIssue({
            code: 'custom',
            path: ['topics', i, 'config', 'min.insync.replicas'],
            message: `expected min.insync.replicas <= the replication factor (${effectiveRf}${typeof rf === 'number' ? '' : ', min(3, brokers.count)'}), got ${minIsr}: every acks=all write would be refused`,
          });
        }
      });
      listOf(s.faults).forEach((f, i) => {
        if (brokerCount !== undefined && f && (f.type === 'broker-slowdown' || f.type === 'broker-loss') && typeof f.broker === 'number' && f.broker >= brokerCount) {
          ctx.addIssue({ code: 'custom', path: ['faults', i, 'broker'], message: `expected a broker index below brokers.count (${brokerCount}), got ${f.broker}` });
        }
      });
      if (s.brokers?.quotas && typeof s.brokers.quotas === 'object') {
        const clients = new Set([...listOf(s.producers).map((p) => p?.name), ...listOf(s['consumer-groups']).map((g) => g?.name)].filter((n): n is string => typeof n === 'string'));
        for (const client of Object.keys(s.brokers.quotas)) {
          if (!clients.has(client)) ctx.addIssue({ code: 'custom', path: ['brokers', 'quotas', client], message: expectedGot(`a producer or consumer group name (${[...clients].join(', ')})`, client) });
        }
      }
      // The kernel's tick is a microsecond: the run's end and every window's end fall on one.
      for (const key of ['duration', 'sample-interval'] as const) {
        const v = s[key];
        if (typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v)) {
          ctx.addIssue({ code: 'custom', path: [key], message: wholeMicroseconds(v) });
        }
      }
      const windows = s.duration / s['sample-interval'];
      if (Number.isFinite(windows) && windows > 1_000_000) {
        ctx.addIssue({ code: 'custom', path: ['sample-interval'], message: `expected at most 1,000,000 samples per run, got ${Math.ceil(windows)}: use a longer sample-interval` });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

/**
 * The pipeline's wiring, checked as a whole: unique names, faults naming their group when there
 * are several, stages writing a declared topic other than one upstream of them (no cycles:
 * records would circle for ever), and `keys: keep` only where it can keep the partition.
 */
function pipelineIssues(s: Record<string, any>, topics: Set<string> | undefined, issue: (path: (string | number)[], message: string) => void): void {
  const groups: any[] = Array.isArray(s['consumer-groups']) ? s['consumer-groups'] : [];
  for (const [key, list] of [['topics', anyList(s.topics)], ['consumer-groups', groups], ['producers', anyList(s.producers)], ['services', anyList(s.services)]] as const) {
    const seen = new Set<string>();
    list.forEach((x, i) => {
      if (typeof x?.name !== 'string') return;
      if (seen.has(x.name)) issue([key, i, 'name'], `expected a name not used by an earlier entry of ${key}, got ${x.name} again`);
      seen.add(x.name);
    });
  }
  const groupNames = groups.map((g) => g?.name).filter((n): n is string => typeof n === 'string');
  anyList(s.faults).forEach((f, i) => {
    if (!f || !['consumer-crash', 'rolling-restart', 'scale'].includes(f.type)) return;
    if (f.group === undefined) {
      if (groupNames.length > 1) issue(['faults', i], `expected group: one of the consumer groups (${groupNames.join(', ')}): the scenario has ${groupNames.length}`);
    } else if (typeof f.group === 'string' && groupNames.length === groups.length && !groupNames.includes(f.group)) {
      issue(['faults', i, 'group'], expectedGot(`one of the consumer groups (${groupNames.join(', ')})`, f.group));
    }
  });
  if (!topics) return;
  const partitionsOf = new Map<string, number>();
  for (const t of anyList(s.topics)) if (typeof t?.name === 'string' && typeof t.partitions === 'number') partitionsOf.set(t.name, t.partitions);
  // Whether a topic's records carry keys: a keyed source producer writes it, or a stage that gives
  // them keys, or keeps the keys of a keyed topic (down a chain of keep).
  const keyedSeen = new Map<string, boolean>();
  const keyedTopic = (topic: string): boolean => {
    const known = keyedSeen.get(topic);
    if (known !== undefined) return known;
    keyedSeen.set(topic, false); // a cycle is refused below; stop here
    const k =
      anyList(s.producers).some((p) => p?.topic === topic && p?.keys && p.keys.dist !== 'null') ||
      groups.some((u) => u?.produces?.topic === topic && ((u.produces.keys ?? 'keep') === 'keep' ? typeof u.topic === 'string' && keyedTopic(u.topic) : u.produces.keys?.dist !== 'null'));
    keyedSeen.set(topic, k);
    return k;
  };
  // Edges topic -> topic through stages; a stage writing its own input or anything upstream of it is a cycle.
  const next = new Map<string, string[]>();
  groups.forEach((g, i) => {
    const out = g?.produces;
    if (!out || typeof out.topic !== 'string' || typeof g.topic !== 'string') return;
    if (!topics.has(out.topic)) {
      issue(['consumer-groups', i, 'produces', 'topic'], expectedGot(`one of the topics (${[...topics].join(', ')})`, out.topic));
      return;
    }
    const list = next.get(g.topic) ?? [];
    list.push(out.topic);
    next.set(g.topic, list);
    if ((out.keys ?? 'keep') === 'keep') {
      const pin = partitionsOf.get(g.topic);
      const pout = partitionsOf.get(out.topic);
      const keyed = keyedTopic(g.topic);
      if (keyed && pin !== undefined && pout !== undefined && pin !== pout) {
        issue(
          ['consumer-groups', i, 'produces', 'keys'],
          `expected a key distribution (keys: { dist: uniform, count: ... }): keys: keep keeps a record's partition, which needs ${out.topic} to have as many partitions as ${g.topic} (${pout} vs ${pin}); lagsim does not carry keys through topics`,
        );
      }
    }
  });
  groups.forEach((g, i) => {
    const out = g?.produces;
    if (!out || typeof out.topic !== 'string' || typeof g.topic !== 'string' || !topics.has(out.topic)) return;
    // Is g's input topic reachable from what it writes?
    const seen = new Set<string>();
    const todo = [out.topic];
    while (todo.length > 0) {
      const t = todo.pop()!;
      if (t === g.topic) {
        issue(['consumer-groups', i, 'produces', 'topic'], `expected a topic downstream of ${g.topic}, got ${out.topic}: records would go round the pipeline for ever (${g.topic} -> ${out.topic} -> ... -> ${g.topic})`);
        return;
      }
      if (seen.has(t)) continue;
      seen.add(t);
      todo.push(...(next.get(t) ?? []));
    }
  });
}

/**
 * Objectives checked against the pipeline: each scoped one names a declared group or topic, and
 * a group's figure written unscoped (`lag`, `drain`, `duplicates`, `rebalances`) is refused when
 * there are several groups to choose from. Each mistake is said once, at the line that makes it.
 */
function objectiveIssues(s: Record<string, any>, issue: (path: (string | number)[], message: string) => void): void {
  if (!Array.isArray(s.objectives)) return;
  const names = { groups: namesOf(s['consumer-groups']), topics: namesOf(s.topics) };
  const said = new Set<string>();
  const once = (path: (string | number)[], message: string) => {
    const key = JSON.stringify(path);
    if (!said.has(key)) issue(path, message);
    said.add(key);
  };
  for (const o of s.objectives as unknown[]) {
    const figure = (o as Partial<Objective> | null)?.figure;
    if (typeof figure !== 'string') continue;
    const scope = objectiveScope(figure);
    if (scope !== undefined) {
      const declared = names[scope.kind];
      if (declared === undefined || declared.has(scope.name)) continue;
      const list = [...declared];
      once(['objectives', scope.kind, scope.name], unknownObjectiveScope(scope.kind === 'groups' ? 'consumer groups' : 'topics', scope.name, list, closest(scope.name, list)));
      continue;
    }
    const at = GROUP_FIGURES_UNSCOPED[figure];
    const groups = names.groups;
    if (at !== undefined && groups !== undefined && groups.size > 1) once(['objectives', ...at], unscopedObjective(at.join('.'), [...groups]));
  }
}

/** A list that may not have parsed, its items unchecked. */
function anyList(list: unknown): any[] {
  return Array.isArray(list) ? list : [];
}

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
export type ProducesSpec = z.output<typeof Produces>;
export type ServiceSpec = z.output<typeof Service>;
export type BrokersSpec = z.output<typeof Brokers>;
export type TopicSpec = z.output<typeof Topic>;

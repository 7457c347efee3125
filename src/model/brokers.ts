/**
 * The brokers of the cluster, as the produce (and fetch) path sees them: who leads each
 * partition over time, how long a produce request takes there, how fast a broker takes bytes,
 * client quotas, and the scheduled broker faults.
 *
 * - Leaders. Partition p's replicas are brokers p, p+1, ..., p+rf-1 (mod count) and its first
 *   leader is p mod count: leaders spread round-robin, as Kafka's rack-unaware assignment does
 *   up to its random starting offset (`AdminUtils.assignReplicasToBrokers`).
 * - Faults are known from the start, so leadership is a function of time computed up front: a
 *   lost broker leads nothing from the loss until `failover` has passed (the controller's
 *   election); then each of its partitions moves to the next live replica in replica order. With
 *   no live replica (replication-factor 1) the partition waits for a replica to come back (no
 *   unclean election). A restarted broker returns as a follower: leadership is not moved back
 *   (preferred leader election runs only every 5 min with imbalance; not modelled). Until it is
 *   fenced, a lost broker also stays in the ISR of the partitions it follows: their high
 *   watermark waits for it (`highWatermark`), so consumers see nothing new there and acks=all
 *   requests wait. Once fenced it is out of those ISRs until it is back (`isrSize`, which
 *   `min.insync.replicas` is checked against). No ISR shrink for a live follower that merely
 *   lags (`replica.lag.time.max.ms`) is modelled.
 * - A slowdown multiplies the broker's append and replication latency and its time per byte.
 *   Replication waits for the slowest in-sync replica, so a slowed broker also delays the high
 *   watermark of the partitions it follows (`batchHighWatermark`): consumers see their data
 *   later and their acks=all requests wait, though the broker leads none of them. It stays in
 *   their ISR (Kafka drops a follower only once it has not caught up for
 *   `replica.lag.time.max.ms`, 30 s, which a latency slowdown does not cause).
 * - `max-bytes-in-per-second`: each broker appends produce data FIFO at that rate; a request
 *   waits behind the bytes ahead of it.
 *
 * The consumer side asks `fetchAvailableAt` and `slowdownFactor`.
 */
import type { BrokersSpec, FaultSpec } from '../scenario/schema.js';
import type { MarkedEvent } from '../metrics/result.js';
import { ClientQuota } from './quota.js';

const US = 1e6;

export class Brokers {
  readonly count: number;
  readonly replicationFactor: number;
  /** True when some broker is ever lost: leaders then change over time. */
  readonly hasLosses: boolean;
  /** Per partition, windows [from, to) in which a lost replica not yet fenced holds its high watermark. */
  private readonly holds: { from: number; to: number }[][];
  /** True when some partition's high watermark is ever held (a lost broker was a replica of it). */
  readonly hasHolds: boolean;
  /** Per partition, windows [from, to) in which one of its replicas is fenced (out of the ISR). */
  private readonly fenced: { from: number; to: number }[][];
  readonly hasFences: boolean;
  readonly hasSlowdowns: boolean;
  /** True when a slowed broker is ever a follower (some partition has replicas besides its leader). */
  private readonly slowsFollowers: boolean;
  /** True when a partition's high watermark may differ from its request's (held or slowed replicas): see batchHighWatermark. */
  readonly perPartitionHighWatermark: boolean;
  /** Per partition: times at which its leader changes, and the leader from then (-1: none). */
  private readonly changeTimes: number[][];
  private readonly changeLeaders: number[][];
  /** Every leader change time, sorted, for `nextLeaderChange`. */
  private readonly allChanges: number[];
  /** Per broker, its losses: down from `from` until `to`, and whether its connections were reset. */
  private readonly down: { from: number; to: number; reset: boolean }[][];
  private readonly slow: { from: number; to: number; factor: number }[][];
  private readonly freeAt: Float64Array;
  private readonly usPerByte: number;
  private readonly quotas: Map<string, ClientQuota> = new Map();
  readonly marks: MarkedEvent[] = [];

  constructor(
    private readonly spec: BrokersSpec,
    readonly partitions: number,
    replicationFactor: number | undefined,
    faults: readonly FaultSpec[],
    end: number,
    /**
     * Another topic's view of the same cluster: the brokers' byte rates and the client quotas are
     * the cluster's, shared by every topic (and the fault marks are that view's, not repeated).
     */
    cluster?: Brokers,
  ) {
    const n = spec.count;
    this.count = n;
    this.replicationFactor = replicationFactor ?? Math.min(3, n);
    this.freeAt = cluster ? cluster.freeAt : new Float64Array(n);
    if (cluster) this.quotas = cluster.quotas;
    const rate = spec['max-bytes-in-per-second'];
    this.usPerByte = rate === undefined ? 0 : US / rate;
    this.down = Array.from({ length: n }, () => []);
    this.slow = Array.from({ length: n }, () => []);
    const losses: { at: number; broker: number; failover: number; back: number }[] = [];
    for (const f of faults) {
      if (f.type === 'broker-slowdown') {
        this.slow[f.broker].push({ from: f.at, to: f.at + f.for, factor: f.factor });
        this.marks.push({ timeSeconds: f.at / US, endSeconds: Math.min(end, f.at + f.for) / US, kind: 'fault', label: `broker ${f.broker} slow (x${f.factor})` });
      } else if (f.type === 'broker-loss') {
        const back = f['restart-after'] === undefined ? Infinity : f.at + f['restart-after'];
        losses.push({ at: f.at, broker: f.broker, failover: f.failover, back });
        const reset = f.connections === 'reset';
        this.down[f.broker].push({ from: f.at, to: back, reset });
        this.marks.push({ timeSeconds: f.at / US, endSeconds: Math.min(end, f.at + f.failover) / US, kind: 'fault', label: `broker ${f.broker} lost${reset ? ' (connections reset)' : ''}` });
        if (back < end) this.marks.push({ timeSeconds: back / US, kind: 'fault', label: `broker ${f.broker} back` });
      }
    }
    this.hasLosses = losses.length > 0;
    this.holds = Array.from({ length: partitions }, () => []);
    this.fenced = Array.from({ length: partitions }, () => []);
    const rf = this.replicationFactor;
    for (const l of losses) {
      const fencedAt = l.at + l.failover;
      for (let p = 0; p < partitions; p++) {
        // Replicas of p: brokers p, p+1, ..., p+rf-1 (mod count).
        if ((l.broker - (p % n) + n) % n >= rf) continue;
        // Until the controller fences it (`failover`, when it also moves its leaderships) or it
        // is back, a lost broker stays in the ISR of p: a follower's loss holds p's HW.
        if (rf > 1) this.holds[p].push({ from: l.at, to: Math.min(l.back, fencedAt) });
        // Fenced, it is out of the ISR until it is back (then it catches up at once).
        if (fencedAt < l.back) this.fenced[p].push({ from: fencedAt, to: l.back });
      }
    }
    this.hasHolds = this.holds.some((h) => h.length > 0);
    this.hasFences = this.fenced.some((f) => f.length > 0);
    this.hasSlowdowns = this.slow.some((s) => s.length > 0);
    this.slowsFollowers = this.hasSlowdowns && rf > 1;
    this.perPartitionHighWatermark = this.hasHolds || this.slowsFollowers;
    this.changeTimes = Array.from({ length: partitions }, () => [0]);
    this.changeLeaders = Array.from({ length: partitions }, (_, p) => [p % n]);
    this.allChanges = [];
    if (this.hasLosses) this.electLeaders(losses);
  }

  /** Replays losses, elections and restarts in time order into per-partition leader timelines. */
  private electLeaders(losses: { at: number; broker: number; failover: number; back: number }[]): void {
    const n = this.count;
    const rf = this.replicationFactor;
    // kind: 0 loss, 1 restart, 2 election (after the losses and restarts at the same instant).
    const events: { t: number; kind: number; broker: number }[] = [];
    for (const l of losses) {
      events.push({ t: l.at, kind: 0, broker: l.broker });
      events.push({ t: l.at + l.failover, kind: 2, broker: l.broker });
      if (l.back < Infinity) events.push({ t: l.back, kind: 1, broker: l.broker });
    }
    events.sort((a, b) => a.t - b.t || a.kind - b.kind || a.broker - b.broker);
    const alive = new Uint8Array(n).fill(1);
    const leader = Int32Array.from({ length: this.partitions }, (_, p) => p % n);
    /** Partitions whose leader was lost, by the broker they wait on an election for. */
    const waiting = new Map<number, Set<number>>();
    const orphans = new Set<number>();
    const set = (p: number, t: number, b: number) => {
      if (leader[p] === b) return;
      leader[p] = b;
      const times = this.changeTimes[p];
      if (times[times.length - 1] === t) this.changeLeaders[p][times.length - 1] = b;
      else {
        times.push(t);
        this.changeLeaders[p].push(b);
      }
      this.allChanges.push(t);
    };
    // The next live replica after `after` in replica order (wrapping), or -1.
    const liveReplica = (p: number, after: number): number => {
      const base = p % n;
      const k = (after - base + n) % n;
      for (let j = 1; j <= rf; j++) {
        const b = (base + ((k + j) % rf)) % n;
        if (alive[b]) return b;
      }
      return -1;
    };
    for (const e of events) {
      if (e.kind === 0) {
        alive[e.broker] = 0;
        const led = new Set<number>();
        for (let p = 0; p < this.partitions; p++) {
          if (leader[p] === e.broker) {
            led.add(p);
            set(p, e.t, -1);
          }
        }
        waiting.set(e.broker, led);
      } else if (e.kind === 2) {
        const led = waiting.get(e.broker);
        waiting.delete(e.broker);
        for (const p of led ?? []) {
          const b = liveReplica(p, e.broker);
          if (b >= 0) set(p, e.t, b);
          else orphans.add(p);
        }
      } else {
        alive[e.broker] = 1;
        for (const p of [...orphans]) {
          const offset = (e.broker - (p % n) + n) % n;
          if (offset < rf) {
            set(p, e.t, e.broker);
            orphans.delete(p);
          }
        }
      }
    }
    this.allChanges.sort((a, b) => a - b);
  }

  /** The leader of partition p at time t, or -1 while it has none. */
  leaderAt(p: number, t: number): number {
    const times = this.changeTimes[p];
    if (times.length === 1) return this.changeLeaders[p][0];
    let i = times.length - 1;
    while (times[i] > t) i--;
    return this.changeLeaders[p][i];
  }

  /** The first leader change strictly after t, or Infinity. */
  nextLeaderChange(t: number): number {
    const a = this.allChanges;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo < a.length ? a[lo] : Infinity;
  }

  /** When broker b, alive at `from`, is lost before `to` (or is down at `from`): that time, else Infinity. */
  lostDuring(b: number, from: number, to: number): number {
    for (const { from: d, to: u } of this.down[b]) {
      if (d <= from && from < u) return from;
      if (d >= from && d < to) return d;
    }
    return Infinity;
  }

  /**
   * When partition p's high watermark covers a batch its leader appended at `appended` and the
   * followers had fetched by `replicated`: then, unless a replica of p was lost before it had
   * fetched the batch and is not fenced yet. The leader then waits for it
   * (the HW moves only when every ISR member has fetched), until the controller fences the
   * broker and drops it from every ISR (KRaft's `ReplicationControlManager` on a missed broker
   * session: the same moment it moves the broker's leaderships, `failover`) or it comes back.
   * Kafka would answer an acks=all request still parked after its request.timeout.ms with
   * REQUEST_TIMED_OUT and the client would retry it (the broker recognising the duplicate); the
   * model lets the request wait instead, so such retries are not counted.
   */
  highWatermark(p: number, appended: number, replicated: number): number {
    let hw = replicated;
    for (const h of this.holds[p]) if (h.from <= replicated && appended < h.to && h.to > hw) hw = h.to;
    return hw;
  }

  /**
   * When partition p's high watermark covers a batch its leader appended at `appended`, the
   * followers fetching it in `replication` (unslowed), the leader's slowdown being `leaderFactor`:
   * replication takes as long as the slowest in-sync replica (the slowdowns at `appended`), then
   * highWatermark's holds apply.
   */
  batchHighWatermark(p: number, appended: number, replication: number, leaderFactor: number): number {
    const f = this.slowsFollowers ? this.replicationSlowdown(p, leaderFactor, appended) : leaderFactor;
    return this.highWatermark(p, appended, appended + replication * f);
  }

  /** The largest slowdown at t among the leader's (`leaderFactor`) and p's live followers'. */
  replicationSlowdown(p: number, leaderFactor: number, t: number): number {
    const n = this.count;
    const leader = this.leaderAt(p, t);
    let f = leaderFactor;
    for (let k = 0; k < this.replicationFactor; k++) {
      const r = (p + k) % n;
      if (r === leader || this.down[r].some((d) => d.from <= t && t < d.to)) continue;
      const s = this.slowdown(r, t);
      if (s > f) f = s;
    }
    return f;
  }

  /**
   * Partition p's in-sync replicas at time t: its replicas less those fenced (a broker is
   * dropped from every ISR when it is fenced, and rejoins when it is back: catching up is not
   * modelled). A lost broker not fenced yet still counts, as in Kafka.
   */
  isrSize(p: number, t: number): number {
    let n = this.replicationFactor;
    for (const f of this.fenced[p]) if (f.from <= t && t < f.to) n--;
    return n;
  }

  /**
   * A request sent to broker b at `sent`, which is lost at `lost` (from lostDuring) before it
   * answers: when the client learns the request failed. A reset connection tells it at once: the
   * reset travels back rtt/2 after the loss, or after the request reached a dead broker (a
   * connection refused). A host that stops answering tells it nothing: the request fails at
   * `request.timeout.ms` (`NetworkClient.handleTimedOutRequests`).
   */
  requestFailsAt(b: number, sent: number, lost: number, halfRtt: number, requestTimeout: number): number {
    const loss = this.down[b].find((l) => l.from <= lost && lost < l.to);
    if (loss?.reset) return Math.max(lost, sent + halfRtt) + halfRtt;
    return sent + requestTimeout;
  }

  /** The slowdown factor of broker b at time t (1 when it is not slowed). */
  slowdown(b: number, t: number): number {
    let f = 1;
    for (const w of this.slow[b]) if (w.from <= t && t < w.to) f *= w.factor;
    return f;
  }

  /**
   * A request of `bytes` reaching broker b at `arrive`: when the broker has taken its bytes
   * (FIFO behind earlier requests when a byte rate is set), at the broker's slowdown then.
   */
  admit(b: number, arrive: number, bytes: number, factor: number): number {
    if (this.usPerByte === 0) return arrive;
    const start = arrive > this.freeAt[b] ? arrive : this.freeAt[b];
    const done = start + bytes * this.usPerByte * factor;
    this.freeAt[b] = done;
    return done;
  }

  /** Whether `client` has a consumer_byte_rate quota. */
  hasConsumerQuota(client: string): boolean {
    return this.spec.quotas[client]?.consumer_byte_rate !== undefined;
  }

  /** The quota sensor of `client` on broker b, or undefined when the client has no such quota. */
  quota(client: string, b: number, kind: 'producer_byte_rate' | 'consumer_byte_rate'): ClientQuota | undefined {
    const bound = this.spec.quotas[client]?.[kind];
    if (bound === undefined) return undefined;
    const key = `${kind}:${client}:${b}`;
    let q = this.quotas.get(key);
    if (!q) {
      q = new ClientQuota(bound);
      this.quotas.set(key, q);
    }
    return q;
  }

  /** The earliest time >= now at which partition p's leader can serve a fetch (Infinity: never again). */
  fetchAvailableAt(p: number, now: number): number {
    if (this.leaderAt(p, now) >= 0) return now;
    const times = this.changeTimes[p];
    for (let i = 0; i < times.length; i++) {
      if (times[i] > now && this.changeLeaders[p][i] >= 0) return times[i];
    }
    return Infinity;
  }

  /** The slowdown factor of partition p's leader at time `now` (1 when it has none or is not slowed). */
  slowdownFactor(p: number, now: number): number {
    const b = this.leaderAt(p, now);
    return b < 0 ? 1 : this.slowdown(b, now);
  }
}

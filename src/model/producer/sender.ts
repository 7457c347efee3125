/**
 * The sender (`Sender` in the Java client): turns ready batches into produce requests, one
 * connection per broker, and handles their answers. Which batches a request holds is
 * ReadyQueues' drain; the requests in flight are InFlightRequests.
 *
 * Per broker (the partition's leader), a request goes out while fewer than
 * `max.in.flight.requests.per.connection` are unacknowledged and the connection is not muted by
 * a quota throttle; it holds the first ready batch of each partition (one per partition),
 * partitions taken round-robin, up to `max.request.size`. Its timeline: rtt/2 to the broker, FIFO
 * behind the broker's byte rate, leader append, then replication until the high watermark covers
 * it; consumers see it then, whatever `acks` is. The producer hears back at send (acks=0), after
 * the append (acks=1) or after replication (acks=all), plus rtt/2.
 *
 * A request to a broker that is lost before it answers fails: after `request.timeout.ms` when the
 * host stopped answering, rtt/2 after the loss when its connections were reset
 * (`connections: reset`); its batches are retried after `retry.backoff.ms` rising exponentially to
 * `retry.backoff.max.ms` (ExponentialBackoff), with idempotence keeping each partition's order
 * (Batches). A batch still unacknowledged `delivery.timeout.ms` after its creation is rejected
 * `delivery-timeout`; one that failed after `retries` retries, `retries-exhausted`. Each
 * partition's order is kept whether or not `enable.idempotence` is on: lagsim does not model the
 * reordering and duplicates a retry can cause without it. When a partition's leader changes its queued batches move to the new
 * leader; with no leader they are parked until there is one.
 *
 * A request's whole timeline is drawn when it is sent. That stays exact because nothing on it
 * depends on what happens later on the consumer side (producer-thread.ts argues the same), and
 * its answer is acted on (slot freed, batches retried) only when the sender is advanced past it,
 * in time order.
 *
 * Batched fidelity: the append and replication latencies are drawn once per broker and slice
 * rather than per request.
 */
import type { ProducerSpec } from '../../scenario/schema.js';
import { acksOf } from '../../scenario/schema.js';
import type { Sampler } from '../../random/distributions.js';
import type { Rng } from '../../random/stream.js';
import type { WindowedCounter } from '../../metrics/windows.js';
import type { AppendTarget } from '../log.js';
import type { Brokers } from '../brokers.js';
import type { ClientQuota } from '../quota.js';
import { ExponentialBackoff } from '../backoff.js';
import type { Batches } from './batches.js';
import type { BufferPool } from './buffer-pool.js';
import type { InFlightRequests } from './in-flight.js';
import type { Rejections, RejectReason } from './metrics.js';
import { ReadyQueues } from './ready-queues.js';
import { COMPRESSION_ESTIMATION_FACTOR } from './compression.js';

export interface SenderOptions {
  /** The producer instance's name, for error messages. */
  id: string;
  /** The client id quotas are looked up by. */
  client: string;
  partitions: number;
  brokers: Brokers;
  logs: readonly AppendTarget[];
  batches: Batches;
  pool: BufferPool;
  inFlight: InFlightRequests;
  rejections: Rejections;
  appended: WindowedCounter;
  onAppend: (partition: number) => void;
  /** Draws of the produce path (latencies, retry jitter), apart so they do not shift arrivals. */
  rng: Rng;
  config: ProducerSpec['config'];
  rtt: number;
  appendLatency: Sampler;
  replicationLatency: Sampler;
  minInsyncReplicas: number;
  batched: boolean;
}

export class Sender {
  /** Batches sent again after a failed request. */
  retries = 0;
  maxThrottleMs = 0;
  /** Produce requests answered, and the sum of their send-to-answer times (ticks); acks=0 answers at send. */
  requestsAcked = 0;
  ackTimeSum = 0;

  private readonly brokers: Brokers;
  private readonly logs: readonly AppendTarget[];
  private readonly batches: Batches;
  private readonly pool: BufferPool;
  private readonly inFlight: InFlightRequests;
  private readonly queues: ReadyQueues;
  private readonly rejections: Rejections;
  private readonly appended: WindowedCounter;
  private readonly onAppend: (partition: number) => void;
  private readonly rng: Rng;
  private readonly maxInFlight: number;
  private readonly deliveryTimeout: number;
  /** `retries`: how many times a failed batch is sent again (Kafka's default, MAX_INT, leaves it to delivery.timeout.ms). */
  private readonly maxRetries: number;
  private readonly requestTimeout: number;
  private readonly backoff: ExponentialBackoff;
  private readonly acks: 0 | 1 | 'all';
  private readonly halfRtt: number;
  private readonly appendLatency: Sampler;
  private readonly replicationLatency: Sampler;
  private readonly minInsync: number;
  private readonly replicated: boolean;
  private readonly quotas: (ClientQuota | undefined)[];
  private readonly hasLosses: boolean;
  private readonly nBrokers: number;
  private readonly batched: boolean;

  // ---- per broker ---------------------------------------------------------------------------
  private readonly connUntil: Float64Array;
  private readonly nextExpiry: Float64Array;
  /** Batched fidelity: this slice's append and replication latency per broker. */
  private readonly sliceAppend: Float64Array;
  private readonly sliceRepl: Float64Array;
  private readonly sliceDrawn: Int32Array;
  private sliceId = 0;
  /** Batches whose partition has no leader, until a leader change. */
  private parked: number[] = [];
  private nextChange: number;
  /** Per batch of the request being sent: when its partition's high watermark covers it (when that differs by partition). */
  private readonly takenHw: Float64Array;

  constructor(o: SenderOptions) {
    this.brokers = o.brokers;
    this.logs = o.logs;
    this.batches = o.batches;
    this.pool = o.pool;
    this.inFlight = o.inFlight;
    this.rejections = o.rejections;
    this.appended = o.appended;
    this.onAppend = o.onAppend;
    this.rng = o.rng;
    const c = o.config;
    this.maxInFlight = c['max.in.flight.requests.per.connection'];
    this.deliveryTimeout = c['delivery.timeout.ms'];
    this.maxRetries = c.retries;
    this.requestTimeout = c['request.timeout.ms'];
    this.backoff = new ExponentialBackoff(c['retry.backoff.ms'], c['retry.backoff.max.ms']);
    this.acks = acksOf(c.acks);
    this.halfRtt = o.rtt / 2;
    this.appendLatency = o.appendLatency;
    this.replicationLatency = o.replicationLatency;
    this.replicated = o.brokers.replicationFactor > 1;
    this.minInsync = o.minInsyncReplicas;
    this.batched = o.batched;
    const B = o.brokers.count;
    this.nBrokers = B;
    this.hasLosses = o.brokers.hasLosses;
    this.quotas = Array.from({ length: B }, (_, b) => o.brokers.quota(o.client, b, 'producer_byte_rate'));
    // Merging batches as Kafka keeps filling a ready one: by its estimated size (compression.ts).
    const estimate = c['compression.type'] === 'none' ? 1 : COMPRESSION_ESTIMATION_FACTOR;
    this.queues = new ReadyQueues(o.id, o.partitions, B, o.batches, c['max.request.size'], c['batch.size'] / estimate);
    this.takenHw = new Float64Array(o.partitions + 1);
    this.connUntil = new Float64Array(B);
    this.nextExpiry = new Float64Array(B).fill(Infinity);
    this.sliceAppend = new Float64Array(B);
    this.sliceRepl = new Float64Array(B);
    this.sliceDrawn = new Int32Array(B).fill(-1);
    this.nextChange = o.brokers.nextLeaderChange(-1);
  }

  /** A new slice of the producer's work: the batched fidelity draws its latencies again. */
  newSlice(): void {
    this.sliceId++;
  }

  /** Batch `id`, ready at r, joins its leader's queue; requests before r go out first. */
  feed(id: number, r: number): void {
    if (r >= this.nextChange) this.leadersChange(r);
    const p = this.batches.part[id];
    const b = this.hasLosses ? this.brokers.leaderAt(p, r) : p % this.nBrokers;
    if (b < 0) {
      this.parked.push(id);
      return;
    }
    this.advanceBroker(b, r);
    this.queue(b, id);
  }

  /**
   * Batch `id` joins its leader's queue with the sender left where it is (behind the batch's
   * ready time): for batches closed ahead of the clock by a thread whose sends come in time
   * order, handed over in ready order after every batch already queued (KafkaProducer.endAhead).
   * A request sent before the batch is ready never takes it (drain takes only batches ready by
   * the request's time), so the sender can be moved on at the clock. Only with fixed leaders
   * (`aheadAllowed`), where a partition's leader is p mod brokers.
   */
  enqueueAhead(id: number): void {
    this.queue(this.batches.part[id] % this.nBrokers, id);
  }

  private queue(b: number, id: number): void {
    this.queues.enqueue(b, id);
    const d = this.batches.created[id] + this.deliveryTimeout;
    if (d < this.nextExpiry[b]) this.nextExpiry[b] = d;
  }

  /** Whether batches may be queued ahead of the sender (enqueueAhead): no leader ever changes. */
  get aheadAllowed(): boolean {
    return !this.hasLosses && this.nextChange === Infinity;
  }

  /** Every connection up to (not including) time t. */
  advance(t: number): void {
    if (t >= this.nextChange) this.leadersChange(t);
    for (let b = 0; b < this.nBrokers; b++) this.advanceBroker(b, t);
    if (this.parked.length > 0) this.expireParked(t);
  }

  /**
   * The earliest time after which `advance` could do something with no new batch: a queued
   * batch going out (its ready time, the connection's throttle, a free in-flight slot), a
   * delivery timeout, a request's answer (with broker losses, where one may fail and be
   * retried), a leader change for parked batches. Infinity when the sender is idle. A producer
   * with no application of its own (a stage's) is moved on at these times.
   */
  nextWake(): number {
    let w = Infinity;
    const batches = this.batches;
    const minDone = this.inFlight.minDone;
    const slotCount = this.inFlight.count;
    for (let b = 0; b < this.nBrokers; b++) {
      const list = this.queues.waiting[b];
      if (list.size > 0) {
        let cand = Infinity;
        for (let i = list.head; i < list.tail; i++) {
          const id = list.a[i];
          if (id >= 0 && batches.seq[id] === batches.sendSeq[batches.part[id]]) {
            cand = batches.ready[id];
            break;
          }
        }
        let s = cand > this.connUntil[b] ? cand : this.connUntil[b];
        if (slotCount[b] >= this.maxInFlight && minDone[b] > s) s = minDone[b];
        if (minDone[b] < s) s = minDone[b];
        if (s < w) w = s;
        if (this.nextExpiry[b] < w) w = this.nextExpiry[b];
      } else if (this.hasLosses && slotCount[b] > 0 && minDone[b] < w) {
        w = minDone[b];
      }
    }
    if (this.parked.length > 0) {
      if (this.nextChange < w) w = this.nextChange;
      for (const id of this.parked) {
        const d = batches.created[id] + this.deliveryTimeout;
        if (d < w) w = d;
      }
    }
    return w;
  }

  /** Leaders changed at or before t: batches move to their partitions' new leaders. */
  private leadersChange(t: number): void {
    const batches = this.batches;
    const waiting = this.queues.waiting;
    while (this.nextChange <= t) {
      const at = this.nextChange;
      for (let b = 0; b < this.nBrokers; b++) this.advanceBroker(b, at);
      const moving = this.parked;
      this.parked = [];
      for (let b = 0; b < this.nBrokers; b++) {
        waiting[b].retain((id) => {
          if (this.brokers.leaderAt(batches.part[id], at) === b) return true;
          this.queues.dequeued(b, id);
          moving.push(id);
          return false;
        });
      }
      moving.sort((x, y) => batches.part[x] - batches.part[y] || batches.seq[x] - batches.seq[y]);
      this.nextChange = this.brokers.nextLeaderChange(at);
      for (const id of moving) {
        if (batches.ready[id] < at) batches.ready[id] = at;
        const b = this.brokers.leaderAt(batches.part[id], at);
        if (b < 0) this.parked.push(id);
        else {
          this.queues.enqueue(b, id);
          const d = batches.created[id] + this.deliveryTimeout;
          if (d < this.nextExpiry[b]) this.nextExpiry[b] = d;
        }
      }
    }
  }

  private expireParked(t: number): void {
    const keep: number[] = [];
    for (const id of this.parked) {
      const d = this.batches.created[id] + this.deliveryTimeout;
      if (d <= t) this.expire(id, d);
      else keep.push(id);
    }
    this.parked = keep;
  }

  /**
   * Broker b's connection up to (not including) time H: each moment a request can go out (a
   * ready batch, a free in-flight slot, the end of a throttle), the request it sends.
   */
  private advanceBroker(b: number, H: number): void {
    const list = this.queues.waiting[b];
    const minDone = this.inFlight.minDone;
    const slotCount = this.inFlight.count;
    const maxInFlight = this.maxInFlight;
    const batches = this.batches;
    for (;;) {
      if (list.size === 0) {
        if (minDone[b] <= H && this.releaseSlots(b, H)) continue;
        break;
      }
      const full = slotCount[b] >= maxInFlight;
      // All slots busy until H or later (the usual wait when the limit binds): nothing to do.
      if (full && minDone[b] >= H && this.nextExpiry[b] > H) break;
      // The earliest ready batch that may go out (its partition's next in sequence).
      let cand = Infinity;
      // The queue is in ready order (retries aside): the first batch that may go is the earliest.
      const la = list.a;
      const bSeq = batches.seq;
      const sendSeq = batches.sendSeq;
      const bPart = batches.part;
      for (let i = list.head, tail = list.tail; i < tail; i++) {
        const id = la[i];
        if (id >= 0 && bSeq[id] === sendSeq[bPart[id]]) {
          cand = batches.ready[id];
          break;
        }
      }
      let s = cand;
      const cu = this.connUntil[b];
      if (cu > s) s = cu;
      const md = minDone[b];
      if (full && md > s) s = md;
      const horizon = s < H ? s : H;
      if (this.nextExpiry[b] <= horizon) {
        this.expireWaiting(b, horizon);
        continue;
      }
      if (md <= horizon && this.releaseSlots(b, horizon)) continue;
      if (s >= H) break;
      this.sendRequest(b, s);
    }
  }

  /**
   * Frees broker b's slots acknowledged at or before t; a failed request's batches go back to be
   * retried. Returns true if some came back (the sender must look again).
   */
  private releaseSlots(b: number, t: number): boolean {
    const inFlight = this.inFlight;
    const failed = inFlight.release(b, t);
    for (let i = 0; i < failed; i++) this.retry(inFlight.failedBatches[i], inFlight.failedAt[i]);
    return failed > 0;
  }

  /** A failed request's batches, at time `at`: retried after backoff, unless past delivery.timeout.ms. */
  private retry(ids: number[], at: number): void {
    const batches = this.batches;
    for (const id of ids) {
      const d = batches.created[id] + this.deliveryTimeout;
      this.pool.requeued(batches.alloc[id]);
      if (d <= at) {
        this.expire(id, d);
        continue;
      }
      // Sender.canRetry: a batch is retried while its attempts so far are fewer than `retries`.
      if (batches.attempts[id] >= this.maxRetries) {
        this.pool.dropped(batches.alloc[id]);
        this.rejections.add('retries-exhausted', at, batches.count[id]);
        batches.rejected(id);
        continue;
      }
      const attempts = ++batches.attempts[id];
      this.retries++;
      batches.ready[id] = at + this.backoff.delay(attempts - 1, this.rng());
      const p = batches.part[id];
      // The leader now, not when the backoff ends: a partition's batches queue only at its
      // current leader (a later change moves them), which the per-broker counts rely on.
      const b = this.brokers.leaderAt(p, at);
      if (b < 0) this.parked.push(id);
      else {
        this.queues.enqueue(b, id);
        if (d < this.nextExpiry[b]) this.nextExpiry[b] = d;
      }
    }
  }

  private expireWaiting(b: number, t: number): void {
    let m = Infinity;
    const created = this.batches.created;
    this.queues.waiting[b].retain((id) => {
      const d = created[id] + this.deliveryTimeout;
      if (d <= t) {
        this.queues.dequeued(b, id);
        this.expire(id, d);
        return false;
      }
      if (d < m) m = d;
      return true;
    });
    this.nextExpiry[b] = m;
  }

  /** Batch `id` is rejected `delivery-timeout` at time d. */
  private expire(id: number, d: number): void {
    this.pool.dropped(this.batches.alloc[id]);
    this.rejections.add('delivery-timeout', d, this.batches.count[id]);
    this.batches.rejected(id);
  }

  /** Sends one produce request to broker b at time s with the ready batches it may hold. */
  private sendRequest(b: number, s: number): void {
    const queues = this.queues;
    let nt = queues.drain(b, s);
    const bytes = queues.drainedBytes;
    const taken = queues.taken;
    const batches = this.batches;
    const bPart = batches.part;
    const brokers = this.brokers;
    const factor = brokers.hasSlowdowns ? brokers.slowdown(b, s) : 1;
    const arrive = s + this.halfRtt;
    const done = brokers.admit(b, arrive, bytes, factor);
    let appendLat: number;
    let replLat: number;
    // Shared per slice only for a producer that works in slices (a source's Arrivals); a stage's
    // producer has none, so it draws per request as the exact fidelity does.
    if (this.batched && this.sliceId > 0) {
      if (this.sliceDrawn[b] !== this.sliceId) {
        this.sliceDrawn[b] = this.sliceId;
        this.sliceAppend[b] = this.appendLatency(this.rng);
        this.sliceRepl[b] = this.replicated ? this.replicationLatency(this.rng) : 0;
      }
      appendLat = this.sliceAppend[b];
      replLat = this.sliceRepl[b];
    } else {
      appendLat = this.appendLatency(this.rng);
      replLat = this.replicated ? this.replicationLatency(this.rng) : 0;
    }
    const appended = done + appendLat * factor;
    const hw = appended + replLat * factor;
    // A lost replica not yet fenced, or a slowed follower, delays a partition's high watermark:
    // acks=all waits for it, and consumers see the batch only then.
    let hwAll = hw;
    const takenHw = this.takenHw;
    if (brokers.perPartitionHighWatermark) {
      for (let i = 0; i < nt; i++) {
        takenHw[i] = brokers.batchHighWatermark(bPart[taken[i]], appended, replLat, factor);
        if (takenHw[i] > hwAll) hwAll = takenHw[i];
      }
    }
    const acks = this.acks;
    const ack = acks === 0 ? s : acks === 1 ? appended + this.halfRtt : hwAll + this.halfRtt;
    let alloc = 0;
    for (let i = 0; i < nt; i++) alloc += batches.alloc[taken[i]];
    this.pool.sent(alloc);
    const quota = this.quotas[b];
    if (quota) {
      const throttle = quota.record(bytes, Math.floor(done / 1000));
      if (throttle > 0) {
        if (throttle > this.maxThrottleMs) this.maxThrottleMs = throttle;
        // The broker answers at once with the throttle time and mutes the connection for it
        // (KIP-219); the client sends nothing more to that broker meanwhile.
        const until = (acks === 0 ? done : ack) + throttle * 1000;
        if (until > this.connUntil[b]) this.connUntil[b] = until;
      }
    }
    // A broker lost before it has answered never answers: the request fails, at once if the
    // loss reset the connection, else when it times out.
    const lost = brokers.hasLosses ? brokers.lostDuring(b, s, acks === 0 ? done : ack) : Infinity;
    if (lost < Infinity) {
      if (acks === 0) {
        // Nobody waits for an answer: the records are gone, and the producer does not know.
        for (let i = 0; i < nt; i++) this.finishBatch(taken[i], 0, 'unacknowledged-loss', s);
        return;
      }
      this.inFlight.occupy(b, brokers.requestFailsAt(b, s, lost, this.halfRtt, this.requestTimeout), alloc, Array.from(taken.subarray(0, nt)));
      return;
    }
    const visible = Math.ceil(hw);
    // acks=all to a partition with fewer in-sync replicas than min.insync.replicas: the leader
    // refuses its batch (NOT_ENOUGH_REPLICAS, `Partition.appendRecordsToLeader`), the others
    // are appended; the refused ones are retried when the answer is back.
    let refused: number[] | null = null;
    if (acks === 'all' && this.minInsync > 1 && brokers.hasFences) {
      let kept = 0;
      for (let i = 0; i < nt; i++) {
        const id = taken[i];
        if (brokers.isrSize(bPart[id], arrive) < this.minInsync) (refused ??= []).push(id);
        else {
          takenHw[kept] = takenHw[i];
          taken[kept++] = id;
        }
      }
      if (kept === 0) {
        this.inFlight.occupy(b, done + this.halfRtt, alloc, refused);
        return;
      }
      nt = kept;
    }
    this.requestsAcked++;
    this.ackTimeSum += ack - s;
    if (hwAll > hw) {
      for (let i = 0; i < nt; i++) this.finishBatch(taken[i], Math.ceil(takenHw[i]));
    } else {
      for (let i = 0; i < nt; i++) this.finishBatch(taken[i], visible);
    }
    if (acks !== 0) this.inFlight.occupy(b, ack, alloc, refused);
  }

  /** Batch `id` was appended (visible at `visible`), or lost with acks=0. */
  private finishBatch(id: number, visible: number, lostAs?: RejectReason, at = 0): void {
    const batches = this.batches;
    const p = batches.part[id];
    const n = batches.count[id];
    if (lostAs) {
      this.rejections.add(lostAs, at, n);
      batches.consumed(p, n);
    } else {
      const v = this.batched
        ? batches.origins
          ? this.logs[p].appendSpread(n, batches.bytes[id], visible, batches.first[id], batches.last[id], batches.ageFirst[id], batches.ageLast[id])
          : this.logs[p].appendSpread(n, batches.bytes[id], visible, batches.first[id], batches.last[id])
        : batches.appendTo(this.logs[p], p, n, batches.bytes[id], visible);
      this.appended.add(v, n);
    }
    batches.left(id);
    if (!lostAs) this.onAppend(p);
  }
}

/**
 * A Kafka producer (`KafkaProducer` in the Java client): the facade the application calls
 * send() on, over the record accumulator (RecordAccumulator), the memory its batches hold
 * (BufferPool) and the connections to the brokers (Sender). It decides what the application
 * sees when send() cannot go on at once, and keeps the counts the run reports.
 *
 * send(). A record is partitioned by the application's side (keyed: murmur2; null key: sticky
 * partitioner, see Arrivals) and put in its partition's open batch. A record that needs a new
 * batch when the pool is short blocks the caller: every open batch becomes ready at once (the
 * accumulator is exhausted), callers are served in arrival order as acknowledgements free
 * memory, and a caller that has waited `max.block.ms` since it arrived is rejected
 * `buffer-exhausted`. With `on-buffer-full: drop` the application drops the record instead
 * (`dropped`). A record is logged with its arrival time as create time, so blocking shows in
 * end-to-end latency.
 *
 * Two paths, one model. send() first brings the accumulator and the sender up to the record's
 * arrival in time order (linger deadlines, requests, acknowledgements that free memory for
 * blocked callers, callers whose wait ran out), so blocking, waiting and rejection are exact.
 * An application whose records are known ahead (a source producer's exogenous arrivals, see
 * Arrivals) may instead work a slice of simulated time ahead: when the slice cannot exhaust
 * `buffer.memory` (its allocations fit in what is free at its start), nothing in it can block,
 * so its records go straight into the accumulator (`accumulator.append`, counted with `offered`)
 * and the slice's ready batches are handed to the sender at its end, in time order
 * (beginSlice, endSlice). That stays exact because, with nothing blocked, what the accumulator
 * does never depends on the sender, and the sender still sees every batch before it advances
 * past the batch's ready time, in ready order. Otherwise the slice uses send() record by record.
 *
 * The producer has no events of its own: it moves when its application calls it. Without an
 * application (a stage producer fed by a consumer's processing) it is the same producer, moved by
 * send() and advanceTo().
 */
import type { ProducerSpec } from '../../scenario/schema.js';
import type { Sampler } from '../../random/distributions.js';
import type { Rng } from '../../random/stream.js';
import type { WindowedCounter } from '../../metrics/windows.js';
import type { AppendTarget } from '../log.js';
import type { Brokers } from '../brokers.js';
import { RecordAccumulator } from './accumulator.js';
import { producerCompression } from './compression.js';
import { Batches } from './batches.js';
import { BufferPool } from './buffer-pool.js';
import { InFlightRequests } from './in-flight.js';
import { Rejections, type ProducerMetrics } from './metrics.js';
import { Sender } from './sender.js';
import type { Waiters } from './waiters.js';

export interface ProducerOptions {
  /** The producer instance's name, for error messages. */
  id: string;
  /** The topic it writes. */
  topic: string;
  /** The client id quotas are looked up by (the producer's name, shared by its instances). */
  client: string;
  /** The producer's configuration and what its application does when the buffer is full (a source producer's spec, or a stage's `produces`). */
  spec: Pick<ProducerSpec, 'config' | 'on-buffer-full' | 'compression-ratio'>;
  logs: readonly AppendTarget[];
  /** Draws of the produce path (latencies, retry jitter), apart so they do not shift arrivals. */
  senderRng: Rng;
  brokers: Brokers;
  /** The topic's `min.insync.replicas` (default 1): acks=all writes to a partition with fewer are refused. */
  minInsyncReplicas?: number;
  appendLatency: Sampler;
  replicationLatency: Sampler;
  rtt: number;
  end: number;
  /** The sample interval (ticks) of the windowed metrics. */
  interval: number;
  metrics: ProducerMetrics;
  onAppend: (partition: number) => void;
  batched: boolean;
  /** Its records carry an origin time apart from their create time (a stage's producer). */
  origins?: boolean;
  /** Where callers blocked in send() are held, charged to the run's memory for them. */
  waiters: Waiters;
}

/** What calls a producer's send(): for a source producer, its arrival process. */
export interface Application {
  start(): void;
}

export class KafkaProducer {
  /** Records handed to send() (or appended ahead of the clock by the application). */
  offered = 0;
  readonly id: string;
  readonly topic: string;
  readonly produced: WindowedCounter;
  readonly accumulator: RecordAccumulator;
  /** Started with the producer; none for a producer others call. */
  application: Application | null = null;

  private readonly batches: Batches;
  private readonly pool: BufferPool;
  private readonly sender: Sender;
  private readonly rejections: Rejections;
  private readonly drop: boolean;
  /** The time up to which catchUp has looked for acknowledgements that free memory. */
  private lastFreeCheck = -Infinity;

  constructor(o: ProducerOptions) {
    const c = o.spec.config;
    const n = o.logs.length;
    const batched = o.batched;
    this.id = o.id;
    this.topic = o.topic;
    this.produced = o.metrics.produced;
    this.drop = o.spec['on-buffer-full'] === 'drop';
    this.rejections = new Rejections(o.metrics.rejected);
    this.batches = new Batches(n, !batched, o.origins === true);
    const inFlight = new InFlightRequests(o.brokers.count, c['max.in.flight.requests.per.connection']);
    this.pool = new BufferPool(c['buffer.memory'], c['max.block.ms'], inFlight, o.waiters, o.metrics.blocked, o.metrics.buffer, o.interval, o.end);
    this.sender = new Sender({
      id: o.id,
      client: o.client,
      partitions: n,
      brokers: o.brokers,
      logs: o.logs,
      batches: this.batches,
      pool: this.pool,
      inFlight,
      rejections: this.rejections,
      appended: o.metrics.appended,
      onAppend: o.onAppend,
      rng: o.senderRng,
      config: c,
      rtt: o.rtt,
      appendLatency: o.appendLatency,
      replicationLatency: o.replicationLatency,
      minInsyncReplicas: o.minInsyncReplicas ?? 1,
      batched,
    });
    this.accumulator = new RecordAccumulator(n, c['linger.ms'], c['batch.size'], !batched, this.batches, this.pool, this.sender, producerCompression(o.spec));
  }

  // ---- what the run reads -------------------------------------------------------------------

  get rejected(): Record<string, number> {
    return this.rejections.byReason;
  }

  /** Batches sent again after a failed request. */
  get retries(): number {
    return this.sender.retries;
  }

  /** Microseconds with at least one caller blocked in send(). */
  get blockedTime(): number {
    return this.pool.blockedTime;
  }

  get maxBufferBytes(): number {
    return this.pool.maxUsed;
  }

  get maxThrottleMs(): number {
    return this.sender.maxThrottleMs;
  }

  /** Produce requests answered, and the sum of their send-to-answer times (ticks); acks=0 answers at send. */
  get requestsAcked(): number {
    return this.sender.requestsAcked;
  }

  get ackTimeSum(): number {
    return this.sender.ackTimeSum;
  }

  start(): void {
    this.application?.start();
  }

  /** Callers blocked in send() now. */
  blockedCallers(): number {
    return this.pool.waiters();
  }

  /** Records handed to send() and not yet appended: blocked callers, open and closed batches. */
  inProducer(): number {
    return this.batches.records + this.pool.waiters() + this.accumulator.records();
  }

  /** Blocked callers, open batches or batches not yet appended. */
  hasWork(): boolean {
    return this.batches.records > 0 || this.pool.hasWaiters() || this.accumulator.hasOpen();
  }

  /** Bytes of buffer.memory in use at t: batches not yet acknowledged. */
  bufferUsed(t: number): number {
    return this.pool.used(t);
  }

  /** Closes the books at the end of the run: blocked time up to `end`, buffer use of the last windows. */
  finish(end: number): void {
    this.pool.finish(end);
  }

  // ---- send() ---------------------------------------------------------------------------------

  /** The application hands a record for partition p of `size` bytes to send() at t. */
  send(p: number, t: number, size: number): void {
    this.offered++;
    this.produced.add(t, 1);
    this.catchUp(t);
    const pool = this.pool;
    if (pool.hasWaiters()) {
      if (this.drop) this.rejections.add('dropped', t, 1);
      else pool.wait(t, p, size);
      return;
    }
    if (!this.accumulator.tryAppend(p, t, t, size)) {
      if (this.drop) this.rejections.add('dropped', t, 1);
      else {
        pool.wait(t, p, size);
        this.accumulator.exhausted(t);
      }
    }
  }

  // ---- send() from a thread that blocks: a stage's processing (app/sink.ts) -------------------

  /**
   * The application's thread hands a record (entered the pipeline at `origin`) to send() at t:
   * true if it went into the accumulator; false if it needs memory the pool does not have, and
   * then nothing was done but marking the accumulator exhausted (the caller blocks, and tries
   * again when memory is freed: `nextFree`). Only for a producer with one calling thread, which
   * blocks in turn: it never has waiters in the pool.
   */
  trySend(p: number, t: number, size: number, origin: number): boolean {
    this.catchUp(t);
    if (!this.accumulator.tryAppend(p, t, t, size, origin)) {
      this.accumulator.exhausted(t);
      return false;
    }
    this.offered++;
    this.produced.add(t, 1);
    return true;
  }

  /** The calling thread gave up on a record at t after waiting since `since` (max.block.ms), or dropped it. */
  refuse(t: number, reason: 'buffer-exhausted' | 'dropped'): void {
    this.offered++;
    this.produced.add(t, 1);
    this.rejections.add(reason, t, 1);
  }

  /** The calling thread was blocked in send() from `from` to `to`. */
  blockedFor(from: number, to: number): void {
    this.pool.blockedFor(from, to);
  }

  /** The next time after t at which an answer frees memory (Infinity: none in flight). */
  nextFree(t: number): number {
    return this.pool.nextFree(t);
  }

  /** Whether new batches of `bytes` in all would fit in the memory free at t (nothing is taken). */
  couldTake(t: number, bytes: number): boolean {
    return this.pool.usedAll(t) + bytes <= this.pool.memory;
  }

  /**
   * When a producer with no application of its own must next be moved on (advanceTo) for its
   * batches to leave on time: a linger deadline, or the sender's next possible move (Infinity: idle).
   */
  nextDeadline(): number {
    const l = this.accumulator.nextLinger();
    const w = this.sender.nextWake();
    return l < w ? l : w;
  }

  /**
   * Brings the accumulator and the sender up to time t in time order, with no new record: linger
   * deadlines, requests, acknowledgements that free memory for blocked callers, and callers
   * whose wait ran out (what the Java client's sender thread does between sends).
   */
  advanceTo(t: number): void {
    this.catchUp(t);
  }

  private catchUp(t: number): void {
    const pool = this.pool;
    const acc = this.accumulator;
    for (;;) {
      let next = acc.nextLinger();
      const callers = pool.hasWaiters();
      if (callers) {
        const d = pool.firstArrival() + pool.maxBlock;
        if (d < next) next = d;
        const f = pool.nextFree(this.lastFreeCheck);
        if (f < next) next = f;
      }
      if (next > t) break;
      this.advance(next);
      acc.expireLingers(next);
      if (callers) this.serveCallers(next);
      this.lastFreeCheck = next;
    }
    this.advance(t);
  }

  /** Blocked callers at time t: those whose wait ran out are rejected, then as many as memory allows go in. */
  private serveCallers(t: number): void {
    const pool = this.pool;
    while (pool.hasWaiters()) {
      const a = pool.firstArrival();
      if (a + pool.maxBlock <= t) {
        this.rejections.add('buffer-exhausted', a + pool.maxBlock, 1);
        pool.shift();
        continue;
      }
      if (!this.accumulator.tryAppend(pool.firstPartition(), t, a, pool.firstSize())) break;
      pool.shift();
    }
    pool.served(t);
  }

  /** The sender up to t, and the buffer use of the windows that ended by then. */
  private advance(t: number): void {
    const pool = this.pool;
    // The sender stops at each window's end, where the window's use is recorded (answers due
    // by then freed, none after), and batches opened ahead of it (appendAhead) come into use as
    // its clock passes them.
    for (;;) {
      const a = pool.nextAhead();
      const w = pool.nextWindowEnd();
      if (w < t && w < a) {
        this.sender.advance(w);
        pool.recordWindows(w + 1);
      } else if (a <= t) {
        this.sender.advance(a);
        pool.settleAhead(a);
      } else break;
    }
    this.sender.advance(t);
  }

  // ---- sends known ahead of the clock: a stage's poll batch (app/sink.ts) ---------------------

  /**
   * A calling thread hands over sends known ahead of the clock, in time order, none of which can
   * block (it checked with couldTake that their worst-case allocations fit): beginAhead, then
   * appendAhead for each, then endAhead. They go straight into the accumulator, and the batches
   * they close (and those whose linger.ms runs out by `until`, before which the thread sends
   * nothing more) go to the sender in ready order. The sender is not moved: it is moved on at the
   * clock (advanceTo), so what it appends to the logs stays in time order with the logs' other
   * writers. This is exact for the reason a source's slice is: with nothing blocked, what the
   * accumulator does never depends on the sender, and the sender sees every batch before it
   * passes the batch's ready time, in ready order.
   */
  /** Whether sends may be handed over ahead of the clock (beginAhead): the partitions' leaders never change. */
  get aheadAllowed(): boolean {
    return this.sender.aheadAllowed;
  }

  beginAhead(): void {
    this.accumulator.ahead = true;
  }

  appendAhead(p: number, t: number, size: number, origin: number): void {
    const acc = this.accumulator;
    const opened = acc.allocations;
    acc.append(p, t, t, size, origin);
    if (acc.allocations !== opened) {
      this.pool.openedAhead(t, acc.alloc[p]);
      // Sends come in time order, after every batch tracked so far: the new batch's deadline
      // goes at the end of the linger queue (a batch this closed leaves a stale entry, skipped).
      acc.trackOpened(p, t);
    }
    this.offered++;
    this.produced.add(t, 1);
  }

  endAhead(until: number): void {
    const acc = this.accumulator;
    // Batches whose linger.ms ran out by `until` (their deadlines are tracked in order).
    acc.expireLingers(until);
    acc.handOver(true);
    acc.ahead = false;
  }

  // ---- slices worked ahead of the clock ------------------------------------------------------

  /** The application starts a slice at `now`: returns the bytes of buffer.memory free then. */
  beginSlice(now: number): number {
    this.sender.newSlice();
    this.pool.recordWindows(now);
    return this.pool.free(now);
  }

  /**
   * Whether the slice's records go ahead into the accumulator: if the application says its
   * allocations cannot exhaust the buffer (`fits`) and no caller is blocked. Else through send().
   */
  runAhead(fits: boolean): boolean {
    const ahead = fits && !this.pool.hasWaiters();
    this.accumulator.ahead = ahead;
    if (!ahead) this.accumulator.trackLingers();
    return ahead;
  }

  /** A slice begun ahead turns out able to fill the buffer after all: the rest of it goes through send(). */
  fallBack(): void {
    this.accumulator.ahead = false;
    this.accumulator.trackLingers();
  }

  /** The application's slice ends at `sliceEnd`. */
  endSlice(sliceEnd: number): void {
    const acc = this.accumulator;
    if (acc.ahead) {
      // Batches whose linger.ms ran out before the slice's end saw every arrival they could get.
      acc.closeLingered(sliceEnd);
      acc.handOver();
      this.advance(sliceEnd);
    } else {
      this.catchUp(sliceEnd);
    }
  }
}

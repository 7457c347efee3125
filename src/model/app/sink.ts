/**
 * What a stage's processing produces: for each input record whose processing ends, `yield`
 * records on average (the whole part always, one more with the fraction's probability), handed
 * to the application instance's own KafkaProducer as the input record's processing ends, the
 * way `for (r : poll()) { ...; producer.send(out) }` does it.
 *
 * Keys. `keep` keeps the input record's partition (the topics have as many partitions, so the
 * same key hashes to the same partition; the loader checks it) and, for records without a key,
 * uses the sticky partitioner; a key distribution draws a new key per record (murmur2 over the
 * output topic's partitions, as a source producer does: `stagePartitioner`, once per stage).
 *
 * Two paths, one model, as for a source producer (producer/kafka-producer.ts):
 * - Ahead. When a batch starts, its outputs are drawn (count, partition, size, in the batch's
 *   order) and, if their worst-case allocations (one new batch each, max(batch.size, size)
 *   bytes) fit in the memory free now, no send() of the batch can block: memory in use only goes
 *   down until this thread allocates, and this thread is the producer's only caller. Processing
 *   then runs ahead of the clock as it does with no sink. When the batch's work is computed,
 *   its outputs go into the producer at once (`flushAhead`, KafkaProducer.beginAhead): the
 *   accumulator takes them in time order and its closed batches are queued for the sender
 *   without moving it, and the sender, which appends to the logs, is moved on at the clock
 *   (`wake`), so every log sees its writers' batches in time order. Where the process may crash
 *   before the batch ends (outputs of records it never finished must be takeable back) or
 *   leaders may change, each output instead waits in an outbox until the clock reaches its time
 *   and goes to send() then.
 * - Blocking. Otherwise every record's sends happen at their own event: a send() that needs
 *   memory the pool does not have blocks the processing thread until an answer frees it (the
 *   producer knows when) or `max.block.ms` runs out, and then the record is rejected
 *   `buffer-exhausted` and processing goes on (the application catches the TimeoutException and
 *   skips the record). A blocked thread polls no more; if it stays away longer than
 *   `max.poll.interval.ms` the member leaves the group (consumer/member.ts), as in Kafka.
 *   With `on-buffer-full: drop` nothing blocks: a record that would is dropped.
 *
 * The producer has no events of its own: the sink moves it on at its linger deadlines and at its
 * sender's next possible move (`KafkaProducer.nextDeadline`), one tick after the moment so the
 * sender covers it, while records are in it.
 */
import { named, type EventHandle, type Simulation } from '../../kernel/simulation.js';
import type { ProducesSpec } from '../../scenario/schema.js';
import { compile, type Sampler } from '../../random/distributions.js';
import type { Rng } from '../../random/stream.js';
import { AliasTable } from '../../random/alias.js';
import { partitionWeights } from '../keys.js';
import type { KafkaProducer } from '../producer/kafka-producer.js';

/** What the blocking path tells processing. */
export interface SinkHost {
  /** Every output of the record (or batch) given to `sendBlocking` was handed over, at `t`. */
  sendsDone(t: number): void;
}

export class Sink {
  readonly producer: KafkaProducer;
  private readonly sim: Simulation;
  private readonly rng: Rng;
  private readonly whole: number;
  private readonly fraction: number;
  /** The most outputs one input record can have. */
  readonly perInputMax: number;
  private readonly keep: boolean;
  private readonly partitioner: AliasTable | null;
  private readonly partitions: number;
  private readonly size: Sampler;
  private readonly batchSize: number;
  private readonly maxBlock: number;
  private readonly drop: boolean;
  private sticky = -1;
  private stickyBytes = 0;

  // The current poll batch's outputs, drawn when it starts: per input i, outputs [first[i], first[i+1]).
  private first = new Int32Array(65);
  private outP = new Int32Array(64);
  private outS = new Float64Array(64);
  private outO = new Float64Array(64);
  private nOut = 0;
  private worstBytes = 0;

  // The outbox: outputs computed ahead, sent when the clock reaches them. A ring of (time, partition, size, origin).
  private qT = new Float64Array(64);
  private qP = new Int32Array(64);
  private qS = new Float64Array(64);
  private qO = new Float64Array(64);
  private qHead = 0;
  private qLen = 0;
  private wakeAt = Infinity;
  private wakeHandle: EventHandle | null = null;

  // The blocking path: the outputs [bNext, bEnd) still to hand over, from time bT.
  private host: SinkHost | null = null;
  private bNext = 0;
  private bEnd = 0;
  private bT = 0;
  private blockedSince = -1;

  constructor(
    sim: Simulation,
    spec: ProducesSpec,
    producer: KafkaProducer,
    /** The output topic's partitions. */
    partitions: number,
    /** The input records carry keys (so `keep` keeps their partition; without keys it is the sticky partitioner). */
    inputKeyed: boolean,
    /** Partitions of a new key distribution (`keys` given), built once per stage; null otherwise. */
    partitioner: AliasTable | null,
    rng: Rng,
    component: string,
    /** Whether the instance's process may die (a consumer crash) at a time in [from, to]. */
    private readonly mayDie: (from: number, to: number) => boolean = () => false,
  ) {
    this.sim = sim;
    this.producer = producer;
    this.rng = rng;
    this.whole = Math.floor(spec.yield);
    this.fraction = spec.yield - this.whole;
    this.perInputMax = Math.ceil(spec.yield);
    this.keep = spec.keys === 'keep' && inputKeyed;
    this.partitions = partitions;
    this.partitioner = partitioner;
    this.size = compile(spec['record-size']);
    this.batchSize = spec.config['batch.size'];
    this.maxBlock = spec.config['max.block.ms'];
    this.drop = spec['on-buffer-full'] === 'drop';
    named(component, 'sink', this.wake);
    named(component, 'sinkRetry', this.retry);
  }

  // ---- a poll batch's outputs ---------------------------------------------------------------

  /**
   * Draws the outputs of a poll batch of n records (input partitions `part`, origins `origin`),
   * in the batch's order; returns whether the batch may run ahead (none of its sends can block).
   */
  prepare(n: number, part: Int32Array, origin: Float64Array): boolean {
    if (this.first.length < n + 1) this.first = new Int32Array(2 * n + 1);
    const rng = this.rng;
    let k = 0;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      this.first[i] = k;
      let m = this.whole;
      if (this.fraction > 0 && rng() < this.fraction) m++;
      if (k + m > this.outP.length) this.grow(k + m);
      for (let j = 0; j < m; j++) {
        const size = Math.max(1, Math.round(this.size(rng)));
        let p: number;
        if (this.partitioner !== null) p = this.partitioner.sample(rng);
        else if (this.keep) p = part[i];
        else {
          if (this.sticky < 0) this.sticky = Math.floor(rng() * this.partitions);
          p = this.sticky;
          this.stickyBytes += size;
          if (this.stickyBytes >= this.batchSize) {
            this.stickyBytes = 0;
            this.sticky = Math.floor(rng() * this.partitions);
          }
        }
        this.outP[k] = p;
        this.outS[k] = size;
        this.outO[k] = origin[i];
        worst += size > this.batchSize ? Math.ceil(size) : this.batchSize;
        k++;
      }
    }
    this.first[n] = k;
    this.nOut = k;
    this.worstBytes = worst;
    return this.drop || k === 0 || this.producer.couldTake(this.sim.now, worst);
  }

  private grow(min: number): void {
    let n = this.outP.length * 2;
    while (n < min) n *= 2;
    const p = new Int32Array(n);
    p.set(this.outP);
    this.outP = p;
    const s = new Float64Array(n);
    s.set(this.outS);
    this.outS = s;
    const o = new Float64Array(n);
    o.set(this.outO);
    this.outO = o;
  }

  // ---- ahead: the outbox --------------------------------------------------------------------

  /** Inputs [from, to) of the batch ended at t (ahead path): their outputs go out at t. */
  emit(from: number, to: number, t: number): void {
    for (let k = this.first[from], e = this.first[to]; k < e; k++) this.enqueue(t, this.outP[k], this.outS[k], this.outO[k]);
  }

  private enqueue(t: number, p: number, size: number, origin: number): void {
    if (this.qLen === this.qT.length) this.growQueue();
    const i = (this.qHead + this.qLen) & (this.qT.length - 1);
    this.qT[i] = t;
    this.qP[i] = p;
    this.qS[i] = size;
    this.qO[i] = origin;
    this.qLen++;
    if (this.qLen === 1) this.wakeBy(Math.ceil(t));
  }

  private growQueue(): void {
    const n = this.qT.length * 2;
    const t = new Float64Array(n);
    const p = new Int32Array(n);
    const s = new Float64Array(n);
    const o = new Float64Array(n);
    for (let j = 0; j < this.qLen; j++) {
      const i = (this.qHead + j) & (this.qT.length - 1);
      t[j] = this.qT[i];
      p[j] = this.qP[i];
      s[j] = this.qS[i];
      o[j] = this.qO[i];
    }
    this.qT = t;
    this.qP = p;
    this.qS = s;
    this.qO = o;
    this.qHead = 0;
  }

  /**
   * The batch run ahead is over: its processing ends at `until` and every output it has is in
   * the outbox. Unless the process may die before `until` (a consumer crash is due: outputs of
   * records it never finished must stay takeable back), they go to the producer now, ahead of the
   * clock (KafkaProducer.beginAhead), rather than one wake at a time: the producer's accumulator
   * does not depend on its sender when nothing can block, and the sender, which appends to the
   * logs, is still moved on at the clock.
   */
  flushAhead(until: number): void {
    if (this.qLen === 0 || !this.producer.aheadAllowed || this.mayDie(this.sim.now, until)) return;
    const producer = this.producer;
    const mask = this.qT.length - 1;
    producer.beginAhead();
    for (let j = 0; j < this.qLen; j++) {
      const i = (this.qHead + j) & mask;
      producer.appendAhead(this.qP[i], this.qT[i], this.qS[i], this.qO[i]);
    }
    this.qHead = 0;
    this.qLen = 0;
    producer.endAhead(until);
    if (this.wakeHandle !== null) this.sim.cancel(this.wakeHandle);
    this.wakeHandle = null;
    this.wakeAt = Infinity;
    this.scheduleNext();
  }

  /** Makes sure the sink wakes by `time` (a whole tick >= now). */
  private wakeBy(time: number): void {
    const at = time < this.sim.now ? this.sim.now : time;
    if (at >= this.wakeAt) return;
    if (this.wakeHandle !== null) this.sim.cancel(this.wakeHandle);
    this.wakeAt = at;
    this.wakeHandle = this.sim.at(at, this.wake, 0, 1);
  }

  /** Sends what the clock has reached, moves the producer on, and sets the next wake. */
  private readonly wake = (): void => {
    this.wakeAt = Infinity;
    this.wakeHandle = null;
    const now = this.sim.now;
    this.drainUntil(now);
    // The sender thread goes on while the application's thread is blocked in send().
    this.producer.advanceTo(now);
    // What it sent may answer (and free memory for the blocked thread) before the retry planned.
    if (this.host !== null) this.planRetry();
    this.scheduleNext();
  };

  /** Hands send() the outbox's outputs due by `now` (before it when `strict`). */
  private drainUntil(now: number, strict = false): void {
    const mask = this.qT.length - 1;
    while (this.qLen > 0) {
      const i = this.qHead;
      const t = this.qT[i];
      if (t > now || (strict && t === now)) break;
      if (!this.producer.trySend(this.qP[i], t, this.qS[i], this.qO[i])) {
        // Cannot happen on the ahead path (prepare checked the memory); kept honest all the same.
        this.producer.refuse(t, this.drop ? 'dropped' : 'buffer-exhausted');
      }
      this.qHead = (i + 1) & mask;
      this.qLen--;
    }
  }

  private scheduleNext(): void {
    let next = this.qLen > 0 ? Math.ceil(this.qT[this.qHead]) : Infinity;
    const d = this.producer.nextDeadline();
    if (d < Infinity) {
      const tick = Math.floor(d) + 1;
      if (tick < next) next = tick;
    }
    if (next < Infinity) this.wakeBy(next);
  }

  /** Takes back outputs of records that had not ended by t (the process died at t). */
  retractAfter(t: number): void {
    const mask = this.qT.length - 1;
    while (this.qLen > 0 && this.qT[(this.qHead + this.qLen - 1) & mask] > t) this.qLen--;
  }

  // ---- blocking: each record's sends at its own event ---------------------------------------

  /**
   * Hands the outputs of inputs [from, to) to send() from t (now or within the tick before),
   * one after another, blocking as the producer makes it block. Returns the time they were all
   * handed over, or -1 when the thread blocked: `host.sendsDone` is then called when it is done.
   */
  sendBlocking(from: number, to: number, t: number, host: SinkHost): number {
    this.drainUntil(t);
    this.bNext = this.first[from];
    this.bEnd = this.first[to];
    this.bT = t;
    this.blockedSince = -1;
    const done = this.sendOn();
    if (done >= 0) {
      this.scheduleNext();
      return done;
    }
    this.host = host;
    // The sender must go on (its batches free memory as they are answered): wake for it.
    this.scheduleNext();
    return -1;
  }

  /** Hands over outputs from bNext at bT until one blocks (-1) or all are out (their time). */
  private sendOn(): number {
    const producer = this.producer;
    while (this.bNext < this.bEnd) {
      const k = this.bNext;
      const t = this.bT;
      if (producer.trySend(this.outP[k], t, this.outS[k], this.outO[k])) {
        this.bNext++;
        continue;
      }
      if (this.drop) {
        producer.refuse(t, 'dropped');
        this.bNext++;
        continue;
      }
      if (this.blockedSince < 0) this.blockedSince = t;
      this.planRetry();
      return -1;
    }
    if (this.blockedSince >= 0) producer.blockedFor(this.blockedSince, this.bT);
    this.blockedSince = -1;
    return this.bT;
  }

  private retryGivesUp = false;
  /** When the blocked thread tries again (an answer frees memory) or gives up (max.block.ms), and its event. */
  private retryTime = Infinity;
  private retryHandle: EventHandle | null = null;

  /**
   * The blocked thread's next move: the first answer after its last attempt that frees memory,
   * or the end of max.block.ms if none comes sooner (the TimeoutException, then the next record).
   */
  private planRetry(): void {
    const deadline = this.blockedSince + this.maxBlock;
    const free = this.producer.nextFree(this.bT);
    const givesUp = free >= deadline;
    const t = givesUp ? deadline : free;
    if (t === this.retryTime && this.retryHandle !== null) return;
    if (this.retryHandle !== null) this.sim.cancel(this.retryHandle);
    this.retryTime = t;
    this.retryGivesUp = givesUp;
    // One tick after the moment, so the producer has seen everything up to and at it.
    this.retryHandle = this.sim.at(Math.max(this.sim.now, Math.floor(t) + 1), this.retry, 0, 1);
  }

  private readonly retry = (): void => {
    this.retryHandle = null;
    if (this.host === null) return;
    this.bT = this.retryTime;
    this.retryTime = Infinity;
    if (this.retryGivesUp) {
      this.producer.blockedFor(this.blockedSince, this.bT);
      this.blockedSince = -1;
      this.producer.refuse(this.bT, 'buffer-exhausted');
      this.bNext++;
    }
    const done = this.sendOn();
    if (done < 0) return;
    const host = this.host;
    this.host = null;
    this.scheduleNext();
    host.sendsDone(done);
  };

  // ---- the process stops, the run ends ------------------------------------------------------

  /** The process died at `now`: outputs of records not ended by then are not sent; a blocked send is abandoned. */
  abort(now: number): void {
    this.retractAfter(now);
    if (this.host !== null) {
      if (this.blockedSince >= 0) this.producer.blockedFor(this.blockedSince, now);
      this.host = null;
      this.blockedSince = -1;
      if (this.retryHandle !== null) this.sim.cancel(this.retryHandle);
      this.retryHandle = null;
      this.retryTime = Infinity;
    }
    // The producer stays: what it holds is delivered, as a closing producer flushes (README, limits).
    this.scheduleNext();
  }

  /** At the run's end: outputs due before `end` are handed over; a blocked thread's time is counted. */
  finish(end: number): void {
    this.drainUntil(end, true);
    if (this.host !== null && this.blockedSince >= 0) this.producer.blockedFor(this.blockedSince, end);
    this.producer.finish(end);
  }

  /** Outputs computed but not yet handed to send() (the outbox), for the books. */
  get pending(): number {
    return this.qLen;
  }
}

/** The partitions of a stage's new key distribution (murmur2 of each key), or null for `keep` and null keys. */
export function stagePartitioner(spec: ProducesSpec, partitions: number): AliasTable | null {
  return spec.keys === 'keep' || spec.keys.dist === 'null' ? null : new AliasTable(partitionWeights(spec.keys, partitions));
}

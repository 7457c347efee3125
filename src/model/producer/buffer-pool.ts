/**
 * `buffer.memory` and the callers blocked on it (`BufferPool` in the Java client). Each batch
 * holds max(batch.size, record size) bytes from its creation until its request is answered
 * (`allocate` and `deallocate`: memory is taken per batch, not per record). A record that needs a
 * new batch when the pool is short makes send() block: the pool's waiters are FIFO, so the
 * application's callers are served in arrival order, and a caller that has waited
 * `max.block.ms` since it arrived is rejected `buffer-exhausted` (the producer decides, see
 * KafkaProducer).
 *
 * A request's answer time is drawn when it is sent, so the bytes in use at t are known ahead of
 * the clock: those of open batches, of closed batches not in a request, and of requests answered
 * after t (InFlightRequests).
 */
import type { WindowedCounter } from '../../metrics/windows.js';
import type { InFlightRequests } from './in-flight.js';
import type { Waiters } from './waiters.js';

export class BufferPool {
  readonly memory: number;
  readonly maxBlock: number;
  /** The most bytes in use at once (sampled at slice starts and at each new batch). */
  maxUsed = 0;
  /** Microseconds with at least one caller blocked. */
  blockedTime = 0;

  /** Bytes held by open batches, and by closed batches not in a request (ready, parked or backing off). */
  private open = 0;
  private queued = 0;
  private readonly inFlight: InFlightRequests;

  /** Callers blocked in send(), FIFO: arrival time, partition, size. */
  private readonly waiting: Waiters;
  private blockedSince = -1;

  private readonly blocked: WindowedCounter;
  private readonly buffer: WindowedCounter;
  private readonly interval: number;
  private readonly end: number;
  /** The last window whose end-of-window use has been recorded. */
  private bufferWindow = 0;

  constructor(memory: number, maxBlock: number, inFlight: InFlightRequests, waiting: Waiters, blocked: WindowedCounter, buffer: WindowedCounter, interval: number, end: number) {
    this.memory = memory;
    this.maxBlock = maxBlock;
    this.inFlight = inFlight;
    this.waiting = waiting;
    this.blocked = blocked;
    this.buffer = buffer;
    this.interval = interval;
    this.end = end;
  }

  /**
   * Batches opened ahead of the sender's clock (a stage's poll batch handed over at once,
   * KafkaProducer.appendAhead): their opening times and bytes, oldest first, a ring. Their bytes
   * are in `open` but not yet in use at the sender's clock, which passes each in turn
   * (settleAhead), so the use recorded per window and its peak are what they would be had each
   * batch been opened at its own time.
   */
  private aheadT = new Float64Array(16);
  private aheadA = new Float64Array(16);
  private aheadHead = 0;
  private aheadLen = 0;
  private aheadBytes = 0;

  /** Bytes in use at t (the sender's clock): batches opened by then and not yet answered. */
  used(t: number): number {
    return this.inFlight.addHeldAt(this.open + this.queued - this.aheadBytes, t);
  }

  /** Bytes in use at t, counting batches opened ahead of the sender as in use already. */
  usedAll(t: number): number {
    return this.inFlight.addHeldAt(this.open + this.queued, t);
  }

  /** The batch just opened (`opened(a)`) was opened at t, ahead of the sender's clock. */
  openedAhead(t: number, a: number): void {
    if (this.aheadLen === this.aheadT.length) {
      const n = this.aheadT.length * 2;
      const ts = new Float64Array(n);
      const as = new Float64Array(n);
      for (let j = 0; j < this.aheadLen; j++) {
        const i = (this.aheadHead + j) & (this.aheadT.length - 1);
        ts[j] = this.aheadT[i];
        as[j] = this.aheadA[i];
      }
      this.aheadT = ts;
      this.aheadA = as;
      this.aheadHead = 0;
    }
    const i = (this.aheadHead + this.aheadLen) & (this.aheadT.length - 1);
    this.aheadT[i] = t;
    this.aheadA[i] = a;
    this.aheadLen++;
    this.aheadBytes += a;
  }

  /** When the next batch opened ahead was opened (Infinity: none). */
  nextAhead(): number {
    return this.aheadLen > 0 ? this.aheadT[this.aheadHead] : Infinity;
  }

  /** The sender's clock is at t: batches opened ahead by then are in use, and their peak is noted. */
  settleAhead(t: number): void {
    while (this.aheadLen > 0 && this.aheadT[this.aheadHead] <= t) {
      this.aheadBytes -= this.aheadA[this.aheadHead];
      this.aheadHead = (this.aheadHead + 1) & (this.aheadT.length - 1);
      this.aheadLen--;
    }
    if (this.aheadLen === 0) this.aheadBytes = 0;
    const u = this.used(t);
    if (u > this.maxUsed) this.maxUsed = u;
  }

  /** Bytes free at t, noting the use as a peak. */
  free(t: number): number {
    const used = this.used(t);
    if (used > this.maxUsed) this.maxUsed = used;
    return this.memory - used;
  }

  /** Whether a new batch of `a` bytes fits at t (noting the peak it makes if so). */
  fits(t: number, a: number): boolean {
    const used = this.used(t);
    if (used + a > this.memory) return false;
    if (used + a > this.maxUsed) this.maxUsed = used + a;
    return true;
  }

  /** A batch of `a` bytes was opened. */
  opened(a: number): void {
    this.open += a;
  }

  /** An open batch of `a` bytes closed: it waits for a request. */
  closed(a: number): void {
    this.open -= a;
    this.queued += a;
  }

  /** Batches of `a` bytes went into a request (InFlightRequests holds them until it is answered). */
  sent(a: number): void {
    this.queued -= a;
  }

  /** A failed request's batch of `a` bytes waits to be retried. */
  requeued(a: number): void {
    this.queued += a;
  }

  /** A waiting batch of `a` bytes was rejected. */
  dropped(a: number): void {
    this.queued -= a;
  }

  /** The next answer after t that frees memory, or Infinity. */
  nextFree(t: number): number {
    return this.inFlight.nextRelease(t);
  }

  // ---- callers blocked in send() ----------------------------------------------------------

  waiters(): number {
    return this.waiting.length;
  }

  hasWaiters(): boolean {
    return this.waiting.length > 0;
  }

  /** A caller arrived at t with a record for partition p of `size` bytes, and waits. */
  wait(t: number, p: number, size: number): void {
    if (this.waiting.length === 0) this.blockedSince = t;
    this.waiting.push(t, p, size);
  }

  /** The first waiter's arrival time, partition and size. */
  firstArrival(): number {
    return this.waiting.firstArrival();
  }

  firstPartition(): number {
    return this.waiting.firstPartition();
  }

  firstSize(): number {
    return this.waiting.firstSize();
  }

  /** The first waiter was served or gave up. */
  shift(): void {
    this.waiting.shift();
  }

  /** Callers were served at t: if none is left, the blocked interval ends. */
  served(t: number): void {
    if (this.waiting.length !== 0) return;
    if (this.blockedSince >= 0) {
      this.blocked.addInterval(this.blockedSince, t, 1);
      this.blockedTime += t - this.blockedSince;
      this.blockedSince = -1;
    }
    this.waiting.clear();
  }

  /** A calling thread that blocks in turn (a stage's processing) was blocked from `from` to `to`. */
  blockedFor(from: number, to: number): void {
    if (to <= from) return;
    this.blocked.addInterval(from, to, 1);
    this.blockedTime += to - from;
  }

  /** Closes the books at the end of the run: blocked time up to `end`, use in the last windows. */
  finish(end: number): void {
    if (this.blockedSince >= 0) {
      this.blocked.addInterval(this.blockedSince, end, 1);
      this.blockedTime += end - this.blockedSince;
      this.blockedSince = end;
    }
    this.recordWindows(end + 1);
  }

  /** The end of the next window whose use is to be recorded (Infinity: none left). */
  nextWindowEnd(): number {
    return this.bufferWindow < this.buffer.windows ? Math.min((this.bufferWindow + 1) * this.interval, this.end) : Infinity;
  }

  /** Use at the end of every window that ended by t. */
  recordWindows(t: number): void {
    const I = this.interval;
    const windows = this.buffer.windows;
    while (this.bufferWindow < windows) {
      const at = Math.min((this.bufferWindow + 1) * I, this.end);
      if (at >= t) break;
      this.buffer.add(at - 1, this.used(at));
      this.bufferWindow++;
    }
  }
}

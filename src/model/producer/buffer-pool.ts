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

  /** Bytes in use at t: batches not yet answered. */
  used(t: number): number {
    return this.inFlight.addHeldAt(this.open + this.queued, t);
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

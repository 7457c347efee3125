/**
 * A downstream service that consumers call: a latency distribution (replaced by another in
 * configured time windows, e.g. a provider that slows down) and an optional concurrency limit,
 * beyond which calls wait in FIFO order (an M/G/c queue when callers are many).
 *
 * Calls whose start can never wait (no limit, or a limit at least the number of callers that
 * can have a call outstanding at once) are computed inline by the caller with no event: a
 * call's latency is then a draw and nothing else, so this is exact, not an approximation.
 * Otherwise each call is an event and the queue is simulated.
 */
import type { Simulation } from '../../kernel/simulation.js';
import type { ServiceSpec } from '../../scenario/schema.js';
import { compile, type Sampler } from '../../random/distributions.js';
import type { Rng } from '../../random/stream.js';
import { Histogram } from '../../metrics/histogram.js';
import { WindowedCounter, type SampleWindows } from '../../metrics/windows.js';

/** Something that waits for a call to finish. */
export interface Caller {
  callDone(): void;
}

export class Service {
  readonly inline: boolean;
  readonly latency = new Histogram();
  readonly queueWait = new Histogram();
  readonly inFlightTime: WindowedCounter;
  readonly queuedTime: WindowedCounter;
  calls = 0;

  private readonly base: Sampler;
  private readonly windows: { from: number; to: number; sampler: Sampler }[];
  private inFlight = 0;
  private lastChange = 0;
  private waiting: Caller[] = [];
  private waitingSince: number[] = [];
  private waitingHead = 0;

  constructor(
    private readonly sim: Simulation,
    readonly spec: ServiceSpec,
    private readonly rng: Rng,
    maxCallers: number,
    sampling: SampleWindows,
  ) {
    this.inline = spec.concurrency === undefined || spec.concurrency >= maxCallers;
    this.base = compile(spec.latency);
    this.windows = spec.windows.map((w) => ({ from: w.from, to: w.to, sampler: compile(w.latency) }));
    this.inFlightTime = new WindowedCounter(sampling);
    this.queuedTime = new WindowedCounter(sampling);
  }

  /** Latency of a call starting at t. */
  private draw(t: number): number {
    const ws = this.windows;
    for (let i = 0; i < ws.length; i++) {
      if (t >= ws[i].from && t < ws[i].to) return ws[i].sampler(this.rng);
    }
    return this.base(this.rng);
  }

  /** Inline call starting at t (only when `inline`): returns its completion time. */
  callAt(t: number): number {
    const d = this.draw(t);
    this.calls++;
    this.latency.record(d);
    this.queueWait.record(0);
    this.inFlightTime.addInterval(t, t + d, 1);
    return t + d;
  }

  /** Event-driven call starting now; `caller.callDone()` runs when it completes. */
  request(caller: Caller): void {
    const limit = this.spec.concurrency!;
    if (this.inFlight < limit) {
      this.start(caller, this.sim.now);
    } else {
      this.account();
      this.waiting.push(caller);
      this.waitingSince.push(this.sim.now);
    }
  }

  private start(caller: Caller, queuedAt: number): void {
    this.account();
    const now = this.sim.now;
    const d = Math.round(this.draw(now));
    this.calls++;
    this.latency.record(d);
    this.queueWait.record(now - queuedAt);
    this.inFlight++;
    this.sim.schedule(d, () => {
      this.account();
      this.inFlight--;
      if (this.waitingHead < this.waiting.length) {
        const next = this.waiting[this.waitingHead];
        const since = this.waitingSince[this.waitingHead];
        this.waitingHead++;
        if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
          this.waiting = this.waiting.slice(this.waitingHead);
          this.waitingSince = this.waitingSince.slice(this.waitingHead);
          this.waitingHead = 0;
        }
        this.start(next, since);
      }
      caller.callDone();
    }, 0, 1);
  }

  /** Integrates in-flight and queued counts up to now. */
  private account(): void {
    const now = this.sim.now;
    if (now > this.lastChange) {
      this.inFlightTime.addInterval(this.lastChange, now, this.inFlight);
      this.queuedTime.addInterval(this.lastChange, now, this.waiting.length - this.waitingHead);
      this.lastChange = now;
    }
  }

  /** Calls in flight now, or null for a service computed inline (it keeps only the per-window means). */
  get inFlightNow(): number | null {
    return this.inline ? null : this.inFlight;
  }

  /** Calls waiting for a slot now (an inline service never queues). */
  get queuedNow(): number {
    return this.waiting.length - this.waitingHead;
  }

  /** Closes the time integrals at the end of the run. */
  finish(end: number): void {
    if (end > this.lastChange) {
      this.inFlightTime.addInterval(this.lastChange, end, this.inFlight);
      this.queuedTime.addInterval(this.lastChange, end, this.waiting.length - this.waitingHead);
      this.lastChange = end;
    }
  }
}

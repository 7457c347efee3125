/**
 * Per-window accumulators for time series with one value per sample window.
 *
 * The model often knows an outcome before simulated time reaches it (a poll batch's records
 * get their completion times when processing starts), so values are recorded into the window of
 * the time they happen, which may lie ahead of the clock. A window's latency histogram is
 * summarised and recycled once the clock has passed its end: nothing recorded later can fall in
 * a window that has ended, because every future record completes at or after `now`.
 */
import { Histogram } from './histogram.js';

export class WindowedCounter {
  readonly values: Float64Array;
  constructor(
    readonly windows: number,
    private readonly interval: number,
  ) {
    this.values = new Float64Array(windows);
  }

  windowOf(t: number): number {
    return Math.floor(t / this.interval);
  }

  /** Adds `n` at time t; times at or after the run's end are ignored. */
  add(t: number, n: number): void {
    const w = Math.floor(t / this.interval);
    if (w < this.windows) this.values[w] += n;
  }

  /** Adds `level` x duration of [t0, t1) split over the windows it covers (a time integral). */
  addInterval(t0: number, t1: number, level: number): void {
    const I = this.interval;
    let t = t0;
    while (t < t1) {
      const w = Math.floor(t / I);
      if (w >= this.windows) return;
      const end = Math.min(t1, (w + 1) * I);
      this.values[w] += level * (end - t);
      t = end;
    }
  }
}

export interface WindowSummary {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export class WindowedHistogram {
  /** The whole run's histogram, all windows merged. */
  readonly overall = new Histogram();
  readonly summaries: WindowSummary[];
  private open = new Map<number, Histogram>();
  private pool: Histogram[] = [];
  private closedBefore = 0;

  constructor(
    readonly windows: number,
    private readonly interval: number,
  ) {
    this.summaries = new Array(windows);
  }

  /** The histogram that collects values happening at time t, or undefined past the run's end. */
  at(t: number): Histogram | undefined {
    const w = Math.floor(t / this.interval);
    if (w >= this.windows) return undefined;
    if (w < this.closedBefore) throw new Error(`value recorded at t=${t} into window ${w}, which was already closed`);
    let h = this.open.get(w);
    if (!h) {
      h = this.pool.pop() ?? new Histogram();
      this.open.set(w, h);
    }
    return h;
  }

  /** Summarises and recycles every window that ends at or before `now`. */
  closeUntil(now: number): void {
    const upTo = Math.min(this.windows, Math.floor(now / this.interval));
    for (let w = this.closedBefore; w < upTo; w++) {
      const h = this.open.get(w);
      if (h) {
        this.summaries[w] = { p50: h.quantile(0.5), p95: h.quantile(0.95), p99: h.quantile(0.99), max: h.count > 0 ? h.max : null };
        this.overall.merge(h);
        h.reset();
        this.open.delete(w);
        this.pool.push(h);
      } else {
        this.summaries[w] = { p50: null, p95: null, p99: null, max: null };
      }
    }
    if (upTo > this.closedBefore) this.closedBefore = upTo;
  }
}

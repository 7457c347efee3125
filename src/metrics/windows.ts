/**
 * Per-window accumulators for time series with one value per sample window.
 *
 * The run is cut into windows by one rule (`SampleWindows`): window w covers
 * [w * interval, min((w + 1) * interval, end)), so when the duration is not a multiple of the
 * interval the last window is shorter and ends with the run. Everything that sizes, fills, closes
 * or samples a window asks that one object, so no caller can size windows with ceil and close
 * them with floor. Values at or after the run's end belong to no window and are ignored.
 *
 * The model often knows an outcome before simulated time reaches it (a poll batch's records
 * get their completion times when processing starts), so values are recorded into the window of
 * the time they happen, which may lie ahead of the clock. A window's latency histogram is
 * summarised and recycled once the clock has reached its end: nothing recorded later can fall in
 * a window that has ended, because every future record completes at or after the last window end
 * sampled (processing may start a fraction of a tick before `now`, never before that; see
 * model/app/processing.ts).
 */
import { Histogram } from './histogram.js';

/** The run's sample windows: how many, where each ends, and which holds a time. */
export class SampleWindows {
  readonly count: number;

  constructor(
    /** The run's end, ticks: the last window ends here. */
    readonly end: number,
    readonly interval: number,
  ) {
    if (!(end > 0) || !(interval > 0)) throw new Error(`sample windows need end > 0 and interval > 0, got ${end} and ${interval}`);
    this.count = Math.ceil(end / interval);
  }

  /** The window holding time t, or -1 at or after the run's end. */
  of(t: number): number {
    return t < this.end ? Math.floor(t / this.interval) : -1;
  }

  startOf(w: number): number {
    return w * this.interval;
  }

  /** The end of window w: the time its sample is taken (the run's end for the last one). */
  endOf(w: number): number {
    return Math.min(this.end, (w + 1) * this.interval);
  }

  /** How many windows have ended by `now` (all of them at the run's end). */
  endedBy(now: number): number {
    return now >= this.end ? this.count : Math.min(this.count, Math.floor(now / this.interval));
  }
}

export class WindowedCounter {
  readonly values: Float64Array;
  /** Number of windows. */
  readonly windows: number;
  private readonly interval: number;
  private readonly end: number;

  constructor(readonly sampling: SampleWindows) {
    this.windows = sampling.count;
    this.interval = sampling.interval;
    this.end = sampling.end;
    this.values = new Float64Array(sampling.count);
  }

  /** The window holding time t (-1 at or after the run's end). */
  windowOf(t: number): number {
    return t < this.end ? Math.floor(t / this.interval) : -1;
  }

  /** Adds `n` at time t; times at or after the run's end are ignored. */
  add(t: number, n: number): void {
    if (t < this.end) this.values[Math.floor(t / this.interval)] += n;
  }

  /** Adds `level` x duration of [t0, t1) split over the windows it covers (a time integral); none past the run's end. */
  addInterval(t0: number, t1: number, level: number): void {
    const I = this.interval;
    const stop = Math.min(t1, this.end);
    let t = t0;
    while (t < stop) {
      const w = Math.floor(t / I);
      const end = Math.min(stop, (w + 1) * I);
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
  /**
   * Each closed window's percentiles and max, ticks: one typed array per figure, sized to the
   * window count up front, NaN where nothing was recorded (read through `summary`).
   */
  readonly p50: Float64Array;
  readonly p95: Float64Array;
  readonly p99: Float64Array;
  readonly max: Float64Array;
  private open = new Map<number, Histogram>();
  private pool: Histogram[] = [];
  private closedBefore = 0;
  private readonly interval: number;
  private readonly end: number;

  constructor(readonly sampling: SampleWindows) {
    this.interval = sampling.interval;
    this.end = sampling.end;
    this.p50 = new Float64Array(sampling.count);
    this.p95 = new Float64Array(sampling.count);
    this.p99 = new Float64Array(sampling.count);
    this.max = new Float64Array(sampling.count);
  }

  /** The histogram that collects values happening at time t, or undefined at or after the run's end. */
  at(t: number): Histogram | undefined {
    if (t >= this.end) return undefined;
    const w = Math.floor(t / this.interval);
    if (w < this.closedBefore) throw new Error(`value recorded at t=${t} into window ${w}, which was already closed`);
    let h = this.open.get(w);
    if (!h) {
      h = this.pool.pop() ?? new Histogram();
      this.open.set(w, h);
    }
    return h;
  }

  /** Window w's percentiles and max (null where nothing was recorded), or undefined while it is still open. */
  summary(w: number): WindowSummary | undefined {
    if (!(w >= 0 && w < this.closedBefore)) return undefined;
    const value = (v: number) => (Number.isNaN(v) ? null : v);
    return { p50: value(this.p50[w]), p95: value(this.p95[w]), p99: value(this.p99[w]), max: value(this.max[w]) };
  }

  /** Summarises and recycles every window that ends at or before `now` (every window at the run's end). */
  closeUntil(now: number): void {
    const upTo = this.sampling.endedBy(now);
    for (let w = this.closedBefore; w < upTo; w++) {
      const h = this.open.get(w);
      if (h) {
        this.p50[w] = h.quantile(0.5) ?? NaN;
        this.p95[w] = h.quantile(0.95) ?? NaN;
        this.p99[w] = h.quantile(0.99) ?? NaN;
        this.max[w] = h.count > 0 ? h.max : NaN;
        this.overall.merge(h);
        h.reset();
        this.open.delete(w);
        this.pool.push(h);
      } else {
        this.p50[w] = this.p95[w] = this.p99[w] = this.max[w] = NaN;
      }
    }
    if (upTo > this.closedBefore) this.closedBefore = upTo;
  }
}

/**
 * Rate profiles as piecewise-linear functions of time, and arrivals drawn from them.
 *
 * Every profile (constant, phases of holds and ramps, spike, diurnal, a recorded series held
 * constant over each of its steps) becomes a list of segments with a linear rate in each; a diurnal sine is approximated by 288 segments per
 * period (relative error of the rate below 1e-4). Arrivals invert the cumulative rate
 * Lambda(t): the next arrival is where Lambda has grown by E, with E ~ Exp(1) for Poisson
 * arrivals (a non-homogeneous Poisson process, exactly, by time change) or E = 1 for paced
 * arrivals. Within a segment Lambda is quadratic, so the step has a closed form.
 */
import type { RateProfile } from '../scenario/schema.js';
import { formatRate } from '../scenario/units.js';
import type { MarkedEvent } from '../metrics/result.js';

export interface Segment {
  start: number;
  end: number;
  /** Rates at the segment's ends, records per tick (us). */
  r0: number;
  r1: number;
}

const PER_US = 1e-6;

export function compileProfile(p: RateProfile, duration: number): { segments: Segment[]; marks: MarkedEvent[] } {
  const segments: Segment[] = [];
  const marks: MarkedEvent[] = [];
  const push = (start: number, end: number, r0: number, r1: number) => {
    if (end > start) segments.push({ start, end, r0: r0 * PER_US, r1: r1 * PER_US });
  };
  switch (p.kind) {
    case 'constant':
      push(0, duration, p.rate, p.rate);
      break;
    case 'phases': {
      let t = 0;
      let rate = 0;
      p.phases.forEach((ph, i) => {
        const end = ph.for === undefined ? duration : Math.min(duration, t + ph.for);
        const target = ph.rate ?? ph['ramp-to']!;
        const from = ph.rate !== undefined ? target : rate;
        if (i > 0 && t < duration && (from !== rate || ph['ramp-to'] !== undefined)) {
          marks.push({ timeSeconds: t / 1e6, kind: 'traffic', label: ph.label ?? (ph['ramp-to'] !== undefined ? `ramp to ${formatRate(target)}` : formatRate(target)) });
        }
        push(t, end, from, target);
        t = end;
        rate = target;
      });
      if (t < duration) push(t, duration, rate, rate);
      break;
    }
    case 'spike': {
      const up = p.at;
      const top = up + p.ramp;
      const down = top + p.for;
      const back = down + p.ramp;
      push(0, Math.min(up, duration), p.base, p.base);
      if (up < duration) marks.push({ timeSeconds: up / 1e6, kind: 'traffic', label: `spike to ${formatRate(p.peak)}` });
      push(up, Math.min(top, duration), p.base, p.ramp > 0 ? p.base + ((p.peak - p.base) * (Math.min(top, duration) - up)) / p.ramp : p.peak);
      push(top, Math.min(down, duration), p.peak, p.peak);
      if (down < duration) marks.push({ timeSeconds: down / 1e6, kind: 'traffic', label: `back to ${formatRate(p.base)}` });
      push(down, Math.min(back, duration), p.peak, p.ramp > 0 ? p.peak + ((p.base - p.peak) * (Math.min(back, duration) - down)) / p.ramp : p.base);
      push(back, duration, p.base, p.base);
      break;
    }
    case 'diurnal': {
      const step = p.period / 288;
      const rateAt = (t: number) => Math.max(0, p.mean + p.amplitude * Math.cos((2 * Math.PI * (t - p['peak-at'])) / p.period));
      for (let t = 0; t < duration; t += step) {
        const e = Math.min(duration, t + step);
        push(t, e, rateAt(t), rateAt(e));
      }
      break;
    }
    case 'series': {
      // Each point's rate holds over the step that ends at its time; the first over a step as
      // long as the second (scenario/rate-series.ts). Recording time u (s) is run time
      // (u - origin) * 1e6 - skip + delay.
      const pts = p.points;
      const origin = pts[0][0] - (pts[1][0] - pts[0][0]);
      const runTime = (u: number) => (u - origin) * 1e6 - p.skip + p.delay;
      let from = runTime(origin);
      // Segments cover the run from 0 to its end (the arrival clock walks them from 0): the rate
      // is 0 before and after the recording.
      push(0, Math.min(duration, from), 0, 0);
      for (const [u, rate] of pts) {
        const to = runTime(u);
        push(Math.max(0, from), Math.min(duration, to), rate * p.scale, rate * p.scale);
        from = to;
        if (from >= duration) break;
      }
      push(Math.max(0, from), duration, 0, 0);
      break;
    }
  }
  return { segments, marks };
}

/** Walks a profile's cumulative rate forward; one per producer. */
export class ArrivalClock {
  private k = 0;
  /** Time of the last arrival (or the start), in ticks, fractional. */
  t = 0;

  constructor(private readonly segments: Segment[]) {}

  /** Rate (records per tick) at the clock's current time. */
  rateNow(): number {
    const s = this.segments[this.k];
    if (!s) return 0;
    return s.r0 + ((s.r1 - s.r0) * (this.t - s.start)) / (s.end - s.start);
  }

  /**
   * Advances to where the cumulative rate has grown by `mass` and returns that time, or
   * Infinity when the profile ends first.
   */
  advance(mass: number): number {
    const segs = this.segments;
    let k = this.k;
    let t = this.t;
    let e = mass;
    while (k < segs.length) {
      const s = segs[k];
      const slope = (s.r1 - s.r0) / (s.end - s.start);
      const r = s.r0 + slope * (t - s.start);
      const left = ((r + s.r1) / 2) * (s.end - t);
      if (left >= e && left > 0) {
        // Solve r*d + slope*d^2/2 = e in the form that stays stable as slope -> 0.
        const d = (2 * e) / (r + Math.sqrt(Math.max(0, r * r + 2 * slope * e)));
        t = Math.min(t + d, s.end);
        this.k = k;
        this.t = t;
        return t;
      }
      e -= left;
      k++;
      t = k < segs.length ? segs[k].start : t;
    }
    this.k = k;
    this.t = t;
    return Infinity;
  }
}

/** Lambda(t), the expected number of arrivals in [0, t), for times that never decrease. */
export class CumulativeRate {
  private k = 0;
  private before = 0;

  constructor(private readonly segments: Segment[]) {}

  at(t: number): number {
    const segs = this.segments;
    while (this.k < segs.length && segs[this.k].end <= t) {
      const s = segs[this.k];
      this.before += ((s.r0 + s.r1) / 2) * (s.end - s.start);
      this.k++;
    }
    const s = segs[this.k];
    if (!s || t <= s.start) return this.before;
    const r = s.r0 + ((s.r1 - s.r0) * (t - s.start)) / (s.end - s.start);
    return this.before + ((s.r0 + r) / 2) * (t - s.start);
  }

  /** Rate (records per tick) at t, which must not be before the last `at` call. */
  rateAt(t: number): number {
    this.at(t);
    const s = this.segments[this.k];
    if (!s || t < s.start) return 0;
    return s.r0 + ((s.r1 - s.r0) * (t - s.start)) / (s.end - s.start);
  }
}

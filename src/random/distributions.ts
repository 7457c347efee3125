/**
 * Samplers for the distributions a scenario may give for any duration or size.
 *
 * A sampler is compiled once from its validated description (parameters already in base
 * units) and then called with the component's own stream, so the generator and the law stay
 * separate (pure-rand's split). Methods:
 * - normal: Marsaglia's polar method; "normal" in a scenario is truncated at 0 by rejection
 *   (a duration or size cannot be negative), so its mean is slightly above `mean` when `sd` is
 *   large relative to it.
 * - lognormal from mean/sd: sigma^2 = ln(1 + sd^2/mean^2), mu = ln(mean) - sigma^2/2;
 *   from p50/p99: mu = ln(p50), sigma = ln(p99/p50) / z(0.99).
 * - gamma: Marsaglia & Tsang (2000), with the u^(1/k) boost for shape < 1.
 * - pareto (type I): scale / U^(1/shape).
 * - empirical: inverse CDF interpolated linearly between the given percentiles.
 * - mixture: pick a component by weight, then draw from it.
 */
import type { Rng } from './stream.js';

/**
 * A distribution, its parameters already in base units (us or bytes). The scenario schema
 * (scenario/schema.ts) parses what a scenario writes into one of these, and checks at compile
 * time that its kinds and this type agree.
 */
export type Dist =
  | { dist: 'constant'; value: number }
  | { dist: 'uniform'; min: number; max: number }
  | { dist: 'exponential'; mean: number }
  | { dist: 'normal'; mean: number; sd: number }
  | { dist: 'lognormal'; mean: number; sd: number }
  | { dist: 'lognormal'; p50: number; p99: number }
  | { dist: 'gamma'; shape: number; mean: number }
  | { dist: 'pareto'; scale: number; shape: number }
  | { dist: 'empirical'; percentiles: Record<string, number> }
  | { dist: 'mixture'; of: { weight: number; value: Dist }[] };

export type Sampler = (rng: Rng) => number;

/** z such that P(Z <= z) = 0.99 for a standard normal Z. */
export const Z99 = 2.3263478740408408;

export function compile(d: Dist): Sampler {
  switch (d.dist) {
    case 'constant': {
      const v = d.value;
      return () => v;
    }
    case 'uniform': {
      const { min } = d;
      const span = d.max - d.min;
      return (rng) => min + span * rng();
    }
    case 'exponential': {
      const mean = d.mean;
      return (rng) => -mean * Math.log(1 - rng());
    }
    case 'normal': {
      const normal = normalSampler();
      const { mean, sd } = d;
      if (sd === 0) return () => mean;
      return (rng) => {
        for (;;) {
          const x = mean + sd * normal(rng);
          if (x >= 0) return x;
        }
      };
    }
    case 'lognormal': {
      const normal = normalSampler();
      let mu: number;
      let sigma: number;
      if ('p50' in d) {
        mu = Math.log(d.p50);
        sigma = Math.log(d.p99 / d.p50) / Z99;
      } else {
        const s2 = Math.log(1 + (d.sd * d.sd) / (d.mean * d.mean));
        mu = Math.log(d.mean) - s2 / 2;
        sigma = Math.sqrt(s2);
      }
      return (rng) => Math.exp(mu + sigma * normal(rng));
    }
    case 'gamma':
      return gammaSampler(d.shape, d.mean / d.shape);
    case 'pareto': {
      const { scale } = d;
      const inv = 1 / d.shape;
      return (rng) => scale / Math.pow(1 - rng(), inv);
    }
    case 'empirical': {
      const pts = Object.entries(d.percentiles)
        .map(([k, v]) => [Number(k.slice(1)) / 100, v] as const)
        .sort((a, b) => a[0] - b[0]);
      const qs = Float64Array.from(pts, (p) => p[0]);
      const vs = Float64Array.from(pts, (p) => p[1]);
      return (rng) => {
        const u = rng();
        let i = 1;
        while (i < qs.length - 1 && qs[i] < u) i++;
        const q0 = qs[i - 1];
        const q1 = qs[i];
        return q1 === q0 ? vs[i] : vs[i - 1] + ((vs[i] - vs[i - 1]) * (u - q0)) / (q1 - q0);
      };
    }
    case 'mixture': {
      const parts = d.of.map((c) => compile(c.value));
      const total = d.of.reduce((s, c) => s + c.weight, 0);
      const cum: number[] = [];
      let acc = 0;
      for (const c of d.of) cum.push((acc += c.weight / total));
      cum[cum.length - 1] = 1;
      return (rng) => {
        const u = rng();
        let i = 0;
        while (cum[i] <= u) i++;
        return parts[i](rng);
      };
    }
  }
}

/** The distribution's mean, where it is finite (used for capacity hints and tests). */
export function mean(d: Dist): number {
  switch (d.dist) {
    case 'constant':
      return d.value;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'exponential':
    case 'gamma':
      return d.mean;
    case 'normal':
      return d.mean;
    case 'lognormal':
      if ('p50' in d) {
        const sigma = Math.log(d.p99 / d.p50) / Z99;
        return d.p50 * Math.exp((sigma * sigma) / 2);
      }
      return d.mean;
    case 'pareto':
      return d.shape > 1 ? (d.shape * d.scale) / (d.shape - 1) : Infinity;
    case 'empirical': {
      const pts = Object.entries(d.percentiles)
        .map(([k, v]) => [Number(k.slice(1)) / 100, v] as const)
        .sort((a, b) => a[0] - b[0]);
      let m = 0;
      for (let i = 1; i < pts.length; i++) m += ((pts[i][0] - pts[i - 1][0]) * (pts[i][1] + pts[i - 1][1])) / 2;
      return m;
    }
    case 'mixture': {
      const total = d.of.reduce((s, c) => s + c.weight, 0);
      return d.of.reduce((s, c) => s + (c.weight / total) * mean(c.value), 0);
    }
  }
}

/** Standard normal draws by the polar method, using both values of each pair. */
function normalSampler(): Sampler {
  const keep = { spare: 0 };
  let hasSpare = false;
  return (rng) => {
    if (hasSpare) {
      hasSpare = false;
      return keep.spare;
    }
    hasSpare = true;
    return polar(rng, keep);
  };
}

/** One Gamma(shape, scale) draw, for parameters that change from draw to draw. */
export function gamma(rng: Rng, shape: number, scale: number): number {
  const boost = shape < 1;
  const k = boost ? shape + 1 : shape;
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  let x: number;
  for (;;) {
    const z = polar(rng);
    const v0 = 1 + c * z;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = rng();
    if (u < 1 - 0.0331 * z * z * z * z || Math.log(u) < 0.5 * z * z + d * (1 - v + Math.log(v))) {
      x = d * v;
      break;
    }
  }
  if (boost) x *= Math.pow(1 - rng(), 1 / shape);
  return x * scale;
}

function gammaSampler(shape: number, scale: number): Sampler {
  return (rng) => gamma(rng, shape, scale);
}

/** The distribution's variance, or Infinity where it is not finite (pareto with shape <= 2). */
export function variance(d: Dist): number {
  switch (d.dist) {
    case 'constant':
      return 0;
    case 'uniform':
      return ((d.max - d.min) * (d.max - d.min)) / 12;
    case 'exponential':
      return d.mean * d.mean;
    case 'normal':
      return d.sd * d.sd;
    case 'lognormal': {
      const [mu, sigma] = 'p50' in d ? [Math.log(d.p50), Math.log(d.p99 / d.p50) / Z99] : lognormalParams(d.mean, d.sd);
      return (Math.exp(sigma * sigma) - 1) * Math.exp(2 * mu + sigma * sigma);
    }
    case 'gamma':
      return (d.mean * d.mean) / d.shape;
    case 'pareto':
      return d.shape > 2 ? (d.scale * d.scale * d.shape) / ((d.shape - 1) ** 2 * (d.shape - 2)) : Infinity;
    case 'empirical': {
      // Piecewise-uniform between percentile points: E[X^2] segment by segment.
      const pts = Object.entries(d.percentiles)
        .map(([k, v]) => [Number(k.slice(1)) / 100, v] as const)
        .sort((a, b) => a[0] - b[0]);
      let m2 = 0;
      for (let i = 1; i < pts.length; i++) {
        const [q0, a] = pts[i - 1];
        const [q1, b] = pts[i];
        m2 += ((q1 - q0) * (a * a + a * b + b * b)) / 3;
      }
      const m = mean(d);
      return Math.max(0, m2 - m * m);
    }
    case 'mixture': {
      const total = d.of.reduce((s, c) => s + c.weight, 0);
      const m = mean(d);
      return d.of.reduce((s, c) => s + (c.weight / total) * (variance(c.value) + (mean(c.value) - m) ** 2), 0);
    }
  }
}

function lognormalParams(m: number, sd: number): [number, number] {
  const s2 = Math.log(1 + (sd * sd) / (m * m));
  return [Math.log(m) - s2 / 2, Math.sqrt(s2)];
}

/**
 * One standard normal by Marsaglia's polar method. The method yields a pair; the second value
 * goes to `keep.spare` when `keep` is given, and is dropped otherwise.
 */
function polar(rng: Rng, keep?: { spare: number }): number {
  let u: number;
  let v: number;
  let s: number;
  do {
    u = 2 * rng() - 1;
    v = 2 * rng() - 1;
    s = u * u + v * v;
  } while (s >= 1 || s === 0);
  const f = Math.sqrt((-2 * Math.log(s)) / s);
  if (keep) keep.spare = v * f;
  return u * f;
}

/**
 * Poisson(mean) draw: inversion for small means, the normal approximation with continuity
 * correction from a mean of 50 on (its error in any quantile is then well under 1%).
 */
export function poisson(rng: Rng, m: number): number {
  if (m <= 0) return 0;
  if (m < 50) {
    let k = 0;
    let p = Math.exp(-m);
    let cdf = p;
    const u = rng();
    while (u > cdf && k < 1000) {
      k++;
      p *= m / k;
      cdf += p;
    }
    return k;
  }
  return Math.max(0, Math.round(m + Math.sqrt(m) * polar(rng)));
}

/** Binomial(n, q) draw: inversion when n*min(q,1-q) is small, else the normal approximation. */
export function binomial(rng: Rng, n: number, q: number): number {
  if (n <= 0 || q <= 0) return 0;
  if (q >= 1) return n;
  const small = Math.min(q, 1 - q);
  if (n * small < 30) {
    const flip = q > 0.5;
    const qq = flip ? 1 - q : q;
    // Waiting-time inversion: geometric gaps between successes.
    const lq = Math.log(1 - qq);
    let k = 0;
    let i = 0;
    for (;;) {
      i += Math.floor(Math.log(1 - rng()) / lq) + 1;
      if (i > n) break;
      k++;
    }
    return flip ? n - k : k;
  }
  const m = n * q;
  const sd = Math.sqrt(n * q * (1 - q));
  return Math.min(n, Math.max(0, Math.round(m + sd * polar(rng))));
}

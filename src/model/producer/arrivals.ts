/**
 * A source producer's arrival process: the application that calls send() at the times its rate
 * profile draws, each record partitioned (keyed: the key law's weights, as murmur2 spreads keys;
 * null key: the uniform sticky partitioner of KIP-794, a new random partition after each
 * batch.size of bytes) and sized by the record-size law.
 *
 * Arrivals are exogenous, so the process works one slice of simulated time ahead per event (a few
 * thousand records, between 1 ms and 1 s). When the slice cannot exhaust `buffer.memory` (its
 * allocations fit in what is free at its start) record generation runs alone, as tight as it can,
 * straight into the accumulator, and the producer hands the slice's ready batches to the sender
 * at its end in time order. Otherwise the slice calls send() record by record in time order, the
 * sender advanced to each record's arrival, so blocking, waiting and rejection are exact (see
 * KafkaProducer). Slices are kept short enough for the first case while batches are being
 * created quickly.
 *
 * Two fidelities. `exact` draws every record: its arrival (exponential gap, or paced), its
 * partition and its size (and the sender draws latencies per request). `batched` draws per slice
 * instead: the slice's record count (Poisson, or paced), split over partitions by the key law
 * (conditional binomials) or in sticky runs of batch.size bytes for null keys. Where the records
 * of a partition fall within the slice is still drawn per record: a Poisson process given its
 * count in an interval places its points as sorted independent uniforms (in cumulative-rate
 * time, for a rate that changes), so the arrival process is the exact one, not an approximation
 * of it (evenly spaced points would be a different process: no bursts within a slice, and no
 * queueing behind them); paced arrivals are evenly spaced. What batched gives up: every record
 * has the mean size, a batch keeps only its first and last create time (records in between are
 * interpolated, see PartitionLog: right in mean, short of the spread within one linger.ms), and
 * the append and replication latencies are drawn once per broker and slice (Sender: each
 * record's latency has the law's distribution, but records of a slice share one draw). When a
 * batched slice may fill the buffer it runs record by record through send() (the same positions).
 *
 * The order of draws from the arrival stream is part of the output (same seed, same bytes): per
 * record, its partition, then its size, then (sticky) the next partition, then the next gap.
 */
import { named, type Simulation } from '../../kernel/simulation.js';
import type { ProducerSpec } from '../../scenario/schema.js';
import { binomial, compile, mean, poisson, type Sampler } from '../../random/distributions.js';
import type { Rng } from '../../random/stream.js';
import type { AliasTable } from '../../random/alias.js';
import type { WindowedCounter } from '../../metrics/windows.js';
import { ArrivalClock, CumulativeRate, type Segment } from '../rate-profile.js';
import type { RecordAccumulator } from './accumulator.js';
import type { Application, KafkaProducer } from './kafka-producer.js';

/** Records per producer slice, aimed at; the slice is kept between 1 ms and 1 s. */
const SLICE_RECORDS = 4096;
/** Points per slice at which the batched fidelity evaluates the cumulative rate. */
const KNOTS = 16;

export interface ArrivalOptions {
  sim: Simulation;
  spec: ProducerSpec;
  segments: Segment[];
  partitioner: AliasTable | null;
  /** Normalised key-law weights per partition (null keys: null). */
  weights: Float64Array | null;
  /** Draws of arrivals, partitions and sizes. */
  rng: Rng;
  end: number;
  /** Called as each slice ends, with the time of the producer's next slice (null: none). */
  onSliceEnd?: (next: number | null) => void;
  batched: boolean;
}

export class Arrivals implements Application {
  private readonly producer: KafkaProducer;
  private readonly acc: RecordAccumulator;
  private readonly produced: WindowedCounter;
  private readonly sim: Simulation;
  private readonly onSliceEnd: ((next: number | null) => void) | undefined;
  private readonly partitioner: AliasTable | null;
  private readonly rng: Rng;
  private readonly end: number;
  private readonly batched: boolean;
  private readonly clock: ArrivalClock;
  /** The next arrival (exact fidelity; Infinity once the profile has ended). */
  private next: number;
  private readonly poisson: boolean;
  private readonly size: Sampler;
  private readonly constantSize: number;
  private readonly nParts: number;
  private readonly batchSize: number;
  private readonly linger: number;
  private sticky = -1;
  private stickyBytes = 0;
  private readonly cumulative: CumulativeRate;
  private readonly meanSize: number;
  private readonly weights: Float64Array | null;
  private pacedCarry = 0.5;
  /** Allocations per microsecond in recent slices, to size slices that cannot fill the buffer. */
  private allocRate = 0;
  /** A record drawn but not yet offered (a slice ahead stopped before it): partition and size. */
  private pendingP = -1;
  private pendingSize = 0;
  private readonly partCounts: Int32Array;
  private readonly knotT = new Float64Array(KNOTS + 1);
  private readonly knotL = new Float64Array(KNOTS + 1);
  /** d(time)/d(Lambda) between knots, for turning cumulative-rate positions into times. */
  private readonly knotSlope = new Float64Array(KNOTS);
  private sliceLinear = false;
  /** Positions of a slice's records (batched fidelity), grown as needed. */
  private pos = new Float64Array(SLICE_RECORDS);

  constructor(producer: KafkaProducer, o: ArrivalOptions) {
    const spec = o.spec;
    this.producer = producer;
    this.acc = producer.accumulator;
    this.produced = producer.produced;
    this.sim = o.sim;
    this.onSliceEnd = o.onSliceEnd;
    this.partitioner = o.partitioner;
    this.rng = o.rng;
    this.end = o.end;
    this.batched = o.batched;
    this.cumulative = new CumulativeRate(o.segments);
    this.meanSize = mean(spec['record-size']);
    this.weights = o.weights;
    this.clock = new ArrivalClock(o.segments);
    this.poisson = spec.arrivals === 'poisson';
    this.size = compile(spec['record-size']);
    this.constantSize = spec['record-size'].dist === 'constant' ? spec['record-size'].value : -1;
    this.nParts = this.acc.open.length;
    this.batchSize = this.acc.batchSize;
    this.linger = this.acc.linger;
    this.partCounts = new Int32Array(this.nParts);
    // Paced arrivals sit mid-interval (the first at half a gap), as in the batched fidelity.
    this.next = this.clock.advance(this.poisson ? -Math.log(1 - o.rng()) : 0.5);
  }

  start(): void {
    named(this.producer.id, 'slice', this.slice);
    this.sim.at(0, this.slice, 0, 1);
  }

  private readonly slice = (): void => {
    const producer = this.producer;
    const now = this.sim.now;
    const budget = producer.beginSlice(now);
    const rate = this.batched ? this.cumulative.rateAt(now) : this.clock.rateNow();
    let span = Math.min(1_000_000, Math.max(1_000, Math.ceil(SLICE_RECORDS / Math.max(rate, 1e-9))));
    const allocSize = Math.max(this.batchSize, 1);
    // A slice whose allocations could not exhaust what is free runs ahead; keep slices short
    // enough for that while batches are being created quickly.
    if (this.allocRate > 0) span = Math.max(1_000, Math.min(span, Math.floor((0.5 * budget) / (this.allocRate * allocSize))));
    let sliceEnd = Math.min(this.end, now + span);
    this.acc.allocations = 0;
    const ahead = producer.runAhead(budget >= 64 * allocSize);
    if (this.batched) {
      this.generateBatched(now, sliceEnd, budget, ahead);
    } else if (ahead) {
      sliceEnd = this.generate(sliceEnd, budget);
    } else {
      this.generateSlow(sliceEnd);
    }
    producer.endSlice(sliceEnd);
    this.allocRate = 0.5 * this.allocRate + (0.5 * this.acc.allocations) / Math.max(1, sliceEnd - now);
    const more = this.next < Infinity || producer.hasWork();
    const next = sliceEnd < this.end && more ? Math.max(now + 1, Math.ceil(sliceEnd)) : null;
    if (next !== null) this.sim.at(next, this.slice, 0, 1);
    this.onSliceEnd?.(next);
  };

  /** Draws the next record's partition and size (or takes the one left pending) into pendingP/pendingSize. */
  private draw(): void {
    if (this.pendingP >= 0) return;
    const rng = this.rng;
    let p: number;
    if (this.partitioner) {
      p = this.partitioner.sample(rng);
    } else {
      if (this.sticky < 0) this.sticky = Math.floor(rng() * this.nParts);
      p = this.sticky;
    }
    // Records are whole bytes (a continuous law's draw rounded, at least 1 B), so the buffer's
    // bytes in use are whole numbers too.
    const size = this.constantSize >= 0 ? this.constantSize : Math.max(1, Math.round(this.size(rng)));
    if (!this.partitioner) {
      this.stickyBytes += size * this.acc.fill;
      if (this.stickyBytes >= this.batchSize) {
        this.stickyBytes = 0;
        this.sticky = Math.floor(rng() * this.nParts);
      }
    }
    this.pendingP = p;
    this.pendingSize = size;
  }

  /** Exact fidelity, ahead of the clock: every record drawn; stops early if the slice's allocations would pass `budget`. */
  private generate(sliceEnd: number, budget: number): number {
    const rng = this.rng;
    const poisson = this.poisson;
    const clock = this.clock;
    const batchSize = this.batchSize;
    const linger = this.linger;
    const acc = this.acc;
    const open = acc.open;
    const opened = acc.opened;
    const bytes = acc.bytes;
    const fill = acc.fill;
    const producer = this.producer;
    const produced = this.produced;
    let allocated = 0;
    let t = this.next;
    while (t < sliceEnd) {
      this.draw();
      const p = this.pendingP;
      const size = this.pendingSize;
      // The record may need a new batch: stop the slice before it could exhaust the buffer.
      if (open[p] === 0 || t >= opened[p] + linger || bytes[p] * fill + size > batchSize) {
        const a = size > batchSize ? size : batchSize;
        if (allocated + a > budget) {
          this.next = t;
          return t;
        }
        allocated += a;
      }
      this.pendingP = -1;
      acc.append(p, t, t, size);
      producer.offered++;
      produced.add(t, 1);
      t = clock.advance(poisson ? -Math.log(1 - rng()) : 1);
    }
    this.next = t;
    return sliceEnd;
  }

  /** Exact fidelity, record by record through send(). */
  private generateSlow(sliceEnd: number): void {
    const rng = this.rng;
    const producer = this.producer;
    let t = this.next;
    while (t < sliceEnd) {
      this.draw();
      const p = this.pendingP;
      this.pendingP = -1;
      producer.send(p, t, this.pendingSize);
      t = this.clock.advance(this.poisson ? -Math.log(1 - rng()) : 1);
    }
    this.next = t;
  }

  /**
   * The batched fidelity's slice: the record count drawn per slice and split over partitions,
   * each partition's records placed where a Poisson process given its count places them.
   */
  private generateBatched(start: number, end: number, budget: number, ahead: boolean): void {
    const rng = this.rng;
    const kt = this.knotT;
    const kl = this.knotL;
    for (let k = 0; k <= KNOTS; k++) {
      kt[k] = start + ((end - start) * k) / KNOTS;
      kl[k] = this.cumulative.at(kt[k]);
    }
    for (let k = 0; k < KNOTS; k++) {
      const dl = kl[k + 1] - kl[k];
      this.knotSlope[k] = dl > 0 ? (kt[k + 1] - kt[k]) / dl : 0;
    }
    const s0 = this.knotSlope[0];
    this.sliceLinear = s0 > 0 && this.knotSlope.every((x) => Math.abs(x - s0) <= 1e-9 * s0);
    const l0 = kl[0];
    const mass = kl[KNOTS] - l0;
    let n: number;
    if (this.poisson) {
      n = poisson(rng, mass);
    } else {
      const c = this.pacedCarry + mass;
      n = Math.floor(c);
      this.pacedCarry = c - n;
    }
    if (n === 0 || mass <= 0) return;
    const size = this.meanSize;
    const w = this.weights;
    let counts: Int32Array | null = null;
    if (w) {
      counts = this.partCounts;
      let left = n;
      let weightLeft = 1;
      for (let p = 0; p < w.length; p++) {
        const np = left <= 0 ? 0 : p === w.length - 1 ? left : binomial(rng, left, Math.min(1, w[p] / weightLeft));
        left -= np;
        weightLeft -= w[p];
        counts[p] = np;
      }
    }
    if (!ahead) {
      this.spreadSlow(n, l0, mass, counts);
      return;
    }
    // Batches a partition can start in this slice: one per linger.ms, one per batch.size of its
    // bytes, and one carried over; more than `budget` allows sends the slice record by record.
    const allocSize = Math.max(this.batchSize, Math.ceil(size));
    const perLinger = Math.floor((end - start) / Math.max(this.linger, 1)) + 2;
    let bound = 0;
    if (counts) {
      for (let p = 0; p < counts.length; p++) if (counts[p] > 0) bound += Math.min(counts[p], perLinger + Math.ceil((counts[p] * size) / this.batchSize));
    } else {
      bound = Math.min(n, (Math.ceil((n * size) / this.batchSize) + 2) * perLinger);
    }
    if (bound * allocSize > budget) {
      this.producer.fallBack();
      this.spreadSlow(n, l0, mass, counts);
      return;
    }
    this.producer.offered += n;
    const produced = this.produced;
    // A slice inside one window counts its records at once; otherwise each where it falls.
    const countEach = produced.windowOf(start) !== produced.windowOf(end - 1);
    if (!countEach) produced.add(start, n);
    if (counts) {
      for (let p = 0; p < counts.length; p++) {
        if (counts[p] > 0) this.spread(p, this.positions(counts[p], l0, mass), 0, counts[p], size, countEach);
      }
    } else {
      // Sticky partitioner: consecutive runs of about batch.size bytes to one partition.
      const pos = this.positions(n, l0, mass);
      const nParts = this.nParts;
      let done = 0;
      while (done < n) {
        if (this.sticky < 0) this.sticky = Math.floor(rng() * nParts);
        const room = Math.max(1, Math.ceil((this.batchSize - this.stickyBytes) / (size * this.acc.fill)));
        const run = Math.min(room, n - done);
        this.spread(this.sticky, pos, done, run, size, countEach);
        done += run;
        this.stickyBytes += run * size * this.acc.fill;
        if (this.stickyBytes >= this.batchSize) {
          this.stickyBytes = 0;
          this.sticky = Math.floor(rng() * nParts);
        }
      }
    }
  }

  /**
   * Positions, in cumulative rate, of n records in the slice [l0, l0 + mass), ascending. Poisson
   * arrivals: the order statistics of n independent uniforms (a Poisson process given its count
   * in an interval places its points so, and a thinned Poisson process, one partition's share,
   * is a Poisson process), drawn as normalised sums of n + 1 exponential spacings. Paced
   * arrivals: evenly spaced, record j at (j + 0.5) / n of the slice.
   */
  private positions(n: number, l0: number, mass: number): Float64Array {
    let pos = this.pos;
    if (pos.length < n) pos = this.pos = new Float64Array(Math.max(n, 2 * pos.length));
    if (!this.poisson) {
      for (let j = 0; j < n; j++) pos[j] = l0 + ((j + 0.5) / n) * mass;
      return pos;
    }
    const rng = this.rng;
    let s = 0;
    for (let j = 0; j < n; j++) {
      s -= Math.log(1 - rng());
      pos[j] = s;
    }
    s -= Math.log(1 - rng());
    const scale = mass / s;
    for (let j = 0; j < n; j++) pos[j] = l0 + pos[j] * scale;
    return pos;
  }

  /** The time at which the slice's cumulative rate reaches `target`. */
  private timeAt(target: number, knot: number): number {
    return this.knotT[knot] + (target - this.knotL[knot]) * this.knotSlope[knot];
  }

  /**
   * The batched fidelity, record by record through send(): the slice's records at their
   * positions, each of the mean size, partitions from the counts already drawn (merged in time
   * order) or, for null keys, drawn per record by the sticky partitioner.
   */
  private spreadSlow(n: number, l0: number, mass: number, counts: Int32Array | null): void {
    const size = this.meanSize;
    const rng = this.rng;
    const producer = this.producer;
    const kl = this.knotL;
    const timeOf = (target: number) => {
      let k = 0;
      while (k < KNOTS - 1 && kl[k + 1] < target) k++;
      return this.timeAt(target, k);
    };
    if (counts) {
      const items: [number, number][] = [];
      for (let p = 0; p < counts.length; p++) {
        if (counts[p] === 0) continue;
        const pos = this.positions(counts[p], l0, mass);
        for (let j = 0; j < counts[p]; j++) items.push([timeOf(pos[j]), p]);
      }
      items.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      for (const [t, p] of items) producer.send(p, t, size);
      return;
    }
    const pos = this.positions(n, l0, mass);
    for (let j = 0; j < n; j++) {
      const t = timeOf(pos[j]);
      if (this.sticky < 0) this.sticky = Math.floor(rng() * this.nParts);
      const p = this.sticky;
      this.stickyBytes += size;
      if (this.stickyBytes >= this.batchSize) {
        this.stickyBytes = 0;
        this.sticky = Math.floor(rng() * this.nParts);
      }
      producer.send(p, t, size);
    }
  }

  /**
   * Adds the records at positions pos[from..from+count) (ascending, in cumulative rate) to
   * partition p, each of `size` bytes; `countEach` counts each in the window its time falls in.
   */
  private spread(p: number, pos: Float64Array, from: number, count: number, size: number, countEach: boolean): void {
    // The same steps as RecordAccumulator.append, with the partition's batch state held in
    // locals and written back to the accumulator around each close: this loop runs once per
    // record in the batched fidelity.
    const acc = this.acc;
    const accCount = acc.count;
    const accBytes = acc.bytes;
    const accLast = acc.last;
    const kt = this.knotT;
    const kl = this.knotL;
    const slopes = this.knotSlope;
    const produced = this.produced;
    const linger = this.linger;
    const batchSize = this.batchSize;
    const fill = acc.fill;
    // The mean size may have a fraction; memory is taken in whole bytes.
    const a = size > batchSize ? Math.ceil(size) : batchSize;
    let knot = 0;
    let open = acc.open[p] === 1;
    let openedT = acc.opened[p];
    let c = accCount[p];
    let bytes = accBytes[p];
    let lastT = accLast[p];
    // Where the rate is constant over the slice (the usual case), time is one linear map of
    // the cumulative rate and the knots need no search.
    const linear = this.sliceLinear;
    const t0 = kt[0];
    const l0 = kl[0];
    const slope0 = slopes[0];
    for (let j = from; j < from + count; j++) {
      const target = pos[j];
      let t: number;
      if (linear) {
        t = t0 + (target - l0) * slope0;
      } else {
        while (knot < KNOTS - 1 && kl[knot + 1] < target) knot++;
        t = kt[knot] + (target - kl[knot]) * slopes[knot];
      }
      if (countEach) produced.add(t, 1);
      if (open && (t >= openedT + linger || bytes * fill + size > batchSize)) {
        accCount[p] = c;
        accBytes[p] = bytes;
        accLast[p] = lastT;
        acc.close(p, t >= openedT + linger ? openedT + linger : t);
        open = false;
      }
      if (!open) {
        open = true;
        openedT = t;
        c = 0;
        bytes = 0;
        acc.openBatch(p, t, t, a);
      }
      c++;
      lastT = t;
      bytes += size;
      if (bytes * fill >= batchSize) {
        accCount[p] = c;
        accBytes[p] = bytes;
        accLast[p] = lastT;
        acc.close(p, t);
        open = false;
      }
    }
    accCount[p] = c;
    accBytes[p] = bytes;
    accLast[p] = lastT;
  }
}

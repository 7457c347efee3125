/**
 * A Kafka producer: records handed to send() at the times its rate profile draws, each
 * partitioned (keyed: murmur2; null key: sticky partitioner), gathered per partition into the
 * record accumulator's batches, and sent when a batch is full (`batch.size`) or has waited
 * `linger.ms` (`RecordAccumulator.ready`). A sent batch becomes visible to consumers after the
 * produce latency (request, leader append and, for acks=all, replication to the high watermark).
 *
 * Arrivals do not depend on anything downstream in this version, so the producer works one
 * slice of simulated time ahead per event (a few thousand records): batch close times are still
 * exact, because within a slice every arrival is known before a batch's deadline is judged.
 *
 * Two fidelities. `exact` draws every record: its arrival (exponential gap, or paced), its
 * partition and its size. `batched` draws per slice instead: the slice's record count (Poisson
 * with the slice's expected count, or paced), split over partitions by the key law (conditional
 * binomials) or in sticky runs of batch.size bytes for null keys; each partition's records are
 * then spread evenly in cumulative-rate time over the slice (the mean of the uniform order
 * statistics that a Poisson process's arrival times are, given their count) and every record
 * has the mean record size (a batch then keeps only its first and last create time, see
 * PartitionLog), and the produce latency is drawn once per partition and slice
 * (the batches of a slice are in flight together). Batching, offsets and timestamps are still
 * per record.
 */
import { named, type Simulation } from '../kernel/simulation.js';
import type { ProducerSpec } from '../scenario/schema.js';
import { binomial, compile, mean, poisson, type Sampler } from '../random/distributions.js';
import type { Rng } from '../random/stream.js';
import type { AliasTable } from '../random/alias.js';
import { ArrivalClock, CumulativeRate, type Segment } from './rate-profile.js';
import type { PartitionLog } from './log.js';
import type { WindowedCounter } from '../metrics/windows.js';

/** Records per producer slice, aimed at; the slice is kept between 1 ms and 1 s. */
const SLICE_RECORDS = 4096;
/** Points per slice at which the batched fidelity evaluates the cumulative rate. */
const KNOTS = 16;

export interface ProducerMetrics {
  produced: WindowedCounter;
  appended: WindowedCounter;
}

export class Producer {
  offered = 0;
  private readonly clock: ArrivalClock;
  private next: number;
  private readonly poisson: boolean;
  private readonly size: Sampler;
  private readonly constantSize: number;
  private readonly produceLatency: Sampler;
  private readonly linger: number;
  private readonly batchSize: number;

  private readonly open: Uint8Array;
  private readonly first: Float64Array;
  /** Create time of the last record in partition p's open batch (batched fidelity). */
  private readonly last: Float64Array;
  private readonly count: Int32Array;
  private readonly bytes: Float64Array;
  private readonly staging: Float64Array[];
  private sticky = -1;
  private stickyBytes = 0;
  private readonly cumulative: CumulativeRate;
  private readonly meanSize: number;
  private readonly weights: Float64Array | null;
  private pacedCarry = 0.5;
  /** Batched fidelity: the produce latency of partition p's batches in the current slice. */
  private readonly sliceLatency: Float64Array;

  constructor(
    /** The producer instance's name, for error messages. */
    readonly id: string,
    private readonly sim: Simulation,
    spec: ProducerSpec,
    segments: Segment[],
    private readonly logs: PartitionLog[],
    private readonly partitioner: AliasTable | null,
    private readonly rng: Rng,
    produceLatency: Sampler,
    private readonly end: number,
    private readonly metrics: ProducerMetrics,
    private readonly onAppend: (partition: number) => void,
    private readonly batched: boolean,
    partitionWeights: Float64Array | null,
  ) {
    this.cumulative = new CumulativeRate(segments);
    this.meanSize = mean(spec['record-size']);
    this.weights = partitionWeights;
    this.clock = new ArrivalClock(segments);
    this.poisson = spec.arrivals === 'poisson';
    this.size = compile(spec['record-size']);
    this.constantSize = spec['record-size'].dist === 'constant' ? spec['record-size'].value : -1;
    this.produceLatency = produceLatency;
    this.linger = spec.config['linger.ms'];
    this.batchSize = spec.config['batch.size'];
    const n = logs.length;
    this.open = new Uint8Array(n);
    this.first = new Float64Array(n);
    this.last = new Float64Array(n);
    this.count = new Int32Array(n);
    this.bytes = new Float64Array(n);
    this.staging = Array.from({ length: n }, () => new Float64Array(64));
    this.sliceLatency = new Float64Array(n);
    // Paced arrivals sit mid-interval (the first at half a gap), as in the batched fidelity.
    this.next = this.clock.advance(this.poisson ? -Math.log(1 - rng()) : 0.5);
  }

  start(): void {
    named(this.id, 'slice', this.slice);
    this.sim.at(0, this.slice, 0, 1);
  }

  /** Records in open batches (not yet sent). */
  inAccumulator(): number {
    let n = 0;
    for (let p = 0; p < this.logs.length; p++) if (this.open[p]) n += this.count[p];
    return n;
  }

  private readonly slice = (): void => {
    const now = this.sim.now;
    const rate = this.batched ? this.cumulative.rateAt(now) : this.clock.rateNow();
    const span = Math.min(1_000_000, Math.max(1_000, Math.ceil(SLICE_RECORDS / Math.max(rate, 1e-9))));
    const sliceEnd = Math.min(this.end, now + span);
    if (this.batched) this.generateBatched(now, sliceEnd);
    else this.generate(sliceEnd);
    // Batches whose linger.ms ran out before the slice's end saw every arrival they could get.
    for (let p = 0; p < this.logs.length; p++) {
      if (this.open[p] && this.first[p] + this.linger <= sliceEnd) this.close(p, this.first[p] + this.linger);
    }
    if (sliceEnd < this.end && (this.next < Infinity || this.inAccumulator() > 0)) this.sim.at(sliceEnd, this.slice, 0, 1);
  };

  private generate(sliceEnd: number): void {
    const rng = this.rng;
    const poisson = this.poisson;
    const clock = this.clock;
    const partitioner = this.partitioner;
    const constantSize = this.constantSize;
    const batchSize = this.batchSize;
    const nParts = this.logs.length;
    let t = this.next;
    while (t < sliceEnd) {
      let p: number;
      if (partitioner) {
        p = partitioner.sample(rng);
      } else {
        if (this.sticky < 0) this.sticky = Math.floor(rng() * nParts);
        p = this.sticky;
      }
      const size = constantSize >= 0 ? constantSize : this.size(rng);
      this.addRecord(p, t, size);
      this.offered++;
      this.metrics.produced.add(t, 1);
      if (!partitioner) {
        this.stickyBytes += size;
        if (this.stickyBytes >= batchSize) {
          this.stickyBytes = 0;
          this.sticky = Math.floor(rng() * nParts);
        }
      }
      t = clock.advance(poisson ? -Math.log(1 - rng()) : 1);
    }
    this.next = t;
  }

  /** Puts one record into partition p's batch, closing batches by linger.ms and batch.size. */
  private addRecord(p: number, t: number, size: number): void {
    if (this.open[p]) {
      if (t >= this.first[p] + this.linger) this.close(p, this.first[p] + this.linger);
      else if (this.bytes[p] + size > this.batchSize) this.close(p, t);
    }
    if (!this.open[p]) {
      this.open[p] = 1;
      this.first[p] = t;
      this.count[p] = 0;
      this.bytes[p] = 0;
    }
    let stage = this.staging[p];
    const c = this.count[p];
    if (c === stage.length) {
      const grown = new Float64Array(c * 2);
      grown.set(stage);
      this.staging[p] = stage = grown;
    }
    stage[c] = t;
    this.count[p] = c + 1;
    this.bytes[p] += size;
    if (this.bytes[p] >= this.batchSize) this.close(p, t);
  }

  private readonly knotT = new Float64Array(KNOTS + 1);
  private readonly knotL = new Float64Array(KNOTS + 1);
  /** d(time)/d(Lambda) between knots, for turning cumulative-rate positions into times. */
  private readonly knotSlope = new Float64Array(KNOTS);
  private sliceLinear = false;

  /** The batched fidelity's slice: counts drawn per slice, records spread evenly within it. */
  private generateBatched(start: number, end: number): void {
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
    this.offered += n;
    const produced = this.metrics.produced;
    if (produced.windowOf(start) === produced.windowOf(end - 1)) produced.add(start, n);
    else countSpread(produced, kt, kl, l0, mass, n);
    const size = this.meanSize;
    const w = this.weights;
    if (w) {
      let left = n;
      let weightLeft = 1;
      for (let p = 0; p < w.length && left > 0; p++) {
        const np = p === w.length - 1 ? left : binomial(rng, left, Math.min(1, w[p] / weightLeft));
        left -= np;
        weightLeft -= w[p];
        this.spread(p, np, 0, np, kt, kl, l0, mass, size);
      }
    } else {
      // Sticky partitioner: consecutive runs of about batch.size bytes to one partition.
      const nParts = this.logs.length;
      let done = 0;
      while (done < n) {
        if (this.sticky < 0) this.sticky = Math.floor(rng() * nParts);
        const room = Math.max(1, Math.ceil((this.batchSize - this.stickyBytes) / size));
        const run = Math.min(room, n - done);
        this.spread(this.sticky, run, done, n, kt, kl, l0, mass, size);
        done += run;
        this.stickyBytes += run * size;
        if (this.stickyBytes >= this.batchSize) {
          this.stickyBytes = 0;
          this.sticky = Math.floor(rng() * nParts);
        }
      }
    }
  }

  /**
   * Adds records first..first+count-1 of `of` evenly spread over the slice's cumulative rate
   * (record j at the time Lambda reaches l0 + (j + 0.5) / of * mass) to partition p.
   */
  private spread(p: number, count: number, first: number, of: number, kt: Float64Array, kl: Float64Array, l0: number, mass: number, size: number): void {
    this.sliceLatency[p] = this.produceLatency(this.rng);
    // The same steps as addRecord, with the partition's batch state held in locals: this loop
    // runs once per record in the batched fidelity.
    const slopes = this.knotSlope;
    const step = mass / of;
    const linger = this.linger;
    const batchSize = this.batchSize;
    let target = l0 + (first + 0.5) * step;
    let knot = 0;
    let open = this.open[p] === 1;
    let firstT = this.first[p];
    let c = this.count[p];
    let bytes = this.bytes[p];
    let lastT = this.last[p];
    // Where the rate is constant over the slice (the usual case), time is one linear map of
    // the cumulative rate and the knots need no search.
    const linear = this.sliceLinear;
    const t0 = kt[0];
    const slope0 = slopes[0];
    for (let j = 0; j < count; j++, target += step) {
      let t: number;
      if (linear) {
        t = t0 + (target - l0) * slope0;
      } else {
        while (knot < KNOTS - 1 && kl[knot + 1] < target) knot++;
        t = kt[knot] + (target - kl[knot]) * slopes[knot];
      }
      if (open && (t >= firstT + linger || bytes + size > batchSize)) {
        this.count[p] = c;
        this.bytes[p] = bytes;
        this.last[p] = lastT;
        this.close(p, t >= firstT + linger ? firstT + linger : t);
        open = false;
      }
      if (!open) {
        open = true;
        firstT = t;
        c = 0;
        bytes = 0;
        this.open[p] = 1;
        this.first[p] = t;
      }
      c++;
      lastT = t;
      bytes += size;
      if (bytes >= batchSize) {
        this.count[p] = c;
        this.bytes[p] = bytes;
        this.last[p] = lastT;
        this.close(p, t);
        open = false;
      }
    }
    this.count[p] = c;
    this.bytes[p] = bytes;
    this.last[p] = lastT;
  }

  /** Sends partition p's open batch at time `sendAt`. */
  private close(p: number, sendAt: number): void {
    const n = this.count[p];
    const visible = this.batched
      ? this.logs[p].appendSpread(n, this.bytes[p], Math.ceil(sendAt + this.sliceLatency[p]), this.first[p], this.last[p])
      : this.logs[p].append(this.staging[p], 0, n, this.bytes[p], Math.ceil(sendAt + this.produceLatency(this.rng)));
    this.metrics.appended.add(visible, n);
    this.open[p] = 0;
    this.onAppend(p);
  }
}

/** Counts n records spread evenly over a slice into the windows their times fall in. */
function countSpread(c: WindowedCounter, kt: Float64Array, kl: Float64Array, l0: number, mass: number, n: number): void {
  let knot = 0;
  for (let j = 0; j < n; j++) {
    const target = l0 + ((j + 0.5) / n) * mass;
    while (knot < KNOTS - 1 && kl[knot + 1] < target) knot++;
    const dl = kl[knot + 1] - kl[knot];
    c.add(dl > 0 ? kt[knot] + ((kt[knot + 1] - kt[knot]) * (target - kl[knot])) / dl : kt[knot], 1);
  }
}

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
 */
import type { Simulation } from '../kernel/simulation.js';
import type { ProducerSpec } from '../scenario/schema.js';
import { compile, type Sampler } from '../random/distributions.js';
import type { Rng } from '../random/stream.js';
import type { AliasTable } from '../random/alias.js';
import { ArrivalClock, type Segment } from './rate-profile.js';
import type { PartitionLog } from './log.js';
import type { WindowedCounter } from '../metrics/windows.js';

/** Records per producer slice, aimed at; the slice is kept between 1 ms and 1 s. */
const SLICE_RECORDS = 4096;

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
  private readonly count: Int32Array;
  private readonly bytes: Float64Array;
  private readonly staging: Float64Array[];
  private sticky = -1;
  private stickyBytes = 0;

  constructor(
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
  ) {
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
    this.count = new Int32Array(n);
    this.bytes = new Float64Array(n);
    this.staging = Array.from({ length: n }, () => new Float64Array(64));
    this.next = this.clock.advance(this.poisson ? -Math.log(1 - rng()) : 1);
  }

  start(): void {
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
    const rate = this.clock.rateNow();
    const span = Math.min(1_000_000, Math.max(1_000, Math.ceil(SLICE_RECORDS / Math.max(rate, 1e-9))));
    const sliceEnd = Math.min(this.end, now + span);
    this.generate(sliceEnd);
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
    const linger = this.linger;
    const batchSize = this.batchSize;
    const produced = this.metrics.produced;
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
      if (this.open[p]) {
        if (t >= this.first[p] + linger) this.close(p, this.first[p] + linger);
        else if (this.bytes[p] + size > batchSize) this.close(p, t);
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
      if (this.bytes[p] >= batchSize) this.close(p, t);
      if (!partitioner) {
        this.stickyBytes += size;
        if (this.stickyBytes >= batchSize) {
          this.stickyBytes = 0;
          this.sticky = Math.floor(rng() * nParts);
        }
      }
      this.offered++;
      produced.add(t, 1);
      t = clock.advance(poisson ? -Math.log(1 - rng()) : 1);
    }
    this.next = t;
  }

  /** Sends partition p's open batch at time `sendAt`. */
  private close(p: number, sendAt: number): void {
    const n = this.count[p];
    const visible = this.logs[p].append(this.staging[p], 0, n, this.bytes[p], Math.ceil(sendAt + this.produceLatency(this.rng)));
    this.metrics.appended.add(visible, n);
    this.open[p] = 0;
    this.onAppend(p);
  }
}

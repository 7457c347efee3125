/**
 * A Kafka producer: records handed to send() at the times its rate profile draws, each
 * partitioned (keyed: murmur2; null key: sticky partitioner), gathered per partition into the
 * record accumulator's batches, and drained by the sender into produce requests
 * (`RecordAccumulator`, `Sender`, `BufferPool` in the Java client).
 *
 * Accumulator. A partition's open batch takes records until the next one would not fit in
 * `batch.size` or it has waited `linger.ms` since it was created; it is then ready
 * (`RecordAccumulator.ready`). Each batch holds max(batch.size, record size) bytes of
 * `buffer.memory` from its creation until its request is acknowledged (`BufferPool.allocate`
 * and `deallocate`: memory is taken per batch, not per record). A record that needs a new batch
 * when the pool is short makes send() block: the application's callers are served in arrival
 * order (the pool's waiters are FIFO), every open batch becomes ready at once (the accumulator
 * is "exhausted"), and a record whose caller has waited `max.block.ms` since it arrived is
 * rejected `buffer-exhausted`. With `on-buffer-full: drop` the application drops the record
 * instead (`dropped`).
 *
 * Sender. Per broker (the partition's leader), a request goes out while fewer than
 * `max.in.flight.requests.per.connection` are unacknowledged and the connection is not muted by
 * a quota throttle; it holds the first ready batch of each partition (one per partition),
 * partitions taken round-robin, up to `max.request.size` (`RecordAccumulator.drain`). Its
 * timeline: rtt/2 to the broker, FIFO behind the broker's byte rate, leader append, then
 * replication until the high watermark covers it; consumers see it then, whatever `acks` is. The
 * producer hears back at send (acks=0), after the append (acks=1) or after replication
 * (acks=all), plus rtt/2. A request to a broker that is lost before it answers fails: after
 * `request.timeout.ms` when the host stopped answering, rtt/2 after the loss when its
 * connections were reset (`connections: reset`); its batches are retried after
 * `retry.backoff.ms` rising exponentially (x2, +-20% jitter) to `retry.backoff.max.ms`
 * (`ExponentialBackoff`), with idempotence keeping each partition's order (later batches wait
 * for the failed one). A batch still unacknowledged
 * `delivery.timeout.ms` after its creation is rejected `delivery-timeout`. A record is logged
 * with its arrival time as create time, so blocking shows in end-to-end latency.
 *
 * Semantics choice: a batch stops taking records when it becomes ready (as before this
 * version), not when the sender drains it. Kafka keeps appending to a ready batch that waits for
 * an in-flight slot, so when the in-flight limit binds Kafka's batches grow fuller than these.
 *
 * Two paths, one model. Arrivals are exogenous, so the producer works one slice of simulated
 * time ahead per event (a few thousand records). When the slice cannot exhaust `buffer.memory`
 * (its allocations fit in what is free at its start) record generation runs alone, as tight as
 * before, and the slice's ready batches are then handed to the sender in time order (a counting
 * sort). Otherwise the slice runs record by record in time order, the sender advanced to each
 * record's arrival, so blocking, waiting and rejection are exact.
 *
 * Two fidelities. `exact` draws every record: its arrival (exponential gap, or paced), its
 * partition and its size, and draws latencies per request. `batched` draws per slice instead:
 * the slice's record count (Poisson, or paced), split over partitions by the key law
 * (conditional binomials) or in sticky runs of batch.size bytes for null keys, each partition's
 * records spread evenly in cumulative-rate time over the slice (the mean of the uniform order
 * statistics of a Poisson process given its count), every record of the mean size (a batch
 * keeps only its first and last create time, see PartitionLog), and the append and replication
 * latencies are drawn once per broker and slice. When a batched slice may fill the buffer it
 * runs record by record as well, partitions drawn per record and times evenly spread.
 */
import { named, type Simulation } from '../../kernel/simulation.js';
import type { ProducerSpec } from '../../scenario/schema.js';
import { acksOf } from '../../scenario/schema.js';
import { binomial, compile, mean, poisson, type Sampler } from '../../random/distributions.js';
import type { Rng } from '../../random/stream.js';
import type { AliasTable } from '../../random/alias.js';
import { ArrivalClock, CumulativeRate, type Segment } from '../rate-profile.js';
import type { AppendTarget } from '../log.js';
import type { WindowedCounter } from '../../metrics/windows.js';
import type { Brokers } from '../brokers.js';
import type { ClientQuota } from '../quota.js';
import { ExponentialBackoff } from '../backoff.js';

/** Records per producer slice, aimed at; the slice is kept between 1 ms and 1 s. */
const SLICE_RECORDS = 4096;
/** Points per slice at which the batched fidelity evaluates the cumulative rate. */
const KNOTS = 16;

export type RejectReason = 'buffer-exhausted' | 'delivery-timeout' | 'dropped' | 'unacknowledged-loss';

export interface ProducerMetrics {
  produced: WindowedCounter;
  appended: WindowedCounter;
  /** Records rejected, at the time they were. */
  rejected: WindowedCounter;
  /** Microseconds with at least one caller blocked in send(), per window. */
  blocked: WindowedCounter;
  /** Buffer bytes in use at each window's end (summed over producers sharing the counter). */
  buffer: WindowedCounter;
}

export interface ProducerOptions {
  /** The producer instance's name, for error messages. */
  id: string;
  /** The client id quotas are looked up by (the producer's name, shared by its instances). */
  client: string;
  sim: Simulation;
  spec: ProducerSpec;
  segments: Segment[];
  logs: readonly AppendTarget[];
  partitioner: AliasTable | null;
  /** Normalised key-law weights per partition (null keys: null). */
  weights: Float64Array | null;
  /** Draws of arrivals, partitions and sizes. */
  rng: Rng;
  /** Draws of the produce path (latencies, retry jitter), apart so they do not shift arrivals. */
  senderRng: Rng;
  brokers: Brokers;
  /** The topic's `min.insync.replicas` (default 1): acks=all writes to a partition with fewer are refused. */
  minInsyncReplicas?: number;
  appendLatency: Sampler;
  replicationLatency: Sampler;
  rtt: number;
  end: number;
  /** The sample interval (ticks) of the windowed metrics. */
  interval: number;
  metrics: ProducerMetrics;
  onAppend: (partition: number) => void;
  /** Called as each slice ends, with the time of the producer's next slice (null: none). */
  onSliceEnd?: (next: number | null) => void;
  batched: boolean;
}

export class Producer {
  offered = 0;
  readonly rejected: Record<string, number> = {};
  /** Batches sent again after a failed request. */
  retries = 0;
  blockedTime = 0;
  maxBufferBytes = 0;
  maxThrottleMs = 0;
  /** Produce requests answered, and the sum of their send-to-answer times (ticks); acks=0 answers at send. */
  requestsAcked = 0;
  ackTimeSum = 0;

  readonly id: string;
  private readonly sim: Simulation;
  private readonly logs: readonly AppendTarget[];
  private readonly onSliceEnd: ((next: number | null) => void) | undefined;
  private readonly partitioner: AliasTable | null;
  private readonly rng: Rng;
  private readonly senderRng: Rng;
  private readonly brokers: Brokers;
  private readonly end: number;
  private readonly metrics: ProducerMetrics;
  private readonly onAppend: (partition: number) => void;
  private readonly batched: boolean;
  private readonly clock: ArrivalClock;
  private next: number;
  private readonly poisson: boolean;
  private readonly size: Sampler;
  private readonly constantSize: number;
  private readonly linger: number;
  private readonly batchSize: number;
  private readonly memory: number;
  private readonly maxBlock: number;
  private readonly maxInFlight: number;
  private readonly maxRequest: number;
  private readonly deliveryTimeout: number;
  private readonly requestTimeout: number;
  private readonly backoff: ExponentialBackoff;
  private readonly acks: 0 | 1 | 'all';
  private readonly drop: boolean;
  private readonly halfRtt: number;
  private readonly appendLatency: Sampler;
  private readonly replicationLatency: Sampler;
  private readonly minInsync: number;
  private readonly replicated: boolean;
  private readonly quotas: (ClientQuota | undefined)[];
  private readonly hasLosses: boolean;
  private readonly nBrokers: number;

  // ---- open batches, one per partition ----------------------------------------------------
  private readonly nParts: number;
  private readonly open: Uint8Array;
  /** Creation time of partition p's open batch (linger.ms and delivery.timeout.ms count from it). */
  private readonly opened: Float64Array;
  private readonly first: Float64Array;
  /** Create time of the last record in partition p's open batch. */
  private readonly last: Float64Array;
  private readonly count: Int32Array;
  private readonly bytes: Float64Array;
  private readonly alloc: Float64Array;
  /** Exact fidelity: create times of partition p's records not yet appended, [stStart, stEnd). */
  private readonly stage: Float64Array[];
  private readonly stStart: Int32Array;
  private readonly stEnd: Int32Array;
  private sticky = -1;
  private stickyBytes = 0;
  private readonly cumulative: CumulativeRate;
  private readonly meanSize: number;
  private readonly weights: Float64Array | null;
  private pacedCarry = 0.5;

  // ---- closed batches (ready, in flight or waiting to be retried) --------------------------
  private bPart = new Int32Array(256);
  private bSeq = new Float64Array(256);
  private bCreated = new Float64Array(256);
  private bReady = new Float64Array(256);
  private bFirst = new Float64Array(256);
  private bLast = new Float64Array(256);
  private bCount = new Int32Array(256);
  private bBytes = new Float64Array(256);
  private bAlloc = new Float64Array(256);
  private bAttempts = new Int32Array(256);
  /** Sequences a batch covers (more than 1 once later batches of its partition were merged in). */
  private bSpan = new Int32Array(256);
  private bFree = new Int32Array(256);
  private nFree = 0;
  private bNext = 0;
  /** Per partition: the next batch sequence to assign, and the next one allowed out (idempotence keeps order). */
  private readonly nextSeq: Float64Array;
  /** Per partition: its batches in a broker queue; per broker: partitions with some there. */
  private readonly queued: Int32Array;
  private readonly partsQueued: Int32Array;
  private readonly sendSeq: Float64Array;
  /** Per partition: sequences rejected while an earlier batch was still out, with their record counts. */
  private readonly skipped = new Map<number, Map<number, { n: number; span: number }>>();

  // ---- per broker ---------------------------------------------------------------------------
  private readonly waiting: BatchQueue[];
  private readonly slotDone: Float64Array[];
  private readonly slotAlloc: Float64Array[];
  /** A failed request's batches per slot (null for a request that succeeds). */
  private readonly slotFailed: (number[] | null)[][];
  private readonly slotCount: Int32Array;
  /** Earliest acknowledgement among broker b's slots (Infinity when none). */
  private readonly minDone: Float64Array;
  private readonly connUntil: Float64Array;
  private readonly drainStart: Int32Array;
  private readonly nextExpiry: Float64Array;
  /** Batched fidelity: this slice's append and replication latency per broker. */
  private readonly sliceAppend: Float64Array;
  private readonly sliceRepl: Float64Array;
  private readonly sliceDrawn: Int32Array;
  private sliceId = 0;
  /** Batches whose partition has no leader, until a leader change. */
  private parked: number[] = [];
  private nextChange: number;

  // ---- memory and application callers -------------------------------------------------------
  private allocOpen = 0;
  private allocQueued = 0;
  /** Records in closed batches not yet appended (waiting, parked, or in a request that will fail). */
  private unsent = 0;
  /** Callers blocked in send(), FIFO: arrival time, partition, size. */
  private wT: number[] = [];
  private wP: number[] = [];
  private wS: number[] = [];
  private wHead = 0;
  private blockedSince = -1;
  /** Open batches in creation order, for linger deadlines in the record-by-record path. */
  private lingerQ: number[] = [];
  private lingerHead = 0;
  private lingerOpened: number[] = [];
  /** The last window whose end-of-window buffer use has been recorded. */
  private bufferWindow = 0;
  private readonly interval: number;
  /** Allocations per microsecond in recent slices, to size slices that cannot fill the buffer. */
  private allocRate = 0;
  private sliceAllocs = 0;

  // ---- the current fast slice's closed batches, to be sorted by ready time -------------------
  private closed = new Int32Array(1024);
  private nClosed = 0;
  private fast = true;

  constructor(o: ProducerOptions) {
    const spec = o.spec;
    const c = spec.config;
    this.id = o.id;
    this.sim = o.sim;
    this.logs = o.logs;
    this.onSliceEnd = o.onSliceEnd;
    this.partitioner = o.partitioner;
    this.rng = o.rng;
    this.senderRng = o.senderRng;
    this.brokers = o.brokers;
    this.end = o.end;
    this.metrics = o.metrics;
    this.onAppend = o.onAppend;
    this.batched = o.batched;
    this.cumulative = new CumulativeRate(o.segments);
    this.meanSize = mean(spec['record-size']);
    this.weights = o.weights;
    this.clock = new ArrivalClock(o.segments);
    this.poisson = spec.arrivals === 'poisson';
    this.size = compile(spec['record-size']);
    this.constantSize = spec['record-size'].dist === 'constant' ? spec['record-size'].value : -1;
    this.linger = c['linger.ms'];
    this.batchSize = c['batch.size'];
    this.memory = c['buffer.memory'];
    this.maxBlock = c['max.block.ms'];
    this.maxInFlight = c['max.in.flight.requests.per.connection'];
    this.maxRequest = c['max.request.size'];
    this.deliveryTimeout = c['delivery.timeout.ms'];
    this.requestTimeout = c['request.timeout.ms'];
    this.backoff = new ExponentialBackoff(c['retry.backoff.ms'], c['retry.backoff.max.ms']);
    this.acks = acksOf(c.acks);
    this.drop = spec['on-buffer-full'] === 'drop';
    this.halfRtt = o.rtt / 2;
    this.appendLatency = o.appendLatency;
    this.replicationLatency = o.replicationLatency;
    this.replicated = o.brokers.replicationFactor > 1;
    this.minInsync = o.minInsyncReplicas ?? 1;
    this.interval = o.interval;
    const B = o.brokers.count;
    this.nBrokers = B;
    this.hasLosses = o.brokers.hasLosses;
    this.quotas = Array.from({ length: B }, (_, b) => o.brokers.quota(o.client, b, 'producer_byte_rate'));
    const n = o.logs.length;
    this.nParts = n;
    this.open = new Uint8Array(n);
    this.opened = new Float64Array(n);
    this.first = new Float64Array(n);
    this.last = new Float64Array(n);
    this.count = new Int32Array(n);
    this.bytes = new Float64Array(n);
    this.alloc = new Float64Array(n);
    this.stage = this.batched ? [] : Array.from({ length: n }, () => new Float64Array(64));
    this.stStart = new Int32Array(n);
    this.stEnd = new Int32Array(n);
    this.partCounts = new Int32Array(n);
    this.nextSeq = new Float64Array(n);
    this.queued = new Int32Array(n);
    this.sendSeq = new Float64Array(n);
    this.taken = new Int32Array(n + 1);
    this.takenHw = new Float64Array(n + 1);
    this.elId = new Int32Array(n + 1);
    this.elAt = new Int32Array(n + 1);
    this.elKey = new Int32Array(n + 1);
    this.waiting = Array.from({ length: B }, () => new BatchQueue());
    this.slotDone = Array.from({ length: B }, () => new Float64Array(this.maxInFlight));
    this.slotAlloc = Array.from({ length: B }, () => new Float64Array(this.maxInFlight));
    this.slotFailed = Array.from({ length: B }, () => new Array(this.maxInFlight).fill(null));
    this.slotCount = new Int32Array(B);
    this.partsQueued = new Int32Array(B);
    this.minDone = new Float64Array(B).fill(Infinity);
    this.connUntil = new Float64Array(B);
    this.drainStart = new Int32Array(B);
    this.nextExpiry = new Float64Array(B).fill(Infinity);
    this.sliceAppend = new Float64Array(B);
    this.sliceRepl = new Float64Array(B);
    this.sliceDrawn = new Int32Array(B).fill(-1);
    this.nextChange = o.brokers.nextLeaderChange(-1);
    // Paced arrivals sit mid-interval (the first at half a gap), as in the batched fidelity.
    this.next = this.clock.advance(this.poisson ? -Math.log(1 - o.rng()) : 0.5);
  }

  start(): void {
    named(this.id, 'slice', this.slice);
    this.sim.at(0, this.slice, 0, 1);
  }

  /** Records handed to send() and not yet appended: blocked callers, open and closed batches. */
  inProducer(): number {
    let n = this.unsent + (this.wT.length - this.wHead);
    for (let p = 0; p < this.nParts; p++) if (this.open[p]) n += this.count[p];
    return n;
  }

  /** Bytes of buffer.memory in use at t: batches not yet acknowledged. */
  bufferUsed(t: number): number {
    let u = this.allocOpen + this.allocQueued;
    for (let b = 0; b < this.slotCount.length; b++) {
      const done = this.slotDone[b];
      const a = this.slotAlloc[b];
      for (let i = 0; i < this.slotCount[b]; i++) if (done[i] > t) u += a[i];
    }
    return u;
  }

  /** Closes the books at the end of the run: blocked time up to `end`, buffer use of the last windows. */
  finish(end: number): void {
    if (this.blockedSince >= 0) {
      this.metrics.blocked.addInterval(this.blockedSince, end, 1);
      this.blockedTime += end - this.blockedSince;
      this.blockedSince = end;
    }
    this.recordBuffer(end + 1);
  }

  // ==== slices ==================================================================================

  private readonly slice = (): void => {
    const now = this.sim.now;
    this.sliceId++;
    this.recordBuffer(now);
    const rate = this.batched ? this.cumulative.rateAt(now) : this.clock.rateNow();
    let span = Math.min(1_000_000, Math.max(1_000, Math.ceil(SLICE_RECORDS / Math.max(rate, 1e-9))));
    const allocSize = Math.max(this.batchSize, 1);
    const used = this.bufferUsed(now);
    if (used > this.maxBufferBytes) this.maxBufferBytes = used;
    const budget = this.memory - used;
    // A slice whose allocations could not exhaust what is free runs the fast path; keep slices
    // short enough for that while batches are being created quickly.
    if (this.allocRate > 0) span = Math.max(1_000, Math.min(span, Math.floor((0.5 * budget) / (this.allocRate * allocSize))));
    let sliceEnd = Math.min(this.end, now + span);
    this.sliceAllocs = 0;
    const blocked = this.wT.length > this.wHead;
    this.fast = !blocked && budget >= 64 * allocSize;
    if (!this.fast) this.enterSlow();
    if (this.batched) {
      this.generateBatched(now, sliceEnd, budget);
    } else if (this.fast) {
      sliceEnd = this.generate(sliceEnd, budget);
    } else {
      this.generateSlow(sliceEnd);
    }
    if (this.fast) {
      // Batches whose linger.ms ran out before the slice's end saw every arrival they could get.
      for (let p = 0; p < this.nParts; p++) {
        if (this.open[p] && this.opened[p] + this.linger <= sliceEnd) this.close(p, this.opened[p] + this.linger);
      }
      this.sendClosed();
      this.advanceAll(sliceEnd);
    } else {
      this.catchUp(sliceEnd);
    }
    this.allocRate = 0.5 * this.allocRate + (0.5 * this.sliceAllocs) / Math.max(1, sliceEnd - now);
    const more = this.next < Infinity || this.hasWork();
    const next = sliceEnd < this.end && more ? Math.max(now + 1, Math.ceil(sliceEnd)) : null;
    if (next !== null) this.sim.at(next, this.slice, 0, 1);
    this.onSliceEnd?.(next);
  };

  private hasWork(): boolean {
    return this.unsent > 0 || this.wT.length > this.wHead || this.open.some((o) => o === 1);
  }

  /** A record drawn but not yet offered (a fast slice stopped before it): partition and size. */
  private pendingP = -1;
  private pendingSize = 0;

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
    const size = this.constantSize >= 0 ? this.constantSize : this.size(rng);
    if (!this.partitioner) {
      this.stickyBytes += size;
      if (this.stickyBytes >= this.batchSize) {
        this.stickyBytes = 0;
        this.sticky = Math.floor(rng() * this.nParts);
      }
    }
    this.pendingP = p;
    this.pendingSize = size;
  }

  /** Exact fidelity, fast path: every record drawn; stops early if the slice's allocations would pass `budget`. */
  private generate(sliceEnd: number, budget: number): number {
    const rng = this.rng;
    const poisson = this.poisson;
    const clock = this.clock;
    const batchSize = this.batchSize;
    let allocated = 0;
    let t = this.next;
    while (t < sliceEnd) {
      this.draw();
      const p = this.pendingP;
      const size = this.pendingSize;
      // The record may need a new batch: stop the slice before it could exhaust the buffer.
      if (this.open[p] === 0 || t >= this.opened[p] + this.linger || this.bytes[p] + size > batchSize) {
        const a = size > batchSize ? size : batchSize;
        if (allocated + a > budget) {
          this.next = t;
          return t;
        }
        allocated += a;
      }
      this.pendingP = -1;
      this.addRecord(p, t, t, size);
      this.offered++;
      this.metrics.produced.add(t, 1);
      t = clock.advance(poisson ? -Math.log(1 - rng()) : 1);
    }
    this.next = t;
    return sliceEnd;
  }

  /** Exact fidelity, record by record with the sender advanced to each arrival. */
  private generateSlow(sliceEnd: number): void {
    const rng = this.rng;
    let t = this.next;
    while (t < sliceEnd) {
      this.draw();
      const p = this.pendingP;
      this.pendingP = -1;
      this.offered++;
      this.metrics.produced.add(t, 1);
      this.offer(p, t, this.pendingSize);
      t = this.clock.advance(this.poisson ? -Math.log(1 - rng()) : 1);
    }
    this.next = t;
  }

  // ---- the record-by-record path ---------------------------------------------------------------

  /** Prepares the linger queue from the open batches (created by a fast slice in any order). */
  private enterSlow(): void {
    const ps: number[] = [];
    for (let p = 0; p < this.nParts; p++) if (this.open[p]) ps.push(p);
    ps.sort((a, b) => this.opened[a] - this.opened[b] || a - b);
    this.lingerQ = ps;
    this.lingerOpened = ps.map((p) => this.opened[p]);
    this.lingerHead = 0;
  }

  /** A record handed to send() at t (record-by-record path). */
  private offer(p: number, t: number, size: number): void {
    this.catchUp(t);
    if (this.wT.length > this.wHead) {
      if (this.drop) this.reject('dropped', t, 1);
      else this.enqueueCaller(t, p, size);
      return;
    }
    if (!this.tryAppend(p, t, t, size)) {
      if (this.drop) this.reject('dropped', t, 1);
      else {
        this.enqueueCaller(t, p, size);
        this.exhausted(t);
      }
    }
  }

  /** Appends to p's batch, or creates one if memory allows; false when the caller must wait. */
  private tryAppend(p: number, t: number, createTime: number, size: number): boolean {
    if (this.open[p] && this.bytes[p] + size > this.batchSize) this.close(p, t);
    if (!this.open[p]) {
      const a = size > this.batchSize ? size : this.batchSize;
      const used = this.bufferUsed(t);
      if (used + a > this.memory) return false;
      if (used + a > this.maxBufferBytes) this.maxBufferBytes = used + a;
      this.lingerQ.push(p);
      this.lingerOpened.push(t);
    }
    this.addRecord(p, t, createTime, size);
    return true;
  }

  private enqueueCaller(t: number, p: number, size: number): void {
    if (this.wT.length === this.wHead) this.blockedSince = t;
    this.wT.push(t);
    this.wP.push(p);
    this.wS.push(size);
  }

  /** The pool has waiters: every open batch is ready now (`RecordAccumulator.ready`, exhausted). */
  private exhausted(t: number): void {
    for (let p = 0; p < this.nParts; p++) if (this.open[p]) this.close(p, t);
  }

  /**
   * Brings the accumulator and the sender up to time t in time order: linger deadlines, requests,
   * acknowledgements that free memory for blocked callers, and callers whose wait ran out.
   */
  private catchUp(t: number): void {
    for (;;) {
      let next = Infinity;
      if (this.lingerHead < this.lingerQ.length) next = this.lingerOpened[this.lingerHead] + this.linger;
      const callers = this.wT.length > this.wHead;
      if (callers) {
        const d = this.wT[this.wHead] + this.maxBlock;
        if (d < next) next = d;
        const f = this.nextFree(this.lastFreeCheck);
        if (f < next) next = f;
      }
      if (next > t) break;
      this.advanceAll(next);
      this.expireLingers(next);
      if (callers) this.serveCallers(next);
      this.lastFreeCheck = next;
    }
    this.advanceAll(t);
  }

  private lastFreeCheck = -Infinity;

  private expireLingers(t: number): void {
    while (this.lingerHead < this.lingerQ.length) {
      const p = this.lingerQ[this.lingerHead];
      const o = this.lingerOpened[this.lingerHead];
      if (this.open[p] && this.opened[p] === o) {
        if (o + this.linger > t) break;
        this.close(p, o + this.linger);
      }
      this.lingerHead++;
    }
    if (this.lingerHead > 4096 && this.lingerHead * 2 > this.lingerQ.length) {
      this.lingerQ = this.lingerQ.slice(this.lingerHead);
      this.lingerOpened = this.lingerOpened.slice(this.lingerHead);
      this.lingerHead = 0;
    }
  }

  /** The next acknowledgement after t that frees memory, or Infinity. */
  private nextFree(t: number): number {
    let m = Infinity;
    for (let b = 0; b < this.slotCount.length; b++) {
      const done = this.slotDone[b];
      for (let i = 0; i < this.slotCount[b]; i++) if (done[i] > t && done[i] < m && this.slotFailed[b][i] === null) m = done[i];
    }
    return m;
  }

  /** Blocked callers at time t: those whose wait ran out are rejected, then as many as memory allows go in. */
  private serveCallers(t: number): void {
    while (this.wT.length > this.wHead) {
      const a = this.wT[this.wHead];
      if (a + this.maxBlock <= t) {
        this.reject('buffer-exhausted', a + this.maxBlock, 1);
        this.wHead++;
        continue;
      }
      const p = this.wP[this.wHead];
      if (!this.tryAppend(p, t, a, this.wS[this.wHead])) break;
      this.wHead++;
    }
    if (this.wT.length === this.wHead) {
      if (this.blockedSince >= 0) {
        this.metrics.blocked.addInterval(this.blockedSince, t, 1);
        this.blockedTime += t - this.blockedSince;
        this.blockedSince = -1;
      }
      this.wT = [];
      this.wP = [];
      this.wS = [];
      this.wHead = 0;
    }
  }

  // ---- accumulator ------------------------------------------------------------------------------

  /** Puts one record (created at `createTime`) into partition p's batch at time t. */
  private addRecord(p: number, t: number, createTime: number, size: number): void {
    if (this.open[p]) {
      if (t >= this.opened[p] + this.linger) this.close(p, this.opened[p] + this.linger);
      else if (this.bytes[p] + size > this.batchSize) this.close(p, t);
    }
    if (!this.open[p]) this.openBatch(p, t, createTime, size > this.batchSize ? size : this.batchSize);
    if (!this.batched) {
      let stage = this.stage[p];
      if (this.stEnd[p] === stage.length) stage = this.makeRoom(p);
      stage[this.stEnd[p]++] = createTime;
    }
    this.count[p]++;
    this.last[p] = createTime;
    this.bytes[p] += size;
    if (this.bytes[p] >= this.batchSize) this.close(p, t);
  }

  private openBatch(p: number, t: number, createTime: number, a: number): void {
    this.open[p] = 1;
    this.opened[p] = t;
    this.first[p] = createTime;
    this.count[p] = 0;
    this.bytes[p] = 0;
    this.alloc[p] = a;
    this.allocOpen += a;
    this.sliceAllocs++;
  }

  private makeRoom(p: number): Float64Array {
    const s = this.stStart[p];
    const live = this.stEnd[p] - s;
    let stage = this.stage[p];
    if (live * 2 > stage.length) {
      const grown = new Float64Array(stage.length * 2);
      grown.set(stage.subarray(s, s + live));
      stage = grown;
    } else {
      stage.copyWithin(0, s, s + live);
    }
    this.stage[p] = stage;
    this.stStart[p] = 0;
    this.stEnd[p] = live;
    return stage;
  }

  private readonly knotT = new Float64Array(KNOTS + 1);
  private readonly knotL = new Float64Array(KNOTS + 1);
  /** d(time)/d(Lambda) between knots, for turning cumulative-rate positions into times. */
  private readonly knotSlope = new Float64Array(KNOTS);
  private sliceLinear = false;

  /** The batched fidelity's slice: counts drawn per slice, records spread evenly within it. */
  private generateBatched(start: number, end: number, budget: number): void {
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
    if (!this.fast) {
      if (n > 0 && mass > 0) this.spreadSlow(n, kt, kl, l0, mass);
      return;
    }
    if (n === 0 || mass <= 0) return;
    const size = this.meanSize;
    const w = this.weights;
    const allocSize = Math.max(this.batchSize, size);
    // Batches a partition can start in this slice: one per linger.ms, one per batch.size of its
    // bytes, and one carried over; more than `budget` allows sends the slice record by record.
    const perLinger = Math.floor((end - start) / Math.max(this.linger, 1)) + 2;
    let counts: Int32Array | null = null;
    if (w) {
      counts = this.partCounts;
      let left = n;
      let weightLeft = 1;
      let bound = 0;
      for (let p = 0; p < w.length; p++) {
        const np = left <= 0 ? 0 : p === w.length - 1 ? left : binomial(rng, left, Math.min(1, w[p] / weightLeft));
        left -= np;
        weightLeft -= w[p];
        counts[p] = np;
        if (np > 0) bound += Math.min(np, perLinger + Math.ceil((np * size) / this.batchSize));
      }
      if (bound * allocSize > budget) {
        this.fast = false;
        this.enterSlow();
        this.spreadSlow(n, kt, kl, l0, mass, counts);
        return;
      }
    } else {
      const bound = Math.min(n, (Math.ceil((n * size) / this.batchSize) + 2) * perLinger);
      if (bound * allocSize > budget) {
        this.fast = false;
        this.enterSlow();
        this.spreadSlow(n, kt, kl, l0, mass);
        return;
      }
    }
    this.offered += n;
    const produced = this.metrics.produced;
    if (produced.windowOf(start) === produced.windowOf(end - 1)) produced.add(start, n);
    else countSpread(produced, kt, kl, l0, mass, n);
    if (counts) {
      for (let p = 0; p < counts.length; p++) if (counts[p] > 0) this.spread(p, counts[p], 0, counts[p], kt, kl, l0, mass, size);
    } else {
      // Sticky partitioner: consecutive runs of about batch.size bytes to one partition.
      const nParts = this.nParts;
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

  private readonly partCounts: Int32Array;

  /**
   * The batched fidelity, record by record: n records evenly spread over the slice's cumulative
   * rate, each of the mean size, partitions drawn per record (or from per-partition counts
   * already drawn, interleaved in time order).
   */
  private spreadSlow(n: number, kt: Float64Array, kl: Float64Array, l0: number, mass: number, counts?: Int32Array): void {
    const size = this.meanSize;
    const rng = this.rng;
    const timeAt = (target: number) => {
      let k = 0;
      while (k < KNOTS - 1 && kl[k + 1] < target) k++;
      return kt[k] + (target - kl[k]) * this.knotSlope[k];
    };
    if (counts) {
      // Each partition's records evenly spread; merged in time order.
      const items: [number, number][] = [];
      for (let p = 0; p < counts.length; p++) {
        for (let j = 0; j < counts[p]; j++) items.push([timeAt(l0 + ((j + 0.5) / counts[p]) * mass), p]);
      }
      items.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      for (const [t, p] of items) {
        this.offered++;
        this.metrics.produced.add(t, 1);
        this.offer(p, t, size);
      }
      return;
    }
    for (let j = 0; j < n; j++) {
      const t = timeAt(l0 + ((j + 0.5) / n) * mass);
      let p: number;
      if (this.partitioner) p = this.partitioner.sample(rng);
      else {
        if (this.sticky < 0) this.sticky = Math.floor(rng() * this.nParts);
        p = this.sticky;
        this.stickyBytes += size;
        if (this.stickyBytes >= this.batchSize) {
          this.stickyBytes = 0;
          this.sticky = Math.floor(rng() * this.nParts);
        }
      }
      this.offered++;
      this.metrics.produced.add(t, 1);
      this.offer(p, t, size);
    }
  }

  /**
   * Adds records first..first+count-1 of `of` evenly spread over the slice's cumulative rate
   * (record j at the time Lambda reaches l0 + (j + 0.5) / of * mass) to partition p.
   */
  private spread(p: number, count: number, first: number, of: number, kt: Float64Array, kl: Float64Array, l0: number, mass: number, size: number): void {
    // The same steps as addRecord, with the partition's batch state held in locals: this loop
    // runs once per record in the batched fidelity.
    const slopes = this.knotSlope;
    const step = mass / of;
    const linger = this.linger;
    const batchSize = this.batchSize;
    const a = size > batchSize ? size : batchSize;
    let target = l0 + (first + 0.5) * step;
    let knot = 0;
    let open = this.open[p] === 1;
    let openedT = this.opened[p];
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
      if (open && (t >= openedT + linger || bytes + size > batchSize)) {
        this.count[p] = c;
        this.bytes[p] = bytes;
        this.last[p] = lastT;
        this.close(p, t >= openedT + linger ? openedT + linger : t);
        open = false;
      }
      if (!open) {
        open = true;
        openedT = t;
        c = 0;
        bytes = 0;
        this.openBatch(p, t, t, a);
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

  /** Partition p's open batch is ready at `ready`: it takes no more records and goes to the sender. */
  private close(p: number, ready: number): void {
    const id = this.newBatch();
    const n = this.count[p];
    this.bPart[id] = p;
    this.bSeq[id] = this.nextSeq[p]++;
    this.bCreated[id] = this.opened[p];
    this.bReady[id] = ready;
    this.bFirst[id] = this.first[p];
    this.bLast[id] = this.last[p];
    this.bCount[id] = n;
    this.bBytes[id] = this.bytes[p];
    this.bAlloc[id] = this.alloc[p];
    this.bAttempts[id] = 0;
    this.bSpan[id] = 1;
    this.allocOpen -= this.alloc[p];
    this.allocQueued += this.alloc[p];
    this.unsent += n;
    this.open[p] = 0;
    if (this.fast) {
      if (this.nClosed === this.closed.length) {
        const grown = new Int32Array(this.closed.length * 2);
        grown.set(this.closed);
        this.closed = grown;
      }
      this.closed[this.nClosed++] = id;
    } else {
      this.feed(id, ready);
    }
  }

  private newBatch(): number {
    if (this.nFree > 0) return this.bFree[--this.nFree];
    const id = this.bNext++;
    if (id === this.bPart.length) {
      const n = id * 2;
      const g64 = (a: Float64Array) => {
        const b = new Float64Array(n);
        b.set(a);
        return b;
      };
      const g32 = (a: Int32Array) => {
        const b = new Int32Array(n);
        b.set(a);
        return b;
      };
      this.bPart = g32(this.bPart);
      this.bSeq = g64(this.bSeq);
      this.bCreated = g64(this.bCreated);
      this.bReady = g64(this.bReady);
      this.bFirst = g64(this.bFirst);
      this.bLast = g64(this.bLast);
      this.bCount = g32(this.bCount);
      this.bBytes = g64(this.bBytes);
      this.bAlloc = g64(this.bAlloc);
      this.bAttempts = g32(this.bAttempts);
      this.bSpan = g32(this.bSpan);
    }
    return id;
  }

  /** Batch `id` is done with: its slot can be reused. */
  private freeBatch(id: number): void {
    if (this.nFree === this.bFree.length) {
      const g = new Int32Array(this.bFree.length * 2);
      g.set(this.bFree);
      this.bFree = g;
    }
    this.bFree[this.nFree++] = id;
  }

  // ==== sender ==================================================================================

  private sortKeys = new Int32Array(0);
  private sortOut = new Int32Array(0);
  private sortBucket = new Int32Array(0);

  /** Hands the fast slice's closed batches to the sender in ready-time order (counting sort). */
  private sendClosed(): void {
    const n = this.nClosed;
    if (n === 0) return;
    const ids = this.closed;
    const ready = this.bReady;
    let lo = Infinity;
    let hi = -Infinity;
    // Batches often close in ready order already (one partition, or exact fidelity's arrivals):
    // sortInReadyOrder is stable, so it would leave such a list as it is. (feed never closes a
    // batch, so `closed` is not written while it is read here.)
    let sorted = true;
    let prev = -Infinity;
    for (let i = 0; i < n; i++) {
      const r = ready[ids[i]];
      if (r < prev) sorted = false;
      prev = r;
      if (r < lo) lo = r;
      if (r > hi) hi = r;
    }
    this.nClosed = 0;
    const out = sorted ? ids : this.sortInReadyOrder(n, lo, hi);
    for (let i = 0; i < n; i++) {
      const id = out[i];
      this.feed(id, ready[id]);
    }
  }

  /** The fast slice's n closed batches by ready time, ties in closing order (lo, hi: the extreme ready times). */
  private sortInReadyOrder(n: number, lo: number, hi: number): Int32Array {
    const ids = this.closed;
    const ready = this.bReady;
    if (this.sortKeys.length < n + 1) {
      this.sortKeys = new Int32Array(2 * n + 2);
      this.sortOut = new Int32Array(2 * n + 2);
      this.sortBucket = new Int32Array(2 * n + 2);
    }
    const K = n;
    const counts = this.sortKeys;
    const keys = this.sortBucket;
    counts.fill(0, 0, K + 1);
    const scale = hi > lo ? (K - 1) / (hi - lo) : 0;
    for (let i = 0; i < n; i++) {
      const k = Math.floor((ready[ids[i]] - lo) * scale);
      keys[i] = k;
      counts[k + 1]++;
    }
    for (let k = 1; k <= K; k++) counts[k] += counts[k - 1];
    const out = this.sortOut;
    for (let i = 0; i < n; i++) out[counts[keys[i]]++] = ids[i];
    // Within a bucket, order by ready time then by closing order (insertion sort: buckets are small).
    for (let i = 1; i < n; i++) {
      const x = out[i];
      const rx = ready[x];
      let j = i - 1;
      while (j >= 0 && ready[out[j]] > rx) {
        out[j + 1] = out[j];
        j--;
      }
      out[j + 1] = x;
    }
    return out;
  }

  /** Batch `id`, ready at r, joins its leader's queue; requests before r go out first. */
  private feed(id: number, r: number): void {
    if (r >= this.nextChange) this.leadersChange(r);
    const p = this.bPart[id];
    const b = this.hasLosses ? this.brokers.leaderAt(p, r) : p % this.nBrokers;
    if (b < 0) {
      this.parked.push(id);
      return;
    }
    this.advanceBroker(b, r);
    this.enqueue(b, id);
    const d = this.bCreated[id] + this.deliveryTimeout;
    if (d < this.nextExpiry[b]) this.nextExpiry[b] = d;
  }

  /** Batch `id` joins broker b's queue. */
  private enqueue(b: number, id: number): void {
    this.waiting[b].push(id);
    const p = this.bPart[id];
    if (this.queued[p]++ === 0) this.partsQueued[b]++;
  }

  /** Batch `id` left broker b's queue (sent, merged, expired or moved). */
  private dequeued(b: number, id: number): void {
    const p = this.bPart[id];
    if (--this.queued[p] === 0) this.partsQueued[b]--;
  }

  private advanceAll(t: number): void {
    if (t >= this.nextChange) this.leadersChange(t);
    for (let b = 0; b < this.waiting.length; b++) this.advanceBroker(b, t);
    if (this.parked.length > 0) this.expireParked(t);
    this.recordBuffer(t);
  }

  /** Leaders changed at or before t: batches move to their partitions' new leaders. */
  private leadersChange(t: number): void {
    while (this.nextChange <= t) {
      const at = this.nextChange;
      for (let b = 0; b < this.waiting.length; b++) this.advanceBroker(b, at);
      const moving = this.parked;
      this.parked = [];
      for (let b = 0; b < this.waiting.length; b++) {
        this.waiting[b].retain((id) => {
          if (this.brokers.leaderAt(this.bPart[id], at) === b) return true;
          this.dequeued(b, id);
          moving.push(id);
          return false;
        });
      }
      moving.sort((x, y) => this.bPart[x] - this.bPart[y] || this.bSeq[x] - this.bSeq[y]);
      this.nextChange = this.brokers.nextLeaderChange(at);
      for (const id of moving) {
        if (this.bReady[id] < at) this.bReady[id] = at;
        const b = this.brokers.leaderAt(this.bPart[id], at);
        if (b < 0) this.parked.push(id);
        else {
          this.enqueue(b, id);
          const d = this.bCreated[id] + this.deliveryTimeout;
          if (d < this.nextExpiry[b]) this.nextExpiry[b] = d;
        }
      }
    }
  }

  private expireParked(t: number): void {
    const keep: number[] = [];
    for (const id of this.parked) {
      const d = this.bCreated[id] + this.deliveryTimeout;
      if (d <= t) this.expire(id, d);
      else keep.push(id);
    }
    this.parked = keep;
  }

  /**
   * Broker b's connection up to (not including) time H: each moment a request can go out (a
   * ready batch, a free in-flight slot, the end of a throttle), the request it sends.
   */
  private advanceBroker(b: number, H: number): void {
    const list = this.waiting[b];
    const minDone = this.minDone;
    const slotCount = this.slotCount;
    const maxInFlight = this.maxInFlight;
    for (;;) {
      if (list.size === 0) {
        if (minDone[b] <= H && this.releaseSlots(b, H)) continue;
        break;
      }
      const full = slotCount[b] >= maxInFlight;
      // All slots busy until H or later (the usual wait when the limit binds): nothing to do.
      if (full && minDone[b] >= H && this.nextExpiry[b] > H) break;
      // The earliest ready batch that may go out (its partition's next in sequence).
      let cand = Infinity;
      // The queue is in ready order (retries aside): the first batch that may go is the earliest.
      const la = list.a;
      const bSeq = this.bSeq;
      const sendSeq = this.sendSeq;
      const bPart = this.bPart;
      for (let i = list.head, tail = list.tail; i < tail; i++) {
        const id = la[i];
        if (id >= 0 && bSeq[id] === sendSeq[bPart[id]]) {
          cand = this.bReady[id];
          break;
        }
      }
      let s = cand;
      const cu = this.connUntil[b];
      if (cu > s) s = cu;
      const md = minDone[b];
      if (full && md > s) s = md;
      const horizon = s < H ? s : H;
      if (this.nextExpiry[b] <= horizon) {
        this.expireWaiting(b, horizon);
        continue;
      }
      if (md <= horizon && this.releaseSlots(b, horizon)) continue;
      if (s >= H) break;
      this.sendRequest(b, s);
    }
  }

  /**
   * Frees broker b's slots acknowledged at or before t; a failed request's batches go back to be
   * retried. Returns true if some came back (the sender must look again).
   */
  private releaseSlots(b: number, t: number): boolean {
    const done = this.slotDone[b];
    const alloc = this.slotAlloc[b];
    const failed = this.slotFailed[b];
    let requeued = false;
    let i = 0;
    let m = Infinity;
    let n = this.slotCount[b];
    while (i < n) {
      const d = done[i];
      if (d > t) {
        if (d < m) m = d;
        i++;
        continue;
      }
      const f = failed[i];
      const last = --n;
      done[i] = done[last];
      alloc[i] = alloc[last];
      if (f) {
        failed[i] = failed[last];
        failed[last] = null;
        this.slotCount[b] = n;
        this.retry(f, d);
        requeued = true;
      } else if (failed[last] !== null) {
        failed[i] = failed[last];
        failed[last] = null;
      }
    }
    this.slotCount[b] = n;
    this.minDone[b] = m;
    return requeued;
  }

  /** A failed request's batches, at time `at`: retried after backoff, unless past delivery.timeout.ms. */
  private retry(ids: number[], at: number): void {
    for (const id of ids) {
      const d = this.bCreated[id] + this.deliveryTimeout;
      this.allocQueued += this.bAlloc[id];
      if (d <= at) {
        this.expire(id, d);
        continue;
      }
      const attempts = ++this.bAttempts[id];
      this.retries++;
      this.bReady[id] = at + this.backoff.delay(attempts - 1, this.senderRng());
      const p = this.bPart[id];
      // The leader now, not when the backoff ends: a partition's batches queue only at its
      // current leader (a later change moves them), which the per-broker counts rely on.
      const b = this.brokers.leaderAt(p, at);
      if (b < 0) this.parked.push(id);
      else {
        this.enqueue(b, id);
        if (d < this.nextExpiry[b]) this.nextExpiry[b] = d;
      }
    }
  }

  private expireWaiting(b: number, t: number): void {
    let m = Infinity;
    this.waiting[b].retain((id) => {
      const d = this.bCreated[id] + this.deliveryTimeout;
      if (d <= t) {
        this.dequeued(b, id);
        this.expire(id, d);
        return false;
      }
      if (d < m) m = d;
      return true;
    });
    this.nextExpiry[b] = m;
  }

  /** Batch `id` is rejected `delivery-timeout` at time d. */
  private expire(id: number, d: number): void {
    const p = this.bPart[id];
    this.allocQueued -= this.bAlloc[id];
    this.unsent -= this.bCount[id];
    this.reject('delivery-timeout', d, this.bCount[id]);
    const seq = this.bSeq[id];
    if (seq === this.sendSeq[p]) {
      this.consumed(p, this.bCount[id]);
      this.sendSeq[p] += this.bSpan[id];
      this.skipForward(p);
    } else {
      let m = this.skipped.get(p);
      if (!m) this.skipped.set(p, (m = new Map()));
      m.set(seq, { n: this.bCount[id], span: this.bSpan[id] });
    }
    this.freeBatch(id);
  }

  /** Past sequences of p rejected while an earlier batch was out. */
  private skipForward(p: number): void {
    const m = this.skipped.get(p);
    if (!m) return;
    let e = m.get(this.sendSeq[p]);
    while (e !== undefined) {
      m.delete(this.sendSeq[p]);
      this.consumed(p, e.n);
      this.sendSeq[p] += e.span;
      e = m.get(this.sendSeq[p]);
    }
    if (m.size === 0) this.skipped.delete(p);
  }

  /** The oldest n records of p left the producer (appended or rejected): drop their create times. */
  private consumed(p: number, n: number): void {
    if (this.batched) return;
    this.stStart[p] += n;
    if (this.stStart[p] === this.stEnd[p]) this.stStart[p] = this.stEnd[p] = 0;
  }

  /** Merges batches of id's partition that follow it in sequence into it; returns the bytes added. */
  private mergeFollowers(b: number, id: number, s: number, room: number): number {
    const list = this.waiting[b];
    const p = this.bPart[id];
    let added = 0;
    // Only as far as p's queued batches go.
    let left = this.queued[p];
    for (let i = list.head; i < list.tail && left > 0; i++) {
      const x = list.a[i];
      if (x < 0 || this.bPart[x] !== p) continue;
      left--;
      if (this.bSeq[x] !== this.bSeq[id] + this.bSpan[id]) continue;
      if (this.bReady[x] > s || this.bBytes[id] + this.bBytes[x] > this.batchSize || added + this.bBytes[x] > room) break;
      this.bCount[id] += this.bCount[x];
      this.bBytes[id] += this.bBytes[x];
      this.bLast[id] = this.bLast[x];
      this.bAlloc[id] += this.bAlloc[x];
      this.bSpan[id] += this.bSpan[x];
      added += this.bBytes[x];
      list.removeAt(i);
      this.dequeued(b, x);
      this.freeBatch(x);
    }
    return added;
  }

  /** Scratch for assembling a request: batches taken; eligible batches, their queue positions and round-robin keys. */
  private taken: Int32Array;
  /** Per batch taken: when its partition's high watermark covers it (when that differs by partition). */
  private readonly takenHw: Float64Array;
  private readonly elId: Int32Array;
  private readonly elAt: Int32Array;
  private readonly elKey: Int32Array;

  /** Sends one produce request to broker b at time s with the ready batches it may hold. */
  private sendRequest(b: number, s: number): void {
    const list = this.waiting[b];
    const taken = this.taken;
    let nt = 0;
    let bytes = 0;
    const bPart = this.bPart;
    const bBytes = this.bBytes;
    if (list.size === 1) {
      const id = list.a[list.head];
      taken[nt++] = id;
      bytes = bBytes[id];
      list.removeAt(list.head);
      this.dequeued(b, id);
    } else {
      // Eligible: ready by s and next in its partition's sequence (so one per partition), taken
      // round-robin over partitions from where the last request stopped, up to max.request.size.
      // A partition's next batch sits near the queue's front, so a long queue (a slow broker)
      // is only read a few partitions' worth deep, and further only until one batch is found
      // (after a failover the next in sequence can sit behind many that must wait for it).
      const P = this.nParts;
      const start = this.drainStart[b];
      const e = this.elId;
      const ea = this.elAt;
      const ek = this.elKey;
      let ne = 0;
      const depth = 8 * P + 64;
      const parts = this.partsQueued[b];
      const la = list.a;
      const bReady = this.bReady;
      const bSeq = this.bSeq;
      const sendSeq = this.sendSeq;
      let seen = 0;
      for (let i = list.head, tail = list.tail; i < tail && ne < parts && (seen < depth || ne === 0); i++) {
        const id = la[i];
        if (id < 0) continue;
        seen++;
        const p = bPart[id];
        if (bReady[id] <= s && bSeq[id] === sendSeq[p]) {
          // Kept sorted by position after `start` in partition order (keys are distinct: one
          // batch per partition).
          const k = p >= start ? p - start : p - start + P;
          let j = ne - 1;
          while (j >= 0 && ek[j] > k) {
            e[j + 1] = e[j];
            ea[j + 1] = ea[j];
            ek[j + 1] = ek[j];
            j--;
          }
          e[j + 1] = id;
          ea[j + 1] = i;
          ek[j + 1] = k;
          ne++;
        }
      }
      const maxRequest = this.maxRequest;
      for (let i = 0; i < ne; i++) {
        const id = e[i];
        if (nt > 0 && bytes + bBytes[id] > maxRequest) break;
        taken[nt++] = id;
        bytes += bBytes[id];
        list.removeAt(ea[i]);
        this.dequeued(b, id);
      }
      // A batch that waited for the connection would have kept taking records up to batch.size
      // in Kafka; here those records closed later batches of the same partition behind it, so
      // they join it now (merged while they fit).
      for (let i = 0; i < nt; i++) {
        const id = taken[i];
        if (this.queued[bPart[id]] > 0) bytes += this.mergeFollowers(b, id, s, maxRequest - bytes);
      }
      // advanceBroker sends only when a batch may go: none here is a bookkeeping error, and
      // sending nothing would loop forever at the same instant.
      if (nt === 0) throw new Error(`${this.id}: no batch may go to broker ${b} at ${s} us, though one was due (internal error)`);
      const last = bPart[taken[nt - 1]] + 1;
      this.drainStart[b] = last === P ? 0 : last;
    }
    const brokers = this.brokers;
    const factor = brokers.hasSlowdowns ? brokers.slowdown(b, s) : 1;
    const arrive = s + this.halfRtt;
    const done = brokers.admit(b, arrive, bytes, factor);
    let appendLat: number;
    let replLat: number;
    if (this.batched) {
      if (this.sliceDrawn[b] !== this.sliceId) {
        this.sliceDrawn[b] = this.sliceId;
        this.sliceAppend[b] = this.appendLatency(this.senderRng);
        this.sliceRepl[b] = this.replicated ? this.replicationLatency(this.senderRng) : 0;
      }
      appendLat = this.sliceAppend[b];
      replLat = this.sliceRepl[b];
    } else {
      appendLat = this.appendLatency(this.senderRng);
      replLat = this.replicated ? this.replicationLatency(this.senderRng) : 0;
    }
    const appended = done + appendLat * factor;
    const hw = appended + replLat * factor;
    // A lost replica not yet fenced, or a slowed follower, delays a partition's high watermark:
    // acks=all waits for it, and consumers see the batch only then.
    let hwAll = hw;
    const takenHw = this.takenHw;
    if (brokers.perPartitionHighWatermark) {
      for (let i = 0; i < nt; i++) {
        takenHw[i] = brokers.batchHighWatermark(bPart[taken[i]], appended, replLat, factor);
        if (takenHw[i] > hwAll) hwAll = takenHw[i];
      }
    }
    const acks = this.acks;
    const ack = acks === 0 ? s : acks === 1 ? appended + this.halfRtt : hwAll + this.halfRtt;
    let alloc = 0;
    for (let i = 0; i < nt; i++) alloc += this.bAlloc[taken[i]];
    this.allocQueued -= alloc;
    const quota = this.quotas[b];
    if (quota) {
      const throttle = quota.record(bytes, Math.floor(done / 1000));
      if (throttle > 0) {
        if (throttle > this.maxThrottleMs) this.maxThrottleMs = throttle;
        // The broker answers at once with the throttle time and mutes the connection for it
        // (KIP-219); the client sends nothing more to that broker meanwhile.
        const until = (acks === 0 ? done : ack) + throttle * 1000;
        if (until > this.connUntil[b]) this.connUntil[b] = until;
      }
    }
    // A broker lost before it has answered never answers: the request fails, at once if the
    // loss reset the connection, else when it times out.
    const lost = brokers.hasLosses ? brokers.lostDuring(b, s, acks === 0 ? done : ack) : Infinity;
    if (lost < Infinity) {
      if (acks === 0) {
        // Nobody waits for an answer: the records are gone, and the producer does not know.
        for (let i = 0; i < nt; i++) this.finishBatch(taken[i], 0, 'unacknowledged-loss', s);
        return;
      }
      this.occupySlot(b, brokers.requestFailsAt(b, s, lost, this.halfRtt, this.requestTimeout), alloc, Array.from(taken.subarray(0, nt)));
      return;
    }
    const visible = Math.ceil(hw);
    // acks=all to a partition with fewer in-sync replicas than min.insync.replicas: the leader
    // refuses its batch (NOT_ENOUGH_REPLICAS, `Partition.appendRecordsToLeader`), the others
    // are appended; the refused ones are retried when the answer is back.
    let refused: number[] | null = null;
    if (acks === 'all' && this.minInsync > 1 && brokers.hasFences) {
      let kept = 0;
      for (let i = 0; i < nt; i++) {
        const id = taken[i];
        if (brokers.isrSize(bPart[id], arrive) < this.minInsync) (refused ??= []).push(id);
        else {
          takenHw[kept] = takenHw[i];
          taken[kept++] = id;
        }
      }
      if (kept === 0) {
        this.occupySlot(b, done + this.halfRtt, alloc, refused);
        return;
      }
      nt = kept;
    }
    this.requestsAcked++;
    this.ackTimeSum += ack - s;
    if (hwAll > hw) {
      for (let i = 0; i < nt; i++) this.finishBatch(taken[i], Math.ceil(takenHw[i]));
    } else {
      for (let i = 0; i < nt; i++) this.finishBatch(taken[i], visible);
    }
    if (acks !== 0) this.occupySlot(b, ack, alloc, refused);
  }

  private occupySlot(b: number, done: number, alloc: number, failed: number[] | null): void {
    const i = this.slotCount[b]++;
    if (done < this.minDone[b]) this.minDone[b] = done;
    this.slotDone[b][i] = done;
    this.slotAlloc[b][i] = alloc;
    this.slotFailed[b][i] = failed;
  }

  /** Batch `id` was appended (visible at `visible`), or lost with acks=0. */
  private finishBatch(id: number, visible: number, lostAs?: RejectReason, at = 0): void {
    const p = this.bPart[id];
    const n = this.bCount[id];
    this.unsent -= n;
    if (lostAs) {
      this.reject(lostAs, at, n);
      this.consumed(p, n);
    } else {
      const v = this.batched
        ? this.logs[p].appendSpread(n, this.bBytes[id], visible, this.bFirst[id], this.bLast[id])
        : this.appendExact(p, n, this.bBytes[id], visible);
      this.metrics.appended.add(v, n);
    }
    this.sendSeq[p] += this.bSpan[id];
    if (this.skipped.size > 0) this.skipForward(p);
    this.freeBatch(id);
    if (!lostAs) this.onAppend(p);
  }

  private appendExact(p: number, n: number, bytes: number, visible: number): number {
    const v = this.logs[p].append(this.stage[p], this.stStart[p], n, bytes, visible);
    this.consumed(p, n);
    return v;
  }

  private reject(reason: RejectReason, at: number, n: number): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + n;
    this.metrics.rejected.add(at, n);
  }

  /** Buffer use at the end of every window that ended by t. */
  private recordBuffer(t: number): void {
    const I = this.interval;
    const windows = this.metrics.buffer.windows;
    while (this.bufferWindow < windows) {
      const at = Math.min((this.bufferWindow + 1) * I, this.end);
      if (at >= t) break;
      this.metrics.buffer.add(at - 1, this.bufferUsed(at));
      this.bufferWindow++;
    }
  }
}

/**
 * Batches waiting for a broker, in the order they became ready: removal leaves a hole (-1) so
 * taking from the front of a long queue costs nothing per batch behind it.
 */
class BatchQueue {
  a = new Int32Array(16);
  head = 0;
  tail = 0;
  /** Batches in the queue (holes excluded). */
  size = 0;

  push(id: number): void {
    if (this.tail === this.a.length) this.makeRoom();
    this.a[this.tail++] = id;
    this.size++;
  }

  removeAt(i: number): void {
    this.a[i] = -1;
    this.size--;
    while (this.head < this.tail && this.a[this.head] < 0) this.head++;
    if (this.size === 0) this.head = this.tail = 0;
  }

  /** Keeps the batches for which keep(id) is true, in order. */
  retain(keep: (id: number) => boolean): void {
    let w = 0;
    for (let i = this.head; i < this.tail; i++) {
      const id = this.a[i];
      if (id >= 0 && keep(id)) this.a[w++] = id;
    }
    this.head = 0;
    this.tail = w;
    this.size = w;
  }

  private makeRoom(): void {
    if (this.size * 2 < this.a.length) {
      this.retain(() => true);
      if (this.tail < this.a.length) return;
    }
    const g = new Int32Array(this.a.length * 2);
    g.set(this.a.subarray(0, this.tail));
    this.a = g;
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

/**
 * The application's processing of a poll batch, as a step machine: the code a user runs between
 * two calls to poll() (what a Kafka Streams task or a plain `for (record : poll())` loop does).
 *
 * - Steps: records one after another, each taking `per-record` time and then its per-record
 *   service calls; then `per-batch` time and the per-batch calls (a batched write). A record
 *   ends when the last step that concerns it does: its own calls, or the batch's if the batch has
 *   any. Every record ends in an outcome (`RecordOutcome`); today that is always `done`.
 * - Fidelity `batched`: when a record has no calls of its own and a batch's records all end with
 *   the batch (it has per-batch work), a poll batch's total per-record time is drawn at once as
 *   the sum of its n draws (random/sums.ts: exact for constant, exponential and gamma times; for
 *   lognormal times exact in mean, variance and skewness, and only for batches large enough
 *   that the rest is within 0.5% at p1 to p99.9). Smaller batches, other laws, and batches whose
 *   records end one by one (where each record's own end matters, not only the batch's) draw
 *   each record's time as `exact` does.
 * - Computed ahead of the clock: a call to a service that can never queue (`Service.inline`:
 *   no concurrency limit, or one at least the number of callers that can have a call
 *   outstanding at once; see service.ts) is a latency draw that depends on its start time only
 *   (the service's latency windows), never on other callers. So the steps of a batch whose
 *   calls are all inline are run through at once when the batch starts, with no event per
 *   record or call, and this is exact, not an approximation: the member's own draws come in the
 *   same order as in time order, and each call's latency has the distribution it would have at
 *   its own event. Only a call to a service with a queue stops the machine until its own event
 *   (the queue's order is decided by start times, so it must be simulated in time order). The
 *   condition is the service's to check; if callers are undercounted, latencies are wrong.
 * - Completion times of a batch's records are therefore known when its processing starts (or
 *   resumes after a queued call), so they are recorded then, into the windows they fall in. If
 *   the process dies in the middle of a batch (`abort`), the completions that had not happened
 *   yet are taken back.
 *
 * The poll loop (consumer/member.ts) hands each poll batch over with `add` and `start` and hears
 * back through `ProcessingListener`: which offsets ended, with what outcome, and when the batch
 * is over (so that it can commit and poll again).
 */
import { named, type Simulation } from '../../kernel/simulation.js';
import type { ConsumerGroupSpec } from '../../scenario/schema.js';
import { compile, type Sampler } from '../../random/distributions.js';
import { sumLaw, type SumLaw } from '../../random/sums.js';
import type { Rng } from '../../random/stream.js';
import type { WindowedCounter, WindowedHistogram } from '../../metrics/windows.js';
import type { Histogram } from '../../metrics/histogram.js';
import type { PartitionLog } from '../log.js';
import type { ModelContext } from '../context.js';
import type { Caller, Service } from './service.js';
import type { Sink, SinkHost } from './sink.js';

/**
 * How the application finished with a record. Each outcome gets its own line in the books
 * (consumer/offsets.ts); `failed`, `timed-out`, `dead-lettered` and `shed` are to come.
 */
export type RecordOutcome = 'done';

/** Where processing counts its completions. */
export interface ProcessingMetrics {
  processed: WindowedCounter;
  /** This stage's latency, ticks, by completion time: from the record's create time in the stage's topic to the end of its processing. */
  latency: WindowedHistogram;
  /**
   * End-to-end latency, ticks, by completion time: from the record's origin (the first producer)
   * to the end of its processing; null for a stage that produces onward (its records' ends are
   * not the pipeline's). The same histogram as `latency` when they measure the same thing.
   */
  endToEnd: WindowedHistogram | null;
  /** From create time to being handed to the application by poll(), ticks. */
  inTopic: Histogram;
  /** From being handed over by poll() to the end of processing, ticks. */
  inProcessing: Histogram;
  /** Microseconds the application threads spent processing batches (summed over members), per window. */
  busy: WindowedCounter;
}

/** What the poll loop hears back from processing. */
export interface ProcessingListener {
  /** Offsets [from, to) of partition p ended with `outcome` (counted in the windows already). */
  recordsEnded(p: number, from: number, to: number, outcome: RecordOutcome): void;
  /** Every record of the batch has ended. */
  batchEnded(): void;
}

export class Processing implements Caller, SinkHost {
  private readonly sim: Simulation;
  private readonly end: number;
  private readonly interval: number;
  /** The process died: pending events do nothing. */
  private stopped = false;

  // The poll batch: per record its partition, create and done times; and the batch as runs of
  // consecutive offsets of one partition.
  private readonly bPart: Int32Array;
  private readonly bCreate: Float64Array;
  /** Origin times (the first producer's hand-over); the create times' own array when the topic's records are the pipeline's first. */
  private readonly bOrigin: Float64Array;
  private readonly bDone: Float64Array;
  private bN = 0;
  private bRecorded = 0;
  private readonly runP: Int32Array;
  private readonly runFrom: Float64Array;
  private readonly runTo: Float64Array;
  private nRuns = 0;

  // Where the step machine is: the record, the step within it (0: its own time, then its
  // calls), the step of the batch-level work, and the application's clock.
  private cursor = 0;
  private step = 0;
  private batchStep = 0;
  private t = 0;
  /** When the batch's processing started (its records were handed over). */
  private startedAt = 0;
  private waitingOn: Service | null = null;
  /** The batch runs ahead of the clock (no sink, or none of its sends can block: sink.ts). */
  private ahead = true;
  private readonly sink: Sink | null;
  /** Whether latencies from origin are recorded apart from the stage's own. */
  private readonly separateEndToEnd: boolean;

  private readonly perRecord: Sampler;
  private readonly perRecordZero: boolean;
  private readonly perBatch: Sampler;
  private readonly recordCalls: Service[];
  private readonly batchCalls: Service[];
  private readonly batchLevel: boolean;
  private readonly allInline: boolean;
  /** How the batched fidelity draws a batch's total per-record time at once (random/sums.ts), or null. */
  private readonly cpuSum: SumLaw | null;

  constructor(
    ctx: ModelContext,
    spec: ConsumerGroupSpec['processing'],
    services: Map<string, Service>,
    private readonly rng: Rng,
    private readonly metrics: ProcessingMetrics,
    private readonly listener: ProcessingListener,
    /** Most records in a batch (max.poll.records) and partitions, to size the batch's arrays. */
    maxRecords: number,
    partitions: number,
    /** Names its events in errors. */
    component: string,
    /** Where the stage's processing produces to, or null for the pipeline's last stage. */
    sink: Sink | null = null,
  ) {
    this.sim = ctx.sim;
    this.sink = sink;
    this.separateEndToEnd = metrics.endToEnd !== null && metrics.endToEnd !== metrics.latency;
    this.end = ctx.end;
    this.interval = ctx.interval;
    this.bPart = new Int32Array(maxRecords);
    this.bCreate = new Float64Array(maxRecords);
    this.bOrigin = this.separateEndToEnd || sink !== null ? new Float64Array(maxRecords) : this.bCreate;
    this.bDone = new Float64Array(maxRecords);
    this.runP = new Int32Array(partitions);
    this.runFrom = new Float64Array(partitions);
    this.runTo = new Float64Array(partitions);
    this.perRecord = compile(spec['per-record']);
    this.perRecordZero = spec['per-record'].dist === 'constant' && spec['per-record'].value === 0;
    this.perBatch = compile(spec['per-batch']);
    this.recordCalls = spec.calls.filter((x) => x.per === 'record').map((x) => services.get(x.service)!);
    this.batchCalls = spec.calls.filter((x) => x.per === 'batch').map((x) => services.get(x.service)!);
    const perBatchZero = spec['per-batch'].dist === 'constant' && spec['per-batch'].value === 0;
    this.batchLevel = this.batchCalls.length > 0 || !perBatchZero;
    this.allInline = this.recordCalls.every((s) => s.inline);
    for (const event of ['startCall', 'batchDone', 'sendStep'] as const) named(component, event, this[event]);
    this.cpuSum = ctx.batched && this.recordCalls.length === 0 && this.batchLevel ? sumLaw(spec['per-record']) : null;
  }

  // ---- the batch ------------------------------------------------------------------------

  /** Empties the batch before the poll loop adds the next one. */
  clear(): void {
    this.bN = 0;
    this.nRuns = 0;
  }

  /** Adds k records of partition p from offset `from` (their create times from its log). */
  add(p: number, from: number, k: number, log: PartitionLog): void {
    const n = this.bN;
    log.copyCreateTimes(from, k, this.bCreate, n);
    if (this.bOrigin !== this.bCreate) log.copyOriginTimes(from, k, this.bOrigin, n, this.bCreate);
    // A loop, not TypedArray#fill: that is a call into the runtime, and most runs are a
    // few records long (a consumer keeping up polls one or two at a time).
    const part = this.bPart;
    const done = this.bDone;
    for (let i = n; i < n + k; i++) {
      part[i] = p;
      done[i] = Infinity;
    }
    const r = this.nRuns++;
    this.runP[r] = p;
    this.runFrom[r] = from;
    this.runTo[r] = from + k;
    this.bN = n + k;
  }

  /**
   * Starts processing the batch at `at`: now, or up to a tick earlier when the application comes
   * straight back from its last batch, which ended between two ticks (consumer/member.ts). The
   * kernel's events stay on whole ticks; only this clock keeps the fraction, so back-to-back
   * batches lose nothing. It never goes back before a window's end already sampled (window ends
   * are whole ticks and a window's latencies are closed when it is sampled), which costs under a
   * tick once per window.
   */
  start(at: number): void {
    const now = this.sim.now;
    const windowStart = Math.floor(now / this.interval) * this.interval;
    this.t = at < windowStart ? windowStart : at;
    this.startedAt = this.t;
    this.cursor = 0;
    this.step = 0;
    this.batchStep = 0;
    this.bRecorded = 0;
    const inTopic = this.metrics.inTopic;
    for (let i = 0; i < this.bN; i++) inTopic.record(this.t - this.bCreate[i]);
    this.ahead = this.sink === null || this.sink.prepare(this.bN, this.bPart, this.bOrigin);
    this.process();
  }

  // ---- the step machine -----------------------------------------------------------------

  /** Runs the batch forward from the cursor until it is done or waits on a queued call. */
  private process(): void {
    const n = this.bN;
    const sendsPerRecord = !this.ahead && !this.batchLevel;
    if (this.allInline && this.step === 0 && !sendsPerRecord) {
      this.cursor = this.processInline(this.cursor, n);
    } else {
      const nCalls = this.recordCalls.length;
      while (this.cursor < n) {
        if (this.step === 0) {
          this.t += this.perRecord(this.rng);
          this.step = 1;
        }
        while (this.step <= nCalls) {
          const s = this.recordCalls[this.step - 1];
          if (!s.inline) return this.callLater(s);
          this.t = s.callAt(this.t);
          this.step++;
        }
        // The record's send() calls, each at its own event when one may block (sink.ts).
        if (sendsPerRecord && this.step === nCalls + 1) return this.sendLater();
        this.bDone[this.cursor] = this.t;
        if (!this.batchLevel) this.record(this.cursor, this.t);
        this.cursor++;
        this.step = 0;
      }
    }
    if (this.batchLevel) {
      if (this.batchStep === 0) {
        this.t += this.perBatch(this.rng);
        this.batchStep = 1;
      }
      while (this.batchStep <= this.batchCalls.length) {
        const s = this.batchCalls[this.batchStep - 1];
        if (!s.inline) return this.callLater(s);
        this.t = s.callAt(this.t);
        this.batchStep++;
      }
      if (!this.ahead && this.batchStep === this.batchCalls.length + 1) return this.sendLater();
      this.bDone.fill(this.t, 0, n);
      this.recordAllAt(0, n, this.t);
    }
    if (this.ahead && this.sink !== null) this.sink.flushAhead(this.t);
    this.sim.at(Math.max(this.sim.now, Math.ceil(this.t)), this.batchDone, 0, 1);
  }

  /** The hot loop: every per-record call is inline, so no event is needed per record. */
  private processInline(from: number, n: number): number {
    const rng = this.rng;
    const calls = this.recordCalls;
    const nCalls = calls.length;
    const perRecord = this.perRecord;
    const zero = this.perRecordZero;
    const batchLevel = this.batchLevel;
    const done = this.bDone;
    let t = this.t;
    if (this.cpuSum && n - from >= this.cpuSum.minK && n - from > 1) {
      // Batched fidelity: the batch's total time in one draw; its records end with the batch.
      this.t = t + this.cpuSum.draw(rng, n - from);
      return n;
    }
    for (let i = from; i < n; i++) {
      if (!zero) t += perRecord(rng);
      for (let c = 0; c < nCalls; c++) t = calls[c].callAt(t);
      done[i] = t;
      if (!batchLevel) this.record(i, t);
    }
    this.t = t;
    return n;
  }

  /** A call to a service with a queue: it must start at its own event, in time order. */
  private callLater(s: Service): void {
    this.waitingOn = s;
    this.sim.at(Math.max(this.sim.now, Math.ceil(this.t)), this.startCall, 0, 1);
  }

  /** The record's (or, with per-batch work, the batch's) sends, at their own event. */
  private sendLater(): void {
    if (this.t <= this.sim.now) this.sendStep();
    else this.sim.at(Math.ceil(this.t), this.sendStep, 0, 1);
  }

  private readonly sendStep = (): void => {
    if (this.stopped) return;
    const batch = this.cursor >= this.bN;
    const from = batch ? 0 : this.cursor;
    const to = batch ? this.bN : this.cursor + 1;
    const done = this.sink!.sendBlocking(from, to, this.t, this);
    if (done >= 0) this.sendsDone(done);
  };

  sendsDone(t: number): void {
    if (this.stopped) return;
    // The thread went on at the exact moment memory was freed, up to a tick before this event;
    // never before a window already sampled (as in start()).
    const windowStart = Math.floor(this.sim.now / this.interval) * this.interval;
    this.t = t < windowStart ? windowStart : t;
    if (this.cursor < this.bN) this.step++;
    else this.batchStep++;
    this.process();
  }

  private readonly startCall = (): void => {
    if (this.stopped) return;
    this.waitingOn!.request(this);
  };

  callDone(): void {
    if (this.stopped) return;
    this.t = this.sim.now;
    this.waitingOn = null;
    if (this.cursor < this.bN) this.step++;
    else this.batchStep++;
    this.process();
  }

  /** The exact time the last batch's processing ended (its event is at the tick after). */
  get endedAt(): number {
    return this.t;
  }

  private readonly batchDone = (): void => {
    if (this.stopped) return;
    this.metrics.busy.addInterval(this.startedAt, this.t, 1);
    this.reportRuns(this.bRecorded);
    this.bN = 0;
    this.bRecorded = 0;
    this.listener.batchEnded();
  };

  // ---- completions ----------------------------------------------------------------------

  private cachedWindow = -1;
  private cachedHist: Histogram | undefined;
  private cachedE2e: Histogram | undefined;
  private windowStart = 0;
  private windowEnd = -1;

  /** Points the cached window at the one holding time t (none past the run's end). */
  private enterWindow(t: number): void {
    const interval = this.interval;
    const w = Math.floor(t / interval);
    this.cachedWindow = w;
    this.windowStart = w * interval;
    this.windowEnd = Math.min(this.end, (w + 1) * interval);
    this.cachedHist = t < this.end ? this.metrics.latency.at(t) : undefined;
    this.cachedE2e = this.separateEndToEnd && t < this.end ? this.metrics.endToEnd!.at(t) : undefined;
    if (this.cachedHist === undefined) this.windowEnd = Infinity;
  }

  /** Record i of the batch completes at t: count it and its end-to-end latency. */
  private record(i: number, t: number): void {
    if (t >= this.windowEnd || t < this.windowStart) this.enterWindow(t);
    const h = this.cachedHist;
    if (h === undefined) return;
    h.record(t - this.bCreate[i]);
    if (this.separateEndToEnd) this.cachedE2e!.record(t - this.bOrigin[i]);
    this.metrics.inProcessing.record(t - this.startedAt);
    this.metrics.processed.values[this.cachedWindow]++;
    this.bRecorded++;
    if (this.ahead && this.sink !== null) this.sink.emit(i, i + 1, t);
  }

  /**
   * Records from..to-1 all complete at t (the batch's own work ends them together): the same as
   * calling record() for each, with the window found and the counters bumped once.
   */
  private recordAllAt(from: number, to: number, t: number): void {
    if (from >= to) return;
    if (t >= this.windowEnd || t < this.windowStart) this.enterWindow(t);
    const h = this.cachedHist;
    if (h === undefined) return; // past the run's end
    const create = this.bCreate;
    for (let j = from; j < to; j++) h.record(t - create[j]);
    const e2e = this.cachedE2e;
    if (e2e !== undefined) {
      const origin = this.bOrigin;
      for (let j = from; j < to; j++) e2e.record(t - origin[j]);
    }
    this.metrics.inProcessing.recordN(t - this.startedAt, to - from);
    if (this.ahead && this.sink !== null) this.sink.emit(from, to, t);
    this.metrics.processed.values[this.cachedWindow] += to - from;
    this.bRecorded += to - from;
  }

  /** Tells the listener the offsets of the batch's first k records, which are done. */
  private reportRuns(k: number): void {
    let i = 0;
    for (let r = 0; r < this.nRuns && i < k; r++) {
      const len = this.runTo[r] - this.runFrom[r];
      const n = Math.min(k - i, len);
      this.listener.recordsEnded(this.runP[r], this.runFrom[r], this.runFrom[r] + n, 'done');
      i += len;
    }
    this.nRuns = 0;
  }

  /** Takes back recorded completions later than t (they are a suffix of the batch). */
  private retractAfter(t: number): void {
    let first = this.bRecorded;
    while (first > 0 && this.bDone[first - 1] > t) first--;
    if (first === this.bRecorded) {
      this.reportRuns(this.bRecorded);
      return;
    }
    for (let i = first; i < this.bRecorded; i++) {
      const done = this.bDone[i];
      if (done >= this.end) break;
      this.metrics.latency.at(done)!.remove(done - this.bCreate[i]);
      if (this.separateEndToEnd) this.metrics.endToEnd!.at(done)!.remove(done - this.bOrigin[i]);
      this.metrics.inProcessing.remove(done - this.startedAt);
      this.metrics.processed.values[Math.floor(done / this.interval)]--;
    }
    this.bRecorded = first;
    this.reportRuns(first);
  }

  // ---- the process stops ------------------------------------------------------------------

  /** The process dies now: completions after now did not happen, and nothing more will. */
  abort(now: number): void {
    this.stopped = true;
    if (this.bN > 0) this.metrics.busy.addInterval(this.startedAt, Math.min(now, this.t), 1);
    this.retractAfter(now);
    this.sink?.abort(now);
    this.bN = 0;
    this.bRecorded = 0;
  }

  /** At the run's end: reports what of the current batch completed, keeping the rest as unfinished. */
  settle(): void {
    if (this.stopped || this.bN === 0) return;
    // The batch is still being processed: its thread was busy from its start to the run's end.
    this.metrics.busy.addInterval(this.startedAt, this.end, 1);
    const unfinished = this.unfinishedRuns();
    this.reportRuns(this.bRecorded);
    this.settled = unfinished;
  }

  /** Unfinished offsets at the run's end, after settle(): [p, from, to] triples. */
  settled: number[] = [];

  // ---- observation ----------------------------------------------------------------------

  /** Create time of the first record of partition p in the current batch not completed by t. */
  oldestIncompleteIn(p: number, t: number): number {
    if (this.bN === 0) return Infinity;
    const done = this.bDone;
    // Completion times never decrease along the batch; skip what completed before t.
    let lo = 0;
    let hi = this.bN;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (done[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.bN; i++) if (this.bPart[i] === p) return this.bCreate[i];
    return Infinity;
  }

  /** Offsets of the current batch whose completion is not recorded: [p, from, to] triples. */
  unfinishedRuns(): number[] {
    const out: number[] = [];
    let i = 0;
    for (let r = 0; r < this.nRuns && this.bN > 0; r++) {
      const len = this.runTo[r] - this.runFrom[r];
      const lo = Math.max(this.bRecorded, i);
      if (i + len > lo) out.push(this.runP[r], this.runFrom[r] + (lo - i), this.runTo[r]);
      i += len;
    }
    return out;
  }
}


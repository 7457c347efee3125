/**
 * The producers of one run on a thread of their own, so a single run uses two cores.
 *
 * Why this is exact: nothing the producers do depends on the consumer side. They read only the
 * brokers' timelines (leaders, slowdowns, losses) and their own state, and write to the
 * partition logs only by appending, and a producer's events are its slices alone (each slice
 * schedules the next at its end). So the producers can run ahead on a kernel of their own, and
 * the run replays what each slice appended at a proxy event that stands where that slice would
 * have stood on the run's kernel: scheduled at the same time and priority, by the same earlier
 * event, so in the same order among all events. At the proxy the run appends the slice's
 * batches to the logs in the order the slice did, telling the group after each as the slice
 * did. The run's outputs are byte-identical to running the producers inline (tests check).
 *
 * The stream is a ring of doubles in shared memory: per appended batch [p, n, bytes, visible,
 * then first, last (batched) or the n create times (exact)], and at each slice's end [-1, time
 * of that producer's next slice or -1]. The producer thread blocks while the ring is full, the
 * run while it is empty (Atomics.wait). At the end the thread posts what the run's accounting and
 * summary read from producers, and their windowed metrics.
 *
 * The thread outlives its run: it waits, unreferenced, for the next run of the same process,
 * with its code compiled and its ring mapped, so a caller that runs many scenarios (a study, a
 * benchmark, a program using the library) pays the thread's start-up once, not once per run.
 * A run that fails, on either side, stops it; the next run starts a new one. A run stopped by
 * its limit on blocked callers (model/run-limit.ts) fails on the run's side with the same
 * RunLimitError, rebuilt from its data.
 */
import { Worker, isMainThread, parentPort, receiveMessageOnPort, workerData, MessageChannel, type MessagePort } from 'node:worker_threads';
import { KernelError, Simulation } from '../kernel/simulation.js';
import type { Scenario } from '../scenario/schema.js';
import { SampleWindows, WindowedCounter } from '../metrics/windows.js';
import type { AppendTarget, PartitionLog } from './log.js';
import { Brokers } from './brokers.js';
import { buildProducers, producerOutcome, type ProducerOutcome } from './producer/index.js';
import { asRunLimit, RunLimitError, type BlockedLimit } from './run-limit.js';
import type { ProducerMetrics } from './producer/index.js';

export const PRODUCER_THREAD_ROLE = 'lagsim-producer-thread';

/** Ring capacity in doubles (8 MiB); a power of two. */
const CAPACITY = 1 << 20;
/** Positions are kept modulo this in the shared counters (far above the capacity). */
const WRAP = 1 << 30;
// Control slots (Int32): the writer's published position, the reader's, and the thread's state.
const W = 0;
const R = 1;
const STATE = 2;
const RUNNING = 0;
const DONE = 1;
const FAILED = 2;

/** Publishes a side's position (absolute) in its control slot and wakes the other side. */
function announce(control: Int32Array, slot: number, position: number): void {
  Atomics.store(control, slot, position % WRAP);
  Atomics.notify(control, slot);
}

/** How far position `ahead` is past `behind`, each absolute or as published (modulo WRAP). */
function distance(ahead: number, behind: number): number {
  return (ahead - (behind % WRAP) + WRAP) % WRAP;
}

/** What the producer thread hands back at the end: its producers' outcome and windowed metrics. */
export interface ThreadResult {
  outcome: ProducerOutcome;
  metrics: Record<keyof ProducerMetrics, Float64Array>;
}

type ThreadMessage =
  | ({ kind: 'done' } & ThreadResult)
  | { kind: 'error'; name: string; message: string; stack?: string; limit?: BlockedLimit };

interface ThreadData {
  role: typeof PRODUCER_THREAD_ROLE;
  entry: string;
  control: SharedArrayBuffer;
  ring: SharedArrayBuffer;
}

/** One run's work for the thread, and the port it answers on. */
interface Job {
  scenario: Scenario;
  batched: boolean;
  port: MessagePort;
}

/** A producer thread and the shared memory it writes to. */
interface Handle {
  worker: Worker;
  control: Int32Array;
  ring: Float64Array;
}

/** The thread waiting for this thread's next run, if any. */
let idle: Handle | null = null;
let started = 0;

/** How many producer threads this thread has started (each serves runs until one fails). */
export function producerThreadsStarted(): number {
  return started;
}

function startThread(): Handle {
  started++;
  const control = new SharedArrayBuffer(4 * 4);
  const ring = new SharedArrayBuffer(8 * CAPACITY);
  const here = import.meta.url;
  const fromSources = here.endsWith('.ts');
  const data: ThreadData = { role: PRODUCER_THREAD_ROLE, entry: here, control, ring };
  const worker = new Worker(fromSources ? new URL('../study/boot.mjs', here) : new URL(here), { workerData: data });
  // Neither a run in progress (which waits on the ring) nor an idle thread keeps the process alive.
  worker.unref();
  return { worker, control: new Int32Array(control), ring: new Float64Array(ring) };
}

/**
 * Starts a producer thread for this thread's next run now, so it boots while the caller does
 * other work (the CLI loads its report modules meanwhile); nothing if one is waiting already.
 */
export function prestartProducerThread(): void {
  idle ??= startThread();
}

/** The run's side: hands its producers to the thread and replays their slices. */
export class ProducerThread {
  private readonly handle: Handle;
  private readonly control: Int32Array;
  private readonly ring: Float64Array;
  private readonly port: MessagePort;
  /** Read position (absolute), and the writer's last published position seen (absolute). */
  private r = 0;
  private limit = 0;
  /** An exact-fidelity batch's create times, as read from the ring. */
  private scratch = new Float64Array(1024);

  constructor(
    scenario: Scenario,
    private readonly batched: boolean,
  ) {
    const handle = idle ?? startThread();
    idle = null;
    this.handle = handle;
    this.control = handle.control;
    this.ring = handle.ring;
    // The thread is between runs: both positions start over, and it runs until it says otherwise.
    Atomics.store(this.control, W, 0);
    Atomics.store(this.control, R, 0);
    Atomics.store(this.control, STATE, RUNNING);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const job: Job = { scenario, batched, port: port2 };
    handle.worker.postMessage(job, [port2]);
  }

  /**
   * Replays the next slice's appends into `logs`, calling `appended(p)` after each, as the slice
   * did; returns the time of that producer's next slice, or null.
   */
  replaySlice(logs: readonly PartitionLog[], appended: (p: number) => void): number | null {
    for (;;) {
      const tag = this.next();
      if (tag < 0) {
        const next = this.next();
        this.publishRead();
        return next < 0 ? null : next;
      }
      const p = tag;
      const n = this.next();
      const bytes = this.next();
      const visible = this.next();
      if (this.batched) {
        const first = this.next();
        const last = this.next();
        logs[p].appendSpread(n, bytes, visible, first, last);
      } else {
        if (n > this.scratch.length) this.scratch = new Float64Array(Math.max(n, 2 * this.scratch.length));
        for (let i = 0; i < n; i++) this.scratch[i] = this.next();
        logs[p].append(this.scratch, 0, n, bytes, visible);
      }
      appended(p);
    }
  }

  /** Waits for the thread to finish and returns its producers' outcome and metrics. */
  finish(): ThreadResult {
    while (Atomics.load(this.control, STATE) === RUNNING) Atomics.wait(this.control, STATE, RUNNING, 1000);
    const msg = receiveMessageOnPort(this.port)?.message as ThreadMessage | undefined;
    this.port.close();
    if (!msg) throw new Error('producer thread: ended without an answer');
    if (msg.kind === 'error') throw rebuilt(msg);
    // Done with this run and waiting for the next: kept for it.
    if (idle === null) idle = this.handle;
    else void this.handle.worker.terminate();
    return { outcome: msg.outcome, metrics: msg.metrics };
  }

  /** Stops the thread (a run that failed, on either side: the thread may be mid-run). */
  stop(): void {
    void this.handle.worker.terminate();
  }

  private next(): number {
    if (this.r === this.limit) this.waitForData();
    return this.ring[this.r++ & (CAPACITY - 1)];
  }

  private publishRead(): void {
    announce(this.control, R, this.r);
  }

  private waitForData(): void {
    this.publishRead();
    for (;;) {
      const w = Atomics.load(this.control, W);
      const ahead = distance(w, this.r);
      if (ahead > 0) {
        this.limit = this.r + ahead;
        return;
      }
      const state = Atomics.load(this.control, STATE);
      if (state === FAILED) throw this.failure();
      if (state === DONE) throw new Error('producer thread: the stream ended early');
      Atomics.wait(this.control, W, w, 1000);
    }
  }

  private failure(): Error {
    const msg = receiveMessageOnPort(this.port)?.message as ThreadMessage | undefined;
    return msg && msg.kind === 'error' ? rebuilt(msg) : new Error('producer thread failed');
  }
}

/** The thread's error as the run would have thrown it inline (a KernelError passes the run's kernel unwrapped). */
function rebuilt(msg: { name: string; message: string; stack?: string; limit?: BlockedLimit }): Error {
  if (msg.limit !== undefined) return new RunLimitError(msg.limit);
  const e = msg.name === 'KernelError' ? new KernelError(msg.message) : new Error(msg.message);
  e.name = msg.name;
  if (msg.stack) e.stack = msg.stack;
  return e;
}

/** The thread's side of the ring. */
class Writer {
  private w = 0;
  /** The reader's last published position seen (absolute). */
  private r = 0;

  constructor(
    private readonly control: Int32Array,
    private readonly ring: Float64Array,
  ) {}

  put(x: number): void {
    if (this.w - this.r === CAPACITY) this.waitForRoom();
    this.ring[this.w++ & (CAPACITY - 1)] = x;
  }

  publish(): void {
    announce(this.control, W, this.w);
  }

  private waitForRoom(): void {
    this.publish();
    for (;;) {
      const r = Atomics.load(this.control, R);
      const behind = distance(this.w, r);
      if (behind < CAPACITY) {
        this.r = this.w - behind;
        return;
      }
      Atomics.wait(this.control, R, r, 1000);
    }
  }
}

/** A partition as the producer thread sees it: appends go to the stream. */
class StreamedLog implements AppendTarget {
  private lastVisible = 0;

  constructor(
    private readonly p: number,
    private readonly out: Writer,
  ) {}

  append(times: Float64Array, from: number, n: number, bytes: number, visible: number): number {
    this.header(n, bytes, visible);
    for (let i = from; i < from + n; i++) this.out.put(times[i]);
    return this.visibleFrom(visible);
  }

  appendSpread(n: number, bytes: number, visible: number, first: number, last: number): number {
    this.header(n, bytes, visible);
    this.out.put(first);
    this.out.put(last);
    return this.visibleFrom(visible);
  }

  private header(n: number, bytes: number, visible: number): void {
    this.out.put(this.p);
    this.out.put(n);
    this.out.put(bytes);
    this.out.put(visible);
  }

  /** As PartitionLog: a batch is never visible before the one appended before it. */
  private visibleFrom(visible: number): number {
    const v = visible > this.lastVisible ? visible : this.lastVisible;
    this.lastVisible = v;
    return v;
  }
}

/** The producer thread's body for one run. */
function runJob(job: Job, control: Int32Array, ring: Float64Array): void {
  const port = job.port;
  try {
    const { scenario, batched } = job;
    const out = new Writer(control, ring);
    const sim = new Simulation();
    const end = scenario.duration;
    const interval = scenario['sample-interval'];
    const sampling = new SampleWindows(end, interval);
    // The thread takes only runs whose source producers all write one topic (GraphFacts.producersExogenous).
    const topic = scenario.topics.find((t) => t.name === scenario.producers[0].topic)!;
    const counter = () => new WindowedCounter(sampling);
    const metrics: ProducerMetrics = { produced: counter(), appended: counter(), rejected: counter(), blocked: counter(), buffer: counter() };
    const brokers = new Brokers(scenario.brokers, topic.partitions, topic['replication-factor'], scenario.faults, end);
    const logs = Array.from({ length: topic.partitions }, (_, p) => new StreamedLog(p, out));
    const { producers } = buildProducers({
      scenario,
      sim,
      topic: () => ({ logs, brokers, metrics, onAppend: () => {}, minInsyncReplicas: topic.config['min.insync.replicas'] }),
      onSliceEnd: (next) => {
        out.put(-1);
        out.put(next ?? -1);
        out.publish();
      },
      batched,
    });
    for (const p of producers) p.start();
    sim.run(end);
    for (const p of producers) p.finish(end);
    const outcome = producerOutcome(producers);
    const values = {} as Record<keyof ProducerMetrics, Float64Array>;
    for (const k of Object.keys(metrics) as (keyof ProducerMetrics)[]) values[k] = Float64Array.from(metrics[k].values);
    port.postMessage({ kind: 'done', outcome, metrics: values } satisfies ThreadMessage);
    Atomics.store(control, STATE, DONE);
  } catch (e) {
    const limit = asRunLimit(e);
    const err = limit ?? (e instanceof Error ? e : new Error(String(e)));
    port.postMessage({ kind: 'error', name: err.name, message: err.message, stack: err.stack, limit: limit?.limit } satisfies ThreadMessage);
    Atomics.store(control, STATE, FAILED);
  }
  Atomics.notify(control, STATE);
  Atomics.notify(control, W);
  port.close();
}

if (!isMainThread && (workerData as ThreadData | undefined)?.role === PRODUCER_THREAD_ROLE) {
  const data = workerData as ThreadData;
  const control = new Int32Array(data.control);
  const ring = new Float64Array(data.ring);
  parentPort!.on('message', (job: Job) => runJob(job, control, ring));
}

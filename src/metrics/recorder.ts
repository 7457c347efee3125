/**
 * What a run records, keyed by component id (`topic:orders`, `group:order-processor`,
 * `service:payments`, and `end-to-end`): the windowed counters the components add to as things
 * happen, and the state sampled from the probe at every window's end. Components write only
 * through the counters they are handed; the summary (summarise.ts) reads only what is here.
 *
 * Every per-window value lives in a typed array sized up front from the window count
 * (SampleWindows), so what a run holds grows with its output series and nothing else: no array
 * per sample, no growth by copying, nothing on the JavaScript heap for the collector to walk.
 */
import { WindowedCounter, WindowedHistogram, type SampleWindows } from './windows.js';
import { Histogram } from './histogram.js';

/** What a topic's producers count, per window (ProducerMetrics in the producer's terms). */
export interface TopicCounters {
  produced: WindowedCounter;
  appended: WindowedCounter;
  /** Records rejected, at the time they were. */
  rejected: WindowedCounter;
  /** Microseconds with at least one caller blocked in send(), per window. */
  blocked: WindowedCounter;
  /** Buffer bytes in use at each window's end (summed over producers sharing the counter). */
  buffer: WindowedCounter;
}

/** What a group counts (processing.ts's ProcessingMetrics, and its losses). */
export interface GroupCounters {
  processed: WindowedCounter;
  /** Records lost (deleted by retention before being fetched, skipped by auto.offset.reset), by time. */
  lost: WindowedCounter;
  /** The stage's latency (create time in its topic -> processed), ticks, by completion time. */
  latency: WindowedHistogram;
  /** End-to-end latency (origin -> processed) for a last stage, else null; `latency` itself when its topic is the pipeline's first. */
  endToEnd: WindowedHistogram | null;
  inTopic: Histogram;
  inProcessing: Histogram;
  /** Microseconds of processing, summed over the group's instances, per window. */
  busy: WindowedCounter;
}

/** A group's state at each window's end, from the probe: entry w is window w's sample. */
export class GroupSamples {
  readonly lag: Float64Array;
  readonly maxPartitionLag: Float64Array;
  /** Seconds. */
  readonly lagSeconds: Float64Array;
  /** Lag per partition, window by window: window w's partition p is at w * partitions + p. */
  readonly partitionLag: Float64Array;
  readonly consumers: Int32Array;
  readonly pausedPartitions: Int32Array;
  readonly unownedPartitions: Int32Array;

  constructor(
    windows: number,
    readonly partitions: number,
  ) {
    this.lag = new Float64Array(windows);
    this.maxPartitionLag = new Float64Array(windows);
    this.lagSeconds = new Float64Array(windows);
    this.partitionLag = new Float64Array(windows * partitions);
    this.consumers = new Int32Array(windows);
    this.pausedPartitions = new Int32Array(windows);
    this.unownedPartitions = new Int32Array(windows);
  }

  /** Window w's lag per partition: a view of `partitionLag` the probe fills in place. */
  partitionLagAt(w: number): Float64Array {
    return this.partitionLag.subarray(w * this.partitions, (w + 1) * this.partitions);
  }
}

export class Recorder {
  /** Sample times, seconds: entry w is window w's end, once it has been sampled. */
  readonly time: Float64Array;
  /** Windows sampled so far (`time` and every group's samples hold this many). */
  sampled = 0;
  /** End-to-end latency of records completing the pipeline, ticks, by completion time. */
  readonly endToEnd: WindowedHistogram;
  private readonly topicCounters = new Map<string, TopicCounters>();
  private readonly groupCounters = new Map<string, GroupCounters>();
  private readonly groupSamples = new Map<string, GroupSamples>();

  /** The run's sample windows, which every counter here shares. */
  constructor(readonly sampling: SampleWindows) {
    this.endToEnd = new WindowedHistogram(sampling);
    this.time = new Float64Array(sampling.count);
  }

  /** Starts the sample of the next window, taken at T (ticks): records its time and returns its index. */
  nextSample(T: number): number {
    const w = this.sampled;
    if (w >= this.sampling.count) throw new Error(`internal: sample at t=${T} after all ${this.sampling.count} windows were sampled`);
    this.time[w] = T / 1e6;
    this.sampled = w + 1;
    return w;
  }

  private counter(): WindowedCounter {
    return new WindowedCounter(this.sampling);
  }

  /** The counters of the producers writing topic `name` (made on first use; shared by all of them). */
  producerMetrics(topic: string): TopicCounters {
    const id = `topic:${topic}`;
    let c = this.topicCounters.get(id);
    if (c === undefined) {
      c = { produced: this.counter(), appended: this.counter(), rejected: this.counter(), blocked: this.counter(), buffer: this.counter() };
      this.topicCounters.set(id, c);
    }
    return c;
  }

  /**
   * The counters of group `group` (made on first use). `last`: its records end the pipeline, so
   * their latency from origin is end-to-end latency. `first`: its topic is written by source
   * producers only, so a record's create time is its origin. When both hold and it is the only
   * last stage (`onlyLast`), the stage's latency is the end-to-end figure and one histogram serves
   * both; otherwise every group has its own, and each last stage also records into end-to-end.
   */
  groupMetrics(group: string, shape: { last: boolean; first: boolean; onlyLast: boolean } = { last: true, first: true, onlyLast: true }): GroupCounters {
    const id = `group:${group}`;
    let c = this.groupCounters.get(id);
    if (c === undefined) {
      // Only the pipeline's one last stage, on a topic of source records, measures the same thing twice.
      const shared = shape.last && shape.first && shape.onlyLast;
      const latency = shared ? this.endToEnd : new WindowedHistogram(this.sampling);
      c = {
        processed: this.counter(),
        lost: this.counter(),
        latency,
        endToEnd: shape.last ? this.endToEnd : null,
        inTopic: new Histogram(),
        inProcessing: new Histogram(),
        busy: this.counter(),
      };
      this.groupCounters.set(id, c);
    }
    return c;
  }

  /** Closes every latency histogram's windows that end by T (the clock has reached T: no completion can land in them any more). */
  closeUntil(T: number): void {
    this.endToEnd.closeUntil(T);
    for (const c of this.groupCounters.values()) if (c.latency !== this.endToEnd) c.latency.closeUntil(T);
  }


  /** The samples of group `group`, whose topic has `partitions` partitions (made on first use). */
  samples(group: string, partitions: number): GroupSamples {
    const id = `group:${group}`;
    let s = this.groupSamples.get(id);
    if (s === undefined) {
      s = new GroupSamples(this.sampling.count, partitions);
      this.groupSamples.set(id, s);
    } else if (s.partitions !== partitions) {
      throw new Error(`internal: samples of ${id} asked for with ${partitions} partitions, made with ${s.partitions}`);
    }
    return s;
  }
}

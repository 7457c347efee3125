/**
 * What a run records, keyed by component id (`topic:orders`, `group:order-processor`,
 * `service:payments`, and `end-to-end`): the windowed counters the components add to as things
 * happen, and the state sampled from the probe at every window's end. Components write only
 * through the counters they are handed; the summary (summarise.ts) reads only what is here.
 */
import { WindowedCounter, WindowedHistogram, type SampleWindows } from './windows.js';

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

/** What a group counts, per window; `latency` is the end-to-end histogram when the group ends the pipeline. */
export interface GroupCounters {
  processed: WindowedCounter;
  /** Records lost (deleted by retention before being fetched, skipped by auto.offset.reset), by time. */
  lost: WindowedCounter;
  /** End-to-end latency, ticks, by completion time. */
  latency: WindowedHistogram;
}

/** A group's state at each sample, from the probe. */
export interface GroupSamples {
  lag: number[];
  maxPartitionLag: number[];
  /** Seconds. */
  lagSeconds: number[];
  partitionLag: number[][];
  consumers: number[];
  pausedPartitions: number[];
  unownedPartitions: number[];
}

export class Recorder {
  /** Sample times, seconds. */
  readonly time: number[] = [];
  /** End-to-end latency of records completing the pipeline, ticks, by completion time. */
  readonly endToEnd: WindowedHistogram;
  private readonly topicCounters = new Map<string, TopicCounters>();
  private readonly groupCounters = new Map<string, GroupCounters>();
  private readonly groupSamples = new Map<string, GroupSamples>();

  /** The run's sample windows, which every counter here shares. */
  constructor(readonly sampling: SampleWindows) {
    this.endToEnd = new WindowedHistogram(sampling);
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

  groupMetrics(group: string): GroupCounters {
    const id = `group:${group}`;
    let c = this.groupCounters.get(id);
    if (c === undefined) {
      c = { processed: this.counter(), lost: this.counter(), latency: this.endToEnd };
      this.groupCounters.set(id, c);
    }
    return c;
  }

  samples(group: string): GroupSamples {
    const id = `group:${group}`;
    let s = this.groupSamples.get(id);
    if (s === undefined) {
      s = { lag: [], maxPartitionLag: [], lagSeconds: [], partitionLag: [], consumers: [], pausedPartitions: [], unownedPartitions: [] };
      this.groupSamples.set(id, s);
    }
    return s;
  }
}

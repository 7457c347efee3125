/**
 * What a producer records as it runs: the windowed counters it shares with the run's other
 * producers, and its rejections by reason (each reason its own line in the run's books).
 */
import type { WindowedCounter } from '../../metrics/windows.js';
import type { TopicCounters } from '../../metrics/recorder.js';

export type RejectReason = 'buffer-exhausted' | 'delivery-timeout' | 'retries-exhausted' | 'dropped' | 'unacknowledged-loss';

/** The counters of the producers writing one topic, as the recorder keeps them. */
export type ProducerMetrics = TopicCounters;

/** A producer's rejected records, by reason (in the order the reasons first occurred) and over time. */
export class Rejections {
  readonly byReason: Record<string, number> = {};
  private readonly counter: WindowedCounter;

  constructor(counter: WindowedCounter) {
    this.counter = counter;
  }

  add(reason: RejectReason, at: number, n: number): void {
    this.byReason[reason] = (this.byReason[reason] ?? 0) + n;
    this.counter.add(at, n);
  }
}

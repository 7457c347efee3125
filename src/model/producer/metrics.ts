/**
 * What a producer records as it runs: the windowed counters it shares with the run's other
 * producers, and its rejections by reason (each reason its own line in the run's books).
 */
import type { WindowedCounter } from '../../metrics/windows.js';

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

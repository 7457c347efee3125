/**
 * The run's books (docs/definitions.md, "The books"): every record offered is rejected by a
 * producer, still in a producer, or appended; every record appended is processed, lost (by
 * reason), still in the log, or in processing at the end. A run whose books do not balance fails
 * with ConservationError, which carries the books as they stood.
 */
import type { Accounting } from './result.js';

export class ConservationError extends Error {
  constructor(
    message: string,
    readonly accounting: Accounting,
  ) {
    super(message);
    this.name = 'ConservationError';
  }
}

/** offered = rejected + appended + in producer; appended = processed + lost + in log + in processing. */
export function checkConservation(a: Accounting): void {
  const sum = (r: Record<string, number>) => Object.values(r).reduce((s, v) => s + v, 0);
  const producerSide = sum(a.rejected) + a.appended + a.inProducer;
  const consumerSide = a.processed + sum(a.lost) + a.inLog + a.inProcessing;
  if (producerSide !== a.offered || consumerSide !== a.appended) {
    throw new ConservationError(
      `records unaccounted for: offered ${a.offered} vs rejected+appended+in producer ${producerSide}; ` +
        `appended ${a.appended} vs processed+lost+in log+in processing ${consumerSide}`,
      a,
    );
  }
}

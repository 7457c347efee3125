/**
 * Exponential backoff with jitter, as Kafka's `org.apache.kafka.common.utils.ExponentialBackoff`
 * (KIP-580): the n-th retry (n from 0) waits base x multiplier^n, capped, times a uniform factor
 * in [1 - jitter, 1 + jitter), capped again. The producer's `retry.backoff.ms` and
 * `retry.backoff.max.ms` use it with multiplier 2 and jitter 0.2, as the Java client does.
 *
 * The random factor comes from a draw the caller makes (one uniform in [0, 1) per delay), so the
 * caller's stream decides which draws are spent, and a retry that needs no delay spends none.
 */
export class ExponentialBackoff {
  private readonly base: number;
  private readonly multiplier: number;
  private readonly max: number;
  private readonly low: number;
  private readonly width: number;

  /** `max` below `base` is raised to it (Kafka: `retry.backoff.max.ms` never shortens `retry.backoff.ms`). */
  constructor(base: number, max: number, multiplier = 2, jitter = 0.2) {
    if (!(base >= 0) || !(multiplier >= 1) || !(jitter >= 0 && jitter < 1)) {
      throw new Error(`ExponentialBackoff: base ${base} must be >= 0, multiplier ${multiplier} >= 1, jitter ${jitter} in [0, 1)`);
    }
    this.base = base;
    this.multiplier = multiplier;
    this.max = Math.max(max, base);
    this.low = 1 - jitter;
    this.width = 2 * jitter;
  }

  /** The delay before retry `attempt` (0 for the first retry), given a uniform draw u in [0, 1). */
  delay(attempt: number, u: number): number {
    const term = Math.min(this.max, this.base * this.multiplier ** attempt);
    return Math.min(this.max, term * (this.low + this.width * u));
  }
}

/**
 * A client quota as a Kafka broker enforces it (`producer_byte_rate`, `consumer_byte_rate`):
 * bytes are recorded into a rate over `quota.window.num` (11) samples of
 * `quota.window.size.seconds` (1 s), and a request that takes the observed rate above the quota
 * earns a throttle time that would bring the rate back to the quota if nothing else arrived.
 *
 * Followed from Kafka's sources (the arithmetic, not the code):
 * - `SampledStat`: a sample is complete once it has lasted the sample window; the next record
 *   starts a new one, recycling the oldest of samples + 1 slots. A sample whose last event is at
 *   least samples x window old is obsolete and reset before any measurement.
 * - `Rate.windowSize`: the rate's denominator is the time since the oldest retained sample
 *   started, raised to at least (samples - 1) full windows (as if absent samples were zeros).
 * - `QuotaUtils.throttleTime`: throttle = (observed - quota) / quota x window size, rounded to
 *   whole milliseconds. `ClientQuotaManager.recordAndGetThrottleTimeMs` records first, then
 *   checks, so the request that crosses the quota is itself throttled (a produce request's data
 *   is still taken; a fetch is answered empty and its bytes unrecorded, `unrecord`).
 *
 * Times are milliseconds, as the broker's clock reads them; callers convert from ticks.
 */

export const QUOTA_SAMPLES = 11;
export const QUOTA_WINDOW_MS = 1000;

export class ClientQuota {
  private readonly start: number[] = [];
  private readonly lastEvent: number[] = [];
  private readonly value: number[] = [];
  private current = 0;

  constructor(
    /** The quota, bytes per second. */
    readonly bound: number,
    readonly samples = QUOTA_SAMPLES,
    readonly windowMs = QUOTA_WINDOW_MS,
  ) {}

  /** Records `bytes` at `timeMs` and returns the throttle time in ms (0 within the quota). */
  record(bytes: number, timeMs: number): number {
    if (this.start.length === 0) this.addSample(timeMs);
    if (timeMs - this.start[this.current] >= this.windowMs) this.advance(timeMs);
    this.value[this.current] += bytes;
    // A record from a little in the past (another instance's request of the same slice) still
    // counts in the current sample; the sample's last event never moves back.
    if (timeMs > this.lastEvent[this.current]) this.lastEvent[this.current] = timeMs;
    const observed = this.rate(timeMs);
    if (observed <= this.bound) return 0;
    return Math.round(((observed - this.bound) / this.bound) * this.windowSize(timeMs));
  }

  /**
   * Takes back the `bytes` just recorded, at the same time (`unrecordQuotaSensor`): a fetch
   * the broker throttles is answered with no records, so its bytes do not count.
   */
  unrecord(bytes: number): void {
    this.value[this.current] -= bytes;
  }

  /** The observed rate at `timeMs`, bytes per second. */
  rate(timeMs: number): number {
    this.purge(timeMs);
    let total = 0;
    for (const v of this.value) total += v;
    return total / (this.windowSize(timeMs) / 1000);
  }

  /** The rate's window in ms: since the oldest retained sample began, at least samples - 1 windows. */
  windowSize(timeMs: number): number {
    this.purge(timeMs);
    if (this.start.length === 0) return (this.samples - 1) * this.windowMs;
    let oldest = this.start[0];
    for (const s of this.start) if (s < oldest) oldest = s;
    let elapsed = timeMs - oldest;
    const full = Math.floor(elapsed / this.windowMs);
    if (full < this.samples - 1) elapsed += (this.samples - 1 - full) * this.windowMs;
    return elapsed;
  }

  private addSample(timeMs: number): void {
    this.start.push(timeMs);
    this.lastEvent.push(timeMs);
    this.value.push(0);
  }

  private advance(timeMs: number): void {
    // One slot more than the sample count, so a whole `samples` of history survives the switch.
    this.current = (this.current + 1) % (this.samples + 1);
    if (this.current >= this.start.length) {
      this.addSample(timeMs);
    } else {
      this.reset(this.current, timeMs);
    }
  }

  private purge(timeMs: number): void {
    const expire = this.samples * this.windowMs;
    for (let i = 0; i < this.start.length; i++) {
      if (timeMs - this.lastEvent[i] >= expire) this.reset(i, timeMs);
    }
  }

  private reset(i: number, timeMs: number): void {
    this.start[i] = timeMs;
    this.lastEvent[i] = timeMs;
    this.value[i] = 0;
  }
}

/**
 * The produce requests a producer has in flight, per broker: at most
 * `max.in.flight.requests.per.connection` to each (`InFlightRequests` in the Java client's
 * NetworkClient). A request's whole timeline is drawn when it is sent, so its slot holds when it
 * will be answered, the buffer.memory its batches hold until then, and, for a request that will
 * fail, its batches, to be retried once the failure is known.
 */
export class InFlightRequests {
  readonly done: Float64Array[];
  readonly alloc: Float64Array[];
  /** A failed request's batches per slot (null for a request that succeeds). */
  readonly failed: (number[] | null)[][];
  readonly count: Int32Array;
  /** Earliest answer among broker b's requests (Infinity when none). */
  readonly minDone: Float64Array;
  /** Filled by release(): the failed requests it freed, their batches and when they failed. */
  readonly failedBatches: number[][] = [];
  readonly failedAt: number[] = [];

  constructor(brokers: number, maxInFlight: number) {
    this.done = Array.from({ length: brokers }, () => new Float64Array(maxInFlight));
    this.alloc = Array.from({ length: brokers }, () => new Float64Array(maxInFlight));
    this.failed = Array.from({ length: brokers }, () => new Array<number[] | null>(maxInFlight).fill(null));
    this.count = new Int32Array(brokers);
    this.minDone = new Float64Array(brokers).fill(Infinity);
  }

  /** A request to broker b, answered at `done`, holding `alloc` bytes; `failed`: its batches if it fails. */
  occupy(b: number, done: number, alloc: number, failed: number[] | null): void {
    const i = this.count[b]++;
    if (done < this.minDone[b]) this.minDone[b] = done;
    this.done[b][i] = done;
    this.alloc[b][i] = alloc;
    this.failed[b][i] = failed;
  }

  /**
   * Frees broker b's slots answered at or before t. Returns how many of them failed; their
   * batches and failure times are then in failedBatches and failedAt, in slot order.
   */
  release(b: number, t: number): number {
    const done = this.done[b];
    const alloc = this.alloc[b];
    const failed = this.failed[b];
    let nFailed = 0;
    let i = 0;
    let m = Infinity;
    let n = this.count[b];
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
        this.failedBatches[nFailed] = f;
        this.failedAt[nFailed++] = d;
      } else if (failed[last] !== null) {
        failed[i] = failed[last];
        failed[last] = null;
      }
    }
    this.count[b] = n;
    this.minDone[b] = m;
    return nFailed;
  }

  /** `u` plus the bytes held at t by requests not yet answered. */
  addHeldAt(u: number, t: number): number {
    for (let b = 0; b < this.count.length; b++) {
      const done = this.done[b];
      const a = this.alloc[b];
      for (let i = 0; i < this.count[b]; i++) if (done[i] > t) u += a[i];
    }
    return u;
  }

  /** The first answer after t that frees memory (a failed request's batches keep theirs), or Infinity. */
  nextRelease(t: number): number {
    let m = Infinity;
    for (let b = 0; b < this.count.length; b++) {
      const done = this.done[b];
      for (let i = 0; i < this.count[b]; i++) if (done[i] > t && done[i] < m && this.failed[b][i] === null) m = done[i];
    }
    return m;
  }
}

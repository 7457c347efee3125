/**
 * The discrete-event kernel: a clock and an agenda of callbacks, nothing else.
 *
 * Simulated time is an integer number of ticks (lagsim's models use microseconds). The agenda
 * is a binary heap ordered by (time, priority, sequence): lower priority runs first at equal
 * times, and the insertion sequence breaks every remaining tie, so a run is repeatable bit for
 * bit (the same rule as SimPy's `(time, priority, eid)` queue). Entries live in typed arrays and
 * are recycled through a free list, so scheduling allocates nothing once the agenda has grown.
 *
 * Callbacks receive one number (an index, an id) chosen by whoever scheduled them; models keep
 * their own state and bind their callbacks once. No promises: the microtask queue would be a
 * second, unordered agenda.
 */

export type Callback = (arg: number) => void;

/** Returned by schedule; pass it to cancel. Encodes the slot and its sequence number. */
export type EventHandle = number;

const SLOT_BITS = 2 ** 22;

/**
 * Gives a callback a name of the form "component: event", which an error thrown inside it
 * carries (with the simulated time), so a failure says who failed, when, and doing what.
 */
export function named<T extends Callback>(component: string, event: string, callback: T): T {
  Object.defineProperty(callback, 'name', { value: `${component}: ${event}` });
  return callback;
}

export class KernelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KernelError';
  }
}

export class Simulation {
  /** Current simulated time in ticks. */
  now = 0;
  /** Events executed so far (cancelled ones excluded). */
  executed = 0;

  private time = new Float64Array(64);
  private priority = new Int32Array(64);
  private seq = new Float64Array(64);
  private arg = new Float64Array(64);
  private callback: (Callback | undefined)[] = new Array(64);
  private cancelled = new Uint8Array(64);
  private heap = new Int32Array(64);
  private size = 0;
  private free: number[] = [];
  private nextSlot = 0;
  private nextSeq = 0;

  /** Runs `callback(arg)` after `delay` ticks (an integer >= 0). */
  schedule(delay: number, callback: Callback, arg = 0, priority = 0): EventHandle {
    if (!(delay >= 0) || !Number.isInteger(delay)) {
      throw new KernelError(`schedule: delay must be an integer >= 0 ticks, got ${delay} at t=${this.now}`);
    }
    return this.push(this.now + delay, callback, arg, priority);
  }

  /** Runs `callback(arg)` at absolute time `time` (an integer >= now). */
  at(time: number, callback: Callback, arg = 0, priority = 0): EventHandle {
    if (!(time >= this.now) || !Number.isInteger(time)) {
      throw new KernelError(`at: time must be an integer >= now (${this.now}), got ${time}`);
    }
    return this.push(time, callback, arg, priority);
  }

  /** Cancels a pending event; cancelling one that already ran or was cancelled does nothing. */
  cancel(handle: EventHandle): void {
    const slot = handle % SLOT_BITS;
    if (slot < this.nextSlot && this.seq[slot] === Math.floor(handle / SLOT_BITS) && this.callback[slot]) {
      this.cancelled[slot] = 1;
    }
  }

  /** Time of the next pending event, or Infinity. */
  peek(): number {
    this.dropCancelledHead();
    return this.size > 0 ? this.time[this.heap[0]] : Infinity;
  }

  /** Pending events (cancelled ones not yet dropped included). */
  get pending(): number {
    return this.size;
  }

  /**
   * Executes every event whose time is < `until`, in order, then sets the clock to `until`.
   * An exception thrown by a callback is rethrown wrapped with the time and the callback's name.
   */
  run(until: number): void {
    if (!(until >= this.now)) throw new KernelError(`run: until (${until}) is before now (${this.now})`);
    // The arrays are read through `this` each time: a callback may schedule enough to grow them.
    while (this.size > 0) {
      const slot = this.heap[0];
      const t = this.time[slot];
      if (t >= until) break;
      this.popHead();
      const cb = this.callback[slot];
      if (cb === undefined) throw new KernelError(`event slot ${slot} at t=${t} has no callback (agenda corrupted)`);
      const a = this.arg[slot];
      const wasCancelled = this.cancelled[slot] === 1;
      this.release(slot);
      if (wasCancelled) continue;
      this.now = t;
      this.executed++;
      try {
        cb(a);
      } catch (err) {
        if (err instanceof KernelError) throw err;
        const what = cb.name ? cb.name.replace(/^bound /, '') : 'an event';
        const msg = err instanceof Error ? err.message : String(err);
        throw new KernelError(`at t=${t} in ${what}: ${msg}`, { cause: err });
      }
    }
    this.now = until;
  }

  private push(t: number, callback: Callback, arg: number, priority: number): EventHandle {
    if (typeof callback !== 'function') throw new KernelError(`schedule: callback is ${typeof callback}, not a function`);
    const slot = this.free.length > 0 ? this.free.pop()! : this.grow();
    const s = this.nextSeq++;
    this.time[slot] = t;
    this.priority[slot] = priority;
    this.seq[slot] = s;
    this.arg[slot] = arg;
    this.callback[slot] = callback;
    this.cancelled[slot] = 0;
    let i = this.size++;
    if (i >= this.heap.length) this.heap = growInt32(this.heap);
    const heap = this.heap;
    // Sift up.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(slot, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = slot;
    return s * SLOT_BITS + slot;
  }

  private popHead(): void {
    const heap = this.heap;
    const last = heap[--this.size];
    const n = this.size;
    let i = 0;
    // Sift the last entry down from the root.
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.before(heap[r], heap[l]) ? r : l;
      if (!this.before(heap[c], last)) break;
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = last;
  }

  private before(a: number, b: number): boolean {
    const ta = this.time[a];
    const tb = this.time[b];
    if (ta !== tb) return ta < tb;
    const pa = this.priority[a];
    const pb = this.priority[b];
    if (pa !== pb) return pa < pb;
    return this.seq[a] < this.seq[b];
  }

  private dropCancelledHead(): void {
    while (this.size > 0 && this.cancelled[this.heap[0]] === 1) {
      const slot = this.heap[0];
      this.popHead();
      this.release(slot);
    }
  }

  private release(slot: number): void {
    this.callback[slot] = undefined;
    this.free.push(slot);
  }

  private grow(): number {
    const slot = this.nextSlot++;
    if (slot >= SLOT_BITS) throw new KernelError(`more than ${SLOT_BITS} events pending at t=${this.now}`);
    if (slot >= this.time.length) {
      const n = this.time.length * 2;
      this.time = growF64(this.time, n);
      this.seq = growF64(this.seq, n);
      this.arg = growF64(this.arg, n);
      const p = new Int32Array(n);
      p.set(this.priority);
      this.priority = p;
      const c = new Uint8Array(n);
      c.set(this.cancelled);
      this.cancelled = c;
      this.callback.length = n;
    }
    return slot;
  }
}

function growF64(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

function growInt32(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

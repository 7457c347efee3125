/**
 * The callers blocked in one producer's send(), FIFO (the `waiters` deque of the Java client's
 * BufferPool): each its arrival time, partition and record size.
 *
 * Held compactly, because when records arrive faster than the brokers take them there are up to
 * the rate times max.block.ms of them: in chunks of typed arrays, the first small (a producer
 * that blocks for a moment holds a few KiB) and each next one twice the last up to a fixed size,
 * so growing never copies and a chunk is given back as soon as its callers have left. 12 bytes
 * a caller (time and partition), 20 in a chunk whose callers' sizes differ (a chunk keeps one
 * size while they are all alike, always so in the batched fidelity and with a constant
 * record-size). Every chunk is charged to the run's BlockedMemory, which stops the run when
 * they would take too much (model/run-limit.ts).
 */
import type { BlockedLimit, BlockedMemory } from '../run-limit.js';

/** Bytes a blocked caller takes at least (time and partition), and with a size of its own. */
export const CALLER_BYTES = 12;
export const CALLER_BYTES_SIZED = 20;
const MIN_CHUNK = 256;
const MAX_CHUNK = 1 << 16;

class Chunk {
  readonly t: Float64Array;
  readonly p: Int32Array;
  /** Sizes, once they differ; until then every caller's size is `size`. */
  s: Float64Array | null = null;
  size = 0;
  /** Callers written, and the next to leave. */
  end = 0;
  head = 0;

  constructor(readonly capacity: number) {
    this.t = new Float64Array(capacity);
    this.p = new Int32Array(capacity);
  }
}

/** The producer a Waiters belongs to, as a RunLimitError names it. */
export type WaitersOwner = Omit<BlockedLimit, 'time' | 'callers' | 'bytes' | 'limit'>;

export class Waiters {
  length = 0;
  private chunks: Chunk[] = [];
  /** The first chunk and the last (the same while there is one). */
  private first: Chunk | null = null;
  private last: Chunk | null = null;
  private readonly memory: BlockedMemory;
  private readonly owner: WaitersOwner;

  constructor(memory: BlockedMemory, owner: WaitersOwner) {
    this.memory = memory;
    this.owner = owner;
    memory.register(this);
  }

  /** A caller arrived at t with a record for partition p of `size` bytes. */
  push(t: number, p: number, size: number): void {
    let c = this.last;
    if (c === null || c.end === c.capacity) c = this.grow(t, c === null ? MIN_CHUNK : Math.min(MAX_CHUNK, 2 * c.capacity));
    const i = c.end;
    if (c.s !== null) c.s[i] = size;
    else if (i === 0) c.size = size;
    else if (size !== c.size) {
      this.memory.take((CALLER_BYTES_SIZED - CALLER_BYTES) * c.capacity, t, this.owner);
      c.s = new Float64Array(c.capacity).fill(c.size, 0, i);
      c.s[i] = size;
    }
    c.t[i] = t;
    c.p[i] = p;
    c.end = i + 1;
    this.length++;
  }

  firstArrival(): number {
    const c = this.first!;
    return c.t[c.head];
  }

  firstPartition(): number {
    const c = this.first!;
    return c.p[c.head];
  }

  firstSize(): number {
    const c = this.first!;
    return c.s === null ? c.size : c.s[c.head];
  }

  /** The first caller was served or gave up. */
  shift(): void {
    const c = this.first!;
    c.head++;
    this.length--;
    if (c.head === c.end && c.end === c.capacity) {
      this.chunks.shift();
      this.release(c);
      this.first = this.chunks.length > 0 ? this.chunks[0] : null;
      if (this.first === null) this.last = null;
    }
  }

  /** No caller is left: every chunk is given back. */
  clear(): void {
    for (const c of this.chunks) this.release(c);
    this.chunks = [];
    this.first = this.last = null;
    this.length = 0;
  }

  private grow(t: number, capacity: number): Chunk {
    this.memory.take(CALLER_BYTES * capacity, t, this.owner);
    const c = new Chunk(capacity);
    this.chunks.push(c);
    this.first ??= c;
    this.last = c;
    return c;
  }

  private release(c: Chunk): void {
    this.memory.give((c.s === null ? CALLER_BYTES : CALLER_BYTES_SIZED) * c.capacity);
  }
}

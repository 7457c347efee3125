/**
 * The memory a run may give to callers blocked in send(), and the error that stops a run which
 * would take more.
 *
 * A source producer's arrivals do not wait for send(): every record that arrives while
 * `buffer.memory` is exhausted becomes a blocked caller, held until memory frees up or
 * `max.block.ms` runs out. When records arrive faster than the brokers take them, up to the rate
 * times max.block.ms callers wait at once (10^9 records/s for 60 s is 6 x 10^10 of them). The
 * producers hold them compactly (producer/waiters.ts) and charge what they hold to the run's
 * `BlockedMemory`; when that would pass the limit, the run stops with a RunLimitError that says
 * which producer, when, how many callers, how much memory, and the knobs that change it. The
 * limit keeps a run's blocked callers, with the rest of what the estimate counts
 * (model/estimate.ts), under MAX_RUN_BYTES, and under MAX_BLOCKED_BYTES however small the rest:
 * a study runs one run per core in one process.
 *
 * A RunLimitError is an input problem, not a fault of the model: the CLI says it and exits 2.
 * It crosses threads (the producer thread, the study pool's workers) as its `limit`, plain data.
 */
import { KernelError } from '../kernel/simulation.js';
import { formatBytes, formatCount, formatSeconds } from '../report/format.js';

/** The most memory one run's blocked callers may take, whatever the rest of the run needs. */
export const MAX_BLOCKED_BYTES = 512 * 2 ** 20;
/** The least they may take: a run the estimate puts near its own limit can still block a little. */
export const MIN_BLOCKED_BYTES = 16 * 2 ** 20;

/** The blocked callers' limit of a run whose other needs are at least `restBytes` (the estimate's bytes) out of `runBytes`. */
export function blockedLimit(restBytes: number, runBytes: number): number {
  return Math.max(MIN_BLOCKED_BYTES, Math.min(MAX_BLOCKED_BYTES, runBytes - restBytes));
}

/** What stopped the run, as plain data (it crosses threads as such). */
export interface BlockedLimit {
  /** The producer (its name in the scenario) whose caller found the memory taken. */
  producer: string;
  /** That producer's instances, and the instance ("web-3"), when more than one. */
  instances: number;
  instance: string;
  /** The producer's highest rate (records/s, all instances), and what each of its blocked callers takes (bytes). */
  rate: number;
  bytesPerCaller: number;
  /** The producer's settings, as the message names them: bytes, microseconds. */
  bufferMemory: number;
  maxBlock: number;
  /** Simulated time of that caller's arrival, microseconds. */
  time: number;
  /** Callers blocked in send() across the run's producers then. */
  callers: number;
  /** Bytes they would need, with the caller that arrived. */
  bytes: number;
  limit: number;
}

/** A run stopped because its blocked callers would take more memory than it may use. */
export class RunLimitError extends Error {
  constructor(
    readonly limit: BlockedLimit,
    /** The run of a study it stopped (the pool's label for it), if any. */
    readonly run?: string,
  ) {
    super((run === undefined ? '' : `run ${run}: `) + blockedLimitMessage(limit));
    this.name = 'RunLimitError';
  }
}

/**
 * The RunLimitError that stopped a run, as itself: the kernel wraps what an event throws with
 * the event's time and name, which suits a fault of the model, not a limit of the scenario.
 */
export function asRunLimit(e: unknown): RunLimitError | undefined {
  if (e instanceof RunLimitError) return e;
  return e instanceof KernelError && e.cause instanceof RunLimitError ? e.cause : undefined;
}

/** The message of a RunLimitError, for the scenario's author (in the words of the estimate's refusals). */
export function blockedLimitMessage(l: BlockedLimit): string {
  const who = l.instances > 1 ? `producer ${l.producer} (instance ${l.instance} of ${l.instances})` : `producer ${l.producer}`;
  // What the producer's rate could make wait at once: every record of max.block.ms.
  const could = (l.rate * l.maxBlock) / 1e6;
  return (
    `expected a run that fits in memory: at ${formatSeconds(l.time / 1e6)} of simulated time ${formatCount(l.callers)} callers were blocked in send(), ` +
    `as many as a run may hold (${formatBytes(l.limit)}), and more were arriving at ${who}: ` +
    `at its rate (${formatCount(l.rate)} records/s) up to ${formatCount(could)} callers could wait at once, each for up to max.block.ms (${formatSeconds(l.maxBlock / 1e6)}), ` +
    `${formatBytes(could * l.bytesPerCaller)} to hold them. Its records arrive faster than the brokers take them: lower its rate, raise the brokers' max-bytes-in-per-second, ` +
    `shorten max.block.ms, enlarge buffer.memory (${formatBytes(l.bufferMemory)}), or set on-buffer-full: drop`
  );
}

/** Who is charged: a producer instance's blocked callers, and how many they are now. */
export interface BlockedHolder {
  readonly length: number;
}

/**
 * The memory one run's blocked callers hold, summed over its producers; `take` throws a
 * RunLimitError when a holder's next allocation would pass the limit.
 */
export class BlockedMemory {
  /** Bytes held now. */
  bytes = 0;
  private readonly holders: BlockedHolder[] = [];

  constructor(readonly limit: number) {}

  /** A holder whose callers are counted in the message. */
  register(holder: BlockedHolder): void {
    this.holders.push(holder);
  }

  /** `who` needs `bytes` more at time t, for a caller arriving then: taken, or the run stops. */
  take(bytes: number, t: number, who: Omit<BlockedLimit, 'time' | 'callers' | 'bytes' | 'limit'>): void {
    const total = this.bytes + bytes;
    if (total > this.limit) {
      let callers = 0;
      for (const h of this.holders) callers += h.length;
      throw new RunLimitError({ ...who, time: t, callers, bytes: total, limit: this.limit });
    }
    this.bytes = total;
  }

  give(bytes: number): void {
    this.bytes -= bytes;
  }
}

/**
 * A consumer group's books: per partition the committed offset (what the group coordinator
 * stores, `__consumer_offsets`), the fetch offset and the position (the client's
 * SubscriptionState), the done frontier, what was lost and how often records were processed.
 *
 * - Commits: the coordinator keeps the highest offset accepted per partition (whether a commit
 *   is accepted at all is the protocol's call; see coordinator.ts). The log may release what is
 *   below it.
 * - Done frontier (`doneHigh`): first offset no member has completed yet; everything below is
 *   processed or lost. Records processed again below it (by the next owner after a rebalance,
 *   from the last accepted commit) are duplicates: duplicates = completions - distinct offsets.
 * - Losses: a fetch below the log start returns OFFSET_OUT_OF_RANGE and the consumer resets by
 *   `auto.offset.reset` (FetchCollector.java): `earliest` loses only what retention deleted,
 *   `latest` skips everything still retained too. A record is lost when it is certain nobody
 *   will process it: when processing resumes past it after a reset, or at the run's end if
 *   nobody holds it then. Not when it is deleted or skipped: a member may hold it then, fetched
 *   and not yet processed, and go on to process it, even after it has left the group.
 *
 * Every record that ends gets its line here by outcome (today only `done`).
 */
import type { Simulation } from '../../kernel/simulation.js';
import type { ConsumerGroupSpec } from '../../scenario/schema.js';
import type { WindowedCounter } from '../../metrics/windows.js';
import type { PartitionLog } from '../log.js';
import type { RecordOutcome } from '../app/processing.js';

export class Offsets {
  /** Committed offset per partition (the coordinator's). */
  readonly committed: Float64Array;
  /** Next offset to fetch, per partition. */
  readonly fetchOffset: Float64Array;
  /** Next offset to hand to the application, per partition. */
  readonly position: Float64Array;
  /** First offset no member has completed yet (everything below is processed or lost). */
  readonly doneHigh: Float64Array;
  /** Distinct offsets processed. */
  unique = 0;
  /** Completions of offsets processed before. */
  duplicates = 0;
  readonly lost = { retention: 0, 'offset-reset': 0 };

  /** Per partition, the runs of offsets [from, to) a `latest` reset skipped while they were still in the log. */
  private readonly skippedByReset = new Map<number, [number, number][]>();
  /** Per partition, offsets above the done frontier counted lost at the run's end. */
  private readonly lostAtEnd: Float64Array;

  constructor(
    private readonly sim: Simulation,
    private readonly logs: PartitionLog[],
    private readonly lostCounter: WindowedCounter,
    private readonly reset: ConsumerGroupSpec['config']['auto.offset.reset'],
    /** Who consumes each partition now (null: nobody), read live from the group. */
    private readonly consumer: readonly (object | null)[],
  ) {
    const P = logs.length;
    this.committed = new Float64Array(P);
    this.fetchOffset = new Float64Array(P);
    this.position = new Float64Array(P);
    this.doneHigh = new Float64Array(P);
    this.lostAtEnd = new Float64Array(P);
  }

  /** Offsets [from, to) of partition p ended with `outcome`. */
  recordsEnded(p: number, from: number, to: number, _outcome: RecordOutcome): void {
    const high = this.doneHigh[p];
    if (to <= high) {
      this.duplicates += to - from;
      return;
    }
    if (from < high) {
      this.duplicates += high - from;
      this.unique += to - high;
    } else {
      if (from > high) this.loseSkipped(p, high, from, this.sim.now, true);
      this.unique += to - from;
    }
    this.doneHigh[p] = to;
  }

  /** An accepted commit of these (partition, offset) pairs. */
  commit(snapshot: number[]): void {
    for (let i = 0; i < snapshot.length; i += 2) {
      const p = snapshot[i];
      if (snapshot[i + 1] > this.committed[p]) {
        this.committed[p] = snapshot[i + 1];
        this.logs[p].release(this.committed[p]);
      }
    }
  }

  // ---- retention: lost records and offset resets ------------------------------------------

  /**
   * Offsets [lo, hi) of p that nobody processed and nobody will: processing resumed past them
   * after a reset (`strict`), or the run ended. Below the log start, retention deleted them
   * (never fetched, or fetched by a member revoked before processing them, so that the next
   * owner, fetching from the last commit, found them gone); in a run a `latest` reset skipped,
   * the reset did. They are lost now. Anything else is still in the log: an internal error when
   * processing jumped over it (`strict`), left alone at the run's end. Returns how many were lost.
   */
  private loseSkipped(p: number, lo: number, hi: number, at: number, strict: boolean): number {
    const start = this.logs[p].logStartOffset;
    let deleted = Math.max(0, Math.min(hi, start) - lo);
    let skipped = 0;
    for (const [a, b] of this.skippedByReset.get(p) ?? []) {
      const from = Math.max(a, lo, start);
      const to = Math.min(b, hi);
      if (to > from) skipped += to - from;
    }
    const rest = hi - lo - deleted - skipped;
    if (strict && rest > 0) throw new Error(`internal: partition ${p}'s processing jumped over ${rest} offsets in ${Math.max(lo, start)}..${hi - 1} still in the log`);
    if (deleted + skipped === 0) return 0;
    this.lost.retention += deleted;
    this.lost['offset-reset'] += skipped;
    this.lostCounter.add(at, deleted + skipped);
    return deleted + skipped;
  }

  /** OFFSET_OUT_OF_RANGE for p: where the consumer fetches from now, by auto.offset.reset. */
  offsetOutOfRange(p: number): number {
    const log = this.logs[p];
    const start = log.logStartOffset;
    if (this.reset === 'earliest') return start;
    // latest: everything still retained is skipped (lost once processing resumes past it).
    const end = log.endOffsetBefore(this.sim.now + 1);
    if (end > start) {
      // Log starts and ends only grow, so a reset's run starts at or after the last one's start.
      const runs = this.skippedByReset.get(p) ?? this.skippedByReset.set(p, []).get(p)!;
      const last = runs[runs.length - 1];
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else runs.push([start, end]);
    }
    return Math.max(start, end);
  }

  // ---- at the run's end -------------------------------------------------------------------

  /**
   * At the run's end: what lies above the done frontier, below the log start or in a run a
   * reset skipped, that nobody holds (`unfinished`: the members' unfinished runs, [p, from, to]
   * triples) will never be processed, and is lost now.
   */
  settle(end: number, unfinished: readonly number[][]): void {
    const at = Math.max(0, end - 1);
    const heldBy = new Map<number, [number, number][]>();
    for (const r of unfinished) for (let i = 0; i < r.length; i += 3) (heldBy.get(r[i]) ?? heldBy.set(r[i], []).get(r[i])!).push([r[i + 1], r[i + 2]]);
    for (let p = 0; p < this.logs.length; p++) {
      let limit = this.logs[p].logStartOffset;
      for (const [, b] of this.skippedByReset.get(p) ?? []) limit = Math.max(limit, b);
      let from = this.doneHigh[p];
      if (limit <= from) continue;
      const held = (heldBy.get(p) ?? []).sort((x, y) => x[0] - y[0]);
      for (const [a, b] of held) {
        if (a >= limit) break;
        if (a > from) this.lostAtEnd[p] += this.loseSkipped(p, from, a, at, false);
        from = Math.max(from, b);
      }
      if (from < limit) this.lostAtEnd[p] += this.loseSkipped(p, from, limit, at, false);
    }
  }

  /** Offsets of p processed or lost (the done frontier, and what was lost above it at the end). */
  accountedOffsets(p: number): number {
    return this.doneHigh[p] + this.lostAtEnd[p];
  }

  /**
   * Records handed to the application and not completed at the end, not counted elsewhere:
   * the union of the members' unfinished runs ([p, from, to] triples) above the done frontier.
   */
  inProcessing(unfinished: readonly number[][], leo: (p: number) => number): number {
    const ranges = new Map<number, [number, number][]>();
    for (const r of unfinished) {
      for (let i = 0; i < r.length; i += 3) {
        const p = r[i];
        const lo = Math.max(r[i + 1], this.doneHigh[p]);
        const hi = Math.min(r[i + 2], leo(p));
        if (hi > lo) (ranges.get(p) ?? ranges.set(p, []).get(p)!).push([lo, hi]);
      }
    }
    let n = 0;
    for (const list of ranges.values()) {
      list.sort((a, b) => a[0] - b[0]);
      let end = -Infinity;
      for (const [lo, hi] of list) {
        const from = Math.max(lo, end);
        if (hi > from) n += hi - from;
        end = Math.max(end, hi);
      }
    }
    return n;
  }
}

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
 *   `latest` skips everything still retained too. Retention deleting records nobody has fetched
 *   yet loses them. Each loss is a gap above the frontier, jumped over once processing reaches
 *   it, so "done or lost" stays a prefix of the log. Records a revoked member had fetched but not
 *   processed, deleted before the next owner re-reads them, are lost when its reset jumps them.
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

  /**
   * Per partition, runs of offsets [from, to) above everything processed that will never be
   * processed (deleted before being fetched, or skipped by a reset), in offset order.
   */
  private readonly gaps = new Map<number, [number, number][]>();

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
      if (from > high) this.skipped(p, high, from);
      this.unique += to - from;
    }
    this.doneHigh[p] = to;
    if (this.gaps.size > 0) this.closeGap(p);
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

  /** First offset of p not yet fetched by whoever consumes it (or not yet processed, if nobody does). */
  private frontier(p: number): number {
    const gaps = this.gaps.get(p);
    const high = Math.max(this.doneHigh[p], gaps && gaps.length > 0 ? gaps[gaps.length - 1][1] : 0);
    return this.consumer[p] ? Math.max(high, this.fetchOffset[p]) : high;
  }

  private lose(p: number, from: number, to: number, reason: 'retention' | 'offset-reset'): void {
    if (to <= from) return;
    this.lost[reason] += to - from;
    this.lostCounter.add(this.sim.now, to - from);
    let gaps = this.gaps.get(p);
    if (!gaps) this.gaps.set(p, (gaps = []));
    const last = gaps[gaps.length - 1];
    if (last && last[1] === from) last[1] = to;
    else gaps.push([from, to]);
    this.closeGap(p);
  }

  /**
   * Processing of p resumes at `hi`, above the frontier `lo`: a reset moved the position past
   * records that nobody processed. They had been fetched (so retention did not count them lost
   * when it deleted them) by a member that was revoked before processing them, and the next
   * owner, fetching from the last commit, found them gone (OFFSET_OUT_OF_RANGE). What no gap
   * counts already is lost now: to retention below the log start, to the reset above it
   * (`latest` skips what is still retained).
   */
  private skipped(p: number, lo: number, hi: number): void {
    const start = this.logs[p].logStartOffset;
    let at = lo;
    const count = (a: number, b: number) => {
      const deleted = Math.max(0, Math.min(b, start) - a);
      const skipped = b - a - deleted;
      if (skipped > 0 && this.reset === 'earliest') throw new Error(`internal: partition ${p}'s processing jumped over offsets ${Math.max(a, start)}..${b - 1}, which are still in the log`);
      this.lost.retention += deleted;
      this.lost['offset-reset'] += skipped;
      this.lostCounter.add(this.sim.now, b - a);
    };
    for (const [a, b] of this.gaps.get(p) ?? []) {
      if (a >= hi) break;
      if (a > at) count(at, a);
      at = Math.max(at, b);
    }
    if (hi > at) count(at, hi);
  }

  private closeGap(p: number): void {
    const gaps = this.gaps.get(p);
    if (!gaps) return;
    while (gaps.length > 0 && this.doneHigh[p] >= gaps[0][0]) {
      this.doneHigh[p] = Math.max(this.doneHigh[p], gaps[0][1]);
      gaps.shift();
    }
    if (gaps.length === 0) this.gaps.delete(p);
  }

  /** Retention deleted [from, to) of p: what no one had fetched yet is lost. */
  deleted(p: number, from: number, to: number): void {
    this.lose(p, Math.max(from, this.frontier(p)), to, 'retention');
  }

  /** OFFSET_OUT_OF_RANGE for p: where the consumer fetches from now, by auto.offset.reset. */
  offsetOutOfRange(p: number): number {
    const log = this.logs[p];
    const start = log.logStartOffset;
    if (this.reset === 'earliest') return start;
    // latest: everything still retained is skipped.
    const end = log.endOffsetBefore(this.sim.now + 1);
    this.lose(p, Math.max(start, this.frontier(p)), end, 'offset-reset');
    return Math.max(start, end);
  }

  // ---- at the run's end -------------------------------------------------------------------

  /** Offsets of p processed or lost (everything below is accounted for). */
  accountedOffsets(p: number): number {
    let n = this.doneHigh[p];
    for (const [from, to] of this.gaps.get(p) ?? []) n += to - from;
    return n;
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

/**
 * The group's application instances over time: one API for what starts and stops processes —
 * `crash`, `scaleTo` and `roll` — which the scenario's faults (consumer-crash, scale,
 * rolling-restart) call today and a controller (an autoscaler) may call later.
 *
 * - An instance runs in a slot (0-based, stable across restarts); a new process in a slot is a
 *   new Member that joins the group (JoinGroup half a round trip away). A static member
 *   (`group.instance.id`) keeps its instance id, `<id>-<slot>`, across processes.
 * - Crash: the process stops at once, with no commit and no LeaveGroup; the coordinator notices
 *   when its session expires (group.ts). Completions it had not reached did not happen.
 * - Clean shutdown (scale-in, a rolling restart's stop): at the end of the batch being
 *   processed, or now if idle, the member commits (with auto-commit on), then a dynamic member
 *   sends LeaveGroup after the commit's round trip (ConsumerCoordinator.close,
 *   AbstractCoordinator.maybeLeaveGroup); a static member sends nothing and is removed when its
 *   session expires, unless its replacement comes back first.
 * - Rolling restart: slot after slot, each down for `downtime` after it shut down, the next one
 *   stopped `interval` after the previous one is back.
 *
 * Each change is marked on the timeline with its reason when it is made.
 */
import type { Simulation } from '../../kernel/simulation.js';
import type { FaultSpec } from '../../scenario/schema.js';
import type { MarkedEvent } from '../../metrics/result.js';
import type { Member } from './member.js';

/** What starting and stopping processes needs from the group. */
export interface LifecycleHost {
  readonly sim: Simulation;
  readonly oneWay: number;
  readonly marks: MarkedEvent[];
  /** A new process for `slot`, not yet in the group. */
  newMember(slot: number): Member;
  /** Whether the coordinator counts m among the members. */
  isMember(m: Member): boolean;
  stopConsuming(m: Member, p: number): void;
  joinArrives(m: Member): void;
  leaveArrives(m: Member, reason: string): void;
  /** The coordinator removes m once its session expires, counted from its silence at t. */
  expireAfterSilence(m: Member, t: number): void;
  note(label: string): void;
}

export class Lifecycle {
  /** Running processes by application slot (null while an instance is down). */
  readonly slots: (Member | null)[] = [];
  /** Every process the group ever ran. */
  readonly everyone: Member[] = [];

  private readonly sim: Simulation;
  private readonly afterClose = new Map<Member, () => void>();

  constructor(
    private readonly host: LifecycleHost,
    private readonly autoCommit: boolean,
  ) {
    this.sim = host.sim;
  }

  /** A process for `slot` (the group's members at the start, and every restart). */
  launch(slot: number): Member {
    const m = this.host.newMember(slot);
    this.slots[slot] = m;
    this.everyone.push(m);
    return m;
  }

  /** Schedules the group's faults before `end`: consumer crashes, rolling restarts, scaling. */
  scheduleFaults(faults: FaultSpec[], end: number): void {
    for (const f of faults) {
      if (f.at >= end) continue;
      switch (f.type) {
        case 'consumer-crash':
          this.sim.at(f.at, () => this.crash(f.member, f['restart-after'], `consumer ${f.member} crashes`), 0, 1);
          break;
        case 'rolling-restart':
          this.sim.at(f.at, () => this.roll(f.interval, f.downtime, 'rolling restart begins'), 0, 1);
          break;
        case 'scale':
          this.sim.at(f.at, () => this.scaleTo(f.instances, `scale to ${f.instances} consumers`), 0, 1);
          break;
      }
    }
  }

  // ---- the API ----------------------------------------------------------------------------

  /** The process in `slot` dies now; a new one starts `restartAfter` later (never when undefined). */
  crash(slot: number, restartAfter: number | undefined, reason: string): void {
    this.mark(reason);
    const m = this.slots[slot];
    if (!m || m.dead) return;
    const host = this.host;
    host.note('member crashed');
    for (const p of [...m.consuming]) host.stopConsuming(m, p);
    m.kill();
    this.slots[slot] = null;
    if (host.isMember(m)) host.expireAfterSilence(m, this.sim.now);
    if (restartAfter !== undefined) this.sim.schedule(restartAfter, () => this.startInstance(slot), 0, 1);
  }

  /** Runs n instances: starts the missing slots, shuts the highest ones down cleanly (scale-in). */
  scaleTo(n: number, reason: string): void {
    this.mark(reason);
    const running = this.slots.length;
    for (let s = running; s < n; s++) this.startInstance(s);
    for (let s = running - 1; s >= n; s--) {
      const m = this.slots[s];
      if (m) this.requestClose(m);
    }
    if (n < running) this.slots.length = Math.max(n, 0);
  }

  /** Restarts every slot in turn, each down for `downtime`, the next `interval` after it is back. */
  roll(interval: number, downtime: number, reason: string): void {
    this.mark(reason);
    this.rollFrom(0, interval, downtime);
  }

  /** A clean shutdown of m now: what poll() does for a member asked to close. */
  close(m: Member): void {
    if (m.dead) return;
    const host = this.host;
    m.closing = false;
    const then = this.afterClose.get(m);
    this.afterClose.delete(m);
    if (then) this.sim.schedule(0, then, 0, 1);
    host.note('member shut down');
    if (this.autoCommit && !m.outOfGroup) m.sendCommit();
    for (const p of [...m.consuming]) host.stopConsuming(m, p);
    m.kill();
    if (this.slots[m.slot] === m) this.slots[m.slot] = null;
    if (!host.isMember(m)) return;
    if (m.instanceId) {
      host.expireAfterSilence(m, this.sim.now);
    } else {
      // The commit goes first; LeaveGroup follows on the same connection.
      this.sim.schedule(3 * host.oneWay, () => host.leaveArrives(m, 'shutdown'), 0, 1);
    }
  }

  // ---- steps ------------------------------------------------------------------------------

  private mark(reason: string): void {
    this.host.marks.push({ timeSeconds: this.sim.now / 1e6, kind: 'fault', label: reason });
  }

  /** A new process in `slot` joins the group. */
  private startInstance(slot: number): void {
    if (this.slots[slot]) return;
    const m = this.launch(slot);
    this.host.note('member started');
    m.awaitingAssignment = true;
    this.sim.schedule(this.host.oneWay, () => this.host.joinArrives(m), 0, 1);
  }

  private rollFrom(slot: number, interval: number, downtime: number): void {
    if (slot >= this.slots.length) return;
    const back = () => {
      this.startInstance(slot);
      this.sim.schedule(interval, () => this.rollFrom(slot + 1, interval, downtime), 0, 1);
    };
    const m = this.slots[slot];
    if (m) this.requestClose(m, () => this.sim.schedule(downtime, back, 0, 1));
    else this.sim.schedule(downtime, back, 0, 1);
  }

  /** A clean shutdown at the end of the batch being processed (or now, if idle); then `then`. */
  private requestClose(m: Member, then?: () => void): void {
    m.closing = true;
    if (then) this.afterClose.set(m, then);
    if (!m.busy) this.close(m);
  }
}

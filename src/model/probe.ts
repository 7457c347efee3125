/**
 * The state of the graph at a time T, read the way Kafka's tools read it: per group on its topic,
 * the lag of each partition (log end offset before T - committed offset, as the admin client's
 * listConsumerGroupOffsets against listOffsets reports it), the group's sum and max, the age of
 * the oldest record not yet processed (lag seconds), the members, and the partitions paused or
 * unowned; per service, the calls in flight and waiting.
 *
 * The recorder samples the graph through this at every window's end, and controllers (an
 * autoscaler's scaler reading lag) will read the same; nothing else reaches into components for
 * figures. A read also checks what must always hold of offsets: a committed offset never goes
 * back, and neither it nor a fetch position passes the log end.
 */
import { formatDuration } from '../scenario/units.js';
import type { Graph, GroupNode } from './topology.js';

/** One group's lag state at T. `partitionLag` is the caller's `into`, or a fresh array the caller may keep. */
export interface GroupState {
  partitionLag: Float64Array;
  lag: number;
  maxPartitionLag: number;
  /** Age of the oldest appended, unprocessed record, ticks (0 when none). */
  lagAge: number;
  members: number;
  pausedPartitions: number;
  unownedPartitions: number;
}

/** A service's calls at T; `inFlight` is null for a service computed inline (GraphFacts.maxCallers). */
export interface ServiceState {
  inFlight: number | null;
  queued: number;
}

export class Probe {
  /** Per group, the committed offsets seen at the last read (they may never go back). */
  private readonly lastCommitted: Float64Array[];

  constructor(private readonly graph: Graph) {
    this.lastCommitted = graph.groups.map((g) => new Float64Array(g.topic.partitions));
  }

  /** Group `index`'s state at T; its partitions' lag is written into `into` when given (the recorder's row for the window). */
  group(index: number, T: number, into?: Float64Array): GroupState {
    const node: GroupNode = this.graph.groups[index];
    const { group } = node;
    const logs = node.topic.logs;
    const P = logs.length;
    const last = this.lastCommitted[index];
    const row = into ?? new Float64Array(P);
    if (row.length !== P) throw new Error(`internal: ${row.length} cells for the lag of ${P} partitions of ${node.topic.name}`);
    let sum = 0;
    let max = 0;
    let oldest = 0;
    for (let p = 0; p < P; p++) {
      const leo = logs[p].endOffsetBefore(T);
      const committed = group.committed[p];
      const position = group.position[p];
      if (committed < last[p]) {
        throw new Error(`committed offset went back on partition ${p} of ${node.topic.name} (group ${node.name}) at t=${formatDuration(T)}`);
      }
      if (committed > leo || position > leo) {
        throw new Error(`partition ${p} of ${node.topic.name} (group ${node.name}) at t=${formatDuration(T)}: committed ${committed} or position ${position} beyond log end ${leo}`);
      }
      last[p] = committed;
      const lag = leo - committed;
      row[p] = lag;
      sum += lag;
      if (lag > max) max = lag;
      const age = group.oldestUnprocessedAge(p, T, leo);
      if (age > oldest) oldest = age;
    }
    const { paused, unowned } = group.pausedAndUnowned();
    return { partitionLag: row, lag: sum, maxPartitionLag: max, lagAge: oldest, members: group.membersInGroup(), pausedPartitions: paused, unownedPartitions: unowned };
  }

  /** The service's calls now (a probe of services reads the clock's present, not a past T). */
  service(index: number): ServiceState {
    const s = this.graph.services[index].service;
    return { inFlight: s.inFlightNow, queued: s.queuedNow };
  }
}

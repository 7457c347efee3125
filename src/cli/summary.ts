/**
 * The few lines `sim` prints after a run: what a reader needs before opening the report.
 */
import type { RunResult } from '../metrics/result.js';
import { formatCount, formatExact, formatMs, formatSeconds } from '../report/format.js';

export function formatSummary(r: RunResult, reportPath: string): string {
  const s = r.summary;
  const a = s.accounting;
  const lost = Object.entries(a.lost).filter(([, n]) => n > 0);
  const rejected = Object.entries(a.rejected).filter(([, n]) => n > 0);
  const byReason = (xs: [string, number][]) => (xs.length === 0 ? 'none' : xs.map(([k, n]) => `${formatExact(n)} ${k}`).join(', '));
  const lines = [
    `${r.scenario.title} (${r.scenario.name}, seed ${r.scenario.seed}, ${formatSeconds(r.scenario.durationSeconds)} simulated, single run)`,
    `  records          ${formatCount(a.offered)} offered, ${formatCount(a.processed)} processed`,
    `  peak lag         ${formatCount(s.lag.peakRecords)} records at ${formatSeconds(s.lag.peakAtSeconds)} (max partition ${formatCount(s.lag.maxPartitionLagRecords)})`,
    `  peak lag (time)  ${formatSeconds(s.lag.peakSeconds)} behind`,
    `  time to drain    ${s.lag.timeToDrainSeconds === null ? 'did not drain within the run' : `${formatSeconds(s.lag.timeToDrainSeconds)} after the peak (to 10% of it)`}`,
    `  latency e2e      p50 ${formatMs(s.latency.p50Ms)}, p95 ${formatMs(s.latency.p95Ms)}, p99 ${formatMs(s.latency.p99Ms)}, max ${formatMs(s.latency.maxMs)}`,
    `  rejected         ${byReason(rejected)}`,
    `  lost             ${byReason(lost)}`,
    `  report           ${reportPath}`,
  ];
  return lines.join('\n') + '\n';
}

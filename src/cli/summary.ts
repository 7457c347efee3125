/**
 * The few lines `sim` prints after a run: what a reader needs before opening the report.
 */
import { mainStage, type RunResult } from '../metrics/result.js';
import type { Estimate, Replicated } from '../metrics/study.js';
import { formatCount, formatExact, formatMs, formatSeconds } from '../report/format.js';

/**
 * The figures are those of the run's first stage (its first group and the topic it reads) and
 * the end-to-end latency. With replications (more than one run), `r` is their median and its
 * summary the first run's;
 * the header says so and the key figures follow as means with their 95% intervals.
 */
export function formatSummary(r: RunResult, reportPath: string, replicated?: Replicated): string {
  const s = r.summary;
  const stage = mainStage(r);
  const lag = stage.groupSummary.lag;
  const latency = s.endToEnd.latency;
  const producer = stage.topicSummary.producer;
  const a = s.accounting;
  const lost = Object.entries(a.lost).filter(([, n]) => n > 0);
  const rejected = Object.entries(a.rejected).filter(([, n]) => n > 0);
  const byReason = (xs: [string, number][]) => (xs.length === 0 ? 'none' : xs.map(([k, n]) => `${formatExact(n)} ${k}`).join(', '));
  const runs = replicated?.runs.length ?? 1;
  const how = runs > 1 ? `${runs} replications, seeds ${replicated!.seeds.join(', ')}; figures of the first run, means below` : 'single run';
  const lines = [
    `${r.scenario.title} (${r.scenario.name}, seed ${r.scenario.seed}, ${formatSeconds(r.scenario.durationSeconds)} simulated, ${how})`,
    `  records          ${formatCount(a.offered)} offered, ${formatCount(a.processed)} processed`,
    `  peak lag         ${formatCount(lag.peakRecords)} records at ${formatSeconds(lag.peakAtSeconds)} (max partition ${formatCount(lag.maxPartitionLagRecords)})`,
    `  peak lag (time)  ${formatSeconds(lag.peakSeconds)} behind`,
    `  time to drain    ${lag.timeToDrainSeconds === null ? 'did not drain within the run' : `${formatSeconds(lag.timeToDrainSeconds)} after the peak (to 10% of it)`}`,
    `  latency e2e      p50 ${formatMs(latency.p50Ms)}, p95 ${formatMs(latency.p95Ms)}, p99 ${formatMs(latency.p99Ms)}, max ${formatMs(latency.maxMs)}`,
    `  rejected         ${byReason(rejected)}`,
    `  lost             ${byReason(lost)}`,
  ];
  // A pipeline: one line per stage, the first stage's figures above being only its own.
  const groups = Object.entries(s.groups);
  if (groups.length > 1) {
    const width = Math.max(...groups.map(([n]) => n.length));
    lines.splice(2, 0, '  stages (peak lag, behind, stage p99, busy):');
    groups.forEach(([name, gs], i) => {
      const blocked = gs.produces !== null ? s.topics[gs.produces]?.producer.blockedSeconds ?? 0 : 0;
      lines.splice(
        3 + i,
        0,
        `    ${name.padEnd(width)}  ${formatCount(gs.lag.peakRecords)} records, ${formatSeconds(gs.lag.peakSeconds)}, p99 ${formatMs(gs.latency.p99Ms)}, ${Math.round(gs.busyFraction * 100)}% busy` +
          (blocked > 0 ? `, send() blocked ${formatSeconds(blocked)}` : ''),
      );
    });
    lines.splice(3 + groups.length, 0, `  first stage (${stage.group}):`);
  }
  // What went wrong in the group and the producer, when something did (the report has it all).
  const g = stage.groupSummary;
  if (g.rebalances > 0 || g.pausedPartitionSeconds > 0) {
    const paused = g.pausedPartitionSeconds > 0 ? `; partitions not consumed ${formatSeconds(g.pausedPartitionSeconds)} partition-time, longest ${formatSeconds(g.longestPartitionPauseSeconds)}` : '';
    lines.push(`  rebalances       ${formatExact(g.rebalances)} (${formatExact(g.membershipChanges)} membership changes)${paused}`);
  }
  if (g.duplicates > 0) lines.push(`  duplicates       ${formatExact(g.duplicates)} processed again after a rebalance or crash`);
  if (producer.blockedSeconds > 0) lines.push(`  send() blocked   ${formatSeconds(producer.blockedSeconds)} (all producer instances)`);
  if (producer.retries > 0) lines.push(`  retries          ${formatExact(producer.retries)} batches sent again after a failed produce request`);
  if (replicated && runs > 1) {
    const e = replicated.estimates;
    const lagAt = `groups.${stage.group}.lag`;
    const ci = (est: Estimate | undefined, f: (v: number) => string) =>
      est === undefined ? 'n/a' : `${f(est.mean)} [${f(est.low)}, ${f(est.high)}]${est.n < runs ? ` (${est.n} of ${runs} runs)` : ''}`;
    lines.push(
      `  mean of ${runs} runs [95% CI]:`,
      `    peak lag         ${ci(e[`${lagAt}.peakRecords`], formatCount)} records`,
      `    peak lag (time)  ${ci(e[`${lagAt}.peakSeconds`], formatSeconds)}`,
      `    time to drain    ${ci(e[`${lagAt}.timeToDrainSeconds`], formatSeconds)}`,
      `    latency p99      ${ci(e['endToEnd.latency.p99Ms'], formatMs)}`,
    );
  }
  lines.push(`  report           ${reportPath}`);
  return lines.join('\n') + '\n';
}

/**
 * The benchmark behind `npm run bench`. It prints figures; it asserts nothing, because timings
 * on a shared 2-core machine vary and a timed test would flake.
 *
 * (a) M/M/1 through the real model (scenario -> producer -> log -> consumer poll loop), exact
 *     fidelity, ~1M records: records/s and kernel events/s of simulate(), median of 5 runs.
 * (b) flash-sale (~99M records, batched fidelity): simulate() and writeReport() in-process, and
 *     the whole `sim scenarios/flash-sale.yaml` command including Node's start-up, median of 3.
 * Targets (issue 2): (a) >= 3M records/s; (b) the whole run, charts included, <= 5 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseScenario, loadScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/model/pipeline.js';
import { writeReport } from '../../src/report/index.js';

const root = path.resolve(import.meta.dirname, '../..');

const MM1 = `
name: bench-mm1
seed: 1
duration: 1112s
sample-interval: 1s
fidelity: exact
network: { rtt: 0ms }
brokers: { append-latency: 0ms, replication-latency: 0ms }
topics: [{ name: t, partitions: 1 }]
producers: [{ name: p, topic: t, rate: 900/s, arrivals: poisson, config: { linger.ms: 0 } }]
consumer-groups:
  - { name: g, topic: t, instances: 1, processing: { per-record: { dist: exponential, mean: 1ms } } }
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));

export async function bench(args: string[]): Promise<void> {
  const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice(7) ?? 0);
  const out = mkdtempSync(path.join(os.tmpdir(), 'lagsim-bench-'));
  try {
    // (a)
    const mm1 = parseScenario(MM1, 'bench-mm1.yaml');
    simulate(mm1); // warm-up: the first run pays for JIT compilation
    const a: { ms: number; records: number; events: number }[] = [];
    for (let i = 0; i < (runs || 5); i++) {
      const t = performance.now();
      const r = simulate(mm1);
      a.push({ ms: performance.now() - t, records: r.summary.accounting.processed, events: r.summary.kernelEvents });
    }
    const aMs = median(a.map((x) => x.ms));
    console.log(`(a) M/M/1, exact, ${fmt(a[0].records)} records, ${fmt(a[0].events)} kernel events, ${a.length} runs`);
    console.log(`    simulate: median ${aMs.toFixed(0)} ms (${a.map((x) => x.ms.toFixed(0)).join(', ')})`);
    console.log(`    ${fmt(a[0].records / (aMs / 1000))} records/s, ${fmt(a[0].events / (aMs / 1000))} events/s (target >= 3M records/s)`);

    // (b)
    const file = path.join(root, 'scenarios', 'flash-sale.yaml');
    const fs = loadScenario(file);
    const b: { sim: number; report: number; records: number; events: number; fidelity: string }[] = [];
    for (let i = 0; i < (runs || 3); i++) {
      const t0 = performance.now();
      const r = simulate(fs);
      const t1 = performance.now();
      await writeReport(r, path.join(out, 'in-process'));
      const t2 = performance.now();
      b.push({ sim: t1 - t0, report: t2 - t1, records: r.summary.accounting.offered, events: r.summary.kernelEvents, fidelity: r.scenario.fidelity });
    }
    const cli: number[] = [];
    for (let i = 0; i < (runs || 3); i++) {
      const t = performance.now();
      const p = spawnSync(process.execPath, [path.join(root, 'bin/sim.js'), file, '--quiet', '--out', path.join(out, 'cli')], { stdio: 'inherit' });
      if (p.status !== 0) throw new Error(`sim exited with ${p.status}`);
      cli.push(performance.now() - t);
    }
    const sim = median(b.map((x) => x.sim));
    const rep = median(b.map((x) => x.report));
    console.log(`(b) flash-sale, ${b[0].fidelity}, ${fmt(b[0].records)} records, ${fmt(b[0].events)} kernel events, ${b.length} runs`);
    console.log(`    simulate: median ${(sim / 1000).toFixed(2)} s (${b.map((x) => (x.sim / 1000).toFixed(2)).join(', ')}) = ${fmt(b[0].records / (sim / 1000))} records/s`);
    console.log(`    report (6 charts as svg+png+vl.json, csv, md): median ${(rep / 1000).toFixed(2)} s`);
    console.log(`    whole command \`sim scenarios/flash-sale.yaml\`: median ${(median(cli) / 1000).toFixed(2)} s (${cli.map((x) => (x / 1000).toFixed(2)).join(', ')}) (target <= 5 s)`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchScale, type BenchContext } from './lib/context.js';
import { summarizeCpuProfile } from './lib/cpu-profile.js';
import { machine, passes, table, type BenchResult } from './lib/report.js';
import { startStack } from './lib/stack.js';
import { ROOT, SCRATCH, Workspace } from './lib/workspace.js';
import { sensorLogger24h } from './sensor-logger-24h.bench.js';
import { uploadThroughput } from './upload-throughput.bench.js';

/**
 * `npm run bench`: every benchmark in one run against one FieldSense started for the run (its own schema,
 * S3 data folder and bucket, queue prefix, ports), each figure beside its anchor measured in the same run.
 * Prints a table and writes bench/results/latest.json. Environment:
 *   BENCH_SCALE=0.1      a tenth of the sizes, for a quick check (time goals scale with it)
 *   BENCH_ONLY=name,…    only these benchmarks (upload-throughput, sensor-logger-24h)
 *   BENCH_CPU_PROF=1     CPU-profile the worker process; profiles kept in .tmp/bench/profiles/
 *   BENCH_LOG_LEVEL      the children's log level (default info; logs are in the run's temp folder)
 */
const BENCHMARKS: { name: string; run: (ctx: BenchContext) => Promise<Omit<BenchResult, 'seconds'>> }[] = [
  { name: 'upload-throughput', run: uploadThroughput },
  { name: 'sensor-logger-24h', run: sensorLogger24h },
];

const scale = benchScale();
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
const selected = BENCHMARKS.filter((b) => !only || only.includes(b.name));
if (selected.length === 0) throw new Error(`BENCH_ONLY matches no benchmark: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
const profileDir = process.env.BENCH_CPU_PROF === '1' ? path.join(SCRATCH, 'profiles', new Date().toISOString().replace(/[:.]/g, '-')) : null;
if (profileDir) mkdirSync(profileDir, { recursive: true });

const startedAt = new Date();
console.log(`FieldSense benchmarks — scale ${scale}${scale < 1 ? ' (quick check)' : ' (full size)'}, ${JSON.stringify(machine())}`);
const ws = new Workspace();
const results: BenchResult[] = [];
try {
  console.log(`starting the stack (scratch ${path.relative(ROOT, ws.dir)})`);
  const stack = await startStack(ws);
  for (const b of selected) {
    console.log(`\n${b.name}`);
    const t = performance.now();
    try {
      const r = await b.run({ ws, stack, scale, profileDir });
      results.push({ ...r, seconds: (performance.now() - t) / 1000 });
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      console.error(`  FAILED: ${message}`);
      results.push({ name: b.name, ok: false, error: message, seconds: (performance.now() - t) / 1000, metrics: [], details: {} });
    }
  }
} catch (err) {
  console.error(`the benchmark stack failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  results.push({ name: 'stack', ok: false, error: String(err), seconds: 0, metrics: [], details: {} });
} finally {
  await ws.cleanup();
}

console.log(`\nResults (scale ${scale}; MB = 10^6 bytes; anchors measured in the same run on the same machine)\n`);
console.log(table(results));

const out = path.join(ROOT, 'bench/results/latest.json');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({
  date: startedAt.toISOString(),
  command: `${scale === 1 ? '' : `BENCH_SCALE=${scale} `}${only ? `BENCH_ONLY=${only.join(',')} ` : ''}npm run bench`,
  scale,
  machine: machine(),
  results: results.map((r) => ({ ...r, metrics: r.metrics.map((m) => ({ ...m, pass: passes(m) })) })),
}, null, 2)}\n`);
console.log(`\nwritten to ${path.relative(ROOT, out)}`);

if (profileDir) {
  for (const f of readdirSync(profileDir).filter((x) => x.endsWith('.cpuprofile'))) {
    console.log(`\n${summarizeCpuProfile(path.join(profileDir, f))}`);
  }
}
process.exitCode = results.every((r) => r.ok) ? 0 : 1;

import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { benchScale, type BenchContext } from './lib/context.js';
import { summarizeCpuProfile } from './lib/cpu-profile.js';
import { machine, passes, table, type BenchResult } from './lib/report.js';
import { startStack } from './lib/stack.js';
import { ROOT, SCRATCH, Workspace } from './lib/workspace.js';
import { sensorLogger24h } from './sensor-logger-24h.bench.js';
import { uploadThroughput } from './upload-throughput.bench.js';
import { axivityCwa } from './axivity-cwa.bench.js';
import { flacDecode } from './flac-decode.bench.js';
import { imuPipeline } from './imu-pipeline.bench.js';
import { audioPipeline } from './audio-pipeline.bench.js';
import { csvReader } from './csv-reader.bench.js';
import { consoleBrowser } from './console-browser.bench.js';
import { exportWindows } from './export-windows.bench.js';

/**
 * `npm run bench`: every benchmark in one run against one FieldSense started for the run (its own schema,
 * S3 data folder and bucket, queue prefix, ports), each figure beside its anchor measured in the same run.
 * Prints a table and writes bench/results/latest.json (latest-profiled.json when profiling). Environment:
 *   BENCH_SCALE=0.1      a tenth of the sizes, for a quick check (time goals scale with it)
 *   BENCH_ONLY=name,…    only these benchmarks (upload-throughput, sensor-logger-24h, axivity-cwa, flac-decode,
 *                        imu-pipeline, audio-pipeline, csv-reader, console-browser, export-windows)
 *   BENCH_CPU_PROF=1     CPU-profile the worker process; profiles kept in .tmp/bench/profiles/
 *   BENCH_LOG_LEVEL      the children's log level (default info; logs are in the run's temp folder)
 *   BENCH_NODE_ARGS_API, BENCH_NODE_ARGS_WORKERS   extra node flags for those children (profiling)
 *   BENCH_DATABASE_URL, BENCH_REDIS_URL            where the run's schema and queue keys go
 */
const BENCHMARKS: { name: string; run: (ctx: BenchContext) => Promise<Omit<BenchResult, 'seconds'>> }[] = [
  { name: 'upload-throughput', run: uploadThroughput },
  { name: 'sensor-logger-24h', run: sensorLogger24h },
  { name: 'csv-reader', run: csvReader },
  { name: 'axivity-cwa', run: axivityCwa },
  { name: 'flac-decode', run: flacDecode },
  { name: 'imu-pipeline', run: imuPipeline },
  { name: 'audio-pipeline', run: audioPipeline },
  { name: 'console-browser', run: consoleBrowser },
  { name: 'export-windows', run: exportWindows },
];

// As `npm start` does: the SDK's notice that its 2027 releases need Node 22 (the lockfile pins one that runs on 20).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const scale = benchScale();
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
const selected = BENCHMARKS.filter((b) => !only || only.includes(b.name));
if (selected.length === 0) throw new Error(`BENCH_ONLY matches no benchmark: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
const profileDir = process.env.BENCH_CPU_PROF === '1' ? path.join(SCRATCH, 'profiles', new Date().toISOString().replace(/[:.]/g, '-')) : null;
if (profileDir) mkdirSync(profileDir, { recursive: true });

const startedAt = new Date();
const code = codeVersion();
const loadAtStart = loadavg();
console.log(`FieldSense benchmarks — scale ${scale}${scale < 1 ? ' (quick check)' : ' (full size)'}, ${JSON.stringify(machine())}`);
const ws = new Workspace();
const results: BenchResult[] = [];
try {
  console.log(`starting the stack (scratch ${path.relative(ROOT, ws.dir)})`);
  const stack = await startStack(ws);
  for (const b of selected) {
    if (ws.interrupted) break;
    console.log(`\n${b.name}`);
    const t = performance.now();
    try {
      const r = await b.run({ ws, stack, scale, profileDir });
      results.push({ ...r, seconds: (performance.now() - t) / 1000 });
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      console.error(`  FAILED: ${message}\n  last log lines of the children:\n${stack.logTails(15)}`);
      results.push({ name: b.name, ok: false, error: message, seconds: (performance.now() - t) / 1000, metrics: [], details: {} });
    }
  }
} catch (err) {
  console.error(`the benchmark stack failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  results.push({ name: 'stack', ok: false, error: String(err), seconds: 0, metrics: [], details: {} });
} finally {
  await ws.cleanup();
}

console.log(`\nResults (scale ${scale}; MB = 10^6 bytes; anchors measured in the same run on the same machine; load average ${loadAtStart[0]!.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end, ${cpus().length} cores)\n`);
console.log(table(results));

// Figures taken under a profiler or with extra node flags are not the app's: they never replace latest.json.
const profiling = Boolean(profileDir || process.env.BENCH_NODE_ARGS_API || process.env.BENCH_NODE_ARGS_WORKERS);
const out = path.join(ROOT, `bench/results/${profiling ? 'latest-profiled' : 'latest'}.json`);
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({
  date: startedAt.toISOString(),
  command: `${scale === 1 ? '' : `BENCH_SCALE=${scale} `}${only ? `BENCH_ONLY=${only.join(',')} ` : ''}npm run bench`,
  scale,
  ...(profiling ? { profiling: { cpuProfile: Boolean(profileDir), apiNodeArgs: process.env.BENCH_NODE_ARGS_API ?? '', workerNodeArgs: process.env.BENCH_NODE_ARGS_WORKERS ?? '' } } : {}),
  code,
  machine: machine(),
  // The machine is shared: its load average (2 cores) says how much the figures may be off.
  loadAverage: { atStart: loadAtStart.map((x) => Number(x.toFixed(2))), atEnd: loadavg().map((x) => Number(x.toFixed(2))) },
  results: results.map((r) => ({ ...r, metrics: r.metrics.map((m) => ({ ...m, pass: passes(m) })) })),
}, null, 2)}\n`);
console.log(`\nwritten to ${path.relative(ROOT, out)}`);

if (profileDir) {
  for (const f of readdirSync(profileDir).filter((x) => x.endsWith('.cpuprofile'))) {
    console.log(`\n${summarizeCpuProfile(path.join(profileDir, f))}`);
  }
}
process.exitCode = results.every((r) => r.ok) ? 0 : 1;

/** The commit measured, and how many files differed from it (others may be editing while a run goes). */
function codeVersion(): { commit: string; uncommittedFiles: number } | null {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' });
    return { commit, uncommittedFiles: status.split('\n').filter(Boolean).length };
  } catch {
    return null;
  }
}

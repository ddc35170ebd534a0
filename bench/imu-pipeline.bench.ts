import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SampleChunk, StreamInfo } from '../src/domain/stream.js';
import { DetectorSet } from '../src/pipeline/detectors/index.js';
import { imuDetectors } from '../src/pipeline/detectors/imu-index.js';
import { segmentStream } from '../src/pipeline/segment.js';
import { StreamAnalyzer } from '../src/pipeline/stream-analyzer.js';
import { log, type BenchContext } from './lib/context.js';
import type { BenchResult } from './lib/report.js';
import { ROOT } from './lib/workspace.js';

const FULL_ROWS = 24 * 3600 * 100;
const CHUNK = 65_536;
const GOAL_CPU_S = 10;
const GOAL_RSS_MIB = 300;
const T0 = 1_700_000_000_000_000_000n;
const G = 9.80665;
const SELF = fileURLToPath(import.meta.url);

type Mode = 'generate' | 'analyzer' | 'imu';
interface ChildFigures {
  mode: Mode;
  rows: number;
  cpuS: number;
  wallS: number;
  peakRssMiB: number;
  segments: number;
  events: number;
  checks: string[];
}

export const STREAM: StreamInfo = { name: 'accelerometer', kind: 'imu', sensor: 'accelerometer', channels: ['x', 'y', 'z'], unit: 'm/s^2', nominalRateHz: 100, range: 8 * G };

/**
 * A synthetic day of wrist acceleration at 100 Hz, generated chunk by chunk (never held whole): sleep with
 * posture changes, desk work, walks (1.9 Hz), a run (2.8 Hz), two hours off the wrist, light activity, and a
 * double impulse every 10 minutes.
 */
export function* syntheticDay(rows: number): Generator<SampleChunk> {
  let s = 0x9e3779b9;
  const u = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const noise = (): number => u() + u() + u() - 1.5; // ≈ N(0, 0.5²)
  for (let i0 = 0; i0 < rows; i0 += CHUNK) {
    const n = Math.min(CHUNK, rows - i0);
    const t = new BigInt64Array(n);
    const x = new Float32Array(n);
    const y = new Float32Array(n);
    const z = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      const i = i0 + k;
      const ts = i / 100;
      const h = (ts / 3600) % 24;
      t[k] = T0 + BigInt(i) * 10_000_000n;
      let ax = 0;
      const ay = 0;
      let az = 1;
      let sd = 0.004;
      if (h < 7) {
        const posture = Math.floor(ts / 1200) % 3;
        ax = posture === 0 ? 0 : posture === 1 ? 0.7 : -0.7;
        az = posture === 0 ? 1 : 0.7;
      } else if ((h >= 7 && h < 7.5) || (h >= 12 && h < 12.5)) {
        ax = 0.3 * Math.sin(2 * Math.PI * 0.95 * ts);
        az = 1 + 0.4 * Math.sin(2 * Math.PI * 1.9 * ts);
        sd = 0.05;
      } else if (h >= 12.5 && h < 13) {
        ax = 0.5 * Math.sin(2 * Math.PI * 1.4 * ts);
        az = 1 + 1.2 * Math.sin(2 * Math.PI * 2.8 * ts);
        sd = 0.1;
      } else if (h >= 18 && h < 20) {
        ax = 0.02;
        sd = 0.001;
      } else {
        ax = -0.5 + 0.1 * Math.sin(2 * Math.PI * 0.07 * ts);
        az = 0.85;
        sd = 0.02;
      }
      const inMin = ts % 600;
      if ((inMin >= 300 && inMin < 300.03) || (inMin >= 300.3 && inMin < 300.33)) ax += 3;
      x[k] = (ax + sd * noise()) * G;
      y[k] = (ay + sd * noise()) * G;
      z[k] = (az + sd * noise()) * G;
    }
    yield { length: n, t, values: [x, y, z] };
  }
}

function peakRssMiB(): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 1024 / 1024;
}

/** One measurement in this process: generation alone, + StreamAnalyzer and segmentation, or + the IMU detectors. */
function runChild(mode: Mode, rows: number): ChildFigures {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const analyzer = mode === 'generate' ? null : new StreamAnalyzer(STREAM);
  const detectors = mode === 'imu' ? new DetectorSet(STREAM, imuDetectors, { timezone: 'Europe/London' }) : null;
  let n = 0;
  for (const chunk of syntheticDay(rows)) {
    n += chunk.length;
    analyzer?.push(chunk);
    detectors?.push(chunk);
  }
  let segments = 0;
  let events = 0;
  let checks: string[] = [];
  if (analyzer !== null) {
    const summary = analyzer.finish();
    segments = segmentStream(summary, T0).length;
    checks = summary.checks.map((c) => `${c.name}:${c.status}`);
    for (const d of detectors?.finish().detectors ?? []) {
      segments += d.output.segments?.length ?? 0;
      events += d.output.events.length;
      checks.push(...(d.output.checks ?? []).map((c) => `${c.name}:${c.status}`));
    }
  }
  if (n !== rows) throw new Error(`generated ${n} rows, expected ${rows}`);
  const cpu = process.cpuUsage(cpu0);
  return { mode, rows, cpuS: (cpu.user + cpu.system) / 1e6, wallS: (performance.now() - wall0) / 1000, peakRssMiB: peakRssMiB(), segments, events, checks };
}

async function child(mode: Mode, rows: number): Promise<ChildFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', SELF, '--child', mode, String(rows)], { cwd: ROOT, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ChildFigures;
}

/**
 * A synthetic 24 h, 100 Hz, 3-axis wrist accelerometer (8.64 M rows) fed in 65,536-row chunks, each mode in
 * a fresh child process: `generate` (making the chunks: stands in for parsing), `analyzer` (the anchor:
 * StreamAnalyzer's checks and window features, then segmentation) and `imu` (the same plus every IMU
 * detector: signal checks, activity, non-wear, calibration, taps, wrist-raise). CPU is the child's own
 * user+system time after its imports; "beyond parsing" subtracts the `generate` child's. Peak RSS is the
 * child's VmHWM (it includes tsx and the generator's chunks).
 */
export async function imuPipeline(ctx: BenchContext): Promise<Omit<BenchResult, 'seconds'>> {
  const rows = Math.round(FULL_ROWS * ctx.scale);
  const gen = await child('generate', rows);
  log(`generate: ${gen.cpuS.toFixed(2)} CPU-s, peak RSS ${gen.peakRssMiB.toFixed(0)} MiB`);
  const anchor = await child('analyzer', rows);
  log(`StreamAnalyzer + segmentation: ${anchor.cpuS.toFixed(2)} CPU-s, peak RSS ${anchor.peakRssMiB.toFixed(0)} MiB`);
  const imu = await child('imu', rows);
  log(`+ IMU detectors: ${imu.cpuS.toFixed(2)} CPU-s, peak RSS ${imu.peakRssMiB.toFixed(0)} MiB; ${imu.events} events, ${imu.segments} segments`);
  const beyond = imu.cpuS - gen.cpuS;
  const anchorBeyond = anchor.cpuS - gen.cpuS;
  return {
    name: 'imu-pipeline',
    ok: true,
    metrics: [
      {
        name: 'checks + segmentation + IMU detectors, CPU beyond generation',
        value: beyond, unit: 's',
        anchor: { name: 'StreamAnalyzer + segmentation alone', value: anchorBeyond, unit: 's' },
        goal: { op: '<=', value: GOAL_CPU_S * ctx.scale, unit: 's' },
      },
      { name: 'IMU detectors alone (difference)', value: imu.cpuS - anchor.cpuS, unit: 's', note: 'imu − analyzer child; not a goal' },
      {
        name: 'peak RSS (VmHWM of the child)', value: imu.peakRssMiB, unit: 'MiB',
        anchor: { name: 'StreamAnalyzer child', value: anchor.peakRssMiB, unit: 'MiB' },
        goal: { op: '<=', value: GOAL_RSS_MIB, unit: 'MiB' },
      },
    ],
    details: { rows, chunkRows: CHUNK, generate: gen, analyzer: anchor, imu, checks: imu.checks },
  };
}

if (process.argv[2] === '--child' && path.resolve(process.argv[1] ?? '') === SELF) {
  const mode = process.argv[3] as Mode;
  if (!['generate', 'analyzer', 'imu'].includes(mode)) throw new Error(`unknown mode ${mode}`);
  process.stdout.write(`${JSON.stringify(runChild(mode, Number(process.argv[4] ?? FULL_ROWS)))}\n`);
}

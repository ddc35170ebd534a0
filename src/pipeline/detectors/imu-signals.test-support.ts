/**
 * Signals for the IMU detectors' unit tests: a tiny MotionSense CSV loader (test-only; the real reader lives in
 * src/formats) and synthetic 3-axis streams with known answers. Nothing outside `*.test.ts` imports it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SampleChunk, StreamInfo } from '../../domain/stream.js';
import { gaussian } from '../signals.test-support.js';
import { G } from './imu-common.js';
import type { DetectorFactory, DetectorOutput } from './types.js';

export const T0 = 1_700_000_000_000_000_000n; // 2023-11-14T22:13:20Z

export function accelStream(over: Partial<StreamInfo> = {}): StreamInfo {
  return { name: 'accelerometer', kind: 'imu', sensor: 'accelerometer', channels: ['x', 'y', 'z'], unit: 'm/s^2', nominalRateHz: 100, ...over };
}

/** Rows → chunks of `size` (values per channel, times in ns). */
export function chunksOf(t: BigInt64Array, values: Float32Array[], size = 4096): SampleChunk[] {
  const out: SampleChunk[] = [];
  for (let i = 0; i < t.length; i += size) {
    const n = Math.min(size, t.length - i);
    out.push({ length: n, t: t.slice(i, i + n), values: values.map((v) => v.slice(i, i + n)) });
  }
  return out;
}

/**
 * A synthetic stream: `fn(ts)` gives the acceleration in g (x, y, z) at `ts` seconds; stored in m/s² with
 * N(0, noiseMs2²) noise per axis (0.01 m/s² ≈ 1 mg by default), sampled at `rateHz` from `t0`.
 */
export function synth(
  seconds: number,
  fn: (ts: number) => [number, number, number],
  opts: { rateHz?: number; noiseMs2?: number; t0?: bigint; seed?: number; jitterMs?: number } = {},
): { t: BigInt64Array; values: Float32Array[] } {
  const rate = opts.rateHz ?? 100;
  const n = Math.round(seconds * rate);
  const noise = opts.noiseMs2 ?? 0.01;
  const g = gaussian(opts.seed ?? 11);
  const t = new BigInt64Array(n);
  const values = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  const t0 = opts.t0 ?? T0;
  for (let i = 0; i < n; i++) {
    const jitter = opts.jitterMs ? opts.jitterMs * 1e-3 * g() : 0;
    const ts = i / rate + jitter;
    t[i] = t0 + BigInt(Math.round(ts * 1e9));
    const a = fn(ts);
    for (let c = 0; c < 3; c++) values[c]![i] = a[c]! * G + noise * g();
  }
  return { t, values };
}

/** Runs a detector factory over chunks; throws when the factory declines the stream. */
export function runDetector(factory: DetectorFactory, stream: StreamInfo, chunks: SampleChunk[], options?: Record<string, unknown>): DetectorOutput {
  const d = factory(stream, options);
  if (d === null) throw new Error(`the detector declined stream ${stream.name}`);
  for (const c of chunks) d.push?.(c);
  return d.finish();
}

const fixture = (rel: string): string => fileURLToPath(new URL(`../../../test/fixtures/motionsense-coremotion/${rel}`, import.meta.url));

/**
 * One MotionSense trial (Core Motion, 50 Hz, no time column: row n ↔ n/50 s) as a stream in m/s², iOS frame:
 * `total` = gravity + userAcceleration (sensor total_acceleration), `user` = userAcceleration alone.
 */
export function motionSense(trial: 'wlk_15' | 'jog_16' | 'ups_12' | 'dws_1', which: 'total' | 'user'): { stream: StreamInfo; t: BigInt64Array; values: Float32Array[] } {
  const lines = readFileSync(fixture(`${trial}/sub_1.csv`), 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]!.split(',');
  const col = (name: string): number => header.indexOf(name);
  const gi = ['gravity.x', 'gravity.y', 'gravity.z'].map(col);
  const ui = ['userAcceleration.x', 'userAcceleration.y', 'userAcceleration.z'].map(col);
  const rows = lines.slice(1);
  const t = new BigInt64Array(rows.length);
  const values = [new Float32Array(rows.length), new Float32Array(rows.length), new Float32Array(rows.length)];
  rows.forEach((line, i) => {
    const f = line.split(',').map(Number);
    t[i] = T0 + BigInt(i) * 20_000_000n;
    for (let c = 0; c < 3; c++) values[c]![i] = (f[ui[c]!]! + (which === 'total' ? f[gi[c]!]! : 0)) * G;
  });
  const stream = accelStream({
    name: which === 'total' ? 'total_acceleration' : 'user_acceleration',
    sensor: which === 'total' ? 'total_acceleration' : 'user_acceleration',
    nominalRateHz: 50,
    frame: 'ios',
    originalUnit: 'g',
  });
  return { stream, t, values };
}

/** Seconds covered by segments whose kind is in `kinds`. */
export function coveredS(out: DetectorOutput, kinds: string[]): number {
  return (out.segments ?? [])
    .filter((s) => kinds.includes(s.kind))
    .reduce((sum, s) => sum + Number(BigInt(s.endNs) - BigInt(s.startNs)) / 1e9, 0);
}

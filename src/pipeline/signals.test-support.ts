/**
 * Synthetic signals for the pipeline's unit tests (deterministic, so tests never flake). Test-only code:
 * nothing outside `*.test.ts` imports it.
 */
import type { SampleChunk, StreamInfo } from '../domain/stream.js';
import type { QualityThresholds } from './quality-thresholds.js';
import { StreamAnalyzer } from './stream-analyzer.js';
import type { StreamSummary } from './types.js';

/** Deterministic N(0, 1) noise from a seed. */
export function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** Splits rows (times in ns, values per channel) into chunks of `size` rows. */
export function toChunks(t: bigint[], values: number[][], size = 4096): SampleChunk[] {
  const out: SampleChunk[] = [];
  for (let i = 0; i < t.length; i += size) {
    const n = Math.min(size, t.length - i);
    out.push({
      length: n,
      t: BigInt64Array.from(t.slice(i, i + n)),
      values: values.map((v) => Float32Array.from(v.slice(i, i + n))),
    });
  }
  return out;
}

/** Runs the analyzer over rows split into chunks of `size`. */
export function analyze(
  stream: StreamInfo,
  t: bigint[],
  values: number[][],
  size?: number,
  opts: Partial<QualityThresholds> = {},
): StreamSummary {
  const a = new StreamAnalyzer(stream, opts);
  for (const c of toChunks(t, values, size)) a.push(c);
  return a.finish();
}

export const ACCEL: StreamInfo = {
  name: 'accelerometer',
  kind: 'imu',
  sensor: 'accelerometer',
  channels: ['x', 'y', 'z'],
  unit: 'm/s^2',
  nominalRateHz: null,
};

export const AUDIO: StreamInfo = {
  name: 'audio',
  kind: 'audio',
  sensor: 'audio',
  channels: ['mono'],
  unit: 'pcm',
  nominalRateHz: 16000,
  fullScale: 1,
};

/**
 * A 100 Hz 3-axis accelerometer from `t0`: gravity on z plus N(0, 0.01²) noise on each axis, plus
 * `bounce(seconds)` added on z (vertical motion). Rows where `skip(i)` is true are left out.
 */
export function accelRows(
  t0: bigint,
  seconds: number,
  bounce: (ts: number) => number = () => 0,
  skip: (i: number) => boolean = () => false,
): { t: bigint[]; v: number[][] } {
  const g = gaussian(7);
  const t: bigint[] = [];
  const v: number[][] = [[], [], []];
  for (let i = 0; i < seconds * 100; i++) {
    if (skip(i)) continue;
    t.push(t0 + BigInt(i) * 10_000_000n);
    v[0]!.push(0.01 * g());
    v[1]!.push(0.01 * g());
    v[2]!.push(9.81 + 0.01 * g() + bounce(i / 100));
  }
  return { t, v };
}

/**
 * Synthetic audio and helpers for the audio detectors' tests and benchmark (deterministic, so nothing
 * flakes). Test and bench code only: no detector imports it.
 */
import type { SampleChunk, StreamInfo } from '../../domain/stream.js';
import { FrameClock } from '../../domain/frame-clock.js';
import { chunked } from '../../formats/common/byte-source.js';
import { inMemoryContext } from '../../formats/common/in-memory-context.test-support.js';
import { wavReader } from '../../formats/audio/wav.reader.js';
import { gaussian } from '../signals.test-support.js';
import type { DetectorFactory, DetectorOutput } from './types.js';

export function audioStream(rateHz: number | null, channels: string[] = ['mono']): StreamInfo {
  return { name: 'audio', kind: 'audio', sensor: 'audio', channels, unit: 'pcm', nominalRateHz: rateHz, fullScale: 1 };
}

/** Cuts per-channel sample arrays into chunks of `size` frames timed from `t0` at `rate`. */
export function* audioChunks(channels: Float32Array[], rate: number, size = 65_536, t0 = 0n): Generator<SampleChunk> {
  const clock = new FrameClock(rate, t0);
  const n = channels[0]?.length ?? 0;
  for (let i = 0; i < n; i += size) {
    const len = Math.min(size, n - i);
    const t = new BigInt64Array(len);
    clock.fill(t, i, len);
    yield { length: len, t, values: channels.map((c) => c.subarray(i, i + len)) };
  }
}

/** Runs a detector over chunks; throws when the factory declines the stream. */
export function runDetector(
  factory: DetectorFactory,
  stream: StreamInfo,
  chunks: Iterable<SampleChunk>,
  options?: Record<string, unknown>,
): DetectorOutput {
  const d = factory(stream, options);
  if (d === null) throw new Error('the factory declined the stream');
  for (const c of chunks) d.push?.(c);
  return d.finish();
}

/** N(0, σ²) noise. */
export function noise(n: number, sigma: number, seed = 1): Float32Array {
  const g = gaussian(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = sigma * g();
  return x;
}

/**
 * A speech-like "voiced" sound: harmonics of a pitch gliding between 110 and 170 Hz, kept to 200–3000 Hz
 * with a falling spectral tilt and two formant-like bumps, amplitude-modulated at a syllable rate of 4 Hz
 * (never fully off), at peak amplitude `amp`. Added into `x` from sample `from` for `n` samples.
 */
export function addVoiced(x: Float32Array, rate: number, from: number, n: number, amp = 0.3): void {
  let phase = 0;
  const harmonics: { k: number; w: number }[] = [];
  for (let k = 1; k <= 30; k++) harmonics.push({ k, w: 0 });
  for (let i = 0; i < n; i++) {
    const ts = i / rate;
    const f0 = 140 + 30 * Math.sin(2 * Math.PI * 0.7 * ts);
    phase += (2 * Math.PI * f0) / rate;
    let s = 0;
    for (const h of harmonics) {
      const f = h.k * f0;
      if (f < 200 || f > 3000) continue;
      const formant = 1 + 2 * Math.exp(-(((f - 700) / 200) ** 2)) + 1.5 * Math.exp(-(((f - 1800) / 300) ** 2));
      s += (formant / h.k) * Math.sin(h.k * phase);
    }
    const env = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * ts);
    x[from + i]! += amp * 0.35 * env * s;
  }
}

/**
 * Clap-like bursts: exponentially decaying (τ = `tauS`) white noise of peak `amp`, starting at each of
 * `atS` (seconds). Added into `x`.
 */
export function addClaps(x: Float32Array, rate: number, atS: number[], amp = 0.8, tauS = 0.03, seed = 5): void {
  const g = gaussian(seed);
  for (const at of atS) {
    const from = Math.round(at * rate);
    const len = Math.min(x.length - from, Math.round(8 * tauS * rate));
    for (let i = 0; i < len; i++) x[from + i]! += amp * Math.exp(-i / (tauS * rate)) * Math.max(-1, Math.min(1, g() / 3));
  }
}

/** Seconds of an event or segment's bounds (times counted from 0 ns). */
export function spanS(e: { startNs: string; endNs: string }): [number, number] {
  return [Number(e.startNs) / 1e9, Number(e.endNs) / 1e9];
}

/** Reads a WAV file's bytes into its audio stream and chunks (the project's own reader, in 64 KiB pieces). */
export async function wavChunks(bytes: Uint8Array): Promise<{ stream: StreamInfo; chunks: SampleChunk[]; samples: number }> {
  let stream: StreamInfo | undefined;
  const chunks: SampleChunk[] = [];
  let samples = 0;
  for await (const ev of wavReader.read(chunked(bytes, 65_536), inMemoryContext(bytes, 'fixture.wav'))) {
    if (ev.type === 'stream') stream = ev.stream;
    if (ev.type === 'chunk') {
      chunks.push(ev.chunk);
      samples += ev.chunk.length;
    }
  }
  if (stream === undefined) throw new Error('no audio stream in the WAV');
  return { stream, chunks, samples };
}

import { chunkOffsets, chunkTimeAt } from '../../domain/chunk-times.js';
import type { SampleChunk, StreamInfo } from '../../domain/stream.js';

/**
 * Receives a contiguous piece of mono audio: `mono[0 … n)`, whose first sample is at `startNs` (float64 ns
 * from the stream's first sample) and whose samples are one period apart. `broken` is true when the piece
 * does not continue the previous one (a gap, a duplicate or backwards timestamp lay between them): frames and
 * bouts must not be carried across it.
 */
export type AudioSink = (mono: Float32Array, n: number, startNs: number, broken: boolean) => void;

/**
 * The front end every audio detector shares: mixes a chunk's channels to mono (their mean), reads its times
 * as float64 ns offsets from the stream's first sample (no BigInt per sample) and splits it where the
 * spacing of the timestamps breaks, so that detectors can count samples inside a piece and turn a sample
 * index into a time as `startNs + k · periodNs`. Each piece is re-anchored on its own first timestamp, so a
 * clock that drifts from the nominal rate does not accumulate an error beyond one chunk.
 *
 * The rate is the stream's nominal one, else it is estimated from the first chunk of ≥ 2 samples (samples
 * before that are skipped).
 */
export class AudioInput {
  /** Samples per second, NaN until known. */
  rateHz: number;
  /** ns between samples, NaN until known. */
  periodNs: number;
  private firstT: bigint | null = null;
  /** Offset of the last sample handed on, NaN before any. */
  private lastNs = Number.NaN;
  private mix: Float32Array = new Float32Array(0);
  private offs: Float64Array = new Float64Array(0);

  constructor(private readonly nCh: number, nominalRateHz: number | null) {
    this.rateHz = nominalRateHz !== null && nominalRateHz > 0 ? nominalRateHz : Number.NaN;
    this.periodNs = 1e9 / this.rateHz;
  }

  static forStream(stream: StreamInfo): AudioInput | null {
    if (stream.kind !== 'audio' || stream.channels.length === 0) return null;
    return new AudioInput(stream.channels.length, stream.nominalRateHz);
  }

  /** The stream's first timestamp, once a chunk was seen. */
  get origin(): bigint | null {
    return this.firstT;
  }

  /** Decimal int64 ns string of an offset from the stream's first sample (for the detectors' output). */
  nsString(offsetNs: number): string {
    return ((this.firstT ?? 0n) + BigInt(Math.round(offsetNs))).toString();
  }

  push(chunk: SampleChunk, sink: AudioSink): void {
    const n = chunk.length;
    if (n === 0) return;
    this.firstT ??= chunkTimeAt(chunk, 0);
    const mono = this.mono(chunk);
    const first = Number(chunkTimeAt(chunk, 0) - this.firstT);
    const last = Number(chunkTimeAt(chunk, n - 1) - this.firstT);
    if (Number.isNaN(this.periodNs)) {
      if (n < 2 || !(last > first)) return;
      this.periodNs = (last - first) / (n - 1);
      this.rateHz = 1e9 / this.periodNs;
    }
    const p = this.periodNs;
    const tol = 0.5 * p + 1;
    const continues = !Number.isNaN(this.lastNs) && Math.abs(first - this.lastNs - p) <= tol;
    this.lastNs = last;
    // A regular chunk (start + rate) at the period assumed here has no break inside: no offsets needed.
    const r = chunk.regular;
    if (r !== undefined && Math.abs(1e9 / r.clock.rate - p) + 1 <= tol) {
      sink(mono, n, first, !continues);
      return;
    }
    // Hand on each evenly spaced piece separately.
    const offs = this.allOffsets(chunk, n);
    let start = 0;
    for (let i = 1; i <= n; i++) {
      if (i < n) {
        const dt = offs[i]! - offs[i - 1]!;
        if (dt >= p - tol && dt <= p + tol) continue;
      }
      const piece = start === 0 ? mono : mono.subarray(start, i);
      sink(piece, i - start, offs[start]!, start === 0 ? !continues : true);
      start = i;
    }
  }

  /** Channel 0 itself for mono streams, else the channels' mean in a reused buffer. */
  private mono(chunk: SampleChunk): Float32Array {
    const n = chunk.length;
    const v0 = chunk.values[0];
    if (this.nCh === 1 && v0 !== undefined) return v0;
    if (this.mix.length < n) this.mix = new Float32Array(Math.max(n, 65_536));
    const out = this.mix;
    out.fill(0, 0, n);
    const chans = chunk.values.slice(0, this.nCh);
    const w = 1 / Math.max(1, chans.length);
    for (const v of chans) for (let i = 0; i < n; i++) out[i]! += v[i]!;
    for (let i = 0; i < n; i++) out[i]! *= w;
    return out;
  }

  private allOffsets(chunk: SampleChunk, n: number): Float64Array {
    if (this.offs.length < n) this.offs = new Float64Array(Math.max(n, 65_536));
    chunkOffsets(chunk, this.firstT!, this.offs, n);
    return this.offs;
  }
}

/**
 * The audio the spectrogram draws, fetched from the API in fixed 30-second chunks on the recording's own grid
 * (`…/audio?fromS=30k&toS=30(k+1)`, as the player fetches them), decoded once and kept for the next windows:
 * panning along at two minutes fetches only the chunks that came into view instead of the whole window again.
 * The API puts a WAV's first sample exactly at its `fromS`, so chunks join sample for sample.
 */
import { fetchBinary } from '../api/client';
import { AUDIO_RATE, audioUrl, type AudioSource } from './audio-player';

export const SPECTRO_CHUNK_S = 30;
/** Chunks kept decoded (30 s at 16 kHz is 1.9 MB as Float32): a few windows of two minutes. */
const KEEP = 12;

/** The chunks [first, last] that hold [fromS, toS] (toS itself excluded: it is the window's end). */
export function chunksFor(fromS: number, toS: number, chunkS = SPECTRO_CHUNK_S): { first: number; last: number } {
  const first = Math.max(0, Math.floor(fromS / chunkS));
  const last = Math.max(first, Math.ceil(toS / chunkS) - 1);
  return { first, last };
}

/**
 * Samples [fromS, toS) at `rate` from consecutive chunks starting with chunk `first` (each chunkS long but the
 * recording's last, which may be shorter).
 */
export function joinChunks(chunks: readonly Float32Array[], first: number, fromS: number, toS: number, rate: number, chunkS = SPECTRO_CHUNK_S): Float32Array {
  const base = first * chunkS;
  const start = Math.max(0, Math.round((fromS - base) * rate));
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const end = Math.min(total, Math.round((toS - base) * rate));
  const out = new Float32Array(Math.max(0, end - start));
  let at = 0;
  for (const c of chunks) {
    const lo = Math.max(0, start - at);
    const hi = Math.min(c.length, end - at);
    if (hi > lo) out.set(c.subarray(lo, hi), at + lo - start);
    at += c.length;
  }
  return out;
}

export class AudioChunks {
  private readonly held = new Map<number, Promise<Float32Array>>();

  constructor(private readonly source: AudioSource) {}

  /** The samples of [fromS, toS) at AUDIO_RATE (the chunks it needs fetched, at most a few at once by the browser). */
  async window(fromS: number, toS: number, signal: AbortSignal): Promise<Float32Array> {
    const { first, last } = chunksFor(fromS, Math.min(toS, this.source.endS));
    const parts: Promise<Float32Array>[] = [];
    for (let i = first; i <= last; i++) parts.push(this.chunk(i));
    const chunks = await Promise.all(parts);
    signal.throwIfAborted();
    return joinChunks(chunks, first, fromS, toS, AUDIO_RATE);
  }

  private chunk(i: number): Promise<Float32Array> {
    const held = this.held.get(i);
    if (held) {
      // Most recently used last.
      this.held.delete(i);
      this.held.set(i, held);
      return held;
    }
    const fromS = i * SPECTRO_CHUNK_S;
    const toS = Math.min(this.source.endS, fromS + SPECTRO_CHUNK_S);
    // Not aborted with the window that asked first: a chunk is small and the next window likely needs it too.
    const p = fetchBinary(this.source.token, audioUrl(this.source, fromS, toS), new AbortController().signal)
      .then((wav) => new OfflineAudioContext(1, 1, AUDIO_RATE).decodeAudioData(wav))
      .then((decoded) => decoded.getChannelData(0));
    p.catch(() => this.held.delete(i));
    this.held.set(i, p);
    while (this.held.size > KEEP) this.held.delete(this.held.keys().next().value!);
    return p;
  }
}

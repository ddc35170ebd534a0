/**
 * Helpers shared by the audio readers' tests: run a reader over bytes and collect what it yields, and build
 * RIFF/WAVE files chunk by chunk (including broken ones). Test-only code, kept beside the readers.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RecordingMetadata, ReaderEvent, SampleChunk, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { chunked } from '../common/byte-source.js';
import { inMemoryContext } from '../common/in-memory-context.test-support.js';
import type { FormatReader } from '../types.js';
import type { Decoder } from './decoder.js';

/** The test fixtures folder (test/fixtures/ at the repository root). */
export const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));

export function fixture(path: string): Uint8Array {
  return new Uint8Array(readFileSync(`${FIXTURES}${path}`));
}

export interface Collected {
  events: ReaderEvent[];
  recording: Extract<ReaderEvent, { type: 'recording' }> | undefined;
  stream: StreamInfo | undefined;
  metadata: RecordingMetadata | undefined;
  chunks: SampleChunk[];
  warnings: { code: string; message: string; count?: number }[];
  frames: number;
  /** Channel c's values, all chunks joined. */
  channel(c: number): Float32Array;
  times(): bigint[];
}

/** `reader` with `decoder` in every context it reads with (as the service gives it), so tests can pick the programs. */
export function withDecoder(reader: FormatReader, decoder: Decoder): FormatReader {
  return { ...reader, read: (source, ctx) => reader.read(source, { ...ctx, decoder }) };
}

export async function collect(reader: FormatReader, bytes: Uint8Array, pieceSize = bytes.length || 1, filename = 'x'): Promise<Collected> {
  const events: ReaderEvent[] = [];
  for await (const ev of reader.read(chunked(bytes, pieceSize), inMemoryContext(bytes, filename))) events.push(ev);
  const chunks = events.flatMap((e) => (e.type === 'chunk' ? [e.chunk] : []));
  const frames = chunks.reduce((a, c) => a + c.length, 0);
  return {
    events,
    recording: events.find((e): e is Extract<ReaderEvent, { type: 'recording' }> => e.type === 'recording'),
    stream: events.flatMap((e) => (e.type === 'stream' ? [e.stream] : []))[0],
    metadata: events.flatMap((e) => (e.type === 'metadata' ? [e.metadata] : []))[0],
    chunks,
    warnings: events.flatMap((e) => (e.type === 'warning' ? [{ code: e.code, message: e.message, ...(e.count === undefined ? {} : { count: e.count }) }] : [])),
    frames,
    channel(c) {
      const out = new Float32Array(frames);
      let o = 0;
      for (const ch of chunks) {
        out.set(ch.values[c]!.subarray(0, ch.length), o);
        o += ch.length;
      }
      return out;
    },
    times() {
      return chunks.flatMap((ch) => Array.from(ch.t.subarray(0, ch.length)));
    },
  };
}

export async function collectError(reader: FormatReader, bytes: Uint8Array, pieceSize = 5): Promise<AppError> {
  try {
    await collect(reader, bytes, pieceSize);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

/** One RIFF chunk: id, body, and optionally a lying size and no pad byte. */
export interface ChunkSpec {
  id: string;
  body: Uint8Array;
  declared?: number;
  noPad?: boolean;
}

export function chunk(spec: ChunkSpec): Uint8Array {
  const pad = spec.noPad === true ? 0 : spec.body.length & 1;
  const out = new Uint8Array(8 + spec.body.length + pad);
  out.set(new TextEncoder().encode(spec.id), 0);
  new DataView(out.buffer).setUint32(4, spec.declared ?? spec.body.length, true);
  out.set(spec.body, 8);
  return out;
}

/** A whole RIFF/RF64 WAVE file from chunks. */
export function riff(chunks: ChunkSpec[], magic = 'RIFF'): Uint8Array {
  const parts = chunks.map(chunk);
  const body = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(12 + body);
  out.set(new TextEncoder().encode(magic), 0);
  new DataView(out.buffer).setUint32(4, magic === 'RIFF' ? 4 + body : 0xffffffff, true);
  out.set(new TextEncoder().encode('WAVE'), 8);
  let o = 12;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface FmtSpec {
  tag?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  /** WAVE_FORMAT_EXTENSIBLE with this sub-format code and channel mask. */
  extensible?: { sub: number; mask: number };
}

export function fmt(spec: FmtSpec = {}): ChunkSpec {
  const channels = spec.channels ?? 1;
  const rate = spec.rate ?? 8000;
  const bits = spec.bits ?? 16;
  const ext = spec.extensible;
  const body = new Uint8Array(ext === undefined ? 16 : 40);
  const f = new DataView(body.buffer);
  f.setUint16(0, ext === undefined ? (spec.tag ?? 1) : 0xfffe, true);
  f.setUint16(2, channels, true);
  f.setUint32(4, rate, true);
  const align = (channels * Math.ceil(bits / 8)) & 0xffff;
  f.setUint32(8, rate * align, true);
  f.setUint16(12, align, true);
  f.setUint16(14, bits, true);
  if (ext !== undefined) {
    f.setUint16(16, 22, true);
    f.setUint16(18, bits, true);
    f.setUint32(20, ext.mask, true);
    f.setUint16(24, ext.sub, true);
    body.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  return { id: 'fmt ', body };
}

export function int16Data(samples: number[]): ChunkSpec {
  const body = new Uint8Array(samples.length * 2);
  const dv = new DataView(body.buffer);
  samples.forEach((v, i) => dv.setInt16(i * 2, v, true));
  return { id: 'data', body };
}

/** Pearson correlation of two equally long signals. */
export function correlation(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]! - ma;
    const y = b[i]! - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}

export function rms(a: Float32Array): number {
  let s = 0;
  for (const x of a) s += x * x;
  return Math.sqrt(s / a.length);
}

/** The int16 samples of a plain 16-bit WAV's data chunk (for comparing decoders with their source). */
export function wavInt16(bytes: Uint8Array): Int16Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 12;
  while (p + 8 <= bytes.length) {
    const id = new TextDecoder().decode(bytes.subarray(p, p + 4));
    const size = dv.getUint32(p + 4, true);
    if (id === 'data') {
      const n = Math.floor(Math.min(size, bytes.length - p - 8) / 2);
      return Int16Array.from({ length: n }, (_, i) => dv.getInt16(p + 8 + 2 * i, true));
    }
    p += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}

/** A FLAC VORBIS_COMMENT block body: a little-endian length-prefixed vendor string, a count, then the comments. */
export function vorbisComment(vendor: string, comments: string[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: number[] = [];
  const u32 = (n: number): void => {
    parts.push(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
  };
  const v = enc.encode(vendor);
  u32(v.length);
  parts.push(...v);
  u32(comments.length);
  for (const c of comments) {
    const b = enc.encode(c);
    u32(b.length);
    parts.push(...b);
  }
  return Uint8Array.from(parts);
}

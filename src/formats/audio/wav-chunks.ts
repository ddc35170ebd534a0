/**
 * RIFF chunk walking helpers for the WAV reader: a byte reader that can give bytes back (to recover from
 * writers that leave out the pad byte after an odd-sized chunk), chunk id checks, the RF64 `ds64` chunk,
 * and a look at the chunks after `data` through random access (BWF and INFO chunks written last).
 */
import { ByteReader } from '../common/byte-source.js';
import type { ReaderContext } from '../types.js';
import { BEXT_FIXED_BYTES, MAX_INFO_CHUNK_BYTES, type WavInfo } from './wav-info.js';

/** Chunk headers looked at after `data`, at most. */
const MAX_TRAILING_CHUNKS = 16;

export function ascii(b: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(b[at + i] ?? 0);
  return s;
}

export function u32(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;
}

/** Unsigned 64-bit little-endian as a double (exact below 2^53, far beyond any file). */
export function u64(b: Uint8Array, at: number): number {
  return u32(b, at) + u32(b, at + 4) * 4294967296;
}

/** A chunk id is four printable ASCII characters (letters, digits, space and punctuation). */
export function validId(b: Uint8Array, at: number): boolean {
  for (let i = 0; i < 4; i++) {
    const c = b[at + i];
    if (c === undefined || c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Chunks whose bodies the WAV reader parses for start time and metadata. */
export function isInfoChunk(id: string): boolean {
  return id === 'bext' || id === 'LIST' || id === 'guan';
}

/** A ByteReader with a small push-back buffer in front. */
export class PushbackReader {
  private back: Uint8Array | null = null;
  private readonly r: ByteReader;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.r = new ByteReader(source);
  }

  /** File offset of the next byte. */
  get offset(): number {
    return this.r.offset - (this.back?.length ?? 0);
  }

  unread(bytes: Uint8Array): void {
    this.back = this.back === null ? bytes.slice() : concat(bytes, this.back);
  }

  async readExact(n: number): Promise<Uint8Array> {
    if (this.back === null) return this.r.readExact(n);
    const head = this.takeBack(n);
    if (head.length === n) return head;
    const rest = await this.r.readExact(n - head.length);
    return concat(head, rest);
  }

  async skip(n: number): Promise<number> {
    const head = this.back === null ? 0 : this.takeBack(n).length;
    return head + (head < n ? await this.r.skip(n - head) : 0);
  }

  async readSome(max: number): Promise<Uint8Array | null> {
    if (this.back !== null) return this.takeBack(max);
    return this.r.readSome(max);
  }

  close(): Promise<void> {
    return this.r.close();
  }

  private takeBack(n: number): Uint8Array {
    const b = this.back!;
    if (n >= b.length) {
      this.back = null;
      return b;
    }
    this.back = b.subarray(n);
    return b.subarray(0, n);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** What an RF64/BW64 `ds64` chunk says (the 64-bit sizes that do not fit the 32-bit fields). */
export interface Ds64 {
  riffSize: number;
  dataSize: number;
}

export function parseDs64(body: Uint8Array): Ds64 | null {
  if (body.length < 24) return null;
  return { riffSize: u64(body, 0), dataSize: u64(body, 8) };
}

/**
 * Reads the info chunks (`bext`, `LIST`, `guan`) that follow `data` at `offset`, through random access, so
 * a start time written after the samples is known before they are emitted. Stops at the first thing that
 * is not a chunk header; failures of random access are ignored (the samples are what matter).
 */
export async function readTrailingInfo(ctx: ReaderContext, offset: number, info: WavInfo): Promise<void> {
  let at = offset;
  try {
    for (let i = 0; i < MAX_TRAILING_CHUNKS && at + 8 <= ctx.size; i++) {
      const head = await ctx.readAt(at, 8);
      if (head.length < 8 || !validId(head, 0)) return;
      const id = ascii(head, 0, 4);
      const size = u32(head, 4);
      if (isInfoChunk(id) && size <= MAX_INFO_CHUNK_BYTES && at + 8 + size <= ctx.size) {
        const body = await ctx.readAt(at + 8, id === 'bext' ? Math.min(size, BEXT_FIXED_BYTES) : size);
        info.add(id, body);
      }
      at += 8 + size + (size & 1);
    }
  } catch {
    // Random access is a convenience here; the samples were read from the stream.
  }
}

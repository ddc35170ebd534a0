import type { SampleChunk } from '../domain/stream.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO32 = 4294967296;

/**
 * Float64 ns offsets of samples from the stream's first sample, read from the int64 words without a BigInt
 * per sample (exact for spans up to 2^53 ns ≈ 104 days), and the way back to int64 ns strings.
 */
export class TimeBase {
  private first: bigint | null = null;
  private baseHi = 0;
  private baseLo = 0;
  private buf = new Float64Array(0);

  get started(): boolean {
    return this.first !== null;
  }

  /** The first sample's int64 ns time, or null before any sample. */
  get firstNs(): bigint | null {
    return this.first;
  }

  /** The chunk's offsets (a buffer reused by the next call). */
  offsets(chunk: SampleChunk): Float64Array {
    const n = chunk.length;
    const t = chunk.t;
    if (this.buf.length < n) this.buf = new Float64Array(Math.max(n, 4096));
    const out = this.buf;
    if (this.first === null) {
      this.first = t[0] ?? 0n;
      const f = BigInt.asUintN(64, this.first);
      this.baseLo = Number(f & 0xffffffffn);
      this.baseHi = Number(BigInt.asIntN(32, f >> 32n));
    }
    if (LITTLE_ENDIAN) {
      const lo = new Uint32Array(t.buffer, t.byteOffset, n * 2);
      const hi = new Int32Array(t.buffer, t.byteOffset, n * 2);
      const bh = this.baseHi;
      const bl = this.baseLo;
      for (let i = 0; i < n; i++) out[i] = (hi[2 * i + 1]! - bh) * TWO32 + (lo[2 * i]! - bl);
    } else {
      const f = this.first;
      for (let i = 0; i < n; i++) out[i] = Number(t[i]! - f);
    }
    return out;
  }

  /** The int64 ns time (decimal string) of an offset. */
  ns(offset: number): string {
    return ((this.first ?? 0n) + BigInt(Math.round(offset))).toString();
  }

  /** The first sample's time in ms since the epoch (as a number), or null before any sample. */
  firstMs(): number | null {
    return this.first === null ? null : Number(this.first / 1_000_000n);
  }
}

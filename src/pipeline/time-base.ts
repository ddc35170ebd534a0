import { chunkOffsets, chunkTimeAt } from '../domain/chunk-times.js';
import type { SampleChunk } from '../domain/stream.js';

/**
 * Float64 ns offsets of samples from the stream's first sample, read without a BigInt per sample (exact
 * for spans up to 2^53 ns ≈ 104 days), and the way back to int64 ns strings.
 */
export class TimeBase {
  private first: bigint | null = null;
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
    if (this.buf.length < n) this.buf = new Float64Array(Math.max(n, 4096));
    if (this.first === null) this.first = n > 0 ? chunkTimeAt(chunk, 0) : 0n;
    chunkOffsets(chunk, this.first, this.buf, n);
    return this.buf;
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

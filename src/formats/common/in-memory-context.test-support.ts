import type { ReaderContext } from '../types.js';
import { detectFormat } from '../registry.js';

/** A ReaderContext over bytes held in memory: for tests, benchmarks and members read from small archives. */
export function inMemoryContext(bytes: Uint8Array, filename: string, extra: Partial<ReaderContext> = {}): ReaderContext {
  return {
    filename,
    size: bytes.length,
    readAt: (offset, length) => Promise.resolve(bytes.subarray(Math.max(0, offset), Math.min(bytes.length, offset + length))),
    detect: detectFormat,
    ...extra,
  };
}

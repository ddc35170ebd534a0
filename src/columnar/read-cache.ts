/**
 * What the API keeps between requests for one stored object while a person pans and zooms over it: parsed
 * Parquet footers, decoded row groups and the byte blocks of level-of-detail files. An annotator's viewport
 * moves a little at a time, so consecutive `/samples` and `/audio` requests touch the same few row groups and
 * LOD blocks; without this each request read and parsed them again from the object store.
 *
 * Entries are named by the object's key and its version (ETag: a rewritten object — a reprocessed stream —
 * has another, so a stale entry is never used) and bounded in bytes (least recently used go first). Concurrent
 * requests for an entry that is being made share its one read.
 */
import { LRUCache } from 'lru-cache';
import type { AsyncBuffer } from 'hyparquet';

/** An object's bytes by range, with the identity the cache files its entries under. */
export interface CachedSource extends AsyncBuffer {
  /** `<key>@<version>`: the same for as long as the object's content is the same. */
  readonly cacheId: string;
  readonly cache: ReadCache;
}

interface Entry {
  value: unknown;
  bytes: number;
}

/** Size of the blocks a LOD file is cached in (its reads are a few rows each, mostly near the last ones). */
export const BLOCK_BYTES = 64 * 1024;

export class ReadCache {
  private readonly lru: LRUCache<string, Entry>;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private hits = 0;
  private misses = 0;

  /** `maxBytes` 0 keeps nothing (every read goes to the store). */
  constructor(readonly maxBytes: number) {
    this.lru = new LRUCache<string, Entry>({ maxSize: Math.max(1, maxBytes), sizeCalculation: (e) => Math.max(1, e.bytes) });
  }

  /**
   * The value under `id`, made by `make` (which also says its size in bytes) when it is not held. A value
   * larger than the whole cache is handed back without being kept.
   */
  async memo<T>(id: string, make: () => Promise<{ value: T; bytes: number }>): Promise<T> {
    const held = this.lru.get(id);
    if (held) {
      this.hits++;
      return held.value as T;
    }
    const running = this.inflight.get(id);
    if (running) {
      this.hits++;
      return running as Promise<T>;
    }
    this.misses++;
    const p = make().then(({ value, bytes }) => {
      if (this.maxBytes > 0 && bytes <= this.maxBytes) this.lru.set(id, { value, bytes });
      return value;
    });
    this.inflight.set(id, p);
    try {
      return await p;
    } finally {
      this.inflight.delete(id);
    }
  }

  /**
   * `src` read through the cache in BLOCK_BYTES blocks: each range is served from the blocks it touches, the
   * missing ones fetched in one ranged read. For small objects read by small scattered ranges (LOD files).
   */
  blocks(src: AsyncBuffer, cacheId: string): CachedSource {
    const size = src.byteLength;
    const block = (i: number): Promise<Uint8Array> =>
      this.memo(`${cacheId}#b${i}`, async () => {
        const start = i * BLOCK_BYTES;
        const bytes = new Uint8Array(await src.slice(start, Math.min(size, start + BLOCK_BYTES)));
        return { value: bytes, bytes: bytes.byteLength };
      });
    return {
      byteLength: size,
      cacheId,
      cache: this,
      slice: async (start: number, end?: number): Promise<ArrayBuffer> => {
        const stop = Math.min(size, end ?? size);
        if (stop <= start) return new ArrayBuffer(0);
        const first = Math.floor(start / BLOCK_BYTES);
        const last = Math.floor((stop - 1) / BLOCK_BYTES);
        await this.prefetchRun(src, cacheId, first, last);
        const parts = await Promise.all(Array.from({ length: last - first + 1 }, (_, k) => block(first + k)));
        const out = new Uint8Array(stop - start);
        for (let k = 0; k < parts.length; k++) {
          const blockStart = (first + k) * BLOCK_BYTES;
          const from = Math.max(start, blockStart) - blockStart;
          const to = Math.min(stop, blockStart + parts[k]!.byteLength) - blockStart;
          out.set(parts[k]!.subarray(from, to), blockStart + from - start);
        }
        return out.buffer;
      },
    };
  }

  /** A plain source under an identity, for readers that memoise what they parse from it (Parquet footers, row groups). */
  source(src: AsyncBuffer, cacheId: string): CachedSource {
    return { byteLength: src.byteLength, slice: (s, e) => src.slice(s, e), cacheId, cache: this };
  }

  /** Fetches the blocks first…last that are missing in one read when more than one is (fewer round trips). */
  private async prefetchRun(src: AsyncBuffer, cacheId: string, first: number, last: number): Promise<void> {
    if (last === first || this.maxBytes <= 0) return;
    const missing: number[] = [];
    for (let i = first; i <= last; i++) if (!this.lru.has(`${cacheId}#b${i}`) && !this.inflight.has(`${cacheId}#b${i}`)) missing.push(i);
    if (missing.length < 2) return;
    const lo = missing[0]!;
    const hi = missing.at(-1)!;
    const all = this.memo(`${cacheId}#run${lo}-${hi}`, async () => {
      const start = lo * BLOCK_BYTES;
      const bytes = new Uint8Array(await src.slice(start, Math.min(src.byteLength, (hi + 1) * BLOCK_BYTES)));
      // Filed block by block; the run itself is not kept.
      return { value: bytes, bytes: Number.POSITIVE_INFINITY };
    });
    const bytes = await all;
    for (let i = lo; i <= hi; i++) {
      const part = bytes.subarray((i - lo) * BLOCK_BYTES, (i - lo + 1) * BLOCK_BYTES);
      if (this.maxBytes > 0 && !this.lru.has(`${cacheId}#b${i}`)) this.lru.set(`${cacheId}#b${i}`, { value: part.slice(), bytes: part.byteLength });
    }
  }

  /** Bytes held, entries, and how many lookups found their value (held or being made). */
  stats(): { bytes: number; entries: number; hits: number; misses: number } {
    return { bytes: this.lru.calculatedSize, entries: this.lru.size, hits: this.hits, misses: this.misses };
  }
}

/** True when `src` carries a cache identity (see {@link CachedSource}). */
export function isCached(src: AsyncBuffer): src is CachedSource {
  return typeof (src as Partial<CachedSource>).cacheId === 'string' && (src as Partial<CachedSource>).cache instanceof ReadCache;
}

/**
 * Level-of-detail summary of one stream: per-channel min/max (and sample count) over equal-time buckets, at
 * a few zoom levels (each 8× coarser than the one below), so that a plot of hours or days of samples is
 * answered from a few kilobytes instead of every sample. Built in the one streaming pass over the samples
 * (memory bounded: the finest level coarsens itself when it grows past MAX_BUCKETS), stored next to the
 * stream's Parquet as a small binary file that is read by byte ranges.
 *
 * File layout: "FSLOD1\0\0", u32 LE header length, UTF-8 JSON header, then for each level its buckets as
 * Float32 rows of (n, min_0 … min_{C-1}, max_0 … max_{C-1}).
 */
import { chunkOffsets, regularChunk } from '../domain/chunk-times.js';
import type { SampleChunk } from '../domain/stream.js';

const MAGIC = new TextEncoder().encode('FSLOD1\0\0');
/** Finest-level buckets kept while streaming (~1 Mi: 24 h of 16 kHz audio coarsens to ~82 ms buckets). */
export const MAX_BUCKETS = 1 << 20;
/** Samples per finest bucket aimed for (decided from the first intervals). */
const SAMPLES_PER_BUCKET = 16;
/** Levels stop once a level has fewer buckets than this. */
const MIN_TOP_BUCKETS = 16;
const LEVEL_FACTOR = 4;

export interface LodLevel {
  widthNs: number;
  count: number;
  /** Byte offset of the level's rows in the file. */
  offset: number;
}

export interface LodHeader {
  channels: string[];
  /** Bucket 0 of every level starts here (decimal int64 ns). */
  originNs: string;
  levels: LodLevel[];
}

/** A copy of the chunk's first `length` rows (the reader may reuse its buffers). */
function copyOf(chunk: SampleChunk): SampleChunk {
  const n = chunk.length;
  const values = chunk.values.map((v) => v.slice(0, n));
  const r = chunk.regular;
  return r === undefined ? { length: n, t: chunk.t.slice(0, n), values } : regularChunk(n, values, r.clock, r.firstFrame);
}

export class LodBuilder {
  private readonly c: number;
  private origin: bigint | null = null;
  private widthNs = 0;
  private rows = new Float32Array(0);
  private count = 0;
  private readonly pending: SampleChunk[] = [];
  private offs = new Float64Array(0);
  private pendingRows = 0;

  constructor(private readonly channels: string[], private readonly maxBuckets = MAX_BUCKETS) {
    this.c = channels.length;
  }

  private get stride(): number {
    return 1 + 2 * this.c;
  }

  push(chunk: SampleChunk): void {
    if (chunk.length === 0) return;
    if (this.widthNs === 0) {
      // Decide the bucket width from the first ~1,024 samples' median interval.
      this.pending.push(copyOf(chunk));
      this.pendingRows += chunk.length;
      if (this.pendingRows < 1024) return;
      this.decideWidth();
      for (const p of this.pending.splice(0)) this.add(p);
      return;
    }
    this.add(chunk);
  }

  private decideWidth(): void {
    const t = this.pending.flatMap((p) => Array.from(p.t));
    this.origin = t.reduce((a, b) => (b < a ? b : a), t[0]!);
    const dts: number[] = [];
    for (let i = 1; i < t.length && dts.length < 1024; i++) {
      const d = Number(t[i]! - t[i - 1]!);
      if (d > 0) dts.push(d);
    }
    dts.sort((a, b) => a - b);
    const dt = dts.length ? dts[dts.length >> 1]! : 1e6;
    // A power of two in ns keeps coarsening by 2 exact.
    this.widthNs = 2 ** Math.ceil(Math.log2(Math.max(1, dt * SAMPLES_PER_BUCKET)));
  }

  private add(chunk: SampleChunk): void {
    const n = chunk.length;
    const values = chunk.values;
    if (this.offs.length < n) this.offs = new Float64Array(Math.max(n, 4096));
    const offs = this.offs;
    chunkOffsets(chunk, this.origin!, offs, n);
    const stride = this.stride;
    const c = this.c;
    for (let i = 0; i < n; i++) {
      const off = offs[i]!;
      if (off < 0) continue; // before the first sample (backwards clock): left out of the overview
      let b = Math.floor(off / this.widthNs);
      while (b >= this.maxBuckets) {
        this.coarsen();
        b = Math.floor(off / this.widthNs);
      }
      if (b >= this.count) this.grow(b + 1);
      const rows = this.rows;
      const base = b * stride;
      rows[base]! += 1;
      for (let k = 0; k < c; k++) {
        const v = values[k]![i]!;
        if (v !== v) continue; // NaN stays out of min/max
        const mn = base + 1 + k;
        const mx = base + 1 + c + k;
        if (!(rows[mn]! <= v)) rows[mn] = v;
        if (!(rows[mx]! >= v)) rows[mx] = v;
      }
    }
  }

  private grow(count: number): void {
    const stride = this.stride;
    if (count * stride > this.rows.length) {
      const next = new Float32Array(Math.max(count, Math.min(this.maxBuckets, this.count * 2 + 1024)) * stride);
      next.set(this.rows);
      this.rows = next;
    }
    for (let b = this.count; b < count; b++) this.clear(this.rows, b * stride);
    this.count = count;
  }

  private clear(rows: Float32Array, base: number): void {
    rows[base] = 0;
    rows.fill(NaN, base + 1, base + this.stride);
  }

  /** Halves the finest level's resolution in place. */
  private coarsen(): void {
    const merged = mergeLevel(this.rows, this.count, this.c, 2);
    this.rows = new Float32Array(Math.max(merged.length, this.rows.length));
    this.rows.set(merged);
    this.count = Math.ceil(this.count / 2);
    this.widthNs *= 2;
  }

  /** The file's bytes; null when the stream had no samples. */
  finish(): Uint8Array | null {
    if (this.widthNs === 0) {
      if (this.pendingRows === 0) return null;
      this.decideWidth();
      for (const p of this.pending.splice(0)) this.add(p);
    }
    const levels: { widthNs: number; rows: Float32Array; count: number }[] = [
      { widthNs: this.widthNs, rows: this.rows.subarray(0, this.count * this.stride), count: this.count },
    ];
    while (levels.at(-1)!.count > MIN_TOP_BUCKETS) {
      const last = levels.at(-1)!;
      levels.push({ widthNs: last.widthNs * LEVEL_FACTOR, rows: mergeLevel(last.rows, last.count, this.c, LEVEL_FACTOR), count: Math.ceil(last.count / LEVEL_FACTOR) });
    }
    const enc = new TextEncoder();
    // Offsets depend on the header's length, which depends on the offsets: settle it in two passes.
    let headerBytes = enc.encode('');
    let header: LodHeader = { channels: this.channels, originNs: this.origin!.toString(), levels: [] };
    for (let pass = 0; pass < 3; pass++) {
      let offset = MAGIC.length + 4 + headerBytes.length;
      offset += (4 - (offset % 4)) % 4;
      header = {
        ...header,
        levels: levels.map((l) => {
          const lvl = { widthNs: l.widthNs, count: l.count, offset };
          offset += l.rows.byteLength;
          return lvl;
        }),
      };
      headerBytes = enc.encode(JSON.stringify(header));
    }
    const dataStart = header.levels[0]!.offset;
    const total = dataStart + levels.reduce((a, l) => a + l.rows.byteLength, 0);
    const out = new Uint8Array(total);
    out.set(MAGIC, 0);
    new DataView(out.buffer).setUint32(MAGIC.length, headerBytes.length, true);
    out.set(headerBytes, MAGIC.length + 4);
    for (let i = 0; i < levels.length; i++) {
      const r = levels[i]!.rows;
      out.set(new Uint8Array(r.buffer, r.byteOffset, r.byteLength), header.levels[i]!.offset);
    }
    return out;
  }
}

/** Merges `factor` neighbouring buckets into one. */
function mergeLevel(rows: Float32Array, count: number, c: number, factor: number): Float32Array {
  const stride = 1 + 2 * c;
  const outCount = Math.ceil(count / factor);
  const out = new Float32Array(outCount * stride);
  for (let o = 0; o < outCount; o++) {
    const ob = o * stride;
    out.fill(NaN, ob + 1, ob + stride);
    for (let b = o * factor; b < Math.min(count, (o + 1) * factor); b++) {
      const ib = b * stride;
      out[ob]! += rows[ib]!;
      for (let k = 0; k < c; k++) {
        const mn = rows[ib + 1 + k]!;
        const mx = rows[ib + 1 + c + k]!;
        if (mn === mn && !(out[ob + 1 + k]! <= mn)) out[ob + 1 + k] = mn;
        if (mx === mx && !(out[ob + 1 + c + k]! >= mx)) out[ob + 1 + c + k] = mx;
      }
    }
  }
  return out;
}

/** Random access to a LOD file (an S3 object read by ranges, or bytes in memory). */
export interface LodSource {
  byteLength: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
}

export async function readLodHeader(src: LodSource): Promise<LodHeader> {
  const first = new Uint8Array(await src.slice(0, Math.min(src.byteLength, 64 * 1024)));
  for (let i = 0; i < MAGIC.length; i++) if (first[i] !== MAGIC[i]) throw new Error('not a FieldSense LOD file');
  const len = new DataView(first.buffer, first.byteOffset).getUint32(MAGIC.length, true);
  const start = MAGIC.length + 4;
  const bytes = start + len <= first.length ? first.subarray(start, start + len) : new Uint8Array(await src.slice(start, start + len));
  return JSON.parse(new TextDecoder().decode(bytes)) as LodHeader;
}

export interface LodWindow {
  t: BigInt64Array;
  channels: Record<string, Float32Array>;
  /** Buckets of the chosen level that the window touches. */
  buckets: number;
  widthNs: number;
}

/**
 * The envelope of [fromNs, toNs] from the coarsest level that still gives at least maxPoints/4 buckets in
 * the window (≤ maxPoints/2 when a finer one fits): each non-empty bucket gives two points, its min at the
 * bucket's start and its max at its middle. Returns null when even the finest level is too coarse for the
 * window (the caller then reads the samples themselves).
 */
export async function readLodWindow(src: LodSource, header: LodHeader, fromNs: bigint, toNs: bigint, maxPoints: number): Promise<LodWindow | null> {
  const origin = BigInt(header.originNs);
  const c = header.channels.length;
  const stride = 1 + 2 * c;
  const half = Math.max(1, Math.floor(maxPoints / 2));
  const span = Number(toNs - fromNs) + 1;
  // Finest level whose bucket count in the window fits in maxPoints/2.
  const level = header.levels.find((l) => Math.ceil(span / l.widthNs) + 1 <= half);
  if (!level) return null;
  if (level === header.levels[0] && span / level.widthNs < half / 4) return null; // the raw samples are few enough
  const first = Math.max(0, Math.floor(Number(fromNs - origin) / level.widthNs));
  const last = Math.min(level.count - 1, Math.floor(Number(toNs - origin) / level.widthNs));
  const n = Math.max(0, last - first + 1);
  const rows = n === 0 ? new Float32Array(0) : new Float32Array(await src.slice(level.offset + first * stride * 4, level.offset + (last + 1) * stride * 4));
  let points = 0;
  for (let b = 0; b < n; b++) if (rows[b * stride]! > 0) points += 2;
  const t = new BigInt64Array(points);
  const out = header.channels.map(() => new Float32Array(points));
  let p = 0;
  const w = BigInt(level.widthNs);
  for (let b = 0; b < n; b++) {
    const base = b * stride;
    if (!(rows[base]! > 0)) continue;
    const start = origin + BigInt(first + b) * w;
    t[p] = start < fromNs ? fromNs : start;
    t[p + 1] = start + w / 2n > toNs ? toNs : start + w / 2n;
    for (let k = 0; k < c; k++) {
      out[k]![p] = rows[base + 1 + k]!;
      out[k]![p + 1] = rows[base + 1 + c + k]!;
    }
    p += 2;
  }
  return { t, channels: Object.fromEntries(header.channels.map((name, k) => [name, out[k]!])), buckets: n, widthNs: level.widthNs };
}

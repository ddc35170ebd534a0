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
  slice(start: number, end?: number): ArrayBuffer | Promise<ArrayBuffer>;
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

/** Sample count and per-channel min/max (NaN when a channel has no number there) of some samples. */
export interface RangeSummary {
  count: number;
  min: number[];
  max: number[];
}

/**
 * Summarises the stored samples with fromNs ≤ t ≤ toNs, in the LOD header's channel order: how the
 * envelope gets the samples at its edges, where no bucket lies wholly inside the window.
 */
export type RawRangeSummary = (fromNs: bigint, toNs: bigint) => Promise<RangeSummary>;

/** Summary of some samples given as columns (rows with fromNs ≤ t ≤ toNs only): what a {@link RawRangeSummary} computes. */
export function summariseRows(t: ArrayLike<bigint>, values: ArrayLike<number>[], fromNs: bigint, toNs: bigint): RangeSummary {
  const out = emptySummary(values.length);
  for (let i = 0; i < t.length; i++) {
    const ti = t[i]!;
    if (ti < fromNs || ti > toNs) continue;
    out.count++;
    for (let k = 0; k < values.length; k++) {
      const v = values[k]![i]!;
      if (v !== v) continue;
      if (!(out.min[k]! <= v)) out.min[k] = v;
      if (!(out.max[k]! >= v)) out.max[k] = v;
    }
  }
  return out;
}

function emptySummary(c: number): RangeSummary {
  return { count: 0, min: new Array<number>(c).fill(NaN), max: new Array<number>(c).fill(NaN) };
}

function mergeInto(into: RangeSummary, from: RangeSummary): RangeSummary {
  if (from.count === 0) return into;
  into.count += from.count;
  for (let k = 0; k < into.min.length; k++) {
    const mn = from.min[k]!;
    const mx = from.max[k]!;
    if (mn === mn && !(into.min[k]! <= mn)) into.min[k] = mn;
    if (mx === mx && !(into.max[k]! >= mx)) into.max[k] = mx;
  }
  return into;
}

/** ⌊a / b⌋ and ⌈a / b⌉ for b > 0 (BigInt division truncates toward zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}
function ceilDiv(a: bigint, b: bigint): bigint {
  return -floorDiv(-a, b);
}

/** The buckets of one level a time range covers wholly: first and last index, and the times they span. */
function fullBuckets(header: LodHeader, level: LodLevel, fromNs: bigint, toNs: bigint): { first: number; last: number; startNs: bigint; endNs: bigint } | null {
  const origin = BigInt(header.originNs);
  const w = BigInt(level.widthNs);
  // Nothing before the origin is in the overview (samples of a backwards clock): that part is read raw.
  const first = ceilDiv(fromNs - origin, w);
  const i0 = first < 0n ? 0n : first;
  const i1 = floorDiv(toNs + 1n - origin, w) - 1n;
  if (i0 > i1) return null;
  return { first: Number(i0), last: Number(i1), startNs: origin + i0 * w, endNs: origin + (i1 + 1n) * w - 1n };
}

async function readRows(src: LodSource, header: LodHeader, level: LodLevel, first: number, last: number): Promise<Float32Array> {
  const stride = 1 + 2 * header.channels.length;
  const hi = Math.min(last, level.count - 1);
  if (hi < first) return new Float32Array(0);
  return new Float32Array(await src.slice(level.offset + first * stride * 4, level.offset + (hi + 1) * stride * 4));
}

function rowSummary(rows: Float32Array, b: number, c: number): RangeSummary {
  const base = b * (1 + 2 * c);
  return { count: rows[base]!, min: Array.from(rows.subarray(base + 1, base + 1 + c)), max: Array.from(rows.subarray(base + 1 + c, base + 1 + 2 * c)) };
}

/**
 * Less than one finest bucket of samples at an end of a range: not summarised by any bucket on its own.
 * `bound` is the summary of the finest bucket(s) it lies in (its samples are within their min and max), null
 * when it lies before the overview's origin (samples of a backwards clock, which no bucket holds).
 */
interface Remainder {
  fromNs: bigint;
  toNs: bigint;
  bound: RangeSummary | null;
}

interface Summary {
  s: RangeSummary;
  remainders: Remainder[];
}

/**
 * Summary of [fromNs, toNs]: the buckets of level `l` that lie wholly inside it, the rest from the next
 * finer level, and what is left below the finest level as remainders. Each step down leaves less than one
 * bucket on either side, so the work is a few small reads per level whatever the range.
 */
async function summarise(src: LodSource, header: LodHeader, l: number, fromNs: bigint, toNs: bigint): Promise<Summary> {
  const c = header.channels.length;
  const none = { s: emptySummary(c), remainders: [] };
  if (fromNs > toNs) return none;
  const origin = BigInt(header.originNs);
  const finest = header.levels[0]!;
  const w0 = BigInt(finest.widthNs);
  // Every sample from the origin on is in the finest level's buckets: past its last bucket there is none.
  if (fromNs >= origin + w0 * BigInt(finest.count)) return none;
  if (l < 0) {
    const remainders: Remainder[] = [];
    if (fromNs < origin) remainders.push({ fromNs, toNs: toNs < origin ? toNs : origin - 1n, bound: null });
    if (toNs >= origin) {
      const a = fromNs < origin ? origin : fromNs;
      const first = Number((a - origin) / w0);
      const rows = await readRows(src, header, finest, first, Number((toNs - origin) / w0));
      const bound = emptySummary(c);
      for (let b = 0; b * (1 + 2 * c) < rows.length; b++) mergeInto(bound, rowSummary(rows, b, c));
      if (bound.count > 0) remainders.push({ fromNs: a, toNs, bound });
    }
    return { s: emptySummary(c), remainders };
  }
  const level = header.levels[l]!;
  const full = fullBuckets(header, level, fromNs, toNs);
  if (full === null) return summarise(src, header, l - 1, fromNs, toNs);
  const [rows, left, right] = await Promise.all([
    readRows(src, header, level, full.first, full.last),
    summarise(src, header, l - 1, fromNs, full.startNs - 1n),
    summarise(src, header, l - 1, full.endNs + 1n, toNs),
  ]);
  const out = mergeInto(emptySummary(c), left.s);
  for (let b = 0; b * (1 + 2 * c) < rows.length; b++) mergeInto(out, rowSummary(rows, b, c));
  return { s: mergeInto(out, right.s), remainders: [...left.remainders, ...right.remainders] };
}

/** True when samples within `bound` could lie outside `overall` (a new min or max of some channel). */
function couldExtend(bound: RangeSummary | null, overall: RangeSummary): boolean {
  if (bound === null) return true;
  for (let k = 0; k < overall.min.length; k++) {
    const mn = bound.min[k]!;
    const mx = bound.max[k]!;
    if (mn === mn && !(mn >= overall.min[k]!)) return true;
    if (mx === mx && !(mx <= overall.max[k]!)) return true;
  }
  return false;
}

/**
 * The min/max envelope of [fromNs, toNs] from the overview: the finest level whose buckets in the window fit
 * in maxPoints/2 (null when even the finest level is too coarse, or when the raw samples are few enough:
 * the caller then reads the samples themselves). Each bucket that lies wholly inside the window gives two
 * points, its min at its start and its max at its middle; the parts of the window at either end that only
 * partly fill a bucket are summarised from finer levels and give two points each the same way. What is left
 * below the finest level (less than one finest bucket at either end) is read from the samples through `raw`
 * only when it could hold the window's min or max; else it is left out, which changes no extreme. So every
 * time is within [fromNs, toNs] and non-decreasing, there are at most maxPoints points, and each channel's
 * min and max over the envelope are those of the window's samples.
 */
export async function readLodWindow(src: LodSource, header: LodHeader, fromNs: bigint, toNs: bigint, maxPoints: number, raw: RawRangeSummary): Promise<LodWindow | null> {
  const c = header.channels.length;
  const half = Math.max(1, Math.floor(maxPoints / 2));
  const span = Number(toNs - fromNs) + 1;
  // Finest level whose bucket count in the window fits in maxPoints/2.
  const li = header.levels.findIndex((l) => Math.ceil(span / l.widthNs) + 1 <= half);
  if (li < 0) return null;
  const level = header.levels[li]!;
  if (li === 0 && span / level.widthNs < half / 4) return null; // the raw samples are few enough
  // Ranges of the window, in time order: [start, end] inclusive, their summary and remainders.
  const ranges: { startNs: bigint; endNs: bigint; s: RangeSummary; remainders: Remainder[] }[] = [];
  const full = fullBuckets(header, level, fromNs, toNs);
  if (full === null) {
    ranges.push({ startNs: fromNs, endNs: toNs, ...(await summarise(src, header, li - 1, fromNs, toNs)) });
  } else {
    const [rows, left, right] = await Promise.all([
      readRows(src, header, level, full.first, full.last),
      summarise(src, header, li - 1, fromNs, full.startNs - 1n),
      summarise(src, header, li - 1, full.endNs + 1n, toNs),
    ]);
    const w = BigInt(level.widthNs);
    ranges.push({ startNs: fromNs, endNs: full.startNs - 1n, ...left });
    for (let b = 0; b * (1 + 2 * c) < rows.length; b++) {
      const startNs = full.startNs + BigInt(b) * w;
      ranges.push({ startNs, endNs: startNs + w - 1n, s: rowSummary(rows, b, c), remainders: [] });
    }
    ranges.push({ startNs: full.endNs + 1n, endNs: toNs, ...right });
  }
  const overall = emptySummary(c);
  for (const r of ranges) mergeInto(overall, r.s);
  await Promise.all(ranges.flatMap((r) => r.remainders.filter((m) => couldExtend(m.bound, overall)).map(async (m) => {
    mergeInto(r.s, await raw(m.fromNs, m.toNs));
  })));
  const kept = ranges.filter((r) => r.s.count > 0);
  const t = new BigInt64Array(kept.length * 2);
  const out = header.channels.map(() => new Float32Array(kept.length * 2));
  kept.forEach((r, i) => {
    t[2 * i] = r.startNs;
    t[2 * i + 1] = r.startNs + (r.endNs - r.startNs) / 2n;
    for (let k = 0; k < c; k++) {
      out[k]![2 * i] = r.s.min[k]!;
      out[k]![2 * i + 1] = r.s.max[k]!;
    }
  });
  return { t, channels: Object.fromEntries(header.channels.map((name, k) => [name, out[k]!])), buckets: full === null ? 0 : full.last - full.first + 1, widthNs: level.widthNs };
}

/**
 * Reads stream Parquet files written by `StreamParquetWriter` (layout: stream-parquet-layout.ts) through any
 * `AsyncBuffer` (an S3 object with ranged GETs, a file, memory).
 *
 * `readStreamWindow` is what a plot asks for: the samples of a time window, or, when there are more than
 * the plot can use, a min/max envelope. It reads only the row groups whose `time` statistics overlap the
 * window and streams through them (the one being reduced plus two fetched ahead), so memory stays
 * O(row group + maxPoints) whatever the window's length: a 24 h, 8.64 M-row range is never materialised.
 */
import { parquetMetadataAsync, parquetRead } from 'hyparquet';
import type { AsyncBuffer, ColumnData, FileMetaData } from 'hyparquet';
import type { SampleChunk, StreamInfo } from '../domain/stream.js';
import { AppError } from '../lib/errors.js';
import { decodeChunk, type ChunkInfo } from './parquet-page-decode.js';
import { isCached } from './read-cache.js';
import { STREAM_INFO_KEY, TIME_COLUMN } from './stream-parquet-layout.js';

export type { AsyncBuffer };

export interface StreamWindowOptions {
  /** First time of the window, inclusive (Unix ns). Default: the stream's first sample. */
  fromNs?: bigint;
  /** Last time of the window, inclusive (Unix ns). Default: the stream's last sample. */
  toNs?: bigint;
  /**
   * Most values per channel the caller wants back (≥ 2); more rows than this are reduced to an envelope.
   * Memory grows with it (~20 bytes per point and channel): the API should cap it (a few 10k suffice for a plot).
   */
  maxPoints: number;
}

export interface StreamWindow {
  /** Times of the returned points, ascending (file order). */
  t: BigInt64Array;
  /** One array per channel, same length as `t`. */
  channels: Record<string, Float32Array>;
  /** True when the points are a min/max envelope rather than the samples themselves. */
  reduced: boolean;
  /** Samples with fromNs ≤ t ≤ toNs. */
  totalRowsInRange: number;
}

export interface StreamFileInfo {
  stream: StreamInfo;
  rows: number;
  /** Earliest sample time (the first one, for a time-ordered stream); null when the file has no rows. */
  firstNs: bigint | null;
  /** Latest sample time; null when the file has no rows. */
  lastNs: bigint | null;
}

interface GroupInfo {
  rowStart: number;
  rows: number;
  /** From the footer statistics; null when the file has none (then the group is read to find out). */
  minNs: bigint | null;
  maxNs: bigint | null;
  /** Where each column's chunk lies in the file (column name → byte range and kind), from the footer. */
  chunks: Map<string, ChunkInfo & { start: number; end: number }>;
}

interface StreamFile {
  file: AsyncBuffer;
  stream: StreamInfo;
  rows: number;
  groups: GroupInfo[];
  /** The footer with `time` as a plain INT64, so hyparquet hands back a BigInt64Array, not Dates. */
  readMetadata: FileMetaData;
}

interface Group {
  t: BigInt64Array;
  values: Float32Array[];
}

const TWO_POW_32 = 4_294_967_296;
const TWO_POW_53 = 2 ** 53;
const FOOTER_FETCH_BYTES = 64 * 1024;
/** Row groups fetched ahead of the one being reduced. */
const READ_AHEAD = 2;

/** The stream description, row count and time span, from the footer alone (one or two small reads). */
export async function readStreamInfo(file: AsyncBuffer): Promise<StreamFileInfo> {
  const f = await openStreamFile(file);
  const span = await fileSpan(f);
  return { stream: f.stream, rows: f.rows, firstNs: span?.min ?? null, lastNs: span?.max ?? null };
}

/**
 * The samples with fromNs ≤ t ≤ toNs, or their min/max envelope when there are more than `maxPoints`.
 *
 * The envelope uses ⌊maxPoints/2⌋ buckets of equal time over [fromNs, toNs] (bounds known before reading,
 * so row groups stream through it one by one). A bucket with samples gives two points, at the times of
 * its first and last samples; each channel takes its minimum and its maximum there, in the order they
 * occurred (uPlot-style min/max decimation). One channel's extremes happen at other times than another's
 * and `t` is shared, so the envelope is exact in value (every channel's true min and max survive) and
 * within one bucket in time. A bucket with one sample gives that sample; an empty bucket gives nothing.
 * NaN samples are left out of min/max (a bucket with only NaN gives NaN).
 */
export async function readStreamWindow(file: AsyncBuffer, opts: StreamWindowOptions): Promise<StreamWindow> {
  const { maxPoints } = opts;
  if (!Number.isSafeInteger(maxPoints) || maxPoints < 2) {
    throw new AppError('validation_failed', `maxPoints must be an integer ≥ 2, got ${maxPoints}`);
  }
  if (opts.fromNs !== undefined && opts.toNs !== undefined && opts.fromNs > opts.toNs) {
    throw new AppError('validation_failed', `The window starts (${opts.fromNs}) after it ends (${opts.toNs})`);
  }
  const f = await openStreamFile(file);
  const channels = f.stream.channels;
  const span = opts.fromNs === undefined || opts.toNs === undefined ? await fileSpan(f) : undefined;
  const fromNs = opts.fromNs ?? span?.min;
  const toNs = opts.toNs ?? span?.max;
  if (fromNs === undefined || toNs === undefined || fromNs > toNs) return emptyWindow(channels);

  const selected = f.groups.filter((g) => g.minNs === null || g.maxNs === null || (g.maxNs >= fromNs && g.minNs <= toNs));
  const upperBound = selected.reduce((sum, g) => sum + g.rows, 0);
  const raw = new RawCollector(Math.min(upperBound, maxPoints), channels.length);
  const envelope = upperBound > maxPoints ? new EnvelopeReducer(Math.floor(maxPoints / 2), fromNs, toNs, channels.length) : null;
  const window = new WindowFilter(fromNs, toNs);
  let total = 0;
  // READ_AHEAD row groups are in flight (e.g. S3 ranged GETs) while the current one is decoded and reduced;
  // each uses one of READ_AHEAD + 1 sets of buffers, so none is overwritten while in use.
  const buffers: Group[] = Array.from({ length: READ_AHEAD + 1 }, () => ({ t: new BigInt64Array(0), values: [] }));
  for await (const { t, values } of groupsAhead(f, selected, buffers)) {
    const rows = window.select(t);
    total += rows.count;
    if (raw.alive && total <= maxPoints) raw.add(t, values, rows);
    else raw.drop();
    envelope?.add(t, values, rows);
  }
  if (total <= maxPoints) return { ...raw.result(channels), reduced: false, totalRowsInRange: total };
  if (!envelope) throw new Error('unreachable: more rows than the row groups hold');
  return { ...envelope.result(channels), reduced: true, totalRowsInRange: total };
}

/** The rows of one row group that fall in a window (see `openStreamWindow`). */
export interface WindowPiece {
  /** How many rows of the group are in the window. */
  count: number;
  /** Their row indices in the group, ascending (index[0 … count-1]). */
  index: Uint32Array;
  /** Their times minus the window's start, in ns, as doubles (exact for windows shorter than 104 days). */
  relNs: Float64Array;
  /** The group's values, one array per channel in `StreamInfo.channels` order: read them at `index`. */
  values: Float32Array[];
}

/**
 * The samples with fromNs ≤ t ≤ toNs, one piece per overlapping row group in file order, for a caller that
 * streams them on (audio by time range) instead of holding the window. The footer is read before this
 * resolves (so a missing or foreign file fails here); the pieces are read as they are asked for, READ_AHEAD
 * groups ahead. A piece's arrays are reused: they are valid until the next piece is asked for.
 */
export async function openStreamWindow(file: AsyncBuffer, fromNs: bigint, toNs: bigint): Promise<{ stream: StreamInfo; pieces: AsyncGenerator<WindowPiece> }> {
  const f = await openStreamFile(file);
  const selected = f.groups.filter((g) => g.rows > 0 && (g.minNs === null || g.maxNs === null || (g.maxNs >= fromNs && g.minNs <= toNs)));
  async function* pieces(): AsyncGenerator<WindowPiece> {
    if (fromNs > toNs) return;
    const window = new WindowFilter(fromNs, toNs);
    const buffers: Group[] = Array.from({ length: READ_AHEAD + 1 }, () => ({ t: new BigInt64Array(0), values: [] }));
    for await (const { t, values } of groupsAhead(f, selected, buffers)) {
      const rows = window.select(t);
      if (rows.count > 0) yield { count: rows.count, index: rows.index, relNs: rows.rel, values };
    }
  }
  return { stream: f.stream, pieces: pieces() };
}

/**
 * Every sample of the file, in file order, one chunk per row group (the next READ_AHEAD groups in flight
 * while one is used). Each chunk is a fresh set of arrays: a consumer may keep it. Memory: a few row groups.
 */
export async function* readStreamChunks(file: AsyncBuffer): AsyncGenerator<SampleChunk> {
  const f = await openStreamFile(file);
  for await (const { t, values } of groupsAhead(f, f.groups.filter((g) => g.rows > 0))) yield { length: t.length, t, values };
}

/**
 * The groups' columns in order, READ_AHEAD groups in flight while one is used. With `buffers`, group i is read
 * into buffers[i % buffers.length] (so it needs READ_AHEAD + 1 of them); without, each group gets new arrays.
 */
async function* groupsAhead(f: StreamFile, groups: GroupInfo[], buffers?: Group[]): AsyncGenerator<Group> {
  const pending: Promise<Group>[] = [];
  let started = 0;
  const readAhead = (): void => {
    for (; pending.length < READ_AHEAD && started < groups.length; started++) {
      const read = readGroup(f, groups[started] as GroupInfo, true, buffers?.[started % buffers.length]);
      // A read that fails while an earlier one is awaited must not count as unhandled; it throws when awaited.
      read.catch(() => undefined);
      pending.push(read);
    }
  };
  readAhead();
  for (let current = pending.shift(); current; current = pending.shift()) {
    const group = await current;
    readAhead();
    yield group;
  }
}

function emptyWindow(channels: string[]): StreamWindow {
  return { t: new BigInt64Array(0), channels: Object.fromEntries(channels.map((c) => [c, new Float32Array(0)])), reduced: false, totalRowsInRange: 0 };
}

/**
 * The file's footer, parsed. A source read through a ReadCache (read-cache.ts) parses it once per object
 * version: a day of 16 kHz audio has ~5,300 row groups and a 1.6 MB footer.
 */
async function openStreamFile(file: AsyncBuffer): Promise<StreamFile> {
  if (!isCached(file)) return parseStreamFile(file);
  const f = await file.cache.memo(`${file.cacheId}#footer`, async () => {
    const value = await parseStreamFile(file);
    // Parsed thrift objects take several times the footer's bytes; our own group index ~0.3 KB a group.
    return { value, bytes: 6 * Number(value.readMetadata.metadata_length || 0) + 300 * value.groups.length };
  });
  return f.file === file ? f : { ...f, file };
}

async function parseStreamFile(file: AsyncBuffer): Promise<StreamFile> {
  // Keep TIMESTAMP(NANOS) statistics as bigint ns instead of millisecond Dates. Our footers are small
  // (~0.3 KB per row group), so fetch 64 KiB rather than hyparquet's default 512 KiB; longer ones take a second read.
  const metadata = await parquetMetadataAsync(file, {
    parsers: { timestampFromNanoseconds: (ns: bigint) => ns },
    initialFetchSize: FOOTER_FETCH_BYTES,
  });
  const json = metadata.key_value_metadata?.find((kv) => kv.key === STREAM_INFO_KEY)?.value;
  if (json === undefined) throw new Error(`Not a stream Parquet file: no "${STREAM_INFO_KEY}" footer metadata`);
  const stream = JSON.parse(json) as StreamInfo;
  if (!Array.isArray(stream.channels)) throw new Error(`Not a stream Parquet file: "${STREAM_INFO_KEY}" has no channels`);
  const byName = new Map(metadata.schema.map((e) => [e.name, e]));
  if (byName.get(TIME_COLUMN)?.type !== 'INT64') throw new Error(`Not a stream Parquet file: no INT64 "${TIME_COLUMN}" column`);
  for (const c of stream.channels) {
    if (byName.get(c)?.type !== 'FLOAT') throw new Error(`Not a stream Parquet file: no FLOAT column for channel "${c}"`);
  }

  const groups: GroupInfo[] = [];
  let rowStart = 0;
  for (const rg of metadata.row_groups) {
    const rows = Number(rg.num_rows);
    const stats = rg.columns.find((c) => c.meta_data?.path_in_schema[0] === TIME_COLUMN)?.meta_data?.statistics;
    const min = stats?.min_value ?? stats?.min;
    const max = stats?.max_value ?? stats?.max;
    const chunks = new Map<string, ChunkInfo & { start: number; end: number }>();
    for (const c of rg.columns) {
      const m = c.meta_data;
      const name = m?.path_in_schema.length === 1 ? m.path_in_schema[0] : undefined;
      if (m === undefined || name === undefined || (m.type !== 'INT64' && m.type !== 'FLOAT') || m.dictionary_page_offset !== undefined) continue;
      const start = Number(m.data_page_offset);
      chunks.set(name, { type: m.type, codec: m.codec, rows, start, end: start + Number(m.total_compressed_size) });
    }
    groups.push({ rowStart, rows, minNs: typeof min === 'bigint' ? min : null, maxNs: typeof max === 'bigint' ? max : null, chunks });
    rowStart += rows;
  }
  const readMetadata: FileMetaData = {
    ...metadata,
    schema: metadata.schema.map((e) => (e.name === TIME_COLUMN ? { ...e, logical_type: undefined } : e)),
  };
  return { file, stream, rows: Number(metadata.num_rows), groups, readMetadata };
}

/** Earliest and latest time of the file; groups without statistics are read (time column only). */
async function fileSpan(f: StreamFile): Promise<{ min: bigint; max: bigint } | undefined> {
  let min: bigint | undefined;
  let max: bigint | undefined;
  for (const g of f.groups) {
    if (g.rows === 0) continue;
    if (g.minNs === null || g.maxNs === null) {
      const { t } = await readGroup(f, g, false);
      for (const v of t) {
        if (g.minNs === null || v < g.minNs) g.minNs = v;
        if (g.maxNs === null || v > g.maxNs) g.maxNs = v;
      }
    }
    if (g.minNs !== null && (min === undefined || g.minNs < min)) min = g.minNs;
    if (g.maxNs !== null && (max === undefined || g.maxNs > max)) max = g.maxNs;
  }
  return min === undefined || max === undefined ? undefined : { min, max };
}

/**
 * One row group's columns as typed arrays (channels in `StreamInfo.channels` order). With `reuse`, the
 * arrays are views of its buffers, valid until the next call with the same `reuse`; from a cached source
 * (read-cache.ts) the group is the cache's copy instead, shared and never to be written to.
 */
async function readGroup(f: StreamFile, g: GroupInfo, withChannels = true, reuse?: Group): Promise<Group> {
  const file = f.file;
  if (withChannels && isCached(file)) {
    // Held decoded for the next requests, which are likely to touch it again (a viewport moves a little at a
    // time). Callers only read a group's arrays, so one copy serves them all.
    return file.cache.memo(`${file.cacheId}#g${g.rowStart}`, async () => {
      const group = await decodeGroup(f, g, true);
      return { value: group, bytes: group.t.byteLength + group.values.reduce((a, v) => a + v.byteLength, 0) };
    });
  }
  return decodeGroup(f, g, withChannels, reuse);
}

async function decodeGroup(f: StreamFile, g: GroupInfo, withChannels: boolean, reuse?: Group): Promise<Group> {
  const channels = withChannels ? f.stream.channels : [];
  if (reuse && reuse.t.length < g.rows) {
    reuse.t = new BigInt64Array(g.rows);
    reuse.values = channels.map(() => new Float32Array(g.rows));
  }
  const t = reuse ? reuse.t.subarray(0, g.rows) : new BigInt64Array(g.rows);
  const values = channels.map((_, c) => reuse?.values[c]?.subarray(0, g.rows) ?? new Float32Array(g.rows));
  if (await readGroupDirect(f, g, channels, t, values)) return { t, values };
  const index = new Map(channels.map((c, i) => [c, i]));
  const place = ({ columnName, columnData, rowStart }: ColumnData): void => {
    const at = rowStart - g.rowStart;
    const n = Math.min(columnData.length, g.rows - at);
    if (n <= 0 || at < 0) return;
    if (columnName === TIME_COLUMN) {
      if (columnData instanceof BigInt64Array) t.set(columnData.subarray(0, n), at);
      else for (let i = 0; i < n; i++) t[at + i] = BigInt(columnData[i] as bigint | number);
      return;
    }
    const c = index.get(columnName);
    if (c === undefined) return;
    const target = values[c] as Float32Array;
    if (columnData instanceof Float32Array) target.set(columnData.subarray(0, n), at);
    else for (let i = 0; i < n; i++) target[at + i] = Number(columnData[i]);
  };
  await parquetRead({
    file: f.file,
    metadata: f.readMetadata,
    columns: [TIME_COLUMN, ...channels],
    rowStart: g.rowStart,
    rowEnd: g.rowStart + g.rows,
    onChunk: place,
  });
  return { t, values };
}

/**
 * Reads a group's chunks with our own page decoders (parquet-page-decode.ts: the pages our writer writes,
 * several times faster than hyparquet's general decoding) in one ranged read; false when any chunk is of
 * another kind, and then nothing was written to `t`/`values` that hyparquet will not overwrite.
 */
async function readGroupDirect(f: StreamFile, g: GroupInfo, channels: readonly string[], t: BigInt64Array, values: Float32Array[]): Promise<boolean> {
  const wanted = [TIME_COLUMN, ...channels].map((name) => g.chunks.get(name));
  if (wanted.some((c) => c === undefined)) return false;
  const chunks = wanted as (ChunkInfo & { start: number; end: number })[];
  const from = Math.min(...chunks.map((c) => c.start));
  const to = Math.max(...chunks.map((c) => c.end));
  if (!(from >= 0 && to <= f.file.byteLength && from < to)) return false;
  const bytes = new Uint8Array(await f.file.slice(from, to));
  return chunks.every((c, i) => decodeChunk(bytes.subarray(c.start - from, c.end - from), c, i === 0 ? t : (values[i - 1] as Float32Array)));
}

/** The rows of one group inside the window, with their time relative to the window start. */
interface Selection {
  count: number;
  /** Row indices in the group, ascending. */
  index: Uint32Array;
  /** t - fromNs as a double: exact when the window is shorter than 2^53 ns (104 days), else within ~1 µs. */
  rel: Float64Array;
}

/**
 * Decides which rows fall in [fromNs, toNs] without a BigInt per row: each time is taken apart into its
 * 32-bit words (the BigInt64Array's memory) and its offset from fromNs computed as a double.
 */
class WindowFilter {
  private readonly fromHi: number;
  private readonly fromLo: number;
  private readonly span: number;
  /** The window is wider than doubles hold exactly: compare BigInts instead (only for absurd windows). */
  private readonly wide: boolean;
  private index = new Uint32Array(0);
  private rel = new Float64Array(0);

  constructor(
    private readonly fromNs: bigint,
    private readonly toNs: bigint,
  ) {
    this.fromHi = Number(BigInt.asIntN(32, fromNs >> 32n));
    this.fromLo = Number(BigInt.asUintN(32, fromNs));
    this.span = Number(toNs - fromNs);
    this.wide = toNs - fromNs >= BigInt(TWO_POW_53);
  }

  select(t: BigInt64Array): Selection {
    const n = t.length;
    if (this.index.length < n) {
      this.index = new Uint32Array(n);
      this.rel = new Float64Array(n);
    }
    const { index, rel, fromHi, fromLo, span } = this;
    const lo = new Uint32Array(t.buffer, t.byteOffset, n * 2);
    const hi = new Int32Array(t.buffer, t.byteOffset, n * 2);
    let count = 0;
    if (!this.wide) {
      for (let i = 0; i < n; i++) {
        const r = ((hi[2 * i + 1] as number) - fromHi) * TWO_POW_32 + ((lo[2 * i] as number) - fromLo);
        if (r >= 0 && r <= span) {
          index[count] = i;
          rel[count] = r;
          count++;
        }
      }
      return { count, index, rel };
    }
    for (let i = 0; i < n; i++) {
      const v = t[i] as bigint;
      if (v >= this.fromNs && v <= this.toNs) {
        index[count] = i;
        rel[count] = Math.min(span, Math.max(0, ((hi[2 * i + 1] as number) - fromHi) * TWO_POW_32 + ((lo[2 * i] as number) - fromLo)));
        count++;
      }
    }
    return { count, index, rel };
  }
}

/** Keeps the selected rows as they are, while there are at most `capacity` of them. */
class RawCollector {
  alive = true;
  private t: BigInt64Array;
  private values: Float32Array[];
  private n = 0;

  constructor(capacity: number, channels: number) {
    this.t = new BigInt64Array(capacity);
    this.values = Array.from({ length: channels }, () => new Float32Array(capacity));
  }

  add(t: BigInt64Array, values: Float32Array[], rows: Selection): void {
    for (let k = 0; k < rows.count; k++) {
      const i = rows.index[k] as number;
      this.t[this.n] = t[i] as bigint;
      for (let c = 0; c < values.length; c++) (this.values[c] as Float32Array)[this.n] = (values[c] as Float32Array)[i] as number;
      this.n++;
    }
  }

  drop(): void {
    if (!this.alive) return;
    this.alive = false;
    this.t = new BigInt64Array(0);
    this.values = [];
  }

  result(channels: string[]): Pick<StreamWindow, 't' | 'channels'> {
    return {
      t: this.t.subarray(0, this.n),
      channels: Object.fromEntries(channels.map((c, i) => [c, (this.values[i] ?? new Float32Array(0)).subarray(0, this.n)])),
    };
  }
}

/** Min/max per channel over equal-time buckets of [fromNs, toNs]; see `readStreamWindow`. */
class EnvelopeReducer {
  private readonly count: Float64Array;
  private readonly first: Float64Array;
  private readonly last: Float64Array;
  /** Per channel: min, max and the relative times they occurred at. */
  private readonly min: Float32Array[];
  private readonly max: Float32Array[];
  private readonly minAt: Float64Array[];
  private readonly maxAt: Float64Array[];
  private readonly scale: number;

  constructor(
    private readonly buckets: number,
    private readonly fromNs: bigint,
    toNs: bigint,
    channels: number,
  ) {
    this.count = new Float64Array(buckets);
    this.first = new Float64Array(buckets);
    this.last = new Float64Array(buckets);
    this.min = Array.from({ length: channels }, () => new Float32Array(buckets).fill(NaN));
    this.max = Array.from({ length: channels }, () => new Float32Array(buckets).fill(NaN));
    this.minAt = Array.from({ length: channels }, () => new Float64Array(buckets));
    this.maxAt = Array.from({ length: channels }, () => new Float64Array(buckets));
    this.scale = buckets / (Number(toNs - fromNs) + 1);
  }

  private bucketOf = new Uint32Array(0);

  add(_t: BigInt64Array, values: Float32Array[], rows: Selection): void {
    const { count, first, last, buckets, scale } = this;
    if (this.bucketOf.length < rows.count) this.bucketOf = new Uint32Array(rows.count);
    const bucketOf = this.bucketOf;
    for (let k = 0; k < rows.count; k++) {
      const r = rows.rel[k] as number;
      const b = Math.min(buckets - 1, Math.floor(r * scale));
      bucketOf[k] = b;
      if (count[b] === 0 || r < (first[b] as number)) first[b] = r;
      if (count[b] === 0 || r > (last[b] as number)) last[b] = r;
      count[b] = (count[b] as number) + 1;
    }
    for (let c = 0; c < values.length; c++) {
      const v = values[c] as Float32Array;
      const min = this.min[c] as Float32Array;
      const max = this.max[c] as Float32Array;
      const minAt = this.minAt[c] as Float64Array;
      const maxAt = this.maxAt[c] as Float64Array;
      for (let k = 0; k < rows.count; k++) {
        const x = v[rows.index[k] as number] as number;
        if (x !== x) continue;
        const b = bucketOf[k] as number;
        const r = rows.rel[k] as number;
        const lo = min[b] as number;
        if (lo !== lo || x < lo) {
          min[b] = x;
          minAt[b] = r;
        }
        const hi = max[b] as number;
        if (hi !== hi || x > hi) {
          max[b] = x;
          maxAt[b] = r;
        }
      }
    }
  }

  result(channels: string[]): Pick<StreamWindow, 't' | 'channels'> {
    let points = 0;
    for (let b = 0; b < this.buckets; b++) points += Math.min(this.count[b] as number, 2);
    const t = new BigInt64Array(points);
    const out = channels.map(() => new Float32Array(points));
    let p = 0;
    for (let b = 0; b < this.buckets; b++) {
      const n = this.count[b] as number;
      if (n === 0) continue;
      t[p] = this.fromNs + BigInt(this.first[b] as number);
      if (n > 1) t[p + 1] = this.fromNs + BigInt(this.last[b] as number);
      for (let c = 0; c < channels.length; c++) {
        const lo = (this.min[c] as Float32Array)[b] as number;
        const hi = (this.max[c] as Float32Array)[b] as number;
        const o = out[c] as Float32Array;
        if (n === 1) {
          o[p] = lo;
        } else if (((this.minAt[c] as Float64Array)[b] as number) <= ((this.maxAt[c] as Float64Array)[b] as number)) {
          o[p] = lo;
          o[p + 1] = hi;
        } else {
          o[p] = hi;
          o[p + 1] = lo;
        }
      }
      p += Math.min(n, 2);
    }
    return { t, channels: Object.fromEntries(channels.map((c, i) => [c, out[i] as Float32Array])) };
  }
}

/**
 * The file-level plumbing of a Parquet writer that lays out its own pages: a byte queue that tracks the file
 * position and hands the sink fresh pieces of a bounded size, and a column-chunk writer that frames pages
 * (DICTIONARY_PAGE, DATA_PAGE_V2) and builds the chunk's footer metadata, and the file's magic and footer.
 * Page headers, the footer and snappy come from the vendored hyparquet-writer pieces
 * (vendor/hyparquet-writer/README.md).
 *
 * Bytes are copied exactly once on their way to the sink: pages may queue views into the caller's arrays
 * (a list column's Float32Array), which are copied into the sink's piece when it is cut.
 */
import type { ColumnChunk, ColumnMetaData, Encoding, KeyValue, ParquetType, RowGroup, SchemaElement, Statistics } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import type { ByteSink } from './parquet-stream-writer.js';
import { writePageHeader } from './vendor/hyparquet-writer/datapage.js';
import { writeMetadata } from './vendor/hyparquet-writer/metadata.js';
import { snappyCompress } from './vendor/hyparquet-writer/snappy.js';

export type { ByteSink } from './parquet-stream-writer.js';

/** Largest piece handed to the sink at once. */
export const SINK_PIECE_BYTES = 1 << 20;

export type Codec = 'UNCOMPRESSED' | 'SNAPPY';
type PageEncodingStats = NonNullable<ColumnMetaData['encoding_stats']>[number];

/** Float statistics also carry the NaN count (Parquet's `nan_count`, which hyparquet's type lacks). */
export type ChunkStatistics = Statistics & { nan_count?: bigint };

/** Bytes on their way to the sink, with the file position they end at. */
export class FileOutput {
  /** File position of the next byte queued. */
  offset = 0;
  private readonly sink: ByteSink;
  private parts: Uint8Array[] = [];
  private queued = 0;

  constructor(sink: ByteSink) {
    this.sink = sink;
  }

  /** Queues bytes. A view into the caller's data must stay unchanged until the next `flush(true)` resolves. */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.queued += bytes.length;
    this.offset += bytes.length;
  }

  /** Hands the sink every whole piece queued, and the rest too when `all`; waits for each write. */
  async flush(all: boolean): Promise<void> {
    while (this.queued >= SINK_PIECE_BYTES || (all && this.queued > 0)) {
      const size = Math.min(SINK_PIECE_BYTES, this.queued);
      // Not zero-filled (every byte is set below), and never a view into Node's shared pool.
      const piece = Buffer.allocUnsafeSlow(size);
      let at = 0;
      let used = 0;
      while (at < size) {
        const part = this.parts[used] as Uint8Array;
        const take = Math.min(part.length, size - at);
        piece.set(take === part.length ? part : part.subarray(0, take), at);
        at += take;
        if (take === part.length) used++;
        else this.parts[used] = part.subarray(take);
      }
      this.parts = this.parts.slice(used);
      this.queued -= size;
      await this.sink.write(piece);
    }
  }
}

export interface DataPageV2 {
  /** Rows in the page (a page starts and ends on a row). */
  rows: number;
  /** Level entries: values plus nulls (and empty lists). */
  levels: number;
  /** Level entries below the max definition level. */
  nulls: number;
  encoding: Encoding;
  rep?: Uint8Array | undefined;
  def?: Uint8Array | undefined;
  /** The encoded values, in pieces (concatenated before compression). */
  body: readonly Uint8Array[];
}

/** One column chunk of one row group: its pages, then its footer entry from `finish`. */
export class ColumnChunkWriter {
  private readonly out: FileOutput;
  private readonly type: ParquetType;
  private readonly path: string[];
  private readonly codec: Codec;
  private readonly start: number;
  private dictionaryOffset: number | undefined;
  private dataOffset: number | undefined;
  private uncompressed = 0;
  private readonly encodings = new Set<Encoding>();
  private readonly stats: PageEncodingStats[] = [];

  constructor(out: FileOutput, type: ParquetType, path: string[], codec: Codec) {
    this.out = out;
    this.type = type;
    this.path = path;
    this.codec = codec;
    this.start = out.offset;
  }

  /** The PLAIN-encoded dictionary of `count` values; before any data page. */
  dictionaryPage(plain: Uint8Array, count: number): void {
    if (this.dataOffset !== undefined) throw new Error('the dictionary page comes before the data pages');
    this.dictionaryOffset = this.out.offset;
    const packed = this.codec === 'SNAPPY' ? snappyCompress(plain) : plain;
    this.header({
      type: 'DICTIONARY_PAGE',
      uncompressed_page_size: plain.length,
      compressed_page_size: packed.length,
      dictionary_page_header: { num_values: count, encoding: 'PLAIN' },
    }, plain.length);
    this.out.push(packed);
    this.count('DICTIONARY_PAGE', 'PLAIN');
  }

  dataPage(p: DataPageV2): void {
    this.dataOffset ??= this.out.offset;
    const rep = p.rep ?? new Uint8Array(0);
    const def = p.def ?? new Uint8Array(0);
    let raw = 0;
    for (const b of p.body) raw += b.length;
    let body = p.body;
    let stored = raw;
    if (this.codec === 'SNAPPY') {
      const packed = snappyCompress(body.length === 1 ? (body[0] as Uint8Array) : concat(body, raw));
      body = [packed];
      stored = packed.length;
    }
    const levels = rep.length + def.length;
    this.header({
      type: 'DATA_PAGE_V2',
      uncompressed_page_size: levels + raw,
      compressed_page_size: levels + stored,
      data_page_header_v2: {
        num_values: p.levels,
        num_nulls: p.nulls,
        num_rows: p.rows,
        encoding: p.encoding,
        definition_levels_byte_length: def.length,
        repetition_levels_byte_length: rep.length,
        is_compressed: this.codec !== 'UNCOMPRESSED',
      },
    }, levels + raw);
    this.out.push(rep);
    this.out.push(def);
    for (const b of body) this.out.push(b);
    if (levels > 0) this.encodings.add('RLE');
    this.count('DATA_PAGE_V2', p.encoding);
  }

  /** The chunk's footer entry; `values` counts level entries (Parquet's `num_values`). */
  finish(values: number, statistics: ChunkStatistics | undefined): ColumnChunk {
    return {
      file_offset: BigInt(this.start),
      meta_data: {
        type: this.type,
        encodings: [...this.encodings].sort(),
        path_in_schema: this.path,
        codec: this.codec,
        num_values: BigInt(values),
        total_uncompressed_size: BigInt(this.uncompressed),
        total_compressed_size: BigInt(this.out.offset - this.start),
        data_page_offset: BigInt(this.dataOffset ?? this.start),
        ...(this.dictionaryOffset !== undefined ? { dictionary_page_offset: BigInt(this.dictionaryOffset) } : {}),
        ...(statistics ? { statistics } : {}),
        encoding_stats: this.stats,
      },
    };
  }

  private header(h: Parameters<typeof writePageHeader>[1], uncompressedBody: number): void {
    const w = new ByteWriter(64);
    writePageHeader(w, h);
    const bytes = w.getBytes().slice();
    this.out.push(bytes);
    this.uncompressed += bytes.length + uncompressedBody;
  }

  private count(pageType: PageEncodingStats['page_type'], encoding: Encoding): void {
    this.encodings.add(encoding);
    const s = this.stats.find((x) => x.page_type === pageType && x.encoding === encoding);
    if (s) s.count++;
    else this.stats.push({ page_type: pageType, encoding, count: 1 });
  }
}

export function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // "PAR1"

/** Queues the file's leading magic. */
export function startFile(out: FileOutput): void {
  out.push(MAGIC.slice());
}

/** The footer entry of a row group whose chunks start at `start`. */
export function rowGroupOf(columns: ColumnChunk[], rows: number, start: number, end: number): RowGroup {
  let uncompressed = 0n;
  for (const c of columns) uncompressed += c.meta_data?.total_uncompressed_size ?? 0n;
  return { columns, total_byte_size: uncompressed, num_rows: BigInt(rows), file_offset: BigInt(start), total_compressed_size: BigInt(end - start) };
}

/** Queues the footer (FileMetaData, its length, the magic) and hands everything to the sink. */
export async function finishFile(
  out: FileOutput,
  meta: { schema: SchemaElement[]; rows: number; rowGroups: RowGroup[]; kv: KeyValue[]; createdBy: string },
): Promise<void> {
  const w = new ByteWriter(1 << 16);
  writeMetadata(w, {
    version: 2,
    schema: meta.schema,
    num_rows: BigInt(meta.rows),
    row_groups: meta.rowGroups,
    key_value_metadata: meta.kv,
    created_by: meta.createdBy,
    metadata_length: 0, // not serialised: writeMetadata appends the length itself
  });
  out.push(w.getBytes().slice());
  out.push(MAGIC.slice());
  await out.flush(true);
}

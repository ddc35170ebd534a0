/**
 * The Arrow schema of a Parquet file we write, as the `ARROW:schema` footer entry that Arrow's Parquet
 * readers (pyarrow, and pandas, polars and Hugging Face `datasets` through it) restore field metadata and
 * exact types from: without it a column's unit would be visible only to readers of the project's own JSON
 * (`fieldsense.stream`), and a list column would come back with whatever names the reader guesses.
 *
 * The entry is an Arrow IPC Schema message (Arrow's Message.fbs / Schema.fbs, metadata version V5) in its
 * encapsulated form — 0xFFFFFFFF, the flatbuffer's padded length, the flatbuffer — base64-encoded, as
 * Arrow C++ writes it (`parquet::arrow` stores `ipc::SerializeSchema`). The tables are built with the
 * FlatBuffers runtime; only the types our files use are written: Timestamp(NANOSECOND, "UTC"),
 * FloatingPoint(SINGLE | DOUBLE), Int(32 | 64, signed), Bool, Utf8, Binary, and List / Struct_ of those.
 */
import { Builder } from 'flatbuffers';

/** Arrow `Type` union tags (Schema.fbs). */
const TYPE_INT = 2;
const TYPE_FLOATING_POINT = 3;
const TYPE_BINARY = 4;
const TYPE_UTF8 = 5;
const TYPE_BOOL = 6;
const TYPE_TIMESTAMP = 10;
const TYPE_LIST = 12;
const TYPE_STRUCT = 13;
const PRECISION_SINGLE = 1;
const PRECISION_DOUBLE = 2;
const TIME_UNIT_NANOSECOND = 3;
/** `MessageHeader.Schema` and `MetadataVersion.V5` (Message.fbs, Schema.fbs). */
const HEADER_SCHEMA = 1;
const METADATA_V5 = 4;

export type ArrowPrimitiveType = 'timestamp-ns-utc' | 'float32' | 'float64' | 'int32' | 'int64' | 'bool' | 'utf8' | 'binary';

/** A primitive, a list of one child field (its name: Parquet's `element`), or a struct of child fields. */
export type ArrowType = ArrowPrimitiveType | { list: ArrowField } | { struct: readonly ArrowField[] };

export interface ArrowField {
  name: string;
  type: ArrowType;
  /** Whether the column may hold nulls (an OPTIONAL Parquet field). Default false: REQUIRED. */
  nullable?: boolean;
  /** Arrow field metadata (units, sensor, …). */
  metadata?: Record<string, string>;
}

function keyValues(b: Builder, m: Record<string, string>): number {
  const offsets = Object.entries(m).map(([k, v]) => {
    const key = b.createString(k);
    const value = b.createString(v);
    b.startObject(2);
    b.addFieldOffset(0, key, 0);
    b.addFieldOffset(1, value, 0);
    return b.endObject();
  });
  return vector(b, offsets);
}

function vector(b: Builder, offsets: number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
  return b.endVector();
}

function emptyTable(b: Builder): number {
  b.startObject(0);
  return b.endObject();
}

/** The type table and its union tag. */
function typeTable(b: Builder, t: ArrowType): { tag: number; table: number } {
  if (typeof t !== 'string') return { tag: 'list' in t ? TYPE_LIST : TYPE_STRUCT, table: emptyTable(b) };
  switch (t) {
    case 'timestamp-ns-utc': {
      const tz = b.createString('UTC');
      b.startObject(2);
      b.addFieldInt16(0, TIME_UNIT_NANOSECOND, 0);
      b.addFieldOffset(1, tz, 0);
      return { tag: TYPE_TIMESTAMP, table: b.endObject() };
    }
    case 'float32':
    case 'float64':
      b.startObject(1);
      b.addFieldInt16(0, t === 'float32' ? PRECISION_SINGLE : PRECISION_DOUBLE, 0);
      return { tag: TYPE_FLOATING_POINT, table: b.endObject() };
    case 'int32':
    case 'int64':
      b.startObject(2);
      b.addFieldInt32(0, t === 'int32' ? 32 : 64, 0);
      b.addFieldInt8(1, 1, 0); // is_signed
      return { tag: TYPE_INT, table: b.endObject() };
    case 'bool':
      return { tag: TYPE_BOOL, table: emptyTable(b) };
    case 'utf8':
      return { tag: TYPE_UTF8, table: emptyTable(b) };
    case 'binary':
      return { tag: TYPE_BINARY, table: emptyTable(b) };
  }
}

function field(b: Builder, f: ArrowField): number {
  const t = f.type;
  const childFields = typeof t === 'string' ? [] : 'list' in t ? [t.list] : t.struct;
  // Children first: a flatbuffer table cannot be built while another is open.
  const childOffsets = childFields.map((c) => field(b, c));
  const name = b.createString(f.name);
  const { tag, table } = typeTable(b, t);
  // Arrow C++ refuses a Field without a children vector, even an empty one.
  const children = vector(b, childOffsets);
  const metadata = keyValues(b, f.metadata ?? {});
  b.startObject(7);
  b.addFieldOffset(0, name, 0);
  b.addFieldInt8(1, f.nullable === true ? 1 : 0, 0);
  b.addFieldInt8(2, tag, 0);
  b.addFieldOffset(3, table, 0);
  b.addFieldOffset(5, children, 0);
  b.addFieldOffset(6, metadata, 0);
  return b.endObject();
}

/** The `ARROW:schema` value for these fields (base64 of the encapsulated IPC Schema message). */
export function arrowSchemaEntry(fields: readonly ArrowField[], schemaMetadata: Record<string, string> = {}): string {
  const b = new Builder(1024);
  const fieldOffsets = fields.map((f) => field(b, f));
  const fieldsVec = vector(b, fieldOffsets);
  const meta = keyValues(b, schemaMetadata);
  b.startObject(4);
  b.addFieldInt16(0, 0, 0); // endianness: Little
  b.addFieldOffset(1, fieldsVec, 0);
  b.addFieldOffset(2, meta, 0);
  const schema = b.endObject();
  b.startObject(5);
  b.addFieldInt16(0, METADATA_V5, 0);
  b.addFieldInt8(1, HEADER_SCHEMA, 0);
  b.addFieldOffset(2, schema, 0);
  b.addFieldInt64(3, 0n, 0n);
  b.finish(b.endObject());
  const fb = b.asUint8Array();
  const padded = Math.ceil(fb.length / 8) * 8;
  const out = new Uint8Array(8 + padded);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xffffffff, true);
  dv.setInt32(4, padded, true);
  out.set(fb, 8);
  return Buffer.from(out).toString('base64');
}

/**
 * The Arrow schema of a stream's Parquet file, as the `ARROW:schema` footer entry that Arrow's Parquet
 * readers (pyarrow, and pandas and polars through it) restore field metadata from: without it a column's
 * unit would be visible only to readers of the project's own JSON (`fieldsense.stream`).
 *
 * The entry is an Arrow IPC Schema message (Arrow's Message.fbs / Schema.fbs, metadata version V5) in its
 * encapsulated form — 0xFFFFFFFF, the flatbuffer's padded length, the flatbuffer — base64-encoded, as
 * Arrow C++ writes it (`parquet::arrow` stores `ipc::SerializeSchema`). The tables are built with the
 * FlatBuffers runtime; only the types this layout uses are written: Timestamp(NANOSECOND, "UTC") for `time`
 * and FloatingPoint(SINGLE) for the channels, all non-nullable.
 */
import { Builder } from 'flatbuffers';

/** Arrow `Type` union tags (Schema.fbs). */
const TYPE_FLOATING_POINT = 3;
const TYPE_TIMESTAMP = 10;
const PRECISION_SINGLE = 1;
const TIME_UNIT_NANOSECOND = 3;
/** `MessageHeader.Schema` and `MetadataVersion.V5` (Message.fbs, Schema.fbs). */
const HEADER_SCHEMA = 1;
const METADATA_V5 = 4;

export interface ArrowField {
  name: string;
  type: 'timestamp-ns-utc' | 'float32';
  metadata: Record<string, string>;
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

function field(b: Builder, f: ArrowField): number {
  const name = b.createString(f.name);
  let type: number;
  if (f.type === 'timestamp-ns-utc') {
    const tz = b.createString('UTC');
    b.startObject(2);
    b.addFieldInt16(0, TIME_UNIT_NANOSECOND, 0);
    b.addFieldOffset(1, tz, 0);
    type = b.endObject();
  } else {
    b.startObject(1);
    b.addFieldInt16(0, PRECISION_SINGLE, 0);
    type = b.endObject();
  }
  // Arrow C++ refuses a Field without a children vector, even an empty one.
  const children = vector(b, []);
  const metadata = keyValues(b, f.metadata);
  b.startObject(7);
  b.addFieldOffset(0, name, 0);
  b.addFieldInt8(1, 0, 0); // nullable: false (REQUIRED columns)
  b.addFieldInt8(2, f.type === 'timestamp-ns-utc' ? TYPE_TIMESTAMP : TYPE_FLOATING_POINT, 0);
  b.addFieldOffset(3, type, 0);
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

import { crc32, deflateRawSync } from 'node:zlib';

/**
 * A minimal ZIP writer for tests (stored and deflated entries, unix modes, the encryption flag, lying
 * sizes): enough to build every archive the container reader must accept or refuse, with no tool at test
 * time. Not for production: it holds the whole archive in memory and writes no ZIP64.
 */

export interface TestZipEntry {
  name: string;
  data: Uint8Array | string;
  /** `stored` (method 0, the default) or `deflate` (method 8). */
  method?: 'stored' | 'deflate';
  /** Unix mode in the external attributes (e.g. 0o120777 for a symlink); made-by host becomes unix. */
  unixMode?: number;
  /** Sets general-purpose bit 0 (encrypted). */
  encrypted?: boolean;
  /** Overrides the uncompressed size written in both headers (a lying archive). */
  declaredSize?: number;
  /** Overrides the compression method number written (e.g. 12 for bzip2). */
  methodNumber?: number;
  /** Sets general-purpose bit 11 (name is UTF-8). Default true when the name is not ASCII. */
  utf8?: boolean;
  /** Writes a data descriptor (bit 3) with zero sizes in the local header, as streaming zippers do. */
  dataDescriptor?: boolean;
}

export interface TestZipOptions {
  /** Bytes put before the first local header (a self-extractor stub). */
  prefix?: Uint8Array;
  /** Archive comment. */
  comment?: string;
  /** Overrides the entry count written in the end record. */
  declaredCount?: number;
  /** Writes ZIP64 records: sizes and offsets in ZIP64 extra fields, a ZIP64 end record and locator. */
  zip64?: boolean;
  /** Repeats the first entry's index record this many more times (entries sharing one data block). */
  repeatFirst?: number;
}

function u16(v: number): Uint8Array {
  return new Uint8Array([v & 0xff, (v >>> 8) & 0xff]);
}

function u32(v: number): Uint8Array {
  return new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]);
}

function u64(v: number): Uint8Array {
  return concat([u32(v % 0x100000000), u32(Math.floor(v / 0x100000000))]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Builds a ZIP archive in memory. */
export function buildZip(entries: readonly TestZipEntry[], options: TestZipOptions = {}): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = options.prefix?.length ?? 0;
  for (const e of entries) {
    const raw = typeof e.data === 'string' ? enc.encode(e.data) : e.data;
    const deflate = e.method === 'deflate';
    const body = deflate ? new Uint8Array(deflateRawSync(raw, { level: 9 })) : raw;
    const method = e.methodNumber ?? (deflate ? 8 : 0);
    const name = enc.encode(e.name);
    const utf8 = e.utf8 ?? /[^\x20-\x7e]/.test(e.name);
    let flags = 0;
    if (e.encrypted === true) flags |= 1;
    if (e.dataDescriptor === true) flags |= 8;
    if (utf8) flags |= 0x800;
    const crc = crc32(raw) >>> 0;
    const size = e.declaredSize ?? raw.length;
    const dd = e.dataDescriptor === true;
    const local = concat([
      u32(0x04034b50), u16(20), u16(flags), u16(method), u16(0), u16(0x21),
      u32(dd ? 0 : crc), u32(dd ? 0 : body.length), u32(dd ? 0 : size), u16(name.length), u16(0), name,
    ]);
    const descriptor = dd ? concat([u32(0x08074b50), u32(crc), u32(body.length), u32(size)]) : new Uint8Array(0);
    locals.push(local, body, descriptor);
    const madeBy = e.unixMode === undefined ? 20 : (3 << 8) | 20;
    const external = e.unixMode === undefined ? (e.name.endsWith('/') ? 0x10 : 0) : ((e.unixMode & 0xffff) << 16) >>> 0;
    const z64 = options.zip64 === true;
    const extra = z64 ? concat([u16(1), u16(24), u64(size), u64(body.length), u64(offset)]) : new Uint8Array(0);
    const big = 0xffffffff;
    central.push(
      concat([
        u32(0x02014b50), u16(madeBy), u16(z64 ? 45 : 20), u16(flags), u16(method), u16(0), u16(0x21),
        u32(crc), u32(z64 ? big : body.length), u32(z64 ? big : size), u16(name.length), u16(extra.length), u16(0), u16(0), u16(0),
        u32(external), u32(z64 ? big : offset), name, extra,
      ]),
    );
    offset += local.length + body.length + descriptor.length;
  }
  if (options.repeatFirst !== undefined && central[0] !== undefined) {
    for (let k = 0; k < options.repeatFirst; k++) central.push(central[0]);
  }
  const cd = concat(central);
  const comment = enc.encode(options.comment ?? '');
  const count = options.declaredCount ?? central.length;
  if (options.zip64 === true) {
    const z64End = concat([
      u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(count), u64(count), u64(cd.length), u64(offset),
    ]);
    const locator = concat([u32(0x07064b50), u32(0), u64(offset + cd.length), u32(1)]);
    const eocd64 = concat([
      u32(0x06054b50), u16(0), u16(0), u16(0xffff), u16(0xffff), u32(0xffffffff), u32(0xffffffff), u16(comment.length), comment,
    ]);
    return concat([options.prefix ?? new Uint8Array(0), ...locals, cd, z64End, locator, eocd64]);
  }
  const eocd = concat([
    u32(0x06054b50), u16(0), u16(0), u16(count & 0xffff), u16(count & 0xffff), u32(cd.length), u32(offset),
    u16(comment.length), comment,
  ]);
  return concat([options.prefix ?? new Uint8Array(0), ...locals, cd, eocd]);
}

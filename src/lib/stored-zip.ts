import { crc32 } from 'node:zlib';
import type { Readable } from 'node:stream';

/**
 * Writes a ZIP of stored (uncompressed) entries as a stream, one entry at a time, with bounded memory: each
 * entry's CRC-32 and size go in a data descriptor after its bytes, and in the central directory at the end.
 * Deterministic: the same entries in the same order give the same bytes (fixed 1980-01-01 timestamps), so
 * the archive's SHA-256 identifies its content. Entries up to 4 GiB − 1 and archives up to 4 GiB − 1 (no ZIP64).
 */
export const STORED_ZIP_MAX_BYTES = 0xffff_ffff;

export interface StoredZipEntry {
  /** Name inside the archive (a label only: readers never use it as a path). */
  name: string;
  open(): Promise<Readable>;
}

const DOS_DATE_1980 = (0 << 9) | (1 << 5) | 1;

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

export async function* storedZip(entries: readonly StoredZipEntry[]): AsyncGenerator<Buffer> {
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const flags = 0x0008 | 0x0800; // sizes in a data descriptor; UTF-8 name
    const local = Buffer.concat([u32(0x04034b50), u16(20), u16(flags), u16(0), u16(0), u16(DOS_DATE_1980), u32(0), u32(0), u32(0), u16(name.length), u16(0), name]);
    yield local;
    let crc = 0;
    let size = 0;
    for await (const chunk of await e.open()) {
      const b = chunk as Buffer;
      crc = crc32(b, crc);
      size += b.length;
      if (offset + local.length + size > STORED_ZIP_MAX_BYTES) throw new Error('the files are too large for one archive');
      yield b;
    }
    yield Buffer.concat([u32(0x08074b50), u32(crc), u32(size), u32(size)]);
    central.push(Buffer.concat([
      u32(0x02014b50), u16(20), u16(20), u16(flags), u16(0), u16(0), u16(DOS_DATE_1980), u32(crc), u32(size), u32(size),
      u16(name.length), u16(0), u16(0), u16(0), u16(0), u32(0), u32(offset), name,
    ]));
    offset += local.length + size + 16;
  }
  const cd = Buffer.concat(central);
  yield cd;
  yield Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(entries.length), u16(entries.length), u32(cd.length), u32(offset), u16(0)]);
}

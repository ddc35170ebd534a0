import { AppError } from '../../lib/errors.js';
import type { ReaderContext } from '../types.js';
import { decodeEntryName, isArchiveName, isDirectoryName, isJunkName, unsafeNameReason } from './zip-names.js';

/**
 * Reads a ZIP archive's central directory (the index at the end of the file) through random access and
 * checks every entry against the safety rules before a single member byte is inflated. Local headers are
 * only used later to find where an entry's data starts, and must agree with the directory.
 */

/*
 * Hand-written (this file, zip-entry-source.ts, zip-members.ts) rather than yauzl, on benchmark and safety
 * evidence. Measured 2026-12-03 on the 2-core project machine (Node 20.20, load average near 10 from other
 * work, so CPU seconds are the steadier figure), yauzl 3.4.0 installed in a scratch folder outside the
 * repository and driven through `fromRandomAccessReader` (lazyEntries, decodeStrings off) with a
 * RandomAccessReader whose `_readStreamForRange` reads 256 KiB pieces through an async `readAt` over the
 * archive on disk — so yauzl does work over our random access — and CRC-32 added by us; deflated Sensor
 * Logger-like CSV members, every byte read, three runs each:
 *   - 100 members × 4 MB (127 MB archive, 400 MB out): readZipDirectory + entryDataStart + entryBytes
 *     1.48–1.62 CPU-s (1.7–3.7 s), yauzl 2.31–2.89 CPU-s (2.9–6.6 s): 1.4–1.8× the CPU; readAt calls 602 vs 801;
 *   - 2,000 members × 100 kB (65 MB, 200 MB out): 2.0–2.5 vs 2.45–3.1 CPU-s; readAt calls 4,002 vs 8,001
 *     (yauzl reads each directory record in two reads, here the index is one read): with 2 ms per read —
 *     an object-store round trip costs more — 16.9 s vs 31.8 s. Peak RSS alike (110–130 MiB, idle tsx 76).
 * Safety properties yauzl lacks (each archive from zip-writer.test-support, all accepted by yauzl): entries
 * whose data overlap (one block listed four times: the non-recursive zip bomb), a local header that names
 * another file (yauzl ignores local headers by design), a changed byte (no CRC-32 check), an archive behind
 * a stub whose offsets were not shifted (yauzl fails with "invalid central directory file header
 * signature"); no entry-count, directory-size, ratio, total-size, symlink or nested-archive policy (10,000
 * entries and links accepted); errors are plain Errors ("unexpected EOF", "too many bytes in the stream")
 * whose messages would have to be matched to codes. It does have ZIP64, file-bounds checks and the
 * inflate-past-declared-size check, all of which this code has too (zip-safety.test.ts).
 * Reproduce: `npm i yauzl@3.4.0` in a scratch folder; under tsx, read every member of the same archive both
 * ways, one process per run, counting readAt calls and reading `process.cpuUsage()`.
 */

/** Caps that make a hostile archive fail fast with a clear code instead of exhausting memory, disk or time. */
export interface ZipLimits {
  /** Entries in the central directory (files, folders and junk alike). */
  maxEntries: number;
  /** Declared and real uncompressed size of one entry. */
  maxEntryBytes: number;
  /** Declared and real uncompressed size of all entries together. */
  maxTotalBytes: number;
  /** Uncompressed:compressed ratio beyond which an entry is a zip bomb (when it also exceeds ratioMinBytes). */
  maxRatio: number;
  ratioMinBytes: number;
  /** Size of the central directory itself. */
  maxDirectoryBytes: number;
}

const GIB = 1024 ** 3;
export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxEntries: 2000,
  maxEntryBytes: 4 * GIB,
  maxTotalBytes: 8 * GIB,
  maxRatio: 1000,
  ratioMinBytes: 1024 * 1024,
  maxDirectoryBytes: 64 * 1024 * 1024,
});

export const METHOD_STORED = 0;
export const METHOD_DEFLATE = 8;

/** One entry of the central directory, as the directory (not the local header) describes it. */
export interface ZipEntry {
  /** Position in the central directory (0-based). */
  index: number;
  /** Decoded name: a label for people and a hint to member readers, never a path or a key. */
  name: string;
  rawName: Uint8Array;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Absolute offset of the local header in the file (any prefix before the archive accounted for). */
  localHeaderOffset: number;
  isDirectory: boolean;
  /** Archivers' droppings (`__MACOSX/`, `.DS_Store`): never read. */
  isJunk: boolean;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const EOCD_BYTES = 22;
const CENTRAL_BYTES = 46;
const LOCAL_BYTES = 30;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

const METHOD_NAMES: Record<number, string> = {
  1: 'shrink', 6: 'implode', 9: 'deflate64', 12: 'bzip2', 14: 'LZMA', 93: 'zstd', 95: 'xz', 98: 'PPMd', 99: 'AES encryption',
};

/** Human name of a compression method number. */
export function methodName(method: number): string {
  if (method === METHOD_STORED) return 'stored';
  if (method === METHOD_DEFLATE) return 'deflate';
  return `${METHOD_NAMES[method] ?? 'unknown'} (method ${method})`;
}

export function u16(b: Uint8Array, at: number): number {
  return (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
}

export function u32(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;
}

function u64(b: Uint8Array, at: number): number {
  return u32(b, at) + u32(b, at + 4) * 0x100000000;
}

/** Reads exactly `length` bytes at `offset` (looping over short reads); format_truncated when the file ends first. */
export async function readExactAt(ctx: Pick<ReaderContext, 'readAt'>, offset: number, length: number, what: string): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const piece = await ctx.readAt(offset + got, length - got);
    if (piece.length === 0) break;
    out.set(piece.subarray(0, length - got), got);
    got += Math.min(piece.length, length - got);
  }
  if (got < length) {
    throw new AppError('format_truncated', `The ZIP archive ends inside ${what} (byte ${offset + got} of a ${length}-byte structure at ${offset}); the file was cut.`, { offset });
  }
  return out;
}

interface EndRecord {
  count: number;
  dirSize: number;
  dirOffset: number;
  /** Where the directory must end: the ZIP64 end record, or the classic one. */
  dirLimit: number;
}

async function findEnd(ctx: Pick<ReaderContext, 'size' | 'readAt'>, limits: ZipLimits): Promise<EndRecord> {
  const tailLen = Math.min(ctx.size, EOCD_BYTES + 0xffff);
  const tailStart = ctx.size - tailLen;
  const tail = await readExactAt(ctx, tailStart, tailLen, 'its end record');
  let at = -1;
  for (let i = tail.length - EOCD_BYTES; i >= 0; i--) {
    if (tail[i] === 0x50 && u32(tail, i) === SIG_EOCD && i + EOCD_BYTES + u16(tail, i + 20) <= tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) {
    throw new AppError(
      'format_truncated',
      'The ZIP archive has no end-of-archive record (its index at the end of the file is missing): the file was cut during copy or upload, or is not a complete ZIP.',
    );
  }
  const eocdPos = tailStart + at;
  const disk = u16(tail, at + 4);
  const dirDisk = u16(tail, at + 6);
  let count = u16(tail, at + 10);
  let dirSize = u32(tail, at + 12);
  let dirOffset = u32(tail, at + 16);
  let dirLimit = eocdPos;
  const wantsZip64 = count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff;
  if (wantsZip64 && eocdPos >= 20) {
    const loc = await readExactAt(ctx, eocdPos - 20, 20, 'its ZIP64 locator');
    if (u32(loc, 0) === SIG_LOCATOR64) {
      const z64Pos = u64(loc, 8);
      if (z64Pos + 56 > eocdPos - 20) throw new AppError('format_corrupt', `The ZIP64 end record offset ${z64Pos} points past the end of the archive.`);
      const z = await readExactAt(ctx, z64Pos, 56, 'its ZIP64 end record');
      if (u32(z, 0) !== SIG_EOCD64) throw new AppError('format_corrupt', `The ZIP64 end record at byte ${z64Pos} is damaged (wrong signature).`);
      if (u32(z, 16) !== 0 || u32(z, 20) !== 0) {
        throw new AppError('format_unsupported_variant', 'This is a split (multi-volume) ZIP archive; join the parts into one file (e.g. `zip -s 0 split.zip --out whole.zip`) and upload that.');
      }
      count = u64(z, 32);
      dirSize = u64(z, 40);
      dirOffset = u64(z, 48);
      dirLimit = z64Pos;
    }
  } else if (disk !== 0 || dirDisk !== 0) {
    throw new AppError('format_unsupported_variant', 'This is a split (multi-volume) ZIP archive; join the parts into one file (e.g. `zip -s 0 split.zip --out whole.zip`) and upload that.');
  }
  if (count > limits.maxEntries) {
    throw new AppError('archive_too_large', `The ZIP archive declares ${count} entries; at most ${limits.maxEntries} are accepted. Upload fewer files per archive.`, { entries: count });
  }
  if (dirSize > limits.maxDirectoryBytes) {
    throw new AppError('archive_too_large', `The ZIP archive's index is ${dirSize} bytes; at most ${limits.maxDirectoryBytes} are accepted.`, { directoryBytes: dirSize });
  }
  if (dirOffset + dirSize > dirLimit) {
    throw new AppError('format_corrupt', `The ZIP archive's index (offset ${dirOffset}, ${dirSize} bytes) overlaps its end record at byte ${dirLimit}: the archive is damaged.`);
  }
  return { count, dirSize, dirOffset, dirLimit };
}

/** Parses the ZIP64 extended-information extra field for the values the fixed fields marked 0xFFFFFFFF. */
function applyZip64Extra(extra: Uint8Array, e: { uncompressedSize: number; compressedSize: number; localHeaderOffset: number }): void {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = u16(extra, p);
    const len = u16(extra, p + 2);
    const body = extra.subarray(p + 4, p + 4 + len);
    if (id === 0x0001) {
      let q = 0;
      const next = (): number => {
        if (q + 8 > body.length) throw new AppError('format_corrupt', 'A ZIP64 extra field is shorter than the sizes it must hold.');
        const v = u64(body, q);
        q += 8;
        return v;
      };
      if (e.uncompressedSize === 0xffffffff) e.uncompressedSize = next();
      if (e.compressedSize === 0xffffffff) e.compressedSize = next();
      if (e.localHeaderOffset === 0xffffffff) e.localHeaderOffset = next();
      return;
    }
    p += 4 + len;
  }
}

function checkEntry(e: ZipEntry, madeBy: number, external: number, limits: ZipLimits): void {
  const label = JSON.stringify(e.name);
  const unsafe = unsafeNameReason(e.name);
  if (unsafe !== null) {
    throw new AppError('archive_unsafe', `The ZIP entry ${label} is refused because ${unsafe}. Re-create the archive from the files themselves.`, { entry: e.name });
  }
  const host = madeBy >>> 8;
  const mode = external >>> 16;
  if ((host === 3 || host === 19 || mode !== 0) && (mode & S_IFMT) === S_IFLNK) {
    throw new AppError('archive_unsafe', `The ZIP entry ${label} is a symbolic link; archives with links are refused. Zip the files themselves (e.g. \`zip -r\` without -y).`, { entry: e.name });
  }
  if ((e.flags & 0x41) !== 0 || e.method === 99) {
    throw new AppError('archive_encrypted', `The ZIP entry ${label} is encrypted (password-protected); upload an archive made without a password.`, { entry: e.name });
  }
  if (!e.isDirectory && !e.isJunk && isArchiveName(e.name)) {
    throw new AppError('archive_unsafe', `The ZIP entry ${label} is itself an archive; archives inside archives are refused. Unpack it and upload its files.`, { entry: e.name });
  }
  if (e.uncompressedSize > limits.maxEntryBytes) {
    throw new AppError('archive_too_large', `The ZIP entry ${label} declares ${e.uncompressedSize} bytes uncompressed; at most ${limits.maxEntryBytes} per file are accepted.`, { entry: e.name });
  }
  if (e.uncompressedSize > limits.ratioMinBytes && e.uncompressedSize > limits.maxRatio * e.compressedSize) {
    throw new AppError(
      'archive_too_large',
      `The ZIP entry ${label} would inflate ${e.compressedSize} bytes into ${e.uncompressedSize} (more than ${limits.maxRatio}:1): that is a zip bomb, not sensor data.`,
      { entry: e.name },
    );
  }
  if (e.method === METHOD_STORED && e.compressedSize !== e.uncompressedSize) {
    throw new AppError('format_corrupt', `The ZIP entry ${label} is stored uncompressed but declares ${e.compressedSize} stored and ${e.uncompressedSize} real bytes.`, { entry: e.name });
  }
}

/** Refuses entries whose data ranges overlap (the construction of non-recursive zip bombs) or run into the index. */
function checkLayout(entries: ZipEntry[], dirStart: number): void {
  const sorted = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    const end = e.localHeaderOffset + LOCAL_BYTES + e.rawName.length + e.compressedSize;
    const next = sorted[i + 1];
    if (next !== undefined && end > next.localHeaderOffset) {
      throw new AppError(
        'archive_too_large',
        `The ZIP entries ${JSON.stringify(e.name)} and ${JSON.stringify(next.name)} overlap in the file: that is how zip bombs reuse one compressed block many times.`,
        { entry: e.name },
      );
    }
    if (end > dirStart) {
      throw new AppError('format_corrupt', `The ZIP entry ${JSON.stringify(e.name)} runs into the archive's index: the archive is damaged or cut.`, { entry: e.name });
    }
  }
}

/**
 * Reads and checks the central directory.
 * @throws AppError archive_too_large (entry count, sizes, ratio, overlaps), archive_unsafe (names, links,
 * nested archives), archive_encrypted, format_truncated / format_corrupt (damaged index).
 */
export async function readZipDirectory(ctx: Pick<ReaderContext, 'size' | 'readAt'>, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipEntry[]> {
  const end = await findEnd(ctx, limits);
  if (end.count === 0) return [];
  // Bytes before the archive (a self-extractor stub) shift every offset by the same amount.
  const shift = end.dirLimit - (end.dirOffset + end.dirSize);
  let dir = await readExactAt(ctx, end.dirOffset, end.dirSize, 'its index');
  let base = 0;
  if (u32(dir, 0) !== SIG_CENTRAL && shift > 0) {
    dir = await readExactAt(ctx, end.dirOffset + shift, end.dirSize, 'its index');
    base = shift;
  }
  const entries: ZipEntry[] = [];
  let p = 0;
  let total = 0;
  for (let i = 0; i < end.count; i++) {
    if (p + CENTRAL_BYTES > dir.length || u32(dir, p) !== SIG_CENTRAL) {
      throw new AppError('format_corrupt', `The ZIP archive's index is damaged at entry ${i + 1} of ${end.count} (byte ${end.dirOffset + base + p}).`, { entry: i + 1 });
    }
    const nameLen = u16(dir, p + 28);
    const extraLen = u16(dir, p + 30);
    const commentLen = u16(dir, p + 32);
    if (p + CENTRAL_BYTES + nameLen + extraLen + commentLen > dir.length) {
      throw new AppError('format_corrupt', `The ZIP archive's index entry ${i + 1} runs past the end of the index.`, { entry: i + 1 });
    }
    const flags = u16(dir, p + 8);
    const rawName = dir.slice(p + CENTRAL_BYTES, p + CENTRAL_BYTES + nameLen);
    const name = decodeEntryName(rawName, (flags & 0x800) !== 0);
    const sizes = { compressedSize: u32(dir, p + 20), uncompressedSize: u32(dir, p + 24), localHeaderOffset: u32(dir, p + 42) };
    applyZip64Extra(dir.subarray(p + CENTRAL_BYTES + nameLen, p + CENTRAL_BYTES + nameLen + extraLen), sizes);
    const entry: ZipEntry = {
      index: i,
      name,
      rawName,
      method: u16(dir, p + 10),
      flags,
      crc32: u32(dir, p + 16),
      compressedSize: sizes.compressedSize,
      uncompressedSize: sizes.uncompressedSize,
      localHeaderOffset: sizes.localHeaderOffset + base,
      isDirectory: isDirectoryName(name),
      isJunk: isJunkName(name),
    };
    checkEntry(entry, u16(dir, p + 4), u32(dir, p + 38), limits);
    total += entry.uncompressedSize;
    if (total > limits.maxTotalBytes) {
      throw new AppError('archive_too_large', `The ZIP archive's files add up to more than ${limits.maxTotalBytes} bytes uncompressed; upload them in smaller archives.`, { entries: i + 1 });
    }
    entries.push(entry);
    p += CENTRAL_BYTES + nameLen + extraLen + commentLen;
  }
  checkLayout(entries, end.dirOffset + base);
  return entries;
}

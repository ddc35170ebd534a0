import { Readable, pipeline } from 'node:stream';
import { createInflateRaw, crc32 } from 'node:zlib';
import { AppError, isAppError } from '../../lib/errors.js';
import type { ReaderContext } from '../types.js';
import { METHOD_DEFLATE, METHOD_STORED, methodName, readExactAt, u16, u32, type ZipEntry, type ZipLimits } from './zip-central-directory.js';

/**
 * The bytes of one ZIP entry, read through `ctx.readAt` and inflated as a stream (one 256 KiB compressed
 * piece and one 64 KiB output piece in flight), with the real uncompressed size counted against the
 * entry's declared size and the archive's total, and the CRC-32 checked at the end. Hand-written rather
 * than yauzl's read streams: see the figures and safety properties at the top of zip-central-directory.ts.
 */

const SIG_LOCAL = 0x04034b50;
const LOCAL_BYTES = 30;
const READ_PIECE = 256 * 1024;
const OUT_PIECE = 64 * 1024;

/** Real uncompressed bytes produced so far across the archive (the declared sizes may lie). */
export interface InflateBudget {
  produced: number;
}

/** Finds where an entry's data starts from its local header, which must agree with the central directory. */
export async function entryDataStart(ctx: Pick<ReaderContext, 'size' | 'readAt'>, entry: ZipEntry): Promise<number> {
  const label = JSON.stringify(entry.name);
  // One read for the fixed header and the name (the name's length is the directory's, checked below).
  const h = await readExactAt(ctx, entry.localHeaderOffset, LOCAL_BYTES + entry.rawName.length, `the header of ${label}`);
  if (u32(h, 0) !== SIG_LOCAL) {
    throw new AppError('format_corrupt', `The ZIP entry ${label} has no valid local header at byte ${entry.localHeaderOffset}: the archive is damaged.`, { entry: entry.name });
  }
  if (u16(h, 8) !== entry.method) {
    throw new AppError('format_corrupt', `The ZIP entry ${label} names a different compression method in its local header than in the archive's index.`, { entry: entry.name });
  }
  const nameLen = u16(h, 26);
  const extraLen = u16(h, 28);
  const name = h.subarray(LOCAL_BYTES);
  if (nameLen !== entry.rawName.length || name.some((b, i) => b !== entry.rawName[i])) {
    throw new AppError('format_corrupt', `The ZIP entry ${label} has another name in its local header than in the archive's index: the archive is damaged or tampered with.`, { entry: entry.name });
  }
  const start = entry.localHeaderOffset + LOCAL_BYTES + nameLen + extraLen;
  if (start + entry.compressedSize > ctx.size) {
    throw new AppError('format_truncated', `The ZIP entry ${label} runs past the end of the file: the archive was cut.`, { entry: entry.name });
  }
  return start;
}

async function* compressedPieces(ctx: Pick<ReaderContext, 'readAt'>, start: number, length: number, name: string): AsyncGenerator<Uint8Array> {
  let done = 0;
  while (done < length) {
    const n = Math.min(READ_PIECE, length - done);
    yield await readExactAt(ctx, start + done, n, `the data of ${JSON.stringify(name)}`);
    done += n;
  }
}

function zlibError(e: unknown, name: string): AppError {
  if (isAppError(e)) return e;
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(message)) {
    return new AppError('format_truncated', `The compressed data of the ZIP entry ${JSON.stringify(name)} ends early: the archive was cut.`, { entry: name });
  }
  return new AppError('format_corrupt', `The compressed data of the ZIP entry ${JSON.stringify(name)} is damaged (${message}).`, { entry: name });
}

async function* inflated(pieces: AsyncGenerator<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  const inflate = createInflateRaw({ chunkSize: OUT_PIECE });
  const src = Readable.from(pieces, { objectMode: false, highWaterMark: 1 });
  let failure: unknown = null;
  pipeline(src, inflate, (err) => {
    if (err) failure = err;
  });
  try {
    for await (const out of inflate) yield out as Buffer;
  } catch (e) {
    throw zlibError(failure ?? e, name);
  } finally {
    src.destroy();
    inflate.destroy();
  }
  if (failure !== null) throw zlibError(failure, name);
}

export interface EntryReadOptions {
  /** Counts real output against the archive's total (the main pass); the planning pass reads without it. */
  budget?: InflateBudget;
  limits: ZipLimits;
}

/**
 * Yields the uncompressed bytes of `entry`, starting at `dataStart`. Stops with archive_too_large as soon as
 * the output exceeds the entry's declared size or the archive's total cap, and checks size and CRC-32 when
 * the whole entry has been read. A caller may stop early (the streams are closed).
 */
export async function* entryBytes(
  ctx: Pick<ReaderContext, 'readAt'>,
  entry: ZipEntry,
  dataStart: number,
  options: EntryReadOptions,
): AsyncGenerator<Uint8Array> {
  const label = JSON.stringify(entry.name);
  const pieces = compressedPieces(ctx, dataStart, entry.compressedSize, entry.name);
  let source: AsyncGenerator<Uint8Array>;
  if (entry.method === METHOD_STORED) source = pieces;
  else if (entry.method === METHOD_DEFLATE) source = inflated(pieces, entry.name);
  else throw new AppError('format_unsupported_variant', `The ZIP entry ${label} is compressed with ${methodName(entry.method)}, which FieldSense cannot unpack; re-create the archive with standard (deflate) compression.`, { entry: entry.name });
  let produced = 0;
  let crc = 0;
  for await (const out of source) {
    produced += out.length;
    if (produced > entry.uncompressedSize) {
      throw new AppError('archive_too_large', `The ZIP entry ${label} inflates to more than its declared ${entry.uncompressedSize} bytes: the archive lies about its sizes (a zip bomb).`, { entry: entry.name });
    }
    if (options.budget !== undefined) {
      options.budget.produced += out.length;
      if (options.budget.produced > options.limits.maxTotalBytes) {
        throw new AppError('archive_too_large', `The ZIP archive inflates to more than ${options.limits.maxTotalBytes} bytes in total; upload its files in smaller archives.`, { entry: entry.name });
      }
    }
    crc = crc32(out, crc);
    yield out;
  }
  if (produced !== entry.uncompressedSize) {
    throw new AppError('format_corrupt', `The ZIP entry ${label} holds ${produced} bytes but declares ${entry.uncompressedSize}: the archive is damaged.`, { entry: entry.name });
  }
  if (crc >>> 0 !== entry.crc32) {
    throw new AppError('format_corrupt', `The ZIP entry ${label} fails its CRC-32 check: its bytes were damaged after it was zipped.`, { entry: entry.name });
  }
}

/** A deflated member up to this size is inflated into memory when its reader asks for random access. */
export const MAX_RANDOM_ACCESS_INFLATE_BYTES = 64 * 1024 * 1024;

/**
 * The context a member reader gets: the entry name as its (label-only) file name, the uncompressed size,
 * and random access: direct for a stored entry; for a deflated one (which cannot be read at an offset
 * without inflating everything before it) the entry is inflated once into memory when it is at most
 * MAX_RANDOM_ACCESS_INFLATE_BYTES, else asking is an error that says how to fix the archive.
 */
export function memberContext(parent: ReaderContext, entry: ZipEntry, dataStart: number, limits: ZipLimits): ReaderContext {
  const stored = entry.method === METHOD_STORED;
  const size = entry.uncompressedSize;
  let whole: Promise<Uint8Array> | null = null;
  const inflateWhole = async (): Promise<Uint8Array> => {
    const out = new Uint8Array(size);
    let o = 0;
    for await (const p of entryBytes(parent, entry, dataStart, { limits })) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  return {
    filename: entry.name,
    size,
    readAt: async (offset, length) => {
      const from = Math.max(0, Math.min(size, offset));
      const to = Math.max(from, Math.min(size, offset + length));
      if (to === from) return new Uint8Array(0);
      if (stored) return parent.readAt(dataStart + from, to - from);
      if (size > MAX_RANDOM_ACCESS_INFLATE_BYTES) {
        throw new AppError(
          'format_unsupported_variant',
          `The ZIP entry ${JSON.stringify(entry.name)} is compressed and larger than ${MAX_RANDOM_ACCESS_INFLATE_BYTES} bytes, but its format needs random access; re-create the archive with this file stored (e.g. \`zip -0\`) or upload the file on its own.`,
          { entry: entry.name },
        );
      }
      whole ??= inflateWhole();
      return (await whole).subarray(from, to);
    },
    detect: (input) => parent.detect(input),
    ...(parent.secrets !== undefined ? { secrets: parent.secrets } : {}),
    ...(parent.decoder !== undefined ? { decoder: parent.decoder } : {}),
  };
}

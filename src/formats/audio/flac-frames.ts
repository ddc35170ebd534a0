/**
 * FLAC frame headers (RFC 9639 §9.1), for picking a stream up again after a damaged frame: every frame
 * header carries its position (a frame number, or a sample number in a variable-blocksize stream) and a
 * CRC-8, so the next good frame after damage is found by its sync code and placed at its own time. libFLAC
 * is then given that frame onwards behind the file's STREAMINFO, and the samples it decodes land where they
 * belong: the damaged frames become a gap, and nothing after them moves.
 */
import type { FlacInfo } from './flac-metadata.js';

type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

/** A frame found by `nextFrame`: its byte offset and the stream position of its first sample. */
export interface FrameStart {
  offset: number;
  firstSample: number;
}

const CRC8 = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
    t[i] = c;
  }
  return t;
})();

/** Sample rates of the header's rate codes 1–11 (0: from STREAMINFO; 12–14: given after the header). */
const RATES = [0, 88_200, 176_400, 192_000, 8000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000, 96_000];
/** Bits per sample of the header's size codes (0: from STREAMINFO; 3: reserved). */
const BITS = [0, 8, 12, -1, 16, 20, 24, 32];
/** The longest header: sync 2, codes 2, number 7, block size 2, rate 2, CRC 1. */
const MAX_HEADER = 16;
const WINDOW = 1 << 20;

/**
 * The first sample of the frame whose header starts at b[p], when it is a valid header of this stream (sync
 * code, no reserved values, channels, sample size and rate as in STREAMINFO, CRC-8); else -1.
 */
export function frameHeaderAt(b: Uint8Array, p: number, info: FlacInfo): number {
  const end = b.length;
  if (p + 6 > end || b[p] !== 0xff || (b[p + 1]! & 0xfe) !== 0xf8) return -1;
  const variable = (b[p + 1]! & 1) === 1;
  const sizeCode = b[p + 2]! >> 4;
  const rateCode = b[p + 2]! & 0x0f;
  const channelCode = b[p + 3]! >> 4;
  const bitsCode = (b[p + 3]! >> 1) & 7;
  if (sizeCode === 0 || rateCode === 15 || channelCode > 10 || bitsCode === 3 || (b[p + 3]! & 1) !== 0) return -1;
  if ((channelCode < 8 ? channelCode + 1 : 2) !== info.channels) return -1;
  if (BITS[bitsCode] !== 0 && BITS[bitsCode] !== info.bitsPerSample) return -1;
  if (rateCode >= 1 && rateCode <= 11 && RATES[rateCode] !== info.sampleRate) return -1;
  // The coded number: UTF-8's scheme stretched to 36 bits.
  let q = p + 4;
  const lead = b[q]!;
  let extra: number;
  let n: number;
  if (lead < 0x80) [n, extra] = [lead, 0];
  else if ((lead & 0xe0) === 0xc0) [n, extra] = [lead & 0x1f, 1];
  else if ((lead & 0xf0) === 0xe0) [n, extra] = [lead & 0x0f, 2];
  else if ((lead & 0xf8) === 0xf0) [n, extra] = [lead & 0x07, 3];
  else if ((lead & 0xfc) === 0xf8) [n, extra] = [lead & 0x03, 4];
  else if ((lead & 0xfe) === 0xfc) [n, extra] = [lead & 0x01, 5];
  else if (lead === 0xfe && variable) [n, extra] = [0, 6];
  else return -1;
  if (q + 1 + extra > end) return -1;
  for (let i = 1; i <= extra; i++) {
    const c = b[q + i]!;
    if ((c & 0xc0) !== 0x80) return -1;
    n = n * 64 + (c & 0x3f);
  }
  q += 1 + extra;
  if (sizeCode === 6) q += 1;
  else if (sizeCode === 7) q += 2;
  if (rateCode === 12) q += 1;
  else if (rateCode === 13 || rateCode === 14) q += 2;
  if (q >= end) return -1;
  let crc = 0;
  for (let i = p; i < q; i++) crc = CRC8[crc ^ b[i]!]!;
  if (crc !== b[q]) return -1;
  // A fixed-blocksize stream numbers its frames; all but the last hold maxBlockSize samples.
  return variable ? n : n * info.maxBlockSize;
}

/**
 * The first valid frame at or after byte `from` whose first sample is at least `minSample` (and before the
 * stream's declared total, when it has one), read through `readAt` in 1 MiB windows; null when the file has
 * none. A header can pass every check by chance in damaged bytes: the caller confirms a frame by decoding it.
 */
export async function nextFrame(readAt: ReadAt, size: number, from: number, minSample: number, info: FlacInfo): Promise<FrameStart | null> {
  const maxSample = info.totalSamples > 0 ? info.totalSamples : Number.POSITIVE_INFINITY;
  let pos = from;
  while (pos < size) {
    const b = await readAt(pos, Math.min(WINDOW, size - pos));
    if (b.length === 0) return null;
    const last = pos + b.length >= size;
    // A header that straddles the window's end is looked at again from the next window.
    const scanEnd = last ? b.length : b.length - MAX_HEADER;
    for (let i = b.indexOf(0xff); i >= 0 && i < scanEnd; i = b.indexOf(0xff, i + 1)) {
      const first = frameHeaderAt(b, i, info);
      if (first >= minSample && first < maxSample) return { offset: pos + i, firstSample: first };
    }
    if (last || scanEnd <= 0) return null;
    pos += scanEnd;
  }
  return null;
}

/**
 * The stream from the frame at byte `offset` on, behind the file's STREAMINFO with its total sample count
 * and MD5 cleared (they describe the whole stream, which libFLAC would otherwise check against this part).
 */
export async function* resumedStream(readAt: ReadAt, size: number, offset: number, info: FlacInfo): AsyncGenerator<Uint8Array> {
  const head = new Uint8Array(4 + 4 + 34);
  head.set([0x66, 0x4c, 0x61, 0x43, 0x80, 0, 0, 34]);
  const si = info.streamInfo.slice();
  si[13] = si[13]! & 0xf0; // the low nibble is the top of the 36-bit total sample count
  si.fill(0, 14, 34);
  head.set(si, 8);
  yield head;
  for (let p = offset; p < size; ) {
    const b = await readAt(p, Math.min(WINDOW, size - p));
    if (b.length === 0) return;
    yield b;
    p += b.length;
  }
}

/**
 * The metadata blocks at the start of a native FLAC file (the FLAC format, RFC 9639 §8): STREAMINFO (rate,
 * channels, bits per sample, total samples, MD5 of the audio) and VORBIS_COMMENT (the tags), read through
 * `ctx.readAt` so that large blocks (cover pictures, padding) are stepped over, never read. What it finds is
 * given in the shape of an ffprobe answer, so the rest of the audio reader treats FLAC like any container.
 */
import type { Probe } from './audio-probe.js';

const STREAMINFO = 0;
const VORBIS_COMMENT = 4;
/** Blocks before the audio; real files have a handful (a hostile one could chain millions of empty ones). */
const MAX_BLOCKS = 1024;
/** Tags kept: comments beyond these are ignored (a hostile file can declare 16 MiB of them). */
const MAX_TAG_BYTES = 1 << 20;
const MAX_TAGS = 1000;

/** ffmpeg's names for FLAC's default channel assignments (RFC 9639 §9.1.3), by channel count. */
const LAYOUTS = ['', 'mono', 'stereo', '3.0', 'quad', '5.0', '5.1', '6.1', '7.1'];

export interface FlacInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 0 when the encoder did not know it (a stream encoded from a pipe). */
  totalSamples: number;
  /** Samples per frame: equal for a fixed-blocksize stream (its frames are numbered, not their samples). */
  minBlockSize: number;
  maxBlockSize: number;
  /** The STREAMINFO block's 34 bytes as written. */
  streamInfo: Uint8Array;
  /** Where the first audio frame starts. */
  audioOffset: number;
  /** Vorbis comments, keys as written (FLAC keys are case-insensitive). */
  tags: Record<string, string>;
  vendor: string | null;
}

function u24(b: Uint8Array, at: number): number {
  return (b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!;
}

function u32le(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** STREAMINFO's fields (RFC 9639 §8.2), or null when they are out of the format's range. */
function streamInfo(b: Uint8Array): Pick<FlacInfo, 'sampleRate' | 'channels' | 'bitsPerSample' | 'totalSamples' | 'minBlockSize' | 'maxBlockSize' | 'streamInfo'> | null {
  if (b.length < 34) return null;
  const minBlockSize = (b[0]! << 8) | b[1]!;
  const maxBlockSize = (b[2]! << 8) | b[3]!;
  const sampleRate = (b[10]! << 12) | (b[11]! << 4) | (b[12]! >> 4);
  const channels = ((b[12]! >> 1) & 0x07) + 1;
  const bitsPerSample = (((b[12]! & 1) << 4) | (b[13]! >> 4)) + 1;
  const totalSamples = (b[13]! & 0x0f) * 2 ** 32 + (((b[14]! << 24) | (b[15]! << 16) | (b[16]! << 8) | b[17]!) >>> 0);
  if (sampleRate === 0 || bitsPerSample < 4 || minBlockSize < 16 || maxBlockSize < minBlockSize) return null;
  return { sampleRate, channels, bitsPerSample, totalSamples, minBlockSize, maxBlockSize, streamInfo: b.slice(0, 34) };
}

/** Vorbis comments: a little-endian length-prefixed vendor string, a count, then `KEY=value` strings. */
function vorbisComments(b: Uint8Array): { vendor: string | null; tags: Record<string, string> } {
  const dec = new TextDecoder('utf-8', { fatal: false });
  const tags: Record<string, string> = {};
  if (b.length < 8) return { vendor: null, tags };
  const vendorLen = u32le(b, 0);
  if (4 + vendorLen + 4 > b.length) return { vendor: null, tags };
  const vendor = dec.decode(b.subarray(4, 4 + vendorLen)).slice(0, 200);
  let p = 4 + vendorLen;
  const count = u32le(b, p);
  p += 4;
  for (let i = 0; i < Math.min(count, MAX_TAGS) && p + 4 <= b.length; i++) {
    const len = u32le(b, p);
    p += 4;
    if (p + len > b.length) break;
    const text = dec.decode(b.subarray(p, p + len));
    p += len;
    const eq = text.indexOf('=');
    if (eq > 0) tags[text.slice(0, eq)] ??= text.slice(eq + 1);
  }
  return { vendor, tags };
}

type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

/** Bytes fetched at a time when a block header or small block lies outside what was read already. */
const WINDOW = 64 * 1024;

/**
 * `readAt` through a window that starts as the file's head: small blocks cost no read while they lie in
 * it, and one read per 64 KiB after it (each read of an upload is a ranged GET to the object store).
 */
function windowed(readAt: ReadAt, size: number, head: Uint8Array): ReadAt {
  let start = 0;
  let win = head;
  return async (offset, length) => {
    if (offset >= start && offset + length <= start + win.length) return win.subarray(offset - start, offset - start + length);
    if (length > WINDOW) return readAt(offset, length);
    win = await readAt(offset, Math.min(WINDOW, size - offset));
    start = offset;
    return win.subarray(0, length);
  };
}

/**
 * Reads the metadata blocks of a file that starts with `fLaC` (`head`: its first bytes, already read).
 * Null when they are not a valid chain (the caller then lets ffprobe say what is wrong).
 */
export async function readFlacInfo(rawReadAt: ReadAt, size: number, head: Uint8Array = new Uint8Array(0)): Promise<FlacInfo | null> {
  const readAt = windowed(rawReadAt, size, head);
  let p = 4;
  let info: ReturnType<typeof streamInfo> = null;
  let comments: ReturnType<typeof vorbisComments> = { vendor: null, tags: {} };
  for (let i = 0; i < MAX_BLOCKS; i++) {
    const header = await readAt(p, 4);
    if (header.length < 4) return null;
    const last = (header[0]! & 0x80) !== 0;
    const type = header[0]! & 0x7f;
    const length = u24(header, 1);
    const body = p + 4;
    if (body + length > size) return null;
    if (i === 0) {
      if (type !== STREAMINFO) return null;
      info = streamInfo(await readAt(body, length));
      if (info === null) return null;
    } else if (type === VORBIS_COMMENT && length <= MAX_TAG_BYTES) {
      comments = vorbisComments(await readAt(body, length));
    }
    p = body + length;
    if (last) return info === null ? null : { ...info, audioOffset: p, ...comments };
  }
  return null;
}

/** The file described as ffprobe would (the fields the audio reader uses). */
export function flacProbe(info: FlacInfo, size: number): Probe {
  const duration = info.totalSamples > 0 ? info.totalSamples / info.sampleRate : undefined;
  return {
    streams: [
      {
        index: 0,
        codec_type: 'audio',
        codec_name: 'flac',
        codec_long_name: 'FLAC (Free Lossless Audio Codec)',
        sample_fmt: info.bitsPerSample <= 16 ? 's16' : 's32',
        sample_rate: info.sampleRate,
        channels: info.channels,
        channel_layout: LAYOUTS[info.channels],
        bits_per_raw_sample: info.bitsPerSample,
        duration,
      },
    ],
    format: {
      format_name: 'flac',
      duration,
      bit_rate: duration !== undefined && duration > 0 ? Math.round(((size - info.audioOffset) * 8) / duration) : undefined,
      tags: info.tags,
    },
  };
}

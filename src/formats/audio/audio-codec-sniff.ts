/**
 * Recognises compressed audio containers by their first bytes: FLAC, MP4/M4A/MOV (an ISO BMFF `ftyp` with a
 * brand that can hold audio, and a sound track when the index is visible), CAF, Ogg (Opus, Vorbis, FLAC,
 * Speex), MP3 (ID3 tag or two consecutive MPEG audio frames), raw AAC (ADTS), AMR and WebM/Matroska.
 * Each answer names the ffmpeg demuxer, which is forced when decoding (no probing of other formats).
 */

export type ContainerKind = 'flac' | 'mp4' | 'caf' | 'ogg' | 'mp3' | 'adts' | 'amr' | 'webm';

export interface AudioContainer {
  kind: ContainerKind;
  /** ffmpeg's demuxer name (`-f`). */
  demuxer: string;
  /** For people: `FLAC`, `MP4/M4A`, `Ogg Opus`, … */
  label: string;
  /** MP4 only: the index (`moov`) comes before the samples, so the file can be decoded from a pipe. */
  indexFirst?: boolean;
}

function ascii(b: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = 0; i < n && at + i < b.length; i++) s += String.fromCharCode(b[at + i]!);
  return s;
}

function u32be(b: Uint8Array, at: number): number {
  return (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;
}

/** ISO BMFF brands of files that can carry audio (not HEIF/AVIF/JPEG 2000 images, which share the box format). */
const MP4_BRANDS = new Set([
  'M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B ', 'M4V ', 'mp41', 'mp42', 'mp71', 'isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6',
  'qt  ', '3gp4', '3gp5', '3gp6', '3gp7', '3gp8', '3gp9', '3g2a', '3g2b', '3g2c', 'MSNV', 'dash', 'avc1', 'f4v ', 'XAVC',
]);

interface Box {
  type: string;
  start: number;
  /** End offset; may lie beyond the head. */
  end: number;
}

function topLevelBoxes(h: Uint8Array): Box[] {
  const boxes: Box[] = [];
  let p = 0;
  while (p + 8 <= h.length && boxes.length < 64) {
    let size = u32be(h, p);
    const type = ascii(h, p + 4, 4);
    if (size === 1) {
      if (p + 16 > h.length) size = Number.POSITIVE_INFINITY;
      else size = u32be(h, p + 8) * 4294967296 + u32be(h, p + 12);
    } else if (size === 0) {
      size = Number.POSITIVE_INFINITY;
    }
    if (size < 8) break;
    boxes.push({ type, start: p, end: p + size });
    p += size;
  }
  return boxes;
}

/** The MP4 answer, or null when the brand is not one that holds audio or the visible index has no sound track. */
function sniffMp4(h: Uint8Array): AudioContainer | null {
  if (h.length < 12 || ascii(h, 4, 4) !== 'ftyp') return null;
  const ftypSize = u32be(h, 0);
  const brands = [ascii(h, 8, 4)];
  for (let p = 16; p + 4 <= Math.min(ftypSize, h.length, 256); p += 4) brands.push(ascii(h, p, 4));
  if (!brands.some((b) => MP4_BRANDS.has(b))) return null;
  const boxes = topLevelBoxes(h);
  const moov = boxes.find((b) => b.type === 'moov');
  const mdat = boxes.find((b) => b.type === 'mdat');
  const indexFirst = moov !== undefined && (mdat === undefined || moov.start < mdat.start);
  if (moov !== undefined) {
    const end = Math.min(moov.end, h.length);
    let sound = false;
    for (let i = moov.start + 8; i + 16 <= end; i++) {
      // hdlr box: type, version/flags (4), pre_defined (4), handler_type (4).
      if (h[i] === 0x68 && ascii(h, i, 4) === 'hdlr' && ascii(h, i + 12, 4) === 'soun') {
        sound = true;
        break;
      }
    }
    if (!sound && moov.end <= h.length) return null;
  }
  return { kind: 'mp4', demuxer: 'mov', label: 'MP4/M4A', indexFirst };
}

function sniffOgg(h: Uint8Array): AudioContainer | null {
  if (h.length < 28 || ascii(h, 0, 4) !== 'OggS') return null;
  const first = 27 + h[26]!;
  const id = ascii(h, first, 8);
  if (id === 'OpusHead') return { kind: 'ogg', demuxer: 'ogg', label: 'Ogg Opus' };
  if (id.startsWith('\x01vorbis')) return { kind: 'ogg', demuxer: 'ogg', label: 'Ogg Vorbis' };
  if (id.startsWith('\x7fFLAC')) return { kind: 'ogg', demuxer: 'ogg', label: 'Ogg FLAC' };
  if (id === 'Speex   ') return { kind: 'ogg', demuxer: 'ogg', label: 'Ogg Speex' };
  return null;
}

const BITRATES_V1 = [
  [],
  [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
];
const BITRATES_V2 = [
  [],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
];
const RATES = [
  [11025, 12000, 8000],
  [],
  [22050, 24000, 16000],
  [44100, 48000, 32000],
];

/** Length in bytes of the MPEG audio frame (layer I–III) whose header is at `at`, or 0 when it is not one. */
export function mpegFrameLength(h: Uint8Array, at: number): number {
  if (at + 4 > h.length || h[at] !== 0xff || (h[at + 1]! & 0xe0) !== 0xe0) return 0;
  const version = (h[at + 1]! >> 3) & 3;
  const layer = (h[at + 1]! >> 1) & 3;
  const bitrateIdx = h[at + 2]! >> 4;
  const rateIdx = (h[at + 2]! >> 2) & 3;
  const padding = (h[at + 2]! >> 1) & 1;
  if (version === 1 || layer === 0 || bitrateIdx === 0 || bitrateIdx === 15 || rateIdx === 3) return 0;
  const kbps = (version === 3 ? BITRATES_V1 : BITRATES_V2)[layer]![bitrateIdx]!;
  const rate = RATES[version]![rateIdx]!;
  if (layer === 3) return Math.floor((12 * kbps * 1000) / rate + padding) * 4;
  const factor = layer === 1 && version !== 3 ? 72 : 144;
  return Math.floor((factor * kbps * 1000) / rate) + padding;
}

function adtsFrameLength(h: Uint8Array, at: number): number {
  if (at + 7 > h.length || h[at] !== 0xff || (h[at + 1]! & 0xf6) !== 0xf0) return 0;
  if (((h[at + 2]! >> 2) & 0xf) > 12) return 0;
  const len = ((h[at + 3]! & 3) << 11) | (h[at + 4]! << 3) | (h[at + 5]! >> 5);
  return len >= 7 ? len : 0;
}

/** True when two frames follow each other from `at`, or the whole (tiny) file is exactly one frame. */
function framesChain(h: Uint8Array, at: number, frameLength: (h: Uint8Array, at: number) => number): boolean {
  const len = frameLength(h, at);
  if (len === 0) return false;
  if (at + len + 4 > h.length) return at + len === h.length;
  return frameLength(h, at + len) > 0;
}

function sniffMatroska(h: Uint8Array): AudioContainer | null {
  if (h.length < 4 || u32be(h, 0) !== 0x1a45dfa3) return null;
  const head = ascii(h, 0, Math.min(h.length, 64));
  if (head.includes('webm')) return { kind: 'webm', demuxer: 'matroska', label: 'WebM' };
  if (head.includes('matroska')) return { kind: 'webm', demuxer: 'matroska', label: 'Matroska' };
  return null;
}

/** What follows an ID3v2 tag (FLAC and raw AAC files sometimes start with one too). */
function afterId3(h: Uint8Array): AudioContainer {
  const mp3: AudioContainer = { kind: 'mp3', demuxer: 'mp3', label: 'MP3' };
  const size = ((h[6]! & 0x7f) << 21) | ((h[7]! & 0x7f) << 14) | ((h[8]! & 0x7f) << 7) | (h[9]! & 0x7f);
  const at = 10 + size + (h[5]! & 0x10 ? 10 : 0);
  if (ascii(h, at, 4) === 'fLaC') return { kind: 'flac', demuxer: 'flac', label: 'FLAC' };
  if (adtsFrameLength(h, at) > 0) return { kind: 'adts', demuxer: 'aac', label: 'AAC (ADTS)' };
  return mp3;
}

/** The container of a compressed audio file, or null when the head is not one this module knows. */
export function sniffAudioContainer(h: Uint8Array): AudioContainer | null {
  if (h.length < 4) return null;
  const magic = ascii(h, 0, 4);
  if (magic === 'fLaC') return { kind: 'flac', demuxer: 'flac', label: 'FLAC' };
  if (magic === 'caff' && h.length >= 6 && h[4] === 0 && h[5] === 1) return { kind: 'caf', demuxer: 'caf', label: 'CAF' };
  if (magic === 'OggS') return sniffOgg(h);
  if (ascii(h, 4, 4) === 'ftyp') return sniffMp4(h);
  if (ascii(h, 0, 3) === 'ID3' && h.length >= 10 && h[3]! >= 2 && h[3]! <= 4) return afterId3(h);
  if (ascii(h, 0, 6) === '#!AMR\n' || ascii(h, 0, 9) === '#!AMR-WB\n') return { kind: 'amr', demuxer: 'amr', label: 'AMR' };
  if (h[0] === 0x1a) return sniffMatroska(h);
  if (h[0] === 0xff) {
    if (framesChain(h, 0, adtsFrameLength)) return { kind: 'adts', demuxer: 'aac', label: 'AAC (ADTS)' };
    if (framesChain(h, 0, mpegFrameLength)) return { kind: 'mp3', demuxer: 'mp3', label: 'MP3' };
  }
  return null;
}

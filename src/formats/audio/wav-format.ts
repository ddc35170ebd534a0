import { AppError } from '../../lib/errors.js';
import { channelNamesFromMask, defaultChannelNames } from './audio-channels.js';
import type { PcmLayout, SampleEncoding } from './pcm-frames.js';

/** More channels than any real recorder writes (ambisonic and array recorders stay well below). */
export const MAX_CHANNELS = 64;
/** Highest sample rate accepted (ultrasonic bat recorders reach 500 kHz). */
export const MAX_RATE_HZ = 1_000_000;

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

const FORMAT_TAG_NAMES: Record<number, string> = {
  1: 'PCM',
  2: 'Microsoft ADPCM',
  3: 'IEEE float',
  6: 'A-law',
  7: 'µ-law',
  0x11: 'IMA ADPCM',
  0x31: 'GSM 6.10',
  0x50: 'MPEG',
  0x55: 'MP3',
  0xff: 'AAC',
  0xfffe: 'EXTENSIBLE',
};

export interface WavFormat extends PcmLayout {
  /** Bits per sample of the container as the header says. */
  bitsPerSample: number;
  channelNames: string[];
  /** For people: `PCM 24-bit`, `EXTENSIBLE IEEE float 32-bit`, … */
  description: string;
}

export interface FmtResult {
  format: WavFormat;
  warnings: { code: string; message: string }[];
}

function u16(b: Uint8Array, at: number): number {
  return (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;
}

function encodingOf(tag: number, bits: number): { encoding: SampleEncoding; bytes: number } | null {
  if (tag === FORMAT_PCM) {
    if (bits >= 1 && bits <= 8) return { encoding: 'u8', bytes: 1 };
    if (bits <= 16) return { encoding: 's16', bytes: 2 };
    if (bits <= 24) return { encoding: 's24', bytes: 3 };
    if (bits <= 32) return { encoding: 's32', bytes: 4 };
    return null;
  }
  if (tag === FORMAT_FLOAT) {
    if (bits === 32) return { encoding: 'f32', bytes: 4 };
    if (bits === 64) return { encoding: 'f64', bytes: 8 };
    return null;
  }
  if ((tag === FORMAT_ALAW || tag === FORMAT_MULAW) && bits === 8) return { encoding: tag === FORMAT_ALAW ? 'alaw' : 'ulaw', bytes: 1 };
  return null;
}

/**
 * Parses a `fmt ` chunk body: PCM 8 (unsigned) / 16 / 24 / 32-bit (any valid-bit count inside those
 * containers), IEEE float 32/64, A-law and µ-law, each plain or as WAVE_FORMAT_EXTENSIBLE (whose channel
 * mask names the channels). Throws `wav_invalid` for a damaged chunk, `format_limits` for absurd channel
 * counts or rates, `format_unsupported_variant` for other codecs (ADPCM, MP3 in WAV, …).
 */
export function parseFmt(body: Uint8Array): FmtResult {
  if (body.length < 16) {
    throw new AppError('wav_invalid', `The WAV "fmt " chunk is ${body.length} bytes; at least 16 are needed, so the header is damaged.`);
  }
  const outerTag = u16(body, 0);
  let tag = outerTag;
  const channels = u16(body, 2);
  const sampleRate = u32(body, 4);
  const blockAlign = u16(body, 12);
  const bits = u16(body, 14);
  let mask = 0;
  let prefix = '';
  if (outerTag === FORMAT_EXTENSIBLE) {
    if (body.length < 26) {
      throw new AppError('wav_invalid', `The WAV "fmt " chunk says WAVE_FORMAT_EXTENSIBLE but is only ${body.length} bytes (40 expected), so the header is damaged.`);
    }
    mask = body.length >= 24 ? u32(body, 20) : 0;
    // The sub-format GUID's first two bytes are the format code (KSDATAFORMAT_SUBTYPE_PCM = 1, _IEEE_FLOAT = 3);
    // ambisonic B-format GUIDs differ only in the tail and carry the same codes.
    tag = u16(body, 24);
    prefix = 'EXTENSIBLE ';
  }
  const tagName = `${prefix}${FORMAT_TAG_NAMES[tag] ?? `format tag 0x${tag.toString(16).toUpperCase()} (unknown)`}`;
  if (channels < 1 || channels > MAX_CHANNELS) {
    throw new AppError('format_limits', `The WAV header declares ${channels} channels; FieldSense reads 1 to ${MAX_CHANNELS}, so the header is damaged or hostile.`, { channels });
  }
  if (sampleRate < 1 || sampleRate > MAX_RATE_HZ) {
    throw new AppError(
      'format_limits',
      `The WAV header declares a sample rate of ${sampleRate} Hz; FieldSense reads 1 Hz to ${MAX_RATE_HZ / 1e6} MHz, so the header is damaged or hostile.`,
      { sampleRate },
    );
  }
  const enc = encodingOf(tag, bits);
  if (enc === null) {
    throw new AppError(
      'format_unsupported_variant',
      `This WAV file is ${tagName}, ${bits}-bit; FieldSense reads WAV with PCM (8/16/24/32-bit), IEEE float (32/64-bit), A-law or µ-law samples. ` +
        'Convert it (for example `ffmpeg -i in.wav -c:a pcm_s16le out.wav`, or `sox in.wav -b 16 -e signed-integer out.wav`) and upload again.',
      { formatTag: outerTag, subFormat: tag, bitsPerSample: bits },
    );
  }
  const frameBytes = channels * enc.bytes;
  const format: WavFormat = {
    channels,
    sampleRate,
    encoding: enc.encoding,
    frameBytes,
    bitsPerSample: bits,
    channelNames: outerTag === FORMAT_EXTENSIBLE ? channelNamesFromMask(channels, mask) : defaultChannelNames(channels),
    description: `${tagName} ${bits}-bit`,
  };
  const warnings: FmtResult['warnings'] = [];
  if (blockAlign !== frameBytes) {
    warnings.push({
      code: 'wav_block_align',
      message: `The WAV header's block align is ${blockAlign} but ${channels} channel(s) of ${enc.bytes * 8}-bit samples need ${frameBytes}; read as ${frameBytes}-byte frames.`,
    });
  }
  return { format, warnings };
}

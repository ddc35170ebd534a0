/**
 * What an ffprobe answer says beyond the samples: the absolute start (a creation time tag), device and
 * encoder facts for the recording's metadata, and the raw output format that keeps integer codecs exact.
 */
import type { RecordingMetadata } from '../../domain/stream.js';
import { epochNsFromIso } from './audio-clock.js';
import type { Probe, ProbeStream } from './audio-probe.js';
import type { RawFormat } from './decoder.js';
import type { SampleEncoding } from './pcm-frames.js';

export interface TaggedStart {
  ns: bigint;
  /** For people: which tag, and its text. */
  origin: string;
}

type Tags = Record<string, string>;

function tag(tags: Tags | undefined, key: string): string | undefined {
  if (tags === undefined) return undefined;
  const found = Object.keys(tags).find((k) => k.toLowerCase() === key);
  return found === undefined ? undefined : tags[found];
}

/**
 * The recording's start from the container's tags: Apple's `com.apple.quicktime.creationdate` (local time
 * with its zone, written by iPhone and Apple Watch apps) first, then `creation_time` (UTC, MP4 `mvhd`,
 * whole seconds) of the file, then of the stream. Placeholder dates (1904, 1970) are ignored.
 */
export function startFromTags(p: Probe, stream: ProbeStream): TaggedStart | null {
  const candidates: [string, string | undefined][] = [
    ['com.apple.quicktime.creationdate', tag(p.format?.tags, 'com.apple.quicktime.creationdate')],
    ['creation_time', tag(p.format?.tags, 'creation_time')],
    ['creation_time (audio track)', tag(stream.tags, 'creation_time')],
  ];
  for (const [name, value] of candidates) {
    if (value === undefined) continue;
    const ns = epochNsFromIso(value);
    if (ns !== null) return { ns, origin: `the file's ${name} tag (${value})` };
  }
  return null;
}

/** Tags that are kept in the recording's metadata (never location tags: a participant's GPS position stays out). */
const KEPT_TAGS = ['encoder', 'title', 'comment', 'date', 'creation_time', 'major_brand', 'com.apple.quicktime.creationdate', 'com.apple.quicktime.software'];

export function metadataFromProbe(p: Probe, stream: ProbeStream, containerLabel: string): RecordingMetadata {
  const session: Record<string, string | number> = { container: containerLabel };
  if (stream.codec_name !== undefined) session.codec = stream.codec_name;
  if (stream.profile !== undefined) session.codec_profile = stream.profile;
  if (stream.bits_per_raw_sample !== undefined && stream.bits_per_raw_sample > 0) session.bits_per_sample = stream.bits_per_raw_sample;
  if (p.format?.bit_rate !== undefined && Number.isFinite(p.format.bit_rate)) session.bit_rate = p.format.bit_rate;
  for (const key of KEPT_TAGS) {
    const v = tag(p.format?.tags, key) ?? tag(stream.tags, key);
    if (v !== undefined && v !== '') session[`tag_${key.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`] = v.slice(0, 200);
  }
  const make = tag(p.format?.tags, 'com.apple.quicktime.make');
  const model = tag(p.format?.tags, 'com.apple.quicktime.model');
  const software = tag(p.format?.tags, 'com.apple.quicktime.software');
  const device: NonNullable<RecordingMetadata['device']> = {};
  if (make !== undefined) device.platform = make.slice(0, 100);
  if (model !== undefined) device.model = model.slice(0, 100);
  if (software !== undefined) device.appVersion = software.slice(0, 100);
  return Object.keys(device).length > 0 ? { device, session } : { session };
}

/** ffmpeg's raw output for a decoder sample format: mono as float32; else 16-bit and 32-bit integers stay integers, the rest float. */
export function rawFormatFor(sampleFmt: string | undefined, channels: number): { raw: RawFormat; encoding: SampleEncoding; bytes: number } {
  // Mono comes as float32, converted by ffmpeg (exact for ≤ 24-bit integers) and used without a copy.
  if (channels === 1) return { raw: 'f32le', encoding: 'f32', bytes: 4 };
  if (sampleFmt === 'u8' || sampleFmt === 'u8p' || sampleFmt === 's16' || sampleFmt === 's16p') return { raw: 's16le', encoding: 's16', bytes: 2 };
  if (sampleFmt === 's32' || sampleFmt === 's32p') return { raw: 's32le', encoding: 's32', bytes: 4 };
  return { raw: 'f32le', encoding: 'f32', bytes: 4 };
}

/**
 * The raw output of `flac -d` for a native FLAC file of `bits` bits per sample (and the same format from
 * ffmpeg, which takes over when libFLAC stops at a damaged frame); null for widths that are not whole bytes.
 */
export function flacRawFormat(bits: number): { raw: RawFormat; encoding: SampleEncoding; bytes: number } | null {
  if (bits === 8) return { raw: 'u8', encoding: 'u8', bytes: 1 };
  if (bits === 16) return { raw: 's16le', encoding: 's16', bytes: 2 };
  if (bits === 24) return { raw: 's24le', encoding: 's24', bytes: 3 };
  if (bits === 32) return { raw: 's32le', encoding: 's32', bytes: 4 };
  return null;
}

/**
 * The facts WAV recorders write beside the samples: Broadcast WAV `bext` (origination date and time, the
 * originator), `LIST`/`INFO` text fields, and GUANO (`guan`, written by AudioMoth, Wildlife Acoustics and
 * other field recorders: a timestamp with its zone, make, model, serial).
 */
import type { RecordingMetadata } from '../../domain/stream.js';
import { epochNsFromIso } from './audio-clock.js';
import { keyValues, motionLayout, type MotionLayout } from './wav-motion.js';

/** Chunks whose bodies are parsed; anything larger is skipped, not read into memory. */
export const MAX_INFO_CHUNK_BYTES = 64 * 1024;
/** The fixed part of a `bext` body (EBU Tech 3285 v2, up to the coding history). */
export const BEXT_FIXED_BYTES = 602;
const MAX_TEXT = 200;
const MAX_FIELDS = 40;
/** INFO texts kept whole (omconvert's comment lists every channel; a few KiB at most). */
const MAX_INFO_TEXT = 16 * 1024;
/** INFO sub-chunks omconvert writes as `Key: value` lines: title (recording), artist (device), comment (layout). */
const KEY_VALUE_INFO = new Set(['INAM', 'IART', 'ICMT']);

export interface WavStart {
  ns: bigint;
  /** Where it came from, for people. */
  origin: string;
  /** True when the time carries no zone (BWF and omconvert are the device's local time): read as UTC, `clock: 'device-local'`. */
  local: boolean;
}

function text(b: Uint8Array, at: number, n: number, max = MAX_TEXT): string {
  const end = Math.min(b.length, at + n);
  let z = at;
  while (z < end && b[z] !== 0) z++;
  // latin1: INFO and bext are ASCII in practice, and latin1 cannot fail on stray bytes.
  return new TextDecoder('latin1').decode(b.subarray(at, z)).trim().slice(0, max);
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;
}

/** Collects what the info chunks say, in file order; the first start time found wins. */
export class WavInfo {
  start: WavStart | null = null;
  private readonly session: Record<string, string | number> = {};
  private readonly device: NonNullable<RecordingMetadata['device']> = {};
  private fields = 0;
  /** The omconvert comment's keys (`Channel-1`, `Scale-1`, `Time`, …), when the file has one. */
  private comment: Map<string, string> | null = null;

  private put(key: string, value: string | number): void {
    if (value === '' || this.fields >= MAX_FIELDS || key in this.session) return;
    this.session[key] = value;
    this.fields++;
  }

  /** Parses a chunk body if it is one of ours; returns false for other ids. */
  add(id: string, body: Uint8Array): boolean {
    switch (id) {
      case 'bext':
        this.addBext(body);
        return true;
      case 'LIST':
        if (text(body, 0, 4) === 'INFO') this.addInfo(body);
        return true;
      case 'guan':
        this.addGuano(body);
        return true;
      default:
        return false;
    }
  }

  private addBext(b: Uint8Array): void {
    this.put('bwf_description', text(b, 0, 256));
    this.put('bwf_originator', text(b, 256, 32));
    this.put('bwf_originator_reference', text(b, 288, 32));
    const date = /^(\d{4})\D(\d{2})\D(\d{2})$/.exec(text(b, 320, 10));
    const time = /^(\d{2})\D(\d{2})\D(\d{2})$/.exec(text(b, 330, 8));
    if (b.length >= 346) {
      const ref = u32(b, 338) + u32(b, 342) * 4294967296;
      if (ref > 0) this.put('bwf_time_reference_samples', ref);
    }
    if (date === null) return;
    const clock = time === null ? '00:00:00' : `${time[1]}:${time[2]}:${time[3]}`;
    const iso = `${date[1]}-${date[2]}-${date[3]}T${clock}`;
    this.put('bwf_origination', iso.replace('T', ' '));
    const ns = epochNsFromIso(`${iso}Z`);
    if (ns !== null && time !== null && this.start === null) this.start = { ns, origin: `the Broadcast WAV origination time ${iso.replace('T', ' ')}`, local: true };
  }

  private addInfo(b: Uint8Array): void {
    let p = 4;
    const texts: [string, string][] = [];
    while (p + 8 <= b.length) {
      const id = text(b, p, 4);
      const size = u32(b, p + 4);
      if (!/^[A-Z0-9]{4}$/.test(id) || p + 8 + size > b.length) break;
      texts.push([id, text(b, p + 8, size, MAX_INFO_TEXT)]);
      p += 8 + size + (size & 1);
    }
    // omconvert's comment names every channel (`Channel-1: Accel-X`); its other texts are `Key: value` lines too.
    const comment = keyValues(texts.find(([id]) => id === 'ICMT')?.[1] ?? '');
    const motion = [...comment.keys()].some((k) => /^Channel-\d+$/.test(k));
    for (const [id, whole] of texts) {
      if (motion && KEY_VALUE_INFO.has(id)) this.addKeyValues(id, id === 'ICMT' ? comment : keyValues(whole));
      else this.put(`info_${id.toLowerCase()}`, whole.slice(0, MAX_TEXT));
    }
    if (!motion) return;
    this.comment ??= comment;
    // The first sample's time, in the comment and again as the creation date: the device's local clock.
    const time = comment.get('Time') ?? texts.find(([id]) => id === 'ICRD')?.[1];
    if (this.start === null && time !== undefined) {
      const ns = epochNsFromIso(`${time}Z`);
      if (ns !== null) this.start = { ns, origin: `the WAV comment's first-sample time ${time}`, local: true };
    }
  }

  /** An INFO text of `Key: value` lines (omconvert): the device (IART), the recording (INAM), the channel layout (ICMT). */
  private addKeyValues(id: string, kv: Map<string, string>): void {
    const prefix = id === 'IART' ? 'device' : id === 'INAM' ? 'recording' : 'file';
    for (const [k, v] of kv) {
      const key = `${prefix}_${k.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
      if (id === 'ICMT' && /^(Channel|Scale)-\d+$/.test(k)) continue;
      this.put(key, v.slice(0, MAX_TEXT));
    }
    if (id === 'IART') {
      const get = (k: string): string | undefined => (kv.get(k) ?? '').slice(0, MAX_TEXT) || undefined;
      const serial = get('Id');
      const model = get('Device');
      const hardware = get('Revision');
      const firmware = get('Firmware');
      if (serial !== undefined) this.device.serial ??= serial;
      if (model !== undefined) this.device.model ??= model;
      if (hardware !== undefined) this.device.hardware ??= hardware;
      if (firmware !== undefined) this.device.firmware ??= firmware;
    }
  }

  /** The motion streams the file's comment declares (omconvert), or null for audio. */
  motion(channels: number, rateHz: number): MotionLayout | null {
    return this.comment === null ? null : motionLayout(this.comment, channels, rateHz);
  }

  private addGuano(b: Uint8Array): void {
    const lines = new TextDecoder('utf-8').decode(b.subarray(0, Math.min(b.length, MAX_INFO_CHUNK_BYTES))).split(/\r?\n/);
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const key = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim().slice(0, MAX_TEXT);
      if (key === 'Timestamp') {
        const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(value);
        const ns = epochNsFromIso(zoned ? value : `${value}Z`);
        if (ns !== null && this.start === null) this.start = { ns, origin: `the GUANO timestamp ${value}`, local: !zoned };
      }
      if (key === 'Make') this.device.platform ??= value;
      if (key === 'Model') this.device.model ??= value;
      if (key === 'Serial') this.device.serial ??= value;
      if (key === 'Firmware Version') this.device.firmware ??= value;
      this.put(`guano_${key.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`, value);
    }
  }

  /** The metadata event's payload (with the sample format for people), or null when no info chunk said anything. */
  metadata(format: string, kind: 'other' | 'wearable' = 'other'): RecordingMetadata | null {
    const hasDevice = Object.keys(this.device).length > 0;
    if (this.fields === 0 && !hasDevice) return null;
    const session = { wav_format: format, ...this.session };
    return { ...(hasDevice ? { device: { kind, ...this.device } } : {}), session };
  }
}

import type { RecordingMetadata } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';

/**
 * The text parts of a GENEActiv .bin file (ActivInsights, "Decoding .bin files" in the GENEActiv manual): a
 * header of `Key:Value` lines in sections (Device Identity, Device Capabilities, Configuration Info, Trial Info,
 * Subject Info, Calibration Data, Memory Status), then pages that each start with a `Recorded Data` line,
 * eight `Key:Value` lines and one line of hex samples.
 */

/** Header fields copied into the recording's session metadata when not empty (no birth date, sex, height or weight). */
const SESSION_FIELDS = ['Study Centre', 'Study Code', 'Investigator ID', 'Exercise Type', 'Device Location Code', 'Subject Code', 'Handedness Code', 'Config Time', 'Config Notes', 'Extract Time', 'Calibration Date'];
/** GENEActiv records at 10–100 Hz; anything outside this is not a real file. */
export const MAX_RATE_HZ = 1000;

export interface GeneactivHeader {
  fields: Map<string, string>;
  serial: string;
  deviceType: string;
  model: string;
  firmware: string;
  rateHz: number;
  rangeG: number | null;
  gain: [number, number, number];
  offset: [number, number, number];
  volts: number;
  lux: number;
  /** Minutes east of UTC from `Time Zone:GMT +01:00`, or null when the header does not say. */
  utcOffsetMin: number | null;
  timeZoneText: string;
  pagesDeclared: number | null;
}

/** A header or page line as text: Latin-1, NUL padding dropped, trimmed. */
export function lineText(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 0) s += String.fromCharCode(c);
  }
  return s.trim();
}

/** Splits `Key:Value` (the value may itself hold colons, as times do). */
export function keyValue(text: string): [string, string] | null {
  const i = text.indexOf(':');
  if (i <= 0) return null;
  return [text.slice(0, i).trim(), text.slice(i + 1).trim()];
}

/**
 * `2013-05-30 10:12:54:500` (GENEActiv writes milliseconds after a colon) as seconds since the epoch, the wall
 * clock read as UTC; NaN when it is not a valid time.
 */
export function wallClockSeconds(text: string): number {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[:.](\d{1,3}))?$/.exec(text);
  if (!m) return Number.NaN;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return Number.NaN;
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(t).getUTCDate() !== d) return Number.NaN;
  return t / 1000 + ms / 1000;
}

/** `GMT +01:00` → 60; `GMT -05:30` → −330; `GMT` → 0; null when it cannot be read. */
export function parseUtcOffset(text: string): number | null {
  const m = /^(?:GMT|UTC)\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?$/i.exec(text.trim());
  if (!m) return null;
  if (m[1] === undefined) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (minutes > 14 * 60) return null;
  return m[1] === '-' ? -minutes : minutes;
}

function number(fields: Map<string, string>, key: string): number {
  const v = fields.get(key);
  return v === undefined || v === '' ? Number.NaN : Number(v.replace(/\s*Hz$/i, ''));
}

/** Reads the header fields; throws the error a person can act on when calibration or rate is unusable. */
export function parseHeader(fields: Map<string, string>): GeneactivHeader {
  const gain = [number(fields, 'x gain'), number(fields, 'y gain'), number(fields, 'z gain')] as [number, number, number];
  const offset = [number(fields, 'x offset'), number(fields, 'y offset'), number(fields, 'z offset')] as [number, number, number];
  if (![...gain, ...offset].every(Number.isFinite)) {
    throw new AppError('format_corrupt', 'The GENEActiv header has no usable "Calibration Data" (x/y/z gain and offset), so the raw values cannot be turned into g.');
  }
  if (gain.some((g) => g === 0)) throw new AppError('format_corrupt', `The GENEActiv header's calibration has a gain of 0 (x/y/z gain ${gain.join('/')}), which cannot be right.`);
  const rateHz = number(fields, 'Measurement Frequency');
  if (fields.has('Measurement Frequency') && !(rateHz > 0 && rateHz <= MAX_RATE_HZ)) {
    throw new AppError('format_limits', `The GENEActiv header gives a measurement frequency of "${fields.get('Measurement Frequency')}"; GENEActiv devices record at 10–100 Hz.`);
  }
  const range = /(-?\d+(?:\.\d+)?)\s*to\s*(-?\d+(?:\.\d+)?)/.exec(fields.get('Accelerometer Range') ?? '');
  const rangeG = range ? Math.max(Math.abs(Number(range[1])), Math.abs(Number(range[2]))) : null;
  const volts = number(fields, 'Volts');
  const lux = number(fields, 'Lux');
  const pages = number(fields, 'Number of Pages');
  const timeZoneText = fields.get('Time Zone') ?? '';
  return {
    fields,
    serial: fields.get('Device Unique Serial Code') ?? '',
    deviceType: fields.get('Device Type') ?? 'GENEActiv',
    model: fields.get('Device Model') ?? '',
    firmware: fields.get('Device Firmware Version') ?? '',
    rateHz: Number.isFinite(rateHz) ? rateHz : Number.NaN,
    rangeG: rangeG !== null && rangeG > 0 && rangeG <= 64 ? rangeG : null,
    gain,
    offset,
    volts: Number.isFinite(volts) && volts > 0 ? volts : Number.NaN,
    lux: Number.isFinite(lux) ? lux : Number.NaN,
    utcOffsetMin: parseUtcOffset(timeZoneText),
    timeZoneText,
    pagesDeclared: Number.isInteger(pages) && pages >= 0 ? pages : null,
  };
}

/** The recording's device and session facts. */
export function metadataOf(h: GeneactivHeader): RecordingMetadata {
  const session: Record<string, string | number | boolean | null> = {
    clock: h.utcOffsetMin === null ? 'device-local' : 'utc-offset-from-header',
    firmware: h.firmware,
    measurementFrequencyHz: Number.isFinite(h.rateHz) ? h.rateHz : null,
    accelerometerRange: h.fields.get('Accelerometer Range') ?? null,
    timeZone: h.timeZoneText || null,
    startTime: h.fields.get('Start Time') ?? null,
    pagesDeclared: h.pagesDeclared,
  };
  for (const k of SESSION_FIELDS) {
    const v = h.fields.get(k);
    if (v !== undefined && v !== '') session[k] = v;
  }
  const meta: RecordingMetadata = {
    device: { kind: 'wearable', model: [h.deviceType, h.model].filter(Boolean).join(' '), serial: h.serial },
    session,
  };
  // A whole-hour offset has an IANA name (Etc/GMT-1 is UTC+01:00: the sign is inverted by POSIX convention).
  if (h.utcOffsetMin !== null && h.utcOffsetMin % 60 === 0) {
    const hours = h.utcOffsetMin / 60;
    meta.timezone = hours === 0 ? 'Etc/UTC' : `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
  }
  return meta;
}

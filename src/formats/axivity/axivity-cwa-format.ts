import { STANDARD_GRAVITY } from '../../domain/units.js';
/**
 * The OpenMovement .cwa layout (Axivity AX3 / AX6), after OpenMovement's `cwa.h`: a 1024-byte "MD" header
 * followed by 512-byte "AX" data blocks. Everything little-endian. This file holds the header parser and the
 * small decoders; the block loop lives in axivity-cwa.reader.ts.
 */

export const BLOCK_BYTES = 512;
export const HEADER_BYTES = 1024;
/** "MD" and "AX" as little-endian u16. */
export const MAGIC_MD = 0x444d;
export const MAGIC_AX = 0x5841;
/** Data block packet length (512 − 4). */
export const DATA_PACKET_LENGTH = 508;
export const G = STANDARD_GRAVITY;
export const DEG = Math.PI / 180;

const SECONDS_PER_DAY = 86_400;
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0, 0, 0];

/**
 * Seconds from the Unix epoch to the day before the 1st of each (year − 2000, month) in the packed timestamp's
 * top 10 bits (YYYYYYMM MM), as OpenMovement's fast parser builds it; NaN for months 0 and 13–15.
 */
const SECONDS_BEFORE_YEAR_MONTH: Float64Array = (() => {
  const table = new Float64Array(1024).fill(Number.NaN);
  let before = 946_684_800; // 2000-01-01T00:00:00Z
  for (let year = 0; year < 64; year++) {
    for (let month = 1; month <= 12; month++) {
      table[(year << 4) + month] = before - SECONDS_PER_DAY;
      let days = DAYS_IN_MONTH[month]!;
      if (month === 2 && year % 4 === 0) days++; // 2000–2063: every 4th year is a leap year
      before += days * SECONDS_PER_DAY;
    }
  }
  return table;
})();

function daysIn(year: number, month: number): number {
  return (DAYS_IN_MONTH[month] ?? 0) + (month === 2 && year % 4 === 0 ? 1 : 0);
}

/**
 * Packed date-time (YYYYYYMM MMDDDDDh hhhhmmmm mmssssss, year since 2000, device-local wall clock) as seconds
 * since the Unix epoch, reading the wall clock as if it were UTC; NaN when a field is out of range.
 */
export function packedSeconds(v: number): number {
  const ym = (v >>> 22) & 0x3ff;
  const day = (v >>> 17) & 0x1f;
  const hours = (v >>> 12) & 0x1f;
  const mins = (v >>> 6) & 0x3f;
  const secs = v & 0x3f;
  if (day < 1 || hours > 23 || mins > 59 || secs > 59 || day > daysIn(ym >>> 4, ym & 15)) return Number.NaN;
  return SECONDS_BEFORE_YEAR_MONTH[ym]! + ((day * 24 + hours) * 60 + mins) * 60 + secs;
}

/** A packed date-time as `YYYY-MM-DD hh:mm:ss` (device-local), `always`/`never` for 0 / 0xFFFFFFFF, else null. */
export function packedText(v: number): string | null {
  if (v === 0) return 'always';
  if (v === 0xffffffff) return 'never';
  const s = packedSeconds(v);
  if (Number.isNaN(s)) return null;
  return new Date(s * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** Sample rate in Hz of a rate code (3200 / 2^(15 − low nibble)). */
export function rateOf(code: number): number {
  return 3200 / (1 << (15 - (code & 0x0f)));
}

/** Accelerometer range ±g of a rate code (16 >> top two bits). */
export function rangeOf(code: number): number {
  return 16 >> (code >> 6);
}

/** OpenMovement's shorthand metadata names (`_p=right+wrist` → Body Location). */
const SHORTHAND: Record<string, string> = {
  _c: 'Study Centre',
  _s: 'Study Code',
  _i: 'Investigator',
  _x: 'Exercise Code',
  _v: 'Volunteer Num',
  _p: 'Body Location',
  _so: 'Setup Operator',
  _n: 'Notes',
  _b: 'Start time',
  _e: 'End time',
  _ro: 'Recovery Operator',
  _r: 'Retrieval Time',
  _co: 'Comments',
  _sc: 'Subject Code',
  _se: 'Sex',
  _h: 'Height',
  _w: 'Weight',
  _ha: 'Handedness',
  _sn: 'Subject Notes',
};

/** ASCII text of a header area without its trailing padding (space, NUL, 0xFF), control bytes dropped. */
function areaText(b: Uint8Array): string {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0x20 || b[end - 1] === 0x00 || b[end - 1] === 0xff)) end--;
  let s = '';
  for (let i = 0; i < end; i++) {
    const c = b[i]!;
    if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
  }
  return s;
}

function urlDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s.replace(/\+/g, ' ');
  }
}

/** The url-encoded name=value pairs of the annotation area, shorthand names expanded. */
export function parseAnnotation(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    const rawName = urlDecode(eq < 0 ? pair : pair.slice(0, eq)).trim();
    if (rawName === '') continue;
    out[SHORTHAND[rawName] ?? rawName] = eq < 0 ? '' : urlDecode(pair.slice(eq + 1)).trim();
  }
  return out;
}

export interface CwaHeader {
  /** `AX3`, `AX6`, or the hardware type byte in hex for other devices. */
  model: string;
  hardwareType: number;
  deviceId: number;
  sessionId: number;
  rateCode: number;
  rateHz: number;
  rangeG: number;
  /** Gyroscope range (±deg/s) from the sensor configuration byte, null when the device logs accel only. */
  gyroRangeDps: number | null;
  firmwareRevision: number;
  loggingStart: string | null;
  loggingEnd: string | null;
  lastChange: string | null;
  /** The annotation area as written (url-encoded name=value pairs). */
  annotation: string;
  annotationFields: Record<string, string>;
  /** Byte offset of the first data block. */
  dataOffset: number;
  /** The header's packet length when it is not the documented 1020, for a warning. */
  oddPacketLength: number | null;
}

/** Parses the 1024-byte header (`b` holds at least that many bytes and starts with "MD"). */
export function parseHeader(b: Uint8Array): CwaHeader {
  const dv = new DataView(b.buffer, b.byteOffset, HEADER_BYTES);
  const packetLength = dv.getUint16(2, true);
  const hardwareType = b[4]!;
  const model = hardwareType === 0x00 || hardwareType === 0xff || hardwareType === 0x17 ? 'AX3' : hardwareType === 0x64 ? 'AX6' : `0x${hardwareType.toString(16)}`;
  const upper = dv.getUint16(11, true);
  const deviceId = dv.getUint16(5, true) + (upper === 0xffff ? 0 : upper * 65536);
  const sensorConfig = b[35]!;
  const rateCode = b[36]!;
  const annotation = areaText(b.subarray(64, 512));
  return {
    model,
    hardwareType,
    deviceId,
    sessionId: dv.getUint32(7, true),
    rateCode,
    rateHz: rateOf(rateCode),
    rangeG: rangeOf(rateCode),
    gyroRangeDps: sensorConfig === 0x00 || sensorConfig === 0xff || (sensorConfig & 0x0f) === 0 ? null : 8000 / (1 << (sensorConfig & 0x0f)),
    firmwareRevision: b[41]!,
    loggingStart: packedText(dv.getUint32(13, true)),
    loggingEnd: packedText(dv.getUint32(17, true)),
    lastChange: packedText(dv.getUint32(37, true)),
    annotation,
    annotationFields: parseAnnotation(annotation),
    dataOffset: HEADER_BYTES,
    oddPacketLength: packetLength === HEADER_BYTES - 4 ? null : packetLength,
  };
}

/** True when `head` starts like a .cwa file: "MD" with the documented header length, or "MD" then "AX" at 1024. */
export function looksLikeCwa(head: Uint8Array): boolean {
  if (head.length < 4 || head[0] !== 0x4d || head[1] !== 0x44) return false;
  const packetLength = head[2]! | (head[3]! << 8);
  if (packetLength === HEADER_BYTES - 4) return true;
  return head.length >= HEADER_BYTES + 2 && head[HEADER_BYTES] === 0x41 && head[HEADER_BYTES + 1] === 0x58;
}

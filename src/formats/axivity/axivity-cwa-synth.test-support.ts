import { BLOCK_BYTES, HEADER_BYTES } from './axivity-cwa-format.js';

/**
 * Builds synthetic OpenMovement .cwa bytes with valid checksums: for the reader's tests (variants and hostile
 * files) and for the benchmark's 7-day file. Not a device emulator: it writes what the reader must accept.
 */

/** Packs a wall-clock date-time into the CWA 32-bit timestamp (YYYYYYMM MMDDDDDh hhhhmmmm mmssssss). */
export function packTimestamp(d: { year: number; month: number; day: number; hours: number; minutes: number; seconds: number }): number {
  return (((d.year - 2000) << 26) | (d.month << 22) | (d.day << 17) | (d.hours << 12) | (d.minutes << 6) | d.seconds) >>> 0;
}

/** Packs a UTC epoch second (read as the device's wall clock) into a CWA timestamp. */
export function packEpochSeconds(s: number): number {
  const t = new Date(s * 1000);
  return packTimestamp({ year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate(), hours: t.getUTCHours(), minutes: t.getUTCMinutes(), seconds: t.getUTCSeconds() });
}

export interface SynthHeader {
  hardwareType?: number;
  deviceId?: number;
  sessionId?: number;
  rateCode?: number;
  sensorConfig?: number;
  annotation?: string;
  packetLength?: number;
}

export function synthHeader(h: SynthHeader = {}): Uint8Array {
  const b = new Uint8Array(HEADER_BYTES).fill(0xff);
  const dv = new DataView(b.buffer);
  b[0] = 0x4d;
  b[1] = 0x44;
  dv.setUint16(2, h.packetLength ?? 1020, true);
  b[4] = h.hardwareType ?? 0x17;
  dv.setUint16(5, (h.deviceId ?? 12345) & 0xffff, true);
  dv.setUint32(7, h.sessionId ?? 7, true);
  dv.setUint16(11, Math.floor((h.deviceId ?? 12345) / 65536), true);
  dv.setUint32(13, 0, true);
  dv.setUint32(17, 0xffffffff, true);
  b[35] = h.sensorConfig ?? 0x00;
  b[36] = h.rateCode ?? 0x4a;
  dv.setUint32(37, packTimestamp({ year: 2024, month: 3, day: 1, hours: 9, minutes: 0, seconds: 0 }), true);
  b[41] = 44;
  const text = new TextEncoder().encode(h.annotation ?? '_p=left+wrist');
  b.fill(0x20, 64, 512);
  b.set(text.subarray(0, 448), 64);
  return b;
}

export interface SynthBlock {
  sequence: number;
  /** Packed timestamp of sample `timestampOffset`. */
  timestamp: number;
  /** 15-bit fraction of a second (top bit set in the file), or null for none. */
  fraction15?: number | null;
  timestampOffset?: number;
  sessionId?: number;
  rateCode?: number;
  /** 0x30 packed 3-axis, 0x32 unpacked 3-axis, 0x62 AX6 gyro+accel, 0x92 with magnetometer. */
  numAxesBps?: number;
  sampleCount?: number;
  lightScale?: number;
  temperature?: number;
  battery?: number;
  /** Raw axis values of sample k, axis a (packed: 10-bit values before the exponent, 0 exponent). */
  raw?: (k: number, a: number) => number;
  /** Leaves the checksum wrong. */
  corrupt?: boolean;
}

/** Writes one data block at `at` of `out` (512 bytes) with a valid checksum unless `corrupt`. */
export function writeBlock(out: Uint8Array, at: number, s: SynthBlock): void {
  const dv = new DataView(out.buffer, out.byteOffset + at, BLOCK_BYTES);
  const axesBps = s.numAxesBps ?? 0x30;
  const axes = axesBps >> 4;
  const packed = (axesBps & 0x0f) === 0;
  const count = s.sampleCount ?? (packed ? 120 : Math.floor(240 / axes));
  dv.setUint16(0, 0x5841, true);
  dv.setUint16(2, 508, true);
  dv.setUint16(4, s.fraction15 === null || s.fraction15 === undefined ? 0 : 0x8000 | (s.fraction15 & 0x7fff), true);
  dv.setUint32(6, s.sessionId ?? 7, true);
  dv.setUint32(10, s.sequence >>> 0, true);
  dv.setUint32(14, s.timestamp, true);
  dv.setUint16(18, s.lightScale ?? 300, true);
  dv.setUint16(20, s.temperature ?? 260, true);
  dv.setUint8(22, 0);
  dv.setUint8(23, s.battery ?? 190);
  dv.setUint8(24, s.rateCode ?? 0x4a);
  dv.setUint8(25, axesBps);
  dv.setInt16(26, s.timestampOffset ?? 0, true);
  dv.setUint16(28, count, true);
  const raw = s.raw ?? ((k: number, a: number) => (a === 2 ? 256 : ((k * 7 + a * 13) % 41) - 20));
  const n = Math.min(count, packed ? 120 : Math.floor(240 / Math.max(1, axes)));
  for (let k = 0; k < n; k++) {
    if (packed) {
      const v = (raw(k, 0) & 0x3ff) | ((raw(k, 1) & 0x3ff) << 10) | ((raw(k, 2) & 0x3ff) << 20);
      dv.setUint32(30 + 4 * k, v >>> 0, true);
    } else {
      for (let a = 0; a < axes; a++) dv.setInt16(30 + 2 * (k * axes + a), raw(k, a), true);
    }
  }
  dv.setUint16(510, 0, true);
  let sum = 0;
  for (let i = 0; i < 510; i += 2) sum += dv.getUint16(i, true);
  dv.setUint16(510, (0x10000 - (sum & 0xffff) + (s.corrupt === true ? 1 : 0)) & 0xffff, true);
}

/** A whole small file: header plus `blocks` (built in memory; for tests). */
export function synthFile(header: SynthHeader, blocks: SynthBlock[]): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + blocks.length * BLOCK_BYTES);
  out.set(synthHeader(header), 0);
  blocks.forEach((b, i) => writeBlock(out, HEADER_BYTES + i * BLOCK_BYTES, b));
  return out;
}

/**
 * Consecutive blocks (AX3, 120 packed samples at 100 Hz unless `extra` says otherwise) from `startEpochSeconds`
 * (wall clock), `blockSeconds` apart, each with the timestamp of its first sample and a fractional part, as a
 * real device writes them.
 */
export function ax3Blocks(n: number, startEpochSeconds: number, first = 0, extra: Partial<SynthBlock> = {}, blockSeconds = 1.2): SynthBlock[] {
  return Array.from({ length: n }, (_, j) => {
    const i = first + j;
    const t = startEpochSeconds + i * blockSeconds;
    const whole = Math.floor(t);
    const fraction15 = Math.min(32767, Math.round((t - whole) * 32768));
    // The firmware's shim: the offset is pre-shifted by the whole samples in the fraction (the reader undoes it).
    const timestampOffset = -((fraction15 * 2 * 100) >> 16);
    return { sequence: i, timestamp: packEpochSeconds(whole), fraction15, timestampOffset, ...extra };
  });
}

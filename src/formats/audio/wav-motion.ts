/**
 * Motion data in a WAV file: OpenMovement's `omconvert` (and the AX3/AX6 tools built on it) writes
 * accelerometer (and gyroscope) samples as 16-bit PCM, one channel per axis plus an auxiliary channel, and
 * says what each channel is in the LIST/INFO comment (`ICMT`), as `Key: value` lines:
 *
 * ```
 * Time: 2014-08-01 10:00:00.000      ← first sample, device-local clock (also in ICRD)
 * Channel-1: Accel-X                 ← sensor-axis of channel 1 (Accel, Gyro, Mag; Aux)
 * Scale-1: 8                         ← full scale of channel 1 in the sensor's unit (g, deg/s)
 * …
 * Channel-4: Aux                     ← flags and a slow battery/light/temperature cycle, not a signal
 * ```
 *
 * A value is `sample / 32768 × scale` in the sensor's unit (±8 g for the accelerometer: a raw 4096 is 1 g).
 * The auxiliary channel (named `Aux`, or the last channel when nothing names it) is not stored as a stream:
 * its bit 15 marks frames where the source had no data, and those frames' motion values are stored as
 * missing (NaN) rather than as the zeros omconvert wrote.
 */
import { regularChunk } from '../../domain/chunk-times.js';
import type { ReaderEvent, SampleChunk, StreamInfo } from '../../domain/stream.js';
import { STANDARD_GRAVITY } from '../../domain/units.js';

const DEG = Math.PI / 180;
/** omconvert's aux flag: data not available on one or more channels at this frame. */
const AUX_UNAVAILABLE = 0x8000;
/** omconvert's aux flag: data clipped on one or more channels at this frame. */
const AUX_CLIPPED = 0x4000;

interface SensorKind {
  name: string;
  /** Stored unit, the file's unit, and the factor from the file's unit to the stored one. */
  unit: string;
  originalUnit: string | null;
  factor: number;
}

/** omconvert's sensor labels → streams. The magnetometer's unit is not stated by omconvert. */
const SENSORS: Record<string, SensorKind> = {
  accel: { name: 'accelerometer', unit: 'm/s^2', originalUnit: 'g', factor: STANDARD_GRAVITY },
  gyro: { name: 'gyroscope', unit: 'rad/s', originalUnit: 'deg/s', factor: DEG },
  mag: { name: 'magnetometer', unit: 'unknown', originalUnit: null, factor: 1 },
};

/** One stream of the file and the WAV channels it takes, with the factor from PCM [-1, 1] to its unit. */
export interface MotionGroup {
  info: StreamInfo;
  columns: number[];
  factors: number[];
}

export interface MotionLayout {
  groups: MotionGroup[];
  /** The WAV channel holding omconvert's flags, or null. */
  auxColumn: number | null;
  /** Channels read as neither motion nor aux, for people (`channel 5 "Light"`). */
  skipped: string[];
}

/** `Key: value` lines (omconvert's INFO texts) → a map; keys as written, first occurrence wins. */
export function keyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim();
    if (key !== '' && !out.has(key)) out.set(key, line.slice(colon + 1).trim());
  }
  return out;
}

/**
 * The motion layout an omconvert-style comment declares for a WAV of `channels` channels, or null when the
 * comment names no Accel/Gyro/Mag channel (an ordinary audio file).
 */
export function motionLayout(comment: ReadonlyMap<string, string>, channels: number, rateHz: number): MotionLayout | null {
  const byStream = new Map<string, { kind: SensorKind; axes: { axis: string; column: number; scale: number }[] }>();
  let auxColumn: number | null = null;
  const labelled = new Set<number>();
  const skipped: string[] = [];
  for (let c = 0; c < channels; c++) {
    const label = comment.get(`Channel-${c + 1}`);
    if (label === undefined) continue;
    labelled.add(c);
    const m = /^([A-Za-z]+)(?:-([A-Za-z0-9]+))?$/.exec(label.trim());
    const sensor = m?.[1]?.toLowerCase() ?? '';
    if (sensor === 'aux') {
      auxColumn ??= c;
      continue;
    }
    const kind = SENSORS[sensor];
    if (kind === undefined || m?.[2] === undefined) {
      skipped.push(`channel ${c + 1} ${JSON.stringify(label.slice(0, 40))}`);
      continue;
    }
    const scaleText = comment.get(`Scale-${c + 1}`);
    const scale = scaleText === undefined ? 1 : Number(scaleText);
    let entry = byStream.get(kind.name);
    if (entry === undefined) {
      entry = { kind, axes: [] };
      byStream.set(kind.name, entry);
    }
    entry.axes.push({ axis: m[2].toLowerCase(), column: c, scale: Number.isFinite(scale) && scale > 0 ? scale : 1 });
  }
  if (byStream.size === 0) return null;
  // omconvert's newer writer leaves the aux channel unnamed: it is the last one.
  if (auxColumn === null && !labelled.has(channels - 1)) auxColumn = channels - 1;
  for (let c = 0; c < channels; c++) if (!labelled.has(c) && c !== auxColumn) skipped.push(`channel ${c + 1} (unnamed)`);
  const groups: MotionGroup[] = [];
  for (const { kind, axes } of byStream.values()) {
    const names = axes.map((a) => a.axis);
    const unique = new Set(names).size === names.length;
    const scales = axes.map((a) => a.scale);
    const info: StreamInfo = {
      name: kind.name,
      kind: 'imu',
      sensor: kind.name,
      channels: unique ? names : axes.map((a, i) => `${a.axis}_${i + 1}`),
      unit: kind.unit,
      nominalRateHz: rateHz,
      frame: 'device',
      range: Math.max(...scales) * kind.factor,
      calibration: { full_scale: scales, full_scale_unit: kind.originalUnit ?? 'as written' },
    };
    if (kind.originalUnit !== null) info.originalUnit = kind.originalUnit;
    groups.push({ info, columns: axes.map((a) => a.column), factors: axes.map((a) => a.scale * kind.factor) });
  }
  return { groups, auxColumn, skipped };
}

/** Turns the PCM sink's chunks (all WAV channels) into the motion streams' chunks. */
export class MotionSplitter {
  /** Frames omconvert marked as having no source data (their motion values stored as NaN). */
  unavailable = 0;
  /** Frames omconvert marked as clipped. */
  clipped = 0;

  constructor(private readonly layout: MotionLayout) {}

  split(chunk: SampleChunk): ReaderEvent[] {
    const n = chunk.length;
    const aux = this.layout.auxColumn === null ? undefined : chunk.values[this.layout.auxColumn];
    let missing: Uint8Array | null = null;
    if (aux !== undefined) {
      for (let i = 0; i < n; i++) {
        const flags = Math.round(aux[i]! * 32768) & 0xffff;
        if ((flags & AUX_CLIPPED) !== 0) this.clipped++;
        if ((flags & AUX_UNAVAILABLE) !== 0) {
          missing ??= new Uint8Array(n);
          missing[i] = 1;
          this.unavailable++;
        }
      }
    }
    return this.layout.groups.map((g) => {
      const values = g.columns.map((col, k) => {
        const src = chunk.values[col]!;
        const f = g.factors[k]!;
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = missing !== null && missing[i] === 1 ? Number.NaN : src[i]! * f;
        return out;
      });
      const r = chunk.regular;
      const out: SampleChunk = r === undefined ? { length: n, t: chunk.t, values } : regularChunk(n, values, r.clock, r.firstFrame);
      return { type: 'chunk', stream: g.info.name, chunk: out };
    });
  }

  /** What a person should know once all frames are read. */
  warnings(): ReaderEvent[] {
    const out: ReaderEvent[] = [];
    if (this.layout.auxColumn !== null) {
      out.push({
        type: 'warning',
        code: 'wav_aux_channel_skipped',
        message: `WAV channel ${this.layout.auxColumn + 1} is omconvert's auxiliary channel (validity flags and a slow battery/light/temperature cycle), not a signal: it was read for its flags and not stored.`,
      });
    }
    if (this.layout.skipped.length > 0) {
      out.push({ type: 'warning', code: 'wav_channel_skipped', message: `The WAV's comment does not name ${this.layout.skipped.join(', ')} as motion; not stored.` });
    }
    if (this.unavailable > 0) {
      out.push({
        type: 'warning',
        code: 'wav_samples_unavailable',
        message: `${this.unavailable} frame(s) are flagged by omconvert as having no data in the source recording; their values are stored as missing, not as the zeros written.`,
        count: this.unavailable,
      });
    }
    if (this.clipped > 0) {
      out.push({ type: 'warning', code: 'wav_samples_clipped', message: `${this.clipped} frame(s) are flagged by omconvert as clipped (beyond the sensor's or the file's range).`, count: this.clipped });
    }
    return out;
  }
}

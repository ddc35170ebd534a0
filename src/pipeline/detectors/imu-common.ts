import type { StreamInfo } from '../../domain/stream.js';
import { STANDARD_GRAVITY } from '../../domain/units.js';
export { TimeBase } from '../time-base.js';

/** Standard gravity (m/s² per g), as GGIR and the readers convert. */
export const G = STANDARD_GRAVITY;

/**
 * Sensors whose x, y, z channels are an acceleration that does NOT include gravity (the OS removed it).
 * Everything else measured in m/s² or g with x, y, z (accelerometer, total_acceleration, …) may include it:
 * detectors that care check the data (`looksLikeGravity`).
 */
const GRAVITY_REMOVED = new Set(['user_acceleration', 'linear_acceleration', 'useracceleration', 'linearacceleration']);
/** Derived streams that are not an acceleration of the body, though in m/s² (the OS's low-passed gravity). */
const GRAVITY_SENSORS = new Set(['gravity']);

/** Factor from the stream's stored unit to g; null for units that are not an acceleration. */
export function toGFactor(unit: string): number | null {
  switch (unit.toLowerCase()) {
    case 'm/s^2':
    case 'm/s²':
    case 'm/s2':
      return 1 / G;
    case 'g':
      return 1;
    case 'mg':
      return 1e-3;
    default:
      return null;
  }
}

/** Channel indices of x, y, z (case-insensitive), or null when the stream lacks one of them. */
export function xyzIndices(stream: StreamInfo): [number, number, number] | null {
  const lower = stream.channels.map((c) => c.toLowerCase());
  const x = lower.indexOf('x');
  const y = lower.indexOf('y');
  const z = lower.indexOf('z');
  return x >= 0 && y >= 0 && z >= 0 ? [x, y, z] : null;
}

/** What kind of acceleration a motion stream carries, or null when it is not a 3-axis acceleration. */
export type AccelKind = 'with-gravity' | 'gravity-removed' | 'gravity';

export function accelKind(stream: StreamInfo): AccelKind | null {
  if (stream.kind !== 'imu' || toGFactor(stream.unit) === null || xyzIndices(stream) === null) return null;
  const sensor = stream.sensor.toLowerCase();
  if (GRAVITY_SENSORS.has(sensor)) return 'gravity';
  return GRAVITY_REMOVED.has(sensor) ? 'gravity-removed' : 'with-gravity';
}

/**
 * Whether an acceleration carries gravity, from the data: the median of per-window |mean vector| is ≈ 1 g with
 * gravity and ≈ 0 without (Sensor Logger's iOS `accelerometer` is user acceleration, its `total_acceleration`
 * is not, and names elsewhere vary). True when unsure (no windows).
 */
export function looksLikeGravity(meanNormsG: ArrayLike<number>): boolean {
  if (meanNormsG.length === 0) return true;
  const s = Float64Array.from(meanNormsG).sort();
  return s[Math.floor(s.length / 2)]! >= 0.5;
}

/**
 * +1 when the stream's "up" reads positive at rest (Android convention: +1 g on the axis pointing up), −1 for
 * Core Motion (`ios`: gravity is −1 g on the down axis, so a face-up screen reads z = −1 g). Directional
 * detectors multiply by this; magnitudes do not care.
 */
export function upSign(stream: StreamInfo): 1 | -1 {
  return stream.frame === 'ios' ? -1 : 1;
}

/**
 * Estimates the sampling period (ns) from the nominal rate, else from the median of the first positive
 * intervals; NaN until known.
 */
export class PeriodEstimator {
  private period: number;
  private readonly warm: number[] = [];
  private prev = Number.NaN;

  constructor(nominalRateHz: number | null, private readonly need = 64) {
    this.period = nominalRateHz !== null && nominalRateHz > 0 ? 1e9 / nominalRateHz : Number.NaN;
  }

  get known(): boolean {
    return !Number.isNaN(this.period);
  }

  /** The period in ns, or NaN while still warming up with fewer intervals than needed. */
  get ns(): number {
    return this.period;
  }

  /** Looks at the offsets until the period is known. */
  observe(offs: Float64Array, n: number): void {
    for (let i = 0; i < n && !this.known; i++) {
      const o = offs[i]!;
      const dt = o - this.prev;
      this.prev = o;
      if (dt > 0) this.warm.push(dt);
      if (this.warm.length >= this.need) this.settle();
    }
  }

  /** Fixes the period from what was seen (call at the end of a short stream). */
  settle(): void {
    if (this.known || this.warm.length === 0) return;
    const s = this.warm.sort((a, b) => a - b);
    this.period = s[Math.floor(s.length / 2)]!;
  }
}

export { withOverrides, type DetectorOptions } from './options.js';

export function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A number for a message: integers with separators, others with 3 significant digits. */
export function num(x: number, digits = 3): string {
  return Number.isInteger(x) ? x.toLocaleString('en-US') : Number(x.toPrecision(digits)).toString();
}

export function pct(x: number): string {
  return `${num(x * 100, 2)}%`;
}

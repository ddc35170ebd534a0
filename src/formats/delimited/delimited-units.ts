/**
 * Units of delimited-text columns: what a unit written in a header means for a sensor, the SI unit it is
 * stored in and the factor to get there (g × 9.80665 → m/s², deg/s × π/180 → rad/s, mG × 0.1 → µT), and the
 * time unit a time column's name gives (`(s)`, `_ms`, `[ms]`, `millis`).
 */

export { STANDARD_GRAVITY } from '../../domain/units.js';
import { STANDARD_GRAVITY } from '../../domain/units.js';
const DEG = Math.PI / 180;

export interface UnitConversion {
  /** The SI unit the values are stored in. */
  unit: string;
  /** Multiply the file's values by this. */
  scale: number;
  /** The unit as the file gave it, when a conversion happened. */
  originalUnit?: string;
}

/** `m/s²`, `M/S^2`, `µT`, `°/s` → a comparable key (`m/s^2`, `ut`, `deg/s`). */
export function unitKey(unit: string): string {
  return unit
    .trim()
    .toLowerCase()
    .replace(/²/g, '^2')
    .replace(/µ|μ/g, 'u')
    .replace(/°/g, 'deg')
    .replace(/\s+/g, '')
    .replace(/\*/g, '');
}

const ACCEL: Record<string, UnitConversion> = {
  'm/s^2': { unit: 'm/s^2', scale: 1 },
  'm/s2': { unit: 'm/s^2', scale: 1 },
  'm/s/s': { unit: 'm/s^2', scale: 1 },
  'ms^-2': { unit: 'm/s^2', scale: 1 },
  'ms-2': { unit: 'm/s^2', scale: 1 },
  'm.s^-2': { unit: 'm/s^2', scale: 1 },
  ms2: { unit: 'm/s^2', scale: 1 },
  mps2: { unit: 'm/s^2', scale: 1 },
  g: { unit: 'm/s^2', scale: STANDARD_GRAVITY, originalUnit: 'g' },
  gs: { unit: 'm/s^2', scale: STANDARD_GRAVITY, originalUnit: 'g' },
  g0: { unit: 'm/s^2', scale: STANDARD_GRAVITY, originalUnit: 'g' },
  mg: { unit: 'm/s^2', scale: STANDARD_GRAVITY / 1000, originalUnit: 'mg' },
};

const GYRO: Record<string, UnitConversion> = {
  'rad/s': { unit: 'rad/s', scale: 1 },
  'rad/sec': { unit: 'rad/s', scale: 1 },
  rads: { unit: 'rad/s', scale: 1 },
  'rads^-1': { unit: 'rad/s', scale: 1 },
  'deg/s': { unit: 'rad/s', scale: DEG, originalUnit: 'deg/s' },
  'deg/sec': { unit: 'rad/s', scale: DEG, originalUnit: 'deg/s' },
  'degree/s': { unit: 'rad/s', scale: DEG, originalUnit: 'deg/s' },
  'degrees/s': { unit: 'rad/s', scale: DEG, originalUnit: 'deg/s' },
  dps: { unit: 'rad/s', scale: DEG, originalUnit: 'deg/s' },
  degs: { unit: 'rad/s', scale: DEG, originalUnit: 'deg/s' },
};

const MAG: Record<string, UnitConversion> = {
  ut: { unit: 'uT', scale: 1 },
  microtesla: { unit: 'uT', scale: 1 },
  nt: { unit: 'uT', scale: 1e-3, originalUnit: 'nT' },
  mt: { unit: 'uT', scale: 1e3, originalUnit: 'mT' },
  g: { unit: 'uT', scale: 100, originalUnit: 'G' },
  gauss: { unit: 'uT', scale: 100, originalUnit: 'G' },
  mg: { unit: 'uT', scale: 0.1, originalUnit: 'mG' },
  milligauss: { unit: 'uT', scale: 0.1, originalUnit: 'mG' },
};

const ANGLE: Record<string, UnitConversion> = {
  rad: { unit: 'rad', scale: 1 },
  radians: { unit: 'rad', scale: 1 },
  deg: { unit: 'rad', scale: DEG, originalUnit: 'deg' },
  degree: { unit: 'rad', scale: DEG, originalUnit: 'deg' },
  degrees: { unit: 'rad', scale: DEG, originalUnit: 'deg' },
};

const TABLES: Record<string, Record<string, UnitConversion>> = {
  accelerometer: ACCEL,
  user_acceleration: ACCEL,
  gravity: ACCEL,
  gyroscope: GYRO,
  magnetometer: MAG,
  orientation: ANGLE,
};

/**
 * The stored unit and factor for a sensor's values given the unit the file wrote; a unit this table does not
 * know is kept as written (scale 1) so that nothing is converted on a guess.
 */
export function convertUnit(sensor: string | null, unit: string): UnitConversion {
  const key = unitKey(unit);
  const table = sensor === null ? undefined : TABLES[sensor];
  const known = table?.[key];
  if (known !== undefined) return known;
  const kept = unit.trim().replace(/[^\x20-\x7e°µ²]/g, '').slice(0, 24);
  return { unit: kept === '' ? 'unknown' : kept, scale: 1 };
}

/** Time units a time column may count in. */
export type TimeUnit = 's' | 'ms' | 'us' | 'ns';

export const NS_PER_UNIT: Record<TimeUnit, number> = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 };

export const TIME_UNIT_WORDS: Record<TimeUnit, string> = { s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds' };

const TIME_UNIT_KEYS: Record<string, TimeUnit> = {
  s: 's',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  ms: 'ms',
  msec: 'ms',
  millis: 'ms',
  millisecond: 'ms',
  milliseconds: 'ms',
  us: 'us',
  usec: 'us',
  micros: 'us',
  microsecond: 'us',
  microseconds: 'us',
  ns: 'ns',
  nsec: 'ns',
  nanos: 'ns',
  nanosecond: 'ns',
  nanoseconds: 'ns',
};

/** The time unit a time column's name gives (`Time (s)`, `timestamp_ms`, `t [ms]`, `seconds_elapsed`), or null. */
export function timeUnitFromName(unit: string | null, words: readonly string[]): TimeUnit | null {
  if (unit !== null) {
    const u = TIME_UNIT_KEYS[unitKey(unit)];
    if (u !== undefined) return u;
  }
  for (let i = words.length - 1; i >= 0; i--) {
    const u = TIME_UNIT_KEYS[words[i] ?? ''];
    if (u !== undefined) return u;
  }
  return null;
}

import type { StreamKind } from '../../domain/stream.js';
import { streamName } from '../../domain/names.js';

/** Stream names, kinds and units for Sensor Logger's per-sensor files (`TotalAcceleration.csv`, …). */

const IMU_SENSORS = new Set([
  'accelerometer',
  'accelerometer_uncalibrated',
  'gyroscope',
  'gyroscope_uncalibrated',
  'gravity',
  'magnetometer',
  'magnetometer_uncalibrated',
  'orientation',
  'total_acceleration',
  'user_acceleration',
  'rotation_vector',
]);

/**
 * Units of Sensor Logger's sensors as its unit reference documents them (awesome-sensor-logger UNITS.md): one
 * unit for a stream whose channels share it, else `mixed` with the unit of each channel. Accelerometer
 * Uncalibrated is m/s² on Android and with "Standardise Units & Frames", g on iOS without it: the readers
 * convert that case from what the export's metadata (or the values' magnitude) says.
 */
const UNITS: Record<string, string> = {
  accelerometer: 'm/s^2',
  accelerometer_uncalibrated: 'm/s^2',
  total_acceleration: 'm/s^2',
  gravity: 'm/s^2',
  user_acceleration: 'm/s^2',
  gyroscope: 'rad/s',
  gyroscope_uncalibrated: 'rad/s',
  magnetometer: 'uT',
  magnetometer_uncalibrated: 'uT',
  light: 'lux',
  microphone: 'dBFS',
  compass: 'deg',
  battery_temp: 'degC',
  heart_rate: 'bpm',
  pedometer: 'steps',
  brightness: '1',
};

/** Streams whose channels have different units: the unit of each channel, by its lower-case name. */
const CHANNEL_UNITS: Record<string, Record<string, string>> = {
  orientation: { pitch: 'rad', roll: 'rad', yaw: 'rad', qx: '1', qy: '1', qz: '1', qw: '1' },
  barometer: { pressure: 'hPa', relativealtitude: 'm' },
  location: {
    latitude: 'deg', longitude: 'deg', altitude: 'm', altitudeabovemeansealevel: 'm', bearing: 'deg', bearingaccuracy: 'deg',
    horizontalaccuracy: 'm', verticalaccuracy: 'm', speed: 'm/s', speedaccuracy: 'm/s',
  },
  battery: { batterylevel: '1', voltage: 'V', chargingcurrent: 'mA' },
  bluetooth: { rssi: 'dBm', txpowerlevel: 'dBm' },
  wifi: { level: 'dBm', frequency: 'MHz' },
  network: { strength: '1', frequency: 'MHz' },
};

/** `TotalAcceleration.csv` → `total_acceleration`; only [a-z0-9_], `sensor` when nothing is left. */
export function streamNameFromFilename(filename: string): string {
  const base = filename.split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const snake = stem
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  return snake === '' ? 'sensor' : streamName(snake).name;
}

export interface SensorDescription {
  kind: StreamKind;
  unit: string;
  sensor: string;
  /** For a `mixed` stream: the unit of each channel it knows (lower-case channel name → unit). */
  channelUnits?: Record<string, string>;
}

/** Kind, unit and sensor for a stream name (`accelerometer_2` counts as `accelerometer`). */
export function describeSensor(streamName: string): SensorDescription {
  const key = streamName.replace(/_\d+$/, '');
  const channelUnits = CHANNEL_UNITS[key];
  return {
    kind: IMU_SENSORS.has(key) ? 'imu' : 'other',
    unit: UNITS[key] ?? (channelUnits === undefined ? 'unknown' : 'mixed'),
    sensor: key,
    ...(channelUnits === undefined ? {} : { channelUnits }),
  };
}

/**
 * `channel_units` for a mixed stream's calibration field (`pressure: hPa; relativeAltitude: m`), listing the
 * stream's own channels in order; null when the stream has one unit or none of its channels is known.
 */
export function channelUnitsNote(d: SensorDescription, channels: readonly string[]): string | null {
  if (d.channelUnits === undefined) return null;
  const known = channels.flatMap((c) => {
    const u = d.channelUnits?.[c.toLowerCase()];
    return u === undefined ? [] : [`${c}: ${u}`];
  });
  return known.length === 0 ? null : known.join('; ');
}

/**
 * True when an accelerometer's values look like g rather than m/s²: the median norm of the first rows
 * (up to 2,000) lies between 0.5 and 1.5 (gravity alone is 1 g = 9.81 m/s²). Used where the file does not
 * say its unit (Sensor Logger's uncalibrated acceleration on iOS without metadata).
 */
export function looksLikeG(values: readonly Float32Array[], n: number): boolean {
  const k = Math.min(n, 2000);
  if (values.length < 3 || k < 5) return false;
  const norms: number[] = [];
  for (let i = 0; i < k; i++) {
    const x = values[0]![i]!;
    const y = values[1]![i]!;
    const z = values[2]![i]!;
    const m = Math.sqrt(x * x + y * y + z * z);
    if (Number.isFinite(m)) norms.push(m);
  }
  if (norms.length < 5) return false;
  norms.sort((a, b) => a - b);
  const median = norms[norms.length >> 1]!;
  return median > 0.5 && median < 1.5;
}

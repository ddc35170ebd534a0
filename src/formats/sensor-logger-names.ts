import type { StreamKind } from '../domain/stream.js';
import { streamName } from '../domain/names.js';

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

const UNITS: Record<string, string> = {
  accelerometer: 'm/s^2',
  total_acceleration: 'm/s^2',
  gravity: 'm/s^2',
  user_acceleration: 'm/s^2',
  gyroscope: 'rad/s',
  magnetometer: 'uT',
  orientation: 'rad',
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

/** Kind, unit and sensor for a stream name (`accelerometer_2` counts as `accelerometer`). */
export function describeSensor(streamName: string): { kind: StreamKind; unit: string; sensor: string } {
  const key = streamName.replace(/_\d+$/, '');
  return {
    kind: IMU_SENSORS.has(key) ? 'imu' : 'other',
    unit: UNITS[key] ?? 'unknown',
    sensor: key,
  };
}

import type { StreamKind } from '../../domain/stream.js';
import { STANDARD_GRAVITY as G } from '../../domain/units.js';

/**
 * Edge Impulse's `sensors[].units` strings → FieldSense's SI units and the factor to apply, and the stream
 * each unit belongs to (a sample with `accX…` in m/s2 and `gyrX…` in dps becomes two streams).
 */


export interface UnitMapping {
  unit: string;
  factor: number;
  /** The file's unit when the values were converted. */
  originalUnit?: string;
}

const TABLE: Record<string, UnitMapping> = {
  'm/s2': { unit: 'm/s^2', factor: 1 },
  'm/s^2': { unit: 'm/s^2', factor: 1 },
  'm/s²': { unit: 'm/s^2', factor: 1 },
  'ms-2': { unit: 'm/s^2', factor: 1 },
  'ms^-2': { unit: 'm/s^2', factor: 1 },
  g: { unit: 'm/s^2', factor: G, originalUnit: 'g' },
  mg: { unit: 'm/s^2', factor: G / 1000, originalUnit: 'mg' },
  'rad/s': { unit: 'rad/s', factor: 1 },
  'deg/s': { unit: 'rad/s', factor: Math.PI / 180, originalUnit: 'deg/s' },
  dps: { unit: 'rad/s', factor: Math.PI / 180, originalUnit: 'deg/s' },
  '°/s': { unit: 'rad/s', factor: Math.PI / 180, originalUnit: 'deg/s' },
  ut: { unit: 'uT', factor: 1 },
  'µt': { unit: 'uT', factor: 1 },
  'μt': { unit: 'uT', factor: 1 },
  mt: { unit: 'uT', factor: 1000, originalUnit: 'mT' },
  gauss: { unit: 'uT', factor: 100, originalUnit: 'gauss' },
  '°c': { unit: 'degC', factor: 1 },
  degc: { unit: 'degC', factor: 1 },
  c: { unit: 'degC', factor: 1 },
  celsius: { unit: 'degC', factor: 1 },
  wav: { unit: 'pcm', factor: 1 / 32768, originalUnit: 'int16' },
  'n/a': { unit: 'unknown', factor: 1 },
  '': { unit: 'unknown', factor: 1 },
};

/** Maps one units string (case-insensitive for the table; otherwise kept as written). */
export function mapEdgeImpulseUnit(units: string): UnitMapping {
  const key = units.trim().toLowerCase();
  return TABLE[key] ?? { unit: units.trim().slice(0, 40), factor: 1 };
}

/** Stream name, kind and sensor for the channels of one unit. */
export function streamForUnit(unit: string, firstChannel: string): { name: string; kind: StreamKind; sensor: string } {
  switch (unit) {
    case 'm/s^2':
      return { name: 'accelerometer', kind: 'imu', sensor: 'accelerometer' };
    case 'rad/s':
      return { name: 'gyroscope', kind: 'imu', sensor: 'gyroscope' };
    case 'uT':
      return { name: 'magnetometer', kind: 'imu', sensor: 'magnetometer' };
    case 'pcm':
      return { name: 'audio', kind: 'audio', sensor: 'audio' };
    default: {
      const snake = firstChannel
        .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
        .toLowerCase()
        .replace(/[^a-z0-9_]+/g, '_')
        .replace(/_+/g, '_')
        .replace(/^_|_$/g, '');
      const name = snake === '' ? 'sensor' : snake.slice(0, 60);
      return { name, kind: 'other', sensor: name };
    }
  }
}

/** What a channel name says about its sensor and axis (`accX`, `acc_y`, `gyrZ`, `magX`, `accelerometer.x`). */
export function sensorOfChannel(name: string): { sensor: 'accelerometer' | 'gyroscope' | 'magnetometer'; axis: 'x' | 'y' | 'z' } | null {
  const m = /^(acc(?:el(?:erometer)?)?|gyr(?:o(?:scope)?)?|mag(?:n(?:etometer)?)?)[\s._-]?([xyz])$/i.exec(name.trim());
  if (m === null) return null;
  const p = m[1]!.toLowerCase();
  const sensor = p.startsWith('acc') ? 'accelerometer' : p.startsWith('gyr') ? 'gyroscope' : 'magnetometer';
  return { sensor, axis: m[2]!.toLowerCase() as 'x' | 'y' | 'z' };
}

/** Stream name, kind and sensor for channels of one sensor (from their names) and one unit. */
export function streamFor(sensorFromName: string | null, unit: string, firstChannel: string): { name: string; kind: StreamKind; sensor: string } {
  if (sensorFromName === null) return streamForUnit(unit, firstChannel);
  const byUnit = streamForUnit(unit, firstChannel);
  // The unit agrees with the name, or says nothing: the name's sensor. A unit of another sensor: a stream of its own.
  if (byUnit.kind === 'other' || byUnit.sensor === sensorFromName) return { name: sensorFromName, kind: 'imu', sensor: sensorFromName };
  return byUnit;
}

/**
 * Groups the numeric columns of a delimited text file into streams by sensor (`acc_x, acc_y, acc_z` →
 * accelerometer; `Linear Acceleration x (m/s^2)` → user_acceleration; `wrist_gyro_x` → wrist_gyroscope) and
 * settles each stream's unit: from the header when it says, else inferred where physics allows (the norm of
 * an accelerometer at rest is ~1 g or ~9.8 m/s²; Earth's field is 25–65 µT) and said in a warning. When it
 * cannot tell, it throws `csv_ambiguous` naming the column instead of guessing.
 */

import type { StreamInfo } from '../domain/stream.js';
import { AppError } from '../lib/errors.js';
import { toNumber } from './delimited-dialect.js';
import { findSensorInText, snake, type ColumnName } from './delimited-names.js';
import { MAX_STREAMS, type StreamPlan } from './delimited-plan.js';
import { convertUnit } from './delimited-units.js';

const IMU = new Set(['accelerometer', 'user_acceleration', 'gravity', 'gyroscope', 'magnetometer', 'orientation']);
/** Words that make an axis-less column another channel of its sensor's stream (`Absolute acceleration`). */
const DESCRIPTORS = new Set(['absolute', 'abs', 'norm', 'magnitude', 'total', 'resultant', 'vector', 'sum', 'accuracy']);

export interface Column {
  index: number;
  name: ColumnName;
  /** The head's values of this column. */
  values: string[];
}

interface Group {
  key: string;
  stream: string;
  sensor: string | null;
  cols: Column[];
  channels: string[];
}

function channelName(c: Column, sensor: string | null): string {
  if (c.name.axis !== null) return c.name.axis;
  if (sensor === null && c.name.unit === null) return snake(c.name.words);
  if (sensor !== null && c.name.sensor !== null) {
    const q = c.name.qualifier.filter((w) => DESCRIPTORS.has(w));
    if (q.length > 0) return snake(q);
    if (sensor === 'orientation' && c.name.words.length === 1) return c.name.words[0] ?? 'value';
  }
  return 'value';
}

/** Puts columns into groups that become streams. */
function group(columns: readonly Column[], filename: string): Group[] {
  const groups = new Map<string, Group>();
  // Axis columns first, so that a descriptor column (`Absolute acceleration`) can join their stream.
  const isDescriptor = (c: Column): boolean => c.name.axis === null && c.name.sensor !== null && c.name.qualifier.some((w) => DESCRIPTORS.has(w));
  const ordered = [...columns.filter((c) => !isDescriptor(c)), ...columns.filter(isDescriptor)];
  for (const c of ordered) {
    const n = c.name;
    let sensor = n.sensor;
    let stream: string;
    if (sensor !== null) {
      const q = n.axis === null ? n.qualifier.filter((w) => !DESCRIPTORS.has(w)) : n.qualifier;
      stream = q.length > 0 ? snake([...q, sensor]) : sensor;
      // phyphox's linear-acceleration export names its norm "Absolute acceleration"
      if (isDescriptor(c) && !groups.has(stream) && sensor === 'accelerometer' && groups.has('user_acceleration')) {
        stream = 'user_acceleration';
        sensor = 'user_acceleration';
      }
    } else if (n.axis !== null && n.words.length === 0) {
      sensor = findSensorInText(filename);
      stream = sensor ?? '';
    } else if (n.unit === null && n.axis === null) {
      // Quantities without a sensor or a unit (`axis1`, `steps`, `hr`) share one stream, one channel each.
      stream = 'values';
    } else {
      stream = snake(n.words);
    }
    let g = groups.get(stream);
    if (g === undefined) {
      if (groups.size >= MAX_STREAMS) {
        throw new AppError('format_limits', `The header names more than ${MAX_STREAMS} different sensors or quantities; FieldSense reads at most ${MAX_STREAMS} streams from one file.`);
      }
      g = { key: stream, stream, sensor, cols: [], channels: [] };
      groups.set(stream, g);
    }
    let ch = channelName(c, sensor);
    for (let k = 2; g.channels.includes(ch); k++) ch = `${channelName(c, sensor)}_${k}`;
    g.cols.push(c);
    g.channels.push(ch);
  }
  return [...groups.values()];
}

function medianNorm(cols: readonly Column[], decimalComma: boolean): number {
  const rows = cols[0]?.values.length ?? 0;
  const norms: number[] = [];
  for (let r = 0; r < rows; r++) {
    let s = 0;
    let ok = true;
    for (const c of cols) {
      const v = toNumber(c.values[r] ?? '', decimalComma);
      if (!Number.isFinite(v)) ok = false;
      s += v * v;
    }
    if (ok) norms.push(Math.sqrt(s));
  }
  norms.sort((a, b) => a - b);
  return norms[Math.floor(norms.length / 2)] ?? Number.NaN;
}

function maxAbs(cols: readonly Column[], decimalComma: boolean): number {
  let m = 0;
  for (const c of cols) for (const v of c.values) m = Math.max(m, Math.abs(toNumber(v, decimalComma)) || 0);
  return m;
}

function names(cols: readonly Column[]): string {
  return cols.map((c) => `"${c.name.raw}"`).join(', ');
}

export interface StreamsResult {
  streams: StreamPlan[];
  warnings: { code: string; message: string }[];
}

/** Builds the streams of a file's numeric columns; `frame` is the coordinate frame to record. */
export function buildStreams(columns: readonly Column[], filename: string, decimalComma: boolean, frame: StreamInfo['frame']): StreamsResult {
  const warnings: { code: string; message: string }[] = [];
  const groups = group(columns, filename);
  /** The unit an acceleration group was found in: a user_acceleration group without one follows it. */
  let accelUnit: string | null = null;
  const ordered = [...groups].sort((a, b) => Number(a.sensor === 'user_acceleration') - Number(b.sensor === 'user_acceleration'));
  const plans = new Map<Group, StreamPlan>();
  for (const g of ordered) {
    let sensor = g.sensor;
    const given = g.cols.find((c) => c.name.unit !== null)?.name.unit ?? null;
    let unit = given;
    const norm = medianNorm(g.cols.filter((c) => c.name.axis !== null), decimalComma);
    if (sensor === null && g.stream === '') {
      if ((norm >= 0.5 && norm <= 2) || (norm >= 5 && norm <= 20)) {
        sensor = 'accelerometer';
        warnings.push({
          code: 'sensor_inferred',
          message: `Columns ${names(g.cols)} do not name their sensor; their norm (median ${norm.toFixed(2)}) is gravity's, so they were read as an accelerometer.`,
        });
      } else {
        throw new AppError(
          'csv_ambiguous',
          `Columns ${names(g.cols)} do not say which sensor they come from, and their magnitude (median norm ${Number.isFinite(norm) ? norm.toPrecision(3) : 'unknown'}) is not gravity's; name them (acc_x, gyro_x, mag_x, …) and give the unit, e.g. "acc_x (m/s^2)".`,
          { column: g.cols[0]?.name.raw },
        );
      }
    }
    if (unit === null && (sensor === 'accelerometer' || sensor === 'gravity')) {
      unit = norm >= 0.5 && norm <= 2 ? 'g' : norm >= 5 && norm <= 20 ? 'm/s^2' : norm >= 500 && norm <= 2000 ? 'mg' : null;
      if (unit === null) {
        throw new AppError(
          'csv_ambiguous',
          `Column "${g.cols[0]?.name.raw ?? ''}" has no unit and the ${sensor} norm (median ${Number.isFinite(norm) ? norm.toPrecision(3) : 'unknown'}) is neither ~1 (g) nor ~9.8 (m/s²); put the unit in the header, e.g. "acc_x (m/s^2)".`,
          { column: g.cols[0]?.name.raw },
        );
      }
      accelUnit ??= unit;
      warnings.push({ code: 'unit_inferred', message: `${g.stream || sensor} has no unit in the header; its norm at rest (median ${norm.toFixed(2)}) says ${unit === 'm/s^2' ? 'm/s²' : unit}.` });
    } else if (given !== null && (sensor === 'accelerometer' || sensor === 'gravity')) {
      accelUnit ??= given;
    } else if (unit === null && sensor === 'user_acceleration' && accelUnit !== null) {
      unit = accelUnit;
      warnings.push({ code: 'unit_inferred', message: `${g.stream} has no unit in the header; it was read in ${accelUnit}, the unit of the file's other acceleration columns.` });
    } else if (unit === null && sensor === 'gyroscope' && maxAbs(g.cols, decimalComma) > 40) {
      unit = 'deg/s';
      warnings.push({ code: 'unit_inferred', message: `${g.stream} has no unit in the header; values above 40 (no gyroscope reaches 40 rad/s) say deg/s.` });
    } else if (unit === null && sensor === 'magnetometer') {
      unit = norm >= 15 && norm <= 100 ? 'uT' : norm >= 0.15 && norm <= 1 ? 'gauss' : norm >= 15_000 && norm <= 100_000 ? 'nT' : null;
      if (unit !== null) warnings.push({ code: 'unit_inferred', message: `${g.stream} has no unit in the header; its norm (median ${norm.toPrecision(3)}) is Earth's field in ${unit}.` });
    }
    const scales: number[] = [];
    let info: StreamInfo | null = null;
    for (const c of g.cols) {
      const conv = unit === null ? { unit: 'unknown', scale: 1 } : convertUnit(sensor, c.name.unit ?? unit);
      scales.push(conv.scale);
      info ??= {
        name: g.stream === '' ? (sensor ?? 'sensor') : g.stream,
        kind: sensor !== null && IMU.has(sensor) ? 'imu' : 'other',
        sensor: sensor ?? g.stream,
        channels: g.channels,
        unit: conv.unit,
        nominalRateHz: null,
        frame,
        ...(conv.originalUnit !== undefined ? { originalUnit: conv.originalUnit } : {}),
      };
    }
    if (unit === null && sensor !== null && IMU.has(sensor)) {
      warnings.push({ code: 'unit_unknown', message: `${info?.name ?? g.stream} (${names(g.cols)}) has no unit in the header and its values do not tell; stored as written with unit "unknown".` });
    }
    if (info !== null) plans.set(g, { info, fields: g.cols.map((c) => c.index), scales });
  }
  return { streams: groups.flatMap((g) => plans.get(g) ?? []), warnings };
}

/** Nominal rate for every stream (files without a time column). */
export function withRate(streams: StreamPlan[], rateHz: number): StreamPlan[] {
  return streams.map((s) => ({ ...s, info: { ...s.info, nominalRateHz: rateHz } }));
}

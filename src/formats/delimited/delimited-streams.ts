/**
 * Groups the numeric columns of a delimited text file into streams by sensor (`acc_x, acc_y, acc_z` →
 * accelerometer; `Linear Acceleration x (m/s^2)` → user_acceleration; `wrist_gyro_x` → wrist_gyroscope) and
 * settles each stream's unit: from the header when it says, else inferred where physics allows (the norm of
 * an accelerometer is ~1 g, ~9.8 m/s² or ~1000 mg; no gyroscope measures 40 rad/s, and a moving body turns at
 * more than a few deg/s; Earth's field is 25–65 µT), each inference a warning naming its evidence. When it
 * cannot tell, it throws `csv_ambiguous` naming the column (accelerometer) or keeps the unit `unknown` with a
 * warning saying why (gyroscope at rest), instead of guessing.
 */

import type { StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
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

/** √(Σ per-axis variance) of the head's rows: how much the vector moves, in the file's unit. */
function axisSpread(cols: readonly Column[], decimalComma: boolean): number {
  let total = 0;
  for (const c of cols) {
    const xs = c.values.map((v) => toNumber(v, decimalComma)).filter(Number.isFinite);
    if (xs.length < 2) continue;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    total += xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  }
  return Math.sqrt(total);
}

/** The p-quantile of the head's vector norms. */
function normQuantile(cols: readonly Column[], decimalComma: boolean, p: number): number {
  const rows = cols[0]?.values.length ?? 0;
  const norms: number[] = [];
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (const c of cols) s += toNumber(c.values[r] ?? '', decimalComma) ** 2;
    if (Number.isFinite(s)) norms.push(Math.sqrt(s));
  }
  norms.sort((a, b) => a - b);
  return norms[Math.min(norms.length - 1, Math.floor(norms.length * p))] ?? Number.NaN;
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? String(Math.round(x)) : Number(x.toPrecision(3)).toString();
}

const UNIT_WORDS: Record<string, string> = { g: 'g', 'm/s^2': 'm/s²', mg: 'milli-g', 'deg/s': 'deg/s', 'rad/s': 'rad/s' };
const GRAVITY_IN: Record<string, string> = { g: '1 g', 'm/s^2': '9.81 m/s²', mg: '1000 mg' };

/** Most a gyroscope measures in rad/s (±2000 deg/s ≈ 35 rad/s): a larger value is deg/s. */
const GYRO_RAD_MAX = 40;

/**
 * The unit of a gyroscope whose header gives none, from its magnitude and the file's accelerometer: values
 * beyond 40 are deg/s; a body that moves (the accelerometer's axes spread by ≥ 5 % of its norm, or the
 * rotation's 95th percentile ≥ 1) while the rate stays under 40 turns in rad/s. At rest both fit: null.
 */
function gyroUnit(
  g: Group,
  decimalComma: boolean,
  accel: { spread: number; norm: number } | null,
): { unit: string | null; evidence: string } {
  const axes = g.cols.filter((c) => c.name.axis !== null);
  const cols = axes.length > 0 ? axes : g.cols;
  const max = maxAbs(cols, decimalComma);
  if (max > GYRO_RAD_MAX) return { unit: 'deg/s', evidence: `values reach ${fmt(max)}, beyond any gyroscope's range in rad/s (about ±35)` };
  const p95 = normQuantile(cols, decimalComma, 0.95);
  if (accel !== null && accel.norm > 0 && accel.spread >= 0.05 * accel.norm) {
    return {
      unit: 'rad/s',
      evidence: `the accelerometer moves (its axes spread by ${fmt((100 * accel.spread) / accel.norm)} % of gravity) while the rotation rate stays within ±${fmt(max)}, far too little for deg/s`,
    };
  }
  if (p95 >= 1) {
    return { unit: 'rad/s', evidence: `its rates are those of a moving body (95th percentile of the norm ${fmt(p95)}) while no value passes ${fmt(max)}, too slow for deg/s` };
  }
  return { unit: null, evidence: `at rest its values (up to ±${fmt(max)}) fit both rad/s and deg/s` };
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
  const accelGroup = groups.find((g) => g.sensor === 'accelerometer' && g.cols.filter((c) => c.name.axis !== null).length >= 3);
  const accelAxes = accelGroup?.cols.filter((c) => c.name.axis !== null) ?? [];
  const accel = accelGroup === undefined ? null : { spread: axisSpread(accelAxes, decimalComma), norm: medianNorm(accelAxes, decimalComma) };
  for (const g of ordered) {
    let sensor = g.sensor;
    const given = g.cols.find((c) => c.name.unit !== null)?.name.unit ?? null;
    let unit = given;
    let gyroWhy: string | null = null;
    const norm = medianNorm(g.cols.filter((c) => c.name.axis !== null), decimalComma);
    if (sensor === null && g.stream === '') {
      if ((norm >= 0.5 && norm <= 2) || (norm >= 5 && norm <= 20) || (norm >= 500 && norm <= 2000)) {
        sensor = 'accelerometer';
        warnings.push({
          code: 'sensor_inferred',
          message: `Columns ${names(g.cols)} do not name their sensor; their norm (median ${fmt(norm)}) is gravity's (in g, m/s² or milli-g), so they were read as an accelerometer.`,
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
      warnings.push({
        code: 'unit_inferred',
        message: `${g.stream || sensor} unit taken as ${UNIT_WORDS[unit] ?? unit}: the header gives none and the vector norm's median is ${fmt(norm)} (gravity is ${GRAVITY_IN[unit] ?? unit}).`,
      });
    } else if (given !== null && (sensor === 'accelerometer' || sensor === 'gravity')) {
      accelUnit ??= given;
    } else if (unit === null && sensor === 'user_acceleration' && accelUnit !== null) {
      unit = accelUnit;
      warnings.push({ code: 'unit_inferred', message: `${g.stream} has no unit in the header; it was read in ${accelUnit}, the unit of the file's other acceleration columns.` });
    } else if (unit === null && sensor === 'gyroscope') {
      const inferred = gyroUnit(g, decimalComma, accel);
      unit = inferred.unit;
      if (unit !== null) warnings.push({ code: 'unit_inferred', message: `${g.stream} unit taken as ${unit}: the header gives none and ${inferred.evidence}.` });
      else gyroWhy = inferred.evidence;
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
      warnings.push({
        code: 'unit_unknown',
        message: `${info?.name ?? g.stream} (${names(g.cols)}) has no unit in the header and its values do not tell${gyroWhy === null ? '' : ` (${gyroWhy})`}; stored as written with unit "unknown".`,
      });
    }
    if (info !== null) plans.set(g, { info, fields: g.cols.map((c) => c.index), scales });
  }
  return { streams: groups.flatMap((g) => plans.get(g) ?? []), warnings };
}

/** Nominal rate for every stream (files without a time column). */
export function withRate(streams: StreamPlan[], rateHz: number): StreamPlan[] {
  return streams.map((s) => ({ ...s, info: { ...s.info, nominalRateHz: rateHz } }));
}

import type { ReaderEvent, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { peekHead } from '../common/byte-source.js';
import { CORE_MOTION_STREAMS, coreMotionField, isCoreMotionHeader, type CoreMotionStream } from './core-motion-columns.js';
import { detectDialect, splitLine, toNumber, type Dialect } from './delimited-dialect.js';
import { readWithPlan } from './delimited-engine.js';
import { chooseTime, rateFromPreamble } from './delimited-generic-plan.js';
import { isIndexName, isTimeName, parseColumnName } from './delimited-names.js';
import type { Plan, StreamPlan, TimePlan } from './delimited-plan.js';
import type { Column } from './delimited-streams.js';
import { convertUnit } from './delimited-units.js';
import type { FormatReader, SniffInput } from '../types.js';

/**
 * CSV logs of iOS `CMDeviceMotion` (attitude, gravity, rotationRate, userAcceleration, optionally the
 * calibrated magnetic field), as MotionSense and similar iOS logging apps write them. Core Motion gives
 * gravity and user acceleration in g (stored as m/s², original unit g), rotation rate in rad/s, attitude in
 * rad, in the iOS frame. Times come from a time column when there is one (seconds since boot: relative),
 * else from a rate: MotionSense's files have none and its documentation says 50 Hz, an assumption the
 * reader states in a `rate_assumed` warning.
 */

const HEAD_BYTES = 64 * 1024;
const MOTIONSENSE_RATE_HZ = 50;
const MOTIONSENSE_ACTIVITIES: Record<string, string> = {
  dws: 'downstairs',
  ups: 'upstairs',
  wlk: 'walking',
  jog: 'jogging',
  sit: 'sitting',
  std: 'standing',
};

type Warning = { code: string; message: string };

/** MotionSense's layout: an unnamed row index, then the 12 dotted device-motion columns. */
function isMotionSenseLayout(header: readonly string[]): boolean {
  return header.length === 13 && header[0] === '' && header.slice(1).every((h) => /^[a-zA-Z]+\.[a-z]+$/.test(h) && coreMotionField(h) !== null);
}

/** `dws_1/sub_1.csv` → the activity of a MotionSense trial folder, the trial and the subject. */
function motionSenseTrial(filename: string): { label: string; folder: string; trial: number; subject: number } | null {
  const m = /(?:^|[/\\])([a-z]{3})_(\d+)[/\\]sub_(\d+)\.csv$/i.exec(filename);
  const label = m === null ? undefined : MOTIONSENSE_ACTIVITIES[(m[1] ?? '').toLowerCase()];
  if (m === null || label === undefined) return null;
  return { label, folder: `${m[1]}_${m[2]}`, trial: Number(m[2]), subject: Number(m[3]) };
}

/** A row-index column: increasing integers from 0 or 1 (MotionSense's unnamed first column); gaps are dropped rows. */
function indexColumn(cols: readonly Column[], decimalComma: boolean): Column | null {
  for (const c of cols) {
    if (!isIndexName(c.name)) continue;
    const v = c.values.map((s) => toNumber(s, decimalComma));
    if (v.length > 0 && (v[0] === 0 || v[0] === 1) && v.every((x, i) => Number.isInteger(x) && (i === 0 || x > (v[i - 1] ?? 0)))) return c;
  }
  return null;
}

function planCoreMotion(dialect: Dialect, filename: string): Plan {
  const header = dialect.header;
  if (header === null) throw new AppError('csv_missing_column', 'A Core Motion CSV needs a header naming its columns (attitude.roll, gravity.x, rotationRate.x, userAcceleration.x, …).');
  const warnings: Warning[] = [];
  const cols: Column[] = header.map((h, i) => ({ index: i, name: parseColumnName(h), values: dialect.rows.map((r) => r[i] ?? '') }));
  const fields = new Map<CoreMotionStream, Map<string, { index: number; unit: string | null }>>();
  const ignored: string[] = [];
  const timeCols: Column[] = [];
  for (const c of cols) {
    const f = coreMotionField(c.name.raw);
    if (f !== null) {
      const m = fields.get(f.stream) ?? new Map<string, { index: number; unit: string | null }>();
      if (!m.has(f.channel)) m.set(f.channel, { index: c.index, unit: f.unit });
      fields.set(f.stream, m);
    } else if (isTimeName(c.name)) timeCols.push(c);
    else if (!isIndexName(c.name)) ignored.push(c.name.raw);
  }
  const streams: StreamPlan[] = [];
  for (const key of Object.keys(CORE_MOTION_STREAMS) as CoreMotionStream[]) {
    const found = fields.get(key);
    if (found === undefined) continue;
    const spec = CORE_MOTION_STREAMS[key];
    const channels = spec.channels.filter((ch) => found.has(ch));
    const convs = channels.map((ch) => convertUnit(spec.sensor, found.get(ch)?.unit ?? spec.defaultUnit));
    const conv = convs[0] ?? { unit: spec.defaultUnit, scale: 1 };
    const info: StreamInfo = {
      name: key,
      kind: 'imu',
      sensor: spec.sensor,
      channels,
      unit: conv.unit,
      nominalRateHz: null,
      frame: 'ios',
      ...(conv.originalUnit !== undefined ? { originalUnit: conv.originalUnit } : {}),
    };
    streams.push({ info, fields: channels.map((ch) => found.get(ch)?.index ?? 0), scales: convs.map((c) => c.scale) });
  }
  const trial = motionSenseTrial(filename);
  let time: TimePlan;
  // SensorLog-style logs carry several clocks; the device-motion timestamp is the one that times the samples.
  const motionTime = timeCols.filter((c) => c.name.words.includes('motion'));
  const candidates = motionTime.length > 0 ? motionTime : timeCols;
  ignored.push(...timeCols.filter((c) => !candidates.includes(c)).map((c) => c.name.raw));
  const chosen = chooseTime(candidates, dialect, warnings);
  if (chosen !== null) {
    const r = chosen.reading;
    time = { kind: 'column', index: chosen.col.index, name: chosen.col.name.raw, mode: r.mode, unit: r.unit, absolute: r.absolute, shiftNs: r.shiftNs, clock: r.clock };
    if (r.note !== null) warnings.push({ code: 'time_inferred', message: `${r.note}.` });
  } else {
    const stated = rateFromPreamble(dialect.preamble);
    const motionSense = isMotionSenseLayout(header);
    const rate = stated ?? (motionSense ? MOTIONSENSE_RATE_HZ : null);
    if (rate === null) {
      throw new AppError(
        'csv_ambiguous',
        'This Core Motion CSV has no time column (timestamp, time, …) and states no sampling rate, so its samples cannot be placed in time; log the CMDeviceMotion timestamp as a column.',
        { column: 'timestamp' },
      );
    }
    const index = indexColumn(cols, dialect.decimalComma);
    time = { kind: 'rate', rateHz: rate, indexField: index?.index ?? null };
    const from = stated !== null ? "the file's preamble" : 'the MotionSense data set documentation (its files carry no time column)';
    warnings.push({
      code: 'rate_assumed',
      message: `No time column: samples were placed at ${rate} Hz, the rate given by ${from}${index !== null ? `, row index n at n / ${rate} s` : ''}; this rate is an assumption, not read from the file, and times count from the start.`,
    });
    for (const s of streams) s.info.nominalRateHz = rate;
  }
  if (ignored.length > 0) warnings.push({ code: 'columns_ignored', message: `Columns that are not Core Motion device-motion values were not imported: ${ignored.slice(0, 20).map((n) => `"${n}"`).join(', ')}.` });
  const session: Record<string, string | number> = {};
  if (trial !== null) Object.assign(session, { dataset: 'MotionSense', activity: trial.label, trial: trial.trial, subject: trial.subject });
  return {
    dialect,
    time,
    streams,
    labels: [],
    fileLabel: trial === null ? null : { label: trial.label, origin: `MotionSense folder "${trial.folder}"` },
    warnings,
    metadata: { device: { platform: 'ios' }, ...(trial !== null ? { session } : {}) },
    what: 'Core Motion CSV file',
  };
}

async function* readCoreMotionCsv(source: AsyncIterable<Uint8Array>, filename: string, size: number): AsyncGenerator<ReaderEvent> {
  const peeked = await peekHead(source, HEAD_BYTES);
  if (peeked.head.length === 0) throw new AppError('file_empty', 'The file is empty.');
  const dialect = detectDialect(peeked.head, peeked.head.length < HEAD_BYTES || size <= peeked.head.length);
  if (dialect === null || dialect.header === null || !isCoreMotionHeader(dialect.header)) {
    throw new AppError('csv_invalid', 'The file is not a Core Motion CSV: its first line must be a header with userAcceleration and gravity or rotationRate columns, followed by rows of numbers.');
  }
  if (dialect.rows.length === 0) throw new AppError('no_samples', 'The Core Motion CSV has a header but no data rows.');
  yield* readWithPlan(peeked.source, planCoreMotion(dialect, filename));
}

function sniffCoreMotionCsv(input: SniffInput): boolean {
  const h = input.head;
  let nl = h.indexOf(10);
  if (nl < 0) nl = h.length;
  let text = new TextDecoder('utf-8', { fatal: false }).decode(h.subarray(0, Math.min(nl, 8192)));
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const line = text.replace(/\r$/, '');
  const delim = [',', ';', '\t'].map((d) => ({ d, n: line.split(d).length })).sort((a, b) => b.n - a.n)[0]?.d ?? ',';
  return isCoreMotionHeader(splitLine(line, delim.charCodeAt(0), false));
}

/** iOS Core Motion device-motion CSV (MotionSense layout and timestamped logs) → attitude, gravity, gyroscope, user_acceleration. */
export const coreMotionCsvReader: FormatReader = {
  name: 'core-motion-csv',
  description: 'iOS Core Motion CSV (CMDeviceMotion: attitude, gravity, rotationRate, userAcceleration; MotionSense layout)',
  sniff: sniffCoreMotionCsv,
  read: (source, ctx) => readCoreMotionCsv(source, ctx.filename, ctx.size),
};

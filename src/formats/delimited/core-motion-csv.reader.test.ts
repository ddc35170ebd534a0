import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ImportedLabel, ReaderEvent, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { chunked } from '../common/byte-source.js';
import { coreMotionCsvReader } from './core-motion-csv.reader.js';
import { genericDelimitedReader } from './generic-delimited.reader.js';
import { inMemoryContext } from '../common/in-memory-context.test-support.js';
import { sensorLoggerCsvReader } from '../sensor-logger/sensor-logger-csv.reader.js';

const enc = new TextEncoder();
const G = 9.80665;

function fixture(path: string): Uint8Array {
  return readFileSync(fileURLToPath(new URL(`../../../test/fixtures/motionsense-coremotion/${path}`, import.meta.url)));
}

interface Read {
  events: ReaderEvent[];
  streams: StreamInfo[];
  warnings: { code: string; message: string }[];
  annotations: ImportedLabel[];
  rows(stream: string): number;
  t(stream: string): bigint[];
  col(stream: string, channel: string): number[];
}

async function read(input: string | Uint8Array, filename: string, piece?: number): Promise<Read> {
  const bytes = typeof input === 'string' ? enc.encode(input) : input;
  const events: ReaderEvent[] = [];
  for await (const ev of coreMotionCsvReader.read(chunked(bytes, piece ?? Math.max(1, bytes.length)), inMemoryContext(bytes, filename))) events.push(ev);
  const streams = events.flatMap((e) => (e.type === 'stream' ? [e.stream] : []));
  const chunks = (s: string) => events.flatMap((e) => (e.type === 'chunk' && e.stream === s ? [e.chunk] : []));
  return {
    events,
    streams,
    warnings: events.flatMap((e) => (e.type === 'warning' ? [{ code: e.code, message: e.message }] : [])),
    annotations: events.flatMap((e) => (e.type === 'annotation' ? [e.annotation] : [])),
    rows: (s) => chunks(s).reduce((a, c) => a + c.length, 0),
    t: (s) => chunks(s).flatMap((c) => Array.from(c.t)),
    col(s, ch) {
      const i = streams.find((x) => x.name === s)?.channels.indexOf(ch) ?? -1;
      if (i < 0) throw new Error(`no channel ${s}.${ch}`);
      return chunks(s).flatMap((c) => Array.from(c.values[i]!));
    },
  };
}

async function readError(text: string, filename = 'log.csv'): Promise<AppError> {
  try {
    await read(text, filename);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

/** README table: rows per trial; first row of each file as printed in the file. */
const TRIALS = [
  { path: 'dws_1/sub_1.csv', label: 'downstairs', rows: 1751, first: [1.528132, -0.733896, 0.696372, 0.741895, 0.669768, -0.031672000000000006, 0.316738, 0.77818, 1.0827639999999998, 0.294894, -0.18449300000000002, 0.377542] },
  { path: 'jog_16/sub_1.csv', label: 'jogging', rows: 1567, first: [2.135357, -1.138555, 1.6789, 0.353903, 0.9080290000000001, 0.22413400000000003, -0.255821, 0.499133, -0.725292, 0.77894, 0.05181, -1.6571630000000002] },
  { path: 'ups_12/sub_1.csv', label: 'upstairs', rows: 1066, first: [0.8384719999999999, -0.901646, 0.189667, 0.461284, 0.784349, -0.414745, 0.127156, 2.833157, -0.227154, -0.097468, -0.011766, 0.079388] },
  { path: 'wlk_15/sub_1.csv', label: 'walking', rows: 1333, first: [-0.6423409999999999, -1.408409, -1.725791, -0.096855, 0.986844, -0.129452, -4.8222879999999995, 3.5171589999999995, -1.556482, -0.534569, -0.158566, 0.918927] },
];

describe('core-motion-csv reader on the MotionSense files', () => {
  for (const trial of TRIALS) {
    it(`${trial.path}: ${trial.rows} rows at 50 Hz, first values, units and the activity label`, async () => {
      const bytes = fixture(trial.path);
      expect(coreMotionCsvReader.sniff({ head: bytes.subarray(0, 65536), filename: 'x' })).toBe(true);
      const r = await read(bytes, trial.path);
      expect(r.events[0]).toEqual({ type: 'recording', startTimeNs: null, absoluteTime: false });
      expect(r.streams.map((s) => [s.name, s.sensor, s.unit, s.originalUnit, s.frame, s.nominalRateHz, s.channels.join()])).toEqual([
        ['attitude', 'orientation', 'rad', undefined, 'ios', 50, 'roll,pitch,yaw'],
        ['gravity', 'gravity', 'm/s^2', 'g', 'ios', 50, 'x,y,z'],
        ['gyroscope', 'gyroscope', 'rad/s', undefined, 'ios', 50, 'x,y,z'],
        ['user_acceleration', 'user_acceleration', 'm/s^2', 'g', 'ios', 50, 'x,y,z'],
      ]);
      for (const s of ['attitude', 'gravity', 'gyroscope', 'user_acceleration']) expect(r.rows(s)).toBe(trial.rows);
      const t = r.t('gravity');
      expect(t[0]).toBe(0n);
      expect(t[1]).toBe(20_000_000n);
      expect(t[trial.rows - 1]).toBe(BigInt(trial.rows - 1) * 20_000_000n);
      const f = trial.first;
      expect([r.col('attitude', 'roll')[0], r.col('attitude', 'pitch')[0], r.col('attitude', 'yaw')[0]]).toEqual(f.slice(0, 3).map(Math.fround));
      expect(['x', 'y', 'z'].map((c) => r.col('gravity', c)[0])).toEqual(f.slice(3, 6).map((v) => Math.fround(v * G)));
      expect(['x', 'y', 'z'].map((c) => r.col('gyroscope', c)[0])).toEqual(f.slice(6, 9).map(Math.fround));
      expect(['x', 'y', 'z'].map((c) => r.col('user_acceleration', c)[0])).toEqual(f.slice(9, 12).map((v) => Math.fround(v * G)));
      // gravity is a unit vector in g: |gravity| ≈ 1 g on every row
      const gx = r.col('gravity', 'x');
      const gy = r.col('gravity', 'y');
      const gz = r.col('gravity', 'z');
      for (let i = 0; i < trial.rows; i += 97) expect(Math.hypot(gx[i]!, gy[i]!, gz[i]!)).toBeCloseTo(G, 2);
      const rate = r.warnings.find((w) => w.code === 'rate_assumed');
      expect(rate?.message).toContain('50 Hz');
      expect(rate?.message).toContain('MotionSense');
      expect(rate?.message).toContain('assumption');
      expect(r.annotations).toEqual([
        { label: trial.label, startNs: 0n, endNs: BigInt(trial.rows - 1) * 20_000_000n, origin: `MotionSense folder "${trial.path.split('/')[0]}"` },
      ]);
      expect(r.events.find((e) => e.type === 'metadata')).toMatchObject({ metadata: { device: { platform: 'ios' }, session: { dataset: 'MotionSense', subject: 1 } } });
    });
  }

  it('gives the same samples whatever the piece size, and no label without the trial folder', async () => {
    const bytes = fixture('jog_16/sub_1.csv');
    const whole = await read(bytes, 'sub_1.csv');
    expect(whole.annotations).toEqual([]);
    for (const piece of [1000, 4093]) {
      const r = await read(bytes, 'sub_1.csv', piece);
      expect(r.t('gyroscope')).toEqual(whole.t('gyroscope'));
      expect(r.col('user_acceleration', 'z')).toEqual(whole.col('user_acceleration', 'z'));
    }
    expect(whole.col('attitude', 'roll')[1566]).toBe(Math.fround(1.7419639999999998));
  });

  it('places rows by the index column, so a dropped row leaves a gap instead of shifting time', async () => {
    const lines = new TextDecoder().decode(fixture('dws_1/sub_1.csv')).split('\n').slice(0, 6);
    lines.splice(3, 1); // drop row index 2
    const r = await read(lines.join('\n'), 'dws_1/sub_1.csv');
    expect(r.t('gyroscope')).toEqual([0n, 20_000_000n, 60_000_000n, 80_000_000n]);
  });
});

describe('core-motion-csv reader on timestamped logs', () => {
  it('reads a `timestamp` in seconds since boot as relative time from the first row, units from the names', async () => {
    const text =
      'timestamp,attitude.roll,attitude.pitch,attitude.yaw,gravity.x,gravity.y,gravity.z,rotationRate.x,rotationRate.y,rotationRate.z,userAcceleration.x,userAcceleration.y,userAcceleration.z\n' +
      '86400.125,0.1,0.2,0.3,0,-1,0,0.01,0.02,0.03,0.5,0,0\n' +
      '86400.135,0.1,0.2,0.3,0,-1,0,0.01,0.02,0.03,0.25,0,0\n' +
      '86400.145,0.1,0.2,0.3,0,-1,0,0.01,0.02,0.03,0,0,0\n';
    const r = await read(text, 'motion.csv');
    expect(r.events[0]).toEqual({ type: 'recording', startTimeNs: null, absoluteTime: false });
    expect(r.t('user_acceleration')).toEqual([0n, 10_000_000n, 20_000_000n]);
    expect(r.col('gravity', 'y')).toEqual([Math.fround(-G), Math.fround(-G), Math.fround(-G)]);
    expect(r.col('user_acceleration', 'x')).toEqual([Math.fround(0.5 * G), Math.fround(0.25 * G), 0]);
    expect(r.streams.every((s) => s.nominalRateHz === null && s.frame === 'ios')).toBe(true);
    expect(r.warnings.map((w) => w.code)).toEqual(['time_inferred']);
    expect(r.warnings[0]?.message).toContain('since boot');
    expect(r.annotations).toEqual([]);
  });

  it('reads SensorLog-style names with units and keeps m/s² when the header says so', async () => {
    const text =
      'loggingTime(txt),motionTimestamp_sinceReboot(s),motionUserAccelerationX(m/s^2),motionUserAccelerationY(m/s^2),motionUserAccelerationZ(m/s^2),motionRotationRateX(rad/s),motionRotationRateY(rad/s),motionRotationRateZ(rad/s),motionYaw(rad),motionRoll(rad),motionPitch(rad)\n' +
      '2024-01-01 10:00:00,10.5,1,2,3,0.1,0.2,0.3,3,1,2\n' +
      '2024-01-01 10:00:00,10.52,4,5,6,0.1,0.2,0.3,3,1,2\n';
    const r = await read(text, 'sensorlog.csv');
    expect(r.streams.map((s) => s.name)).toEqual(['attitude', 'gyroscope', 'user_acceleration']);
    expect(r.streams[2]).toMatchObject({ unit: 'm/s^2', channels: ['x', 'y', 'z'] });
    expect(r.streams[2]?.originalUnit).toBeUndefined();
    expect(r.col('user_acceleration', 'z')).toEqual([3, 6]);
    expect(r.col('attitude', 'roll')).toEqual([1, 1]);
    expect(r.t('gyroscope')).toEqual([10_500_000_000n, 10_520_000_000n]);
    expect(r.warnings.find((w) => w.code === 'columns_ignored')?.message).toContain('loggingTime(txt)');
  });

  it('rejects a log without a time column or a stated rate (not MotionSense) naming what is missing', async () => {
    const e = await readError('userAcceleration.x,userAcceleration.y,userAcceleration.z,gravity.x,gravity.y,gravity.z\n0,0,0,0,-1,0\n');
    expect(e.code).toBe('csv_ambiguous');
    expect(e.message).toContain('no time column');
    expect(e.details).toMatchObject({ column: 'timestamp' });
  });

  it('uses a rate stated in a preamble line', async () => {
    const r = await read('# CMDeviceMotion at 100 Hz\nuserAcceleration.x,userAcceleration.y,userAcceleration.z,rotationRate.x,rotationRate.y,rotationRate.z\n0,0,1,0,0,0\n0,0,2,0,0,0\n', 'm.csv');
    expect(r.t('user_acceleration')).toEqual([0n, 10_000_000n]);
    expect(r.warnings.map((w) => w.code)).toEqual(['rate_assumed']);
    expect(r.warnings[0]?.message).toContain('100 Hz');
  });
});

describe('core-motion-csv reader on damaged files', () => {
  it('drops a truncated last line with a warning', async () => {
    const text = new TextDecoder().decode(fixture('ups_12/sub_1.csv'));
    const cut = text.slice(0, text.length - 60);
    const r = await read(cut, 'ups_12/sub_1.csv', 5000);
    expect(r.rows('gravity')).toBe(1065);
    expect(r.warnings.find((w) => w.code === 'truncated_last_line')?.message).toContain('line 1067');
  });

  it('skips a line of binary garbage in the middle and says where', async () => {
    const lines = new TextDecoder().decode(fixture('wlk_15/sub_1.csv')).split('\n');
    const bytes = [...lines.slice(0, 500).map((l) => enc.encode(`${l}\n`)), Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) % 256 || 1), enc.encode('\n'), ...lines.slice(500).map((l, i, a) => enc.encode(i === a.length - 1 ? l : `${l}\n`))];
    const all = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
    let o = 0;
    for (const b of bytes) {
      all.set(b, o);
      o += b.length;
    }
    const r = await read(all, 'wlk_15/sub_1.csv', 4096);
    expect(r.rows('gyroscope')).toBe(1333);
    const w = r.warnings.find((x) => x.code === 'csv_lines_skipped');
    expect(w?.message).toContain('line 501');
    expect(r.t('gyroscope')[1332]).toBe(1332n * 20_000_000n);
  });

  it('sniffs Core Motion headers and leaves other CSVs alone; the generic reader does not claim them', () => {
    const head = fixture('dws_1/sub_1.csv').subarray(0, 65536);
    const sniff = (s: string | Uint8Array): boolean => coreMotionCsvReader.sniff({ head: typeof s === 'string' ? enc.encode(s) : s, filename: 'x.csv' });
    expect(sniff(head)).toBe(true);
    expect(genericDelimitedReader.sniff({ head, filename: 'x.csv' })).toBe(false);
    expect(sensorLoggerCsvReader.sniff({ head, filename: 'x.csv' })).toBe(false);
    expect(sniff('timestamp;userAcceleration.x;userAcceleration.y;userAcceleration.z;gravity.x;gravity.y;gravity.z\n1;0;0;0;0;0;0\n')).toBe(true);
    expect(sniff('time,seconds_elapsed,z,y,x\n1,0,1,2,3\n')).toBe(false);
    expect(sniff('timestamp,acc_x,acc_y,acc_z\n1,0,0,1\n')).toBe(false);
    expect(sniff('gravity.x,gravity.y,gravity.z\n0,0,1\n')).toBe(false);
  });
});

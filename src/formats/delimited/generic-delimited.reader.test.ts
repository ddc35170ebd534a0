import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ImportedLabel, ReaderEvent, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { chunked } from '../common/byte-source.js';
import { genericDelimitedReader } from './generic-delimited.reader.js';
import { inMemoryContext } from '../common/in-memory-context.test-support.js';

const enc = new TextEncoder();
const G = 9.80665;
const f32 = Math.fround;

interface Read {
  events: ReaderEvent[];
  streams: StreamInfo[];
  warnings: { code: string; message: string; count?: number }[];
  annotations: ImportedLabel[];
  chunkSizes(stream: string): number[];
  rows(stream: string): number;
  t(stream: string): bigint[];
  col(stream: string, channel: string): number[];
}

async function readDelimited(input: string | Uint8Array, filename = 'data.csv', piece?: number): Promise<Read> {
  const bytes = typeof input === 'string' ? enc.encode(input) : input;
  const events: ReaderEvent[] = [];
  for await (const ev of genericDelimitedReader.read(chunked(bytes, piece ?? Math.max(1, bytes.length)), inMemoryContext(bytes, filename))) events.push(ev);
  const streams = events.flatMap((e) => (e.type === 'stream' ? [e.stream] : []));
  const chunks = (s: string) => events.flatMap((e) => (e.type === 'chunk' && e.stream === s ? [e.chunk] : []));
  return {
    events,
    streams,
    warnings: events.flatMap((e) => (e.type === 'warning' ? [{ code: e.code, message: e.message, ...(e.count !== undefined ? { count: e.count } : {}) }] : [])),
    annotations: events.flatMap((e) => (e.type === 'annotation' ? [e.annotation] : [])),
    chunkSizes: (s) => chunks(s).map((c) => c.length),
    rows: (s) => chunks(s).reduce((a, c) => a + c.length, 0),
    t: (s) => chunks(s).flatMap((c) => Array.from(c.t)),
    col(s, ch) {
      const i = streams.find((x) => x.name === s)?.channels.indexOf(ch) ?? -1;
      if (i < 0) throw new Error(`no channel ${s}.${ch}`);
      return chunks(s).flatMap((c) => Array.from(c.values[i]!));
    },
  };
}

async function readError(input: string | Uint8Array, filename = 'data.csv', piece?: number): Promise<AppError> {
  try {
    await readDelimited(input, filename, piece);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

const codes = (r: Read): string[] => r.warnings.map((w) => w.code);

describe('generic-delimited reader: real-world layouts', () => {
  it('reads a phyphox CSV export (quoted headers with units, CRLF, scientific notation, relative seconds)', async () => {
    const text =
      '"Time (s)","Linear Acceleration x (m/s^2)","Linear Acceleration y (m/s^2)","Linear Acceleration z (m/s^2)","Absolute acceleration (m/s^2)"\r\n' +
      '0.000000000E0,-1.117868423E-1,2.500000000E-2,1.000000000E0,1.006E0\r\n' +
      '1.001152992E-2,-2.000000000E-1,3.000000000E-2,1.100000000E0,1.118E0\r\n' +
      '2.002305984E-2,5.5E-3,-4.2E-2,9.9E-1,9.9E-1\r\n';
    const r = await readDelimited(text, 'Linear Acceleration.csv');
    expect(r.events[0]).toEqual({ type: 'recording', startTimeNs: null, absoluteTime: false });
    expect(r.streams).toEqual([
      { name: 'user_acceleration', kind: 'imu', sensor: 'user_acceleration', channels: ['x', 'y', 'z', 'absolute'], unit: 'm/s^2', nominalRateHz: null, frame: 'unknown' },
    ]);
    expect(r.t('user_acceleration')).toEqual([0n, 10_011_530n, 20_023_060n]);
    expect(r.col('user_acceleration', 'x')).toEqual([f32(-0.1117868423), f32(-0.2), f32(0.0055)]);
    expect(r.col('user_acceleration', 'absolute')).toEqual([f32(1.006), f32(1.118), f32(0.99)]);
    expect(r.warnings).toEqual([]);
  });

  it('reads a phyphox export with semicolons, decimal commas and a UTF-8 BOM', async () => {
    const text =
      '\uFEFF"Time (s)";"Acceleration x (m/s^2)";"Acceleration y (m/s^2)";"Acceleration z (m/s^2)"\n' +
      '0,000000000E0;-1,117868423E-1;9,81E0;1,0E-1\n' +
      '5,0E-3;-2,0E-1;9,7;0,2\n';
    const r = await readDelimited(text);
    expect(r.streams.map((s) => [s.name, s.unit, s.channels.join()])).toEqual([['accelerometer', 'm/s^2', 'x,y,z']]);
    expect(r.t('accelerometer')).toEqual([0n, 5_000_000n]);
    expect(r.col('accelerometer', 'y')).toEqual([f32(9.81), f32(9.7)]);
    expect(r.col('accelerometer', 'z')).toEqual([f32(0.1), f32(0.2)]);
  });

  it('reads a Garmin-style `timestamp;x;y;z` logger: ms epoch by magnitude, accelerometer in g by its norm', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${1_700_000_000_000 + i * 40};${(0.01 * (i % 3)).toFixed(3)};-0.020;${(i % 2 ? 0.99 : 1.01).toFixed(2)}`);
    const r = await readDelimited(`timestamp;x;y;z\n${rows.join('\n')}\n`, 'garmin_log.csv');
    expect(r.events[0]).toEqual({ type: 'recording', startTimeNs: 1_700_000_000_000_000_000n, absoluteTime: true, clock: 'utc' });
    expect(r.streams[0]).toMatchObject({ name: 'accelerometer', unit: 'm/s^2', originalUnit: 'g', channels: ['x', 'y', 'z'] });
    expect(r.rows('accelerometer')).toBe(50);
    expect(r.t('accelerometer')[49]).toBe(1_700_000_000_000_000_000n + 49n * 40_000_000n);
    expect(r.col('accelerometer', 'z').slice(0, 2)).toEqual([f32(1.01 * G), f32(0.99 * G)]);
    expect(codes(r)).toEqual(['time_inferred', 'sensor_inferred', 'unit_inferred']);
    expect(r.warnings[0]?.message).toContain('Unix epoch milliseconds');
    expect(r.warnings[2]?.message).toContain('g');
  });

  it('reads UCI-HAR raw text (white space, no header) at the dataset’s 50 Hz, saying what it inferred', async () => {
    const text = ' 0.918055589877096 -0.112499999424324 0.509722228412012\n 0.91111110150993 -0.0930555542652019 0.537500007720643\n 0.88194443169107 -0.0861111164142289 0.513888897131423\n';
    const r = await readDelimited(text, 'RawData/acc_exp01_user01.txt');
    expect(r.events[0]).toEqual({ type: 'recording', startTimeNs: null, absoluteTime: false });
    expect(r.streams[0]).toMatchObject({ name: 'accelerometer', unit: 'm/s^2', originalUnit: 'g', nominalRateHz: 50 });
    expect(r.t('accelerometer')).toEqual([0n, 20_000_000n, 40_000_000n]);
    expect(r.col('accelerometer', 'x')[0]).toBe(f32(0.918055589877096 * G));
    const w = r.warnings.find((x) => x.code === 'rate_assumed');
    expect(w?.message).toContain('50 Hz');
    expect(w?.message).toContain('UCI HAR');
    const gyro = await readDelimited('0.1 0.2 0.3\n0.1 0.2 0.3\n', 'gyro_exp02_user01.txt');
    expect(gyro.streams[0]).toMatchObject({ name: 'gyroscope', unit: 'rad/s', nominalRateHz: 50 });
  });

  it('reads a research CSV: ms time, sensors with units (g, deg/s, µT), blank cells of slower sensors, a label column', async () => {
    const text = [
      'timestamp_ms,acc_x (g),acc_y (g),acc_z (g),gyro_x (deg/s),gyro_y (deg/s),gyro_z (deg/s),mag_x (uT),mag_y (uT),mag_z (uT),activity',
      '1000,0,0,1,90,0,-180,20,0,-40,walk',
      '1010,0,0,1,90,0,-180,,,,walk',
      '1020,0,0,1,90,0,-180,21,0,-40,walk',
      '1030,0.5,0,1,0,0,0,,,,run',
      '1040,0.5,0,1,0,0,0,22,0,-40,',
      '1050,0.5,0,1,0,0,0,,,,walk',
    ].join('\n');
    const r = await readDelimited(text);
    expect(r.events[0]).toEqual({ type: 'recording', startTimeNs: null, absoluteTime: false });
    expect(r.streams.map((s) => [s.name, s.unit, s.originalUnit])).toEqual([
      ['accelerometer', 'm/s^2', 'g'],
      ['gyroscope', 'rad/s', 'deg/s'],
      ['magnetometer', 'uT', undefined],
    ]);
    expect(r.t('accelerometer')).toEqual([1, 2, 3, 4, 5, 6].map((i) => BigInt(990 + 10 * i) * 1_000_000n));
    expect(r.t('magnetometer')).toEqual([1_000_000_000n, 1_020_000_000n, 1_040_000_000n]);
    expect(r.col('gyroscope', 'x')[0]).toBe(f32(Math.PI / 2));
    expect(r.col('gyroscope', 'z')[0]).toBe(f32(-Math.PI));
    expect(r.col('accelerometer', 'x')[3]).toBe(f32(0.5 * G));
    expect(r.annotations).toEqual([
      { label: 'walk', startNs: 1_000_000_000n, endNs: 1_030_000_000n, origin: 'label column "activity"' },
      { label: 'run', startNs: 1_030_000_000n, endNs: 1_040_000_000n, origin: 'label column "activity"' },
      { label: 'walk', startNs: 1_050_000_000n, endNs: 1_050_000_000n, origin: 'label column "activity"' },
    ]);
  });

  it('keeps 19-digit ns epochs exact and reads µs, s-with-fraction and ISO 8601 times', async () => {
    const ns = await readDelimited('time_ns,acc_x,acc_y,acc_z\n1698765432123456789,0,0,9.81\n1698765432133456789,0,0,9.81\n');
    expect(ns.t('accelerometer')).toEqual([1_698_765_432_123_456_789n, 1_698_765_432_133_456_789n]);
    expect(ns.events[0]).toMatchObject({ absoluteTime: true, startTimeNs: 1_698_765_432_123_456_789n });
    const us = await readDelimited('ts,gx,gy,gz\n1700000000123456,0.1,0,0\n1700000000133456,0.1,0,0\n');
    expect(us.t('gyroscope')).toEqual([1_700_000_000_123_456_000n, 1_700_000_000_133_456_000n]);
    const s = await readDelimited('epoch,ax,ay,az\n1700000000.123456789,0,0,1\n1700000000.133456789,0,0,1\n');
    expect(s.t('accelerometer')).toEqual([1_700_000_000_123_456_789n, 1_700_000_000_133_456_789n]);
    const iso = await readDelimited('datetime,acc_x,acc_y,acc_z\n2024-03-01T12:00:00.010+01:00,0,0,1\n2024-03-01T12:00:00.020+01:00,0,0,1\n');
    expect(iso.t('accelerometer')).toEqual([BigInt(Date.UTC(2024, 2, 1, 11, 0, 0, 10)) * 1_000_000n, BigInt(Date.UTC(2024, 2, 1, 11, 0, 0, 20)) * 1_000_000n]);
    const naive = await readDelimited('datetime,acc_x,acc_y,acc_z\n2024-03-01 12:00:00.5,0,0,1\n2024-03-01 12:00:01,0,0,1\n');
    expect(naive.t('accelerometer')[1]).toBe(BigInt(Date.UTC(2024, 2, 1, 12, 0, 1)) * 1_000_000n);
    expect(naive.warnings.find((w) => w.code === 'time_inferred')?.message).toContain('without a time zone');
  });

  it('reads a header-less `time,x,y,z` file when column 1 increases, and tab-separated decimal commas', async () => {
    const r = await readDelimited('1700000000000,0.0,0.1,9.8\n1700000000010,0.0,0.1,9.8\n1700000000020,0.1,0.1,9.7\n');
    expect(r.t('accelerometer')[2]).toBe(1_700_000_000_020_000_000n);
    expect(r.streams[0]).toMatchObject({ unit: 'm/s^2' });
    expect(r.streams[0]?.originalUnit).toBeUndefined();
    expect(codes(r)).toContain('columns_inferred');
    const named = await readDelimited('t [ms],acc_x (g),acc_y (g),acc_z (g)\n0,0,0,1\n20,0,0,1\n');
    expect(named.t('accelerometer')).toEqual([0n, 20_000_000n]);
    expect(named.warnings).toEqual([]);
    const tsv = await readDelimited('t (s)\tacc x\tacc y\tacc z\n0,01\t0,5\t0\t9,8\n0,02\t0,25\t0\t9,8\n');
    expect(tsv.t('accelerometer')).toEqual([10_000_000n, 20_000_000n]);
    expect(tsv.col('accelerometer', 'x')).toEqual([0.5, 0.25]);
  });

  it('skips a device preamble (ActiLife raw export) and uses the rate it states', async () => {
    const text = [
      '------------ Data File Created By ActiGraph GT3X+ ActiLife v6.13.3 Firmware v2.5.0 date format M/d/yyyy at 30 Hz  Filter Normal -----------',
      'Serial Number: MOS2E22180349',
      'Start Time 10:00:00',
      '--------------------------------------------------',
      'Accelerometer X,Accelerometer Y,Accelerometer Z',
      '0.012,-0.023,0.998',
      '0.015,-0.020,1.002',
      '0.010,-0.021,0.997',
    ].join('\r\n');
    const r = await readDelimited(text, 'TAS1.csv');
    expect(r.streams[0]).toMatchObject({ name: 'accelerometer', nominalRateHz: 30, unit: 'm/s^2', originalUnit: 'g' });
    expect(r.t('accelerometer')).toEqual([0n, 33_333_333n, 66_666_667n]);
    expect(r.col('accelerometer', 'z')[1]).toBe(f32(1.002 * G));
    expect(codes(r)).toEqual(['preamble_skipped', 'rate_assumed', 'unit_inferred']);
  });

  const actigraph = fileURLToPath(new URL('../../../test/fixtures/ggirread-wearables/ActiGraph13_timestamps_headers.csv', import.meta.url));
  it('reads the real ActiGraph Link export: delimiter-padded preamble, ISO times, 1,000 epochs', async () => {
    const r = await readDelimited(readFileSync(actigraph), 'ActiGraph13_timestamps_headers.csv', 4096);
    const start = BigInt(Date.UTC(2017, 8, 12, 15, 0, 0)) * 1_000_000n;
    // ISO times with `Z`: UTC
    expect(r.events[0]).toEqual({ type: 'recording', startTimeNs: start, absoluteTime: true, clock: 'utc' });
    expect(r.streams).toEqual([{ name: 'values', kind: 'other', sensor: 'values', channels: ['axis1', 'axis2', 'axis3', 'steps', 'vm'], unit: 'unknown', nominalRateHz: null, frame: 'unknown' }]);
    expect(r.rows('values')).toBe(1000);
    expect(r.t('values')[999]).toBe(start + 999n * 1_000_000_000n);
    expect(r.col('values', 'axis1').slice(0, 4)).toEqual([0, 44, 113, 28]);
    expect(r.col('values', 'vm')[999]).toBe(84);
    expect(codes(r)).toEqual(['preamble_skipped']);
  });

  it('counts a relative clock far from zero (time since boot) from the first row, with a note', async () => {
    const r = await readDelimited('t_ns,gyro_x (rad/s),gyro_y (rad/s),gyro_z (rad/s)\n123456789000000,0,0,0\n123456799000000,0,0,0\n');
    expect(r.t('gyroscope')).toEqual([0n, 10_000_000n]);
    expect(r.warnings.find((w) => w.code === 'time_inferred')?.message).toContain('since boot');
  });

  it('gives the same result whatever the piece size and emits chunks of at most 65,536 rows', async () => {
    const lines = ['time (s),acc_x (m/s^2),acc_y (m/s^2),acc_z (m/s^2),label'];
    for (let i = 0; i < 70_000; i++) lines.push(`${(i / 100).toFixed(2)},${i % 7},-${i % 5}.5,9.81,${i < 35_000 ? 'sit' : 'walk'}`);
    const text = `${lines.join('\n')}\n`;
    const whole = await readDelimited(text);
    expect(whole.chunkSizes('accelerometer')).toEqual([65_536, 4464]);
    expect(whole.t('accelerometer')[69_999]).toBe(699_990_000_000n);
    expect(whole.annotations.map((a) => [a.label, a.startNs, a.endNs])).toEqual([
      ['sit', 0n, 350_000_000_000n],
      ['walk', 350_000_000_000n, 699_990_000_000n],
    ]);
    for (const piece of [1, 7, 4096]) {
      const r = await readDelimited(text.slice(0, 60_000), 'a.csv', piece);
      const w = await readDelimited(text.slice(0, 60_000));
      expect(r.t('accelerometer')).toEqual(w.t('accelerometer'));
      expect(r.col('accelerometer', 'y')).toEqual(w.col('accelerometer', 'y'));
    }
  });

  it('warns about times that go backwards and text in number columns', async () => {
    const r = await readDelimited('time (s),acc_x (g),acc_y (g),acc_z (g)\n0.00,0,0,1\n0.02,abc,0,1\n0.01,0,0,1\n0.03,0,0,1\n');
    expect(r.rows('accelerometer')).toBe(4);
    expect(r.warnings.find((w) => w.code === 'time_not_monotonic')).toMatchObject({ count: 1 });
    expect(r.warnings.find((w) => w.code === 'csv_non_numeric')?.message).toContain('accelerometer.x');
    expect(r.col('accelerometer', 'x')[1]).toBeNaN();
  });

  it('caps the label runs it imports', async () => {
    const lines = ['time (s),acc_x (g),acc_y (g),acc_z (g),label'];
    for (let i = 0; i < 10_050; i++) lines.push(`${i / 100},0,0,1,${i % 2 ? 'a' : 'b'}`);
    const r = await readDelimited(lines.join('\n'));
    expect(r.annotations).toHaveLength(10_000);
    expect(r.warnings.find((w) => w.code === 'annotations_capped')).toMatchObject({ count: 50 });
  });
});

describe('generic-delimited reader: what it will not guess', () => {
  const ambiguous = async (text: string, column: string, phrase: string, filename = 'data.csv'): Promise<void> => {
    const e = await readError(text, filename);
    expect(e.code).toBe('csv_ambiguous');
    expect(e.details).toMatchObject({ column });
    expect(e.message).toContain(phrase);
  };

  it('rejects two time columns that disagree, naming them', async () => {
    await ambiguous('time (s),timestamp (s),acc_x (g),acc_y (g),acc_z (g)\n0,5,0,0,1\n1,3,0,0,1\n2,9,0,0,1\n', 'timestamp (s)', '"time (s)" and "timestamp (s)"');
  });

  it('accepts two time columns that agree (epoch ms and elapsed s), using the epoch one', async () => {
    const r = await readDelimited('epoch (ms),elapsed (s),x-axis (g),y-axis (g),z-axis (g)\n1700000000000,0.000,0,0,1\n1700000000010,0.010,0,0,1\n');
    expect(r.t('accelerometer')).toEqual([1_700_000_000_000_000_000n, 1_700_000_000_010_000_000n]);
    expect(codes(r)).toContain('time_column_chosen');
  });

  it('rejects whole-number times with no unit, and numbers that could be anything', async () => {
    await ambiguous('t,acc_x,acc_y,acc_z\n0,0,0,1\n10,0,0,1\n20,0,0,1\n', 't', 'milliseconds');
    await ambiguous('time,acc_x,acc_y,acc_z\n0.1,0,0,4.2\n0.2,0,0,4.2\n', 'acc_x', 'neither ~1 (g) nor ~9.8');
    await ambiguous('time (s),x,y,z\n0.1,0.1,0.2,0.1\n0.2,0.1,0.2,0.1\n', 'x', 'do not say which sensor');
    await ambiguous('time,acc_x,acc_y,acc_z\nmonday,0,0,1\n', 'time', '"monday"');
  });

  it('rejects files without a time column or a rate, saying so', async () => {
    await ambiguous('0.1,0.2,0.9\n0.1,0.2,0.9\n', 'column 1', 'no time column');
    await ambiguous('acc_x,acc_y,acc_z\n0,0,1\n0,0,1\n', 'acc_x', 'No time column');
    await ambiguous('5,1,2,3\n4,1,2,3\n', 'column 1', 'does not increase');
    await ambiguous('1,2,3,4,5,6\n1,2,3,4,5,6\n', 'column 1', '6 unnamed columns');
  });

  it('rejects the real MotionSense subjects table (BOM, no time column), naming its first column', async () => {
    const bytes = readFileSync(fileURLToPath(new URL('../../../test/fixtures/motionsense-coremotion/data_subjects_info.csv', import.meta.url)));
    expect(genericDelimitedReader.sniff({ head: bytes, filename: 'data_subjects_info.csv' })).toBe(true);
    const e = await readError(bytes, 'data_subjects_info.csv');
    expect(e.code).toBe('csv_ambiguous');
    expect(e.details).toMatchObject({ column: 'code' });
  });
});

describe('generic-delimited reader: hostile and damaged files', () => {
  const good = (n: number): string[] => ['time (s),acc_x (g),acc_y (g),acc_z (g)', ...Array.from({ length: n }, (_, i) => `${(i / 50).toFixed(2)},0.1,0.2,0.97`)];

  it('drops a truncated last line with a warning', async () => {
    const r = await readDelimited(`${good(100).join('\n')}\n2.00,0.1`);
    expect(r.rows('accelerometer')).toBe(100);
    expect(r.warnings.find((w) => w.code === 'truncated_last_line')?.message).toContain('line 102');
  });

  it('skips a line of binary garbage in the middle, saying where', async () => {
    const lines = good(300);
    const head = enc.encode(`${lines.slice(0, 201).join('\n')}\n`);
    const junk = Uint8Array.from({ length: 500 }, (_, i) => ((i * 73 + 5) % 255) + 1).map((b) => (b === 10 ? 11 : b));
    const tail = enc.encode(`\n${lines.slice(201).join('\n')}\n`);
    const bytes = new Uint8Array(head.length + junk.length + tail.length);
    bytes.set(head);
    bytes.set(junk, head.length);
    bytes.set(tail, head.length + junk.length);
    const r = await readDelimited(bytes, 'data.csv', 333);
    expect(r.rows('accelerometer')).toBe(300);
    expect(r.warnings.find((w) => w.code === 'csv_lines_skipped')).toMatchObject({ count: 1, message: expect.stringContaining('line 202') as string });
  });

  it('rejects a header of 100,000 columns (format_limits), and the sniffer claims it so the error is precise', async () => {
    const header = Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',');
    const bytes = enc.encode(`${header}\n${'1,'.repeat(99_999)}1\n`);
    expect(genericDelimitedReader.sniff({ head: bytes.subarray(0, 65536), filename: 'x.csv' })).toBe(true);
    const e = await readError(bytes, 'wide.csv', 65536);
    expect(e.code).toBe('format_limits');
    expect(e.message).toContain('2048');
    const narrower = Array.from({ length: 3000 }, (_, i) => `a${i}`).join(',');
    const e2 = await readError(`time (s),${narrower}\n0,${'1,'.repeat(2999)}1\n`);
    expect(e2.code).toBe('format_limits');
  });

  it('rejects a 10 MB single line, and skips a 10 MB line in the middle of a good file', async () => {
    const line = enc.encode('7'.repeat(10_000_000));
    expect(genericDelimitedReader.sniff({ head: line.subarray(0, 65536), filename: 'x.csv' })).toBe(false);
    const e = await readError(line, 'one-line.csv', 65536);
    expect(e.code).toBe('format_limits');
    expect(e.details).toMatchObject({ line: 1 });
    const before = enc.encode(`${good(100).join('\n')}\n`);
    const after = enc.encode(`\n${good(50).slice(1).join('\n')}\n`);
    const mid = enc.encode('3,'.repeat(5_000_000));
    const bytes = new Uint8Array(before.length + mid.length + after.length);
    bytes.set(before);
    bytes.set(mid, before.length);
    bytes.set(after, before.length + mid.length);
    const r = await readDelimited(bytes, 'data.csv', 65536);
    expect(r.rows('accelerometer')).toBe(150);
    expect(r.warnings.find((w) => w.code === 'csv_lines_skipped')?.message).toContain('line 102');
  });

  it('stops with format_corrupt when most of the file is not the table', async () => {
    // 5,000 good rows (past the 64 KiB head), then 60,000 lines that are not rows
    const junk = Array.from({ length: 60_000 }, () => 'x').join('\n');
    const e = await readError(`${good(5000).join('\n')}\n${junk}\n`, 'data.csv', 65536);
    expect(e.code).toBe('format_corrupt');
    expect(e.details).toMatchObject({ line: 5002 });
  });

  it('rejects a header with no rows, and binary that is not text', async () => {
    expect((await readError('time (s),acc_x (g),acc_y (g),acc_z (g)\n')).code).toBe('no_samples');
    expect((await readError(Uint8Array.from([0, 1, 2, 3, 44, 44, 10, 0, 0]))).code).toBe('csv_invalid');
    expect((await readError('')).code).toBe('file_empty');
  });
});

describe('generic-delimited sniffing', () => {
  const sniff = (s: string): boolean => genericDelimitedReader.sniff({ head: enc.encode(s), filename: 'x.csv' });

  it('claims numeric tables of any dialect', () => {
    expect(sniff('"Time (s)","Acceleration x (m/s^2)"\n0,1\n')).toBe(true);
    expect(sniff('timestamp;x;y;z\n1;2;3;4\n')).toBe(true);
    expect(sniff(' 0.9 -0.1 0.5\n 0.9 -0.1 0.5\n')).toBe(true);
    expect(sniff('a\tb\n1,5\t2,5\n')).toBe(true);
  });

  it('leaves other readers’ files and non-tables alone', () => {
    expect(sniff('time,seconds_elapsed,z,y,x\n1,0,1,2,3\n')).toBe(false);
    expect(sniff(',attitude.roll,gravity.x,userAcceleration.x\n0,1,2,3\n')).toBe(false);
    expect(sniff('1560279825.000000, 1560279825.000000, 1560279825.000000\n32.000000, 32.000000, 32.000000\n-61,25,6\n-62,24,11\n')).toBe(false);
    expect(sniff('1560279825.000000, IBI\n83.503822,0.609403\n')).toBe(false);
    expect(sniff('[{"a": 1, "b": 2},\n{"a": 1, "b": 2}]\n')).toBe(false);
    expect(sniff('just some words\nand more words\n')).toBe(false);
    expect(sniff('name,city\nann,paris\nbob,rome\n')).toBe(false);
    expect(genericDelimitedReader.sniff({ head: Uint8Array.from([82, 73, 70, 70, 0, 0, 44, 44, 10, 1, 2]), filename: 'x.csv' })).toBe(false);
  });

  const e4 = fileURLToPath(new URL('../../../test/fixtures/flirt-empatica-e4/', import.meta.url));
  it('does not claim the real Empatica E4 CSVs (start-time and rate header rows)', () => {
    const files = readdirSync(e4).filter((f) => f.endsWith('.csv'));
    expect(files).toContain('ACC.csv');
    for (const f of files) expect([f, genericDelimitedReader.sniff({ head: readFileSync(`${e4}${f}`).subarray(0, 65536), filename: f })]).toEqual([f, false]);
  });
});

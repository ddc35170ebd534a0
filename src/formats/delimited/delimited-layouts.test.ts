import { describe, expect, it } from 'vitest';
import { bitsOf, NON_FINITE_BITS } from '../../domain/sample-values.js';
import { StreamAnalyzer } from '../../pipeline/stream-analyzer.js';
import { fld, isoField, parseIsoField } from './delimited-fields.js';
import { parseColumnName } from './delimited-names.js';
import { parseIsoTime } from './delimited-time.js';
import { genericDelimitedReader } from './generic-delimited.reader.js';
import { collect, type Collected } from '../common/reader-collect.test-support.js';

/**
 * The delimited layouts real loggers write: header-less files whose first column is a time (ISO 8601 with or
 * without an offset, epoch s/ms/µs/ns, time of day), column names in any order of sensor and axis, units in
 * the header or from the magnitude, text columns, non-finite values. Each file is written here, small.
 */

const enc = new TextEncoder();
const G = 9.80665;
const f32 = Math.fround;
const MS = 1_000_000n;

function read(text: string, filename = 'data.csv', piece?: number): Promise<Collected> {
  return collect(genericDelimitedReader, enc.encode(text), filename, {}, piece);
}

const codes = (r: Collected): string[] => r.warnings.map((w) => w.code);
const warning = (r: Collected, code: string): string => r.warnings.find((w) => w.code === code)?.message ?? `(no ${code} warning)`;

/** Milli-g rows near 1 g, as a watch logger writes them. */
const MG_ROWS: [number, number, number][] = Array.from({ length: 60 }, (_, i) => (i === 0 ? [-36, 620, -824] : [-30 + (i % 5), 610 + (i % 7), -790 - (i % 3)]));

describe('header-less files whose first column is a time', () => {
  it('ISO 8601 with an offset and `;`, in milli-g: UTC instants, m/s², originalUnit mg, clock utc', async () => {
    const t0 = Date.UTC(2019, 9, 16, 10, 9, 1, 702);
    const lines = MG_ROWS.map(([x, y, z], i) => {
      const local = new Date(t0 + 2 * 3600_000 + i * 20).toISOString().replace('Z', '+02:00');
      return `${local};${x};${y};${z}`;
    });
    expect(lines[0]).toBe('2019-10-16T12:09:01.702+02:00;-36;620;-824');
    const r = await read(`${lines.join('\n')}\n`, 'watch.csv');
    expect(r.recording).toEqual({ type: 'recording', startTimeNs: BigInt(t0) * MS, absoluteTime: true, clock: 'utc' });
    const acc = r.stream('accelerometer');
    expect(acc.info).toMatchObject({ kind: 'imu', channels: ['x', 'y', 'z'], unit: 'm/s^2', originalUnit: 'mg', nominalRateHz: null });
    expect(acc.rows).toBe(60);
    expect(acc.t[0]).toBe(BigInt(t0) * MS);
    expect(acc.t[59]).toBe(BigInt(t0 + 59 * 20) * MS);
    expect(acc.col('x')[0]).toBe(f32((-36 * G) / 1000));
    expect(acc.col('x')[0]).toBeCloseTo(-0.353, 3);
    expect(acc.col('y')[0]).toBeCloseTo(6.08, 2);
    expect(acc.col('z')[0]).toBe(f32((-824 * G) / 1000));
    expect(codes(r)).toEqual(['columns_inferred', 'sensor_inferred', 'unit_inferred']);
    expect(warning(r, 'columns_inferred')).toContain('ISO 8601');
    expect(warning(r, 'unit_inferred')).toMatch(/accelerometer unit taken as milli-g: .*the vector norm's median is 10\d\d/);
  });

  it('ISO 8601 with `Z` and with a negative offset: UTC, each row by its own offset', async () => {
    const z = await read('2024-03-01T12:00:00.000Z,0,0,1\n2024-03-01T12:00:00.010Z,0,0,1\n2024-03-01T12:00:00.020Z,0,0,1\n');
    expect(z.recording).toMatchObject({ absoluteTime: true, clock: 'utc', startTimeNs: BigInt(Date.UTC(2024, 2, 1, 12)) * MS });
    const neg = await read('2024-03-01T07:00:00.000-05:00,0,0,1\n2024-03-01T07:00:00.010-0500,0,0,1\n2024-03-01T07:00:00.020-05,0,0,1\n');
    expect(neg.stream('accelerometer').t).toEqual([0, 10, 20].map((ms) => BigInt(Date.UTC(2024, 2, 1, 12, 0, 0, ms)) * MS));
  });

  it('ISO 8601 without an offset (T or space, microseconds): the device-local clock, times as written', async () => {
    const t = await read('2019-10-16T12:09:01.702;0.01;0.02;0.99\n2019-10-16T12:09:01.722;0.01;0.02;0.99\n2019-10-16T12:09:01.742;0.01;0.02;0.99\n');
    expect(t.recording).toEqual({ type: 'recording', startTimeNs: BigInt(Date.UTC(2019, 9, 16, 12, 9, 1, 702)) * MS, absoluteTime: true, clock: 'device-local' });
    expect(t.stream('accelerometer').info).toMatchObject({ unit: 'm/s^2', originalUnit: 'g' });
    expect(warning(t, 'time_inferred')).toContain('local time');
    const space = await read('2019-10-16 12:09:01.702123,0.5,0,9.8\n2019-10-16 12:09:01.712123,0.5,0,9.8\n2019-10-16 12:09:01.722123,0.5,0,9.8\n');
    const acc = space.stream('accelerometer');
    expect(acc.t).toEqual([0n, 10n, 20n].map((ms) => (BigInt(Date.UTC(2019, 9, 16, 12, 9, 1, 702)) + ms) * MS + 123_000n));
    expect(acc.info).toMatchObject({ unit: 'm/s^2' });
    expect(acc.info.originalUnit).toBeUndefined();
    expect(acc.col('x')).toEqual([0.5, 0.5, 0.5]);
    expect(space.recording.clock).toBe('device-local');
  });

  it('white-space separated with a space between date and time: one ISO time, then x, y, z', async () => {
    const r = await read('2019-10-16 12:09:01.702+02:00  -36  620  -824\n2019-10-16 12:09:01.722+02:00  -35  621  -823\n2019-10-16 12:09:01.742+02:00  -34  622  -822\n');
    expect(r.recording).toEqual({ type: 'recording', startTimeNs: BigInt(Date.UTC(2019, 9, 16, 10, 9, 1, 702)) * MS, absoluteTime: true, clock: 'utc' });
    const acc = r.stream('accelerometer');
    expect(acc.t).toEqual([0n, 20n, 40n].map((ms) => BigInt(Date.UTC(2019, 9, 16, 10, 9, 1, 702)) * MS + ms * MS));
    expect(acc.col('z')).toEqual([-824, -823, -822].map((v) => f32((v * G) / 1000)));
    expect(acc.info.originalUnit).toBe('mg');
  });

  it('epoch seconds, milliseconds, microseconds and nanoseconds: exact times, clock utc', async () => {
    const cases: [string, (k: number) => string][] = [
      ['s', (k) => `1571220541.${String(702 + 20 * k).padStart(3, '0')}`],
      ['ms', (k) => String(1571220541702 + 20 * k)],
      ['us', (k) => String(1571220541702000 + 20_000 * k)],
      ['ns', (k) => (1571220541702000000n + 20_000_000n * BigInt(k)).toString()],
    ];
    for (const [unit, stamp] of cases) {
      const r = await read(Array.from({ length: 5 }, (_, k) => `${stamp(k)},0.1,0.2,9.7`).join('\n'));
      expect(r.recording, unit).toEqual({ type: 'recording', startTimeNs: 1_571_220_541_702_000_000n, absoluteTime: true, clock: 'utc' });
      expect(r.stream('accelerometer').t, unit).toEqual([0n, 1n, 2n, 3n, 4n].map((k) => 1_571_220_541_702_000_000n + k * 20_000_000n));
      expect(r.stream('accelerometer').col('z')[0], unit).toBe(f32(9.7));
      expect(warning(r, 'time_inferred'), unit).toContain('Unix epoch');
    }
  });

  it('HH:MM:SS.fff without a date: a relative clock from the first row, across midnight', async () => {
    const r = await read('23:59:59.970\t0\t0\t1\n23:59:59.990\t0\t0\t1\n00:00:00.010\t0\t0\t1\n00:00:00.030\t0\t0\t1\n');
    expect(r.recording).toEqual({ type: 'recording', startTimeNs: null, absoluteTime: false });
    expect(r.stream('accelerometer').t).toEqual([0n, 20n * MS, 40n * MS, 60n * MS]);
    expect(warning(r, 'time_inferred')).toContain('times of day');
    expect(warning(r, 'columns_inferred')).toContain('times of day');
  });

  it('the byte-level ISO 8601 parser agrees with the text one on every form, and leaves odd ones to it', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const pad = (x: number, w = 2): string => String(x).padStart(w, '0');
    for (let k = 0; k < 2000; k++) {
      const frac = ['', '.5', '.702', ',702', '.702123', '.123456789', '.1234567891'][rnd(7)]!;
      const zone = ['', 'Z', '+02:00', '-05:00', '+0530', '-03', 'z'][rnd(7)]!;
      const text = `${1970 + rnd(130)}-${pad(1 + rnd(12))}-${pad(1 + rnd(28))}${rnd(2) ? 'T' : ' '}${pad(rnd(24))}:${pad(rnd(60))}${rnd(8) ? `:${pad(rnd(60))}${frac}` : ''}${zone}`;
      const bytes = enc.encode(`${text};1`);
      expect([text, parseIsoField(bytes, 0, bytes.length, 59, 59)]).toEqual([text, true]);
      expect(fld.cursor).toBe(text.length);
      expect([text, BigInt(isoField.ms) * MS + BigInt(isoField.subNs)]).toEqual([text, parseIsoTime(text)?.ns]);
    }
    // With a comma delimiter, a comma after the seconds ends the field: it is no decimal mark.
    const comma = enc.encode('2024-03-01 12:00:01,702,1');
    expect(parseIsoField(comma, 0, comma.length, 44, 44)).toBe(true);
    expect([fld.cursor, isoField.ms]).toEqual([19, Date.UTC(2024, 2, 1, 12, 0, 1)]);
    for (const odd of ['2024-03-01T12:00:00 UTC', '2024-03-01T12:00:00.', '2024-3-01T12:00:00', '2024-03-01T12:00:00+1', '12:00:00.000']) {
      const bytes = enc.encode(odd);
      expect([odd, parseIsoField(bytes, 0, bytes.length, 59, 59)]).toEqual([odd, false]);
    }
  });

  it('reads an ISO time the byte parser leaves to the text one (`UTC` suffix)', async () => {
    const r = await read('datetime,acc_x,acc_y,acc_z\n2024-03-01 12:00:00.010 UTC,0,0,1\n2024-03-01 12:00:00.020 UTC,0,0,1\n');
    expect(r.stream('accelerometer').t).toEqual([10, 20].map((ms) => BigInt(Date.UTC(2024, 2, 1, 12, 0, 0, ms)) * MS));
    expect(r.recording.clock).toBe('utc');
  });

  it('still refuses a first column that is a time going backwards, saying what it is', async () => {
    const e = await read('2019-10-16T12:09:02.000+02:00;1;2;3\n2019-10-16T12:09:01.000+02:00;1;2;3\n').catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'csv_ambiguous', message: expect.stringContaining('ISO 8601 date-times') as string });
  });
});

describe('column names in any order of sensor and axis, with units', () => {
  it('parses every common style of name', () => {
    for (const raw of ['acc_x', 'x_acc', 'accX', 'AccX', 'acc.x', 'Accel-X (g)', 'ax', 'accelerometer_x', 'X_Accel', 'xAcc']) {
      expect([raw, parseColumnName(raw).sensor, parseColumnName(raw).axis]).toEqual([raw, 'accelerometer', 'x']);
    }
    expect(parseColumnName('Accel-X (g)').unit).toBe('g');
    expect(parseColumnName('gyro_x (rad/s)')).toMatchObject({ sensor: 'gyroscope', axis: 'x', unit: 'rad/s' });
    expect(parseColumnName('y_gyro')).toMatchObject({ sensor: 'gyroscope', axis: 'y' });
    expect(parseColumnName('x')).toMatchObject({ sensor: null, axis: 'x' });
  });

  it('reads a file for each style into one accelerometer stream x, y, z', async () => {
    const styles: [string, string, string][] = [
      ['acc_x', 'acc_y', 'acc_z'],
      ['x_acc', 'y_acc', 'z_acc'],
      ['accX', 'accY', 'accZ'],
      ['AccX', 'AccY', 'AccZ'],
      ['acc.x', 'acc.y', 'acc.z'],
      ['ax', 'ay', 'az'],
      ['accelerometer_x', 'accelerometer_y', 'accelerometer_z'],
    ];
    for (const names of styles) {
      const r = await read(`time (s),${names.join(',')}\n0,0.1,0.2,9.8\n0.01,0.1,0.2,9.8\n`);
      expect([names[0], r.streams.size, r.stream('accelerometer').info.channels]).toEqual([names[0], 1, ['x', 'y', 'z']]);
      expect(r.stream('accelerometer').col('x'), names[0]).toEqual([f32(0.1), f32(0.1)]);
    }
  });

  it('axis-first names of a phone/watch HAR dataset (x_acc … z_gyro, timestamp, label): streams, units by magnitude, labels', async () => {
    const lines = ['x_acc,y_acc,z_acc,x_gyro,y_gyro,z_gyro,timestamp,label'];
    for (let i = 0; i < 200; i++) {
      const walking = i < 100;
      const a = walking ? 3 * Math.sin(i / 3) : 0.02 * (i % 3);
      const w = walking ? 2.5 * Math.cos(i / 4) : 0.01 * (i % 2);
      lines.push(`${(0.3 + a).toFixed(4)},${(9.6 + a / 2).toFixed(4)},${(1.1 - a).toFixed(4)},${w.toFixed(4)},${(w / 2).toFixed(4)},${(-w).toFixed(4)},${1_500_000_000_000 + i * 20},${walking ? 'walk' : 'sit'}`);
    }
    const r = await read(`${lines.join('\n')}\n`, 'har_watch.csv');
    expect(r.recording).toMatchObject({ absoluteTime: true, clock: 'utc', startTimeNs: 1_500_000_000_000n * MS });
    expect([...r.streams.values()].map((s) => [s.info.name, s.info.channels.join(), s.info.unit, s.info.originalUnit])).toEqual([
      ['accelerometer', 'x,y,z', 'm/s^2', undefined],
      ['gyroscope', 'x,y,z', 'rad/s', undefined],
    ]);
    expect(r.stream('accelerometer').col('y')[0]).toBe(f32(9.6));
    expect(r.stream('gyroscope').col('x')[0]).toBe(f32(2.5));
    expect(r.stream('gyroscope').t[199]).toBe((1_500_000_000_000n + 199n * 20n) * MS);
    const gyro = r.warnings.find((w) => w.code === 'unit_inferred' && w.message.startsWith('gyroscope'));
    expect(gyro?.message).toContain('gyroscope unit taken as rad/s');
    expect(gyro?.message).toContain('the accelerometer moves');
    expect(warning(r, 'unit_inferred')).toContain("accelerometer unit taken as m/s²: the header gives none and the vector norm's median is");
    expect(r.annotations).toEqual([
      { label: 'walk', startNs: 1_500_000_000_000n * MS, endNs: (1_500_000_000_000n + 100n * 20n) * MS, origin: 'label column "label"' },
      { label: 'sit', startNs: (1_500_000_000_000n + 100n * 20n) * MS, endNs: (1_500_000_000_000n + 199n * 20n) * MS, origin: 'label column "label"' },
    ]);
  });

  it('units in parentheses and brackets: g, mg, m/s², deg/s, rad/s converted to SI, the original recorded', async () => {
    const r = await read(
      'Time (s),Accel-X (g),Accel-Y (g),Accel-Z (g),gyro_x (deg/s),gyro_y (deg/s),gyro_z (deg/s),lacc_x [m/s^2],lacc_y [m/s^2],lacc_z [m/s^2]\n' +
        '0.00,0.5,0,1,90,0,-180,0.1,0,0\n0.02,0.5,0,1,90,0,-180,0.1,0,0\n',
    );
    expect([...r.streams.values()].map((s) => [s.info.name, s.info.unit, s.info.originalUnit])).toEqual([
      ['accelerometer', 'm/s^2', 'g'],
      ['gyroscope', 'rad/s', 'deg/s'],
      ['user_acceleration', 'm/s^2', undefined],
    ]);
    expect(r.stream('accelerometer').col('x')[0]).toBe(f32(0.5 * G));
    expect(r.stream('gyroscope').col('z')[0]).toBe(f32(-Math.PI));
    expect(r.warnings).toEqual([]);
    const mg = await read('time (s),acc_x (mg),acc_y (mg),acc_z (mg),gyro_x (rad/s),gyro_y (rad/s),gyro_z (rad/s)\n0,-36,620,-824,0.1,0,0\n0.02,-36,620,-824,0.1,0,0\n');
    expect(mg.stream('accelerometer').info).toMatchObject({ unit: 'm/s^2', originalUnit: 'mg' });
    expect(mg.stream('accelerometer').col('x')[0]).toBe(f32((-36 * G) / 1000));
    expect(mg.stream('gyroscope').info).toMatchObject({ unit: 'rad/s' });
    expect(mg.stream('gyroscope').col('x')[0]).toBe(f32(0.1));
  });
});

describe('gyroscope unit from its magnitude', () => {
  const gyroFile = (f: (i: number) => number): string =>
    ['time (s),gyro_x,gyro_y,gyro_z', ...Array.from({ length: 200 }, (_, i) => `${(i / 100).toFixed(2)},${f(i).toFixed(4)},${(f(i) / 3).toFixed(4)},0.001`)].join('\n');

  it('rates of a moving body that never pass 40: rad/s, stored as written', async () => {
    const r = await read(gyroFile((i) => 3 * Math.sin(i / 10)));
    expect(r.stream('gyroscope').info).toMatchObject({ unit: 'rad/s' });
    expect(r.stream('gyroscope').info.originalUnit).toBeUndefined();
    expect(r.stream('gyroscope').col('x')[10]).toBe(f32(Number((3 * Math.sin(1)).toFixed(4))));
    expect(warning(r, 'unit_inferred')).toMatch(/gyroscope unit taken as rad\/s: .*95th percentile of the norm 3\.\d+\) while no value passes 3,/);
  });

  it('values beyond 40: deg/s, converted to rad/s', async () => {
    const r = await read(gyroFile((i) => 250 * Math.sin(i / 10)));
    expect(r.stream('gyroscope').info).toMatchObject({ unit: 'rad/s', originalUnit: 'deg/s' });
    expect(r.stream('gyroscope').col('x')[10]).toBe(f32(Number((250 * Math.sin(1)).toFixed(4)) * (Math.PI / 180)));
    expect(warning(r, 'unit_inferred')).toContain('gyroscope unit taken as deg/s: the header gives none and values reach 250');
  });

  it('at rest both units fit: kept as written, unit unknown, saying why', async () => {
    const r = await read(gyroFile((i) => 0.01 * (i % 3)));
    expect(r.stream('gyroscope').info.unit).toBe('unknown');
    expect(warning(r, 'unit_unknown')).toContain('fit both rad/s and deg/s');
  });
});

describe('text columns', () => {
  it('a categorical text column becomes labels; identifiers and names are skipped in one warning, never stored as NaN', async () => {
    const lines = ['time (s),acc_x (m/s^2),acc_y (m/s^2),acc_z (m/s^2),uuid,device_name,gt,user'];
    for (let i = 0; i < 120; i++) {
      const uuid = `${(0x10000000 + i).toString(16)}-9c2b-4e1a-8f00-00000000${String(i).padStart(4, '0')}`;
      lines.push(`${(i / 50).toFixed(2)},0.1,0.2,9.8,${uuid},${i % 2 ? 'Mi Band 4' : 'JBL Flip'},${i < 60 ? 'stand' : 'bike'},a`);
    }
    const r = await read(`${lines.join('\n')}\n`, 'Phones_accelerometer.csv');
    expect([...r.streams.keys()]).toEqual(['accelerometer']);
    expect(r.stream('accelerometer').info.channels).toEqual(['x', 'y', 'z']);
    expect(r.stream('accelerometer').col('z').every((v) => v === f32(9.8))).toBe(true);
    expect(r.annotations).toEqual([
      { label: 'stand', startNs: 0n, endNs: 1_200_000_000n, origin: 'text column "gt"' },
      { label: 'bike', startNs: 1_200_000_000n, endNs: 2_380_000_000n, origin: 'text column "gt"' },
      { label: 'a', startNs: 0n, endNs: 2_380_000_000n, origin: 'text column "user"' },
    ]);
    expect(codes(r)).toEqual(['text_columns_labels', 'columns_ignored']);
    expect(warning(r, 'columns_ignored')).toContain('"uuid", "device_name"');
    expect(warning(r, 'text_columns_labels')).toContain('"gt", "user"');
  });
});

describe('non-finite values', () => {
  it('Infinity, -Infinity, NaN, inf, 1e309 and a number beyond float32 are stored as the NaN marker, counted apart from empty cells', async () => {
    const r = await read(
      'time (s),acc_x (m/s^2),acc_y (m/s^2),acc_z (m/s^2)\n' +
        '0.00,0.1,0.2,9.8\n0.01,Infinity,0.2,9.8\n0.02,-Infinity,NaN,9.8\n0.03,0.1,,1e309\n0.04,inf,0.2,1e39\n0.05,0.1,0.2,9.8\n',
    );
    const acc = r.stream('accelerometer');
    expect(acc.rows).toBe(6);
    const marked = (ch: string): number[] => {
      const out: number[] = [];
      for (const c of acc.chunks) {
        const i = acc.info.channels.indexOf(ch);
        const bits = bitsOf(c.values[i]!);
        for (let k = 0; k < c.length; k++) if (bits[k] === NON_FINITE_BITS) out.push(k);
      }
      return out;
    };
    expect(marked('x')).toEqual([1, 2, 4]);
    expect(marked('y')).toEqual([2]);
    expect(marked('z')).toEqual([3, 4]);
    expect(acc.col('x')[1]).toBeNaN();
    expect(acc.col('y')[3]).toBeNaN(); // the empty cell: a plain NaN (missing)
    expect(acc.col('x')[5]).toBe(f32(0.1));
    expect(r.warnings.filter((w) => w.code === 'csv_non_finite').map((w) => [w.count, w.message.slice(0, 26)])).toEqual([
      [3, '3 values of accelerometer.'],
      [1, '1 value of accelerometer.y'],
      [2, '2 values of accelerometer.'],
    ]);
    expect(warning(r, 'csv_non_finite')).toContain('stored as NaN');
    expect(codes(r)).not.toContain('csv_non_numeric');
    // The analyzer tells them from the missing value.
    const a = new StreamAnalyzer(acc.info);
    for (const c of acc.chunks) a.push(c);
    const checks = a.finish().checks;
    expect(checks.find((c) => c.name === 'non_finite')).toMatchObject({ status: 'warn', value: 6 });
    expect(checks.find((c) => c.name === 'missing_values')).toMatchObject({ value: 1 });
  });

  it('a first data row of NaN is data, not a header', async () => {
    const r = await read('time (s),acc_x (g),acc_y (g),acc_z (g)\n0,NaN,NaN,NaN\n0.01,0,0,1\n');
    expect(r.stream('accelerometer').rows).toBe(2);
    expect(r.warnings.find((w) => w.code === 'csv_non_finite')?.count).toBe(1);
  });
});

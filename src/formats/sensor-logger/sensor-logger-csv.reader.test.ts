import { describe, expect, it } from 'vitest';
import type { ReaderEvent, SampleChunk, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { chunked } from '../common/byte-source.js';
import { describeSensor, sensorLoggerCsvReader, streamNameFromFilename } from './sensor-logger-csv.reader.js';
import { inMemoryContext } from '../common/in-memory-context.test-support.js';

const enc = new TextEncoder();

interface Collected {
  events: ReaderEvent[];
  stream: StreamInfo;
  chunks: SampleChunk[];
  warnings: { code: string; message: string }[];
  rows: number;
  t: bigint[];
  col(name: string): number[];
}

async function read(text: string | Uint8Array, pieceSize?: number, filename = 'Accelerometer.csv'): Promise<Collected> {
  const bytes = typeof text === 'string' ? enc.encode(text) : text;
  const events: ReaderEvent[] = [];
  for await (const ev of sensorLoggerCsvReader.read(chunked(bytes, pieceSize ?? Math.max(1, bytes.length)), inMemoryContext(bytes, filename))) {
    events.push(ev);
  }
  const chunks = events.flatMap((e) => (e.type === 'chunk' ? [e.chunk] : []));
  const stream = events.flatMap((e) => (e.type === 'stream' ? [e.stream] : []))[0];
  if (stream === undefined) throw new Error('no stream event');
  return {
    events,
    stream,
    chunks,
    warnings: events.flatMap((e) => (e.type === 'warning' ? [{ code: e.code, message: e.message }] : [])),
    rows: chunks.reduce((a, c) => a + c.length, 0),
    t: chunks.flatMap((c) => Array.from(c.t.subarray(0, c.length))),
    col(name) {
      const i = stream.channels.indexOf(name);
      if (i < 0) throw new Error(`no channel ${name}`);
      return chunks.flatMap((c) => Array.from(c.values[i]!.subarray(0, c.length)));
    },
  };
}

async function readError(text: string, pieceSize?: number): Promise<AppError> {
  try {
    await read(text, pieceSize);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

const T0 = 1698765432123456789n;

/** A Sensor Logger accelerometer file: header `time,seconds_elapsed,z,y,x`, 100 Hz. */
function accelCsv(rows: number, eol = '\n'): string {
  const lines = ['time,seconds_elapsed,z,y,x'];
  for (let i = 0; i < rows; i++) {
    lines.push(`${T0 + BigInt(i) * 10_000_000n},${(i / 100).toFixed(2)},${9.8 + i / 1000},${-i / 10},${i}.5`);
  }
  return lines.join(eol) + eol;
}

describe('sensor-logger-csv reader', () => {
  it('keeps 19-digit nanosecond times exact and maps columns by name (z,y,x → x,y,z)', async () => {
    const r = await read(accelCsv(3));
    expect(r.events[0]).toEqual({ type: 'recording', startTimeNs: T0, absoluteTime: true });
    expect(r.events[1]?.type).toBe('stream');
    expect(r.stream).toEqual({
      name: 'accelerometer',
      kind: 'imu',
      sensor: 'accelerometer',
      channels: ['x', 'y', 'z'],
      unit: 'm/s^2',
      nominalRateHz: null,
    });
    expect(r.t).toEqual([T0, T0 + 10_000_000n, T0 + 20_000_000n]);
    expect(r.col('x')).toEqual([0.5, 1.5, 2.5]);
    expect(r.col('y')).toEqual([0, Math.fround(-0.1), Math.fround(-0.2)]);
    expect(r.col('z')).toEqual([Math.fround(9.8), Math.fround(9.801), Math.fround(9.802)]);
  });

  it('parses int64 times across the 32-bit word boundary and up to the int64 maximum', async () => {
    const times = ['0', '4294967295', '4294967296', '9007199254740993', '1698765432999999999', '9223372036854775807'];
    const r = await read(`time,seconds_elapsed,v\n${times.map((t) => `${t},0,1`).join('\n')}\n`);
    expect(r.t).toEqual(times.map((t) => BigInt(t)));
  });

  it('gives the same result whatever the piece size (lines split across pieces)', async () => {
    const text = accelCsv(500);
    const whole = await read(text);
    for (const size of [1, 7, 64, 4096]) {
      const r = await read(text, size);
      expect(r.t).toEqual(whole.t);
      expect(r.col('x')).toEqual(whole.col('x'));
      expect(r.col('z')).toEqual(whole.col('z'));
    }
    expect(whole.rows).toBe(500);
  });

  it('accepts CRLF, a BOM, quoted header names, blank lines and no trailing newline', async () => {
    const text = '\uFEFF"time","seconds_elapsed","x","y","z"\r\n1000,0,1,2,3\r\n\r\n2000,0.001,4,5,6';
    for (const size of [1, 3, 100]) {
      const r = await read(text, size);
      expect(r.t).toEqual([1000n, 2000n]);
      expect(r.stream.channels).toEqual(['x', 'y', 'z']);
      expect(r.col('z')).toEqual([3, 6]);
    }
  });

  it('keeps other sensors\u2019 value columns in header order', async () => {
    const r = await read(
      'time,seconds_elapsed,qz,qy,qx,qw,roll,pitch,yaw\n1,0,0.1,0.2,0.3,0.9,-3.1,1.5,0\n',
      undefined,
      'Orientation.csv',
    );
    expect(r.stream.channels).toEqual(['qz', 'qy', 'qx', 'qw', 'roll', 'pitch', 'yaw']);
    // Angles in rad, the quaternion dimensionless (Sensor Logger's unit reference).
    expect(r.stream.unit).toBe('mixed');
    expect(r.stream.calibration).toEqual({ channel_units: 'qz: 1; qy: 1; qx: 1; qw: 1; roll: rad; pitch: rad; yaw: rad' });
    expect(r.stream.kind).toBe('imu');
    expect(r.col('roll')).toEqual([Math.fround(-3.1)]);
  });

  it('parses numbers like a standard parser (to float32)', async () => {
    const values = ['-1.5e-3', '+2', '.5', '1E2', '0.12345678901234568', '-0', '123456789.125', '7e-30', '-0.000001234'];
    const r = await read(`time,seconds_elapsed,v\n${values.map((v, i) => `${i},0,${v}`).join('\n')}\n`);
    expect(r.col('v')).toEqual(values.map((v) => Math.fround(Number(v))));
  });

  it('stores empty values, NaN and text as NaN; text is reported in one warning', async () => {
    const r = await read('time,seconds_elapsed,x,y,z\n1,0,,NaN,3\n2,0,nan,abc,6\n3,0, 7 ,"8",9\n');
    expect(r.col('x')).toEqual([Number.NaN, Number.NaN, 7]);
    expect(r.col('y')).toEqual([Number.NaN, Number.NaN, 8]);
    expect(r.warnings).toEqual([
      { code: 'csv_non_numeric', message: expect.stringContaining('1 value(s) in column "y" are not numbers (first at line 3)') as string },
    ]);
  });

  it('emits chunks of at most 65,536 rows', async () => {
    const r = await read(accelCsv(70_000), 65_536);
    expect(r.chunks.map((c) => c.length)).toEqual([65_536, 4464]);
    expect(r.t[69_999]).toBe(T0 + 69_999n * 10_000_000n);
    expect(r.col('x')[65_536]).toBe(65_536.5);
  });

  it('rejects a row with the wrong column count, naming the line', async () => {
    const lines = accelCsv(6000).split('\n');
    lines[5000] = '1698765432173456789,50.00,1,2'; // physical line 5001
    const e = await readError(lines.join('\n'), 999);
    expect(e.code).toBe('csv_column_count');
    expect(e.message).toBe('line 5001 has 4 fields, the header has 5.');
    expect(e.details).toMatchObject({ line: 5001 });
  });

  it('rejects a time that is not an integer', async () => {
    const e = await readError('time,seconds_elapsed,x\n1,0,1\n\n2.5e18,0,1\n');
    expect(e.code).toBe('csv_bad_value');
    expect(e.details).toMatchObject({ line: 4 });
    expect(e.message).toContain('line 4');
    const big = await readError('time,seconds_elapsed,x\n99999999999999999999,0,1\n');
    expect(big.code).toBe('csv_bad_value');
    const empty = await readError('time,seconds_elapsed,x\n,0,1\n');
    expect(empty.code).toBe('csv_bad_value');
  });

  it('rejects a header without a time column, and a header with no rows', async () => {
    const e = await readError('timestamp,seconds_elapsed,x\n1,0,1\n');
    expect(e.code).toBe('csv_missing_column');
    expect(e.details).toMatchObject({ line: 1 });
    expect((await readError('time,seconds_elapsed,x,y,z\n')).code).toBe('no_samples');
    expect((await readError('time,seconds_elapsed,x,y,z\n\n\r\n')).code).toBe('no_samples');
    expect((await readError('time,seconds_elapsed,x,y,z')).code).toBe('no_samples');
  });

  it('rejects a header or a row longer than 1 MiB (format_limits, its line number) without buffering it', async () => {
    const row = `1,0,${'9'.repeat(2 << 20)}\n`;
    const e = await readError(`time,seconds_elapsed,x\n1000,0,1\n${row}2000,0,2\n`, 65_536);
    expect(e.code).toBe('format_limits');
    expect(e.details).toMatchObject({ line: 3 });
    const h = await readError(`time,seconds_elapsed,${'x'.repeat(2 << 20)}\n1000,0,1\n`, 65_536);
    expect(h.code).toBe('format_limits');
    expect(h.details).toMatchObject({ line: 1 });
  });

  it('stores every value as Math.fround(Number(text)) and every time exactly, over many random fields', async () => {
    let seed = 12345;
    const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const int = (n: number): number => Math.floor(rnd() * n);
    const digits = (n: number): string => Array.from({ length: n }, () => String(int(10))).join('');
    const f32 = new Float32Array(2);
    const u32 = new Uint32Array(f32.buffer);
    /** A decimal string: random digit strings, shortest forms of float32 values, or doubles at float32 midpoints. */
    const decimal = (): string => {
      const kind = int(4);
      const sign = ['', '', '-', '+'][int(4)]!;
      if (kind === 0) {
        f32[0] = (rnd() - 0.5) * 10 ** (int(12) - 6);
        return sign + String(Math.abs(f32[0]));
      }
      if (kind === 1) {
        // Halfway between two neighbouring float32 values (or a hair off): the hardest cases for rounding twice.
        f32[0] = rnd() * 10 ** (int(8) - 4);
        u32[1] = u32[0]! + 1;
        const mid = (f32[0] + f32[1]!) / 2;
        const off = [0, 2 ** -52, -(2 ** -52)][int(3)]! * mid;
        return sign + String(mid + off);
      }
      const ip = digits(int(kind === 2 ? 6 : 21));
      const fp = digits(int(kind === 2 ? 12 : 21));
      const text = ip === '' && fp === '' ? '0' : ip === '' ? `.${fp}` : fp === '' && rnd() < 0.5 ? ip : `${ip}.${fp}`;
      const exp = rnd() < 0.3 ? `${rnd() < 0.5 ? 'e' : 'E'}${['', '-', '+'][int(3)]}${int(kind === 2 ? 25 : 45)}` : '';
      return sign + text + exp;
    };
    const times: bigint[] = [];
    const cols: string[][] = [[], [], []];
    const lines = ['time,seconds_elapsed,z,y,x'];
    for (let i = 0; i < 20_000; i++) {
      const t = BigInt(digits(1 + int(19))) & 0x7fffffffffffffffn;
      times.push(t);
      const v = [decimal(), decimal(), decimal()];
      v.forEach((s, c) => cols[c]!.push(s));
      // Now and then a quoted field or CRLF, to run the general path too.
      const z = rnd() < 0.05 ? `"${v[0]}"` : v[0];
      lines.push(`${t},${decimal()},${z},${v[1]},${v[2]}${rnd() < 0.05 ? '\r' : ''}`);
    }
    const text = lines.join('\n') + '\n';
    for (const piece of [undefined, 4099]) {
      const r = await read(text, piece);
      expect(r.warnings).toEqual([]);
      expect(r.t).toEqual(times);
      const want = (c: number): number[] => cols[c]!.map((s) => Math.fround(Number(s)));
      const same = (got: number[], exp: number[], src: string[]): void => {
        const bad = got.flatMap((g, i) => (Object.is(g, exp[i]) ? [] : [`${src[i]} → ${g}, want ${exp[i]}`]));
        expect(bad.slice(0, 5)).toEqual([]);
      };
      same(r.col('z'), want(0), cols[0]!);
      same(r.col('y'), want(1), cols[1]!);
      same(r.col('x'), want(2), cols[2]!);
    }
  });

  it('sniffs by the header line', () => {
    const sniff = (s: string): boolean => sensorLoggerCsvReader.sniff({ head: enc.encode(s), filename: 'x.bin' });
    expect(sniff('time,seconds_elapsed,z,y,x\n1,0,1,2,3\n')).toBe(true);
    expect(sniff('\uFEFF"Time","Seconds_Elapsed",x\r\n')).toBe(true);
    expect(sniff('time,elapsed,x\n')).toBe(false);
    expect(sniff('x,y,z\ntime,seconds_elapsed\n')).toBe(false);
  });
});

describe('stream names and sensors', () => {
  it('turns file names into stream names', () => {
    expect(streamNameFromFilename('Accelerometer.csv')).toBe('accelerometer');
    expect(streamNameFromFilename('TotalAcceleration.csv')).toBe('total_acceleration');
    expect(streamNameFromFilename('uploads/2024/AccelerometerUncalibrated.csv')).toBe('accelerometer_uncalibrated');
    expect(streamNameFromFilename('C:\\data\\Gyroscope (2).csv')).toBe('gyroscope_2');
    expect(streamNameFromFilename('GPSData.csv')).toBe('gps_data');
    expect(streamNameFromFilename('---.csv')).toBe('sensor');
  });

  it('knows kinds and units of the usual sensors', () => {
    expect(describeSensor('gyroscope')).toEqual({ kind: 'imu', unit: 'rad/s', sensor: 'gyroscope' });
    expect(describeSensor('magnetometer')).toEqual({ kind: 'imu', unit: 'uT', sensor: 'magnetometer' });
    expect(describeSensor('gravity_2')).toEqual({ kind: 'imu', unit: 'm/s^2', sensor: 'gravity' });
    expect(describeSensor('barometer')).toMatchObject({ kind: 'other', unit: 'mixed', sensor: 'barometer', channelUnits: { pressure: 'hPa', relativealtitude: 'm' } });
  });

  it('gives every sensor of Sensor Logger\'s unit reference its documented unit', () => {
    const units = (n: string): string => describeSensor(n).unit;
    expect(['accelerometer', 'accelerometer_uncalibrated', 'total_acceleration', 'gravity'].map(units)).toEqual(['m/s^2', 'm/s^2', 'm/s^2', 'm/s^2']);
    expect(['gyroscope', 'gyroscope_uncalibrated'].map(units)).toEqual(['rad/s', 'rad/s']);
    expect(['magnetometer', 'magnetometer_uncalibrated'].map(units)).toEqual(['uT', 'uT']);
    expect(['light', 'microphone', 'compass', 'battery_temp', 'heart_rate', 'pedometer'].map(units)).toEqual(['lux', 'dBFS', 'deg', 'degC', 'bpm', 'steps']);
    expect(['orientation', 'barometer', 'location', 'battery', 'bluetooth'].map(units)).toEqual(['mixed', 'mixed', 'mixed', 'mixed', 'mixed']);
    for (const n of ['accelerometer_uncalibrated', 'gyroscope_uncalibrated', 'magnetometer_uncalibrated', 'gravity', 'orientation']) expect(describeSensor(n).kind).toBe('imu');
  });
});

describe('sensor-logger-csv reader: units and text columns', () => {
  function rows(values: [number, number, number][], header = 'time,seconds_elapsed,z,y,x'): string {
    return [header, ...values.map(([x, y, z], i) => `${T0 + BigInt(i) * 10_000_000n},${i / 100},${z},${y},${x}`)].join('\n') + '\n';
  }
  const still = Array.from({ length: 20 }, (_, i): [number, number, number] => [0.01 * (i % 3), -0.02, 1 + 0.001 * i]);

  it('AccelerometerUncalibrated is m/s² (Android, or standardised): kept as written', async () => {
    const r = await read(rows(still.map(([x, y, z]) => [x * 9.80665, y * 9.80665, z * 9.80665])), 17, 'AccelerometerUncalibrated.csv');
    expect(r.stream).toMatchObject({ name: 'accelerometer_uncalibrated', kind: 'imu', sensor: 'accelerometer_uncalibrated', unit: 'm/s^2' });
    expect(r.stream.originalUnit).toBeUndefined();
    expect(r.col('z')[0]).toBe(Math.fround(9.80665));
    expect(r.warnings).toEqual([]);
  });

  it('AccelerometerUncalibrated in g (iOS without standardisation, told by its magnitude) is converted to m/s², with a warning', async () => {
    const r = await read(rows(still), 29, 'AccelerometerUncalibrated.csv');
    expect(r.stream).toMatchObject({ unit: 'm/s^2', originalUnit: 'g' });
    expect(r.col('z')[0]).toBe(Math.fround(Math.fround(1) * 9.80665));
    expect(r.col('x')[1]).toBe(Math.fround(Math.fround(0.01) * 9.80665));
    expect(r.warnings.map((w) => w.code)).toEqual(['unit_inferred']);
  });

  it('a Bluetooth scan file: text columns (ids, names, hex payloads) are skipped in one warning, rssi kept, nothing stored as missing', async () => {
    const lines = ['time,seconds_elapsed,id,name,rssi,manufacturerData'];
    for (let i = 0; i < 10; i++) lines.push(`${T0 + BigInt(i) * 1_000_000_000n},${i},e4:5f:01:aa:bb:0${i},Buds ${i},-${70 + i},4c0010050b1c${i}d2e`);
    const r = await read(lines.join('\n') + '\n', 23, 'Bluetooth.csv');
    expect(r.stream).toMatchObject({ name: 'bluetooth', channels: ['rssi'], unit: 'mixed', calibration: { channel_units: 'rssi: dBm' } });
    expect(r.col('rssi')).toEqual([-70, -71, -72, -73, -74, -75, -76, -77, -78, -79]);
    expect(r.warnings).toEqual([{ code: 'csv_text_columns_skipped', message: expect.stringContaining('"id", "name", "manufacturerData"') as string }]);
  });
});

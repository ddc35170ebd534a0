import { describe, expect, it } from 'vitest';
import {
  JsonTokenizer, T_BEGIN_ARRAY, T_BEGIN_OBJECT, T_END, T_END_ARRAY, T_END_OBJECT, T_FALSE, T_KEY, T_NEED_MORE, T_NULL, T_NUMBER, T_STRING, T_TRUE,
} from '../common/json-tokenizer.js';
import { appError, collect } from '../common/reader-collect.test-support.js';
import { sensorLoggerJsonReader } from './sensor-logger-json.reader.js';

const enc = new TextEncoder();
const T0 = 1698501144401773000n;
const G = 9.80665;

function rec(fields: Record<string, string>): string {
  return JSON.stringify(fields);
}

/** A Sensor Logger JSON export: metadata first, then records of several sensors interleaved. */
function exportJson(opts: { platform?: string; standardisation?: string } = {}): string {
  const records: string[] = [
    rec({ sensor: 'Metadata', version: '3', 'device name': 'Pixel 8', 'recording epoch time': '1698501144400', platform: opts.platform ?? 'android', appVersion: '1.40', standardisation: opts.standardisation ?? 'false', 'recording timezone': 'Europe/London' }),
  ];
  for (let i = 0; i < 10; i++) {
    const t = (T0 + BigInt(i) * 10_000_000n).toString();
    records.push(rec({ sensor: 'Accelerometer', time: t, seconds_elapsed: String(0.2 + i / 100), z: String(9.8 + i), y: String(-i), x: `${i}.5` }));
    if (i % 2 === 0) records.push(rec({ time: (T0 + BigInt(i) * 10_000_000n + 1n).toString(), x: String(i / 10), y: '0', z: '0', seconds_elapsed: '0', sensor: 'Gyroscope' }));
  }
  records.push(rec({ sensor: 'Annotation', time: (T0 + 50_000_000n).toString(), seconds_elapsed: '0.25', text: 'start walking', millisecond_press_duration: '80' }));
  records.push(rec({ sensor: 'AccelerometerUncalibrated', time: T0.toString(), seconds_elapsed: '0.2', z: '1', y: '0', x: '0.5' }));
  records.push(rec({ sensor: 'WristMotion', time: T0.toString(), seconds_elapsed: '0.2', rotationRateX: '0.1', gravityX: '1', accelerationX: '0.5' }));
  return `[\n  ${records.join(',\n  ')}\n]\n`;
}

describe('json tokenizer', () => {
  it('tokenizes values split across any piece boundary', () => {
    const text = '{"a": [1, -2.5e3, "x\\"y"], "b": {"c": true, "d": false, "e": null}, "u": "é"}';
    const expected = [T_BEGIN_OBJECT, T_KEY, T_BEGIN_ARRAY, T_NUMBER, T_NUMBER, T_STRING, T_END_ARRAY, T_KEY, T_BEGIN_OBJECT, T_KEY, T_TRUE, T_KEY, T_FALSE, T_KEY, T_NULL, T_END_OBJECT, T_KEY, T_STRING, T_END_OBJECT, T_END];
    const bytes = enc.encode(text);
    for (const size of [1, 2, 3, 5, 1000]) {
      const tok = new JsonTokenizer();
      const got: number[] = [];
      const strings: string[] = [];
      for (let i = 0; i <= bytes.length; i += size) {
        if (i < bytes.length) tok.feed(bytes.subarray(i, i + size));
        else tok.finish();
        for (let t = tok.next(); t !== T_NEED_MORE; t = tok.next()) {
          got.push(t);
          if (t === T_STRING || t === T_KEY) strings.push(tok.text());
          if (t === T_END) break;
        }
      }
      if (!got.includes(T_END)) {
        tok.finish();
        got.push(tok.next());
      }
      expect(got).toEqual(expected);
      expect(strings).toEqual(['a', 'x"y', 'b', 'c', 'd', 'e', 'u', 'é']);
    }
  });

  it('fails 100,000-deep nesting with json_too_deep, without overflowing the stack', async () => {
    for (const open of ['[', '{"a":']) {
      const tok = new JsonTokenizer();
      tok.feed(enc.encode(open.repeat(100_000)));
      const e = await appError(() => Promise.resolve().then(() => {
        while (tok.next() !== T_NEED_MORE);
      }));
      expect(e.code).toBe('json_too_deep');
    }
  });

  it('says where JSON is broken or cut', async () => {
    const run = (text: string): Promise<unknown> =>
      Promise.resolve().then(() => {
        const tok = new JsonTokenizer();
        tok.feed(enc.encode(text));
        tok.finish();
        while (tok.next() !== T_END);
      });
    const e1 = await appError(() => run('[1, 2 3]'));
    expect(e1.code).toBe('format_corrupt');
    expect(e1.message).toContain('byte 6');
    expect((await appError(() => run('{"a" 1}'))).message).toContain('":"');
    expect((await appError(() => run('[1, 2'))).code).toBe('format_truncated');
    expect((await appError(() => run('"abc'))).code).toBe('format_truncated');
    expect((await appError(() => run('[1] x'))).code).toBe('format_corrupt');
    expect((await appError(() => run('[tru]'))).code).toBe('format_corrupt');
    const tok = new JsonTokenizer(64, 100);
    tok.feed(enc.encode(`["${'x'.repeat(200)}`));
    expect((await appError(() => Promise.resolve().then(() => tok.next() + tok.next()))).code).toBe('format_limits');
  });
});

describe('sensor-logger-json reader', () => {
  it('groups interleaved records by sensor into streams on one time axis', async () => {
    const bytes = enc.encode(exportJson());
    const whole = await collect(sensorLoggerJsonReader, bytes, 'export.json');
    expect(whole.recording).toEqual({ type: 'recording', startTimeNs: T0, absoluteTime: true });
    const acc = whole.stream('accelerometer');
    expect(acc.info).toMatchObject({ kind: 'imu', unit: 'm/s^2', channels: ['x', 'y', 'z'], frame: 'android' });
    expect(acc.rows).toBe(10);
    expect(acc.t[9]).toBe(T0 + 90_000_000n);
    expect(acc.col('x').slice(0, 3)).toEqual([0.5, 1.5, 2.5]);
    expect(acc.col('z')[1]).toBe(Math.fround(10.8));
    const gyro = whole.stream('gyroscope');
    expect(gyro.info.channels).toEqual(['x', 'y', 'z']);
    expect(gyro.rows).toBe(5);
    expect(gyro.t[1]).toBe(T0 + 20_000_001n);
    expect(gyro.col('x')[1]).toBe(Math.fround(0.2));
    expect(whole.annotations).toEqual([{ label: 'start walking', startNs: T0 + 50_000_000n, endNs: null, origin: 'Sensor Logger JSON "Annotation" records' }]);
    expect(whole.metadata[0]).toMatchObject({ device: { platform: 'Android', model: 'Pixel 8', appVersion: '1.40' }, timezone: 'Europe/London' });
    expect(whole.warnings).toEqual([]);
    for (const size of [1, 7, 100, 4096]) {
      const r = await collect(sensorLoggerJsonReader, bytes, 'export.json', {}, size);
      expect(r.events).toEqual(whole.events);
    }
  });

  it('applies iOS units and watch streams like the ZIP export', async () => {
    const r = await collect(sensorLoggerJsonReader, enc.encode(exportJson({ platform: 'ios' })), 'export.json');
    expect(r.stream('accelerometer').info.frame).toBe('ios');
    expect(r.stream('accelerometer_uncalibrated').col('x')[0]).toBe(Math.fround(0.5 * G));
    const wrist = r.stream('wrist_motion');
    expect(wrist.info.kind).toBe('imu');
    expect(wrist.col('gravityX')[0]).toBe(Math.fround(G));
    expect(wrist.col('rotationRateX')[0]).toBe(Math.fround(0.1));
    expect(r.metadata.at(-1)).toEqual({ session: { watchStreams: 'wrist_motion' } });
    const std = await collect(sensorLoggerJsonReader, enc.encode(exportJson({ platform: 'ios', standardisation: 'true' })), 'export.json');
    expect(std.stream('gyroscope').info.frame).toBe('sensor-logger-standardized');
    expect(std.stream('accelerometer_uncalibrated').col('x')[0]).toBe(0.5);
  });

  it('emits chunks of at most 65,536 rows per sensor', async () => {
    const parts: string[] = [];
    for (let i = 0; i < 70_000; i++) parts.push(`{"sensor":"Gravity","time":"${T0 + BigInt(i) * 1_000_000n}","seconds_elapsed":"0","x":"${i}","y":"0","z":"9.81"}`);
    parts.push(`{"sensor":"Barometer","time":"${T0 - 5n}","seconds_elapsed":"0","pressure":"1013.25","relativeAltitude":"0"}`);
    const r = await collect(sensorLoggerJsonReader, enc.encode(`[${parts.join(',')}]`), 'g.json');
    expect(r.stream('gravity').chunks.map((c) => c.length)).toEqual([65_536, 4464]);
    expect(r.stream('gravity').col('x')[69_999]).toBe(69_999);
    expect(r.stream('barometer').info.channels).toEqual(['pressure', 'relativeAltitude']);
    // The first chunk was emitted before the barometer's earlier record was seen.
    expect(r.recording.startTimeNs).toBe(T0);
  });

  it('keeps going past odd records, with counted warnings', async () => {
    const text = `[
      {"sensor":"Accelerometer","time":"1000","x":"1","y":"2","z":"3"},
      {"sensor":"Accelerometer","time":"2000","x":"abc","y":null,"z":"3","extra":"9"},
      {"sensor":"Accelerometer","x":"1","y":"2","z":"3"},
      {"time":"3000","x":"1"},
      {"sensor":"Accelerometer","time":"4000","x":{"nested":[1,2]},"y":"2","z":"3"},
      42
    ]`;
    const r = await collect(sensorLoggerJsonReader, enc.encode(text), 'x.json');
    const acc = r.stream('accelerometer');
    expect(acc.rows).toBe(3);
    expect(acc.col('x')).toEqual([1, Number.NaN, Number.NaN]);
    expect(acc.col('y')).toEqual([2, Number.NaN, 2]);
    expect(r.warnings.map((w) => [w.code, w.count])).toEqual([
      ['json_record_skipped', 1],
      ['json_record_skipped', 1],
      ['json_record_skipped', 1],
      ['json_nested_value', 1],
      ['json_unknown_field', 1],
      ['json_non_numeric', 1],
    ]);
    // JSON warnings carry JSON codes, never the CSV readers'.
    expect(r.warnings.every((w) => w.code.startsWith('json_'))).toBe(true);
  });

  it('a Bluetooth scan export: text fields (ids, names, hex payloads) skipped in one warning, rssi kept, no missing values', async () => {
    const records = [rec({ sensor: 'Metadata', version: '3', 'device name': 'iPhone 13', 'recording epoch time': '1698501144400', platform: 'ios', standardisation: 'false' })];
    for (let i = 0; i < 12; i++) {
      records.push(rec({
        sensor: 'Bluetooth', time: (T0 + BigInt(i) * 500_000_000n).toString(), seconds_elapsed: String(i / 2),
        id: `e4:5f:01:aa:bb:${(10 + i).toString(16)}`, name: i % 2 === 0 ? 'Buds' : 'Watch', rssi: String(-71 - i), manufacturerData: `4c0010050b1c${i}d2e`,
      }));
    }
    // Another sensor whose every field is text gives no stream at all.
    records.push(rec({ sensor: 'Network', time: T0.toString(), seconds_elapsed: '0', type: 'wifi', ssid: 'eduroam' }));
    const r = await collect(sensorLoggerJsonReader, enc.encode(`[${records.join(',')}]`), 'scan.json', {}, 97);
    expect([...r.streams.keys()]).toEqual(['bluetooth']);
    const bt = r.stream('bluetooth');
    expect(bt.info).toMatchObject({ kind: 'other', channels: ['rssi'], unit: 'mixed', calibration: { channel_units: 'rssi: dBm' } });
    expect(bt.col('rssi')).toEqual(Array.from({ length: 12 }, (_, i) => -71 - i));
    expect(bt.col('rssi').some((v) => Number.isNaN(v))).toBe(false);
    expect(r.warnings.map((w) => w.code)).toEqual(['json_text_fields_skipped', 'json_text_fields_skipped']);
    expect(r.warnings[0]!.message).toContain('"id", "name", "manufacturerData"');
    expect(r.warnings[1]!.message).toContain('"Network": every field');
  });

  it('AccelerometerUncalibrated: m/s² as written; in g when no Metadata record says the platform and the magnitude is 1 g', async () => {
    const unc = (scale: number): string[] =>
      Array.from({ length: 10 }, (_, i) => rec({ sensor: 'AccelerometerUncalibrated', time: (T0 + BigInt(i) * 10_000_000n).toString(), seconds_elapsed: String(i / 100), z: String(scale), y: '0', x: String(0.01 * scale) }));
    const inMs2 = await collect(sensorLoggerJsonReader, enc.encode(`[${unc(G).join(',')}]`), 'x.json');
    expect(inMs2.stream('accelerometer_uncalibrated').info).toMatchObject({ kind: 'imu', unit: 'm/s^2' });
    expect(inMs2.stream('accelerometer_uncalibrated').info.originalUnit).toBeUndefined();
    expect(inMs2.stream('accelerometer_uncalibrated').col('z')[0]).toBe(Math.fround(G));
    const inG = await collect(sensorLoggerJsonReader, enc.encode(`[${unc(1).join(',')}]`), 'x.json');
    expect(inG.stream('accelerometer_uncalibrated').info).toMatchObject({ unit: 'm/s^2', originalUnit: 'g' });
    expect(inG.stream('accelerometer_uncalibrated').col('z')[0]).toBe(Math.fround(G));
    expect(inG.warnings.map((w) => w.code)).toEqual(['unit_inferred']);
  });

  it('rejects hostile and damaged files clearly', async () => {
    const deep = await appError(() => collect(sensorLoggerJsonReader, enc.encode('['.repeat(100_000)), 'x.json'));
    expect(deep.code).toBe('json_too_deep');
    const deepValue = await appError(() => collect(sensorLoggerJsonReader, enc.encode(`[{"sensor":"A","time":"1","x":${'['.repeat(100_000)}`), 'x.json'));
    expect(deepValue.code).toBe('json_too_deep');
    const text = exportJson();
    const cut = await appError(() => collect(sensorLoggerJsonReader, enc.encode(text.slice(0, text.length / 2)), 'x.json'));
    expect(cut.code).toBe('format_truncated');
    const garbage = enc.encode(text);
    garbage.fill(0x3f, 400, 420);
    const g = await appError(() => collect(sensorLoggerJsonReader, garbage, 'x.json'));
    expect(g.code).toBe('format_corrupt');
    expect(g.message).toMatch(/byte \d+/);
    expect((await appError(() => collect(sensorLoggerJsonReader, enc.encode('{"sensor":"A"}'), 'x.json'))).code).toBe('format_corrupt');
    expect((await appError(() => collect(sensorLoggerJsonReader, enc.encode('[]'), 'x.json'))).code).toBe('no_samples');
    const many = Array.from({ length: 300 }, (_, i) => `{"sensor":"S${i}","time":"1","v":"1"}`).join(',');
    expect((await appError(() => collect(sensorLoggerJsonReader, enc.encode(`[${many}]`), 'x.json'))).code).toBe('format_limits');
  });

  it('sniffs an array whose first record has "sensor" and "time"', () => {
    const sniff = (s: string): boolean => sensorLoggerJsonReader.sniff({ head: enc.encode(s), filename: 'x' });
    expect(sniff(exportJson())).toBe(true);
    expect(sniff('\uFEFF [ {"time": "1", "sensor": "Gyroscope"')).toBe(true);
    expect(sniff('[{"a": 1}]')).toBe(false);
    expect(sniff('{"sensor": "x", "time": "1"}')).toBe(false);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, ingestReady, seedStudy, startHarness, type Harness } from '../helpers/harness.js';

/**
 * Delimited layouts real loggers write, through the API and the workers: header-less ISO 8601 with an offset
 * and `;` in milli-g, axis-first names with a label column, units in parentheses, text columns, non-finite
 * values. Each file is written here; each must end `ready` with the streams, units, rates, first values,
 * labels, warnings and quality checks the file's layout implies.
 */

const G = 9.80665;
const enc = new TextEncoder();
type Check = { name: string; stream?: string; status: string; value?: number; message: string };
type Warning = { code: string; message: string; count?: number };

describe('delimited text layouts end to end', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;

  beforeAll(async () => {
    h = await startHarness();
    study = await seedStudy(h, [{ name: 'walk' }, { name: 'sit' }]);
  });
  afterAll(async () => {
    await h.close();
  });

  const samples = async (id: string, stream: string, fromS = 0, toS = 0.001): Promise<{ t: number[]; channels: Record<string, (number | null)[]> }> => {
    const s = await call(h, study.participantToken, 'GET', `/v1/recordings/${id}/streams/${stream}/samples?fromS=${fromS}&toS=${toS}&maxPoints=1000`);
    expect(s.status, JSON.stringify(s.json)).toBe(200);
    return s.json;
  };
  const stream = (rec: { streams: { name: string }[] }, name: string): any => rec.streams.find((s) => s.name === name);
  const check = (rec: { quality: { checks: Check[] } }, name: string, s: string): Check | undefined => rec.quality.checks.find((c) => c.name === name && c.stream === s);
  const codes = (rec: { warnings: Warning[] }): string[] => rec.warnings.map((w) => w.code);

  it('header-less `ISO-8601;x;y;z` with an offset, in milli-g (a watch logger): UTC start, m/s², 50 Hz', async () => {
    const t0 = Date.UTC(2019, 9, 16, 10, 9, 1, 702);
    const lines = Array.from({ length: 500 }, (_, i) => {
      const local = new Date(t0 + 2 * 3600_000 + i * 20).toISOString().replace('Z', '+02:00');
      return i === 0 ? `${local};-36;620;-824` : `${local};${-36 + (i % 5)};${620 + (i % 7)};${-824 + (i % 3)}`;
    });
    expect(lines[0]).toBe('2019-10-16T12:09:01.702+02:00;-36;620;-824');
    const rec = await ingestReady(h, study.participantToken, enc.encode(`${lines.join('\n')}\n`), 'watch-acc.csv');
    expect(rec.format).toBe('generic-delimited');
    expect(new Date(rec.startTime).toISOString()).toBe('2019-10-16T10:09:01.702Z');
    expect(rec.streams).toHaveLength(1);
    const acc = stream(rec, 'accelerometer');
    expect(acc).toMatchObject({ kind: 'imu', unit: 'm/s^2', originalUnit: 'mg', channels: ['x', 'y', 'z'], samples: 500 });
    expect(acc.measuredRateHz).toBeCloseTo(50, 3);
    const s = await samples(rec.id, 'accelerometer');
    expect(s.t[0]).toBe(0);
    expect(s.channels.x?.[0]).toBeCloseTo((-36 * G) / 1000, 5);
    expect(s.channels.x?.[0]).toBeCloseTo(-0.353, 3);
    expect(s.channels.y?.[0]).toBeCloseTo((620 * G) / 1000, 5);
    expect(s.channels.z?.[0]).toBeCloseTo((-824 * G) / 1000, 5);
    // The sensor comes from the file name (`…-acc.csv`); the unit from the magnitude.
    expect(codes(rec)).toEqual(['columns_inferred', 'unit_inferred']);
    expect(rec.warnings.find((w: Warning) => w.code === 'unit_inferred').message).toMatch(/accelerometer unit taken as milli-g: .*vector norm's median is 10\d\d/);
    expect(check(rec, 'non_finite', 'accelerometer')).toMatchObject({ status: 'ok', value: 0 });
  });

  it('axis-first names with a text label column (x_acc … z_gyro, timestamp, label): two streams, units by magnitude, labels imported', async () => {
    const lines = ['x_acc,y_acc,z_acc,x_gyro,y_gyro,z_gyro,timestamp,label'];
    for (let i = 0; i < 1000; i++) {
      const walking = i < 500;
      const a = walking ? 3 * Math.sin(i / 3) : 0.02 * (i % 3);
      const w = walking ? 2.5 * Math.cos(i / 4) : 0.01 * (i % 2);
      lines.push(`${(0.3 + a).toFixed(4)},${(9.6 + a / 2).toFixed(4)},${(1.1 - a).toFixed(4)},${w.toFixed(4)},${(w / 2).toFixed(4)},${(-w).toFixed(4)},${1_600_000_000_000 + i * 20},${walking ? 'walk' : 'sit'}`);
    }
    const rec = await ingestReady(h, study.participantToken, enc.encode(`${lines.join('\n')}\n`), 'har-watch.csv');
    expect(new Date(rec.startTime).toISOString()).toBe(new Date(1_600_000_000_000).toISOString());
    expect(rec.streams.map((s: any) => [s.name, s.unit, s.channels.join(), s.samples])).toEqual([
      ['accelerometer', 'm/s^2', 'x,y,z', 1000],
      ['gyroscope', 'rad/s', 'x,y,z', 1000],
    ]);
    expect(stream(rec, 'gyroscope').measuredRateHz).toBeCloseTo(50, 3);
    const gyro = await samples(rec.id, 'gyroscope');
    expect(gyro.channels.x?.[0]).toBeCloseTo(2.5, 5);
    expect(gyro.channels.z?.[0]).toBeCloseTo(-2.5, 5);
    const acc = await samples(rec.id, 'accelerometer');
    expect(acc.channels.y?.[0]).toBeCloseTo(9.6, 5);
    expect(rec.warnings.some((w: Warning) => w.code === 'unit_inferred' && w.message.startsWith('gyroscope unit taken as rad/s'))).toBe(true);
    const anns = (await call(h, h.adminToken, 'GET', `/v1/recordings/${rec.id}/annotations`)).json.items;
    const imported = anns.filter((a: { source: string }) => a.source === 'import').map((a: any) => [a.label, a.startS, a.endS]);
    expect(imported).toEqual([
      ['walk', 0, 10],
      ['sit', 10, 19.98],
    ]);
  });

  it('names with units in parentheses: g and deg/s converted to SI, the original recorded', async () => {
    const lines = ['Time (s),Accel-X (g),Accel-Y (g),Accel-Z (g),gyro_x (deg/s),gyro_y (deg/s),gyro_z (deg/s)'];
    for (let i = 0; i < 500; i++) lines.push(`${(i / 100).toFixed(2)},0.5,0,${(0.86 + 0.001 * (i % 3)).toFixed(3)},90,0,-180`);
    const rec = await ingestReady(h, study.participantToken, enc.encode(`${lines.join('\n')}\n`), 'units.csv');
    expect(rec.startTime).toBeNull();
    expect(rec.streams.map((s: any) => [s.name, s.unit, s.originalUnit, s.samples])).toEqual([
      ['accelerometer', 'm/s^2', 'g', 500],
      ['gyroscope', 'rad/s', 'deg/s', 500],
    ]);
    expect(stream(rec, 'accelerometer').measuredRateHz).toBeCloseTo(100, 3);
    expect((await samples(rec.id, 'accelerometer')).channels.x?.[0]).toBeCloseTo(0.5 * G, 5);
    const gyro = await samples(rec.id, 'gyroscope');
    expect(gyro.channels.x?.[0]).toBeCloseTo(Math.PI / 2, 5);
    expect(gyro.channels.z?.[0]).toBeCloseTo(-Math.PI, 5);
    expect(rec.warnings).toEqual([]);
  });

  it('text columns: a categorical one imported as labels, identifiers and names skipped in one warning, none counted as missing', async () => {
    const lines = ['time (s),acc_x (m/s^2),acc_y (m/s^2),acc_z (m/s^2),uuid,device_name,gt'];
    for (let i = 0; i < 600; i++) {
      const uuid = `${(0x20000000 + i).toString(16)}-4f1c-4b7e-9a00-${String(i).padStart(12, '0')}`;
      lines.push(`${(i / 50).toFixed(2)},0.1,0.2,9.8,${uuid},${['Mi Band 4', 'JBL Flip', 'Pixel 7'][i % 3]},${i < 300 ? 'walk' : 'sit'}`);
    }
    const rec = await ingestReady(h, study.participantToken, enc.encode(`${lines.join('\n')}\n`), 'ble-scan.csv');
    expect(rec.streams.map((s: any) => [s.name, s.channels.join(), s.samples])).toEqual([['accelerometer', 'x,y,z', 600]]);
    expect(check(rec, 'missing_values', 'accelerometer')).toMatchObject({ status: 'ok', value: 0 });
    const skipped = rec.warnings.find((w: Warning) => w.code === 'columns_ignored');
    expect(skipped?.message).toContain('"uuid", "device_name"');
    expect(codes(rec)).toContain('text_columns_labels');
    const anns = (await call(h, h.adminToken, 'GET', `/v1/recordings/${rec.id}/annotations`)).json.items;
    expect(anns.filter((a: { source: string }) => a.source === 'import').map((a: any) => [a.label, a.startS, a.endS])).toEqual([
      ['walk', 0, 6],
      ['sit', 6, 11.98],
    ]);
  });

  it('non-finite values (Infinity, -Infinity, NaN, 1e309): stored as NaN, counted by the non_finite check, apart from missing values', async () => {
    const lines = ['time (s),acc_x (m/s^2),acc_y (m/s^2),acc_z (m/s^2)'];
    const special: Record<number, string> = { 10: 'Infinity', 20: '-Infinity', 30: 'NaN', 40: '1e309', 50: 'inf' };
    for (let i = 0; i < 500; i++) lines.push(`${(i / 50).toFixed(2)},${special[i] ?? '0.1'},0.2,${i === 60 ? '' : '9.8'}`);
    const rec = await ingestReady(h, study.participantToken, enc.encode(`${lines.join('\n')}\n`), 'non-finite.csv');
    expect(stream(rec, 'accelerometer')).toMatchObject({ unit: 'm/s^2', samples: 500 });
    const nf = check(rec, 'non_finite', 'accelerometer');
    expect(nf).toMatchObject({ status: 'warn', value: 5 });
    expect(nf?.message).toContain('5 non-finite value(s)');
    expect(nf?.message).toContain('stored as NaN');
    expect(check(rec, 'missing_values', 'accelerometer')).toMatchObject({ status: 'warn', value: 1 });
    expect(rec.quality.status).not.toBe('ok');
    expect(rec.warnings.find((w: Warning) => w.code === 'csv_non_finite')).toMatchObject({ count: 5 });
    const s = await samples(rec.id, 'accelerometer', 0.19, 0.21);
    expect(s.t).toEqual([0.2]);
    expect(s.channels.x).toEqual([null]);
    expect(s.channels.y?.[0]).toBeCloseTo(0.2, 6);
    expect((await samples(rec.id, 'accelerometer', 0.0, 0.001)).channels.x?.[0]).toBeCloseTo(0.1, 6);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, call, seedStudy, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';

const fixture = (p: string): Buffer => readFileSync(path.join(ROOT, 'test/fixtures', p));

/** Uploads, waits, and gives the finished recording (it must be ready). */
async function ingest(h: Harness, token: string, bytes: Uint8Array, filename: string): Promise<any> {
  const up = await upload(h, token, bytes, filename);
  expect(up.status, JSON.stringify(up.json)).toBe(201);
  const rec = await waitForRecording(h, token, up.json.recording.id);
  expect(rec.status, JSON.stringify(rec.error)).toBe('ready');
  return rec;
}

describe('field-study formats end to end: upload → streams on one axis, in SI units, with provenance', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;

  beforeAll(async () => {
    h = await startHarness();
    study = await seedStudy(h, [{ name: 'walking' }]);
  });
  afterAll(async () => {
    await h.close();
  });

  it('MotionSense Core Motion CSV (iPhone, 50 Hz, g units, no time column)', async () => {
    const rec = await ingest(h, study.participantToken, fixture('motionsense-coremotion/wlk_15/sub_1.csv'), 'sub_1.csv');
    expect(rec.format).toBe('core-motion-csv');
    expect(rec.startTime).toBeNull();
    const byName = Object.fromEntries(rec.streams.map((s: { name: string }) => [s.name, s]));
    // README: 1,333 rows at 50 Hz (≈ 27 s).
    for (const name of ['attitude', 'gravity', 'gyroscope', 'user_acceleration']) {
      expect(byName[name]?.samples, name).toBe(1333);
      expect(byName[name].measuredRateHz).toBeCloseTo(50, 3);
    }
    expect(byName.gravity).toMatchObject({ unit: 'm/s^2', originalUnit: 'g', frame: 'ios' });
    expect(byName.gyroscope.unit).toBe('rad/s');
    expect(rec.durationS).toBeCloseTo(1333 / 50, 1);
    expect(rec.warnings.map((w: { code: string }) => w.code)).toContain('rate_assumed');
    // First row: gravity.y = 0.986844 g → m/s².
    const s = await call(h, study.participantToken, 'GET', `/v1/recordings/${rec.id}/streams/gravity/samples?fromS=0&toS=0.01&maxPoints=10`);
    expect(s.json.channels.y[0]).toBeCloseTo(0.986844 * 9.80665, 4);
  });

  it('a phyphox-style CSV with quoted headers and units', async () => {
    const lines = ['"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)"'];
    for (let i = 0; i < 2000; i++) lines.push(`${(i * 0.01).toExponential(9)},${(0.1 * Math.sin(i / 10)).toFixed(5)},${(0.2).toFixed(5)},${(9.81).toFixed(5)}`);
    const rec = await ingest(h, study.participantToken, new TextEncoder().encode(`${lines.join('\r\n')}\r\n`), 'Raw Data.csv');
    expect(rec.format).toBe('generic-delimited');
    expect(rec.streams).toHaveLength(1);
    expect(rec.streams[0]).toMatchObject({ unit: 'm/s^2', samples: 2000, channels: ['x', 'y', 'z'] });
    expect(rec.streams[0].measuredRateHz).toBeCloseTo(100, 3);
  });
});

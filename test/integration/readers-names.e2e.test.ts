import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildZip } from '../../src/formats/archive/zip-writer.test-support.js';
import { omconvertWav } from '../../src/formats/audio/wav-omconvert.test-support.js';
import { call, ingestReady, seedStudy, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';

/**
 * Files read as their writers meant them, through the real API, queues, workers and stores: an omconvert
 * accelerometer WAV is motion (not sound), a Sensor Logger ZIP says so, an Edge Impulse 6-axis sample gives
 * two sensors with their units, a Bluetooth scan's text fields are not missing values.
 */

const G = 9.80665;
const SESSION_MS = 1714557600000; // 2024-05-01T10:00:00Z
const SESSION_NS = BigInt(SESSION_MS) * 1_000_000n;

/** 60 s at 100 Hz of a wrist walking at 1.8 steps/s, z up, in omconvert's int16 at ±8 g (4096 = 1 g). */
function walkingOmconvertWav(): Uint8Array {
  const frames: number[][] = [];
  for (let i = 0; i < 6000; i++) {
    const ts = i / 100;
    const g = [0.15 * Math.sin(2 * Math.PI * 1.8 * ts), 0.1 * Math.cos(2 * Math.PI * 0.9 * ts), 1 + 0.3 * Math.sin(2 * Math.PI * 1.8 * ts)];
    const aux = i % 100 === 0 ? 0x0400 | 700 : i % 100 === 1 ? 0x0800 | 30 : i % 100 === 2 ? 0x0c00 | 300 : 0;
    frames.push([...g.map((v) => Math.round(v * 4096)), aux]);
  }
  // Local wall clock 12:00 in Berlin (CEST) = 10:00 UTC.
  return omconvertWav({ frames, time: '2024-05-01 12:00:00.000', deviceId: 41234 });
}

function sensorLoggerZip(): Uint8Array {
  const dir = 'Recording_2024-05-01_12-00-00/';
  const metadata =
    'version,device name,recording epoch time,recording time,recording timezone,platform,appVersion,device id,sensors,sampleRateMs,standardisation,platform version\n' +
    `3,Pixel 8,${SESSION_MS},2024-05-01_12-00-00,Europe/Zurich,android,1.40,abc,Accelerometer|Gyroscope,10|10,false,14\n`;
  return buildZip([
    { name: `${dir}Metadata.csv`, data: metadata, method: 'deflate' },
    { name: `${dir}Accelerometer.csv`, data: sensorLoggerCsv({ rows: 500, rateHz: 100, startNs: SESSION_NS }), method: 'deflate' },
    { name: `${dir}Gyroscope.csv`, data: sensorLoggerCsv({ rows: 500, rateHz: 100, startNs: SESSION_NS, value: (i) => [0.1, (i % 7) / 10, 0.01] }), method: 'deflate' },
  ]);
}

/** An unsigned Edge Impulse sample: accX…gyrZ, m/s2 and deg/s, 10 s at 100 Hz. */
function edgeImpulse6Axis(): Uint8Array {
  const values: number[][] = [];
  for (let i = 0; i < 1000; i++) {
    const ts = i / 100;
    values.push([0.5 * Math.sin(2 * Math.PI * 2 * ts), 0.3, 9.81 + Math.sin(2 * Math.PI * 2 * ts), 30 * Math.sin(2 * Math.PI * ts), 5, -10]);
  }
  const doc = {
    protected: { ver: 'v1', alg: 'none', iat: 1714557600 },
    signature: '0'.repeat(64),
    payload: {
      device_name: 'ac:87:a3:0a:2d:1b', device_type: 'NANO33BLE', interval_ms: 10,
      sensors: [
        { name: 'accX', units: 'm/s2' }, { name: 'accY', units: 'm/s2' }, { name: 'accZ', units: 'm/s2' },
        { name: 'gyrX', units: 'deg/s' }, { name: 'gyrY', units: 'deg/s' }, { name: 'gyrZ', units: 'deg/s' },
      ],
      values,
    },
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}

/** Sensor Logger's JSON export of a Bluetooth scan: ids, names and hex payloads beside rssi (every value a string). */
function bluetoothJson(): Uint8Array {
  const rec = (o: Record<string, string>): string => JSON.stringify(o);
  const records = [rec({ sensor: 'Metadata', version: '3', 'device name': 'iPhone 13', 'recording epoch time': String(SESSION_MS), platform: 'ios', standardisation: 'false' })];
  const devices = [['e4:5f:01:aa:bb:cc', 'Buds'], ['7c:10:9a:00:11:22', 'Watch'], ['d0:03:4b:12:34:56', 'Tag']];
  for (let i = 0; i < 600; i++) {
    const [id, name] = devices[i % 3]!;
    records.push(rec({
      sensor: 'Bluetooth', time: String(SESSION_NS + BigInt(i) * 100_000_000n), seconds_elapsed: (i / 10).toFixed(1),
      id: id!, name: name!, rssi: String(-60 - (i % 25)), manufacturerData: `4c0010050b1c${(i % 16).toString(16)}d2e`,
    }));
  }
  return new TextEncoder().encode(`[\n${records.join(',\n')}\n]\n`);
}

describe('files read as their writers meant them, end to end', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;

  beforeAll(async () => {
    h = await startHarness();
    study = await seedStudy(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it('an omconvert accelerometer WAV: ready, one IMU accelerometer in m/s², the device clock placed with the upload zone, no loud proposals', async () => {
    const up = await upload(h, study.participantToken, walkingOmconvertWav(), 'CWA-DATA.wav', { metadata: { timezone: 'Europe/Berlin' } });
    expect(up.status).toBe(201);
    const rec = await waitForRecording(h, study.participantToken, up.json.recording.id, { timeoutMs: 120_000 });
    expect(rec.status, JSON.stringify(rec.error)).toBe('ready');
    expect(rec.format).toBe('wav');
    expect(rec.streams).toHaveLength(1);
    expect(rec.streams[0]).toMatchObject({ name: 'accelerometer', kind: 'imu', sensor: 'accelerometer', channels: ['x', 'y', 'z'], unit: 'm/s^2', sampleRateHz: 100, samples: 6000 });
    expect(rec.clock).toBe('device-local');
    expect(rec.startTime).toBe(new Date(SESSION_MS).toISOString());
    expect(rec.device).toMatchObject({ serial: '41234', firmware: '44' });
    const samples = await call(h, h.adminToken, 'GET', `/v1/recordings/${rec.id}/streams/accelerometer/samples?fromS=0&toS=0.05&maxPoints=100`);
    expect(samples.status).toBe(200);
    expect(samples.json.channels.z[0]).toBeCloseTo(G, 3);
    expect(samples.json.channels.x[0]).toBeCloseTo(0, 6);
    const ann = await call(h, h.adminToken, 'GET', `/v1/recordings/${rec.id}/annotations`);
    const labels = ann.json.items.map((a: { label: string }) => a.label);
    expect(labels).not.toContain('loud');
    expect(labels).not.toContain('speech');
    expect(rec.quality.checks.every((c: { name: string }) => !/audio|dc_offset|silence/.test(c.name))).toBe(true);
  });

  it('a Sensor Logger ZIP reports format sensor-logger-zip', async () => {
    const rec = await ingestReady(h, study.participantToken, sensorLoggerZip(), 'export.zip');
    expect(rec.format).toBe('sensor-logger-zip');
    expect(rec.streams.map((s: { name: string }) => s.name).sort()).toEqual(['accelerometer', 'gyroscope']);
  });

  it('an Edge Impulse 6-axis sample gives an accelerometer and a gyroscope stream, each x, y, z in SI units', async () => {
    const rec = await ingestReady(h, study.participantToken, edgeImpulse6Axis(), 'walking.s42.json');
    expect(rec.format).toBe('edge-impulse');
    const byName = Object.fromEntries(rec.streams.map((s: { name: string }) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual(['accelerometer', 'gyroscope']);
    expect(byName['accelerometer']).toMatchObject({ kind: 'imu', channels: ['x', 'y', 'z'], unit: 'm/s^2', samples: 1000 });
    expect(byName['gyroscope']).toMatchObject({ kind: 'imu', channels: ['x', 'y', 'z'], unit: 'rad/s', samples: 1000 });
    const gyr = await call(h, h.adminToken, 'GET', `/v1/recordings/${rec.id}/streams/gyroscope/samples?fromS=0&toS=0.05&maxPoints=100`);
    expect(gyr.json.channels.y[0]).toBeCloseTo((5 * Math.PI) / 180, 5);
  });

  it('a Sensor Logger Bluetooth JSON: rssi kept, the text fields skipped with a warning, quality not bad from missing values', async () => {
    const rec = await ingestReady(h, study.participantToken, bluetoothJson(), 'bluetooth.json');
    expect(rec.format).toBe('sensor-logger-json');
    expect(rec.streams).toHaveLength(1);
    expect(rec.streams[0]).toMatchObject({ name: 'bluetooth', channels: ['rssi'] });
    expect(rec.quality.status).not.toBe('bad');
    const missing = rec.quality.checks.filter((c: { name: string }) => c.name === 'missing_values');
    expect(missing.length).toBeGreaterThan(0);
    for (const c of missing) expect(c.status).toBe('ok');
    expect(rec.warnings.map((w: { code: string }) => w.code)).toContain('json_text_fields_skipped');
  });
});

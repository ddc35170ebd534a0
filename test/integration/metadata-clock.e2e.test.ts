import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ax3Blocks, synthFile } from '../../src/formats/axivity/axivity-cwa-synth.test-support.js';
import { buildZip } from '../../src/formats/archive/zip-writer.test-support.js';
import { fmt, int16Data, riff } from '../../src/formats/audio/audio.test-support.js';
import { call, fixture, ingestReady, seedStudy, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';

/**
 * What a file says about where it came from reaches the recording, and every recording says what its times
 * are: device-local clocks placed on UTC with the file's, the upload's or the study's zone.
 */

const SESSION_MS = 1714557600000;
const SESSION_NS = BigInt(SESSION_MS) * 1_000_000n;

function sensorLoggerZip(): Uint8Array {
  const dir = 'Recording_2024-05-01_12-00-00/';
  const metadata =
    'version,device name,recording epoch time,recording time,recording timezone,platform,appVersion,device id,sensors,sampleRateMs,standardisation,platform version\n' +
    `3,SM-N986B,${SESSION_MS},2024-05-01_12-00-00,Africa/Nairobi,android,1.26.0,0f2a9c41-77de,Accelerometer,10,false,13\n`;
  return buildZip([
    { name: `${dir}Metadata.csv`, data: metadata, method: 'deflate' },
    { name: `${dir}Accelerometer.csv`, data: sensorLoggerCsv({ rows: 300, rateHz: 100, startNs: SESSION_NS }), method: 'deflate' },
  ]);
}

function sensorLoggerJson(opts: { overflowAt?: number } = {}): Uint8Array {
  const rec = (o: Record<string, string>): string => JSON.stringify(o);
  const records = [rec({ sensor: 'Metadata', version: '3', 'device name': 'Pixel 8', 'recording epoch time': String(SESSION_MS), platform: 'android', appVersion: '1.40', standardisation: 'false', 'recording timezone': 'Europe/London' })];
  for (let i = 0; i < 200; i++) records.push(rec({ sensor: 'Accelerometer', time: String(SESSION_NS + BigInt(i) * 10_000_000n), seconds_elapsed: String(i / 100), z: '9.8', y: String((i % 5) / 10), x: i === opts.overflowAt ? '1e309' : '0.2' }));
  return new TextEncoder().encode(`[\n${records.join(',\n')}\n]\n`);
}

/** A 1 s, 8 kHz mono 16-bit WAV with no clock. */
function plainWav(): Uint8Array {
  return riff([fmt({ rate: 8000 }), int16Data(Array.from({ length: 8000 }, (_, i) => Math.round(3000 * Math.sin(i / 5))))]);
}

const codes = (rec: { warnings: { code: string }[] }): string[] => rec.warnings.map((w) => w.code);
/** The README's first sample of the GGIRread AX3 file, 2019-02-26 (winter), as the device's wall clock. */
const AX3_LOCAL_START_NS = 1_551_178_506_000_488_281n;
const isoOf = (ns: bigint): string => new Date(Number(ns / 1_000_000n)).toISOString();

describe('file metadata and clocks end to end', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  const dir = mkdtempSync(path.join(tmpdir(), 'fs-clock-'));

  beforeAll(async () => {
    h = await startHarness();
    study = await seedStudy(h);
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The footer key-value metadata and the first times of a stored stream, read back with DuckDB. */
  async function parquetOf(recordingId: string, stream: string): Promise<{ kv: Record<string, string>; firstTimes: string[] }> {
    const row = await h.db.stream.findFirst({ where: { recordingId, name: stream }, select: { objectKey: true } });
    const file = path.join(dir, `${recordingId}-${stream}.parquet`);
    writeFileSync(file, await h.store.getBytes(row!.objectKey));
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    try {
      const kvRows = (await c.runAndReadAll(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${file}')`)).getRowObjectsJS();
      const times = (await c.runAndReadAll(`SELECT epoch_ms("time")::BIGINT AS ms FROM '${file}' ORDER BY "time" LIMIT 3`)).getRowObjectsJS();
      return {
        kv: Object.fromEntries(kvRows.map((r) => [r['k'] as string, r['v'] as string])),
        firstTimes: times.map((r) => new Date(Number(r['ms'])).toISOString()),
      };
    } finally {
      c.closeSync();
      instance.closeSync();
    }
  }

  it('a Sensor Logger ZIP: the device, zone and session of Metadata.csv, and every column verbatim', async () => {
    const rec = await ingestReady(h, study.participantToken, sensorLoggerZip(), 'export.zip');
    expect(rec.device).toMatchObject({ kind: 'phone', platform: 'Android', model: 'SM-N986B', app: 'Sensor Logger', appVersion: '1.26.0', serial: '0f2a9c41-77de' });
    expect(rec.timezone).toBe('Africa/Nairobi');
    expect(rec.timezoneSource).toBe('file');
    expect(rec.clock).toBe('utc');
    expect(rec.session).toMatchObject({ recordingTime: '2024-05-01_12-00-00', platformVersion: '13', standardisation: false });
    expect(rec.fileMetadata.fields).toMatchObject({ 'device name': 'SM-N986B', 'recording timezone': 'Africa/Nairobi', appVersion: '1.26.0', 'device id': '0f2a9c41-77de' });
    expect(rec.startTime).toBe(new Date(SESSION_MS).toISOString());
    expect(rec.streams.every((s: { clock: string }) => s.clock === 'utc')).toBe(true);
  });

  it('a Sensor Logger JSON: the device and zone of its Metadata record; the upload\'s disagreeing model is kept beside it with a warning', async () => {
    const up = await upload(h, study.participantToken, sensorLoggerJson(), 'export.json', { metadata: { device: { kind: 'phone', model: 'Galaxy S21' }, timezone: 'Europe/London' } });
    expect(up.status).toBe(201);
    const rec = await waitForRecording(h, study.participantToken, up.json.recording.id);
    expect(rec.status).toBe('ready');
    expect(rec.device).toMatchObject({ platform: 'Android', model: 'Pixel 8', appVersion: '1.40' });
    expect(rec.fileMetadata.device).toMatchObject({ model: 'Pixel 8' });
    expect(rec.uploadMetadata).toEqual({ device: { kind: 'phone', model: 'Galaxy S21' }, timezone: 'Europe/London' });
    expect(rec.timezone).toBe('Europe/London');
    const mismatch = rec.warnings.filter((w: { code: string }) => w.code === 'metadata_mismatch');
    expect(mismatch).toHaveLength(1);
    expect(mismatch[0].message).toContain('device.model');
    expect(mismatch[0].message).toContain('Galaxy S21');
    expect(mismatch[0].message).toContain('Pixel 8');
  });

  it('an Axivity file uploaded with Europe/Berlin: UTC start = local − 1 h in winter, device and session from the header', async () => {
    const up = await upload(h, study.participantToken, fixture('ggirread-wearables/ax3_testfile.cwa'), 'ax3.cwa', { metadata: { timezone: 'Europe/Berlin' } });
    const rec = await waitForRecording(h, study.participantToken, up.json.recording.id);
    expect(rec.status, JSON.stringify(rec.error)).toBe('ready');
    expect(rec.clock).toBe('device-local');
    expect(rec.timezone).toBe('Europe/Berlin');
    expect(rec.timezoneSource).toBe('upload');
    expect(rec.startTime).toBe(isoOf(AX3_LOCAL_START_NS - 3_600_000_000_000n));
    expect(rec.device).toMatchObject({ kind: 'wearable', model: 'AX3', serial: '39434' });
    expect(rec.session).toMatchObject({ deviceId: 39434, sessionId: 26, annotation: '_p=right+wrist&_sc=26' });
    expect(codes(rec)).toContain('clock_converted');
    expect(codes(rec)).not.toContain('device_local_clock');
    const pq = await parquetOf(rec.id, 'accelerometer');
    expect(pq.kv['fieldsense.clock']).toBe('device-local');
    expect(pq.kv['fieldsense.timezone']).toBe('Europe/Berlin');
    expect(pq.firstTimes[0]).toBe(isoOf(AX3_LOCAL_START_NS - 3_600_000_000_000n));
  });

  it('the same Axivity file with no zone anywhere: kept as local time, with a warning and the unknown-zone clock', async () => {
    const other = await seedStudy(h);
    const rec = await ingestReady(h, other.participantToken, fixture('ggirread-wearables/ax3_testfile.cwa'), 'ax3.cwa');
    expect(rec.clock).toBe('device-local-unknown-zone');
    expect(rec.timezone).toBeUndefined();
    expect(rec.startTime).toBe(isoOf(AX3_LOCAL_START_NS));
    expect(codes(rec)).toContain('device_local_clock');
    expect((await parquetOf(rec.id, 'accelerometer')).kv['fieldsense.clock']).toBe('device-local-unknown-zone');
  });

  it("the study's settings.timezone places a device-local clock when the upload names none", async () => {
    const other = await seedStudy(h);
    const patch = await call(h, h.adminToken, 'PATCH', `/v1/studies/${other.studyId}`, { settings: { timezone: 'America/New_York' } });
    expect(patch.status, JSON.stringify(patch.json)).toBe(200);
    expect(patch.json.settings.timezone).toBe('America/New_York');
    const bad = await call(h, h.adminToken, 'PATCH', `/v1/studies/${other.studyId}`, { settings: { timezone: 'Mars/Olympus' } });
    expect(bad.status).toBe(400);
    const rec = await ingestReady(h, other.participantToken, fixture('ggirread-wearables/ax3_testfile.cwa'), 'ax3.cwa');
    expect(rec.clock).toBe('device-local');
    expect(rec.timezoneSource).toBe('study');
    // New York in February is UTC−5: UTC = local + 5 h.
    expect(rec.startTime).toBe(isoOf(AX3_LOCAL_START_NS + 5n * 3_600_000_000_000n));
  });

  it('a 24 h device-local recording over the autumn DST change keeps monotonic UTC times, converted with the start\'s offset', async () => {
    // 12.5 Hz AX3 blocks of 100 samples (8 s), local wall clock from 2026-10-24 12:00 to 2026-10-25 12:00 in
    // Berlin: the clocks went back at 03:00 local (01:00 UTC) on the 25th.
    const startLocal = Date.parse('2026-10-24T12:00:00Z') / 1000;
    const blocks = ax3Blocks(10_800, startLocal, 0, { rateCode: 0x47, sampleCount: 100 }, 8);
    const file = synthFile({ rateCode: 0x47 }, blocks);
    const up = await upload(h, study.participantToken, file, 'day.cwa', { metadata: { timezone: 'Europe/Berlin' } });
    const rec = await waitForRecording(h, study.participantToken, up.json.recording.id, { timeoutMs: 180_000 });
    expect(rec.status, JSON.stringify(rec.error)).toBe('ready');
    expect(rec.clock).toBe('device-local');
    // Summer time at the start: UTC = local − 2 h, for every sample.
    expect(rec.startTime).toBe('2026-10-24T10:00:00.000Z');
    expect(rec.durationS).toBeGreaterThan(86_000);
    const dst = rec.warnings.find((w: { code: string }) => w.code === 'clock_dst_crossing');
    expect(dst?.message).toContain('2026-10-25T01:00:00.000Z');
    const acc = rec.streams.find((s: { name: string }) => s.name === 'accelerometer');
    expect(acc.samples).toBe(10_800 * 100);
    const check = (name: string): { status: string } => rec.quality.checks.find((c: { name: string; stream?: string }) => c.name === name && c.stream === 'accelerometer');
    expect(check('backwards_timestamps').status).toBe('ok');
    expect(check('gaps').status).toBe('ok');
    // Samples either side of the change are 1/12.5 s apart on the UTC axis, with no hour jump.
    const around = await call(h, study.participantToken, 'GET', `/v1/recordings/${rec.id}/streams/accelerometer/samples?fromS=${15 * 3600 - 1}&toS=${15 * 3600 + 1}&maxPoints=1000`);
    const t: number[] = around.json.t;
    expect(t.length).toBeGreaterThan(20);
    for (let i = 1; i < t.length; i++) expect(t[i]! - t[i - 1]!).toBeCloseTo(0.08, 3);
  });

  it('a value beyond float range in JSON is stored as NaN and counted as non-finite, never as Infinity', async () => {
    const rec = await ingestReady(h, study.participantToken, sensorLoggerJson({ overflowAt: 7 }), 'overflow.json');
    const check = rec.quality.checks.find((c: { name: string; stream?: string }) => c.name === 'non_finite' && c.stream === 'accelerometer');
    expect(check).toMatchObject({ status: 'warn', value: 1 });
    const row = await h.db.stream.findFirst({ where: { recordingId: rec.id, name: 'accelerometer' }, select: { objectKey: true } });
    const file = path.join(dir, `${rec.id}-overflow.parquet`);
    writeFileSync(file, await h.store.getBytes(row!.objectKey));
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    try {
      const rows = (await c.runAndReadAll(`SELECT count(*) FILTER (WHERE isnan(x))::INT AS nans, count(*) FILTER (WHERE isinf(x))::INT AS infs, max(x) FILTER (WHERE NOT isnan(x))::DOUBLE AS top FROM '${file}'`)).getRowObjectsJS();
      expect(rows[0]).toEqual({ nans: 1, infs: 0, top: Math.fround(0.2) });
    } finally {
      c.closeSync();
      instance.closeSync();
    }
  });

  it('a clock-less WAV is relative in the API and in the Parquet metadata', async () => {
    const rec = await ingestReady(h, study.participantToken, plainWav(), 'tone.wav');
    expect(rec.clock).toBe('relative');
    expect(rec.startTime).toBeNull();
    const pq = await parquetOf(rec.id, 'audio');
    expect(pq.kv['fieldsense.clock']).toBe('relative');
    expect(pq.kv['fieldsense.time_origin']).toBe('recording-start');
    expect(pq.firstTimes[0]).toBe('1970-01-01T00:00:00.000Z');
  });
});

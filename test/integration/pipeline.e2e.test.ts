import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, call, seedStudy, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('an upload goes end to end: API → object storage → workers → metadata', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;

  beforeAll(async () => {
    h = await startHarness();
    study = await seedStudy(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it('a real WAV (LIST and id3 chunks after data) ends ready with its stream, quality, segments and proposals', async () => {
    const bytes = readFileSync(path.join(ROOT, 'test/fixtures/pyaudioanalysis-speech/count2.wav'));
    const up = await upload(h, study.participantToken, bytes, 'count2.wav', { metadata: { device: { kind: 'phone', model: 'Pixel 7' }, timezone: 'Europe/Zurich' } });
    expect(up.status).toBe(201);
    expect(up.json.upload).toMatchObject({ filename: 'count2.wav', bytes: bytes.length, sha256: sha256(bytes) });
    expect(up.json.recording.status).toBe('queued');

    const rec = await waitForRecording(h, study.participantToken, up.json.recording.id);
    expect(rec.status).toBe('ready');
    expect(rec.format).toBe('wav');
    expect(rec.startTime).toBeNull();
    expect(rec.timezone).toBe('Europe/Zurich');
    expect(rec.device).toMatchObject({ kind: 'phone', model: 'Pixel 7' });
    expect(rec.streams).toHaveLength(1);
    const [s] = rec.streams;
    // Fixture README: 168,732 frames at 16 kHz, mono, 16-bit → 10.54575 s.
    expect(s).toMatchObject({ name: 'audio', kind: 'audio', unit: 'pcm', sampleRateHz: 16000, samples: 168_732, channels: ['mono'] });
    expect(s.measuredRateHz).toBeCloseTo(16000, 0);
    expect(rec.durationS).toBeCloseTo(10.54575, 3);
    expect(['ok', 'warn', 'bad']).toContain(rec.quality.status);
    const names = rec.quality.checks.map((c: { name: string }) => c.name);
    expect(names).toEqual(expect.arrayContaining(['sample_count', 'duration', 'sample_rate', 'gaps', 'clipping', 'missing_values']));
    expect(rec.pipelineVersion).toMatch(/^\d+\.\d+\.\d+$/);

    const seg = await call(h, study.annotatorToken, 'GET', `/v1/recordings/${rec.id}/segments`);
    expect(seg.status).toBe(200);
    const kinds = new Set(seg.json.items.map((x: { kind: string }) => x.kind));
    expect(kinds.has('session')).toBe(true);
    expect(kinds.has('sound')).toBe(true);
    expect(kinds.has('silence')).toBe(true);

    const ann = await call(h, study.annotatorToken, 'GET', `/v1/recordings/${rec.id}/annotations`);
    expect(ann.status).toBe(200);
    const sound = ann.json.items.filter((a: { label: string }) => a.label === 'sound');
    expect(sound.length).toBeGreaterThanOrEqual(3);
    for (const a of ann.json.items) {
      expect(a).toMatchObject({ source: 'auto', status: 'proposed' });
      expect(a.detector).toBeTruthy();
      expect(a.detectorVersion).toBeTruthy();
      expect(a.confidence).toBeGreaterThan(0);
      expect(a.confidence).toBeLessThanOrEqual(1);
    }
    // The counting voice: the first word is at 0.13–0.54 s (count2.segments), so a sound proposal covers 0.3 s.
    expect(sound.some((a: { startS: number; endS: number }) => a.startS <= 0.3 && a.endS >= 0.3)).toBe(true);
    // …and the long pause 8.5–10.0 s is not sound.
    expect(sound.some((a: { startS: number; endS: number }) => a.startS < 9.5 && a.endS > 9.0)).toBe(false);

    const raw = await fetch(`${h.baseUrl}/v1/recordings/${rec.id}/raw`, { headers: { authorization: `Bearer ${study.participantToken}` } });
    expect(raw.status).toBe(200);
    expect(sha256(new Uint8Array(await raw.arrayBuffer()))).toBe(sha256(bytes));

    // The samples endpoint reads the stored Parquet: all samples of the first 1 ms, then a reduced envelope.
    const first = await call(h, study.annotatorToken, 'GET', `/v1/recordings/${rec.id}/streams/audio/samples?fromS=0&toS=0.0003&maxPoints=100`);
    expect(first.status).toBe(200);
    expect(first.json.reduced).toBe(false);
    expect(first.json.t.slice(0, 5)).toEqual([0, 1 / 16000, 2 / 16000, 3 / 16000, 4 / 16000].map((x) => expect.closeTo(x, 9)));
    // README: the first samples are 0, 1, −1, 0, 0 (int16) → value / 32768.
    expect(first.json.channels.mono.slice(0, 5)).toEqual([0, 1 / 32768, -1 / 32768, 0, 0].map((x) => expect.closeTo(x, 9)));
    const whole = await call(h, study.annotatorToken, 'GET', `/v1/recordings/${rec.id}/streams/audio/samples?maxPoints=500`);
    expect(whole.json.reduced).toBe(true);
    expect(whole.json.channels.mono.length).toBeLessThanOrEqual(500);
    expect(whole.json.t.length).toBe(whole.json.channels.mono.length);
    // The envelope keeps the recording's true extremes (computed here from the file's own int16 samples).
    const pcm = new Int16Array(bytes.buffer.slice(bytes.byteOffset), 0, Math.floor((bytes.length) / 2));
    const dataAt = bytes.indexOf(Buffer.from('data')) + 8;
    let lo = 0;
    let hi = 0;
    for (let i = dataAt / 2; i < dataAt / 2 + 168_732; i++) {
      lo = Math.min(lo, pcm[i]!);
      hi = Math.max(hi, pcm[i]!);
    }
    expect(Math.min(...whole.json.channels.mono)).toBeCloseTo(lo / 32768, 6);
    expect(Math.max(...whole.json.channels.mono)).toBeCloseTo(hi / 32768, 6);
    // …and comes from the stored overview, not from reading every sample.
    const stream = await h.db.stream.findFirstOrThrow({ where: { recordingId: rec.id }, select: { lodKey: true } });
    expect(stream.lodKey).toMatch(/\.lod$/);
    expect(await h.store.size(stream.lodKey!)).toBeGreaterThan(0);
  });

  it('a Sensor Logger CSV keeps its nanosecond clock and its channels by name, and finds still and moving bouts', async () => {
    // 60 s at 100 Hz: 30 s lying still, then 30 s of a 2 Hz swing; columns in the app's order z,y,x.
    const startNs = 1_698_765_432_123_456_789n;
    const csv = sensorLoggerCsv({
      rows: 6000, rateHz: 100, startNs,
      value: (i) => (i < 3000
        ? [0.002 * Math.sin(i * 1.3), 0.002 * Math.cos(i * 0.7), 9.81]
        : [3 * Math.sin((2 * Math.PI * 2 * i) / 100), 1.5 * Math.cos((2 * Math.PI * 2 * i) / 100), 9.81 + 2 * Math.sin((2 * Math.PI * 2 * i) / 100)]),
    });
    const bytes = new TextEncoder().encode(csv);
    const up = await upload(h, study.participantToken, bytes, 'Accelerometer.csv');
    expect(up.status).toBe(201);
    const rec = await waitForRecording(h, h.adminToken, up.json.recording.id);
    expect(rec).toMatchObject({ status: 'ready', format: 'sensor-logger-csv' });
    // The recording starts at the first row's nanosecond time (ISO keeps ms).
    expect(rec.startTime).toBe(new Date(Number(startNs / 1_000_000n)).toISOString());
    expect(rec.streams).toHaveLength(1);
    expect(rec.streams[0]).toMatchObject({ name: 'accelerometer', kind: 'imu', unit: 'm/s^2', channels: ['x', 'y', 'z'], samples: 6000 });
    expect(rec.streams[0].measuredRateHz).toBeCloseTo(100, 1);
    expect(rec.durationS).toBeCloseTo(60, 1);
    expect(rec.quality.checks.find((c: { name: string }) => c.name === 'gaps').status).toBe('ok');

    // Channel x is x even though the file has z first.
    const s = await call(h, h.adminToken, 'GET', `/v1/recordings/${rec.id}/streams/accelerometer/samples?fromS=40&toS=40.05&maxPoints=100`);
    expect(s.json.reduced).toBe(false);
    expect(s.json.t[0]).toBeCloseTo(40, 6);
    expect(s.json.channels.x[0]).toBeCloseTo(3 * Math.sin((2 * Math.PI * 2 * 4000) / 100), 4);
    expect(s.json.channels.z[0]).toBeCloseTo(9.81 + 2 * Math.sin((2 * Math.PI * 2 * 4000) / 100), 4);

    const ann = (await call(h, h.adminToken, 'GET', `/v1/recordings/${rec.id}/annotations`)).json.items;
    // The first half is proposed `still`, the second half a moving class (walking, running or moving).
    const covered = (labels: string[], from: number, to: number): number => ann
      .filter((a: { label: string }) => labels.includes(a.label))
      .reduce((sum: number, a: { startS: number; endS: number }) => sum + Math.max(0, Math.min(to, a.endS) - Math.max(from, a.startS)), 0) / (to - from);
    expect(covered(['still'], 0, 25)).toBeGreaterThan(0.9);
    expect(covered(['walking', 'running', 'moving'], 35, 60)).toBeGreaterThan(0.9);
    expect(covered(['walking', 'running', 'moving'], 0, 25)).toBe(0);
    for (const a of ann) expect(a.detector).toBe('imu-activity');

    const raw = await fetch(`${h.baseUrl}/v1/recordings/${rec.id}/raw`, { headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(sha256(new Uint8Array(await raw.arrayBuffer()))).toBe(sha256(bytes));
  });

  it('the same bytes twice, and an Idempotency-Key retry, store one object and one upload row', async () => {
    const csv = new TextEncoder().encode(sensorLoggerCsv({ rows: 500, rateHz: 50 }));
    const a = await upload(h, study.participantToken, csv, 'Gyroscope.csv', { idempotencyKey: 'retry-key-1' });
    expect(a.status).toBe(201);
    const b = await upload(h, study.participantToken, csv, 'Gyroscope.csv', { idempotencyKey: 'retry-key-1' });
    expect(b.status).toBe(200);
    const c = await upload(h, study.participantToken, csv, 'Gyroscope-copy.csv');
    expect(c.status).toBe(200);
    for (const x of [b, c]) {
      expect(x.json.upload.id).toBe(a.json.upload.id);
      expect(x.json.recording.id).toBe(a.json.recording.id);
    }
    const rows = await h.db.upload.count({ where: { participantId: study.participantId, sha256: sha256(csv) } });
    expect(rows).toBe(1);
    expect(await h.db.recording.count({ where: { uploadId: a.json.upload.id } })).toBe(1);
    const objects = await h.store.list(`raw/${study.studyId}/${study.participantId}/`);
    const withThisHash: string[] = [];
    for (const key of objects) {
      const body = await h.store.getBytes(key);
      if (sha256(body) === sha256(csv)) withThisHash.push(key);
    }
    expect(withThisHash).toEqual([`raw/${study.studyId}/${study.participantId}/${a.json.upload.id}`]);

    // The same key with different bytes is a conflict, and leaves no object behind.
    const before = (await h.store.list(`raw/${study.studyId}/${study.participantId}/`)).length;
    const d = await upload(h, study.participantToken, new TextEncoder().encode(sensorLoggerCsv({ rows: 10, rateHz: 50 })), 'Other.csv', { idempotencyKey: 'retry-key-1' });
    expect(d.status).toBe(422);
    expect(d.json.error.code).toBe('idempotency_key_reused');
    expect(d.json.error.details.uploadId).toBe(a.json.upload.id);
    expect((await h.store.list(`raw/${study.studyId}/${study.participantId}/`)).length).toBe(before);
  });
});

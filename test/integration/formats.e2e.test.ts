import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wavInt16 } from '../../src/formats/audio/audio.test-support.js';
import { call, fixture, ingestReady, seedStudy, startHarness, waitForRecording, type Harness } from '../helpers/harness.js';

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
    const rec = await ingestReady(h, study.participantToken, fixture('motionsense-coremotion/wlk_15/sub_1.csv'), 'sub_1.csv');
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

  it('FLAC (libFLAC) and ALAC in M4A (ffmpeg over ranged reads of the stored object): bit-exact audio, stored and summarised', async () => {
    const source = wavInt16(fixture('pyroomacoustics-samples/cmu_arctic_us_aew_a0001.wav'));
    for (const name of ['speech.flac', 'speech-alac.m4a']) {
      const rec = await ingestReady(h, study.participantToken, fixture(`generated-audio/${name}`), name);
      expect(rec.format, name).toBe('audio-codec');
      expect(rec.streams, name).toHaveLength(1);
      expect(rec.streams[0], name).toMatchObject({ name: 'audio', unit: 'pcm', samples: source.length, channels: ['mono'] });
      expect(rec.streams[0].measuredRateHz, name).toBeCloseTo(16_000, 3);
      expect(rec.warnings, name).toEqual([]);
      // 32 samples from 1.0 s, read back from the stored Parquet: the source's int16 values / 32768.
      const s = await call(h, study.participantToken, 'GET', `/v1/recordings/${rec.id}/streams/audio/samples?fromS=1&toS=1.00199&maxPoints=100`);
      expect(s.json.reduced).toBe(false);
      expect(s.json.channels.mono).toEqual(Array.from(source.subarray(16_000, 16_032), (v) => v / 32768));
      expect(s.json.t[31]).toBeCloseTo(1 + 31 / 16_000, 9);
      // The whole recording from the overview keeps the true extremes.
      const whole = await call(h, study.participantToken, 'GET', `/v1/recordings/${rec.id}/streams/audio/samples?maxPoints=200`);
      expect(whole.json.reduced).toBe(true);
      expect(Math.max(...(whole.json.channels.mono as number[]))).toBe(Math.max(...source) / 32768);
      expect(Math.min(...(whole.json.channels.mono as number[]))).toBe(Math.min(...source) / 32768);
    }
  });

  it('a FLAC with a damaged frame: the worker resumes at the next good frame (ranged reads of the stored object), a flagged gap, exact times after it', async () => {
    const source = wavInt16(fixture('pyroomacoustics-samples/cmu_arctic_us_aew_a0001.wav'));
    const damaged = fixture('generated-audio/speech.flac').slice();
    damaged.fill(0x5a, 40_000, 44_000);
    const rec = await ingestReady(h, study.participantToken, damaged, 'damaged.flac');
    expect(rec.warnings.map((w: { code: string }) => w.code)).toEqual(['audio_damaged_frames']);
    const lost = source.length - rec.streams[0].samples;
    expect(lost).toBe(4096); // one frame
    expect(rec.quality.checks.find((c: { name: string }) => c.name === 'gaps').status).not.toBe('ok');
    // The last 32 samples, read back from the stored Parquet at their own times: the source's last 32.
    const end = source.length / 16_000;
    const s = await call(h, study.participantToken, 'GET', `/v1/recordings/${rec.id}/streams/audio/samples?fromS=${end - 32 / 16_000 - 1e-6}&toS=${end}&maxPoints=100`);
    expect(s.json.reduced).toBe(false);
    expect(s.json.channels.mono).toEqual(Array.from(source.subarray(source.length - 32), (v) => v / 32768));
  });

  it('a phyphox-style CSV with quoted headers and units', async () => {
    const lines = ['"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)"'];
    for (let i = 0; i < 2000; i++) lines.push(`${(i * 0.01).toExponential(9)},${(0.1 * Math.sin(i / 10)).toFixed(5)},${(0.2).toFixed(5)},${(9.81).toFixed(5)}`);
    const rec = await ingestReady(h, study.participantToken, new TextEncoder().encode(`${lines.join('\r\n')}\r\n`), 'Raw Data.csv');
    expect(rec.format).toBe('generic-delimited');
    expect(rec.streams).toHaveLength(1);
    expect(rec.streams[0]).toMatchObject({ unit: 'm/s^2', samples: 2000, channels: ['x', 'y', 'z'] });
    expect(rec.streams[0].measuredRateHz).toBeCloseTo(100, 3);
  });
});

describe('several files of one session in one upload', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  beforeAll(async () => {
    h = await startHarness();
    study = await seedStudy(h);
  });
  afterAll(async () => {
    await h.close();
  });

  /** Sensor Logger-style CSVs of one session: same clock, different sensors. */
  function sessionFiles(): { name: string; bytes: Uint8Array }[] {
    const start = 1_745_000_000_000_000_000n;
    const csv = (rows: number, f: (i: number) => [number, number, number]): Uint8Array => {
      const lines = ['time,seconds_elapsed,z,y,x'];
      for (let i = 0; i < rows; i++) {
        const [x, y, z] = f(i);
        lines.push(`${start + BigInt(i) * 10_000_000n},${(i / 100).toFixed(2)},${z},${y},${x}`);
      }
      return new TextEncoder().encode(`${lines.join('\n')}\n`);
    };
    return [
      { name: 'Accelerometer.csv', bytes: csv(3000, (i) => [Math.sin(i / 10), 0, 9.81]) },
      { name: 'Gyroscope.csv', bytes: csv(2000, (i) => [0.1 * Math.cos(i / 7), 0, 0]) },
    ];
  }

  async function send(files: { name: string; bytes: Uint8Array }[]): Promise<{ status: number; json: any }> {
    const form = new FormData();
    for (const f of files) form.append('file', new Blob([f.bytes]), f.name);
    const res = await fetch(`${h.baseUrl}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${study.participantToken}` }, body: form });
    return { status: res.status, json: await res.json() };
  }

  it('become one recording with a stream per file on one time axis; the same files again are the same upload', async () => {
    const files = sessionFiles();
    const up = await send(files);
    expect(up.status, JSON.stringify(up.json)).toBe(201);
    expect(up.json.upload.filename).toBe('2 files.zip');
    const rec = await waitForRecording(h, study.participantToken, up.json.recording.id);
    expect(rec.status, JSON.stringify(rec.error)).toBe('ready');
    // Sensor Logger's per-sensor CSVs sent together are its export, whether zipped by the app or by the upload.
    expect(rec.format).toBe('sensor-logger-zip');
    const byName = Object.fromEntries(rec.streams.map((s: { name: string }) => [s.name, s]));
    expect(byName.accelerometer).toMatchObject({ samples: 3000, sourceFile: 'Accelerometer.csv', startS: 0 });
    expect(byName.gyroscope).toMatchObject({ samples: 2000, sourceFile: 'Gyroscope.csv', startS: 0 });
    expect(rec.durationS).toBeCloseTo(30, 1);

    const again = await send(files);
    expect(again.status).toBe(200);
    expect(again.json.recording.id).toBe(rec.id);
    // Only the archive is kept: no part objects are left behind.
    const keys = await h.store.list(`raw/${study.studyId}/${study.participantId}/`);
    expect(keys).toEqual([`raw/${study.studyId}/${study.participantId}/${up.json.upload.id}`]);
    // The raw download is the archive, which holds each file byte for byte.
    const raw = new Uint8Array(await (await fetch(`${h.baseUrl}/v1/recordings/${rec.id}/raw`, { headers: { authorization: `Bearer ${study.participantToken}` } })).arrayBuffer());
    expect(Buffer.from(raw.subarray(0, 4)).toString('hex')).toBe('504b0304');
    for (const f of files) expect(Buffer.from(raw).indexOf(Buffer.from(f.bytes))).toBeGreaterThan(0);
  });
});

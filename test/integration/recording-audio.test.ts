import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fmt, int16Data, riff, wavInt16 } from '../../src/formats/audio/audio.test-support.js';
import { RecordingsRepository } from '../../src/repositories/recordings.repository.js';
import { UploadsRepository } from '../../src/repositories/uploads.repository.js';
import { AlignmentsRepository } from '../../src/repositories/alignments.repository.js';
import { RecordingsService } from '../../src/services/recordings.service.js';
import { RecordingAudioService } from '../../src/services/recording-audio.service.js';
import { call, fixture, ingestReady, seedStudy, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';
import { expectMatchesContract } from '../helpers/contract.js';

/** A WAV answer taken apart: the header's fields and the samples. */
interface Wav { status: number; contentType: string | null; contentLength: number; bytes: number; rate: number; channels: number; bits: number; format: number; dataBytes: number; samples: Int16Array }

function parseWav(b: Uint8Array): Omit<Wav, 'status' | 'contentType' | 'contentLength' | 'bytes'> {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const text = (o: number): string => String.fromCharCode(...b.subarray(o, o + 4));
  expect([text(0), text(8), text(12), text(36)]).toEqual(['RIFF', 'WAVE', 'fmt ', 'data']);
  expect(dv.getUint32(4, true)).toBe(b.length - 8);
  expect(dv.getUint32(16, true)).toBe(16);
  const dataBytes = dv.getUint32(40, true);
  expect(dataBytes).toBe(b.length - 44);
  return {
    format: dv.getUint16(20, true), channels: dv.getUint16(22, true), rate: dv.getUint32(24, true), bits: dv.getUint16(34, true), dataBytes,
    samples: Int16Array.from({ length: dataBytes / 2 }, (_, i) => dv.getInt16(44 + 2 * i, true)),
  };
}

const SPEECH = fixture('pyaudioanalysis-speech/count.wav');
/** count.wav: 93,888 frames of 16 kHz mono s16 speech (test/fixtures/pyaudioanalysis-speech/README.md). */
const truth = wavInt16(SPEECH);

describe('audio by time range (GET /v1/recordings/:id/streams/:name/audio)', () => {
  let h: Harness;
  let s: Awaited<ReturnType<typeof seedStudy>>;
  let other: Awaited<ReturnType<typeof seedStudy>>;
  let recId: string;
  let stream: string;
  let imuId: string;

  const audioOf = async (token: string, query: string, id = recId, name = stream): Promise<Wav & { json?: any }> => {
    const p = `/v1/recordings/${id}/streams/${name}/audio?${query}`;
    const res = await fetch(`${h.baseUrl}${p}`, { headers: { authorization: `Bearer ${token}` } });
    const contentType = res.headers.get('content-type');
    const body = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200) {
      const json = JSON.parse(new TextDecoder().decode(body)) as unknown;
      await expectMatchesContract(h, 'GET', p, res.status, json, contentType);
      return { status: res.status, contentType, json } as Wav & { json: any };
    }
    await expectMatchesContract(h, 'GET', p, res.status, null, contentType);
    return { status: res.status, contentType, contentLength: Number(res.headers.get('content-length')), bytes: body.length, ...parseWav(body) };
  };

  beforeAll(async () => {
    h = await startHarness({ workers: false });
    s = await seedStudy(h);
    other = await seedStudy(h);
    const up = await upload(h, s.participantToken, SPEECH, 'count.wav');
    expect(up.status).toBe(201);
    recId = up.json.recording.id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 409 recording_not_ready while the recording waits for processing', async () => {
    const w = await audioOf(s.participantToken, 'fromS=0&toS=1', recId, 'audio');
    expect(w.status).toBe(409);
    expect(w.json.error.code).toBe('recording_not_ready');
    expect(w.json.error.details.status).toBe('queued');
  });

  it('once ready: a window at the stream\'s rate is the stored samples themselves, with an exact Content-Length', async () => {
    await h.startWorkers();
    const rec = await waitForRecording(h, s.participantToken, recId, { timeoutMs: 120_000 });
    expect(rec.status).toBe('ready');
    stream = rec.streams.find((x: { kind: string }) => x.kind === 'audio').name;
    expect(rec.streams.find((x: { name: string }) => x.name === stream).samples).toBe(truth.length);

    const w = await audioOf(s.annotatorToken, 'fromS=1.25&toS=3.5');
    expect(w.status).toBe(200);
    expect(w.contentType).toBe('audio/wav');
    expect({ format: w.format, channels: w.channels, bits: w.bits, rate: w.rate }).toEqual({ format: 1, channels: 1, bits: 16, rate: 16000 });
    expect(w.samples.length).toBe(Math.round((3.5 - 1.25) * 16000));
    expect(w.contentLength).toBe(44 + 2 * w.samples.length);
    expect(w.bytes).toBe(w.contentLength);
    // Sample k is at fromS + k/rate: frame 20,000 + k of the file.
    let worst = 0;
    for (let k = 0; k < w.samples.length; k++) worst = Math.max(worst, Math.abs(w.samples[k]! - truth[20_000 + k]!));
    expect(worst).toBeLessThanOrEqual(1);
    expect(w.samples.some((v) => Math.abs(v) > 1000)).toBe(true);
  });

  it('agrees with the samples route at full resolution, within one LSB', async () => {
    const fromS = 2.0;
    const toS = 2.2;
    const raw = await call(h, s.annotatorToken, 'GET', `/v1/recordings/${recId}/streams/${stream}/samples?fromS=${fromS}&toS=${toS}&maxPoints=100000`);
    expect(raw.status).toBe(200);
    expect(raw.json.reduced).toBe(false);
    const values = Object.values(raw.json.channels as Record<string, number[]>)[0]!;
    const w = await audioOf(s.annotatorToken, `fromS=${fromS}&toS=${toS}`);
    expect(w.samples.length).toBe(3200);
    let compared = 0;
    (raw.json.t as number[]).forEach((t, i) => {
      const k = Math.round((t - fromS) * 16000);
      if (k >= w.samples.length) return;
      expect(Math.abs(w.samples[k]! - values[i]! * 32768), `t=${t}`).toBeLessThanOrEqual(1);
      compared++;
    });
    expect(compared).toBe(3200);
  });

  it('a lower rate: the right length and rate, the same speech (low-passed, so it follows the original closely)', async () => {
    const w = await audioOf(s.participantToken, 'fromS=0.5&toS=4.75&rate=8000');
    expect(w.status).toBe(200);
    expect(w.rate).toBe(8000);
    expect(w.samples.length).toBe(Math.round(4.25 * 8000));
    expect(w.contentLength).toBe(44 + 2 * w.samples.length);
    // Output k is at 0.5 s + k/8000 s: frame 8000 + 2k of the original. Speech is mostly below 4 kHz, so the
    // filtered signal stays close to those frames (correlation), and its level stays that of the original.
    let sab = 0; let saa = 0; let sbb = 0;
    for (let k = 0; k < w.samples.length; k++) {
      const a = w.samples[k]!; const b = truth[8000 + 2 * k]!;
      sab += a * b; saa += a * a; sbb += b * b;
    }
    expect(sab / Math.sqrt(saa * sbb)).toBeGreaterThan(0.9);
    expect(Math.sqrt(saa / sbb)).toBeGreaterThan(0.8);
    const odd = await audioOf(s.participantToken, 'fromS=1&toS=1.3333&rate=11025');
    expect(odd.rate).toBe(11025);
    expect(odd.samples.length).toBe(Math.round(0.3333 * 11025));
  });

  it('time past the recording\'s end is silence, so the WAV keeps the recording\'s time axis', async () => {
    const w = await audioOf(s.participantToken, 'fromS=5&toS=7');
    expect(w.samples.length).toBe(32_000);
    const inside = truth.length - 80_000;
    for (let k = 0; k < inside; k++) expect(Math.abs(w.samples[k]! - truth[80_000 + k]!)).toBeLessThanOrEqual(1);
    expect(w.samples.subarray(inside).every((v) => v === 0)).toBe(true);
    // Without toS: to the recording's end (the whole file here); from past the end, an empty WAV.
    const whole = await audioOf(s.participantToken, 'fromS=0');
    expect(whole.samples.length).toBe(truth.length);
    expect(whole.samples.every((v, i) => Math.abs(v - truth[i]!) <= 1)).toBe(true);
    const after = await audioOf(s.participantToken, 'fromS=10');
    expect([after.status, after.samples.length, after.contentLength]).toEqual([200, 0, 44]);
  });

  it('refuses what it cannot answer: reversed, too long, bad rate, not audio, no such stream, other callers', async () => {
    const reversed = await audioOf(s.participantToken, 'fromS=3&toS=2');
    expect([reversed.status, reversed.json.error.code]).toEqual([400, 'validation_failed']);
    const long = await audioOf(s.participantToken, 'fromS=0&toS=600.5');
    expect([long.status, long.json.error.code]).toEqual([422, 'audio_window_too_long']);
    expect((await audioOf(s.participantToken, 'fromS=0&toS=600')).status).toBe(200);
    for (const rate of ['4000', '96000', '8000.5']) {
      const bad = await audioOf(s.participantToken, `fromS=0&toS=1&rate=${rate}`);
      expect([bad.status, bad.json.error.code], rate).toEqual([400, 'validation_failed']);
    }
    const missing = await audioOf(s.participantToken, 'fromS=0&toS=1', recId, 'gyroscope');
    expect([missing.status, missing.json.error.code]).toEqual([404, 'stream_not_found']);
    expect((await audioOf(other.annotatorToken, 'fromS=0&toS=1')).status).toBe(404);

    const imu = await ingestReady(h, s.participantToken, new TextEncoder().encode(sensorLoggerCsv({ rows: 500, rateHz: 100 })), 'Accelerometer.csv');
    imuId = imu.id;
    const notAudio = await audioOf(s.participantToken, 'fromS=0&toS=1', imuId, imu.streams[0].name);
    expect([notAudio.status, notAudio.json.error.code]).toEqual([422, 'stream_not_audio']);
  });
});

describe('audio by time range: streamed a piece at a time', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('reads the stored row groups as the answer is consumed, not the whole window first', async () => {
    const s = await seedStudy(h);
    // 200 s at 8 kHz: 1.6 M rows, several row groups of the stored Parquet file.
    const frames = 8000 * 200;
    const samples = Array.from({ length: frames }, (_, i) => Math.round(8000 * Math.sin(i / 5)));
    const rec = await ingestReady(h, s.participantToken, riff([fmt({ rate: 8000, channels: 1, bits: 16 }), int16Data(samples)]), 'long.wav');
    let reads = 0;
    const counting = new Proxy(h.store, {
      get(target, key, receiver) {
        if (key !== 'asyncBuffer') return Reflect.get(target, key, receiver) as unknown;
        return async (k: string) => {
          const b = await target.asyncBuffer(k);
          return { ...b, slice: (a: number, z?: number) => { reads++; return b.slice(a, z); } };
        };
      },
    });
    const recordings = new RecordingsService(new RecordingsRepository(h.db), new UploadsRepository(h.db), counting, () => undefined, new AlignmentsRepository(h.db));
    const w = await new RecordingAudioService(recordings).window({ kind: 'admin' }, rec.id, rec.streams[0].name, { fromS: 0, toS: 200 });
    expect(w.bytes).toBe(44 + 2 * frames);
    const it = w.body[Symbol.asyncIterator]();
    let got = 0;
    while (got < 64 * 1024) got += (await it.next()).value!.length;
    const early = reads;
    let all = 0;
    for (let r = await it.next(); !r.done; r = await it.next()) all += r.value.length;
    expect(got + all).toBe(w.bytes);
    // The footer, then a row group and the two read ahead: a fraction of the file's reads.
    expect(early).toBeLessThanOrEqual(5);
    expect(reads).toBeGreaterThan(early + 2);
  });
});

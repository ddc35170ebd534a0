import { createHash } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, seedStudy, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';
import { expectMatchesContract } from '../helpers/contract.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A 16-bit PCM WAV; `dataSizeField` lets a test make the header lie. */
function wav(opts: { frames: number; rate?: number; channels?: number; dataSizeField?: number; riffSizeField?: number }): Uint8Array {
  const channels = opts.channels ?? 1;
  const rate = opts.rate ?? 8000;
  const dataBytes = opts.frames * channels * 2;
  const b = Buffer.alloc(44 + dataBytes);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(opts.riffSizeField ?? 36 + dataBytes, 4);
  b.write('WAVE', 8, 'ascii');
  b.write('fmt ', 12, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * channels * 2, 28);
  b.writeUInt16LE(channels * 2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(opts.dataSizeField ?? dataBytes, 40);
  for (let i = 0; i < opts.frames * channels; i++) b.writeInt16LE(Math.round(8000 * Math.sin(i / 5)), 44 + i * 2);
  return new Uint8Array(b);
}

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0]);

describe('bad input gets a clear outcome, and accepted bytes are kept', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  const rawPrefix = (): string => `raw/${study.studyId}/${study.participantId}/`;

  beforeAll(async () => {
    h = await startHarness({ env: { UPLOAD_MAX_BYTES: String(2 * 1024 * 1024), UPLOAD_MAX_FIELD_BYTES: '1024', UPLOAD_MAX_FILES: '3' } });
    study = await seedStudy(h);
  });
  afterAll(async () => {
    await h.close();
  });

  async function expectRejected(bytes: Uint8Array, filename: string, code: string): Promise<any> {
    const up = await upload(h, study.participantToken, bytes, filename);
    expect(up.status).toBe(201);
    const rec = await waitForRecording(h, study.participantToken, up.json.recording.id);
    expect(rec.status).toBe('rejected');
    expect(rec.error.code).toBe(code);
    expect(rec.error.message.length).toBeGreaterThan(20);
    // The raw bytes stay, byte for byte.
    const raw = await fetch(`${h.baseUrl}/v1/recordings/${rec.id}/raw`, { headers: { authorization: `Bearer ${study.participantToken}` } });
    expect(raw.status).toBe(200);
    expect(sha256(new Uint8Array(await raw.arrayBuffer()))).toBe(sha256(bytes));
    return rec;
  }

  it('a PNG named .wav is recognised by content: rejected format_unrecognized, listing what is supported', async () => {
    const rec = await expectRejected(PNG, 'recording.wav', 'format_unrecognized');
    expect(rec.error.message).toMatch(/WAV/i);
    expect(rec.error.message).toMatch(/Sensor Logger/i);
  });

  it('an empty file is refused at once with 422 file_empty and leaves no object', async () => {
    const up = await upload(h, study.participantToken, new Uint8Array(0), 'Accelerometer.csv');
    expect(up.status).toBe(422);
    expect(up.json.error.code).toBe('file_empty');
    expect(await h.db.upload.count({ where: { participantId: study.participantId, bytes: 0n } })).toBe(0);
    const keys = await h.store.list(rawPrefix());
    for (const k of keys) expect(await h.store.size(k)).toBeGreaterThan(0);
  });

  it('a CSV with a wrong column count at line 5,001 is rejected naming that line', async () => {
    const lines = sensorLoggerCsv({ rows: 6000, rateHz: 100, startNs: 1_600_000_000_000_000_000n }).split('\n');
    lines[5000] = `${lines[5000]},7.5`; // line 5,001 of the file (the header is line 1)
    const rec = await expectRejected(new TextEncoder().encode(lines.join('\n')), 'Accelerometer.csv', 'csv_column_count');
    expect(rec.error.message).toContain('5001');
  });

  it('a WAV whose size fields lie is read up to what is there, with a warning', async () => {
    const bytes = wav({ frames: 4000, dataSizeField: 0xffffffff, riffSizeField: 0xffffffff });
    const up = await upload(h, study.participantToken, bytes, 'lying.wav');
    expect(up.status).toBe(201);
    const rec = await waitForRecording(h, study.participantToken, up.json.recording.id);
    expect(rec.status).toBe('ready');
    expect(rec.streams[0].samples).toBe(4000);
    expect(rec.durationS).toBeCloseTo(0.5, 3);
    expect(rec.warnings.map((w: { code: string }) => w.code)).toContain('wav_size_mismatch');
  });

  it('a WAV cut inside its header is rejected wav_invalid', async () => {
    await expectRejected(wav({ frames: 10 }).slice(0, 30), 'cut.wav', 'wav_invalid');
  });

  it('requests that break the multipart rules get the contract\'s 4xx and store nothing', async () => {
    /** The JSON of an upload answer, which must be what the contract declares for its status. */
    const answer = async (res: Response): Promise<any> => {
      const json: unknown = await res.json();
      await expectMatchesContract(h, 'POST', '/v1/uploads', res.status, json, res.headers.get('content-type'));
      return json;
    };
    const before = (await h.store.list(rawPrefix())).length;
    const rowsBefore = await h.db.upload.count({ where: { participantId: study.participantId } });

    const notMultipart = await fetch(`${h.baseUrl}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${study.participantToken}`, 'content-type': 'application/octet-stream' }, body: new Uint8Array(10) });
    expect(notMultipart.status).toBe(415);
    expect((await answer(notMultipart)).error.code).toBe('unsupported_media_type');

    const tooBig = await upload(h, study.participantToken, new Uint8Array(3 * 1024 * 1024).fill(7), 'big.wav');
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.error.code).toBe('file_too_large');

    const noFile = new FormData();
    noFile.append('metadata', '{}');
    const r1 = await fetch(`${h.baseUrl}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${study.participantToken}` }, body: noFile });
    expect(r1.status).toBe(400);
    expect((await answer(r1)).error.code).toBe('missing_file');

    const fourFiles = new FormData();
    for (let i = 0; i < 4; i++) fourFiles.append('file', new Blob([new Uint8Array(100).fill(i + 1)]), `f${i}.csv`);
    const r2 = await fetch(`${h.baseUrl}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${study.participantToken}` }, body: fourFiles });
    expect(r2.status).toBe(413);
    expect((await answer(r2)).error.code).toBe('too_many_files');

    const wrongPart = new FormData();
    wrongPart.append('recording', new Blob([new Uint8Array(100).fill(3)]), 'a.csv');
    const r3 = await fetch(`${h.baseUrl}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${study.participantToken}` }, body: wrongPart });
    expect(r3.status).toBe(400);
    expect((await answer(r3)).error.code).toBe('unexpected_field');

    const hugeMeta = await upload(h, study.participantToken, new Uint8Array(100).fill(4), 'a.csv', { metadata: { note: 'x'.repeat(5000) } });
    expect(hugeMeta.status).toBe(413);
    expect(hugeMeta.json.error.code).toBe('field_too_large');

    const badMeta = await upload(h, study.participantToken, new Uint8Array(100).fill(5), 'a.csv', { metadata: { device: { kind: 'toaster' } } });
    expect(badMeta.status).toBe(400);
    expect(badMeta.json.error.code).toBe('validation_failed');
    expect(badMeta.json.error.message).toContain('device.kind');

    expect((await h.store.list(rawPrefix())).length).toBe(before);
    expect(await h.db.upload.count({ where: { participantId: study.participantId } })).toBe(rowsBefore);
  });

  it('a client that aborts mid-upload leaves no object and no row, and the server carries on', async () => {
    const before = (await h.store.list(rawPrefix())).length;
    const rowsBefore = await h.db.upload.count({ where: { participantId: study.participantId } });
    const boundary = '----fieldsense-abort';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="long.csv"\r\nContent-Type: text/csv\r\n\r\n`;
    await new Promise<void>((resolve) => {
      const req = http.request(`${h.baseUrl}/v1/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${study.participantToken}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(1900 * 1024) },
      });
      req.on('error', () => resolve());
      req.on('response', () => resolve());
      req.write(head);
      req.write(Buffer.alloc(1024 * 1024, 65));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 300);
    });
    // Give the server a moment to notice and clean up, then check nothing was kept.
    for (let i = 0; i < 50; i++) {
      if ((await h.store.list(rawPrefix())).length === before) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await h.store.list(rawPrefix())).length).toBe(before);
    expect(await h.db.upload.count({ where: { participantId: study.participantId } })).toBe(rowsBefore);
    const health = await call(h, study.participantToken, 'GET', '/healthz');
    expect(health.status).toBe(200);
    const ok = await upload(h, study.participantToken, new TextEncoder().encode(sensorLoggerCsv({ rows: 50, rateHz: 50, startNs: 1_650_000_000_000_000_000n })), 'Gravity.csv');
    expect(ok.status).toBe(201);
  });
});

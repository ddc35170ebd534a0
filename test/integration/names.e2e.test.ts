import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildZip } from '../../src/formats/archive/zip-writer.test-support.js';
import { call, ingestReady, seedStudy, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';

/**
 * Names from user text end to end: long file names and archive entry names never reach the object store
 * as key segments, never take down a service, and UTF-8 file names come back as sent, in NFC.
 */
describe('names from user text are bounded and safe', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  let n = 0;

  beforeAll(async () => {
    h = await startHarness();
    study = await seedStudy(h);
  });
  afterAll(async () => {
    await h.close();
  });

  /** A small Sensor Logger CSV of its own (different bytes each time, so no upload is a duplicate). */
  function csv(): string {
    const k = ++n;
    return sensorLoggerCsv({ rows: 400, rateHz: 100, startNs: 1_700_000_000_000_000_000n + BigInt(k) * 3_600_000_000_000n, value: (i) => [0.01 * Math.sin(i + k), 0.02, 9.81] });
  }

  /** The platform still works: the object store answers, and a new upload is processed to `ready`. */
  async function stillUp(): Promise<void> {
    await h.store.ping();
    const ready = await fetch(`${h.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    await ingestReady(h, study.participantToken, new TextEncoder().encode(csv()), 'Accelerometer.csv');
  }

  /** Every stream has a valid name and its object keys were written (the samples endpoint reads them). */
  async function streamsReadable(rec: any): Promise<void> {
    expect(rec.streams.length).toBeGreaterThan(0);
    for (const s of rec.streams as { name: string; sourceFile?: string }[]) {
      expect(s.name).toMatch(/^[a-z0-9_]{1,64}$/);
      if (s.sourceFile !== undefined) expect(s.sourceFile.length).toBeLessThanOrEqual(200);
      const w = await call(h, study.participantToken, 'GET', `/v1/recordings/${rec.id}/streams/${s.name}/samples?maxPoints=100`);
      expect(w.status, JSON.stringify(w.json)).toBe(200);
      expect(w.json.t.length).toBeGreaterThan(0);
    }
  }

  it('a 240-character file name: stored bounded with its extension, its stream named safely, the platform unharmed', async () => {
    const name = `${'A'.repeat(236)}.csv`;
    const rec = await ingestReady(h, study.participantToken, new TextEncoder().encode(csv()), name);
    const up = await call(h, study.participantToken, 'GET', `/v1/uploads/${rec.uploadId}`);
    expect(Buffer.byteLength(up.json.upload.filename)).toBeLessThanOrEqual(200);
    expect(up.json.upload.filename).toMatch(/^A+\.csv$/);
    await streamsReadable(rec);
    await stillUp();
  });

  it('a ZIP whose entry names are 10,000 characters: ready with bounded names, the platform unharmed', async () => {
    const entry = `${'B'.repeat(10_000)}.csv`;
    const zip = buildZip([{ name: entry, data: csv(), method: 'deflate' }, { name: `session/${'c'.repeat(10_000)}/Gyroscope.csv`, data: csv() }]);
    const up = await upload(h, study.participantToken, zip, 'long-names.zip');
    expect(up.status, JSON.stringify(up.json)).toBe(201);
    const rec = await waitForRecording(h, study.participantToken, up.json.recording.id, { timeoutMs: 120_000 });
    // The names are labels only: the archive is read, its streams get bounded names, its labels are bounded.
    expect(rec.status, JSON.stringify(rec.error)).toBe('ready');
    await streamsReadable(rec);
    expect(rec.streams.length).toBe(2);
    expect(JSON.stringify(rec.warnings).length).toBeLessThan(20_000);
    await stillUp();
  });

  it('several files in one upload, with a 240-character name and an NFD name: one archive, ready, names clean', async () => {
    const form = new FormData();
    form.append('file', new Blob([csv()]), `${'D'.repeat(236)}.csv`);
    form.append('file', new Blob([csv()]), 'Gyro\u0308scope.csv'.normalize('NFD'));
    const res = await fetch(`${h.baseUrl}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${study.participantToken}` }, body: form });
    const up = (await res.json()) as any;
    expect(res.status, JSON.stringify(up)).toBe(201);
    const rec = await waitForRecording(h, study.participantToken, up.recording.id, { timeoutMs: 120_000 });
    expect(rec.status, JSON.stringify(rec.error)).toBe('ready');
    await streamsReadable(rec);
    // The archive's entries are the cleaned names; the streams say which file they came from.
    const sources = new Set((rec.streams as { sourceFile?: string }[]).map((x) => x.sourceFile));
    expect(sources).toContain('Gyröscope.csv'.normalize('NFC'));
    expect(sources).toContain(`${'D'.repeat(196)}.csv`);
    await stillUp();
  });

  it('the embedded object store refuses a key segment too long for its disk instead of dying of it', async () => {
    const key = `derived/x/streams/${'e'.repeat(255)}.parquet`;
    await expect(h.store.putBytes(key, 'x')).rejects.toMatchObject({ name: 'KeyTooLongError' });
    await h.store.ping();
    await h.store.putBytes('derived/x/streams/short.parquet', 'x');
    expect(await h.store.getBytes('derived/x/streams/short.parquet')).toEqual(new TextEncoder().encode('x'));
    await h.store.delete('derived/x/streams/short.parquet');
  });

  /** Posts one file part whose filename parameter is these raw bytes (as browsers and curl send UTF-8 names). */
  async function uploadWithRawName(filename: Buffer, data: string): Promise<{ status: number; json: any }> {
    const boundary = `----fieldsense${randomBytes(8).toString('hex')}`;
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="`),
      filename,
      Buffer.from(`"\r\nContent-Type: text/csv\r\n\r\n${data}\r\n--${boundary}--\r\n`),
    ]);
    const res = await fetch(`${h.baseUrl}/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${study.participantToken}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    return { status: res.status, json: (await res.json()) as any };
  }

  it('über.csv sent in NFD and in NFC (raw UTF-8 bytes) is kept as über.csv in NFC and downloaded under that name', async () => {
    for (const form of ['NFD', 'NFC'] as const) {
      const sent = Buffer.from('über.csv'.normalize(form), 'utf8');
      expect(sent.length).toBe(form === 'NFD' ? 10 : 9);
      const up = await uploadWithRawName(sent, csv());
      expect(up.status, JSON.stringify(up.json)).toBe(201);
      expect(up.json.upload.filename, form).toBe('über.csv'.normalize('NFC'));
      const again = await call(h, study.participantToken, 'GET', `/v1/uploads/${up.json.upload.id}`);
      expect(again.json.upload.filename).toBe('über.csv'.normalize('NFC'));
      const raw = await fetch(`${h.baseUrl}/v1/recordings/${up.json.recording.id}/raw`, { headers: { authorization: `Bearer ${h.adminToken}` } });
      expect(raw.status).toBe(200);
      await raw.arrayBuffer();
      const disposition = raw.headers.get('content-disposition');
      expect(disposition, form).toBe(`attachment; filename="uber.csv"; filename*=UTF-8''%C3%BCber.csv`);
      expect(decodeURIComponent(disposition!.split("UTF-8''")[1]!)).toBe('über.csv'.normalize('NFC'));
      const rec = await waitForRecording(h, study.participantToken, up.json.recording.id);
      expect(rec.status, JSON.stringify(rec.error)).toBe('ready');
    }
  });

  it('a file name with a tab, an RTL override and a path is stored clean', async () => {
    const up = await upload(h, study.participantToken, new TextEncoder().encode(csv()), '../../x\ty\u202Egnp.csv');
    expect(up.status, JSON.stringify(up.json)).toBe(201);
    expect(up.json.upload.filename).toBe('x y gnp.csv');
    await waitForRecording(h, study.participantToken, up.json.recording.id);
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, fixture, seedStudy, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';

const DAY_MS = 86_400_000;
const zeros = { queued: 0, processing: 0, ready: 0, rejected: 0, failed: 0 };

/**
 * The coordinator's overview of a study with a participant whose uploads are good (one with gaps in its
 * data), one whose uploads were rejected (a text note, random bytes), and one that never uploaded (revoked):
 * every number is checked against the uploads and recordings themselves.
 */
describe('study overview (GET /v1/studies/:studyId/overview)', () => {
  let h: Harness;
  let s: Awaited<ReturnType<typeof seedStudy>>;
  let p2: { id: string; token: string };
  let p3: { id: string; token: string };
  let ben: string;
  const wav = fixture('pyaudioanalysis-speech/count.wav');
  // 100 Hz, with 25 s missing out of a 40 s span: the gaps check says bad.
  const gappy = new TextEncoder().encode(sensorLoggerCsv({ rows: 4000, rateHz: 100 }).split('\n').filter((_, i) => i === 0 || i < 1000 || i > 3500).join('\n'));
  const note = new TextEncoder().encode('Dear team,\nI forgot to wear the watch on Tuesday, sorry. I will upload tomorrow.\nBest, P002\n');
  const garbage = randomBytes(3000);
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness();
    s = await seedStudy(h);
    const enroll = async (code: string): Promise<{ id: string; token: string }> => {
      const r = await call(h, h.adminToken, 'POST', `/v1/studies/${s.studyId}/participants`, { code });
      return { id: r.json.participant.id, token: r.json.token };
    };
    p2 = await enroll('P002');
    p3 = await enroll('P003');
    expect((await call(h, h.adminToken, 'POST', `/v1/participants/${p3.id}/revoke`)).status).toBe(200);
    const b = await call(h, h.adminToken, 'POST', `/v1/studies/${s.studyId}/annotators`, { name: 'Ben' });
    ben = b.json.annotator.id;
    expect((await call(h, h.adminToken, 'POST', `/v1/annotators/${ben}/revoke`)).status).toBe(200);

    const send = async (name: string, token: string, bytes: Uint8Array, filename: string, metadata?: unknown): Promise<void> => {
      const up = await upload(h, token, bytes, filename, metadata ? { metadata } : {});
      expect(up.status, JSON.stringify(up.json)).toBe(201);
      ids[name] = up.json.recording.id;
      await waitForRecording(h, h.adminToken, ids[name]!, { timeoutMs: 120_000 });
    };
    await send('speech', s.participantToken, wav, 'count.wav', { device: { kind: 'phone', model: 'Pixel 7' } });
    await send('gappy', s.participantToken, gappy, 'Accelerometer.csv', { device: { kind: 'watch' } });
    await send('note', p2.token, note, 'notes.txt');
    await send('garbage', p2.token, garbage, 'export.bin');
    for (const [startS, endS] of [[0.5, 1], [2, 2.5]]) {
      expect((await call(h, s.annotatorToken, 'POST', `/v1/recordings/${ids.speech}/annotations`, { startS, endS, label: 'walking' })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  const overview = async (query = ''): Promise<any> => {
    const r = await call(h, h.adminToken, 'GET', `/v1/studies/${s.studyId}/overview${query}`);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    return r.json;
  };

  it('counts every participant\'s uploads, bytes, devices, recordings by status and freshness', async () => {
    const o = await overview('?staleDays=2');
    const study = await call(h, h.adminToken, 'GET', `/v1/studies/${s.studyId}`);
    expect(o.study).toEqual({ id: s.studyId, slug: study.json.slug, name: study.json.name });
    expect(o.recordingsByStatus).toEqual({ ...zeros, ready: 2, rejected: 2 });
    const uploads = await h.db.upload.findMany({ where: { studyId: s.studyId }, select: { participantId: true, receivedAt: true } });
    const last = (pid: string): string => new Date(Math.max(...uploads.filter((u) => u.participantId === pid).map((u) => u.receivedAt.getTime()))).toISOString();
    expect(o.participants).toEqual([
      {
        id: s.participantId, code: 'P001', revoked: false, lastUploadAt: last(s.participantId), daysSinceLastUpload: 0, freshness: 'fresh',
        uploads: 2, bytes: wav.length + gappy.length, devices: ['Pixel 7', 'watch'], recordingsByStatus: { ...zeros, ready: 2 },
      },
      {
        id: p2.id, code: 'P002', revoked: false, lastUploadAt: last(p2.id), daysSinceLastUpload: 0, freshness: 'fresh',
        uploads: 2, bytes: note.length + garbage.length, devices: [], recordingsByStatus: { ...zeros, rejected: 2 },
      },
      {
        id: p3.id, code: 'P003', revoked: true, lastUploadAt: null, daysSinceLastUpload: null, freshness: 'never',
        uploads: 0, bytes: 0, devices: [], recordingsByStatus: zeros,
      },
    ]);
    expect(o.annotators).toEqual([
      { id: s.annotatorId, name: 'Ana', revoked: false, annotations: 2 },
      { id: ben, name: 'Ben', revoked: true, annotations: 0 },
    ]);
  });

  it('lists rejected recordings newest first, with the reason in plain language', async () => {
    const o = await overview();
    const received = new Map((await h.db.upload.findMany({ where: { participantId: p2.id }, select: { filename: true, receivedAt: true } })).map((u) => [u.filename, u.receivedAt.toISOString()]));
    expect(o.rejected.map((r: any) => [r.recordingId, r.participantCode, r.filename, r.receivedAt])).toEqual([
      [ids.garbage, 'P002', 'export.bin', received.get('export.bin')],
      [ids.note, 'P002', 'notes.txt', received.get('notes.txt')],
    ]);
    for (const r of o.rejected) {
      const rec = await call(h, h.adminToken, 'GET', `/v1/recordings/${r.recordingId}`);
      expect(rec.json.status).toBe('rejected');
      expect(r.code).toBe(rec.json.error.code);
      // A sentence or two a coordinator reads: no byte offsets, hex or list of every reader.
      expect(r.message).toMatch(/^[A-Z][^]*\.$/);
      expect(r.message.length).toBeLessThan(400);
      expect(r.message).not.toMatch(/0x[0-9a-f]|Supported:|undefined/);
    }
    expect(o.rejected[0].message).toMatch(/not a recording FieldSense can read|damaged|cut short/);
  });

  it('lists the warn and bad checks of ready recordings, bad first, each as the recording reports it', async () => {
    const o = await overview();
    const expected: { recordingId: string; participantCode: string; check: string; status: string; message: string }[] = [];
    for (const id of [ids.gappy!, ids.speech!]) {
      const rec = await call(h, h.adminToken, 'GET', `/v1/recordings/${id}`);
      for (const c of rec.json.quality.checks) {
        if (c.status !== 'ok') expected.push({ recordingId: id, participantCode: 'P001', check: c.name, status: c.status, message: c.message });
      }
    }
    expect(expected.some((p) => p.status === 'bad' && p.check === 'gaps' && p.recordingId === ids.gappy)).toBe(true);
    expect(o.qualityProblems).toHaveLength(expected.length);
    expect(o.qualityProblems).toEqual(expect.arrayContaining(expected));
    const statuses = o.qualityProblems.map((p: any) => p.status);
    expect(statuses).toEqual([...statuses].sort((a: string, b: string) => (a === b ? 0 : a === 'bad' ? -1 : 1)));
  });

  it('a participant whose last upload is older than staleDays is stale', async () => {
    const old = new Date(Date.now() - 3 * DAY_MS - 60_000);
    await h.db.upload.updateMany({ where: { participantId: p2.id }, data: { receivedAt: old } });
    const p = (o: any): any => o.participants.find((x: any) => x.code === 'P002');
    const two = p(await overview('?staleDays=2'));
    expect([two.freshness, two.daysSinceLastUpload, two.lastUploadAt]).toEqual(['stale', 3, old.toISOString()]);
    expect(p(await overview('?staleDays=3.5')).freshness).toBe('fresh');
    expect(p(await overview()).freshness).toBe('stale');
    expect((await overview()).participants.find((x: any) => x.code === 'P001').freshness).toBe('fresh');
  });

  it('is for the admin only; an unknown study is 404; staleDays must be a positive number', async () => {
    for (const token of [s.annotatorToken, s.participantToken]) {
      const r = await call(h, token, 'GET', `/v1/studies/${s.studyId}/overview`);
      expect([r.status, r.json.error.code]).toEqual([403, 'forbidden']);
    }
    const unknown = await call(h, h.adminToken, 'GET', '/v1/studies/std_doesnotexist/overview');
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'not_found']);
    for (const q of ['0', '-1', 'soon']) {
      const r = await call(h, h.adminToken, 'GET', `/v1/studies/${s.studyId}/overview?staleDays=${q}`);
      expect([r.status, r.json.error.code], q).toEqual([400, 'validation_failed']);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, seedStudy, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';
import { newId } from '../../src/lib/ids.js';

/** The work queue: each recording's participant code and labelling, the queue's filters with cursor paging, and whoami. */
describe('the work queue', () => {
  let h: Harness;
  let s: Awaited<ReturnType<typeof seedStudy>>;
  let other: Awaited<ReturnType<typeof seedStudy>>;
  let bo: { id: string; token: string };
  let p2: { id: string; token: string };
  const rec: { id: string; pipelineVersion: string }[] = [];

  const csv = (startNs: bigint): Uint8Array => new TextEncoder().encode(sensorLoggerCsv({ rows: 3000, rateHz: 100, startNs }));
  const human = async (token: string, r: number, startS: number, endS: number, label: string): Promise<string> => {
    const a = await call(h, token, 'POST', `/v1/recordings/${rec[r]!.id}/annotations`, { startS, endS, label });
    expect(a.status, JSON.stringify(a.json)).toBe(201);
    return a.json.id as string;
  };
  const auto = async (r: number, status: 'proposed' | 'accepted' | 'rejected', pipelineVersion = rec[r]!.pipelineVersion): Promise<void> => {
    await h.db.annotation.create({ data: { id: newId('anr'), recordingId: rec[r]!.id, startS: 1, endS: 2, label: 'walking', source: 'auto', status, confidence: 0.5, detector: 'test', detectorVersion: '1', pipelineVersion } });
  };
  const ids = async (query: string, token = s.annotatorToken): Promise<string[]> => {
    const r = await call(h, token, 'GET', `/v1/recordings?${query}`);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    return r.json.items.map((x: { id: string }) => x.id);
  };

  beforeAll(async () => {
    h = await startHarness();
    s = await seedStudy(h, [{ name: 'walking' }, { name: 'handwashing' }]);
    other = await seedStudy(h);
    const b = await call(h, h.adminToken, 'POST', `/v1/studies/${s.studyId}/annotators`, { name: 'Bo' });
    bo = { id: b.json.annotator.id, token: b.json.token };
    const p = await call(h, h.adminToken, 'POST', `/v1/studies/${s.studyId}/participants`, { code: 'P002' });
    p2 = { id: p.json.participant.id, token: p.json.token };
    const ups = [
      await upload(h, s.participantToken, csv(1_700_000_000_000_000_000n), 'Accelerometer.csv'),
      await upload(h, s.participantToken, csv(1_700_000_100_000_000_000n), 'Accelerometer.csv'),
      await upload(h, p2.token, csv(1_700_000_200_000_000_000n), 'Accelerometer.csv'),
    ];
    for (const up of ups) {
      const r = await waitForRecording(h, h.adminToken, up.json.recording.id);
      expect(r.status).toBe('ready');
      rec.push({ id: r.id, pipelineVersion: r.pipelineVersion });
    }
    // Known contents: the pipeline's own proposals go, the quality statuses are set.
    await h.db.annotation.deleteMany({ where: { recordingId: { in: rec.map((r) => r.id) } } });
    for (const [i, status] of (['ok', 'warn', 'bad'] as const).entries()) {
      const row = await h.db.recording.findUniqueOrThrow({ where: { id: rec[i]!.id }, select: { quality: true } });
      await h.db.recording.update({ where: { id: rec[i]!.id }, data: { quality: { ...(row.quality as object), status } } });
    }
    // rec0: Ana walking 0–10 and 5–12 (overlapping) and a handwashing point at 20; Bo handwashing 15–18 and a
    // rejected one; the admin walking 25–26. Proposals: 3 proposed, 1 accepted, 1 rejected, 1 proposed of an old version.
    await human(s.annotatorToken, 0, 0, 10, 'walking');
    await human(s.annotatorToken, 0, 5, 12, 'walking');
    await human(s.annotatorToken, 0, 20, 20, 'handwashing');
    await human(bo.token, 0, 15, 18, 'handwashing');
    const rejected = await human(bo.token, 0, 19, 21, 'walking');
    expect((await call(h, bo.token, 'PATCH', `/v1/annotations/${rejected}`, { status: 'rejected' })).status).toBe(200);
    await human(h.adminToken, 0, 25, 26, 'walking');
    for (const st of ['proposed', 'proposed', 'proposed', 'accepted', 'rejected'] as const) await auto(0, st);
    await auto(0, 'proposed', 'older-version');
    // rec1: no human labels; one decided proposal, and a proposal of an old version only.
    await auto(1, 'accepted');
    await auto(1, 'proposed', 'older-version');
    // rec2: one human label, rejected.
    const gone = await human(bo.token, 2, 3, 4, 'handwashing');
    await call(h, bo.token, 'PATCH', `/v1/annotations/${gone}`, { status: 'rejected' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('each recording says its participant\'s code and how far it is labelled and reviewed', async () => {
    const list = await call(h, s.annotatorToken, 'GET', `/v1/recordings?studyId=${s.studyId}`);
    const byId = new Map(list.json.items.map((r: { id: string }) => [r.id, r]));
    expect(byId.get(rec[0]!.id)).toMatchObject({
      participantCode: 'P001',
      labelling: {
        humanCount: 5, labelledS: 16, proposedCount: 3, reviewedCount: 2,
        annotators: [{ id: s.annotatorId, name: 'Ana', count: 3 }, { id: bo.id, name: 'Bo', count: 1 }],
      },
    });
    expect(byId.get(rec[1]!.id)).toMatchObject({ participantCode: 'P001', labelling: { humanCount: 0, labelledS: 0, proposedCount: 0, reviewedCount: 1, annotators: [] } });
    expect(byId.get(rec[2]!.id)).toMatchObject({ participantCode: 'P002', labelling: { humanCount: 0, labelledS: 0, proposedCount: 0, reviewedCount: 0, annotators: [] } });
    // The single recording answers the same.
    const one = await call(h, s.annotatorToken, 'GET', `/v1/recordings/${rec[0]!.id}`);
    expect(one.json.labelling).toEqual((byId.get(rec[0]!.id) as { labelling: unknown }).labelling);
    expect(one.json.participantCode).toBe('P001');
  });

  it('filters by quality, label, pending review, labelled or not, participant and status', async () => {
    const sorted = (xs: string[]): string[] => [...xs].sort();
    expect(await ids('quality=ok')).toEqual([rec[0]!.id]);
    expect(await ids('quality=warn')).toEqual([rec[1]!.id]);
    expect(await ids('quality=bad&status=ready')).toEqual([rec[2]!.id]);
    expect(await ids('label=walking')).toEqual([rec[0]!.id]);
    // Only accepted human labels count: rec2's handwashing was rejected.
    expect(await ids('label=handwashing')).toEqual([rec[0]!.id]);
    expect(await ids('label=running')).toEqual([]);
    expect(await ids('review=pending')).toEqual([rec[0]!.id]);
    expect(await ids('labelled=some')).toEqual([rec[0]!.id]);
    expect(await ids('labelled=none')).toEqual(sorted([rec[1]!.id, rec[2]!.id]));
    expect(await ids(`labelled=none&participantId=${p2.id}`)).toEqual([rec[2]!.id]);
    expect(await ids('labelled=none&quality=ok')).toEqual([]);
    expect(await ids('status=queued')).toEqual([]);
    const bad = await call(h, s.annotatorToken, 'GET', '/v1/recordings?quality=great');
    expect(bad.status).toBe(400);
    // Scoping still applies: another study's annotator and a participant see only theirs.
    expect(await ids('labelled=none', other.annotatorToken)).toEqual([]);
    expect(await ids('labelled=none', p2.token)).toEqual([rec[2]!.id]);
  });

  it('keeps cursor paging with the filters', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const r: { json: { items: { id: string; labelling: { humanCount: number } }[]; nextCursor: string | null } } = await call(h, h.adminToken, 'GET', `/v1/recordings?labelled=none&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.json.items.length).toBeLessThanOrEqual(1);
      for (const item of r.json.items) expect(item.labelling.humanCount).toBe(0);
      seen.push(...r.json.items.map((x) => x.id));
      cursor = r.json.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual([rec[1]!.id, rec[2]!.id].sort());
    expect(cursor).toBeNull();
  });
});

describe('whoami', () => {
  let h: Harness;
  let s: Awaited<ReturnType<typeof seedStudy>>;
  beforeAll(async () => {
    h = await startHarness({ workers: false });
    s = await seedStudy(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it('says who each token belongs to', async () => {
    expect((await call(h, h.adminToken, 'GET', '/v1/whoami')).json).toEqual({ kind: 'admin', name: 'Admin' });
    expect((await call(h, s.annotatorToken, 'GET', '/v1/whoami')).json).toEqual({ kind: 'annotator', name: 'Ana', studyId: s.studyId, annotatorId: s.annotatorId });
    expect((await call(h, s.participantToken, 'GET', '/v1/whoami')).json).toEqual({ kind: 'participant', name: 'P001', studyId: s.studyId, participantId: s.participantId });
  });

  it('refuses a missing, unknown or revoked token', async () => {
    expect((await fetch(`${h.baseUrl}/v1/whoami`)).status).toBe(401);
    expect((await call(h, 'fsn_not-a-token', 'GET', '/v1/whoami')).json.error.code).toBe('unauthorized');
    await call(h, h.adminToken, 'POST', `/v1/annotators/${s.annotatorId}/revoke`);
    const revoked = await call(h, s.annotatorToken, 'GET', '/v1/whoami');
    expect(revoked.status).toBe(401);
    expect(revoked.json.error.code).toBe('token_revoked');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, seedStudy, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';

describe('tokens are scoped as the contract says', () => {
  let h: Harness;
  let s1: Awaited<ReturnType<typeof seedStudy>>;
  let s2: Awaited<ReturnType<typeof seedStudy>>;
  let participantB: { id: string; token: string };
  let recA: string;
  let uploadA: string;

  beforeAll(async () => {
    h = await startHarness();
    s1 = await seedStudy(h, [{ name: 'handwashing' }, { name: 'walking' }]);
    s2 = await seedStudy(h);
    const b = await call(h, h.adminToken, 'POST', `/v1/studies/${s1.studyId}/participants`, { code: 'P002' });
    participantB = { id: b.json.participant.id, token: b.json.token };
    const up = await upload(h, s1.participantToken, new TextEncoder().encode(sensorLoggerCsv({ rows: 3000, rateHz: 100 })), 'Accelerometer.csv');
    recA = up.json.recording.id;
    uploadA = up.json.upload.id;
    await waitForRecording(h, h.adminToken, recA);
  });
  afterAll(async () => {
    await h.close();
  });

  it('no token, an unknown token, and a participant token on admin routes', async () => {
    const none = await fetch(`${h.baseUrl}/v1/studies`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).error.code).toBe('unauthorized');
    expect((await call(h, 'fsp_not-a-real-token', 'GET', `/v1/recordings/${recA}`)).status).toBe(401);
    const asParticipant = await call(h, s1.participantToken, 'POST', '/v1/studies', { slug: 'nope-nope', name: 'x' });
    expect(asParticipant.status).toBe(403);
    expect(asParticipant.json.error.code).toBe('forbidden');
  });

  it('an annotator reads its own study (labels and hotkeys, for the console) and no other; the rest of /v1/studies stays the admin\'s', async () => {
    const own = await call(h, s1.annotatorToken, 'GET', `/v1/studies/${s1.studyId}`);
    expect(own.status).toBe(200);
    expect(own.json.labels.map((l: { name: string }) => l.name)).toEqual(['handwashing', 'walking']);
    const list = await call(h, s1.annotatorToken, 'GET', '/v1/studies');
    expect(list.json.items.map((x: { id: string }) => x.id)).toEqual([s1.studyId]);
    const other = await call(h, s1.annotatorToken, 'GET', `/v1/studies/${s2.studyId}`);
    expect(other.status).toBe(404);
    for (const [method, p] of [['GET', `/v1/studies/${s1.studyId}/participants`], ['GET', `/v1/studies/${s1.studyId}/overview`], ['PATCH', `/v1/studies/${s1.studyId}`], ['POST', '/v1/studies']] as const) {
      const r = await call(h, s1.annotatorToken, method, p, method === 'GET' ? undefined : { name: 'x', slug: 'x-y' });
      expect(r.status, `${method} ${p}`).toBe(403);
    }
    for (const p of ['/v1/studies', `/v1/studies/${s1.studyId}`]) expect((await call(h, s1.participantToken, 'GET', p)).status, p).toBe(403);
  });

  it('participant B cannot see participant A\'s recording, upload or raw bytes (404)', async () => {
    for (const p of [`/v1/recordings/${recA}`, `/v1/uploads/${uploadA}`, `/v1/recordings/${recA}/raw`, `/v1/recordings/${recA}/segments`, `/v1/recordings/${recA}/streams/accelerometer/samples`, `/v1/recordings/${recA}/streams/accelerometer/audio`]) {
      const r = await call(h, participantB.token, 'GET', p);
      expect(r.status, p).toBe(404);
      expect(r.json.error.code).toBe('not_found');
    }
    const list = await call(h, participantB.token, 'GET', '/v1/recordings');
    expect(list.json.items.map((r: { id: string }) => r.id)).not.toContain(recA);
    // …while A sees its own.
    expect((await call(h, s1.participantToken, 'GET', `/v1/recordings/${recA}`)).status).toBe(200);
    expect((await call(h, s1.participantToken, 'GET', `/v1/uploads/${uploadA}`)).json.recording.id).toBe(recA);
  });

  it('an annotator of another study gets 404; the study\'s own annotator reads and labels', async () => {
    expect((await call(h, s2.annotatorToken, 'GET', `/v1/recordings/${recA}`)).status).toBe(404);
    expect((await call(h, s2.annotatorToken, 'GET', `/v1/recordings/${recA}/annotations`)).status).toBe(404);
    expect((await call(h, s2.annotatorToken, 'POST', `/v1/recordings/${recA}/annotations`, { startS: 1, endS: 2, label: 'walking' })).status).toBe(404);
    const other = await call(h, s2.annotatorToken, 'GET', `/v1/recordings?studyId=${s1.studyId}`);
    expect(other.json.items).toEqual([]);

    const created = await call(h, s1.annotatorToken, 'POST', `/v1/recordings/${recA}/annotations`, { startS: 1, endS: 2.5, label: 'walking' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ startS: 1, endS: 2.5, label: 'walking', source: 'human', status: 'accepted', annotatorId: s1.annotatorId });
    expect((await call(h, s2.annotatorToken, 'PATCH', `/v1/annotations/${created.json.id}`, { label: 'handwashing' })).status).toBe(404);
    expect((await call(h, s2.annotatorToken, 'DELETE', `/v1/annotations/${created.json.id}`)).status).toBe(404);
    // Annotators cannot administer or upload.
    expect((await call(h, s1.annotatorToken, 'POST', `/v1/studies/${s1.studyId}/participants`, { code: 'X1' })).status).toBe(403);
    expect((await call(h, s1.annotatorToken, 'POST', `/v1/recordings/${recA}/reprocess`)).status).toBe(403);
    // The study overview is the admin's (the coordinator's) only.
    expect((await call(h, s1.annotatorToken, 'GET', `/v1/studies/${s1.studyId}/overview`)).status).toBe(403);
    expect((await call(h, s1.participantToken, 'GET', `/v1/studies/${s1.studyId}/overview`)).status).toBe(403);
    // Participants do not read annotations.
    expect((await call(h, s1.participantToken, 'GET', `/v1/recordings/${recA}/annotations`)).status).toBe(403);
  });

  it('annotations: create, validate label and range, patch, accept a proposal, delete', async () => {
    const bad = await call(h, s1.annotatorToken, 'POST', `/v1/recordings/${recA}/annotations`, { startS: 1, endS: 2, label: 'dancing' });
    expect(bad.status).toBe(422);
    expect(bad.json.error.code).toBe('label_not_in_study');
    const outside = await call(h, s1.annotatorToken, 'POST', `/v1/recordings/${recA}/annotations`, { startS: 10, endS: 99, label: 'walking' });
    expect(outside.status).toBe(422);
    expect(outside.json.error.code).toBe('range_outside_recording');
    const backwards = await call(h, s1.annotatorToken, 'POST', `/v1/recordings/${recA}/annotations`, { startS: 5, endS: 4, label: 'walking' });
    expect(backwards.status).toBe(422);
    const invalid = await call(h, s1.annotatorToken, 'POST', `/v1/recordings/${recA}/annotations`, { startS: 'a', label: 'walking' });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.code).toBe('validation_failed');

    const a = await call(h, s1.annotatorToken, 'POST', `/v1/recordings/${recA}/annotations`, { startS: 3, endS: 4, label: 'walking' });
    const patched = await call(h, s1.annotatorToken, 'PATCH', `/v1/annotations/${a.json.id}`, { endS: 5, label: 'handwashing' });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ startS: 3, endS: 5, label: 'handwashing' });

    const list = await call(h, s1.annotatorToken, 'GET', `/v1/recordings/${recA}/annotations`);
    const proposal = list.json.items.find((x: { source: string }) => x.source === 'auto');
    expect(proposal).toBeDefined();
    const accepted = await call(h, s1.annotatorToken, 'PATCH', `/v1/annotations/${proposal.id}`, { status: 'accepted' });
    expect(accepted.json).toMatchObject({ status: 'accepted', source: 'auto' });

    expect((await call(h, s1.annotatorToken, 'DELETE', `/v1/annotations/${a.json.id}`)).status).toBe(204);
    expect((await call(h, s1.annotatorToken, 'GET', `/v1/recordings/${recA}/annotations`)).json.items.map((x: { id: string }) => x.id)).not.toContain(a.json.id);
  });

  it('a revoked token gets 401, other tokens keep working', async () => {
    const c = await call(h, h.adminToken, 'POST', `/v1/studies/${s1.studyId}/participants`, { code: 'P003' });
    expect(c.status).toBe(201);
    expect((await call(h, c.json.token, 'GET', '/v1/recordings')).status).toBe(200);
    expect((await call(h, h.adminToken, 'POST', `/v1/participants/${c.json.participant.id}/revoke`)).status).toBe(200);
    const after = await call(h, c.json.token, 'GET', '/v1/recordings');
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('token_revoked');
    const up = await upload(h, c.json.token, new TextEncoder().encode('time,seconds_elapsed,z,y,x\n'), 'a.csv');
    expect(up.status).toBe(401);
    expect((await call(h, s1.participantToken, 'GET', '/v1/recordings')).status).toBe(200);

    const an = await call(h, h.adminToken, 'POST', `/v1/studies/${s1.studyId}/annotators`, { name: 'Temp' });
    expect((await call(h, h.adminToken, 'POST', `/v1/annotators/${an.json.annotator.id}/revoke`)).status).toBe(200);
    expect((await call(h, an.json.token, 'GET', `/v1/recordings/${recA}`)).status).toBe(401);
  });

  it('tokens are stored only as hashes', async () => {
    const rows = await h.db.credential.findMany({ where: { studyId: s1.studyId }, select: { tokenHash: true } });
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect(r.tokenHash).not.toContain(s1.participantToken);
    }
  });

  it('studies: slug conflict 409, duplicate participant code 409, study counts by status', async () => {
    const s = await call(h, h.adminToken, 'GET', `/v1/studies/${s1.studyId}`);
    expect(s.status).toBe(200);
    const slug = s.json.slug;
    const dup = await call(h, h.adminToken, 'POST', '/v1/studies', { slug, name: 'again' });
    expect(dup.status).toBe(409);
    expect(dup.json.error.code).toBe('slug_taken');
    const code = await call(h, h.adminToken, 'POST', `/v1/studies/${s1.studyId}/participants`, { code: 'P001' });
    expect(code.status).toBe(409);
    expect(s.json.counts.recordings.ready).toBe(1);
    expect(s.json.counts.participants).toBeGreaterThanOrEqual(2);
  });
});

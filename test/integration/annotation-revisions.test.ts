import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, seedStudy, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';
import { callWith } from '../helpers/conditional-call.js';
import { AnnotationsRepository } from '../../src/repositories/annotations.repository.js';
import { newId } from '../../src/lib/ids.js';

/** Annotation revisions: ETag on answers, If-Match on changes, 412 with the current annotation, point events, review. */
describe('annotation revisions', () => {
  let h: Harness;
  let s: Awaited<ReturnType<typeof seedStudy>>;
  let rec: { id: string; pipelineVersion: string };

  beforeAll(async () => {
    h = await startHarness();
    s = await seedStudy(h, [{ name: 'walking' }, { name: 'handwashing' }]);
    const up = await upload(h, s.participantToken, new TextEncoder().encode(sensorLoggerCsv({ rows: 3000, rateHz: 100 })), 'Accelerometer.csv');
    const r = await waitForRecording(h, h.adminToken, up.json.recording.id);
    expect(r.status).toBe('ready');
    rec = { id: r.id, pipelineVersion: r.pipelineVersion };
  });
  afterAll(async () => {
    await h.close();
  });

  const create = async (body: Record<string, unknown>, token = s.annotatorToken): Promise<{ status: number; json: any; headers: Headers }> =>
    callWith(h, token, 'POST', `/v1/recordings/${rec.id}/annotations`, body, {});
  const patch = async (id: string, body: Record<string, unknown>, ifMatch?: string, token = s.annotatorToken): Promise<{ status: number; json: any; headers: Headers }> =>
    callWith(h, token, 'PATCH', `/v1/annotations/${id}`, body, ifMatch !== undefined ? { 'if-match': ifMatch } : {});

  it('a new annotation is revision 1 with its ETag, its annotator\'s name and no review', async () => {
    const a = await create({ startS: 1, endS: 2, label: 'walking' });
    expect(a.status).toBe(201);
    expect(a.headers.get('etag')).toBe('"1"');
    expect(a.json).toMatchObject({ revision: 1, adjudicated: false, annotatorId: s.annotatorId, annotatorName: 'Ana', reviewerId: null, reviewedAt: null });
    const listed = await call(h, s.annotatorToken, 'GET', `/v1/recordings/${rec.id}/annotations`);
    expect(listed.json.items.find((x: { id: string }) => x.id === a.json.id)).toMatchObject({ revision: 1, annotatorName: 'Ana' });
    const byAdmin = await create({ startS: 1, endS: 2, label: 'walking' }, h.adminToken);
    expect(byAdmin.json.annotatorId).toBeUndefined();
    expect(byAdmin.json.annotatorName).toBeUndefined();
  });

  it('names who made the current revision: its creator, then whoever changed it last (null for the admin token)', async () => {
    const ben = await call(h, h.adminToken, 'POST', `/v1/studies/${s.studyId}/annotators`, { name: 'Ben' });
    const a = await create({ startS: 1, endS: 2, label: 'walking' });
    expect(a.json.changedBy).toEqual({ annotatorId: s.annotatorId, name: 'Ana' });
    const byBen = await patch(a.json.id, { endS: 3 }, '"1"', ben.json.token);
    expect(byBen.json).toMatchObject({ revision: 2, annotatorName: 'Ana', changedBy: { annotatorId: ben.json.annotator.id, name: 'Ben' } });
    // Ana's stale edit is told whose revision it met.
    const stale = await patch(a.json.id, { label: 'handwashing' }, '"1"');
    expect(stale.status).toBe(412);
    expect(stale.json.error.details.current.changedBy).toEqual({ annotatorId: ben.json.annotator.id, name: 'Ben' });
    const byAdmin = await patch(a.json.id, { endS: 4 }, '"2"', h.adminToken);
    expect(byAdmin.json.changedBy).toBeNull();
    expect((await create({ startS: 1, endS: 2, label: 'walking' }, h.adminToken)).json.changedBy).toBeNull();
  });

  it('every change moves the revision on; a stale If-Match gets 412 with the annotation as it is now', async () => {
    const a = await create({ startS: 1, endS: 2, label: 'walking' });
    const first = await patch(a.json.id, { endS: 3 }, '"1"');
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('"2"');
    expect(first.json).toMatchObject({ revision: 2, endS: 3 });

    const stale = await patch(a.json.id, { label: 'handwashing' }, '"1"');
    expect(stale.status).toBe(412);
    expect(stale.json.error.code).toBe('annotation_revision_stale');
    expect(stale.json.error.message).toBe('Someone else changed this annotation (now revision 2): reload it, or keep both.');
    expect(stale.json.error.details.current).toMatchObject({ id: a.json.id, revision: 2, endS: 3, label: 'walking' });
    expect(stale.json.error.details.current).toEqual(first.json);

    // The unquoted and weak forms name the same revision; no If-Match is the old last-write-wins.
    expect((await patch(a.json.id, { startS: 0.5 }, '2')).json.revision).toBe(3);
    expect((await patch(a.json.id, { startS: 0.25 }, 'W/"3"')).json.revision).toBe(4);
    const blind = await patch(a.json.id, { label: 'handwashing' });
    expect(blind.status).toBe(200);
    expect(blind.json).toMatchObject({ revision: 5, label: 'handwashing' });
    expect((await patch(a.json.id, { label: 'walking' }, '*')).json.revision).toBe(6);

    const malformed = await patch(a.json.id, { label: 'walking' }, '"six"');
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.details.problems[0].path).toBe('headers.If-Match');
    expect((await h.db.annotation.findUnique({ where: { id: a.json.id } }))?.revision).toBe(6);
  });

  it('two changes sent at once from the same revision: exactly one is applied, the other gets 412', async () => {
    for (let round = 0; round < 15; round++) {
      const a = await create({ startS: 1, endS: 2, label: 'walking' });
      const answers = await Promise.all([
        patch(a.json.id, { label: 'handwashing' }, '"1"'),
        patch(a.json.id, { endS: 4 }, '"1"'),
      ]);
      expect(answers.map((x) => x.status).sort(), `round ${round}`).toEqual([200, 412]);
      const won = answers.find((x) => x.status === 200)!;
      const lost = answers.find((x) => x.status === 412)!;
      expect(lost.json.error.details.current).toEqual(won.json);
      const row = await h.db.annotation.findUnique({ where: { id: a.json.id } });
      expect(row).toMatchObject({ revision: 2, label: won.json.label, endS: won.json.endS });
    }
  });

  it('the revision check and the write are one statement: concurrent conditional updates, one matches', async () => {
    const repo = new AnnotationsRepository(h.db);
    const id = (await create({ startS: 1, endS: 2, label: 'walking' })).json.id as string;
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => repo.update(id, { endS: 2 + i / 10 }, 1)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results.filter((x) => !x.ok)) expect(r).toMatchObject({ ok: false, current: { revision: 2 } });
  });

  it('delete honours If-Match too', async () => {
    const a = await create({ startS: 5, endS: 6, label: 'walking' });
    await patch(a.json.id, { endS: 7 });
    const stale = await callWith(h, s.annotatorToken, 'DELETE', `/v1/annotations/${a.json.id}`, undefined, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.json.error.details.current).toMatchObject({ id: a.json.id, revision: 2 });
    expect(await h.db.annotation.count({ where: { id: a.json.id } })).toBe(1);
    const done = await callWith(h, s.annotatorToken, 'DELETE', `/v1/annotations/${a.json.id}`, undefined, { 'if-match': '"2"' });
    expect(done.status).toBe(204);
    expect(await h.db.annotation.count({ where: { id: a.json.id } })).toBe(0);
    expect((await patch(a.json.id, { endS: 8 }, '"2"')).status).toBe(404);
  });

  it('point events are allowed, reversed ranges are not; the adjudicated layer is a flag', async () => {
    const point = await create({ startS: 5, endS: 5, label: 'handwashing' });
    expect(point.status).toBe(201);
    expect(point.json).toMatchObject({ startS: 5, endS: 5 });
    expect((await create({ startS: 5, endS: 4.999, label: 'handwashing' })).json.error.code).toBe('range_outside_recording');
    const reversed = await patch(point.json.id, { startS: 6 }, '"1"');
    expect(reversed.status).toBe(422);
    expect(reversed.json.error.code).toBe('range_outside_recording');
    expect((await h.db.annotation.findUnique({ where: { id: point.json.id } }))?.revision).toBe(1);
    const adj = await create({ startS: 7, endS: 9, label: 'walking', adjudicated: true });
    expect(adj.json.adjudicated).toBe(true);
    expect((await patch(adj.json.id, { adjudicated: false })).json).toMatchObject({ adjudicated: false, revision: 2 });
  });

  it('deciding a proposal records who decided and when; back to proposed clears it', async () => {
    const proposal = await h.db.annotation.create({
      data: { id: newId('anr'), recordingId: rec.id, startS: 10, endS: 12, label: 'walking', source: 'auto', status: 'proposed', confidence: 0.7, detector: 'test-detector', detectorVersion: '1', pipelineVersion: rec.pipelineVersion },
    });
    const accepted = await patch(proposal.id, { status: 'accepted' }, '"1"');
    expect(accepted.json).toMatchObject({ status: 'accepted', reviewerId: s.annotatorId, revision: 2, source: 'auto', confidence: 0.7 });
    expect(Number.isNaN(Date.parse(accepted.json.reviewedAt))).toBe(false);
    // Moving it keeps the decision.
    expect((await patch(proposal.id, { endS: 13 }, '"2"')).json).toMatchObject({ reviewerId: s.annotatorId, reviewedAt: accepted.json.reviewedAt });
    expect((await patch(proposal.id, { status: 'proposed' }, '"3"')).json).toMatchObject({ status: 'proposed', reviewerId: null, reviewedAt: null });
    const byAdmin = await patch(proposal.id, { status: 'rejected' }, '"4"', h.adminToken);
    expect(byAdmin.json).toMatchObject({ status: 'rejected', reviewerId: null, revision: 5 });
    expect(byAdmin.json.reviewedAt).not.toBeNull();
    // A reviewer who leaves the study leaves the decision without a name (ON DELETE SET NULL).
    const other = await call(h, h.adminToken, 'POST', `/v1/studies/${s.studyId}/annotators`, { name: 'Bo' });
    await patch(proposal.id, { status: 'accepted' }, '"5"', other.json.token);
    await h.db.annotator.delete({ where: { id: other.json.annotator.id } });
    expect((await call(h, s.annotatorToken, 'GET', `/v1/recordings/${rec.id}/annotations`)).json.items.find((x: { id: string }) => x.id === proposal.id))
      .toMatchObject({ status: 'accepted', reviewerId: null, revision: 6 });
  });
});

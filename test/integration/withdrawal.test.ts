import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportRepository } from '../../src/repositories/export.repository.js';
import { ExportDatasetService, type ExportParams } from '../../src/services/export-dataset.service.js';
import { call, ingestReady, sensorLoggerCsv, startHarness, upload, type Harness } from '../helpers/harness.js';

const csv = (seed: number): Uint8Array =>
  new TextEncoder().encode(sensorLoggerCsv({ rows: 2000, rateHz: 100, startNs: 1_700_000_000_000_000_000n + BigInt(seed) * 10_000_000_000n, value: (i) => [Math.sin(i / (10 + seed)), 0, 9.81] }));

/**
 * Consent withdrawal: every object and row of the participant goes (raw uploads, derived streams, recordings,
 * annotations), the tokens stop working, a tombstone stays, other participants are untouched, a new export
 * leaves them out, and the exports that held them are listed.
 */
describe('consent withdrawal', () => {
  let h: Harness;
  let work: string;
  let studyId: string;
  let slug: string;
  let annotatorToken: string;
  const who: Record<string, { id: string; token: string; recordings: string[]; uploads: string[] }> = {};

  beforeAll(async () => {
    h = await startHarness();
    work = mkdtempSync(path.join(tmpdir(), 'fieldsense-withdraw-'));
    slug = `withdraw-${Date.now().toString(36)}`;
    const s = await call(h, h.adminToken, 'POST', '/v1/studies', { slug, name: 'Withdrawal', labels: [{ name: 'walking' }] });
    studyId = s.json.id;
    annotatorToken = (await call(h, h.adminToken, 'POST', `/v1/studies/${studyId}/annotators`, { name: 'Ana' })).json.token;
    for (const [code, files] of [['P01', [1, 2]], ['P02', [3]]] as const) {
      const p = await call(h, h.adminToken, 'POST', `/v1/studies/${studyId}/participants`, { code });
      who[code] = { id: p.json.participant.id, token: p.json.token, recordings: [], uploads: [] };
      for (const f of files) {
        const r = await ingestReady(h, p.json.token, csv(f), 'Accelerometer.csv');
        who[code].recordings.push(r.id);
        who[code].uploads.push(r.uploadId);
      }
    }
    const a = await call(h, annotatorToken, 'POST', `/v1/recordings/${who.P01!.recordings[0]}/annotations`, { startS: 2, endS: 8, label: 'walking' });
    expect(a.status).toBe(201);
  });
  afterAll(async () => {
    if (work) rmSync(work, { recursive: true, force: true });
    await h?.close();
  });

  const exportTo = (dir: string): ReturnType<ExportDatasetService['export']> => {
    const p: ExportParams = {
      study: slug, out: path.join(work, dir), streams: null, windowS: 2, hopS: 1, rateHz: 50, labelPolicy: 'majority', minOverlap: 0.5,
      background: null, gaps: 'drop', format: 'parquet', split: '100', seed: 7, stratify: 'none', splitsFrom: null, annotations: 'accepted', labels: null,
    };
    return new ExportDatasetService(new ExportRepository(h.db), h.store).export(p);
  };
  /** Every object key in the bucket that names one of the ids. */
  const objectsNaming = async (ids: readonly string[]): Promise<string[]> => (await h.store.list('')).filter((k) => ids.some((id) => k.includes(id)));

  it('deletes every object and row of the participant, keeps a tombstone, and leaves the others alone', async () => {
    const before = await exportTo('before');
    const p1 = who.P01!;
    const p2 = who.P02!;
    const ids = [p1.id, ...p1.recordings, ...p1.uploads];
    expect((await objectsNaming(ids)).length).toBeGreaterThan(4);

    const w = await call(h, h.adminToken, 'POST', `/v1/participants/${p1.id}/withdraw`);
    expect(w.status).toBe(200);
    expect(w.json).toMatchObject({ participantId: p1.id, withdrawnBy: 'admin', deleted: { recordings: 2, uploads: 2 } });
    expect(w.json.deleted.objects).toBeGreaterThan(4);

    // Nothing of theirs is left in the bucket or the tables.
    expect(await objectsNaming(ids)).toEqual([]);
    expect(await h.db.recording.count({ where: { participantId: p1.id } })).toBe(0);
    expect(await h.db.upload.count({ where: { participantId: p1.id } })).toBe(0);
    expect(await h.db.stream.count({ where: { recordingId: { in: p1.recordings } } })).toBe(0);
    expect(await h.db.segment.count({ where: { recordingId: { in: p1.recordings } } })).toBe(0);
    expect(await h.db.annotation.count({ where: { recordingId: { in: p1.recordings } } })).toBe(0);
    const tomb = await h.db.participant.findUnique({ where: { id: p1.id }, select: { withdrawnAt: true, withdrawnBy: true, revokedAt: true } });
    expect(tomb?.withdrawnAt?.toISOString()).toBe(w.json.withdrawnAt);
    expect(tomb?.revokedAt).not.toBeNull();
    // Their token no longer uploads.
    expect((await upload(h, p1.token, csv(9), 'late.csv')).status).toBe(401);
    // The other participant's data is all there.
    expect((await objectsNaming(p2.recordings)).length).toBeGreaterThan(0);
    expect((await call(h, h.adminToken, 'GET', `/v1/recordings/${p2.recordings[0]}`)).json.status).toBe('ready');

    // A new export leaves them out; the earlier one is listed as having held them.
    const after = await exportTo('after');
    const manifest = JSON.parse(readFileSync(path.join(after.out, 'manifest.json'), 'utf8'));
    expect(manifest.recordings.map((r: { id: string }) => r.id)).toEqual(p2.recordings);
    expect(Object.values(manifest.splits).flat()).toEqual([p2.id]);
    const held = await call(h, h.adminToken, 'GET', `/v1/participants/${p1.id}/exports`);
    expect(held.json.items.map((e: { id: string; version: string }) => [e.id, e.version])).toEqual([[before.id, before.version]]);
    const others = await call(h, h.adminToken, 'GET', `/v1/participants/${p2.id}/exports`);
    expect(others.json.items.map((e: { id: string }) => e.id)).toEqual([after.id, before.id]);

    // Again: nothing left to delete, the same tombstone.
    const again = await call(h, h.adminToken, 'POST', `/v1/participants/${p1.id}/withdraw`);
    expect(again.json).toMatchObject({ withdrawnAt: w.json.withdrawnAt, deleted: { recordings: 0, uploads: 0, objects: 0 } });
  });

  it('refuses an upload that passed its token check before the withdrawal, and keeps none of its bytes', async () => {
    const p = await call(h, h.adminToken, 'POST', `/v1/studies/${studyId}/participants`, { code: 'P03' });
    // Withdrawn while this participant's upload is under way: its token still works (it was checked at the start).
    await h.db.participant.update({ where: { id: p.json.participant.id }, data: { withdrawnAt: new Date(), withdrawnBy: 'admin' } });
    const up = await upload(h, p.json.token, csv(7), 'Accelerometer.csv');
    expect(up.status).toBe(401);
    expect(up.json.error.code).toBe('token_revoked');
    expect(await h.db.upload.count({ where: { participantId: p.json.participant.id } })).toBe(0);
    expect(await objectsNaming([p.json.participant.id])).toEqual([]);
  });

  it('is the admin\'s alone, and names a participant that does not exist', async () => {
    expect((await call(h, annotatorToken, 'POST', `/v1/participants/${who.P02!.id}/withdraw`)).status).toBe(403);
    expect((await call(h, annotatorToken, 'GET', `/v1/participants/${who.P02!.id}/exports`)).status).toBe(403);
    expect((await call(h, h.adminToken, 'POST', '/v1/participants/par_doesnotexist00/withdraw')).status).toBe(404);
  });
});

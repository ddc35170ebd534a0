import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, seedStudy, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';
import { newId } from '../../src/lib/ids.js';

/**
 * Two annotators compared on one 30 s recording, against figures worked out by hand (10 ms frames, 3000 of them,
 * classes handwashing, walking and unlabelled):
 *   Ana: walking 0–10, handwashing 20–25, a handwashing point event at 29.
 *   Bo:  walking 2–10, handwashing 20–25, handwashing 27–28.
 * Frames (rows Ana, columns Bo): handwashing×handwashing 500; walking×walking 800, walking×none 200;
 * none×none 1400, none×handwashing 100. po = 2700/3000 = 0.9; Ana's rows 500/1000/1500, Bo's columns
 * 600/800/1600, pe = (500·600 + 1000·800 + 1500·1600)/3000² = 7/18; kappa = (0.9 − 7/18)/(1 − 7/18) = 9.2/11.
 * Events (onsets within 0.5 s): walking 0 vs 2 does not match (P = R = F1 = 0); handwashing 20 matches 20,
 * the point at 29 and 27–28 match nothing (P = R = F1 = 1/2).
 * They disagree over 0–2 (walking / none) and 27–28 (none / handwashing).
 */
describe('agreement between two annotators on a recording', () => {
  let h: Harness;
  let s: Awaited<ReturnType<typeof seedStudy>>;
  let other: Awaited<ReturnType<typeof seedStudy>>;
  let bo: { id: string; token: string };
  let recId: string;

  const label = async (token: string, startS: number, endS: number, name: string, extra: Record<string, unknown> = {}): Promise<string> => {
    const a = await call(h, token, 'POST', `/v1/recordings/${recId}/annotations`, { startS, endS, label: name, ...extra });
    expect(a.status, JSON.stringify(a.json)).toBe(201);
    return a.json.id as string;
  };

  beforeAll(async () => {
    h = await startHarness();
    s = await seedStudy(h, [{ name: 'walking' }, { name: 'handwashing' }]);
    other = await seedStudy(h);
    const b = await call(h, h.adminToken, 'POST', `/v1/studies/${s.studyId}/annotators`, { name: 'Bo' });
    bo = { id: b.json.annotator.id, token: b.json.token };
    const up = await upload(h, s.participantToken, new TextEncoder().encode(sensorLoggerCsv({ rows: 3000, rateHz: 100 })), 'Accelerometer.csv');
    const r = await waitForRecording(h, h.adminToken, up.json.recording.id);
    expect(r.status).toBe('ready');
    expect(r.durationS).toBeCloseTo(30, 1);
    recId = r.id;
    // The figures above need the span to be exactly 30 s.
    await h.db.recording.update({ where: { id: recId }, data: { durationS: 30 } });
    await label(s.annotatorToken, 0, 10, 'walking');
    await label(s.annotatorToken, 20, 25, 'handwashing');
    await label(s.annotatorToken, 29, 29, 'handwashing');
    await label(bo.token, 2, 10, 'walking');
    await label(bo.token, 20, 25, 'handwashing');
    await label(bo.token, 27, 28, 'handwashing');
    // Left out of the comparison: a rejected label, the adjudicated layer, and proposals.
    const rejected = await label(bo.token, 12, 14, 'walking');
    await call(h, bo.token, 'PATCH', `/v1/annotations/${rejected}`, { status: 'rejected' });
    await label(s.annotatorToken, 14, 16, 'walking', { adjudicated: true });
    await h.db.annotation.create({ data: { id: newId('anr'), recordingId: recId, startS: 16, endS: 18, label: 'walking', source: 'auto', status: 'accepted', pipelineVersion: r.pipelineVersion } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('gives kappa over frames, event F1 per label and the stretches where they disagree', async () => {
    const r = await call(h, bo.token, 'GET', `/v1/recordings/${recId}/agreement?a=${s.annotatorId}&b=${bo.id}`);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.a).toEqual({ id: s.annotatorId, name: 'Ana' });
    expect(r.json.b).toEqual({ id: bo.id, name: 'Bo' });
    expect(r.json.frameS).toBe(0.01);
    expect(r.json.kappa).toBeCloseTo(9.2 / 11, 9);
    expect(r.json.labels).toEqual([
      { label: 'handwashing', eventF1: 0.5, precision: 0.5, recall: 0.5, aCount: 2, bCount: 2 },
      { label: 'walking', eventF1: 0, precision: 0, recall: 0, aCount: 1, bCount: 1 },
    ]);
    expect(r.json.disagreements).toHaveLength(2);
    expect(r.json.disagreements[0]).toMatchObject({ a: 'walking', b: null });
    expect(r.json.disagreements[0].startS).toBeCloseTo(0, 9);
    expect(r.json.disagreements[0].endS).toBeCloseTo(2, 9);
    expect(r.json.disagreements[1]).toMatchObject({ a: null, b: 'handwashing' });
    expect(r.json.disagreements[1].startS).toBeCloseTo(27, 9);
    expect(r.json.disagreements[1].endS).toBeCloseTo(28, 9);
    expect(r.json.truncated).toBe(false);
  });

  it('is symmetric in kappa; precision and recall swap with the sides', async () => {
    const r = await call(h, h.adminToken, 'GET', `/v1/recordings/${recId}/agreement?a=${bo.id}&b=${s.annotatorId}`);
    expect(r.json.kappa).toBeCloseTo(9.2 / 11, 9);
    const inside = await label(bo.token, 5, 6, 'handwashing');
    const swapped = await call(h, h.adminToken, 'GET', `/v1/recordings/${recId}/agreement?a=${bo.id}&b=${s.annotatorId}`);
    // Bo now has 3 handwashing events, Ana 2, one matched: precision (of Ana against Bo) 1/2, recall 1/3.
    expect(swapped.json.labels[0]).toMatchObject({ label: 'handwashing', aCount: 3, bCount: 2 });
    expect(swapped.json.labels[0].precision).toBeCloseTo(1 / 2, 12);
    expect(swapped.json.labels[0].recall).toBeCloseTo(1 / 3, 12);
    expect(swapped.json.labels[0].eventF1).toBeCloseTo(2 / 5, 12);
    // Where Bo's handwashing 5–6 lies inside his walking, his frames say handwashing (the first label in order).
    expect(swapped.json.disagreements.map((d: { a: string | null; b: string | null }) => [d.a, d.b])).toEqual([[null, 'walking'], ['handwashing', 'walking'], ['handwashing', null]]);
    await call(h, bo.token, 'DELETE', `/v1/annotations/${inside}`);
    const same = await call(h, h.adminToken, 'GET', `/v1/recordings/${recId}/agreement?a=${s.annotatorId}&b=${s.annotatorId}`);
    expect(same.json).toMatchObject({ kappa: 1, disagreements: [] });
  });

  it('refuses annotators of another study (422), participants (403) and other studies\' tokens (404)', async () => {
    const foreign = await call(h, h.adminToken, 'GET', `/v1/recordings/${recId}/agreement?a=${s.annotatorId}&b=${other.annotatorId}`);
    expect(foreign.status).toBe(422);
    expect(foreign.json.error).toMatchObject({ code: 'annotator_not_in_study', details: { annotatorId: other.annotatorId } });
    expect((await call(h, h.adminToken, 'GET', `/v1/recordings/${recId}/agreement?a=${s.annotatorId}&b=ann_doesnotexist`)).status).toBe(422);
    expect((await call(h, s.participantToken, 'GET', `/v1/recordings/${recId}/agreement?a=${s.annotatorId}&b=${bo.id}`)).status).toBe(403);
    expect((await call(h, other.annotatorToken, 'GET', `/v1/recordings/${recId}/agreement?a=${s.annotatorId}&b=${bo.id}`)).status).toBe(404);
    expect((await call(h, h.adminToken, 'GET', `/v1/recordings/${recId}/agreement?a=${s.annotatorId}`)).status).toBe(400);
  });
});

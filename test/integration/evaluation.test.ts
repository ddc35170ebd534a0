import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluation/report.js';
import { parseSegments } from '../../src/evaluation/segments-format.js';
import { ROOT, call, seedStudy, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';

describe('evaluation through the API', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  let recId: string;
  let durationS: number;
  const segments = parseSegments(readFileSync(path.join(ROOT, 'test/fixtures/pyaudioanalysis-speech/count2.segments'), 'utf8')).filter((s) => s.label === 'speech');

  beforeAll(async () => {
    h = await startHarness();
    study = await seedStudy(h, [{ name: 'speech' }]);
    const up = await upload(h, study.participantToken, readFileSync(path.join(ROOT, 'test/fixtures/pyaudioanalysis-speech/count2.wav')), 'count2.wav');
    const rec = await waitForRecording(h, h.adminToken, up.json.recording.id);
    recId = rec.id;
    durationS = rec.durationS;
  });
  afterAll(async () => {
    await h.close();
  });

  it('compares two annotators: the API gives what the evaluation library gives, plus their agreement', async () => {
    const second = await call(h, h.adminToken, 'POST', `/v1/studies/${study.studyId}/annotators`, { name: 'Bea' });
    const shifted = segments.map((s) => ({ ...s, startS: Math.max(0, s.startS + 0.2), endS: Math.min(durationS, s.endS + 0.2) }));
    for (const s of segments) expect((await call(h, study.annotatorToken, 'POST', `/v1/recordings/${recId}/annotations`, { startS: s.startS, endS: s.endS, label: 'speech' })).status).toBe(201);
    for (const s of shifted) expect((await call(h, second.json.token, 'POST', `/v1/recordings/${recId}/annotations`, { startS: s.startS, endS: s.endS, label: 'speech' })).status).toBe(201);

    const r = await call(h, h.adminToken, 'POST', `/v1/studies/${study.studyId}/evaluations`, {
      reference: `annotator:${study.annotatorId}`, prediction: `annotator:${second.json.annotator.id}`, toleranceS: 0.5,
    });
    expect(r.status).toBe(200);
    const expected = evaluate({ reference: segments, prediction: shifted, durationS, labels: ['speech'], tolerance: 0.5 });
    const speech = r.json.report.labels.find((l: { label: string }) => l.label === 'speech');
    const want = expected.labels.find((l) => l.label === 'speech')!;
    expect(speech.frame.f1).toBeCloseTo(want.frame.f1!, 9);
    expect(speech.event.f1).toBeCloseTo(want.event.f1!, 9);
    expect(speech.event.f1).toBe(1); // every onset within 0.5 s
    expect(speech.frame.f1).toBeLessThan(1);
    expect(r.json.agreement.frameKappa).toBeGreaterThan(0);
    expect(r.json.agreement.frameKappa).toBeLessThan(1);
    expect(r.json.markdown).toContain('speech');
    expect(r.json.svg).toMatch(/<svg[\s>]/);
  });

  it('says what is wrong with a bad request', async () => {
    const bad = await call(h, h.adminToken, 'POST', `/v1/studies/${study.studyId}/evaluations`, { reference: 'human', prediction: 'Not A Detector!' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('prediction');
    const nothing = await call(h, h.adminToken, 'POST', `/v1/studies/${study.studyId}/evaluations`, { reference: 'import', prediction: 'auto' });
    expect(nothing.status).toBe(400);
    expect(nothing.json.error.message).toMatch(/no annotations/);
    expect((await call(h, study.annotatorToken, 'POST', `/v1/studies/${study.studyId}/evaluations`, { reference: 'human', prediction: 'auto' })).status).toBe(403);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildZip } from '../../src/formats/archive/zip-writer.test-support.js';
import { ROOT, call, fixture, ingestReady, seedStudy, startHarness, type Harness } from '../helpers/harness.js';

const check = (rec: any, name: string, stream?: string): any => rec.quality.checks.find((c: { name: string; stream?: string }) => c.name === name && (!stream || c.stream === stream));

describe('what the pipeline finds in real recordings', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;

  beforeAll(async () => {
    h = await startHarness();
    study = await seedStudy(h, [{ name: 'speech' }, { name: 'silence' }]);
  });
  afterAll(async () => {
    await h.close();
  });

  it('speech: the VAD scores frame F1 ≥ 0.90 against the recordings\' own labels, measured by the evaluation API', async () => {
    // Each WAV is uploaded in a ZIP with its .segments sidecar, so the labels arrive as imported annotations.
    for (const name of ['count', 'count2']) {
      const zip = buildZip([
        { name: `${name}.wav`, data: fixture(`pyaudioanalysis-speech/${name}.wav`), method: 'deflate' },
        { name: `${name}.segments`, data: fixture(`pyaudioanalysis-speech/${name}.segments`) },
      ]);
      const rec = await ingestReady(h, study.participantToken, zip, `${name}.zip`);
      expect(rec.format).toBe('zip-container');
      const anns = (await call(h, h.adminToken, 'GET', `/v1/recordings/${rec.id}/annotations`)).json.items;
      const imported = anns.filter((a: { source: string }) => a.source === 'import');
      expect(imported.length).toBe(fixture(`pyaudioanalysis-speech/${name}.segments`).toString('utf8').split('\n').filter((l) => l.trim()).length);
      expect(anns.some((a: { source: string; label: string; detector: string }) => a.source === 'auto' && a.label === 'speech' && a.detector === 'webrtc-vad')).toBe(true);
    }
    const r = await call(h, h.adminToken, 'POST', `/v1/studies/${study.studyId}/evaluations`, { prediction: 'webrtc-vad', reference: 'import', labels: ['speech'] });
    expect(r.status).toBe(200);
    expect(r.json.recordings).toBe(2);
    const speech = r.json.report.labels.find((l: { label: string }) => l.label === 'speech');
    expect(speech.frame.f1).toBeGreaterThanOrEqual(0.9);

    // The evaluate command gives the same figures and writes the report files.
    const out = mkdtempSync(path.join(tmpdir(), 'fieldsense-eval-'));
    try {
      const studies = await call(h, h.adminToken, 'GET', `/v1/studies/${study.studyId}`);
      const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/evaluate.ts', '--study', studies.json.slug, '--prediction', 'webrtc-vad', '--reference', 'import', '--labels', 'speech', '--out', out], {
        cwd: ROOT, env: { ...process.env, ...h.env }, encoding: 'utf8',
      });
      expect(cli.status, cli.stderr).toBe(0);
      const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
      expect(report.report.labels[0].frame.f1).toBeCloseTo(speech.frame.f1, 12);
      expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('speech');
      expect(readFileSync(path.join(out, 'report.svg'), 'utf8')).toMatch(/<svg[\s>]/);
      expect(cli.stdout).toContain('2 recording(s)');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('MotionSense walking and jogging are proposed as moving classes for ≥ 90 % of the trial', async () => {
    for (const trial of ['wlk_15', 'jog_16', 'ups_12', 'dws_1']) {
      const rec = await ingestReady(h, study.participantToken, fixture(`motionsense-coremotion/${trial}/sub_1.csv`), 'sub_1.csv');
      const anns = (await call(h, h.adminToken, 'GET', `/v1/recordings/${rec.id}/annotations`)).json.items
        .filter((a: { source: string; label: string }) => a.source === 'auto' && ['walking', 'running', 'moving'].includes(a.label));
      const covered = anns.reduce((s: number, a: { startS: number; endS: number }) => s + (a.endS - a.startS), 0);
      expect(covered / rec.durationS, trial).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('Axivity AX3: a full quality report, and the corrupted copy\'s six bad blocks flagged', async () => {
    const rec = await ingestReady(h, study.participantToken, fixture('ggirread-wearables/ax3_testfile.cwa'), 'ax3.cwa');
    expect(rec.format).toBe('axivity-cwa');
    const acc = rec.streams.find((s: { name: string }) => s.name === 'accelerometer');
    expect(acc).toMatchObject({ samples: 17_400, unit: 'm/s^2', originalUnit: 'g', frame: 'device' });
    expect(acc.measuredRateHz).toBeCloseTo(100, -1);
    for (const name of ['sample_rate', 'gaps', 'clipping', 'calibration_error', 'non_wear', 'flat_axis']) expect(check(rec, name, 'accelerometer'), name).toBeDefined();
    expect(check(rec, 'gaps', 'accelerometer').status).toBe('ok');

    const bad = await ingestReady(h, study.participantToken, fixture('ggirread-wearables/ax3_testfile_corrupt_blocks_0_13_14_142_143_144.cwa'), 'ax3-corrupt.cwa');
    const w = bad.warnings.find((x: { code: string }) => x.code === 'cwa_bad_block');
    expect(w.count).toBe(6);
    for (const block of [0, 13, 14, 142, 143, 144]) expect(w.message).toMatch(new RegExp(`\\b${block}\\b`));
    const badAcc = bad.streams.find((s: { name: string }) => s.name === 'accelerometer');
    expect(badAcc.samples).toBe(17_400 - 6 * 120);
    expect(check(bad, 'gaps', 'accelerometer').status).not.toBe('ok');
  });

  it('Empatica E4: the session\'s streams on one axis with a quality report; tags.csv (empty here) gives no labels', async () => {
    const names = ['ACC.csv', 'BVP.csv', 'EDA.csv', 'HR.csv', 'IBI.csv', 'TEMP.csv', 'tags.csv', 'info.txt'];
    const zip = buildZip(names.map((n) => ({ name: n, data: fixture(`flirt-empatica-e4/${n}`), method: 'deflate' as const })));
    const rec = await ingestReady(h, study.participantToken, zip, 'e4.zip');
    const byName = Object.fromEntries(rec.streams.map((s: { name: string }) => [s.name, s]));
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['accelerometer', 'bvp', 'eda', 'temperature', 'heart_rate']));
    expect(byName.accelerometer).toMatchObject({ unit: 'm/s^2', sampleRateHz: 32 });
    expect(rec.startTime).not.toBeNull();
    expect(check(rec, 'sample_rate', 'accelerometer').status).toBe('ok');
    expect(check(rec, 'calibration_error', 'accelerometer')).toBeDefined();
    // IBI only has beats where the wristband could detect them: its gaps are real and flagged.
    expect(check(rec, 'gaps', 'ibi').status).toBe('bad');
    const tags = fixture('flirt-empatica-e4/tags.csv').toString('utf8').split('\n').filter((l) => l.trim()).length;
    const imported = (await call(h, h.adminToken, 'GET', `/v1/recordings/${rec.id}/annotations`)).json.items.filter((a: { source: string }) => a.source === 'import');
    expect(imported).toHaveLength(tags);
  });
});

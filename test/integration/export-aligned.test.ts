import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ExportRepository } from '../../src/repositories/export.repository.js';
import { ExportDatasetService, type ExportParams } from '../../src/services/export-dataset.service.js';
import { call, seedStudy, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';

/** How hard the participant moves at true time t (s): 15 s bouts of pseudo-random strength. */
function level(t: number): number {
  const k = Math.floor(t / 15);
  const h = Math.sin(k * 12.9898 + 78.233) * 43758.5453;
  const r = h - Math.floor(h);
  return r < 0.35 ? 0 : 3 * r;
}
const RATE = 50;
const phoneX = (t: number): number => level(t) * Math.sin(2 * Math.PI * 1.9 * t);

/**
 * Streams of two devices in one dataset: a phone and a watch worn together, the watch's clock 3.7 s behind. The
 * platform estimates the offset; the export puts the phone's accelerometer beside the watch's in every window, on
 * the watch's time axis, with that offset — and says in the manifest which phone recording and offset it used.
 */
describe('dataset export: another device\'s streams aligned with the stored clock offset', () => {
  let h: Harness;
  let work: string;
  let duck: DuckDBConnection;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  let phoneId: string;
  let watchId: string;
  let slug: string;

  beforeAll(async () => {
    h = await startHarness();
    work = mkdtempSync(path.join(tmpdir(), 'fieldsense-export-aligned-'));
    duck = await (await DuckDBInstance.create(':memory:')).connect();
    study = await seedStudy(h);
    slug = (await h.db.study.findUniqueOrThrow({ where: { id: study.studyId } })).slug;
    const p0 = 1_750_000_000_000_000_000n;
    // Phone: true time T = i/50 for 20 minutes.
    const phone = sensorLoggerCsv({
      rows: 20 * 60 * RATE, rateHz: RATE, startNs: p0,
      value: (i) => {
        const t = i / RATE;
        return [phoneX(t), 0.5 * level(t) * Math.cos(2 * Math.PI * 1.9 * t), 9.81 + 0.01 * Math.sin(i)];
      },
    });
    // Watch: starts at true time 30 s and runs 15 minutes; its clock reads T − 3.7 s.
    const watch = sensorLoggerCsv({
      rows: 15 * 60 * RATE, rateHz: RATE, startNs: p0 + 26_300_000_000n,
      value: (i) => {
        const t = 30 + i / RATE;
        return [0.7 * level(t) * Math.cos(2 * Math.PI * 1.9 * t), 9.81, 0.8 * level(t) * Math.sin(2 * Math.PI * 1.9 * t + 1) + 0.02 * Math.cos(i * 7)];
      },
    });
    const a = await upload(h, study.participantToken, new TextEncoder().encode(phone), 'Accelerometer.csv', { metadata: { device: { kind: 'phone' } } });
    const b = await upload(h, study.participantToken, new TextEncoder().encode(watch), 'Accelerometer.csv', { metadata: { device: { kind: 'watch' } } });
    phoneId = a.json.recording.id;
    watchId = b.json.recording.id;
    for (const id of [phoneId, watchId]) expect((await waitForRecording(h, study.participantToken, id)).status).toBe('ready');
    let items: any[] = [];
    for (let i = 0; i < 150 && items.length === 0; i++) {
      items = (await call(h, h.adminToken, 'GET', `/v1/recordings/${watchId}/alignments`)).json.items;
      if (items.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(items).toHaveLength(1);
  }, 180_000);
  afterAll(async () => {
    duck?.closeSync();
    if (work) rmSync(work, { recursive: true, force: true });
    await h?.close();
  });

  const params = (out: string, over: Partial<ExportParams> = {}): ExportParams => ({
    study: slug, out, streams: ['accelerometer'], windowS: 2, hopS: 1, rateHz: 50, labelPolicy: 'majority', minOverlap: 0.5,
    background: null, gaps: 'drop', format: 'parquet', split: '100/0/0', seed: 1, stratify: 'none', splitsFrom: null, annotations: 'accepted', labels: null,
    alignWith: 'phone', ...over,
  });

  it('joins the phone\'s accelerometer to each watch window, on the watch\'s axis, with the estimated offset', async () => {
    const r = await new ExportDatasetService(new ExportRepository(h.db), h.store).export(params(path.join(work, 'aligned')));
    expect(r.recordings).toBe(1);
    // The phone recording is not a row source of its own: its streams joined the watch's.
    expect(r.skipped).toEqual([{ id: phoneId, reason: 'a phone recording: its streams join the recordings it is aligned with' }]);
    const manifest = JSON.parse(readFileSync(path.join(r.out, 'manifest.json'), 'utf8'));
    const entry = manifest.recordings[0];
    expect(entry.id).toBe(watchId);
    const stored = await h.db.recordingAlignment.findFirstOrThrow({ where: { recordingId: watchId, otherRecordingId: phoneId } });
    expect(entry.aligned).toMatchObject({ recordingId: phoneId, device: 'phone', offsetS: stored.offsetS, confidence: stored.confidence, method: stored.method });
    // The watch's clock is 3.7 s behind: the phone's times + offset are on the watch's clock.
    expect(Math.abs(stored.offsetS + 3.7)).toBeLessThan(0.5);
    // The phone's axis time u is the watch's axis time less shiftS: its start 26.3 s before the watch's, plus the offset.
    expect(entry.aligned.shiftS).toBeCloseTo(-26.3 + stored.offsetS, 6);
    expect(manifest.parameters).toMatchObject({ alignWith: 'phone', alignStreams: ['phone_accelerometer'] });

    // Every window of the 15-minute watch recording has the phone beside it (the phone covers all of it).
    const rows = (await duck.runAndReadAll(`select window_start_s as s, accelerometer_x::double[] as wx, phone_accelerometer_x::double[] as px
      from read_parquet('${r.out}/data/*.parquet') order by s`)).getRowObjectsJson() as { s: number; wx: number[]; px: number[] }[];
    expect(rows).toHaveLength(15 * 60 - 1);
    let worst = 0;
    for (const row of rows.filter((_x, i) => i % 37 === 5)) {
      expect(row.px).toHaveLength(100);
      for (let k = 0; k < 100; k += 9) {
        // The phone's value at that instant of the watch's axis, by the stored shift (not by the true 3.7 s).
        const u = row.s + k / RATE - entry.aligned.shiftS;
        worst = Math.max(worst, Math.abs(row.px[k]! - phoneX(u)));
      }
    }
    // Linear interpolation of a 1.9 Hz sine sampled at 50 Hz, between samples: ≤ (2π·1.9/50)² / 8 of its amplitude (3).
    expect(worst).toBeLessThan(0.03);
  });

  it('skips a recording with no aligned recording of that device, and refuses when none has one', async () => {
    await expect(new ExportDatasetService(new ExportRepository(h.db), h.store).export(params(path.join(work, 'none'), { alignWith: 'wearable' })))
      .rejects.toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/aligned with a wearable recording/) });
    await expect(new ExportDatasetService(new ExportRepository(h.db), h.store).export(params(path.join(work, 'rec'), { shape: 'recordings' })))
      .rejects.toMatchObject({ code: 'validation_failed' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, seedStudy, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';

/** How hard the participant moves at true time t (s): 15 s bouts of pseudo-random strength. */
function level(t: number): number {
  const k = Math.floor(t / 15);
  const h = Math.sin(k * 12.9898 + 78.233) * 43758.5453;
  const r = h - Math.floor(h);
  return r < 0.35 ? 0 : 3 * r;
}

describe('recordings worn together are linked, and their clock offset estimated from motion', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  beforeAll(async () => {
    h = await startHarness();
    study = await seedStudy(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it('a phone and a watch whose clock is 3.7 s behind', async () => {
    const p0 = 1_750_000_000_000_000_000n;
    const rate = 50;
    // Phone: true time T = i/50 for 20 minutes.
    const phone = sensorLoggerCsv({
      rows: 20 * 60 * rate, rateHz: rate, startNs: p0,
      value: (i) => {
        const t = i / rate;
        return [level(t) * Math.sin(2 * Math.PI * 1.9 * t), 0.5 * level(t) * Math.cos(2 * Math.PI * 1.9 * t), 9.81 + 0.01 * Math.sin(i)];
      },
    });
    // Watch: starts at true time 30 s and runs 15 minutes; its clock reads T − 3.7 s.
    const watch = sensorLoggerCsv({
      rows: 15 * 60 * rate, rateHz: rate, startNs: p0 + 26_300_000_000n,
      value: (i) => {
        const t = 30 + i / rate;
        return [0.7 * level(t) * Math.cos(2 * Math.PI * 1.9 * t), 9.81, 0.8 * level(t) * Math.sin(2 * Math.PI * 1.9 * t + 1) + 0.02 * Math.cos(i * 7)];
      },
    });
    const a = await upload(h, study.participantToken, new TextEncoder().encode(phone), 'Accelerometer.csv');
    const b = await upload(h, study.participantToken, new TextEncoder().encode(watch), 'TotalAcceleration.csv');
    for (const id of [a.json.recording.id, b.json.recording.id]) expect((await waitForRecording(h, study.participantToken, id)).status).toBe('ready');

    let items: any[] = [];
    for (let i = 0; i < 150 && items.length === 0; i++) {
      items = (await call(h, study.annotatorToken, 'GET', `/v1/recordings/${a.json.recording.id}/alignments`)).json.items;
      if (items.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ otherRecordingId: b.json.recording.id, method: 'activity-xcorr' });
    expect(Math.abs(items[0].offsetS - 3.7)).toBeLessThan(0.5);
    expect(items[0].confidence).toBeGreaterThan(0.5);
    expect(items[0].overlapS).toBeGreaterThan(800);
    // The other direction says the opposite.
    const back = (await call(h, study.participantToken, 'GET', `/v1/recordings/${b.json.recording.id}/alignments`)).json.items;
    expect(back[0].offsetS).toBeCloseTo(-items[0].offsetS, 9);
  });
});

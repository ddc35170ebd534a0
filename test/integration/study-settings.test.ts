import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';

describe('per-study settings: quality thresholds and keys', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('validates settings, hides keys, and a changed threshold shows after a reprocess', async () => {
    const unknown = await call(h, h.adminToken, 'POST', '/v1/studies', { slug: 'settings-bad', name: 'x', settings: { quality: { gapMaxS: 3 } } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toContain('gapMaxS');

    const s = await call(h, h.adminToken, 'POST', '/v1/studies', {
      slug: `settings-${Date.now()}`, name: 'Settings', labels: [], settings: { edgeImpulseHmacKey: 'a-secret-key-123' },
    });
    expect(s.status).toBe(201);
    expect(s.json.settings).toEqual({ edgeImpulseHmacKeySet: true });
    expect(JSON.stringify(s.json)).not.toContain('a-secret-key-123');
    const p = await call(h, h.adminToken, 'POST', `/v1/studies/${s.json.id}/participants`, { code: 'P1' });

    // 20 s at 50 Hz with a 2 s hole in the middle: a gap by the default rule (> 0.1 s).
    const lines = sensorLoggerCsv({ rows: 1000, rateHz: 50, startNs: 1_740_000_000_000_000_000n }).trimEnd().split('\n');
    const shifted = lines.map((l, i) => {
      if (i <= 500) return l;
      const [t, ...rest] = l.split(',');
      return [String(BigInt(t!) + 2_000_000_000n), ...rest].join(',');
    });
    const up = await upload(h, p.json.token, new TextEncoder().encode(`${shifted.join('\n')}\n`), 'Accelerometer.csv');
    const rec = await waitForRecording(h, h.adminToken, up.json.recording.id);
    const gaps = (r: any): any => r.quality.checks.find((c: { name: string }) => c.name === 'gaps');
    expect(gaps(rec).status).not.toBe('ok');
    expect(gaps(rec).value).toBe(1);

    // The study decides that only holes of 5 s or more matter, then reprocesses.
    const patched = await call(h, h.adminToken, 'PATCH', `/v1/studies/${s.json.id}`, { settings: { quality: { gapMinS: 5 }, edgeImpulseHmacKey: 'a-secret-key-123' } });
    expect(patched.status).toBe(200);
    expect(patched.json.settings).toEqual({ quality: { gapMinS: 5 }, edgeImpulseHmacKeySet: true });
    await call(h, h.adminToken, 'POST', `/v1/recordings/${rec.id}/reprocess`);
    const again = await waitForRecording(h, h.adminToken, rec.id, { until: (r) => r.status === 'ready' && gaps(r)?.value === 0 });
    expect(gaps(again).status).toBe('ok');
  });
});

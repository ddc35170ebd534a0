import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, call, fixture, ingestReady, seedStudy, startHarness, type Harness } from '../helpers/harness.js';

/**
 * Still vs moving through the real pipeline, scored by the project's evaluation: MotionSense trials (iPhone 6s
 * in a trouser pocket, 50 Hz, one activity per file) as they are, and the same trials with stretches of a
 * phone at rest spliced in before, between (the trial cut at its middle) and after. A person's labels are the
 * reference: the trial's activity, and `still` for the spliced stretches.
 */

const TRIALS = { wlk_15: 'walking', jog_16: 'jogging', ups_12: 'upstairs', dws_1: 'downstairs' } as const;
const MAP = { walking: 'moving', jogging: 'moving', upstairs: 'moving', downstairs: 'moving', running: 'moving' };
const RATE_HZ = 50;
const STILL_S = 20;
const MIN_AGREEMENT = 0.92;

/** A deterministic N(0, 1) source (Box–Muller over a 32-bit xorshift). */
function gaussian(seed: number): () => number {
  let s = seed >>> 0 || 1;
  const u = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/**
 * The trial's CSV with `STILL_S` of a phone at rest before, between and after its halves, rows renumbered.
 * At rest Core Motion reads gravity −1 g on z with a slow 0.002 g drift, and a user acceleration of sensor
 * noise alone (0.01 m/s² ≈ 1 mg per axis); the rotation rate is noise too.
 */
function splicedCsv(trial: keyof typeof TRIALS): { csv: string; reference: { label: string; startS: number; endS: number }[] } {
  const lines = fixture(`motionsense-coremotion/${trial}/sub_1.csv`).toString('utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]!;
  const rows = lines.slice(1).map((l) => l.slice(l.indexOf(',') + 1));
  const g = gaussian(0x5eed);
  const still = STILL_S * RATE_HZ;
  let k = 0;
  const rest = (): string[] => Array.from({ length: still }, () => {
    const drift = 0.002 * Math.sin((2 * Math.PI * k++) / (RATE_HZ * 120));
    const noise = (sd: number): string => (sd * g()).toFixed(6);
    return ['0.01', '-0.02', '0.5', drift.toFixed(6), '0', (-1 + drift).toFixed(6), noise(0.002), noise(0.002), noise(0.002), noise(0.01 / 9.80665), noise(0.01 / 9.80665), noise(0.01 / 9.80665)].join(',');
  });
  const half = Math.floor(rows.length / 2);
  const body = [...rest(), ...rows.slice(0, half), ...rest(), ...rows.slice(half), ...rest()];
  const s = (n: number): number => n / RATE_HZ;
  const activity = TRIALS[trial];
  const reference = [
    { label: 'still', startS: 0, endS: s(still) },
    { label: activity, startS: s(still), endS: s(still + half) },
    { label: 'still', startS: s(still + half), endS: s(2 * still + half) },
    { label: activity, startS: s(2 * still + half), endS: s(2 * still + rows.length) },
    { label: 'still', startS: s(2 * still + rows.length), endS: s(3 * still + rows.length) },
  ];
  return { csv: `${[header, ...body.map((r, i) => `${i},${r}`)].join('\n')}\n`, reference };
}

describe('still vs moving on MotionSense through upload → ready → proposals → evaluation', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  const names: string[] = [];

  beforeAll(async () => {
    h = await startHarness();
    study = await seedStudy(h, ['still', ...Object.values(TRIALS)].map((name) => ({ name })));
    const label = async (recordingId: string, spans: { label: string; startS: number; endS: number }[]): Promise<void> => {
      for (const a of spans) expect((await call(h, study.annotatorToken, 'POST', `/v1/recordings/${recordingId}/annotations`, a)).status).toBe(201);
    };
    for (const trial of Object.keys(TRIALS) as (keyof typeof TRIALS)[]) {
      const plain = await ingestReady(h, study.participantToken, fixture(`motionsense-coremotion/${trial}/sub_1.csv`), `${trial}.csv`);
      await label(plain.id, [{ label: TRIALS[trial], startS: 0, endS: plain.durationS }]);
      names.push(`${trial}.csv`);
      const { csv, reference } = splicedCsv(trial);
      const spliced = await ingestReady(h, study.participantToken, Buffer.from(csv), `${trial}-with-still.csv`);
      expect(spliced.durationS).toBeCloseTo(reference[reference.length - 1]!.endS, 1);
      await label(spliced.id, reference);
      names.push(`${trial}-with-still.csv`);
    }
  });
  afterAll(async () => {
    await h.close();
  });

  it(`agrees with the labels on ≥ ${MIN_AGREEMENT} of each recording's time and finds every still/moving boundary within 1.5 s`, async () => {
    const r = await call(h, h.adminToken, 'POST', `/v1/studies/${study.studyId}/evaluations`, {
      prediction: 'imu-activity', reference: 'human', map: MAP, labels: ['still', 'moving'],
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.recordings).toBe(8);
    expect(r.json.report.classes.frameAgreement).toBeGreaterThanOrEqual(MIN_AGREEMENT);
    expect(r.json.perRecording).toHaveLength(8);
    for (const row of r.json.perRecording) {
      expect(row.classes.frameAgreement, row.recording).toBeGreaterThanOrEqual(MIN_AGREEMENT);
      const b = row.classes.boundaries;
      expect(b.reference, row.recording).toBe(row.recording.includes('-with-still') ? 4 : 0);
      expect(b.missed, row.recording).toBe(0);
      if (b.matched > 0) expect(b.maxAbsS, row.recording).toBeLessThanOrEqual(1.5);
    }
    expect(new Set(r.json.perRecording.map((x: { recording: string }) => x.recording.split(' ')[0]))).toEqual(new Set(names));
    // Per activity: each of the four scored as moving, and the spliced still time as still.
    const by = Object.fromEntries(r.json.report.classes.byActivity.map((a: { activity: string }) => [a.activity, a]));
    expect(Object.keys(by).sort()).toEqual(['downstairs', 'jogging', 'still', 'upstairs', 'walking']);
    for (const a of Object.values(by) as { agreement: number; scoredAs: string }[]) expect(a.agreement).toBeGreaterThanOrEqual(MIN_AGREEMENT);
    expect(r.json.markdown).toContain('## Per recording');
  });

  it('the evaluate command writes the same report (per activity, confusion, boundary errors in seconds)', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'fieldsense-still-moving-'));
    try {
      const slug = (await call(h, h.adminToken, 'GET', `/v1/studies/${study.studyId}`)).json.slug;
      const map = Object.entries(MAP).map(([a, b]) => `${a}=${b}`).join(',');
      const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/evaluate.ts', '--study', slug, '--prediction', 'imu-activity', '--reference', 'human', '--map', map, '--labels', 'still,moving', '--out', out], {
        cwd: ROOT, env: { ...process.env, ...h.env }, encoding: 'utf8',
      });
      expect(cli.status, cli.stderr).toBe(0);
      const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
      expect(report.perRecording).toHaveLength(8);
      expect(report.report.classes.frameAgreement).toBeGreaterThanOrEqual(MIN_AGREEMENT);
      const md = readFileSync(path.join(out, 'report.md'), 'utf8');
      for (const part of ['## Confusion matrix', '## Agreement per reference label (activity)', '## Boundaries', '## Per recording', 'walking → moving']) expect(md).toContain(part);
      // STILL_MOVING_REPORT_DIR=<dir> keeps the report of this run.
      const keep = process.env.STILL_MOVING_REPORT_DIR;
      if (keep) {
        mkdirSync(keep, { recursive: true });
        for (const f of ['report.md', 'report.json', 'report.svg']) copyFileSync(path.join(out, f), path.join(keep, f));
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { wavInt16 } from '../../src/formats/audio/audio.test-support.js';
import { ExportRepository } from '../../src/repositories/export.repository.js';
import { ExportDatasetService, type ExportParams, type ExportResult } from '../../src/services/export-dataset.service.js';
import { call, fixture, startHarness, type Harness } from '../helpers/harness.js';
import {
  AX3, COUNT_WAV, MOTIONSENSE, MOTIONSENSE_RATE_HZ, addParticipant, expectedWindowStarts, ingestWith, motionSenseCsv, motionSenseZip,
  segmentsOf, speechZip, type MotionSenseTrial,
} from '../helpers/fixture-study.js';

const WINDOW_S = 2;
const HOP_S = 1;
const RATE_HZ = 50;
const PER_WINDOW = WINDOW_S * RATE_HZ;
/** Standard gravity (CGPM 1901): Core Motion's g → m/s². */
const G = 9.80665;
const MOTION_STREAMS = ['attitude', 'gravity', 'gyroscope', 'user_acceleration'];
/** Core Motion's dotted CSV columns → the export's columns, and the factor from the file's unit to the stored one. */
const COLUMNS: [csv: string, column: string, scale: number][] = [
  ['attitude.roll', 'attitude_roll', 1], ['attitude.pitch', 'attitude_pitch', 1], ['attitude.yaw', 'attitude_yaw', 1],
  ['gravity.x', 'gravity_x', G], ['gravity.y', 'gravity_y', G], ['gravity.z', 'gravity_z', G],
  ['rotationRate.x', 'gyroscope_x', 1], ['rotationRate.y', 'gyroscope_y', 1], ['rotationRate.z', 'gyroscope_z', 1],
  ['userAcceleration.x', 'user_acceleration_x', G], ['userAcceleration.y', 'user_acceleration_y', G], ['userAcceleration.z', 'user_acceleration_z', G],
];

/** A trial's windows from its README row count: its samples end at (rows − 1) / 50 s; the folder label covers them all. */
function trialWindows(trial: MotionSenseTrial): { startS: number; label: string }[] {
  const lastSampleS = (MOTIONSENSE[trial].rows - 1) / MOTIONSENSE_RATE_HZ;
  return expectedWindowStarts(lastSampleS, { windowS: WINDOW_S, hopS: HOP_S, rateHz: RATE_HZ }).map((startS) => {
    // Majority with min overlap 0.5: the activity when its span [0, lastSampleS] covers half the window or more.
    const overlap = (Math.min(startS + WINDOW_S, lastSampleS) - startS) / WINDOW_S;
    return { startS, label: overlap >= 0.5 ? MOTIONSENSE[trial].activity : 'background' };
  });
}

const sumSquares = (v: readonly number[]): number => v.reduce((a, b) => a + b * b, 0);
function pearson(x: readonly number[], y: readonly number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
/** Every file of a dataset folder (data, card, manifest and whatever else it holds), relative, sorted. */
function filesOf(dir: string, sub = ''): string[] {
  return readdirSync(path.join(dir, sub), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesOf(dir, path.posix.join(sub, e.name)) : [path.posix.join(sub, e.name)]))
    .sort();
}
const manifestOf = (dir: string): any => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));

/**
 * The dataset export on a study built from real recordings: three MotionSense participants (subject 1's four
 * trials, each uploaded in its activity folder so the folder's activity arrives as an imported label; the first
 * participant has two trials), an Axivity AX3 wearer (device-local clock, the upload naming Europe/Berlin) and a
 * pyAudioAnalysis speaker (count.wav with its .segments labels). Every expected figure comes from the fixtures'
 * READMEs and files, read here, never from the export itself.
 */
describe('dataset export from real fixtures', () => {
  let h: Harness;
  let work: string;
  let duck: DuckDBConnection;
  let slug: string;
  let studyId: string;
  const rec: Record<string, string> = {};
  const token: Record<string, string> = {};
  const participantOf: Record<string, string> = {};
  let motion: ExportResult;

  beforeAll(async () => {
    h = await startHarness();
    work = mkdtempSync(path.join(tmpdir(), 'fieldsense-export-real-'));
    duck = await (await DuckDBInstance.create(':memory:')).connect();
    slug = `real-${Date.now().toString(36)}`;
    const labels = ['downstairs', 'upstairs', 'walking', 'jogging', 'speech', 'silence'].map((name) => ({ name }));
    const study = await call(h, h.adminToken, 'POST', '/v1/studies', { slug, name: 'Real fixtures', labels });
    expect(study.status).toBe(201);
    studyId = study.json.id;
    const plan: [code: string, uploads: [key: string, bytes: Uint8Array, filename: string, metadata?: unknown][]][] = [
      ['MS1', [['dws_1', motionSenseZip('dws_1'), 'dws_1.zip'], ['ups_12', motionSenseZip('ups_12'), 'ups_12.zip']]],
      ['MS2', [['wlk_15', motionSenseZip('wlk_15'), 'wlk_15.zip']]],
      ['MS3', [['jog_16', motionSenseZip('jog_16'), 'jog_16.zip']]],
      ['AX1', [['ax3', fixture('ggirread-wearables/ax3_testfile.cwa'), 'ax3.cwa', { timezone: 'Europe/Berlin' }]]],
      ['AUD1', [['count', speechZip('count'), 'count.zip']]],
    ];
    for (const [code, uploads] of plan) {
      const p = await addParticipant(h, studyId, code);
      token[code] = p.token;
      participantOf[code] = p.id;
      for (const [key, bytes, filename, metadata] of uploads) rec[key] = (await ingestWith(h, p.token, bytes, filename, metadata)).id;
    }
  });
  afterAll(async () => {
    duck?.closeSync();
    if (work) rmSync(work, { recursive: true, force: true });
    await h?.close();
  });

  const params = (out: string, over: Partial<ExportParams> = {}): ExportParams => ({
    study: slug, out, streams: MOTION_STREAMS, windowS: WINDOW_S, hopS: HOP_S, rateHz: RATE_HZ, labelPolicy: 'majority', minOverlap: 0.5,
    background: 'background', gaps: 'drop', format: 'parquet', split: '70/15/15', seed: 7, stratify: 'none', splitsFrom: null,
    annotations: 'accepted', labels: null, ...over,
  });
  const service = (): ExportDatasetService => new ExportDatasetService(new ExportRepository(h.db), h.store);
  const rows = async (sql: string): Promise<Record<string, any>[]> => (await duck.runAndReadAll(sql)).getRowObjectsJson() as Record<string, any>[];
  /** Every Parquet file of the dataset, with its split read from the file name (`data/<split>-…parquet`). */
  const parquet = (dir: string): string =>
    `(select *, regexp_extract(filename, '/data/([a-z]+)-[^/]*\\.parquet$', 1) as split from read_parquet('${dir}/data/*.parquet', filename = true))`;

  it('asks for streams when the study\'s recordings share no IMU stream (MotionSense, Axivity and audio do not)', async () => {
    await expect(service().export(params(path.join(work, 'no-streams'), { streams: null }))).rejects.toMatchObject({ code: 'validation_failed', message: expect.stringContaining('--streams') });
  });

  it('MotionSense windows: counts, shapes and labels from the README, one window sample for sample, no participant in two splits', async () => {
    motion = await service().export(params(path.join(work, 'motion')));
    const trials = Object.keys(MOTIONSENSE) as MotionSenseTrial[];
    const expected = Object.fromEntries(trials.map((t) => [t, trialWindows(t)]));
    // The Axivity file and the audio have none of the Core Motion streams: skipped, each with its reason.
    const reason = `no stream ${MOTION_STREAMS.join(', ')}`;
    expect([...motion.skipped].sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual([{ id: rec.ax3!, reason }, { id: rec.count!, reason }].sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect(motion.recordings).toBe(4);
    expect(motion.windows).toBe(trials.reduce((n, t) => n + expected[t]!.length, 0));
    // dws_1: 1,751 rows → samples to 35.00 s → windows starting 0 … 33.
    expect(expected.dws_1).toHaveLength(34);

    const m = manifestOf(motion.out);
    for (const t of trials) {
      const r = m.recordings.find((x: { id: string }) => x.id === rec[t]);
      expect(r, t).toMatchObject({ windows: expected[t]!.length, sha256: sha256(Buffer.from(motionSenseZip(t))) });
      expect(r.durationS, t).toBeCloseTo(MOTIONSENSE[t].rows / MOTIONSENSE_RATE_HZ, 9);
      expect(motionSenseCsv(t).rows, t).toHaveLength(MOTIONSENSE[t].rows);
    }
    const all = parquet(motion.out);
    const perRecording = await rows(`select recording_id as id, count(*)::int as n, min(window_start_s) as first, max(window_start_s) as last
      from ${all} group by recording_id order by recording_id`);
    expect(perRecording).toEqual(trials.map((t) => ({ id: rec[t], n: expected[t]!.length, first: 0, last: expected[t]!.at(-1)!.startS })).sort((a, b) => (a.id! < b.id! ? -1 : 1)));

    // Shapes: every channel of every window holds window × rate = 100 samples.
    const lengths = COLUMNS.map(([, c]) => `min(len(${c}))::int as ${c}_min, max(len(${c}))::int as ${c}_max`).join(', ');
    const [shape] = await rows(`select ${lengths} from ${all}`);
    for (const [, c] of COLUMNS) expect([shape![`${c}_min`], shape![`${c}_max`]], c).toEqual([PER_WINDOW, PER_WINDOW]);

    // Labels (majority): each trial's windows carry its folder's activity.
    const byLabel = await rows(`select recording_id as id, label, count(*)::int as n from ${all} group by recording_id, label order by recording_id, label`);
    const wantLabels = trials.flatMap((t) => {
      const counts = new Map<string, number>();
      for (const w of expected[t]!) counts.set(w.label, (counts.get(w.label) ?? 0) + 1);
      return [...counts].map(([label, n]) => ({ id: rec[t], label, n }));
    }).sort((a, b) => (a.id! < b.id! ? -1 : a.id! > b.id! ? 1 : a.label < b.label ? -1 : 1));
    expect(byLabel).toEqual(wantLabels);
    const totals: Record<string, number> = {};
    for (const { label, n } of wantLabels) totals[label] = (totals[label] ?? 0) + n;
    expect(m.counts.byLabel).toEqual(totals);
    // MotionSense has no clock (row n at n / 50 s): the windows have no wall-clock time.
    expect(await rows(`select count(*)::int as n from ${all} where window_start_time_ns is not null`)).toEqual([{ n: 0 }]);

    // One window against the file: wlk_15 from 10 s is rows 500 … 599; at 50 Hz from a 50 Hz source the grid
    // falls on the samples, so each value is the file's number in the stored unit as float32, exactly.
    const csv = motionSenseCsv('wlk_15');
    const [w] = await rows(`select ${COLUMNS.map(([, c]) => `${c}::double[] as ${c}`).join(', ')} from ${all} where recording_id = '${rec.wlk_15}' and window_start_s = 10`);
    for (const [name, column, scale] of COLUMNS) {
      const col = csv.header.indexOf(name);
      expect(col, name).toBeGreaterThan(0);
      const want = csv.rows.slice(500, 600).map((r) => Math.fround(r[col]! * scale));
      expect(w![column], column).toEqual(want);
    }

    // Splits by participant: none in two, MS1's two trials together, the files agreeing with the manifest.
    expect(await rows(`select participant from ${all} group by participant having count(distinct split) > 1`)).toEqual([]);
    const fileSplits = await rows(`select distinct recording_id as id, split from ${all} order by id`);
    for (const { id, split } of fileSplits) expect(m.recordings.find((r: { id: string }) => r.id === id).split, id).toBe(split);
    expect(fileSplits.find((r) => r.id === rec.dws_1)?.split).toBe(fileSplits.find((r) => r.id === rec.ups_12)?.split);
    const inSplits = Object.values(m.splits as Record<string, string[]>).flat().sort();
    expect(inSplits).toEqual(['MS1', 'MS2', 'MS3'].map((c) => participantOf[c]).sort());
    // 70/15/15 over three people: 2 / 1 / 0 by cumulative rounding, so two splits hold people.
    expect(Object.values(m.splits as Record<string, string[]>).map((ids) => ids.length).sort()).toEqual([1, 2]);
    expect(m.files.map((f: { path: string }) => f.path)).toEqual(filesOf(motion.out).filter((f) => f.startsWith('data/')));
    for (const f of m.files) expect(f.path, f.path).toMatch(new RegExp(`^data/${f.split}-[^/]*\\.parquet$`));
  });

  it('the Axivity AX3 file: windows on its device clock put on UTC with the upload\'s zone', async () => {
    const r = await service().export(params(path.join(work, 'axivity'), { streams: ['accelerometer'] }));
    expect(r.recordings).toBe(1);
    expect(r.skipped.map((s) => s.id).sort()).toEqual([rec.dws_1, rec.ups_12, rec.wlk_15, rec.jog_16, rec.count].sort());
    expect(new Set(r.skipped.map((s) => s.reason))).toEqual(new Set(['no stream accelerometer']));
    const starts = expectedWindowStarts(AX3.spanS, { windowS: WINDOW_S, hopS: HOP_S, rateHz: RATE_HZ });
    expect(starts).toHaveLength(175);
    const all = parquet(r.out);
    const got = await rows(`select window_start_s as s, window_start_time_ns::varchar as t, label, len(accelerometer_x)::int as nx, len(accelerometer_y)::int as ny,
      len(accelerometer_z)::int as nz from ${all} order by s`);
    expect(got.map((x) => x.s)).toEqual(starts);
    expect(new Set(got.map((x) => `${x.nx},${x.ny},${x.nz},${x.label}`))).toEqual(new Set([`${PER_WINDOW},${PER_WINDOW},${PER_WINDOW},background`]));

    // The AX3 keeps local time without a zone; with Europe/Berlin (UTC+1 in February) the platform puts it on UTC.
    const recording = (await call(h, h.adminToken, 'GET', `/v1/recordings/${rec.ax3}`)).json;
    expect(recording).toMatchObject({ clock: 'device-local', timezone: 'Europe/Berlin' });
    expect(recording.streams.find((x: { name: string }) => x.name === 'accelerometer').samples).toBe(AX3.samples);
    const t0 = BigInt(got[0]!.t as string);
    for (const [k, x] of got.entries()) expect(BigInt(x.t as string) - t0, String(x.s)).toBe(BigInt(k) * 1_000_000_000n);
    expect(new Date(Number(t0 / 1_000_000n)).toISOString()).toBe(recording.startTime);
    // The first window starts at the first sample, block 0's: one block (120 samples at about 100 Hz, 1.2 s ± 0.1 s)
    // before README's block-1 time, less the hour.
    const before = AX3.block1LocalNs - 3_600_000_000_000n - t0;
    expect(before > 1_100_000_000n && before < 1_300_000_000n, `${before} ns before block 1`).toBe(true);

    // The values, against the stored samples (the platform's reading of the file) over the same 2 s: lowered from
    // 100 to 50 Hz by a low-pass of unit gain at DC, a window keeps its mean but for what the filter's 0.16 s edges
    // bring in from either side; 0.05 m/s² (5 mg) bounds that on this wrist recording (x differs by 0.0075).
    const [w] = await rows(`select accelerometer_x::double[] as x, accelerometer_y::double[] as y, accelerometer_z::double[] as z from ${all} where window_start_s = 60`);
    const raw = (await call(h, h.adminToken, 'GET', `/v1/recordings/${rec.ax3}/streams/accelerometer/samples?fromS=60&toS=61.999&maxPoints=100000`)).json;
    expect(raw.reduced).toBe(false);
    expect(raw.t.length).toBeGreaterThan(190);
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    for (const c of ['x', 'y', 'z'] as const) expect(Math.abs(mean(w![c] as number[]) - mean(raw.channels[c] as number[])), c).toBeLessThan(0.05);
  });

  it('the pyAudioAnalysis speech segments as events, each with its audio', async () => {
    const r = await service().export(params(path.join(work, 'speech'), { streams: ['audio'], shape: 'events', contextS: 0, rateHz: 8000, audio: 'samples' }));
    expect(r.recordings).toBe(1);
    expect(r.skipped.map((s) => s.id).sort()).toEqual([rec.dws_1, rec.ups_12, rec.wlk_15, rec.jog_16, rec.ax3].sort());
    expect(new Set(r.skipped.map((s) => s.reason))).toEqual(new Set(['no stream audio']));
    expect(manifestOf(r.out).recordings[0].durationS).toBeCloseTo(COUNT_WAV.durationS, 3);
    const segments = segmentsOf('count');
    expect(segments.filter((s) => s.label === 'speech')).toHaveLength(10);
    const got = await rows(`select label, source, event_start_s as s, event_end_s as e, samples_start_s as s0, audio_mono::double[] as a from ${parquet(r.out)} order by s`);
    expect(got.map((x) => [x.label, x.source, x.s, x.e, x.s0])).toEqual(segments.map((s) => [s.label, 'import', s.startS, s.endS, s.startS]));
    const pcm = wavInt16(fixture('pyaudioanalysis-speech/count.wav'));
    expect(pcm).toHaveLength(COUNT_WAV.frames);
    const energy = { exported: 0, source: 0 };
    for (const [k, s] of segments.entries()) {
      const a = got[k]!.a as number[];
      // Samples from the start to the end at 8 kHz, both ends included.
      expect(a, `${s.startS}`).toHaveLength(Math.floor((s.endS - s.startS) * 8000 + 1e-9) + 1);
      // The source at the same instants: every other 16 kHz sample (int16 / 32768) from the segment's start.
      const at = (i: number): number => pcm[Math.round(s.startS * COUNT_WAV.rateHz) + 2 * i]! / 32768;
      const inner = a.slice(10, a.length - 10);
      const corr = (lag: number): number => pearson(inner, inner.map((_v, i) => at(i + 10 + lag)));
      // 16 → 8 kHz is a zero-phase low-pass (3.6 kHz): the samples match the source best unshifted (one lag is
      // 125 µs), and a low-pass cannot add energy (Blackman-windowed sinc: pass-band ripple far below 1 %).
      for (const lag of [-3, -2, -1, 1, 2, 3]) expect(corr(0), `${s.label} ${s.startS} lag ${lag}`).toBeGreaterThan(corr(lag));
      const source = a.map((_v, i) => at(i));
      expect(sumSquares(a) / sumSquares(source), `${s.label} ${s.startS}`).toBeLessThan(1.01);
      if (s.label === 'speech') {
        energy.exported += sumSquares(a);
        energy.source += sumSquares(source);
      }
    }
    // A voice counting keeps most of its energy below 3.6 kHz (the /s/ of "six" and "seven" least of all).
    expect(energy.exported / energy.source).toBeGreaterThan(0.9);

    // The same events with the audio embedded as the Hugging Face Audio feature: a 16-bit PCM WAV per row at the
    // audio rate, whose samples are the float samples above (rounded to 16 bits).
    const embedded = await service().export(params(path.join(work, 'speech-wav'), { streams: ['audio'], shape: 'events', contextS: 0, rateHz: 50, audioRateHz: 8000 }));
    const wavs = await rows(`select event_start_s as s, hex(struct_extract(audio, 'bytes')) as b, struct_extract(audio, 'path') as p from ${parquet(embedded.out)} order by s`);
    expect(wavs).toHaveLength(segments.length);
    const card = readFileSync(path.join(embedded.out, 'README.md'), 'utf8');
    expect(card).toMatch(/- name: "audio"\n\s+dtype:\n\s+audio:\n\s+sampling_rate: 8000\n/);
    for (const [k, w] of wavs.entries()) {
      expect(w.p).toBeNull();
      const bytes = Buffer.from(w.b as string, 'hex');
      const decoded = wavInt16(new Uint8Array(bytes));
      const a = got[k]!.a as number[];
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
      expect(bytes.readUInt32LE(24)).toBe(8000);
      expect(decoded).toHaveLength(a.length);
      for (let i = 0; i < a.length; i += 97) expect(Math.abs(decoded[i]! / 32768 - a[i]!), `${k} ${i}`).toBeLessThanOrEqual(1 / 32768 + 1e-6);
    }
  });

  it('the same export twice: the same bytes, hashes and version', async () => {
    const again = await service().export(params(path.join(work, 'motion-again')));
    expect(again.version).toBe(motion.version);
    const files = filesOf(motion.out);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'manifest.json', ...manifestOf(motion.out).files.map((f: { path: string }) => f.path)]));
    expect(filesOf(again.out)).toEqual(files);
    for (const f of files) expect(readFileSync(path.join(again.out, f)).equals(readFileSync(path.join(motion.out, f))), f).toBe(true);
    const m = manifestOf(motion.out);
    expect(m.version).toBe(motion.version);
    for (const f of m.files) {
      const bytes = readFileSync(path.join(motion.out, f.path));
      expect({ bytes: bytes.length, sha256: sha256(bytes) }, f.path).toEqual({ bytes: f.bytes, sha256: f.sha256 });
    }
  });

  it('to the S3 server: the same files with the hashes of the local manifest', async () => {
    const prefix = `exports/${slug}/motion`;
    const r = await service().export(params(`s3://${h.store.bucket}/${prefix}`));
    expect(r.version).toBe(motion.version);
    const files = filesOf(motion.out);
    expect((await h.store.list(`${prefix}/`)).sort()).toEqual(files.map((f) => `${prefix}/${f}`).sort());
    const local = manifestOf(motion.out);
    for (const f of local.files) expect(sha256(Buffer.from(await h.store.getBytes(`${prefix}/${f.path}`))), f.path).toBe(f.sha256);
    for (const f of ['manifest.json', 'README.md']) expect(Buffer.from(await h.store.getBytes(`${prefix}/${f}`)).equals(readFileSync(path.join(motion.out, f))), f).toBe(true);
  });

  it('incrementally after one new upload: only it, in its participant\'s split', async () => {
    const jogging = (await ingestWith(h, token.MS2!, motionSenseZip('jog_16'), 'jog_16.zip')).id as string;
    const inc = await service().export(params(path.join(work, 'motion-inc'), { since: path.join(motion.out, 'manifest.json') }));
    const m = manifestOf(inc.out);
    expect(m.incremental).toEqual({ since: motion.version, added: [jogging], changed: [], removed: [], unchanged: 4 });
    expect(m.recordings.map((r: { id: string }) => r.id)).toEqual([jogging]);
    const before = manifestOf(motion.out).splits as Record<string, string[]>;
    const split = Object.entries(before).find(([, ids]) => ids.includes(participantOf.MS2!))![0];
    const want = trialWindows('jog_16');
    expect(await rows(`select recording_id as id, participant, split, label, count(*)::int as n from ${parquet(inc.out)} group by all`))
      .toEqual([{ id: jogging, participant: 'MS2', split, label: 'jogging', n: want.length }]);
    expect(inc.windows).toBe(want.length);
  });
});

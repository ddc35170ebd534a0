import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ExportRepository } from '../../src/repositories/export.repository.js';
import { ExportDatasetService, type ExportParams } from '../../src/services/export-dataset.service.js';
import { call, ingestReady, sensorLoggerCsv, startHarness, type Harness } from '../helpers/harness.js';

const RATE = 100;
const SECONDS = 60;
/** x rises 0.1 per second, y is a slow sine, z constant: easy to check after resampling to 50 Hz. */
const value = (i: number): [number, number, number] => [0.1 * (i / RATE), Math.sin((2 * Math.PI * 0.2 * i) / RATE), 9.81];

/**
 * The dataset export on a study of three participants (one 60 s, 100 Hz accelerometer recording each, one of them
 * labelled walking from 10 to 20 s), processed by the real pipeline: windows of 2 s every 1 s at 50 Hz, split by
 * participant, read back with DuckDB; the same export twice gives the same bytes and version.
 */
describe('dataset export: windows as Parquet', () => {
  let h: Harness;
  let work: string;
  let duck: DuckDBConnection;
  let slug: string;
  const rec: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness();
    work = mkdtempSync(path.join(tmpdir(), 'fieldsense-export-'));
    duck = await (await DuckDBInstance.create(':memory:')).connect();
    slug = `export-${Date.now().toString(36)}`;
    const study = await call(h, h.adminToken, 'POST', '/v1/studies', { slug, name: 'Export', labels: [{ name: 'walking' }, { name: 'still' }] });
    expect(study.status).toBe(201);
    const annotator = await call(h, h.adminToken, 'POST', `/v1/studies/${study.json.id}/annotators`, { name: 'Ana' });
    for (const code of ['P01', 'P02', 'P03']) {
      const p = await call(h, h.adminToken, 'POST', `/v1/studies/${study.json.id}/participants`, { code });
      const r = await ingestReady(h, p.json.token, new TextEncoder().encode(sensorLoggerCsv({ rows: RATE * SECONDS, rateHz: RATE, value })), 'Accelerometer.csv');
      rec[code] = r.id;
    }
    const a = await call(h, annotator.json.token, 'POST', `/v1/recordings/${rec.P01}/annotations`, { startS: 10, endS: 20, label: 'walking' });
    expect(a.status).toBe(201);
  });
  afterAll(async () => {
    duck?.closeSync();
    if (work) rmSync(work, { recursive: true, force: true });
    await h?.close();
  });

  const params = (out: string, over: Partial<ExportParams> = {}): ExportParams => ({
    study: slug, out, streams: null, windowS: 2, hopS: 1, rateHz: 50, labelPolicy: 'majority', minOverlap: 0.5,
    background: 'background', gaps: 'drop', format: 'parquet', split: '34/33/33', seed: 7, stratify: 'none', splitsFrom: null,
    annotations: 'accepted', labels: null, ...over,
  });
  const service = (): ExportDatasetService => new ExportDatasetService(new ExportRepository(h.db), h.store);
  const rows = async (sql: string): Promise<Record<string, unknown>[]> => (await duck.runAndReadAll(sql)).getRowObjectsJson();

  it('writes one Parquet file per split in the Hugging Face layout, with a manifest and a card, readable by DuckDB', async () => {
    const out = path.join(work, 'a');
    const r = await service().export(params(out));
    // 60 s, 2 s windows every 1 s: starts 0 … 58.
    expect(r.windows).toBe(3 * 59);
    expect(r.recordings).toBe(3);
    expect(existsSync(`${out}.partial`)).toBe(false);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.version).toBe(r.version);
    // Train, validation, test: the files in split order, as the card's configs list them.
    expect(manifest.files.map((f: { path: string }) => f.path)).toEqual(['train', 'validation', 'test'].map((s) => `data/${s}-00000-of-00001.parquet`));
    expect(readdirSync(path.join(out, 'data')).sort()).toEqual(['test', 'train', 'validation'].map((s) => `${s}-00000-of-00001.parquet`));
    // The card's plots: the class balance and one example window per label, linked from the card.
    expect(readdirSync(path.join(out, 'images')).sort()).toEqual(['class-balance.png', 'example-01.png', 'example-02.png']);
    for (const f of readdirSync(path.join(out, 'images'))) expect(readFileSync(path.join(out, 'images', f)).subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync(path.join(out, 'README.md'), 'utf8')).toContain('](images/class-balance.png)');
    expect(readFileSync(path.join(out, 'README.md'), 'utf8')).toMatch(/^---\n[\s\S]*configs:[\s\S]*data_files:[\s\S]*\n---\n/);

    const all = `read_parquet('${out}/data/*.parquet', filename = true)`;
    expect(await rows(`select count(*)::int as n, min(len(accelerometer_x))::int as shortest, max(len(accelerometer_x))::int as longest from ${all}`))
      .toEqual([{ n: 177, shortest: 100, longest: 100 }]);
    // No participant in two splits: in the files and in the manifest.
    expect(await rows(`select participant from ${all} group by participant having count(distinct filename) > 1`)).toEqual([]);
    const inManifest = Object.values(manifest.splits as Record<string, string[]>).flat();
    expect(new Set(inManifest).size).toBe(inManifest.length);
    expect(inManifest).toHaveLength(3);

    // P01's labels: windows overlapping walking (10–20 s) by at least half are walking: starts 9 … 19.
    const labels = await rows(`select label, count(*)::int as n, min(window_start_s) as first, max(window_start_s) as last from ${all}
      where recording_id = '${rec.P01}' group by label order by label`);
    expect(labels).toEqual([
      { label: 'background', n: 48, first: 0, last: 58 },
      { label: 'walking', n: 11, first: 9, last: 19 },
    ]);
    // The samples: x rises 0.1 per second (whatever unit the stream is in, the ramp's shape holds).
    const [w] = await rows(`select accelerometer_x as x from ${all} where recording_id = '${rec.P02}' and window_start_s = 30`);
    const x = w!.x as number[];
    const slope = (x[99]! - x[0]!) / (99 / 50);
    for (let k = 0; k < 100; k++) expect(x[k]).toBeCloseTo(x[0]! + slope * (k / 50), 4);
    expect(slope).not.toBe(0);
  });

  it('gives the same bytes and version twice, and another version for other parameters', async () => {
    const a = await service().export(params(path.join(work, 'b1')));
    const b = await service().export(params(path.join(work, 'b2')));
    expect(b.version).toBe(a.version);
    for (const f of ['manifest.json', 'README.md', ...readdirSync(path.join(a.out, 'data')).map((x) => `data/${x}`)]) {
      expect(readFileSync(path.join(b.out, f)).equals(readFileSync(path.join(a.out, f))), f).toBe(true);
    }
    const c = await service().export(params(path.join(work, 'b3'), { seed: 8 }));
    expect(c.version).not.toBe(a.version);
  });

  it('keeps the participants of an earlier manifest in their splits', async () => {
    const first = await service().export(params(path.join(work, 'c1')));
    const frozen = JSON.parse(readFileSync(path.join(first.out, 'manifest.json'), 'utf8')).splits;
    const again = await service().export(params(path.join(work, 'c2'), { seed: 12345, splitsFrom: path.join(first.out, 'manifest.json') }));
    expect(JSON.parse(readFileSync(path.join(again.out, 'manifest.json'), 'utf8')).splits).toEqual(frozen);
  });

  it('writes the same dataset to the S3 server, the manifest last, and never over a finished one', async () => {
    const local = await service().export(params(path.join(work, 's3-local')));
    const prefix = `exports/${slug}/v1`;
    const r = await service().export(params(`s3://${h.store.bucket}/${prefix}`));
    expect(r.out).toBe(`s3://${h.store.bucket}/${prefix}`);
    expect(r.version).toBe(local.version);
    const listed = (await h.store.list(`${prefix}/`)).sort();
    const files = ['README.md', 'manifest.json', ...['data', 'images'].flatMap((d) => readdirSync(path.join(local.out, d)).map((f) => `${d}/${f}`))].sort();
    expect(listed).toEqual(files.map((f) => `${prefix}/${f}`));
    for (const f of files) expect(Buffer.from(await h.store.getBytes(`${prefix}/${f}`)).equals(readFileSync(path.join(local.out, f))), f).toBe(true);
    await expect(service().export(params(`s3://${h.store.bucket}/${prefix}`))).rejects.toMatchObject({ code: 'conflict' });
    // What an interrupted export left (no manifest) is written again: a half file in the destination (an
    // interrupted publish) and one in the temporary place.
    await h.store.putBytes(`exports/${slug}/v2/data/train-00000-of-00001.parquet`, 'half a file');
    await h.store.putBytes(`exports/${slug}/v2.partial/data/train-00000-of-00001.parquet`, 'half a file');
    const again = await service().export(params(`s3://${h.store.bucket}/exports/${slug}/v2`));
    expect(again.version).toBe(local.version);
    expect(Buffer.from(await h.store.getBytes(`exports/${slug}/v2/data/train-00000-of-00001.parquet`)).equals(readFileSync(path.join(local.out, 'data/train-00000-of-00001.parquet')))).toBe(true);
    await expect(service().export(params(`s3://${h.store.bucket}/../etc`))).rejects.toMatchObject({ code: 'validation_failed' });
    expect(await h.store.list(`exports/${slug}/v2.partial/`)).toEqual([]);
  });

  it('keeps hostile text exactly in Parquet and neutralises it in CSV, numbers untouched', async () => {
    // Labels imported from a participant's files and device names from their metadata are anyone's text.
    const hostile = '=HYPERLINK("http://evil.example","click"), "quoted"\nsecond line \u202Eevil\u202C naïve';
    const device = '@SUM(1+1)*cmd|" /C calc"!A0';
    await h.db.annotation.create({ data: { id: `anr_hostile${Date.now()}`, recordingId: rec.P03!, startS: 30, endS: 40, label: hostile, source: 'import', status: 'accepted' } });
    await h.db.recording.update({ where: { id: rec.P03! }, data: { device: { kind: 'watch', model: device } } });
    const pq = await service().export(params(path.join(work, 'hostile-parquet')));
    const csv = await service().export(params(path.join(work, 'hostile-csv'), { format: 'csv' }));
    expect(csv.version).not.toBe(pq.version);

    const fromParquet = await rows(`select window_start_s as s, label, device, accelerometer_x as x from read_parquet('${pq.out}/data/*.parquet')
      where recording_id = '${rec.P03}' and window_start_s in (28, 30, 35) order by s`);
    expect(fromParquet.map((r) => [r.s, r.label, r.device])).toEqual([[28, 'background', `watch ${device}`], [30, hostile, `watch ${device}`], [35, hostile, `watch ${device}`]]);

    const csvFile = readdirSync(path.join(csv.out, 'data')).find((f) => readFileSync(path.join(csv.out, 'data', f), 'utf8').includes(rec.P03!))!;
    expect(csvFile).toMatch(/^(train|validation|test)-00000-of-00001\.csv$/);
    const text = readFileSync(path.join(csv.out, 'data', csvFile), 'utf8');
    // No cell starts a formula: every hostile text begins with an apostrophe once read.
    const fromCsv = await rows(`select window_start_s as s, label, device, accelerometer_x_00 as x0, accelerometer_x_99 as x99
      from read_csv('${path.join(csv.out, 'data', csvFile)}', header = true, quote = '"', escape = '"', all_varchar = true)
      where recording_id = '${rec.P03}' and window_start_s in ('28', '30', '35') order by s`);
    expect(fromCsv.map((r) => [r.s, r.label, r.device])).toEqual([['28', 'background', `watch ${device}`], ['30', `'${hostile}`, `watch ${device}`], ['35', `'${hostile}`, `watch ${device}`]]);
    expect(text).toContain('"\'=HYPERLINK(""http://evil.example"",""click""), ""quoted""\nsecond line');
    // Numbers are numbers, the same values as in Parquet.
    const x = fromParquet[1]!.x as number[];
    expect(Number(fromCsv[1]!.x0)).toBe(x[0]);
    expect(Number(fromCsv[1]!.x99)).toBe(x[99]);
    expect(readFileSync(path.join(csv.out, 'README.md'), 'utf8')).toContain('data/');
  });

  it('selects recordings by participant, quality and wall-clock time, and annotations by annotator', async () => {
    const two = await service().export(params(path.join(work, 'sel-p'), { select: { participants: ['P02', 'P03'] } }));
    expect(two.recordings).toBe(2);
    const manifest = JSON.parse(readFileSync(path.join(two.out, 'manifest.json'), 'utf8'));
    expect(manifest.recordings.map((r: { participant: string }) => r.participant).sort()).toEqual(['P02', 'P03']);
    expect(manifest.parameters.select).toEqual({ participants: ['P02', 'P03'] });
    // The test recordings all start at 2023-11-14T22:13:20Z (the CSV's clock) and last 60 s.
    expect((await service().export(params(path.join(work, 'sel-t'), { select: { from: '2023-11-14T22:13:50Z', to: '2023-11-14T23:00:00Z' } }))).recordings).toBe(3);
    await expect(service().export(params(path.join(work, 'sel-t2'), { select: { from: '2023-11-15T00:00:00Z' } }))).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(service().export(params(path.join(work, 'sel-q'), { select: { quality: ['no-such-status'] } }))).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(service().export(params(path.join(work, 'sel-bad'), { select: { from: 'yesterday' } }))).rejects.toMatchObject({ code: 'validation_failed' });
    // Only another annotator's labels: P01's walking (Ana's) is gone.
    const none = await service().export(params(path.join(work, 'sel-a'), { select: { annotators: ['ann_nobody'] } }));
    const all = `read_parquet('${none.out}/data/*.parquet')`;
    expect(await rows(`select count(*)::int as n from ${all} where label = 'walking'`)).toEqual([{ n: 0 }]);
  });

  it('exports incrementally: only the recordings added or changed since a manifest, with its splits kept', async () => {
    const base = await service().export(params(path.join(work, 'inc0')));
    const baseManifest = path.join(base.out, 'manifest.json');
    await expect(service().export(params(path.join(work, 'inc-none'), { since: baseManifest }))).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(service().export(params(path.join(work, 'inc-param'), { since: baseManifest, windowS: 4 }))).rejects.toThrow(/these differ: windowS/);

    // One new upload (a new participant) and one changed annotation (P01's walking, a new revision).
    const studyId = (await h.db.study.findUniqueOrThrow({ where: { slug } })).id;
    const p4 = await call(h, h.adminToken, 'POST', `/v1/studies/${studyId}/participants`, { code: 'P04' });
    const r4 = await ingestReady(h, p4.json.token, new TextEncoder().encode(sensorLoggerCsv({ rows: RATE * 30, rateHz: RATE, value })), 'Accelerometer.csv');
    const walking = await h.db.annotation.findFirstOrThrow({ where: { recordingId: rec.P01!, label: 'walking' } });
    await call(h, h.adminToken, 'PATCH', `/v1/annotations/${walking.id}`, { endS: 21 });

    const inc = await service().export(params(path.join(work, 'inc1'), { since: baseManifest }));
    const m = JSON.parse(readFileSync(path.join(inc.out, 'manifest.json'), 'utf8'));
    expect(m.incremental).toEqual({ since: base.version, added: [r4.id], changed: [rec.P01], removed: [], unchanged: 2 });
    expect(m.recordings.map((r: { id: string }) => r.id).sort()).toEqual([r4.id, rec.P01].sort());
    expect(inc.windows).toBe(29 + 59);
    // P01 keeps the split it had.
    const before = JSON.parse(readFileSync(baseManifest, 'utf8')).splits as Record<string, string[]>;
    const p01 = (await h.db.recording.findUniqueOrThrow({ where: { id: rec.P01! } })).participantId;
    const splitOf = (sp: Record<string, string[]>): string | undefined => Object.entries(sp).find(([, ids]) => ids.includes(p01))?.[0];
    expect(splitOf(m.splits)).toBe(splitOf(before));
  });

  it('labels with proposals a person accepted, of the pipeline version the recording shows only', async () => {
    const r2 = await h.db.recording.findUniqueOrThrow({ where: { id: rec.P02! }, select: { pipelineVersion: true } });
    const base = { recordingId: rec.P02!, label: 'still', source: 'auto' as const, status: 'accepted' as const, detector: 'imu-activity', confidence: 0.9 };
    await h.db.annotation.create({ data: { ...base, id: `anr_oldver${Date.now()}`, startS: 0, endS: 20, pipelineVersion: '0.0.1' } });
    await h.db.annotation.create({ data: { ...base, id: `anr_curver${Date.now()}`, startS: 40, endS: 60, pipelineVersion: r2.pipelineVersion } });
    const r = await service().export(params(path.join(work, 'auto-accepted')));
    const still = await rows(`select min(window_start_s) as first, max(window_start_s) as last, count(*)::int as n from read_parquet('${r.out}/data/*.parquet')
      where recording_id = '${rec.P02}' and label = 'still'`);
    // 40–60 s (windows starting 39 … 58); nothing from the old version's 0–20 s.
    expect(still).toEqual([{ first: 39, last: 58, n: 20 }]);
  });

  it('exports events: one row per annotation with its samples and a second of context either side', async () => {
    const r = await service().export(params(path.join(work, 'events'), { shape: 'events', contextS: 1 }));
    const got = await rows(`select recording_id as rec, label, source, event_start_s as s, event_end_s as e, samples_start_s as s0, len(accelerometer_x)::int as n
      from read_parquet('${r.out}/data/*.parquet') order by rec, s`);
    const expected = [];
    for (const a of await h.db.annotation.findMany({ where: { recordingId: { in: Object.values(rec) }, status: 'accepted' }, orderBy: [{ recordingId: 'asc' }, { startS: 'asc' }] })) {
      const dur = (await h.db.recording.findUniqueOrThrow({ where: { id: a.recordingId } })).durationS!;
      const version = (await h.db.recording.findUniqueOrThrow({ where: { id: a.recordingId } })).pipelineVersion;
      if (a.source === 'auto' && a.pipelineVersion !== version) continue;
      const s0 = Math.max(0, a.startS - 1);
      // The samples end with the recording's last one (at 59.99 s: 6,000 rows at 100 Hz).
      const lastSampleS = (RATE * SECONDS - 1) / RATE;
      expected.push({ rec: a.recordingId, label: a.label, source: a.source, s: a.startS, e: a.endS, s0, n: Math.floor((Math.min(dur, a.endS + 1, lastSampleS) - s0) * 50 + 1e-9) + 1 });
    }
    expect(expected.map((x) => x.label).sort()).toEqual(expect.arrayContaining(['still', 'walking']));
    expect(got).toEqual(expected.sort((x, y) => (x.rec < y.rec ? -1 : x.rec > y.rec ? 1 : x.s - y.s)));
    expect(readFileSync(path.join(r.out, 'README.md'), 'utf8')).toContain(': events');
    await expect(service().export(params(path.join(work, 'events-csv'), { shape: 'events', format: 'csv' }))).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('exports whole recordings: one row per recording, each channel at the export rate, its annotations as JSON', async () => {
    // The first three participants (the incremental test adds one).
    const r = await service().export(params(path.join(work, 'recordings'), { shape: 'recordings', select: { participants: ['P01', 'P02', 'P03'] } }));
    expect(r.windows).toBe(3);
    const got = await rows(`select recording_id as rec, participant, duration_s as d, samples_start_s as s0, crosses_gap as gap, len(accelerometer_x)::int as n,
      accelerometer_x[1001] as x1000, accelerometer_z[1501] as z1500, annotations from read_parquet('${r.out}/data/*.parquet') order by participant`);
    expect(got.map((g) => g.participant)).toEqual(['P01', 'P02', 'P03']);
    for (const g of got) {
      // 60 s at 100 Hz, last sample at 59.99 s: grid points 0 … 59.98 s at 50 Hz.
      expect(g).toMatchObject({ d: SECONDS, s0: 0, gap: false, n: SECONDS * 50 });
      // x rises 0.1 per second: at grid point 1000 (20 s) it is 2.0; z is 9.81 throughout.
      expect(g.x1000 as number).toBeCloseTo(2.0, 4);
      expect(g.z1500 as number).toBeCloseTo(9.81, 4);
    }
    const p01 = JSON.parse(got[0]!.annotations as string) as { label: string; start_s: number; end_s: number; source: string }[];
    // As stored now (another test moves its end).
    const walking = await h.db.annotation.findFirstOrThrow({ where: { recordingId: rec.P01!, label: 'walking' } });
    expect(p01.filter((a) => a.source === 'human')).toEqual([expect.objectContaining({ id: walking.id, label: 'walking', start_s: walking.startS, end_s: walking.endS })]);
    expect(readFileSync(path.join(r.out, 'README.md'), 'utf8')).toContain(': recordings');
  });

  it('exports BIDS-Motion: the required files, one motion.tsv per recording at the export rate, events from the annotations, the same bytes twice', async () => {
    const p = (out: string): ExportParams => params(out, { shape: 'recordings', format: 'bids-motion', select: { participants: ['P01', 'P02', 'P03'] } });
    const a = await service().export(p(path.join(work, 'bids-a')));
    const b = await service().export(p(path.join(work, 'bids-b')));
    expect(b.version).toBe(a.version);
    const walk = (dir: string, rel = ''): string[] => readdirSync(path.join(dir, rel), { withFileTypes: true })
      .flatMap((d) => (d.isDirectory() ? walk(dir, `${rel}${d.name}/`) : [`${rel}${d.name}`])).sort();
    const files = walk(a.out);
    expect(walk(b.out)).toEqual(files);
    for (const f of files) expect(readFileSync(path.join(a.out, f)).equals(readFileSync(path.join(b.out, f))), f).toBe(true);
    for (const f of ['dataset_description.json', 'participants.tsv', 'participants.json', 'README.md', 'manifest.json', '.bidsignore']) expect(files).toContain(f);
    expect(files.some((f) => f.startsWith('images/') || f.startsWith('data/'))).toBe(false);
    const description = JSON.parse(readFileSync(path.join(a.out, 'dataset_description.json'), 'utf8'));
    expect(description).toMatchObject({ Name: 'Export', BIDSVersion: expect.stringMatching(/^1\.\d+\.\d+$/), DatasetType: 'raw' });
    expect(readFileSync(path.join(a.out, 'participants.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t')[0])).toEqual(['participant_id', 'sub-P01', 'sub-P02', 'sub-P03']);
    const motion = files.filter((f) => f.endsWith('_motion.tsv'));
    expect(motion).toHaveLength(3);
    for (const f of motion) {
      expect(f).toMatch(/^sub-P0\d\/motion\/sub-P0\d_task-fieldstudy_tracksys-[A-Za-z0-9]+_motion\.tsv$/);
      const lines = readFileSync(path.join(a.out, f), 'utf8').trimEnd().split('\n');
      // From time 0 to 60 s at 50 Hz; the last grid point (60 s) is after the last sample: n/a.
      expect(lines).toHaveLength(SECONDS * 50 + 1);
      expect(lines.at(-1)).toBe('n/a\tn/a\tn/a');
      const [x, , z] = lines[1000]!.split('\t').map(Number);
      expect(x).toBeCloseTo(2.0, 4);
      expect(z).toBeCloseTo(9.81, 4);
      const stem = f.replace(/_motion\.tsv$/, '');
      const channels = readFileSync(path.join(a.out, `${stem}_channels.tsv`), 'utf8').trim().split('\n').map((l) => l.split('\t'));
      expect(channels[0]!.slice(0, 5)).toEqual(['name', 'component', 'type', 'tracked_point', 'units']);
      expect(channels.slice(1).map((c) => c[1])).toEqual(['x', 'y', 'z']);
      const sidecar = JSON.parse(readFileSync(path.join(a.out, `${stem}_motion.json`), 'utf8'));
      expect(sidecar).toMatchObject({ SamplingFrequency: 50, TaskName: 'fieldstudy', MotionChannelCount: 3 });
    }
    const events = readFileSync(path.join(a.out, files.find((f) => f.startsWith('sub-P01/') && f.endsWith('_events.tsv'))!), 'utf8').trim().split('\n').map((l) => l.split('\t'));
    expect(events[0]!.slice(0, 2)).toEqual(['onset', 'duration']);
    const walking = await h.db.annotation.findFirstOrThrow({ where: { recordingId: rec.P01!, label: 'walking' } });
    expect(events.slice(1).filter((e) => e.includes('walking')).map((e) => [Number(e[0]), Number(e[1])])).toEqual([[walking.startS, walking.endS - walking.startS]]);
    const manifest = JSON.parse(readFileSync(path.join(a.out, 'manifest.json'), 'utf8'));
    expect(manifest.files.map((f: { path: string }) => f.path).sort()).toEqual(files.filter((f) => f !== 'manifest.json'));
    expect(readFileSync(path.join(a.out, '.bidsignore'), 'utf8')).toBe('manifest.json\n');
    await expect(service().export(params(path.join(work, 'bids-windows'), { format: 'bids-motion' }))).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('refuses to write over an existing folder, and names bad parameters', async () => {
    const out = path.join(work, 'a');
    await expect(service().export(params(out))).rejects.toMatchObject({ code: 'conflict' });
    await expect(service().export(params(path.join(work, 'd'), { windowS: 0, rateHz: -1 }))).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(service().export(params(path.join(work, 'e'), { study: 'no-such-study' }))).rejects.toMatchObject({ code: 'not_found' });
  });
});

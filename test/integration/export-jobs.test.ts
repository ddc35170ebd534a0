import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportRepository } from '../../src/repositories/export.repository.js';
import { ExportDatasetService, type ExportParams } from '../../src/services/export-dataset.service.js';
import { TSX_NODE_ARGS } from '../../src/main/child-process-args.js';
import { call, ingestReady, sensorLoggerCsv, startHarness, type Harness } from '../helpers/harness.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RATE = 100;
const value = (i: number): [number, number, number] => [Math.sin(i / 37), Math.cos(i / 53), 9.81 + 0.01 * (i % 7)];

/** Every file under a folder, relative paths, sorted. */
function filesOf(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? filesOf(dir, `${rel}${d.name}/`) : [`${rel}${d.name}`]))
    .sort();
}

/**
 * Dataset exports as jobs: POST /v1/exports plans the export and the workers run its shards — here two worker
 * processes at once — then its final step; the dataset in the bucket is byte for byte the one the in-process
 * export writes. An interrupted in-process export resumes from its finished shards; a shard that keeps failing
 * fails the export with its reason, retried alone.
 */
describe('dataset export jobs', () => {
  let h: Harness;
  let work: string;
  let slug: string;
  let studyId: string;
  const extra: ChildProcess[] = [];
  /** The first test's finished export. */
  let finishedId = '';
  const rec: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness();
    work = mkdtempSync(path.join(tmpdir(), 'fieldsense-export-jobs-'));
    slug = `exjobs-${Date.now().toString(36)}`;
    const study = await call(h, h.adminToken, 'POST', '/v1/studies', { slug, name: 'Export jobs', labels: [{ name: 'walking' }] });
    expect(study.status).toBe(201);
    studyId = study.json.id;
    const annotator = await call(h, h.adminToken, 'POST', `/v1/studies/${studyId}/annotators`, { name: 'Ana' });
    // Four participants, 40–70 s each: with 60 s shards, one or two recordings per shard.
    for (const [n, code] of ['P01', 'P02', 'P03', 'P04'].entries()) {
      const p = await call(h, h.adminToken, 'POST', `/v1/studies/${studyId}/participants`, { code });
      const seconds = 40 + 10 * n;
      const r = await ingestReady(h, p.json.token, new TextEncoder().encode(sensorLoggerCsv({ rows: RATE * seconds, rateHz: RATE, value })), 'Accelerometer.csv');
      rec[code] = r.id;
    }
    for (const code of ['P01', 'P03']) {
      const a = await call(h, annotator.json.token, 'POST', `/v1/recordings/${rec[code]}/annotations`, { startS: 5, endS: 15, label: 'walking' });
      expect(a.status).toBe(201);
    }
  }, 240_000);
  afterAll(async () => {
    for (const c of extra) if (c.exitCode === null) c.kill('SIGKILL');
    if (work) rmSync(work, { recursive: true, force: true });
    await h?.close();
  });

  const body = { windowS: 2, hopS: 1, rateHz: 50, split: '50/25/25', seed: 3, background: 'other', shardHours: 60 / 3600 };
  const params = (out: string): ExportParams => ({
    study: slug, out, streams: null, windowS: 2, hopS: 1, rateHz: 50, labelPolicy: 'majority', minOverlap: 0.5, background: 'other', gaps: 'drop',
    format: 'parquet', split: '50/25/25', seed: 3, stratify: 'none', splitsFrom: null, annotations: 'accepted', labels: null, shardHours: 60 / 3600,
  });
  const service = (): ExportDatasetService => new ExportDatasetService(new ExportRepository(h.db), h.store);

  const waitFor = async (id: string, until: (s: any) => boolean, timeoutMs = 120_000): Promise<any> => {
    const t0 = Date.now();
    const seen: any[] = [];
    for (;;) {
      const s = await call(h, h.adminToken, 'GET', `/v1/exports/${id}`);
      expect(s.status).toBe(200);
      seen.push(s.json);
      if (until(s.json)) return { last: s.json, seen };
      if (Date.now() - t0 > timeoutMs) throw new Error(`export ${id} still ${s.json.status}: ${JSON.stringify(s.json.progress)}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  };

  it('runs an export as shards on two worker processes and publishes the same bytes as the in-process export', async () => {
    const local = path.join(work, 'in-process');
    const mine = await service().export(params(local));
    const files = filesOf(local);
    const dataFiles = files.filter((f) => f.startsWith('data/'));
    // Several shards per split: the plan cut the study into ~60 s shards.
    expect(dataFiles.length).toBeGreaterThanOrEqual(3);
    for (const f of dataFiles) expect(f).toMatch(/^data\/(train|validation|test)-\d{5}-of-\d{5}\.parquet$/);

    // A second worker process beside the harness's: shards run on both.
    const second = fork(path.join(ROOT, 'workers/main.ts'), [], { cwd: ROOT, execArgv: [...TSX_NODE_ARGS], env: { ...process.env, ...h.env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    extra.push(second);
    await new Promise<void>((resolve, reject) => {
      second.once('message', () => resolve());
      second.once('exit', (code) => reject(new Error(`second worker exited with ${code}`)));
    });

    const created = await call(h, h.adminToken, 'POST', '/v1/exports', { studyId, ...body });
    expect(created.status, JSON.stringify(created.json)).toBe(202);
    expect(created.json.status).toBe('queued');
    expect(created.json.progress.shards).toBe(dataFiles.length);
    expect(created.json.location).toBe(`s3://${h.store.bucket}/exports/${created.json.id}`);
    const early = await call(h, h.adminToken, 'GET', created.json.manifestUrl);
    // Not finished yet (or just finished on a fast machine).
    expect([200, 409]).toContain(early.status);

    const { last, seen } = await waitFor(created.json.id, (s) => s.status === 'finished' || s.status === 'failed');
    expect(last.status, last.error).toBe('finished');
    expect(last.version).toBe(mine.version);
    expect(last.windows).toBe(mine.windows);
    expect(last.progress).toMatchObject({ shards: dataFiles.length, shardsDone: dataFiles.length, fraction: 1, etaSeconds: 0, rows: mine.windows });
    expect(last.progress.recordings).toBe(4);
    // Progress is monotone as it is polled.
    const fractions = seen.map((s: any) => s.progress.fraction);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]);

    // Byte-identical files: the published dataset is exactly the in-process one.
    const prefix = `exports/${created.json.id}/`;
    const keys = (await h.store.list(prefix)).map((k) => k.slice(prefix.length)).sort();
    expect(keys).toEqual(files);
    for (const f of files) {
      const remote = Buffer.from(await h.store.getBytes(prefix + f));
      expect(remote.equals(readFileSync(path.join(local, f))), f).toBe(true);
    }
    // Nothing is left in the temporary place.
    expect(await h.store.list(`exports/${created.json.id}.partial/`)).toEqual([]);

    const manifest = await call(h, h.adminToken, 'GET', last.manifestUrl);
    expect(manifest.status).toBe(200);
    finishedId = created.json.id;
    expect(manifest.json.version).toBe(mine.version);
    const card = await fetch(`${h.baseUrl}${last.cardUrl}`, { headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(card.status).toBe(200);
    expect(card.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(await card.text()).toBe(readFileSync(path.join(local, 'README.md'), 'utf8'));

    // Both processes ran shards: each shard's attempts are counted in the database, and each worker process logs nothing we parse —
    // so check the shard rows were all done, once each.
    const shards = await h.db.datasetExportShard.findMany({ where: { exportId: created.json.id }, orderBy: { index: 'asc' } });
    expect(shards.map((s) => [s.done, s.attempts])).toEqual(shards.map(() => [true, 1]));

    // The participants it holds are listed for them (withdrawal's question).
    const held = await call(h, h.adminToken, 'GET', `/v1/participants/${manifest.json.recordings[0].participantId}/exports`);
    expect(held.json.items.map((e: { id: string }) => e.id)).toContain(created.json.id);
  }, 240_000);

  it('resumes an interrupted in-process export from the shards it finished, with the same bytes', async () => {
    const whole = path.join(work, 'whole');
    const ref = await service().export(params(whole));
    const out = path.join(work, 'interrupted');
    // Interrupted after its first shard: the progress callback throws once the first shard is done.
    await expect(service().export(params(out), (p) => {
      if (p.shardsDone >= 1) throw new Error('interrupted');
    })).rejects.toThrow('interrupted');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(true);
    const again = await service().export(params(out));
    expect(again.resumedShards).toBe(1);
    expect(again.version).toBe(ref.version);
    expect(existsSync(`${out}.partial`)).toBe(false);
    const files = filesOf(whole);
    expect(filesOf(out)).toEqual(files);
    for (const f of files) expect(readFileSync(path.join(out, f)).equals(readFileSync(path.join(whole, f))), f).toBe(true);
    expect(statSync(path.join(out, 'manifest.json')).size).toBeGreaterThan(0);
  }, 120_000);

  it('fails an export whose shard keeps failing, with the shard and its reason, after retrying that shard alone', async () => {
    // P02's stream object is gone: the shard holding it cannot be read.
    const stream = await h.db.stream.findFirst({ where: { recordingId: rec.P02! }, select: { objectKey: true } });
    const saved = await h.store.getBytes(stream!.objectKey);
    await h.store.delete(stream!.objectKey);
    try {
      const created = await call(h, h.adminToken, 'POST', '/v1/exports', { studyId, ...body });
      expect(created.status).toBe(202);
      const { last } = await waitFor(created.json.id, (s) => s.status === 'finished' || s.status === 'failed');
      expect(last.status).toBe('failed');
      expect(last.error).toMatch(/^shard \d+ failed: /);
      expect(last.version).toBeNull();
      const shards = await h.db.datasetExportShard.findMany({ where: { exportId: created.json.id } });
      // The shard that holds P02 ran out of attempts; every other ran once at most (one that had not started when
      // the export failed is not started after).
      const exhausted = shards.filter((s) => !s.done && s.attempts === h.config.jobs.attempts);
      expect(exhausted.length).toBe(1);
      for (const s of shards.filter((x) => x !== exhausted[0])) expect(s.attempts).toBeLessThanOrEqual(1);
      // A failed export holds nobody.
      const held = await call(h, h.adminToken, 'GET', `/v1/participants/${shards.length > 0 ? (await h.db.recording.findUnique({ where: { id: rec.P02! } }))!.participantId : ''}/exports`);
      expect(held.json.items.map((e: { id: string }) => e.id)).not.toContain(created.json.id);
      expect(await h.store.list(`exports/${created.json.id}/`)).toEqual([]);
    } finally {
      await h.store.putBytes(stream!.objectKey, saved);
    }
  }, 240_000);

  it('runs from the command line: plain progress lines off a terminal, the dataset and its version on stdout', () => {
    const out = path.join(work, 'cli');
    const run = (args: string[]): { status: number | null; stdout: string; stderr: string } => {
      const r = spawnSync(process.execPath, [...TSX_NODE_ARGS, 'src/cli/export.ts', ...args], { cwd: ROOT, env: { ...process.env, ...h.env }, encoding: 'utf8', timeout: 120_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const args = ['--study', slug, '--out', out, '--split', '50/25/25', '--seed', '3', '--background', 'other', '--shard-hours', String(60 / 3600)];
    const first = run(args);
    expect(first.status, first.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(first.stdout).toContain(`written to ${out}\nversion ${manifest.version}\n`);
    expect(first.stdout).toMatch(new RegExp(`^${manifest.counts.windows} windows from 4 recording\\(s\\)`));
    // One line per shard on stderr (not a terminal: no bar redrawn in place).
    expect(first.stderr).not.toContain('\r');
    expect(first.stderr.match(/^shard \d+\/\d+ /gm)?.length).toBe(manifest.files.length);
    const again = run(args);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists: export to a new folder/);
    const bad = run(['--study', slug, '--out', path.join(work, 'cli-bad'), '--shape', 'cubes']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--shape must be one of windows, events, recordings/);
  }, 180_000);

  it('follows an earlier export through the API: its splits kept, and an incremental export that finds nothing new', async () => {
    expect(finishedId).not.toBe('');
    const earlier = (await call(h, h.adminToken, 'GET', `/v1/exports/${finishedId}/manifest`)).json;
    // Another seed would reshuffle participants; the earlier export's splits hold them where they were.
    const created = await call(h, h.adminToken, 'POST', '/v1/exports', { studyId, ...body, seed: 99, splitsFromExportId: finishedId });
    expect(created.status, JSON.stringify(created.json)).toBe(202);
    const { last } = await waitFor(created.json.id, (s) => s.status === 'finished' || s.status === 'failed');
    expect(last.status, last.error).toBe('finished');
    expect((await call(h, h.adminToken, 'GET', `/v1/exports/${created.json.id}/manifest`)).json.splits).toEqual(earlier.splits);
    const nothing = await call(h, h.adminToken, 'POST', '/v1/exports', { studyId, ...body, sinceExportId: finishedId });
    expect(nothing.status).toBe(400);
    expect(nothing.json.error.message).toMatch(/^Nothing was added or changed since/);
    const unknown = await call(h, h.adminToken, 'POST', '/v1/exports', { studyId, ...body, sinceExportId: 'dsx_nosuchexport' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toMatch(/there is no export dsx_nosuchexport of this study/);
  }, 180_000);

  it('answers a bad export request at once, with the contract\'s error', async () => {
    const none = await call(h, h.adminToken, 'POST', '/v1/exports', { studyId, select: { participants: ['nobody'] } });
    expect(none.status).toBe(400);
    expect(none.json.error.code).toBe('validation_failed');
    expect(none.json.error.message).toMatch(/No ready recording/);
    const missing = await call(h, h.adminToken, 'GET', '/v1/exports/dsx_doesnotexist');
    expect(missing.status).toBe(404);
  });
});

/**
 * Dataset exports as jobs (POST /v1/exports): the API plans the export and commits it with its outbox event;
 * the workers run its shards (`export-shard`, any number at once, on any worker) and its final step
 * (`export-finalize`). The dataset goes to the platform's bucket under `exports/<id>/`, built in
 * `exports/<id>.partial/` and published whole. The plan, the shards' recordings and each finished shard's
 * summary live in the workspace, so a shard needs only the export's id and its index, and memory per job does
 * not grow with the study (each shard job reads its own recordings' list).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppError } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import type { Principal } from '../domain/principal.js';
import type { ExportJobRow, ExportRepository } from '../repositories/export.repository.js';
import type { ObjectStore } from '../storage/object-store.js';
import { keys } from '../storage/keys.js';
import { finishedShard, preparePlan, recordShardDone, shardListFile, type ExportDatasetService } from './export-dataset.service.js';
import type { ExportParams, ExportPlan, PlannedRecording } from './export/plan.js';
import { runShard, type ShardSummary } from './export/shard.js';
import { S3Workspace } from './export/workspace.js';

/** The export's parameters as the API takes them: ExportParams without the destination (the platform chooses it). */
export type ExportRequest = Omit<ExportParams, 'out' | 'study' | 'since' | 'splitsFrom'> & {
  studyId: string;
  /** An earlier export of the platform (its id) whose participants keep their splits. */
  splitsFromExportId?: string | null;
  /** An earlier export (its id) this one follows incrementally: only what was added or changed since. */
  sinceExportId?: string | null;
};

export interface ExportStatus {
  id: string;
  studyId: string;
  study: string;
  status: string;
  params: unknown;
  location: string;
  version: string | null;
  recordings: number;
  windows: number;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  progress: {
    shards: number; shardsDone: number; recordings: number; recordingsDone: number; hours: number; hoursDone: number; rows: number;
    /** 0 … 1, by recorded time done. */
    fraction: number;
    /** Rows written per second since the export started; null before it started. */
    rowsPerSecond: number | null;
    /** Seconds left at the rate so far; null when not known yet. */
    etaSeconds: number | null;
  };
}

const PROGRESS_EVERY_MS = 1000;

export class ExportJobsService {
  constructor(
    private readonly repo: ExportRepository,
    private readonly exports: ExportDatasetService,
    private readonly store: ObjectStore,
  ) {}

  private prefix(id: string): string {
    return keys.exportObject('exports', id);
  }

  /** Plans the export (answers a bad selection at once) and queues it. */
  async create(p: Principal, req: ExportRequest, requestId?: string): Promise<ExportStatus> {
    admin(p);
    const study = await this.repo.studyById(req.studyId);
    if (!study) throw new AppError('not_found', `There is no study ${req.studyId}.`);
    const id = newId('dsx');
    const prefix = this.prefix(id);
    const { studyId: _s, splitsFromExportId, sinceExportId, ...rest } = req;
    const tmp = await mkdtemp(path.join(tmpdir(), 'fieldsense-export-manifests-'));
    let planned;
    try {
      const manifestFile = async (exportId: string | null | undefined, what: string): Promise<string | null> => {
        if (!exportId) return null;
        const earlier = await this.repo.job(exportId);
        if (!earlier || earlier.studyId !== study.id) throw new AppError('validation_failed', `${what}: there is no export ${exportId} of this study.`);
        if (earlier.status !== 'finished') throw new AppError('validation_failed', `${what}: export ${exportId} is ${earlier.status}; only a finished export has a manifest to follow.`);
        const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(earlier.location);
        if (!m || m[1] !== this.store.bucket) throw new AppError('validation_failed', `${what}: export ${exportId} was written to ${earlier.location}, which the platform cannot read: give an export made through the API or to its bucket.`);
        const file = path.join(tmp, `${exportId}.json`);
        await writeFile(file, await this.store.getBytes(keys.exportObject(m[2]!, 'manifest.json')));
        return file;
      };
      planned = await this.exports.plan({
        ...rest, study: study.slug, out: `s3://${this.store.bucket}/${prefix}`,
        splitsFrom: await manifestFile(splitsFromExportId, 'splitsFromExportId'), since: await manifestFile(sinceExportId, 'sinceExportId'),
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    const ws = new S3Workspace(this.store, prefix);
    await preparePlan(ws, planned);
    await this.repo.createJob({
      id, studyId: study.id, location: ws.destination, params: req, requestId,
      shards: planned.plan.shards.map((s) => ({ index: s.index, recordings: s.recordings, seconds: s.seconds })),
    });
    return this.status(p, id);
  }

  async status(p: Principal, id: string): Promise<ExportStatus> {
    admin(p);
    const row = await this.repo.job(id);
    if (!row) throw new AppError('not_found', `There is no export ${id}.`);
    return statusOf(row);
  }

  /** A file of a finished export: its manifest or its card. */
  async file(p: Principal, id: string, name: 'manifest.json' | 'README.md'): Promise<Uint8Array> {
    const s = await this.status(p, id);
    if (s.status !== 'finished') throw new AppError('conflict', `Export ${id} is ${s.status}: its ${name === 'README.md' ? 'card' : 'manifest'} is there once it has finished.`, { status: s.status });
    return this.store.getBytes(keys.exportObject(this.prefix(id), name));
  }

  /** The `export-shard` job: one shard, unless an earlier attempt already finished it. */
  async runShardJob(exportId: string, index: number): Promise<void> {
    const row = await this.repo.job(exportId);
    if (!row || row.status === 'finished' || row.status === 'failed') return;
    const ws = new S3Workspace(this.store, this.prefix(exportId));
    const plan = await ws.readJson<ExportPlan>('plan.json');
    if (!plan) throw new Error(`export ${exportId} has no plan in its workspace`);
    const shard = plan.shards[index];
    if (!shard) throw new Error(`export ${exportId} has no shard ${index}`);
    const before = await finishedShard(ws, plan, index);
    if (before) {
      await this.repo.shardProgress(exportId, index, { recordingsDone: shard.recordings, secondsDone: shard.seconds, windows: before.rows, done: true });
      return;
    }
    const recordings = await ws.readJson<PlannedRecording[]>(shardListFile(index));
    if (!recordings) throw new Error(`export ${exportId} has no recordings list for shard ${index}`);
    await this.repo.shardStarted(exportId, index);
    let last = 0;
    const summary = await runShard(this.store, plan, shard, recordings, ws, async (sp) => {
      const now = Date.now();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      await this.repo.shardProgress(exportId, index, { recordingsDone: sp.recordingsDone, secondsDone: sp.secondsDone, windows: sp.rows });
    });
    await recordShardDone(ws, summary);
    await this.repo.shardProgress(exportId, index, { recordingsDone: shard.recordings, secondsDone: shard.seconds, windows: summary.rows, done: true });
  }

  /** The `export-finalize` job: manifest, card, publish; the export is finished. */
  async finalizeJob(exportId: string): Promise<void> {
    const row = await this.repo.job(exportId);
    if (!row || row.status === 'finished' || row.status === 'failed') return;
    const ws = new S3Workspace(this.store, this.prefix(exportId));
    const plan = await ws.readJson<ExportPlan>('plan.json');
    if (!plan) throw new Error(`export ${exportId} has no plan in its workspace`);
    const summaries: ShardSummary[] = [];
    for (const shard of plan.shards) {
      const s = await finishedShard(ws, plan, shard.index);
      if (!s) throw new Error(`export ${exportId}: shard ${shard.index} is not finished`);
      summaries.push(s);
    }
    const fin = await this.exports.finish(plan, summaries, ws);
    await this.repo.finishJob(exportId, { version: fin.version, participantIds: fin.participantIds, recordings: fin.recordings, windows: fin.windows });
  }

  /** A shard's attempts are spent (or the final step's): the export failed, with the reason people can read. */
  async failJob(exportId: string, message: string): Promise<void> {
    await this.repo.failJob(exportId, message);
  }
}

function admin(p: Principal): void {
  if (p.kind !== 'admin') throw new AppError('forbidden', 'Only the admin token may ask for dataset exports or read them.');
}

function statusOf(row: ExportJobRow): ExportStatus {
  const shardsDone = row.shardRows.filter((s) => s.done).length;
  const recordingsDone = row.shardRows.reduce((n, s) => n + s.recordingsDone, 0);
  const secondsDone = row.shardRows.reduce((n, s) => n + s.secondsDone, 0);
  const rows = row.status === 'finished' ? row.windows : row.shardRows.reduce((n, s) => n + s.windows, 0);
  const finished = row.status === 'finished';
  const fraction = finished ? 1 : row.plannedSeconds > 0 ? Math.min(1, secondsDone / row.plannedSeconds) : 0;
  const elapsedS = row.startedAt ? ((row.finishedAt ?? new Date()).getTime() - row.startedAt.getTime()) / 1000 : null;
  return {
    id: row.id, studyId: row.studyId, study: row.studySlug, status: row.status, params: row.params, location: row.location, version: row.version,
    recordings: row.recordings, windows: row.windows, error: row.error, createdAt: row.createdAt, startedAt: row.startedAt, finishedAt: row.finishedAt,
    progress: {
      shards: row.shards, shardsDone: finished ? row.shards : shardsDone, recordings: row.plannedRecordings, recordingsDone: finished ? row.plannedRecordings : recordingsDone,
      hours: row.plannedSeconds / 3600, hoursDone: (finished ? row.plannedSeconds : secondsDone) / 3600, rows, fraction,
      rowsPerSecond: elapsedS && elapsedS > 0 ? rows / elapsedS : null,
      etaSeconds: finished ? 0 : elapsedS && fraction > 0 ? (elapsedS * (1 - fraction)) / fraction : null,
    },
  };
}

/**
 * The dataset export: a study's ready recordings cut into rows — fixed-length windows, annotated events, or whole
 * recordings — over chosen streams resampled to one rate, labelled by the annotations they overlap, split by
 * participant, written as Parquet (or CSV, or BIDS-Motion) in the Hugging Face datasets layout with a manifest
 * and a dataset card.
 *
 * Output:
 *   data/<split>-<k>-of-<n>.parquet   the rows, in shards of about a participant-day of recording
 *   images/*.png                       the card's plots (class balance, one example window per label)
 *   manifest.json                      selection, parameters, every recording (content hash, pipeline version,
 *                                      annotation revisions), the splits, counts, each file's SHA-256, and the
 *                                      dataset version (a hash of all of that)
 *   README.md                          the dataset card (YAML `configs` and `features` for `load_dataset`)
 * Nothing in it depends on the time of the run, nor on which process wrote which shard: the same inputs and
 * parameters give the same bytes. The work is a plan (services/export/plan.ts) of shards (export/shard.ts) and a
 * final step (export/finalize.ts); this service runs them in-process, the workers run them as jobs
 * (export-jobs.service.ts). Either way the dataset is built beside its destination and published whole
 * (export/workspace.ts), and a re-run of an interrupted export resumes from the shards it finished.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../lib/errors.js';
import type { ExportRepository } from '../repositories/export.repository.js';
import type { ObjectStore } from '../storage/object-store.js';
import { keys } from '../storage/keys.js';
import { planExport, type ExportParams, type ExportPlan, type PlannedExport } from './export/plan.js';
import { runShard, type ShardProgress, type ShardSummary } from './export/shard.js';
import { finalizeExport, type FinalizedExport } from './export/finalize.js';
import { LocalWorkspace, S3Workspace, type ExportWorkspace } from './export/workspace.js';
import { cardPlots } from './export/plots.js';

export { MANIFEST_FORMAT, canonicalJson, selectRecordings } from './export/plan.js';
export type { ExportParams, RecordingSelection } from './export/plan.js';

export interface ExportResult {
  /** The export's record (GET /v1/participants/:id/exports lists it for each participant it holds). */
  id: string;
  out: string;
  version: string;
  windows: number;
  recordings: number;
  bySplit: Record<string, number>;
  skipped: { id: string; reason: string }[];
  /** Shards found finished by an earlier, interrupted run of the same export. */
  resumedShards: number;
}

/** What an export has done so far (a progress bar's input). */
export interface ExportProgress {
  shards: number;
  shardsDone: number;
  recordings: number;
  recordingsDone: number;
  /** Seconds of recording planned and done. */
  seconds: number;
  secondsDone: number;
  rows: number;
}

const pad = (n: number): string => String(n).padStart(5, '0');
/** A shard's list of recordings in the workspace (written with the plan). */
export const shardListFile = (index: number): string => `shards/${pad(index)}.json`;

/** The plan's control files in a workspace: written once, the plan last (a plan is there whole or not at all). */
export async function preparePlan(ws: ExportWorkspace, planned: PlannedExport): Promise<void> {
  const existing = await ws.readJson<ExportPlan>('plan.json');
  if (existing?.hash === planned.plan.hash) return;
  await ws.clear();
  for (const [i, recs] of planned.shardRecordings.entries()) await ws.writeJson(shardListFile(i), recs);
  await ws.writeJson('plan.json', planned.plan);
}

/** A shard's summary when the shard finished for this plan and its file is intact; null otherwise. */
export async function finishedShard(ws: ExportWorkspace, plan: ExportPlan, index: number): Promise<ShardSummary | null> {
  const s = await ws.readJson<ShardSummary>(`done/${pad(index)}.json`);
  if (!s || s.planHash !== plan.hash) return null;
  for (const f of s.files) if (!(await ws.intact(f.path, { ...f, ...(s.versions?.[f.path] !== undefined ? { version: s.versions[f.path] } : {}) }))) return null;
  return s;
}

export async function recordShardDone(ws: ExportWorkspace, summary: ShardSummary): Promise<void> {
  await ws.writeJson(`done/${pad(summary.index)}.json`, summary);
}

export class ExportDatasetService {
  constructor(
    private readonly repo: ExportRepository,
    private readonly store: ObjectStore,
    private readonly log: (line: string) => void = () => undefined,
    /** The object store of another bucket, for `--out s3://<bucket>/…` (the platform's own bucket is `store`). */
    private readonly storeFor: (bucket: string) => ObjectStore = (b) => {
      if (b === store.bucket) return store;
      throw new AppError('validation_failed', `Exports can go to the platform's bucket "${store.bucket}" here, not "${b}".`);
    },
  ) {}

  /** The workspace of a destination (a folder or s3://bucket/prefix), after checking no dataset is there yet. */
  async workspaceFor(out: string): Promise<ExportWorkspace> {
    const target = parseTarget(out);
    if (target.kind === 'dir') {
      if (existsSync(target.dir)) throw new AppError('conflict', `${target.dir} already exists: export to a new folder (a dataset is never written over).`, { out: target.dir });
      return new LocalWorkspace(target.dir);
    }
    const s3 = this.storeFor(target.bucket);
    if ((await s3.stat(keys.exportObject(target.prefix, 'manifest.json'))) !== null) {
      throw new AppError('conflict', `${out} already holds a dataset: export to a new prefix (a dataset is never written over).`, { out });
    }
    return new S3Workspace(s3, target.prefix);
  }

  async plan(p: ExportParams): Promise<PlannedExport> {
    return planExport(this.repo, p);
  }

  /** Runs a whole export in this process: plan, every shard not finished yet, the final step, publish. */
  async export(p: ExportParams, onProgress: (p: ExportProgress) => void = () => undefined): Promise<ExportResult> {
    const ws = await this.workspaceFor(p.out);
    const planned = await this.plan(p);
    const { plan } = planned;
    await preparePlan(ws, planned);
    const total = { shards: plan.shards.length, recordings: plan.shards.reduce((s, x) => s + x.recordings, 0), seconds: plan.shards.reduce((s, x) => s + x.seconds, 0) };
    const done = { shardsDone: 0, recordingsDone: 0, secondsDone: 0, rows: 0 };
    const summaries: ShardSummary[] = [];
    let resumedShards = 0;
    for (const shard of plan.shards) {
      const before = await finishedShard(ws, plan, shard.index);
      const earlier = before !== null;
      let s: ShardSummary;
      if (before) {
        s = before;
        resumedShards++;
      } else {
        s = await runShard(this.store, plan, shard, planned.shardRecordings[shard.index]!, ws, (sp: ShardProgress) => onProgress({
          ...total, shardsDone: done.shardsDone, recordingsDone: done.recordingsDone + sp.recordingsDone,
          secondsDone: done.secondsDone + sp.secondsDone, rows: done.rows + sp.rows,
        }));
        await recordShardDone(ws, s);
      }
      summaries.push(s);
      done.shardsDone++;
      done.recordingsDone += shard.recordings;
      done.secondsDone += shard.seconds;
      done.rows += s.rows;
      onProgress({ ...total, ...done });
      this.log(`shard ${shard.index + 1}/${plan.shards.length} ${shard.path}: ${s.rows} rows from ${shard.recordings} recording(s)${earlier ? ' (finished by an earlier run)' : ''}`);
    }
    const fin = await this.finish(plan, summaries, ws);
    const id = await this.repo.recordExport({ studyId: plan.study.id, version: fin.version, location: ws.destination, participantIds: fin.participantIds, recordings: fin.recordings, windows: fin.windows });
    return { id, out: ws.destination, version: fin.version, windows: fin.windows, recordings: fin.recordings, bySplit: fin.bySplit, skipped: plan.skipped, resumedShards };
  }

  /** The final step: manifest, card and plots, then the dataset published at its destination. */
  async finish(plan: ExportPlan, summaries: readonly ShardSummary[], ws: ExportWorkspace): Promise<FinalizedExport> {
    const fin = await finalizeExport(plan, summaries, ws, { images: cardPlots(ws, plan.params.rateHz) });
    await ws.publish(fin.files);
    return fin;
  }
}

/** Where a dataset goes: a local folder, or `s3://bucket/prefix`. */
export function parseTarget(out: string): { kind: 'dir'; dir: string } | { kind: 's3'; bucket: string; prefix: string } {
  if (!out.startsWith('s3://')) return { kind: 'dir', dir: path.resolve(out) };
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+?)\/?$/.exec(out);
  if (!m) throw new AppError('validation_failed', `--out ${out}: an S3 destination is s3://<bucket>/<prefix>.`);
  try {
    keys.exportObject(m[2]!, 'manifest.json');
  } catch {
    throw new AppError('validation_failed', `--out ${out}: the prefix may hold letters, digits, '_', '.', '-' and '/' only.`);
  }
  return { kind: 's3', bucket: m[1]!, prefix: m[2]! };
}

/**
 * The last step of a dataset export: from the plan and every shard's summary, the manifest (selection,
 * parameters, every recording with its content hash and annotation revisions, splits, counts, each file's
 * SHA-256, the dataset version) and the dataset card with its plots. Nothing here reads samples again.
 */
import { createHash } from 'node:crypto';
import { datasetCard, type CardFeature } from '../../domain/dataset-card.js';
import { canonicalJson, MANIFEST_FORMAT, type ExportPlan } from './plan.js';
import { csvHeader, exportColumns, scalar, type ShardCounts, type ShardSummary } from './shard.js';
import type { ExportWorkspace } from './workspace.js';

export interface FinalizedExport {
  version: string;
  /** Every file of the dataset, the manifest last (the order they are published in). */
  files: string[];
  windows: number;
  recordings: number;
  participantIds: string[];
  bySplit: Record<string, number>;
}

/** Adds b's counts into a. */
function addCounts(a: Record<string, number>, b: Record<string, number>): void {
  for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v;
}

export async function finalizeExport(plan: ExportPlan, summaries: readonly ShardSummary[], ws: ExportWorkspace, extra: { images?: (examples: ShardSummary['examples'], byLabel: Record<string, number>) => Promise<{ path: string; alt: string }[]> } = {}): Promise<FinalizedExport> {
  const p = plan.params;
  const shape = p.shape ?? 'windows';
  const ordered = [...summaries].sort((a, b) => a.index - b.index);
  if (ordered.length !== plan.shards.length || ordered.some((s, i) => s.index !== i || s.planHash !== plan.hash)) {
    throw new Error(`export ${plan.hash}: ${ordered.length} of ${plan.shards.length} shard summaries, or a summary of another plan`);
  }
  const counts: ShardCounts & { bySplit: Record<string, number> } = { byLabel: {}, byParticipant: {}, byDevice: {}, quality: {}, bySplit: {} };
  let windows = 0;
  let hours = 0;
  const examples: ShardSummary['examples'] = {};
  for (const s of ordered) {
    addCounts(counts.byLabel, s.counts.byLabel);
    addCounts(counts.byParticipant, s.counts.byParticipant);
    addCounts(counts.byDevice, s.counts.byDevice);
    addCounts(counts.quality, s.counts.quality);
    for (const r of s.recordings) counts.bySplit[r.split] = (counts.bySplit[r.split] ?? 0) + r.windows;
    windows += s.rows;
    hours += s.hours;
    for (const [label, ex] of Object.entries(s.examples)) examples[label] ??= ex;
  }
  const recordings = ordered.flatMap((s) => s.recordings).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const fileEntries = ordered.flatMap((s) => s.files);
  const body = {
    format: MANIFEST_FORMAT,
    study: plan.study,
    parameters: plan.parameters,
    pipelineVersions: [...new Set(recordings.map((r) => r.pipelineVersion))].sort(),
    splits: plan.splits,
    recordings,
    skipped: plan.skipped,
    ...(plan.incremental ? { incremental: plan.incremental } : {}),
    counts: { windows, recordings: recordings.length, participants: plan.participants, hours, ...counts },
    files: fileEntries,
  };
  const version = createHash('sha256').update(canonicalJson(body)).digest('hex');
  const participantIds = Object.values(plan.splits).flat().sort();
  if (p.format === 'bids-motion') {
    // A BIDS dataset has its own README and description: beside them only the manifest (named in .bidsignore).
    await writeWhole(ws, 'manifest.json', `${JSON.stringify({ ...body, version }, null, 2)}\n`, 'application/json');
    return { version, windows, recordings: recordings.length, participantIds, bySplit: counts.bySplit, files: [...fileEntries.map((f) => f.path), 'manifest.json'] };
  }

  const columns = exportColumns(plan);
  const perWindow = Math.round(p.windowS * p.rateHz);
  const features: CardFeature[] = p.format === 'csv'
    ? csvHeader(columns, perWindow).map((name, i) => ({ name, ...(i < columns.filter((c) => !c.stream).length ? { dtype: scalar(name).dtype } : { dtype: 'float32' as const }) }))
    : columns.map((c): CardFeature => ({ name: c.name, ...(c.audio ? { dtype: 'audio' as const, sampling_rate: c.audio.rateHz } : c.stream ? { sequence: 'float32' as const } : { dtype: scalar(c.name).dtype }) }));
  const splitNames = [...new Set(fileEntries.map((f) => f.split))];
  const images = extra.images ? await extra.images(examples, counts.byLabel) : [];
  const description = shape === 'events'
    ? `One row per annotation with ${p.contextS ?? 1} s of context either side, over ${plan.streamNames.join(', ')} at ${p.rateHz} Hz, from FieldSense study "${plan.study.slug}", split by participant.`
    : shape === 'recordings'
      ? `One row per recording: ${plan.streamNames.join(', ')} whole at ${p.rateHz} Hz (NaN in gaps) with its annotations, from FieldSense study "${plan.study.slug}", split by participant.`
      : `Windows of ${p.windowS} s every ${p.hopS} s over ${plan.streamNames.join(', ')} at ${p.rateHz} Hz, from FieldSense study "${plan.study.slug}", split by participant.`;
  const card = datasetCard({
    title: `${plan.study.name}: ${shape}`,
    description,
    features,
    splits: splitNames.map((name) => ({ name, examples: counts.bySplit[name] ?? 0, files: fileEntries.filter((f) => f.split === name).map((f) => f.path) })),
    counts: { byLabel: counts.byLabel, byParticipant: counts.byParticipant, byDevice: counts.byDevice, bySplit: counts.bySplit, hours, quality: counts.quality },
    parameters: {
      shape, window_s: p.windowS, hop_s: p.hopS, rate_hz: p.rateHz, label_policy: p.labelPolicy, min_overlap: p.minOverlap, background: p.background,
      gaps: p.gaps, split: p.split, seed: p.seed, stratify: p.stratify, annotations: p.annotations,
    },
    ...(images.length > 0 ? { images } : {}),
    version,
  });
  await writeWhole(ws, 'README.md', card, 'text/markdown; charset=utf-8');
  await writeWhole(ws, 'manifest.json', `${JSON.stringify({ ...body, version }, null, 2)}\n`, 'application/json');
  return {
    version, windows, recordings: recordings.length, participantIds, bySplit: counts.bySplit,
    files: [...fileEntries.map((f) => f.path), ...images.map((i) => i.path), 'README.md', 'manifest.json'],
  };
}

export async function writeWhole(ws: ExportWorkspace, rel: string, content: string | Uint8Array, contentType: string): Promise<void> {
  const f = ws.openFile(rel, contentType);
  await f.write(typeof content === 'string' ? new TextEncoder().encode(content) : content);
  await f.close();
}

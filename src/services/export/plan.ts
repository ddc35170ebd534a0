/**
 * The plan of a dataset export: exactly which recordings, streams and annotations go in, each participant's
 * split, and the shards the work is cut into. Made once from the database (planExport); everything after it —
 * each shard, on any worker, and the final step — reads only the plan, so the dataset does not depend on who ran
 * which shard, nor when.
 *
 * Shards: per split, the split's recordings in participant then id order, cut into groups of about
 * `shardHours` of recording (a recording is never cut). Shard k of n in split s writes
 * `data/<s>-<k>-of-<n>.<ext>` (five digits each, the Hugging Face layout). The plan's hash covers everything a
 * file's bytes depend on; a re-run with the same hash resumes, another starts over.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppError } from '../../lib/errors.js';
import { assignSplits, checkDisjoint, parseSplit } from '../../domain/dataset-splits.js';
import { compareSplits } from '../../domain/dataset-card.js';
import type { LabelPolicy } from '../../pipeline/windowing/index.js';
import type { ExportAlignment, ExportAnnotation, ExportRecording, ExportRepository, ExportStream } from '../../repositories/export.repository.js';

export const MANIFEST_FORMAT = 'fieldsense-dataset/1';
export const PLAN_FORMAT = 'fieldsense-export-plan/1';
/** Hours of recording per shard by default: a participant-day. */
export const DEFAULT_SHARD_HOURS = 24;

export interface ExportParams {
  study: string;
  out: string;
  /**
   * windows (default): fixed-length windows. events: one row per selected annotation with its samples from
   * `contextS` before it to `contextS` after it (the window parameters do not apply). recordings: one row per
   * recording with its whole streams at the export rate and its annotations (for sequence models).
   */
  shape?: 'windows' | 'events' | 'recordings';
  /** Seconds of context either side of an event (events shape). */
  contextS?: number;
  /** Stream names; null: the IMU streams every selected recording has. */
  streams: string[] | null;
  windowS: number;
  hopS: number;
  rateHz: number;
  labelPolicy: LabelPolicy;
  minOverlap: number;
  /** The class of windows no label covers; null leaves their label empty. */
  background: string | null;
  gaps: 'drop' | 'flag';
  /**
   * parquet: each channel one list column. csv: one column per sample (`<stream>_<channel>_<k>`), text cells
   * protected against formula injection (domain/csv-cells.ts). bids-motion: the BIDS motion layout (whole
   * recordings as motion.tsv at the export rate, annotations as events.tsv).
   */
  format: 'parquet' | 'csv' | 'bids-motion';
  /** e.g. "70/15/15". */
  split: string;
  seed: number;
  /** Assign participants within each device kind, or within "has labels" / "no labels". */
  stratify: 'none' | 'device' | 'label';
  /** An earlier export's manifest.json: its participants keep their splits. */
  splitsFrom: string | null;
  /** Which annotations label windows: accepted ones (people's, imports, reviewed proposals), people's only, or the adjudicated layer. */
  annotations: 'accepted' | 'human' | 'adjudicated';
  /** Only these labels (others are ignored); null: every label. */
  labels: string[] | null;
  /** Which recordings: by participant code, device (kind or model), quality status, pipeline version, start time. */
  select?: RecordingSelection;
  /**
   * An earlier export's manifest.json: export only the recordings added or changed since (new upload, other
   * pipeline version, annotations added, changed or removed), with its splits kept; the manifest says what changed.
   */
  since?: string | null;
  /** Hours of recording per shard (default 24). */
  shardHours?: number;
  /**
   * Audio streams: `embed` (default) as one Hugging Face `Audio` column per stream — struct {bytes: a 16-bit PCM
   * WAV, path} — or `samples`, one float list per channel like any stream.
   */
  audio?: 'embed' | 'samples';
  /** The rate audio streams are resampled to (default: `rateHz`). */
  audioRateHz?: number;
  /**
   * Another device worn at the same time (a kind or model, e.g. `phone`): its streams join each recording's rows,
   * as `<device>_<stream>_<channel>`, placed on the recording's time axis with the clock offset the platform
   * estimated between the two (the aligned recording of that device with the highest confidence). A recording
   * with no such alignment is skipped, with its reason.
   */
  alignWith?: string | null;
  /** The other device's streams (default: the same names as `streams`). */
  alignStreams?: string[] | null;
}

export interface RecordingSelection {
  participants?: string[];
  devices?: string[];
  quality?: string[];
  pipelineVersions?: string[];
  /** Recordings that overlap [from, to] on the wall clock (ISO 8601); recordings without one are left out. */
  from?: string;
  to?: string;
  /** Only annotations these annotators made (ids). */
  annotators?: string[];
}

/** A recording as a shard reads it: JSON-safe (nanosecond times as decimal strings). */
export interface PlannedRecording {
  id: string;
  participantId: string;
  participantCode: string;
  split: string;
  sha256: string;
  pipelineVersion: string;
  durationS: number;
  originNs: string;
  startTimeNs: string | null;
  device: Record<string, unknown> | null;
  deviceName: string | null;
  qualityStatus: string | null;
  /** The exported streams, in the plan's stream order (an aligned device's after the recording's own). */
  streams: ExportStream[];
  /**
   * Per stream: the origin of its recording's clock (ns, decimal) and the seconds to add to its times to put them
   * on this recording's axis (0 for its own; for an aligned device's, its start less ours plus the offset).
   */
  origins?: string[];
  shifts?: number[];
  /** The alignment that placed another device's streams. */
  aligned?: { recordingId: string; device: string; offsetS: number; shiftS: number; confidence: number; method: string; version: string };
  /** The annotations that label it (selected). */
  annotations: ExportAnnotation[];
}

export interface ShardHeader {
  index: number;
  split: string;
  /** The data file it writes (relative to the dataset's root); bids-motion shards write several, under sub-*. */
  path: string;
  recordings: number;
  seconds: number;
}

export interface Incremental { since: string | null; added: string[]; changed: string[]; removed: string[]; unchanged: number }

export interface ExportPlan {
  format: typeof PLAN_FORMAT;
  /** SHA-256 of everything below (canonical JSON). */
  hash: string;
  study: { id: string; slug: string; name: string };
  params: Omit<ExportParams, 'out'>;
  /** The parameters as the manifest states them. */
  parameters: Record<string, unknown>;
  streamNames: string[];
  channels: string[][];
  /** Each stream's kind (imu, audio, …) and the rate it is exported at. */
  streamKinds: string[];
  streamRates: number[];
  /** Split → participant ids (sorted). */
  splits: Record<string, string[]>;
  participants: number;
  skipped: { id: string; reason: string }[];
  incremental: Incremental | null;
  shards: ShardHeader[];
}

export interface PlannedExport {
  plan: ExportPlan;
  /** Each shard's recordings, by shard index. */
  shardRecordings: PlannedRecording[][];
}

export function checkParams(p: ExportParams): void {
  const bad: string[] = [];
  const shape = p.shape ?? 'windows';
  if (!(p.windowS > 0)) bad.push('--window must be a positive duration');
  if (!(p.hopS > 0)) bad.push('--hop must be a positive duration');
  if (!(p.rateHz > 0 && p.rateHz <= 10_000)) bad.push('--rate must be between 0 and 10,000 Hz');
  if (!(p.minOverlap >= 0 && p.minOverlap <= 1)) bad.push('--min-overlap must be between 0 and 1');
  if (shape === 'windows' && Math.abs(p.windowS * p.rateHz - Math.round(p.windowS * p.rateHz)) > 1e-9) bad.push('--window × --rate must be a whole number of samples');
  if (shape !== 'windows' && p.format === 'csv') bad.push(`--shape ${shape} comes as Parquet only: its rows differ in length, which CSV columns cannot hold`);
  if (p.alignWith && shape !== 'windows' && shape !== 'events') bad.push('--align-with joins another device\'s streams to windows or events, not to whole recordings');
  if (p.format === 'bids-motion' && shape !== 'recordings') bad.push('--format bids-motion holds whole recordings: use it with --shape recordings');
  if (p.contextS !== undefined && !(p.contextS >= 0 && p.contextS <= 3600)) bad.push('--context must be between 0 and 3600 seconds');
  if (p.shardHours !== undefined && !(p.shardHours > 0)) bad.push('--shard-hours must be a positive number of hours');
  if (p.audioRateHz !== undefined && !(Number.isInteger(p.audioRateHz) && p.audioRateHz >= 1 && p.audioRateHz <= 192_000)) bad.push('--audio-rate must be a whole number of Hz up to 192,000');
  if (shape === 'windows' && p.audioRateHz !== undefined && Math.abs(p.windowS * p.audioRateHz - Math.round(p.windowS * p.audioRateHz)) > 1e-9) bad.push('--window × --audio-rate must be a whole number of samples');
  if (bad.length > 0) throw new AppError('validation_failed', bad.join('; '), { problems: bad });
}

/** The plan of an export: reads the study's recordings and annotations once. */
export async function planExport(repo: ExportRepository, p: ExportParams): Promise<PlannedExport> {
  checkParams(p);
  const study = await repo.studyBySlug(p.study);
  if (!study) throw new AppError('not_found', `There is no study "${p.study}".`);
  const shape = p.shape ?? 'windows';
  const all = selectRecordings(await repo.readyRecordings(study.id), p.select ?? {});
  if (all.length === 0) throw new AppError('validation_failed', `No ready recording of study "${p.study}" matches the selection.`, { select: p.select ?? {} });
  const streamNames = p.streams ?? commonImuStreams(all);
  if (streamNames.length === 0) throw new AppError('validation_failed', 'No IMU stream is common to the study\'s ready recordings: name the streams with --streams.');
  const skipped: { id: string; reason: string }[] = [];
  const recordings: { r: ExportRecording; streams: ExportStream[] }[] = [];
  for (const r of all) {
    const streams = streamNames.map((n) => r.streams.find((s) => s.name === n));
    const missing = streamNames.filter((_n, i) => streams[i] === undefined);
    if (missing.length > 0) skipped.push({ id: r.id, reason: `no stream ${missing.join(', ')}` });
    else recordings.push({ r, streams: streams as ExportStream[] });
  }
  if (recordings.length === 0) throw new AppError('validation_failed', `No ready recording of study "${p.study}" has the streams ${streamNames.join(', ')}.`, { skipped });
  const channels = streamNames.map((n) => recordings[0]!.streams.find((s) => s.name === n)!.channels);
  for (const { r, streams } of recordings) {
    streams.forEach((s, i) => {
      if (s.channels.join(',') !== channels[i]!.join(',')) throw new AppError('validation_failed', `Stream ${s.name} of recording ${r.id} has channels ${s.channels.join(', ')}, others ${channels[i]!.join(', ')}.`);
    });
  }

  // Another device's streams, placed by the stored clock offsets.
  const alignedBy = new Map<string, { a: ExportAlignment; streams: ExportStream[] }>();
  let alignedNames: string[] = [];
  let alignedChannels: string[][] = [];
  if (p.alignWith) {
    const want = p.alignWith;
    const names = p.alignStreams ?? streamNames;
    const isWanted = (d: Record<string, unknown> | null): boolean => [d?.kind, d?.model].some((x) => x === want);
    const alignments = await repo.alignmentsOf(recordings.map((x) => x.r.id));
    for (const { r } of recordings) {
      if (isWanted(r.device)) continue;
      // Best first (confidence, then the other's id and the newest method version): the first with every stream.
      for (const a of alignments.filter((x) => x.recordingId === r.id && isWanted(x.other.device) && x.other.startTimeNs !== null)) {
        const streams = names.map((n) => a.other.streams.find((st) => st.name === n));
        if (streams.every((st) => st !== undefined)) {
          alignedBy.set(r.id, { a, streams: streams });
          break;
        }
      }
    }
    const kept = recordings.filter(({ r }) => {
      if (isWanted(r.device)) skipped.push({ id: r.id, reason: `a ${want} recording: its streams join the recordings it is aligned with` });
      else if (r.startTimeNs === null) skipped.push({ id: r.id, reason: `no wall clock to align a ${want} recording with` });
      else if (!alignedBy.has(r.id)) skipped.push({ id: r.id, reason: `no ${want} recording aligned with it that has ${names.join(', ')}` });
      else return true;
      return false;
    });
    recordings.splice(0, recordings.length, ...kept);
    if (recordings.length === 0) throw new AppError('validation_failed', `No recording of study "${p.study}" is aligned with a ${want} recording that has ${names.join(', ')}.`, { skipped });
    const prefix = want.replace(/[^A-Za-z0-9_]+/g, '_');
    alignedNames = names.map((n) => `${prefix}_${n}`);
    const first = alignedBy.get(recordings[0]!.r.id)!;
    alignedChannels = first.streams.map((st) => st.channels);
    for (const [id, { streams }] of alignedBy) {
      streams.forEach((st, i) => {
        if (st.channels.join(',') !== alignedChannels[i]!.join(',')) throw new AppError('validation_failed', `The ${want} stream ${st.name} aligned with recording ${id} has channels ${st.channels.join(', ')}, others ${alignedChannels[i]!.join(', ')}.`);
      });
    }
  }
  const allNames = [...streamNames, ...alignedNames];
  const allChannels = [...channels, ...alignedChannels];
  const streamKinds = [
    ...streamNames.map((n) => recordings[0]!.streams.find((s) => s.name === n)!.kind),
    ...(alignedNames.length > 0 ? alignedBy.get(recordings[0]!.r.id)!.streams.map((st) => st.kind) : []),
  ];
  const hasAudio = streamKinds.includes('audio');
  const audioRate = p.audioRateHz ?? p.rateHz;
  if (hasAudio && !Number.isInteger(audioRate)) throw new AppError('validation_failed', `Audio streams need a whole number of Hz: give --audio-rate (e.g. 16000), not ${audioRate}.`);
  if (hasAudio && (p.audio ?? 'embed') === 'embed' && p.format === 'csv') throw new AppError('validation_failed', 'CSV holds audio as samples only: add --audio samples, or export Parquet.');
  if (hasAudio && shape === 'recordings' && (p.audio ?? 'embed') === 'embed') throw new AppError('validation_failed', '--shape recordings holds audio as samples only (whole recordings are too long for one WAV cell): add --audio samples.');
  if (hasAudio && shape === 'recordings' && audioRate !== p.rateHz) throw new AppError('validation_failed', '--shape recordings puts every stream on one grid: leave out --audio-rate (audio at --rate).');
  const streamRates = streamKinds.map((k) => (k === 'audio' ? audioRate : p.rateHz));
  const annotations = selectAnnotations(await repo.acceptedAnnotations(recordings.map((x) => x.r.id)), recordings.map((x) => x.r), p);
  const byRecording = new Map<string, ExportAnnotation[]>();
  for (const a of annotations) {
    const list = byRecording.get(a.recordingId);
    if (list) list.push(a);
    else byRecording.set(a.recordingId, [a]);
  }
  const parameters = {
    shape, ...(shape === 'events' ? { contextS: p.contextS ?? 1 } : {}),
    streams: streamNames, ...(p.alignWith ? { alignWith: p.alignWith, alignStreams: alignedNames } : {}), windowS: p.windowS, hopS: p.hopS, rateHz: p.rateHz, labelPolicy: p.labelPolicy, minOverlap: p.minOverlap,
    background: p.background, gaps: p.gaps, format: p.format, split: p.split, seed: p.seed, stratify: p.stratify, annotations: p.annotations, labels: p.labels,
    select: p.select ?? {},
    resampling: 'linear interpolation onto the stream\'s nominal-rate grid within runs without gaps, then a windowed-sinc low-pass resampler to the export rate (src/pipeline/windowing/resample.ts)',
    ...(p.shardHours !== undefined && p.shardHours !== DEFAULT_SHARD_HOURS ? { shardHours: p.shardHours } : {}),
    ...(hasAudio ? { audio: p.audio ?? 'embed', audioRateHz: audioRate } : {}),
  };

  // An incremental export: only what was added or changed since the earlier manifest, with the same parameters.
  let incremental: Incremental | null = null;
  if (p.since) {
    const earlier = readManifest(p.since, '--since');
    const differing = Object.keys(parameters).filter((k) => k !== 'select' && canonicalJson((parameters as Record<string, unknown>)[k]) !== canonicalJson(earlier.parameters?.[k]));
    if (differing.length > 0) throw new AppError('validation_failed', `--since ${p.since}: an incremental export needs the parameters of the export it follows; these differ: ${differing.join(', ')}.`, { differing });
    const before = new Map((earlier.recordings ?? []).map((r) => [r.id, r]));
    const alignedOf = (id: string): unknown => {
      const al = alignedBy.get(id)?.a;
      return al ? { recordingId: al.other.id, offsetS: al.offsetS, method: al.method, version: al.version } : null;
    };
    const state = (r: ExportRecording): string => canonicalJson({ sha256: r.sha256, pipelineVersion: r.pipelineVersion, annotations: (byRecording.get(r.id) ?? []).map((a) => ({ id: a.id, revision: a.revision })), aligned: alignedOf(r.id) });
    const added: string[] = [];
    const changed: string[] = [];
    let unchanged = 0;
    for (const { r } of recordings) {
      const was = before.get(r.id);
      if (!was) added.push(r.id);
      else if (canonicalJson({ sha256: was.sha256, pipelineVersion: was.pipelineVersion, annotations: was.annotations, aligned: was.aligned ? { recordingId: was.aligned.recordingId, offsetS: was.aligned.offsetS, method: was.aligned.method, version: was.aligned.version } : null }) !== state(r)) changed.push(r.id);
      else unchanged++;
    }
    const now = new Set(recordings.map(({ r }) => r.id));
    incremental = { since: earlier.version ?? null, added, changed, removed: [...before.keys()].filter((id) => !now.has(id)).sort(), unchanged };
    const keep = new Set([...added, ...changed]);
    recordings.splice(0, recordings.length, ...recordings.filter(({ r }) => keep.has(r.id)));
    if (recordings.length === 0) throw new AppError('validation_failed', `Nothing was added or changed since ${p.since} (${unchanged} recording(s) unchanged${incremental.removed.length ? `, ${incremental.removed.length} removed` : ''}).`, { ...incremental });
  }

  // Splits by participant, never by window.
  const spec = parseSplit(p.split);
  const participants = [...new Map(recordings.map(({ r }) => [r.participantId, r])).values()];
  const frozenFrom = p.splitsFrom ?? p.since ?? null;
  const frozen = frozenFrom ? frozenSplits(frozenFrom) : undefined;
  const splitOf = assignSplits(participants.map((r) => ({
    id: r.participantId,
    ...(p.stratify === 'device' ? { stratum: deviceName(r) ?? 'unknown' } : {}),
    ...(p.stratify === 'label' ? { stratum: recordings.some((x) => x.r.participantId === r.participantId && (byRecording.get(x.r.id)?.length ?? 0) > 0) ? 'has-label' : 'no-label' } : {}),
  })), spec, p.seed, frozen);
  const splits: Record<string, string[]> = {};
  for (const [pid, s] of [...splitOf].sort((a, b) => (a[0] < b[0] ? -1 : 1))) (splits[s] ??= []).push(pid);
  checkDisjoint(splits);

  // Shards: per split, recordings by participant then id, about shardHours each.
  const limitS = (p.shardHours ?? DEFAULT_SHARD_HOURS) * 3600;
  const bySplit = new Map<string, PlannedRecording[]>();
  for (const { r, streams } of recordings) {
    const split = splitOf.get(r.participantId)!;
    const list = bySplit.get(split) ?? [];
    list.push({
      id: r.id, participantId: r.participantId, participantCode: r.participantCode, split, sha256: r.sha256, pipelineVersion: r.pipelineVersion,
      durationS: r.durationS, originNs: r.originNs.toString(), startTimeNs: r.startTimeNs === null ? null : r.startTimeNs.toString(),
      device: r.device, deviceName: deviceName(r), qualityStatus: r.qualityStatus, streams, annotations: byRecording.get(r.id) ?? [],
      ...alignedFields(r, streams.length, alignedBy.get(r.id), p.alignWith ?? ''),
    });
    if (alignedBy.has(r.id)) list.at(-1)!.streams = [...streams, ...alignedBy.get(r.id)!.streams];
    bySplit.set(split, list);
  }
  const ext = p.format === 'csv' ? 'csv' : 'parquet';
  const shards: ShardHeader[] = [];
  const shardRecordings: PlannedRecording[][] = [];
  if (p.format === 'bids-motion') {
    // One shard: BIDS names (participant labels, runs) depend on every recording of the dataset.
    const all = [...bySplit.values()].flat().sort((a, b) => cmp(a.participantId, b.participantId) || cmp(a.id, b.id));
    shards.push({ index: 0, split: 'all', path: 'dataset_description.json', recordings: all.length, seconds: all.reduce((s, r) => s + r.durationS, 0) });
    shardRecordings.push(all);
    bySplit.clear();
  }
  for (const split of [...bySplit.keys()].sort(compareSplits)) {
    const list = bySplit.get(split)!.sort((a, b) => cmp(a.participantId, b.participantId) || cmp(a.id, b.id));
    const groups: PlannedRecording[][] = [];
    let cur: PlannedRecording[] = [];
    let seconds = 0;
    for (const r of list) {
      if (cur.length > 0 && seconds + r.durationS > limitS) {
        groups.push(cur);
        cur = [];
        seconds = 0;
      }
      cur.push(r);
      seconds += r.durationS;
    }
    if (cur.length > 0) groups.push(cur);
    groups.forEach((g, k) => {
      shards.push({
        index: shards.length, split, recordings: g.length, seconds: g.reduce((s, r) => s + r.durationS, 0),
        path: `data/${split}-${pad(k)}-of-${pad(groups.length)}.${ext}`,
      });
      shardRecordings.push(g);
    });
  }

  const { out: _out, ...params } = p;
  const body = {
    format: PLAN_FORMAT, study: { id: study.id, slug: study.slug, name: study.name }, params, parameters, streamNames: allNames, channels: allChannels, streamKinds, streamRates, splits,
    participants: participants.length, skipped, incremental, shards,
  };
  const hash = createHash('sha256').update(canonicalJson({ ...body, recordings: shardRecordings })).digest('hex');
  return { plan: { ...body, hash } as ExportPlan, shardRecordings };
}

/** Where an aligned device's streams come from and how far they are moved onto the recording's axis. */
function alignedFields(r: ExportRecording, own: number, al: { a: ExportAlignment; streams: ExportStream[] } | undefined, device: string): Pick<PlannedRecording, 'origins' | 'shifts' | 'aligned'> {
  if (!al) return {};
  const { a, streams } = al;
  // The other's axis time u is wall time otherStart + u; + offsetS on our clock; less our start on our axis.
  const shiftS = Number(a.other.startTimeNs! - r.startTimeNs!) / 1e9 + a.offsetS;
  return {
    origins: [...Array.from({ length: own }, () => r.originNs.toString()), ...streams.map(() => a.other.originNs.toString())],
    shifts: [...Array.from({ length: own }, () => 0), ...streams.map(() => shiftS)],
    aligned: { recordingId: a.other.id, device, offsetS: a.offsetS, shiftS, confidence: a.confidence, method: a.method, version: a.version },
  };
}

const pad = (n: number): string => String(n).padStart(5, '0');
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** IMU stream names present in every recording. */
function commonImuStreams(rs: readonly ExportRecording[]): string[] {
  if (rs.length === 0) return [];
  let names = new Set(rs[0]!.streams.filter((s) => s.kind === 'imu').map((s) => s.name));
  for (const r of rs.slice(1)) names = new Set(r.streams.filter((s) => s.kind === 'imu' && names.has(s.name)).map((s) => s.name));
  return [...names].sort();
}

/** The recordings a selection keeps (every criterion given must hold). */
export function selectRecordings(rs: readonly ExportRecording[], sel: RecordingSelection): ExportRecording[] {
  const fromNs = sel.from !== undefined ? isoNs(sel.from, '--from') : null;
  const toNs = sel.to !== undefined ? isoNs(sel.to, '--to') : null;
  return rs.filter((r) => {
    if (sel.participants && !sel.participants.includes(r.participantCode)) return false;
    if (sel.devices) {
      const d = r.device;
      const names = [d?.kind, d?.model].filter((x): x is string => typeof x === 'string');
      if (!sel.devices.some((want) => names.includes(want))) return false;
    }
    if (sel.quality && !sel.quality.includes(r.qualityStatus ?? 'unknown')) return false;
    if (sel.pipelineVersions && !sel.pipelineVersions.includes(r.pipelineVersion)) return false;
    if (fromNs !== null || toNs !== null) {
      if (r.startTimeNs === null) return false;
      const endNs = r.startTimeNs + BigInt(Math.round(r.durationS * 1e9));
      if (fromNs !== null && endNs < fromNs) return false;
      if (toNs !== null && r.startTimeNs > toNs) return false;
    }
    return true;
  });
}

function isoNs(text: string, name: string): bigint {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}/.test(text)) throw new AppError('validation_failed', `${name} must be an ISO 8601 time (e.g. 2026-03-01T08:00:00Z), not "${text}".`);
  return BigInt(ms) * 1_000_000n;
}

function selectAnnotations(all: readonly ExportAnnotation[], recordings: readonly ExportRecording[], p: ExportParams): ExportAnnotation[] {
  const wanted = p.labels ? new Set(p.labels) : null;
  const by = p.select?.annotators ? new Set(p.select.annotators) : null;
  const versionOf = new Map(recordings.map((r) => [r.id, r.pipelineVersion]));
  return all.filter((a) => {
    // Proposals a person accepted count for the pipeline version the recording shows, as the API lists them.
    if (a.source === 'auto' && a.pipelineVersion !== versionOf.get(a.recordingId)) return false;
    if (wanted && !wanted.has(a.label)) return false;
    if (by && (a.annotatorId === null || !by.has(a.annotatorId))) return false;
    if (p.annotations === 'adjudicated') return a.adjudicated;
    if (a.adjudicated) return false;
    return p.annotations === 'human' ? a.source === 'human' : true;
  });
}

interface EarlierManifest {
  format?: unknown;
  version?: string;
  parameters?: Record<string, unknown>;
  splits?: Record<string, string[]>;
  recordings?: { id: string; sha256: string; pipelineVersion: string; annotations: { id: string; revision: number }[]; aligned?: { recordingId: string; offsetS: number; method: string; version: string } }[];
}

function readManifest(manifestPath: string, option: string): EarlierManifest {
  let m: EarlierManifest;
  try {
    m = JSON.parse(readFileSync(manifestPath, 'utf8')) as EarlierManifest;
  } catch (e) {
    throw new AppError('validation_failed', `${option} ${manifestPath}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (m.format !== MANIFEST_FORMAT || typeof m.splits !== 'object' || m.splits === null) {
    throw new AppError('validation_failed', `${option} ${manifestPath} is not a FieldSense dataset manifest (${MANIFEST_FORMAT}).`);
  }
  return m;
}

function frozenSplits(manifestPath: string): Map<string, string> {
  const m = readManifest(manifestPath, '--splits-from');
  const out = new Map<string, string>();
  for (const [split, ids] of Object.entries(m.splits!)) for (const id of ids) out.set(id, split);
  return out;
}

export function deviceName(r: { device: Record<string, unknown> | null }): string | null {
  const d = r.device;
  if (!d) return null;
  const parts = [d.kind, d.model].filter((x): x is string => typeof x === 'string' && x.length > 0);
  return parts.length > 0 ? parts.join(' ') : null;
}

/** JSON with object keys sorted at every level: the bytes the dataset version is the hash of. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

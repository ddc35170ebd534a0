/**
 * The dataset export: a study's ready recordings cut into fixed-length windows over chosen streams, resampled to
 * one rate, labelled by the annotations they overlap, split by participant, written as Parquet in the Hugging
 * Face datasets layout with a manifest and a dataset card.
 *
 * Output folder:
 *   data/<split>-00000-of-00001.parquet   one file per split that has windows
 *   manifest.json                          selection, parameters, every recording (content hash, pipeline version,
 *                                          annotation revisions), the splits, counts, each file's SHA-256, and
 *                                          the dataset version (a hash of all of that)
 *   README.md                              the dataset card (YAML `configs` and `features` for `load_dataset`)
 * Nothing in it depends on the time of the run: the same inputs and parameters give the same bytes. A folder is
 * written under `<out>.partial-<pid>` and renamed into place once complete; to `s3://bucket/prefix` the files are
 * uploaded with `manifest.json` last. Either way an interrupted export never leaves a dataset that looks finished
 * (a dataset is complete when its manifest is there).
 *
 * Memory: one recording at a time, read in blocks of BLOCK_S (plus a margin for the resampler and the last
 * window), and windows flushed to Parquet every ROW_GROUP rows.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ParquetWriter, fileWriter } from 'hyparquet-writer';
import { AppError } from '../lib/errors.js';
import { secondsToNs } from '../domain/stream.js';
import { assignSplits, checkDisjoint, parseSplit } from '../domain/dataset-splits.js';
import { datasetCard, type CardFeature } from '../domain/dataset-card.js';
import { csvLine, csvNumber, csvText } from '../domain/csv-cells.js';
import { once } from 'node:events';
import type { WriteStream } from 'node:fs';
import { labelWindow, resampleToGrid, spansOverlapping, windowStarts, type LabelPolicy, type LabelSpan } from '../pipeline/windowing/index.js';
import { openStreamWindow } from '../columnar/parquet-stream-reader.js';
import type { ExportAnnotation, ExportRecording, ExportRepository, ExportStream } from '../repositories/export.repository.js';
import type { AsyncObjectBuffer, ObjectStore } from '../storage/object-store.js';
import { keys } from '../storage/keys.js';

/** Seconds of a recording read at once. */
const BLOCK_S = 600;
/** Samples read beyond a block on either side, so the resampler's filter sees real signal at the block's edges. */
const MARGIN_S = 2;
/** Windows per Parquet row group. */
const ROW_GROUP = 2048;
export const MANIFEST_FORMAT = 'fieldsense-dataset/1';

export interface ExportParams {
  study: string;
  out: string;
  /**
   * windows (default): fixed-length windows. events: one row per selected annotation with its samples from
   * `contextS` before it to `contextS` after it (the window parameters do not apply).
   */
  shape?: 'windows' | 'events';
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
   * protected against formula injection (domain/csv-cells.ts).
   */
  format: 'parquet' | 'csv';
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

export interface ExportResult {
  /** The export's record (GET /v1/participants/:id/exports lists it for each participant it holds). */
  id: string;
  out: string;
  version: string;
  windows: number;
  recordings: number;
  bySplit: Record<string, number>;
  skipped: { id: string; reason: string }[];
}

interface Column {
  name: string;
  /** Channel columns: the stream and channel index they take their samples from. */
  stream?: { index: number; channel: number };
}

interface SplitFile {
  name: string;
  path: string;
  writer: ParquetWriter | null;
  csv: WriteStream | null;
  rows: Row[];
  count: number;
}

interface Row {
  /** The annotation an event row is (events shape). */
  annotationId?: string;
  endS?: number;
  source?: string;
  /** Where an event row's samples begin (its start less the context, within the recording). */
  samplesStartS?: number;
  recordingId: string;
  participant: string;
  device: string | null;
  startS: number;
  startTimeNs: bigint | null;
  label: string | null;
  overlap: number;
  labelsJson: string;
  gap: boolean;
  samples: Float32Array[];
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

  async export(p: ExportParams): Promise<ExportResult> {
    checkParams(p);
    const study = await this.repo.studyBySlug(p.study);
    if (!study) throw new AppError('not_found', `There is no study "${p.study}".`);
    const target = parseTarget(p.out);
    const out = target.kind === 'dir' ? target.dir : `s3://${target.bucket}/${target.prefix}`;
    const s3 = target.kind === 's3' ? this.storeFor(target.bucket) : null;
    if (target.kind === 'dir' && existsSync(out)) throw new AppError('conflict', `${out} already exists: export to a new folder (a dataset is never written over).`, { out });
    if (s3 && target.kind === 's3') {
      const there = await s3.list(`${keys.exportObject(target.prefix, '')}/`);
      if (there.includes(keys.exportObject(target.prefix, 'manifest.json'))) {
        throw new AppError('conflict', `${out} already holds a dataset: export to a new prefix (a dataset is never written over).`, { out });
      }
      // What an interrupted export left (no manifest): it is written again from the start.
      for (const k of there) await s3.delete(k);
    }

    const all = selectRecordings(await this.repo.readyRecordings(study.id), p.select ?? {});
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

    const annotations = selectAnnotations(await this.repo.acceptedAnnotations(recordings.map((x) => x.r.id)), recordings.map((x) => x.r), p);
    const byRecording = new Map<string, ExportAnnotation[]>();
    for (const a of annotations) byRecording.set(a.recordingId, [...(byRecording.get(a.recordingId) ?? []), a]);
    const parameters = {
      shape: p.shape ?? 'windows', ...(p.shape === 'events' ? { contextS: p.contextS ?? 1 } : {}),
      streams: streamNames, windowS: p.windowS, hopS: p.hopS, rateHz: p.rateHz, labelPolicy: p.labelPolicy, minOverlap: p.minOverlap,
      background: p.background, gaps: p.gaps, format: p.format, split: p.split, seed: p.seed, stratify: p.stratify, annotations: p.annotations, labels: p.labels,
      select: p.select ?? {},
      resampling: 'linear interpolation onto the stream\'s nominal-rate grid within runs without gaps, then a windowed-sinc low-pass resampler to the export rate (src/pipeline/windowing/resample.ts)',
    };

    // An incremental export: only what was added or changed since the earlier manifest, with the same parameters.
    let incremental: Incremental | null = null;
    if (p.since) {
      const earlier = readManifest(p.since, '--since');
      const differing = Object.keys(parameters).filter((k) => k !== 'select' && canonicalJson((parameters as Record<string, unknown>)[k]) !== canonicalJson(earlier.parameters?.[k]));
      if (differing.length > 0) throw new AppError('validation_failed', `--since ${p.since}: an incremental export needs the parameters of the export it follows; these differ: ${differing.join(', ')}.`, { differing });
      const before = new Map((earlier.recordings ?? []).map((r) => [r.id, r]));
      const state = (r: ExportRecording): string => canonicalJson({ sha256: r.sha256, pipelineVersion: r.pipelineVersion, annotations: (byRecording.get(r.id) ?? []).map((a) => ({ id: a.id, revision: a.revision })) });
      const added: string[] = [];
      const changed: string[] = [];
      let unchanged = 0;
      for (const { r } of recordings) {
        const was = before.get(r.id);
        if (!was) added.push(r.id);
        else if (canonicalJson({ sha256: was.sha256, pipelineVersion: was.pipelineVersion, annotations: was.annotations }) !== state(r)) changed.push(r.id);
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
    const bySplitParticipants: Record<string, string[]> = {};
    for (const [pid, s] of [...splitOf].sort((a, b) => (a[0] < b[0] ? -1 : 1))) (bySplitParticipants[s] ??= []).push(pid);
    checkDisjoint(bySplitParticipants);

    const events = p.shape === 'events';
    const columns: Column[] = [
      ...(events
        ? [{ name: 'recording_id' }, { name: 'participant' }, { name: 'device' }, { name: 'annotation_id' }, { name: 'label' }, { name: 'source' },
          { name: 'event_start_s' }, { name: 'event_end_s' }, { name: 'samples_start_s' }]
        : [{ name: 'recording_id' }, { name: 'participant' }, { name: 'device' }, { name: 'window_start_s' }, { name: 'window_start_time_ns' },
          { name: 'label' }, { name: 'label_overlap' }, { name: 'labels' }]),
      ...(p.gaps === 'flag' ? [{ name: 'crosses_gap' }] : []),
      ...streamNames.flatMap((s, index) => channels[index]!.map((c, channel) => ({ name: columnName(s, c), stream: { index, channel } }))),
    ];
    const schema = parquetSchema(columns);
    const partial = target.kind === 'dir' ? `${out}.partial-${process.pid}` : mkdtempSync(path.join(tmpdir(), 'fieldsense-export-'));
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(path.join(partial, 'data'), { recursive: true });
    const files = new Map<string, SplitFile>();
    const fileFor = (split: string): SplitFile => {
      let f = files.get(split);
      if (!f) {
        const rel = `data/${split}-00000-of-00001.${p.format}`;
        const file = path.join(partial, rel);
        f = p.format === 'csv'
          ? { name: split, path: rel, writer: null, csv: createWriteStream(file), rows: [], count: 0 }
          : { name: split, path: rel, writer: new ParquetWriter({ writer: fileWriter(file), schema, createdBy: 'fieldsense' }), csv: null, rows: [], count: 0 };
        if (f.csv) f.csv.write(`${csvLine(csvHeader(columns, Math.round(p.windowS * p.rateHz)))}\n`);
        files.set(split, f);
      }
      return f;
    };

    const perRecording: ManifestRecording[] = [];
    const counts = { byLabel: {} as Record<string, number>, byParticipant: {} as Record<string, number>, byDevice: {} as Record<string, number>, bySplit: {} as Record<string, number>, quality: {} as Record<string, number> };
    let windows = 0;
    let hours = 0;
    try {
      for (const [n, { r, streams }] of recordings.entries()) {
        const split = splitOf.get(r.participantId)!;
        const f = fileFor(split);
        const spans: LabelSpan[] = (byRecording.get(r.id) ?? []).map((a) => ({ startS: a.startS, endS: a.endS, label: a.label }));
        let made = 0;
        const rowsOf = events ? this.eventsOf(r, streams, byRecording.get(r.id) ?? [], p) : this.windowsOf(r, streams, spans, p);
        for await (const row of rowsOf) {
          f.rows.push(row);
          made++;
          const key = row.label ?? '(none)';
          counts.byLabel[key] = (counts.byLabel[key] ?? 0) + 1;
          if (f.rows.length >= ROW_GROUP) await flush(f, columns);
        }
        await flush(f, columns);
        f.count += made;
        windows += made;
        hours += r.durationS / 3600;
        counts.byParticipant[r.participantCode] = (counts.byParticipant[r.participantCode] ?? 0) + made;
        const dev = deviceName(r) ?? 'unknown';
        counts.byDevice[dev] = (counts.byDevice[dev] ?? 0) + made;
        counts.bySplit[split] = (counts.bySplit[split] ?? 0) + made;
        const q = r.qualityStatus ?? 'unknown';
        counts.quality[q] = (counts.quality[q] ?? 0) + 1;
        perRecording.push({
          id: r.id, participantId: r.participantId, participant: r.participantCode, split, sha256: r.sha256, pipelineVersion: r.pipelineVersion,
          durationS: r.durationS, windows: made,
          annotations: (byRecording.get(r.id) ?? []).map((a) => ({ id: a.id, revision: a.revision })),
        });
        this.log(`recording ${n + 1}/${recordings.length} ${r.id}: ${made} windows (${split})`);
      }
      for (const f of files.values()) {
        if (f.writer) await f.writer.finish();
        if (f.csv) {
          f.csv.end();
          await once(f.csv, 'close');
        }
      }

      const fileEntries = [...files.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((f) => {
        const bytes = readFileSync(path.join(partial, f.path));
        return { path: f.path, split: f.name, windows: f.count, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      });
      const body = {
        format: MANIFEST_FORMAT,
        study: { id: study.id, slug: study.slug, name: study.name },
        parameters,
        pipelineVersions: [...new Set(recordings.map(({ r }) => r.pipelineVersion))].sort(),
        splits: bySplitParticipants,
        recordings: perRecording,
        skipped,
        ...(incremental ? { incremental } : {}),
        counts: { windows, recordings: recordings.length, participants: participants.length, hours, ...counts },
        files: fileEntries,
      };
      const version = createHash('sha256').update(canonicalJson(body)).digest('hex');
      const manifest = { ...body, version };
      writeFileSync(path.join(partial, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      const features: CardFeature[] = p.format === 'csv'
        ? csvHeader(columns, Math.round(p.windowS * p.rateHz)).map((name, i) => ({ name, ...(i < columns.filter((c) => !c.stream).length ? featureType(name, false) : { dtype: 'float32' as const }) }))
        : columns.map((c) => ({ name: c.name, ...featureType(c.name, c.stream !== undefined) }));
      writeFileSync(path.join(partial, 'README.md'), datasetCard({
        title: `${study.name}: ${events ? 'events' : 'windows'}`,
        description: events
          ? `One row per annotation with ${p.contextS ?? 1} s of context either side, over ${streamNames.join(', ')} at ${p.rateHz} Hz, from FieldSense study "${study.slug}", split by participant.`
          : `Windows of ${p.windowS} s every ${p.hopS} s over ${streamNames.join(', ')} at ${p.rateHz} Hz, from FieldSense study "${study.slug}", split by participant.`,
        features,
        splits: fileEntries.map((f) => ({ name: f.split, examples: f.windows, file: f.path })),
        counts: { byLabel: counts.byLabel, byParticipant: counts.byParticipant, byDevice: counts.byDevice, bySplit: counts.bySplit, hours, quality: counts.quality },
        parameters: { window_s: p.windowS, hop_s: p.hopS, rate_hz: p.rateHz, label_policy: p.labelPolicy, min_overlap: p.minOverlap, background: p.background, gaps: p.gaps, split: p.split, seed: p.seed, stratify: p.stratify, annotations: p.annotations },
        version,
      }));
      if (target.kind === 'dir') {
        renameSync(partial, out);
      } else {
        // The data and the card first, the manifest last: a dataset without its manifest is not finished.
        for (const rel of [...fileEntries.map((f) => f.path), 'README.md', 'manifest.json']) {
          const contentType = rel.endsWith('.json') ? 'application/json' : rel.endsWith('.md') ? 'text/markdown; charset=utf-8' : rel.endsWith('.csv') ? 'text/csv; charset=utf-8' : 'application/vnd.apache.parquet';
          await s3!.putStream(keys.exportObject(target.prefix, rel), createReadStream(path.join(partial, rel)), { contentType });
        }
        rmSync(partial, { recursive: true, force: true });
      }
      const id = await this.repo.recordExport({ studyId: study.id, version, location: out, participantIds: participants.map((r) => r.participantId).sort(), recordings: recordings.length, windows });
      return { id, out, version, windows, recordings: recordings.length, bySplit: counts.bySplit, skipped };
    } catch (e) {
      rmSync(partial, { recursive: true, force: true });
      throw e;
    }
  }

  /** The windows of one recording, block by block, in time order. */
  private async *windowsOf(r: ExportRecording, streams: ExportStream[], spans: LabelSpan[], p: ExportParams): AsyncGenerator<Row> {
    const files = await Promise.all(streams.map((s) => this.store.asyncBuffer(s.objectKey)));
    const perWindow = Math.round(p.windowS * p.rateHz);
    const device = deviceName(r);
    for (let blockStart = 0; blockStart < r.durationS; blockStart += BLOCK_S) {
      const blockEnd = Math.min(r.durationS, blockStart + BLOCK_S);
      const starts = windowStarts({ lengthS: p.windowS, hopS: p.hopS }, 0, blockStart, Math.min(r.durationS, blockEnd + p.windowS)).filter((s) => s < blockEnd);
      if (starts.length === 0) continue;
      const grid = { startS: blockStart, rateHz: p.rateHz, count: Math.ceil((blockEnd - blockStart + p.windowS) * p.rateHz) + 1 };
      const resampled = await Promise.all(streams.map((s, i) => readResampled(files[i]!, r, s, blockStart, blockEnd + p.windowS, grid, p.rateHz)));
      // Only the block's spans: labelling looks at every span it is given.
      const near = spansOverlapping(spans, blockStart, blockEnd + p.windowS);
      for (const startS of starts) {
        const i0 = Math.round((startS - blockStart) * p.rateHz);
        let gap = false;
        for (const rs of resampled) for (let k = i0; k < i0 + perWindow && !gap; k++) gap = rs.missing[k] !== 0;
        if (gap && p.gaps === 'drop') continue;
        const lab = labelWindow(startS, p.windowS, near, p.labelPolicy, { minOverlap: p.minOverlap, background: p.background });
        yield {
          recordingId: r.id, participant: r.participantCode, device, startS,
          startTimeNs: r.startTimeNs === null ? null : r.startTimeNs + secondsToNs(startS),
          label: lab.label, overlap: lab.overlap, labelsJson: JSON.stringify(lab.all), gap,
          samples: resampled.flatMap((rs) => rs.values.map((v) => v.slice(i0, i0 + perWindow))),
        };
      }
    }
  }

  /** One row per annotation: its samples from contextS before it to contextS after it (within the recording). */
  private async *eventsOf(r: ExportRecording, streams: ExportStream[], annotations: readonly ExportAnnotation[], p: ExportParams): AsyncGenerator<Row> {
    const files = await Promise.all(streams.map((s) => this.store.asyncBuffer(s.objectKey)));
    const device = deviceName(r);
    const ctx = p.contextS ?? 1;
    for (const a of annotations) {
      const fromS = Math.max(0, a.startS - ctx);
      const toS = Math.min(r.durationS, a.endS + ctx);
      const grid = { startS: fromS, rateHz: p.rateHz, count: Math.floor((toS - fromS) * p.rateHz + 1e-9) + 1 };
      const resampled = await Promise.all(streams.map((s, i) => readResampled(files[i]!, r, s, fromS, toS, grid, p.rateHz)));
      // The context stops where the samples do (the recording's first and last sample); a hole inside is a gap.
      const present = (k: number): boolean => resampled.every((rs) => rs.missing[k] === 0);
      let first = 0;
      let last = grid.count - 1;
      while (first <= last && !present(first)) first++;
      while (last >= first && !present(last)) last--;
      if (first > last) continue;
      let gap = false;
      for (let k = first; k <= last && !gap; k++) gap = !present(k);
      if (gap && p.gaps === 'drop') continue;
      yield {
        annotationId: a.id, endS: a.endS, source: a.source,
        recordingId: r.id, participant: r.participantCode, device, startS: a.startS,
        startTimeNs: r.startTimeNs === null ? null : r.startTimeNs + secondsToNs(a.startS), samplesStartS: fromS + first / p.rateHz,
        label: a.label, overlap: 1, labelsJson: '[]', gap,
        samples: resampled.flatMap((rs) => rs.values.map((v) => v.slice(first, last + 1))),
      };
    }
  }
}

/** One stream's samples of [fromS, toS] (with a margin for the filter), resampled onto `grid`. */
async function readResampled(file: AsyncObjectBuffer, r: ExportRecording, s: ExportStream, fromS: number, toS: number, grid: { startS: number; rateHz: number; count: number }, rateHz: number) {
  const readFromNs = r.originNs + secondsToNs(Math.max(0, fromS - MARGIN_S));
  const readToNs = r.originNs + secondsToNs(toS + MARGIN_S);
  const { pieces } = await openStreamWindow(file, readFromNs, readToNs);
  const t: number[] = [];
  const values: number[][] = s.channels.map(() => []);
  const base = Number(readFromNs - r.originNs) / 1e9;
  for await (const piece of pieces) {
    for (let k = 0; k < piece.count; k++) {
      t.push(base + piece.relNs[k]! / 1e9);
      const row = piece.index[k]!;
      for (let c = 0; c < values.length; c++) values[c]!.push(piece.values[c]![row]!);
    }
  }
  return resampleToGrid({ t: Float64Array.from(t), values: values.map((v) => Float32Array.from(v)), nominalRateHz: s.sampleRateHz ?? s.measuredRateHz ?? rateHz }, grid);
}

interface ManifestRecording {
  id: string; participantId: string; participant: string; split: string; sha256: string; pipelineVersion: string; durationS: number; windows: number;
  annotations: { id: string; revision: number }[];
}

function checkParams(p: ExportParams): void {
  const bad: string[] = [];
  if (!(p.windowS > 0)) bad.push('--window must be a positive duration');
  if (!(p.hopS > 0)) bad.push('--hop must be a positive duration');
  if (!(p.rateHz > 0 && p.rateHz <= 10_000)) bad.push('--rate must be between 0 and 10,000 Hz');
  if (!(p.minOverlap >= 0 && p.minOverlap <= 1)) bad.push('--min-overlap must be between 0 and 1');
  if (Math.abs(p.windowS * p.rateHz - Math.round(p.windowS * p.rateHz)) > 1e-9) bad.push('--window × --rate must be a whole number of samples');
  if (p.shape === 'events' && p.format === 'csv') bad.push('--shape events comes as Parquet only: events differ in length, which CSV columns cannot hold');
  if (p.contextS !== undefined && !(p.contextS >= 0 && p.contextS <= 3600)) bad.push('--context must be between 0 and 3600 seconds');
  if (bad.length > 0) throw new AppError('validation_failed', bad.join('; '), { problems: bad });
}

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

interface Incremental { since: string | null; added: string[]; changed: string[]; removed: string[]; unchanged: number }

interface EarlierManifest {
  format?: unknown;
  version?: string;
  parameters?: Record<string, unknown>;
  splits?: Record<string, string[]>;
  recordings?: { id: string; sha256: string; pipelineVersion: string; annotations: { id: string; revision: number }[] }[];
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

function deviceName(r: ExportRecording): string | null {
  const d = r.device;
  if (!d) return null;
  const parts = [d.kind, d.model].filter((x): x is string => typeof x === 'string' && x.length > 0);
  return parts.length > 0 ? parts.join(' ') : null;
}

function columnName(stream: string, channel: string): string {
  return `${stream}_${channel}`.replace(/[^A-Za-z0-9_]+/g, '_');
}

type Dtype = 'string' | 'float64' | 'float32' | 'int64' | 'bool';

/**
 * Every scalar column a dataset can have, once: its type (card feature, Parquet type, CSV cell) and its value in
 * a row. Channel columns (lists of floats) are apart.
 */
const SCALARS: Record<string, { dtype: Dtype; required: boolean; value: (r: Row) => string | number | bigint | boolean | null }> = {
  recording_id: { dtype: 'string', required: true, value: (r) => r.recordingId },
  participant: { dtype: 'string', required: true, value: (r) => r.participant },
  device: { dtype: 'string', required: false, value: (r) => r.device },
  window_start_s: { dtype: 'float64', required: true, value: (r) => r.startS },
  window_start_time_ns: { dtype: 'int64', required: false, value: (r) => r.startTimeNs },
  label: { dtype: 'string', required: false, value: (r) => r.label },
  label_overlap: { dtype: 'float32', required: false, value: (r) => (r.label === null ? null : r.overlap) },
  labels: { dtype: 'string', required: false, value: (r) => r.labelsJson },
  crosses_gap: { dtype: 'bool', required: true, value: (r) => r.gap },
  annotation_id: { dtype: 'string', required: false, value: (r) => r.annotationId ?? null },
  source: { dtype: 'string', required: false, value: (r) => r.source ?? null },
  event_start_s: { dtype: 'float64', required: true, value: (r) => r.startS },
  event_end_s: { dtype: 'float64', required: true, value: (r) => r.endS ?? r.startS },
  samples_start_s: { dtype: 'float64', required: true, value: (r) => r.samplesStartS ?? r.startS },
};

function scalar(name: string): (typeof SCALARS)[string] {
  const c = SCALARS[name];
  if (!c) throw new Error(`unknown column ${name}`);
  return c;
}

function featureType(name: string, sequence: boolean): Omit<CardFeature, 'name'> {
  return sequence ? { sequence: 'float32' } : { dtype: scalar(name).dtype };
}

const PARQUET_TYPE = { float64: 'DOUBLE', float32: 'FLOAT', int64: 'INT64', bool: 'BOOLEAN', string: 'BYTE_ARRAY' } as const;

/** The writer's own schema element type (it bundles its own hyparquet). */
type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

function parquetSchema(columns: readonly Column[]): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'schema', num_children: columns.length }];
  for (const c of columns) {
    if (c.stream) {
      out.push({ name: c.name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 });
      out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
      out.push({ name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' });
      continue;
    }
    const { dtype, required } = scalar(c.name);
    out.push({ name: c.name, type: PARQUET_TYPE[dtype], ...(dtype === 'string' ? { converted_type: 'UTF8' as const } : {}), repetition_type: required ? 'REQUIRED' : 'OPTIONAL' });
  }
  return out;
}

/** The CSV header: the scalar columns, then one column per sample of each channel. */
function csvHeader(columns: readonly Column[], perWindow: number): string[] {
  const width = String(perWindow - 1).length;
  return columns.flatMap((c) => (c.stream ? Array.from({ length: perWindow }, (_, k) => `${c.name}_${String(k).padStart(width, '0')}`) : [c.name]));
}

/** Writes the buffered rows of a split: one Parquet row group, or CSV lines. */
async function flush(f: SplitFile, columns: readonly Column[]): Promise<void> {
  if (f.rows.length === 0) return;
  if (f.csv) {
    const scalars = columns.filter((c) => !c.stream);
    let text = '';
    for (const r of f.rows) {
      const cells = scalars.map((c) => csvCell(c.name, r));
      for (const v of r.samples) for (let k = 0; k < v.length; k++) cells.push(csvNumber(v[k]!));
      text += `${csvLine(cells)}\n`;
    }
    f.rows = [];
    if (!f.csv.write(text)) await once(f.csv, 'drain');
    return;
  }
  const rows = f.rows;
  const pick = (c: Column): unknown[] => {
    if (c.stream) {
      const k = columns.filter((x) => x.stream).indexOf(c);
      return rows.map((r) => Array.from(r.samples[k]!));
    }
    const value = scalar(c.name).value;
    return rows.map(value);
  };
  await f.writer!.write({ columnData: columns.map((c) => ({ name: c.name, data: pick(c) as never })), rowGroupSize: rows.length });
  f.rows = [];
}

function csvCell(name: string, r: Row): string {
  const { dtype, value } = scalar(name);
  const v = value(r);
  if (dtype === 'string') return csvText(v as string | null);
  if (dtype === 'bool') return v ? 'true' : 'false';
  return csvNumber(v as number | bigint | null);
}

/** Where a dataset goes: a local folder, or `s3://bucket/prefix`. */
function parseTarget(out: string): { kind: 'dir'; dir: string } | { kind: 's3'; bucket: string; prefix: string } {
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

/** JSON with object keys sorted at every level: the bytes the dataset version is the hash of. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

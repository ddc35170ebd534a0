/**
 * One shard of a dataset export: its recordings, one at a time, cut into rows (windows, events or whole
 * recordings), written as one data file, and a summary of what it wrote (counts, per-recording entries of the
 * manifest, one example window per label for the card). The same shard gives the same bytes wherever it runs.
 *
 * Memory: one recording at a time, read in blocks of BLOCK_S (plus a margin for the resampler and the last
 * window), rows flushed every ROW_GROUP rows; a `recordings` row is one whole recording at the export rate.
 */
import { secondsToNs } from '../../domain/stream.js';
import { csvLine, csvNumber, csvText } from '../../domain/csv-cells.js';
import { labelWindow, resampleToGrid, spansOverlapping, windowStarts, type LabelSpan, type Resampled } from '../../pipeline/windowing/index.js';
import { openStreamWindow } from '../../columnar/parquet-stream-reader.js';
import { DatasetParquetWriter, type DatasetColumn, type DatasetColumnData } from '../../columnar/dataset-parquet-writer.js';
import type { ExportStream } from '../../repositories/export.repository.js';
import type { AsyncObjectBuffer, ObjectStore } from '../../storage/object-store.js';
import type { ExportPlan, PlannedRecording, ShardHeader } from './plan.js';
import type { DataFileSink, ExportWorkspace } from './workspace.js';
import { BidsMotionWriter, participantLabels } from './bids-motion.js';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Seconds of a recording read at once: an hour (≈ 12 MB of 100 Hz 6-axis samples). A block decodes each row group
 * it touches (262,144 rows, ≈ 44 min at 100 Hz), so an hour-long recording is decoded once and a day's about twice.
 */
const BLOCK_S = 3600;
/** Samples read beyond a block on either side, so the resampler's filter sees real signal at the block's edges. */
const MARGIN_S = 2;
/** Seconds read at once when a stream is audio. */
const AUDIO_BLOCK_S = 60;
/** Rows per Parquet row group (windows and events); a `recordings` row group is one recording. */
const ROW_GROUP = 4096;

export interface ManifestRecording {
  id: string; participantId: string; participant: string; split: string; sha256: string; pipelineVersion: string; durationS: number; windows: number;
  annotations: { id: string; revision: number }[];
  /** The other device's recording whose streams joined its rows, and the offset that placed them. */
  aligned?: PlannedRecording['aligned'];
}

export interface ShardCounts {
  byLabel: Record<string, number>;
  byParticipant: Record<string, number>;
  byDevice: Record<string, number>;
  /** Recordings per quality status. */
  quality: Record<string, number>;
}

export interface ShardSummary {
  index: number;
  planHash: string;
  /** The data files it wrote: one for Parquet and CSV; a BIDS-Motion shard writes the whole BIDS tree. */
  files: { path: string; split: string; windows: number; bytes: number; sha256: string }[];
  /** The version (ETag) the object store gave each file, to check it is intact without reading it again. */
  versions?: Record<string, string>;
  rows: number;
  hours: number;
  recordings: ManifestRecording[];
  counts: ShardCounts;
  /** The first row of each label in the shard, for the card's plots. */
  examples: Record<string, { recordingId: string; startS: number; channels: { name: string; values: number[] }[] }>;
}

export interface ShardProgress {
  recordingsDone: number;
  secondsDone: number;
  rows: number;
}

/** A row before it is written: scalars by column name, then one sample array per channel column. */
interface Row {
  scalars: Record<string, string | number | bigint | boolean | null>;
  samples: Float32Array[];
  /** One WAV per audio column (audio streams embedded in the Hugging Face Audio layout). */
  audio?: Uint8Array[];
}

type Dtype = 'string' | 'float64' | 'float32' | 'int64' | 'bool';

/** Every scalar column a dataset can have, once: its type (card feature, Parquet type, CSV cell). */
export const SCALARS: Record<string, { dtype: Dtype; required: boolean }> = {
  recording_id: { dtype: 'string', required: true },
  participant: { dtype: 'string', required: true },
  device: { dtype: 'string', required: false },
  window_start_s: { dtype: 'float64', required: true },
  window_start_time_ns: { dtype: 'int64', required: false },
  label: { dtype: 'string', required: false },
  label_overlap: { dtype: 'float32', required: false },
  labels: { dtype: 'string', required: false },
  crosses_gap: { dtype: 'bool', required: true },
  annotation_id: { dtype: 'string', required: false },
  source: { dtype: 'string', required: false },
  event_start_s: { dtype: 'float64', required: true },
  event_end_s: { dtype: 'float64', required: true },
  samples_start_s: { dtype: 'float64', required: true },
  start_time_ns: { dtype: 'int64', required: false },
  duration_s: { dtype: 'float64', required: true },
  quality: { dtype: 'string', required: false },
  annotations: { dtype: 'string', required: true },
};

export interface ExportColumn {
  name: string;
  /** Channel columns: the stream and channel index they take their samples from. */
  stream?: { index: number; channel: number };
  /** An audio column: the stream it holds as a WAV at `rateHz`. */
  audio?: { index: number; rateHz: number };
}

/** The columns of a plan's data files, in order. */
export function exportColumns(plan: ExportPlan): ExportColumn[] {
  const shape = plan.params.shape ?? 'windows';
  const scalars = shape === 'events'
    ? ['recording_id', 'participant', 'device', 'annotation_id', 'label', 'source', 'event_start_s', 'event_end_s', 'samples_start_s']
    : shape === 'recordings'
      ? ['recording_id', 'participant', 'device', 'start_time_ns', 'duration_s', 'samples_start_s', 'quality', 'annotations']
      : ['recording_id', 'participant', 'device', 'window_start_s', 'window_start_time_ns', 'label', 'label_overlap', 'labels'];
  return [
    ...scalars.map((name) => ({ name })),
    ...(plan.params.gaps === 'flag' || shape === 'recordings' ? [{ name: 'crosses_gap' }] : []),
    ...plan.streamNames.flatMap((s, index): ExportColumn[] => (embedsAudio(plan, index)
      ? [{ name: s.replace(/[^A-Za-z0-9_]+/g, '_'), audio: { index, rateHz: plan.streamRates[index]! } }]
      : plan.channels[index]!.map((c, channel) => ({ name: columnName(s, c), stream: { index, channel } })))),
  ];
}

/** Whether stream `index` goes out as an Audio column (a WAV per row) rather than float lists. */
export function embedsAudio(plan: ExportPlan, index: number): boolean {
  return plan.streamKinds[index] === 'audio' && (plan.params.audio ?? 'embed') === 'embed';
}

/**
 * A 16-bit PCM WAV of the channels (float samples in [-1, 1]; NaN, a gap, is silence), as `soundfile` and the
 * Hugging Face `Audio` feature decode it.
 */
export function wavPcm16(channels: readonly Float32Array[], rateHz: number): Uint8Array {
  const nCh = channels.length;
  const n = channels[0]?.length ?? 0;
  const data = n * nCh * 2;
  const out = new Uint8Array(44 + data);
  const v = new DataView(out.buffer);
  const ascii = (at: number, text: string): void => {
    for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + data, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // WAVE_FORMAT_PCM
  v.setUint16(22, nCh, true);
  v.setUint32(24, rateHz, true);
  v.setUint32(28, rateHz * nCh * 2, true);
  v.setUint16(32, nCh * 2, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, data, true);
  let at = 44;
  for (let k = 0; k < n; k++) {
    for (let c = 0; c < nCh; c++) {
      const x = channels[c]![k]!;
      const y = Number.isNaN(x) ? 0 : Math.max(-1, Math.min(1, x));
      v.setInt16(at, Math.round(y < 0 ? y * 32768 : y * 32767), true);
      at += 2;
    }
  }
  return out;
}

export function columnName(stream: string, channel: string): string {
  return `${stream}_${channel}`.replace(/[^A-Za-z0-9_]+/g, '_');
}

export function scalar(name: string): (typeof SCALARS)[string] {
  const c = SCALARS[name];
  if (!c) throw new Error(`unknown column ${name}`);
  return c;
}

/** The CSV header: the scalar columns, then one column per sample of each channel. */
export function csvHeader(columns: readonly ExportColumn[], perWindow: number): string[] {
  const width = String(perWindow - 1).length;
  return columns.flatMap((c) => (c.stream ? Array.from({ length: perWindow }, (_, k) => `${c.name}_${String(k).padStart(width, '0')}`) : [c.name]));
}

/** Rows gathered for one row group, column by column. */
class RowBatch {
  rows = 0;
  private scalars = new Map<string, (string | number | bigint | boolean | null)[]>();
  private audio = new Map<string, { bytes: Uint8Array; path: string | null }[]>();
  private values: Float32Array[];
  private offsets: Uint32Array[];
  private fill: number[];

  constructor(private readonly columns: readonly ExportColumn[], capacityValues: number) {
    for (const c of columns) if (c.audio) this.audio.set(c.name, []);
    else if (!c.stream) this.scalars.set(c.name, []);
    const lists = columns.filter((c) => c.stream).length;
    this.values = Array.from({ length: lists }, () => new Float32Array(capacityValues));
    this.offsets = Array.from({ length: lists }, () => new Uint32Array(ROW_GROUP + 1));
    this.fill = new Array<number>(lists).fill(0);
  }

  add(row: Row): void {
    for (const [name, list] of this.scalars) list.push(row.scalars[name] ?? null);
    let a = 0;
    for (const list of this.audio.values()) list.push({ bytes: row.audio![a++]!, path: null });
    for (let c = 0; c < this.values.length; c++) {
      const v = row.samples[c]!;
      let buf = this.values[c]!;
      if (this.fill[c]! + v.length > buf.length) {
        const grown = new Float32Array(Math.max(buf.length * 2, this.fill[c]! + v.length));
        grown.set(buf.subarray(0, this.fill[c]));
        this.values[c] = buf = grown;
      }
      buf.set(v, this.fill[c]);
      this.fill[c]! += v.length;
      if (this.offsets[c]!.length < this.rows + 2) {
        const grown = new Uint32Array(this.offsets[c]!.length * 2);
        grown.set(this.offsets[c]!);
        this.offsets[c] = grown;
      }
      this.offsets[c]![this.rows + 1] = this.fill[c]!;
    }
    this.rows++;
  }

  data(): Record<string, DatasetColumnData> {
    const out: Record<string, DatasetColumnData> = {};
    let k = 0;
    for (const c of this.columns) {
      if (c.audio) out[c.name] = this.audio.get(c.name)!;
      else if (!c.stream) out[c.name] = this.scalars.get(c.name)!;
      else {
        out[c.name] = { values: this.values[k]!.subarray(0, this.fill[k]), offsets: this.offsets[k]!.subarray(0, this.rows + 1) };
        k++;
      }
    }
    return out;
  }

  clear(): void {
    this.rows = 0;
    for (const list of this.scalars.values()) list.length = 0;
    for (const list of this.audio.values()) list.length = 0;
    this.fill.fill(0);
  }
}

/** Writes rows to one data file: Parquet row groups or CSV lines. */
interface RowWriter {
  add(row: Row): Promise<void>;
  close(): Promise<{ bytes: number; sha256: string; version?: string }>;
  abort(): Promise<void>;
}

function parquetRows(sink: DataFileSink, columns: readonly ExportColumn[], perRowValues: number, rowGroup: number, kvMetadata: Record<string, string>): RowWriter {
  const cols: DatasetColumn[] = columns.map((c): DatasetColumn => (c.audio ? { name: c.name, kind: 'audio' }
    : c.stream ? { name: c.name, kind: 'floatList' } : { name: c.name, kind: 'scalar', type: scalar(c.name).dtype, required: scalar(c.name).required }));
  const writer = new DatasetParquetWriter(sink, cols, { kvMetadata, createdBy: 'fieldsense dataset export' });
  const batch = new RowBatch(columns, Math.max(1, perRowValues * rowGroup));
  const flush = async (): Promise<void> => {
    if (batch.rows === 0) return;
    await writer.writeRowGroup(batch.rows, batch.data());
    batch.clear();
  };
  return {
    async add(row) {
      batch.add(row);
      if (batch.rows >= rowGroup) await flush();
    },
    async close() {
      await flush();
      await writer.finish();
      return sink.close();
    },
    abort: () => sink.abort(),
  };
}

function csvRows(sink: DataFileSink, columns: readonly ExportColumn[], perWindow: number): RowWriter {
  const scalars = columns.filter((c) => !c.stream);
  const enc = new TextEncoder();
  let text = `${csvLine(csvHeader(columns, perWindow))}\n`;
  const flush = async (): Promise<void> => {
    if (text.length === 0) return;
    const b = enc.encode(text);
    text = '';
    await sink.write(b);
  };
  return {
    async add(row) {
      const cells = scalars.map((c) => csvCell(c.name, row.scalars[c.name] ?? null));
      for (const v of row.samples) for (let k = 0; k < v.length; k++) cells.push(csvNumber(v[k]!));
      text += `${csvLine(cells)}\n`;
      if (text.length > 1 << 20) await flush();
    },
    async close() {
      await flush();
      return sink.close();
    },
    abort: () => sink.abort(),
  };
}

function csvCell(name: string, v: string | number | bigint | boolean | null): string {
  const { dtype } = scalar(name);
  if (dtype === 'string') return csvText(v as string | null);
  if (dtype === 'bool') return v ? 'true' : 'false';
  return csvNumber(v as number | bigint | null);
}

/** Runs one shard of a plan: writes its data file into the workspace and returns its summary. */
export async function runShard(
  store: ObjectStore,
  plan: ExportPlan,
  shard: ShardHeader,
  recordings: readonly PlannedRecording[],
  ws: ExportWorkspace,
  onProgress: (p: ShardProgress) => void | Promise<void> = () => undefined,
): Promise<ShardSummary> {
  const p = plan.params;
  if (p.format === 'bids-motion') return runBidsShard(store, plan, shard, recordings, ws, onProgress);
  const shape = p.shape ?? 'windows';
  const columns = exportColumns(plan);
  const perWindow = Math.round(p.windowS * p.rateHz);
  const sink = ws.openFile(shard.path, p.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.apache.parquet');
  const kv = { 'fieldsense.export': JSON.stringify({ study: plan.study.slug, shard: shard.index, split: shard.split, rateHz: p.rateHz }) };
  const writer = p.format === 'csv'
    ? csvRows(sink, columns, perWindow)
    : shape === 'recordings'
      ? parquetRows(sink, columns, 0, 1, kv)
      : parquetRows(sink, columns, shape === 'windows' ? perWindow : Math.round(((p.contextS ?? 1) * 2 + 4) * p.rateHz), ROW_GROUP, kv);
  const counts: ShardCounts = { byLabel: {}, byParticipant: {}, byDevice: {}, quality: {} };
  const examples: ShardSummary['examples'] = {};
  const perRecording: ManifestRecording[] = [];
  let rows = 0;
  let hours = 0;
  let secondsDone = 0;
  try {
    for (const [n, r] of recordings.entries()) {
      let made = 0;
      const gen = shape === 'events' ? eventsOf(store, r, plan) : shape === 'recordings' ? recordingOf(store, r, plan) : windowsOf(store, r, plan, (s) => onProgress({ recordingsDone: n, secondsDone: secondsDone + s, rows: rows + made }));
      for await (const row of gen) {
        await writer.add(row);
        made++;
        const label = shape === 'recordings' ? null : (row.scalars.label as string | null);
        const key = label ?? '(none)';
        counts.byLabel[key] = (counts.byLabel[key] ?? 0) + 1;
        if (label !== null && !examples[label] && shape === 'windows') {
          examples[label] = {
            recordingId: r.id, startS: row.scalars.window_start_s as number,
            channels: columns.filter((c) => c.stream).map((c, i) => ({ name: c.name, values: Array.from(row.samples[i]!) })),
          };
        }
      }
      rows += made;
      hours += r.durationS / 3600;
      secondsDone += r.durationS;
      perRecording.push(tally(counts, r, made));
      await onProgress({ recordingsDone: n + 1, secondsDone, rows });
    }
    const file = await writer.close();
    return {
      index: shard.index, planHash: plan.hash, files: [{ path: shard.path, split: shard.split, windows: rows, bytes: file.bytes, sha256: file.sha256 }],
      ...(file.version !== undefined ? { versions: { [shard.path]: file.version } } : {}), rows, hours, recordings: perRecording, counts, examples,
    };
  } catch (e) {
    await writer.abort().catch(() => undefined);
    throw e;
  }
}

/** Per stream of a recording: its samples of a time range, resampled to its export rate from `fromS`. */
interface Block {
  fromS: number;
  streams: { rs: Resampled; rate: number }[];
}

async function readBlock(files: readonly AsyncObjectBuffer[], r: PlannedRecording, plan: ExportPlan, fromS: number, toS: number, extraPoints = 0): Promise<Block> {
  const streams = await Promise.all(r.streams.map(async (s, i) => {
    const rate = plan.streamRates[i]!;
    const grid = { startS: fromS, rateHz: rate, count: Math.floor((toS - fromS) * rate + 1e-9) + 1 + extraPoints };
    // Another device's stream: read on its own axis, the grid moved back by its shift.
    const shift = r.shifts?.[i] ?? 0;
    const origin = { originNs: r.origins?.[i] ?? r.originNs };
    if (shift === 0) return { rs: await readResampled(files[i]!, origin, s, fromS, toS, grid, rate), rate };
    return { rs: await readResampled(files[i]!, origin, s, fromS - shift, toS - shift, { ...grid, startS: fromS - shift }, rate), rate };
  }));
  return { fromS, streams };
}

/** Stream i's samples from `startS` for `n` points: views of its channels, and whether a point is missing. */
function take(b: Block, i: number, startS: number, n: number): { values: Float32Array[]; gap: boolean } {
  const { rs, rate } = b.streams[i]!;
  const i0 = Math.round((startS - b.fromS) * rate);
  let gap = i0 < 0 || i0 + n > rs.missing.length;
  for (let k = Math.max(0, i0); k < i0 + n && !gap; k++) gap = rs.missing[k] !== 0;
  return { values: rs.values.map((v) => v.subarray(i0, i0 + n)), gap };
}

/** A row's samples: float lists of the channel columns, WAVs of the audio columns, from per-stream pieces. */
function rowSamples(plan: ExportPlan, pieces: readonly Float32Array[][]): { samples: Float32Array[]; audio?: Uint8Array[] } {
  const samples: Float32Array[] = [];
  const audio: Uint8Array[] = [];
  pieces.forEach((values, i) => {
    if (embedsAudio(plan, i)) audio.push(wavPcm16(values, plan.streamRates[i]!));
    else samples.push(...values);
  });
  return audio.length > 0 ? { samples, audio } : { samples };
}

/** The windows of one recording, block by block, in time order. */
async function* windowsOf(store: ObjectStore, r: PlannedRecording, plan: ExportPlan, progress: (secondsIntoRecording: number) => void | Promise<void>): AsyncGenerator<Row> {
  const p = plan.params;
  const files = await Promise.all(r.streams.map((s) => store.asyncBuffer(s.objectKey)));
  const perWindow = plan.streamRates.map((rate) => Math.round(p.windowS * rate));
  const spans: LabelSpan[] = r.annotations.map((a) => ({ startS: a.startS, endS: a.endS, label: a.label }));
  const startTimeNs = r.startTimeNs === null ? null : BigInt(r.startTimeNs);
  // Audio at thousands of samples a second is read a minute at a time; motion a row group's worth.
  const blockS = plan.streamKinds.includes('audio') ? AUDIO_BLOCK_S : BLOCK_S;
  for (let blockStart = 0; blockStart < r.durationS; blockStart += blockS) {
    const blockEnd = Math.min(r.durationS, blockStart + blockS);
    const starts = windowStarts({ lengthS: p.windowS, hopS: p.hopS }, 0, blockStart, Math.min(r.durationS, blockEnd + p.windowS)).filter((s) => s < blockEnd);
    if (starts.length > 0) {
      const block = await readBlock(files, r, plan, blockStart, blockEnd + p.windowS, 1);
      // Only the block's spans: labelling looks at every span it is given.
      const near = spansOverlapping(spans, blockStart, blockEnd + p.windowS);
      for (const startS of starts) {
        let gap = false;
        const pieces = r.streams.map((_s, i) => {
          const t = take(block, i, startS, perWindow[i]!);
          gap ||= t.gap;
          return t.values;
        });
        if (gap && p.gaps === 'drop') continue;
        const lab = labelWindow(startS, p.windowS, near, p.labelPolicy, { minOverlap: p.minOverlap, background: p.background });
        yield {
          scalars: {
            recording_id: r.id, participant: r.participantCode, device: r.deviceName, window_start_s: startS,
            window_start_time_ns: startTimeNs === null ? null : startTimeNs + secondsToNs(startS),
            label: lab.label, label_overlap: lab.label === null ? null : lab.overlap, labels: lab.all.length === 0 ? '[]' : JSON.stringify(lab.all), crosses_gap: gap,
          },
          // Views into the block's arrays: the writer copies them before the next block is read.
          ...rowSamples(plan, pieces),
        };
      }
    }
    await progress(blockEnd);
  }
}

/**
 * One row per annotation: its samples from contextS before it to contextS after it (within the recording). The
 * context stops where the samples do (the recording's first and last sample), on the grid of the first stream
 * that is not audio (or the first stream); every stream covers that time span at its own rate.
 */
async function* eventsOf(store: ObjectStore, r: PlannedRecording, plan: ExportPlan): AsyncGenerator<Row> {
  const p = plan.params;
  const files = await Promise.all(r.streams.map((s) => store.asyncBuffer(s.objectKey)));
  const ctx = p.contextS ?? 1;
  const primary = Math.max(0, plan.streamKinds.findIndex((k) => k !== 'audio'));
  for (const a of r.annotations) {
    const fromS = Math.max(0, a.startS - ctx);
    const toS = Math.min(r.durationS, a.endS + ctx);
    const block = await readBlock(files, r, plan, fromS, toS);
    const { rs, rate } = block.streams[primary]!;
    const missing = rs.missing;
    let first = 0;
    let last = missing.length - 1;
    while (first <= last && missing[first] !== 0) first++;
    while (last >= first && missing[last] !== 0) last--;
    if (first > last) continue;
    const t0 = fromS + first / rate;
    const spanS = (last - first) / rate;
    let gap = false;
    const pieces = r.streams.map((_s, i) => {
      const n = i === primary ? last - first + 1 : Math.floor(spanS * block.streams[i]!.rate + 1e-9) + 1;
      const t = take(block, i, t0, n);
      gap ||= t.gap;
      return t.values;
    });
    if (gap && p.gaps === 'drop') continue;
    yield {
      scalars: {
        recording_id: r.id, participant: r.participantCode, device: r.deviceName, annotation_id: a.id, label: a.label, source: a.source,
        event_start_s: a.startS, event_end_s: a.endS, samples_start_s: t0, crosses_gap: gap,
      },
      ...rowSamples(plan, pieces),
    };
  }
}

/** Grid points of a whole recording at `rateHz`, from its time 0 to its duration, both included. */
function gridPoints(r: PlannedRecording, rateHz: number): number {
  return Math.floor(r.durationS * rateHz + 1e-9) + 1;
}

/** A whole recording on one grid from its time 0 at `rateHz`, an hour (BLOCK_S) at a time: grid points k0 … k0 + n − 1. */
async function* wholeRecording(store: ObjectStore, r: PlannedRecording, rateHz: number): AsyncGenerator<{ k0: number; n: number; resampled: Resampled[] }> {
  const files = await Promise.all(r.streams.map((s) => store.asyncBuffer(s.objectKey)));
  const count = gridPoints(r, rateHz);
  const blockN = Math.round(BLOCK_S * rateHz);
  for (let k0 = 0; k0 < count; k0 += blockN) {
    const n = Math.min(count - k0, blockN);
    const startS = k0 / rateHz;
    const grid = { startS, rateHz, count: n };
    yield { k0, n, resampled: await Promise.all(r.streams.map((s, i) => readResampled(files[i]!, r, s, startS, startS + n / rateHz, grid, rateHz))) };
  }
}

/** Adds a recording's rows to the shard's counts and returns its manifest entry. */
function tally(counts: ShardCounts, r: PlannedRecording, rows: number): ManifestRecording {
  const add = (m: Record<string, number>, key: string, n: number): void => {
    m[key] = (m[key] ?? 0) + n;
  };
  add(counts.byParticipant, r.participantCode, rows);
  add(counts.byDevice, r.deviceName ?? 'unknown', rows);
  add(counts.quality, r.qualityStatus ?? 'unknown', 1);
  return {
    id: r.id, participantId: r.participantId, participant: r.participantCode, split: r.split, sha256: r.sha256, pipelineVersion: r.pipelineVersion,
    durationS: r.durationS, windows: rows, annotations: r.annotations.map((a) => ({ id: a.id, revision: a.revision })),
    ...(r.aligned ? { aligned: r.aligned } : {}),
  };
}

/** One row per recording: each channel whole at the export rate (NaN in gaps), with its annotations as JSON. */
async function* recordingOf(store: ObjectStore, r: PlannedRecording, plan: ExportPlan): AsyncGenerator<Row> {
  const p = plan.params;
  const count = gridPoints(r, p.rateHz);
  const out = r.streams.flatMap((s) => s.channels.map(() => new Float32Array(count)));
  const missing = new Uint8Array(count);
  for await (const { k0, n, resampled } of wholeRecording(store, r, p.rateHz)) {
    let c = 0;
    for (const rs of resampled) {
      for (const v of rs.values) out[c++]!.set(v, k0);
      for (let k = 0; k < n; k++) if (rs.missing[k] !== 0) missing[k0 + k] = 1;
    }
  }
  // Leading and trailing grid points without samples are cut; a hole inside is a gap (NaN values).
  let first = 0;
  let last = count - 1;
  while (first <= last && missing[first] !== 0) first++;
  while (last >= first && missing[last] !== 0) last--;
  if (first > last) return;
  let gap = false;
  for (let k = first; k <= last && !gap; k++) gap = missing[k] !== 0;
  const annotations = r.annotations.map((a) => ({ id: a.id, start_s: a.startS, end_s: a.endS, label: a.label, source: a.source }));
  yield {
    scalars: {
      recording_id: r.id, participant: r.participantCode, device: r.deviceName, start_time_ns: r.startTimeNs === null ? null : BigInt(r.startTimeNs),
      duration_s: r.durationS, samples_start_s: first / p.rateHz, quality: r.qualityStatus, annotations: JSON.stringify(annotations), crosses_gap: gap,
    },
    samples: out.map((v) => v.subarray(first, last + 1)),
  };
}

/**
 * A BIDS-Motion export is one shard: file names (runs, participant labels) depend on every recording, so the tree
 * is written whole into a local folder (services/export/bids-motion.ts), then each file is put in the workspace.
 * Each recording is one motion.tsv at the export rate from its recording's time 0 (rows without samples `n/a`),
 * its annotations the events.
 */
async function runBidsShard(
  store: ObjectStore, plan: ExportPlan, shard: ShardHeader, recordings: readonly PlannedRecording[], ws: ExportWorkspace,
  onProgress: (p: ShardProgress) => void | Promise<void>,
): Promise<ShardSummary> {
  const p = plan.params;
  const tmp = await mkdtemp(path.join(tmpdir(), 'fieldsense-bids-'));
  const root = path.join(tmp, 'bids');
  try {
    const writer = new BidsMotionWriter(root, { name: plan.study.name, studySlug: plan.study.slug });
    const counts: ShardCounts = { byLabel: {}, byParticipant: {}, byDevice: {}, quality: {} };
    const perRecording: ManifestRecording[] = [];
    let secondsDone = 0;
    for (const [n, r] of recordings.entries()) {
      const d = r.device ?? {};
      const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
      const rw = writer.beginRecording({
        participant: r.participantCode, session: null, recordingId: r.id, task: 'fieldstudy', trackingSystem: r.deviceName ?? 'device', rateHz: p.rateHz,
        startTime: r.startTimeNs === null ? null : new Date(Number(BigInt(r.startTimeNs) / 1_000_000n)).toISOString(),
        channels: r.streams.flatMap((st) => st.channels.map((c) => ({ stream: st.name, channel: c, sensor: st.sensor, unit: st.unit }))),
        events: r.annotations.map((a) => ({ onsetS: a.startS, durationS: a.endS - a.startS, label: a.label, source: a.source, annotationId: a.id })),
        device: {
          ...(text(d.manufacturer) ? { manufacturer: text(d.manufacturer) } : {}),
          ...(text(d.model) ? { model: text(d.model) } : {}),
          ...(text(d.placement) ? { placement: text(d.placement) } : {}),
        },
      });
      for await (const { k0, n: m, resampled } of wholeRecording(store, r, p.rateHz)) {
        await rw.writeBlock(resampled.flatMap((rs) => rs.values), anyMissing(resampled, m), m);
        await onProgress({ recordingsDone: n, secondsDone: secondsDone + Math.min(r.durationS, (k0 + m) / p.rateHz), rows: n });
      }
      await rw.end();
      secondsDone += r.durationS;
      for (const a of r.annotations) counts.byLabel[a.label] = (counts.byLabel[a.label] ?? 0) + 1;
      perRecording.push(tally(counts, r, 1));
    }
    const { files } = await writer.finish();
    // The dataset's own files beside BIDS's: the validator is told to leave them alone.
    await writeFile(path.join(root, '.bidsignore'), 'manifest.json\n');
    files.push('.bidsignore');
    const labels = participantLabels(recordings.map((r) => r.participantCode));
    const splitOfSub = new Map(recordings.map((r) => [`sub-${labels.get(r.participantCode)}`, r.split]));
    const entries: ShardSummary['files'] = [];
    const versions: Record<string, string> = {};
    for (const rel of [...files].sort()) {
      const sink = ws.openFile(rel, rel.endsWith('.json') ? 'application/json' : rel.endsWith('.md') ? 'text/markdown; charset=utf-8' : 'text/tab-separated-values; charset=utf-8');
      for await (const chunk of createReadStream(path.join(root, rel))) await sink.write(chunk as Buffer);
      const info = await sink.close();
      const top = rel.split('/')[0]!;
      entries.push({ path: rel, split: splitOfSub.get(top) ?? '', windows: rel.endsWith('_motion.tsv') ? 1 : 0, bytes: info.bytes, sha256: info.sha256 });
      if (info.version !== undefined) versions[rel] = info.version;
    }
    return { index: shard.index, planHash: plan.hash, files: entries, ...(Object.keys(versions).length > 0 ? { versions } : {}), rows: recordings.length, hours: secondsDone / 3600, recordings: perRecording, counts, examples: {} };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function anyMissing(resampled: readonly Resampled[], count: number): Uint8Array {
  if (resampled.length === 1) return resampled[0]!.missing;
  const m = new Uint8Array(count);
  for (const rs of resampled) for (let k = 0; k < count; k++) m[k]! |= rs.missing[k]!;
  return m;
}

/** One stream's samples of [fromS, toS] (with a margin for the filter), resampled onto `grid`. */
export async function readResampled(
  file: AsyncObjectBuffer, r: { originNs: string }, s: ExportStream, fromS: number, toS: number, grid: { startS: number; rateHz: number; count: number }, rateHz: number,
): Promise<Resampled> {
  const originNs = BigInt(r.originNs);
  const readFromNs = originNs + secondsToNs(Math.max(0, fromS - MARGIN_S));
  const readToNs = originNs + secondsToNs(toS + MARGIN_S);
  const { pieces } = await openStreamWindow(file, readFromNs, readToNs);
  const base = Number(readFromNs - originNs) / 1e9;
  const nCh = s.channels.length;
  // Sized for the range at the stream's rate (+5 %), so a block is read into arrays allocated once.
  const expected = Math.ceil((Number(readToNs - readFromNs) / 1e9) * (s.sampleRateHz ?? s.measuredRateHz ?? rateHz) * 1.05) + 16;
  let t = new Float64Array(Math.min(expected, 1 << 26));
  let values = Array.from({ length: nCh }, () => new Float32Array(t.length));
  let n = 0;
  for await (const piece of pieces) {
    if (n + piece.count > t.length) {
      const size = Math.max(t.length * 2, n + piece.count);
      const t2 = new Float64Array(size);
      t2.set(t.subarray(0, n));
      t = t2;
      values = values.map((v) => {
        const v2 = new Float32Array(size);
        v2.set(v.subarray(0, n));
        return v2;
      });
    }
    const idx = piece.index;
    const rel = piece.relNs;
    for (let k = 0; k < piece.count; k++) t[n + k] = base + rel[k]! / 1e9;
    for (let c = 0; c < nCh; c++) {
      const src = piece.values[c]!;
      const dst = values[c]!;
      // The rows of a piece are consecutive in the group: one copy when they are.
      const first = idx[0]!;
      if (piece.count > 0 && idx[piece.count - 1]! - first === piece.count - 1) dst.set(src.subarray(first, first + piece.count), n);
      else for (let k = 0; k < piece.count; k++) dst[n + k] = src[idx[k]!]!;
    }
    n += piece.count;
  }
  return resampleToGrid({ t: t.subarray(0, n), values: values.map((v) => v.subarray(0, n)), nominalRateHz: s.sampleRateHz ?? s.measuredRateHz ?? rateHz }, grid);
}

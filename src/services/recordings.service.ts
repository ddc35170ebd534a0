import type { Readable } from 'node:stream';
import { AppError } from '../lib/errors.js';
import { canSeeRecording, type Principal } from '../domain/principal.js';
import { NS_PER_S, secondsToNs } from '../domain/stream.js';
import type { Labelling, RecordingListFilter, RecordingsRepository, RecordingView } from '../repositories/recordings.repository.js';
import type { UploadsRepository } from '../repositories/uploads.repository.js';
import type { AlignmentRow, AlignmentsRepository } from '../repositories/alignments.repository.js';
import type { ObjectStore } from '../storage/object-store.js';
import { readStreamWindow } from '../columnar/parquet-stream-reader.js';
import { readLodHeader, readLodWindow, summariseRows, type RangeSummary } from '../columnar/lod.js';
import { ReadCache, type CachedSource } from '../columnar/read-cache.js';

/** Points read to summarise the samples at an overview's edges (a reduced read keeps the true extremes). */
const EDGE_MAX_POINTS = 4096;

/**
 * The points sorted by time (stable). Envelopes already are; raw samples are in file order, which a clock
 * that stepped backwards leaves out of order, and a plot needs them in order.
 */
function inTimeOrder<W extends { t: BigInt64Array; channels: Record<string, Float32Array> }>(w: W): W {
  let sorted = true;
  for (let i = 1; i < w.t.length && sorted; i++) sorted = w.t[i]! >= w.t[i - 1]!;
  if (sorted) return w;
  const order = Array.from(w.t.keys()).sort((a, b) => (w.t[a]! < w.t[b]! ? -1 : w.t[a]! > w.t[b]! ? 1 : a - b));
  const channels: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(w.channels)) channels[name] = Float32Array.from(order, (i) => v[i]!);
  return { ...w, t: BigInt64Array.from(order, (i) => w.t[i]!), channels };
}

export interface SamplesWindow {
  stream: string;
  fromS: number;
  toS: number;
  t: number[];
  channels: Record<string, (number | null)[]>;
  reduced: boolean;
}

/** A recording as the API shows it: with how far it is labelled and reviewed. */
export type LabelledRecording = RecordingView & { labelling: Labelling };

/** A recording's original file (see `RecordingsService.raw`). */
export interface RawFile {
  size: number;
  sha256: string;
  filename: string;
  receivedAt: Date;
  open(range?: { start: number; end: number }): Promise<{ body: Readable; length: number }>;
}

/** Reading recordings: access rules, samples, raw bytes, segments, reprocessing. */
export class RecordingsService {
  constructor(
    private readonly recordings: RecordingsRepository,
    private readonly uploads: UploadsRepository,
    private readonly store: ObjectStore,
    private readonly onCommitted: () => void,
    private readonly alignmentsRepo: AlignmentsRepository,
    /** Footers, row groups and LOD blocks kept between requests (see read-cache.ts); none kept by default. */
    private readonly cache = new ReadCache(0),
  ) {}

  /** A stored stream's Parquet file, read through the cache (its version checked once per call). */
  async streamFile(key: string): Promise<CachedSource> {
    const b = await this.store.asyncBuffer(key);
    return this.cache.source(b, `${key}@${b.etag}`);
  }

  /** A stored stream's level-of-detail file, read through the cache in blocks. */
  private async lodFile(key: string): Promise<CachedSource> {
    const b = await this.store.asyncBuffer(key);
    return this.cache.blocks(b, `${key}@${b.etag}`);
  }

  /** Clock offsets to the participant's overlapping recordings, most confident first. */
  async alignments(p: Principal, recordingId: string): Promise<AlignmentRow[]> {
    const r = await this.get(p, recordingId);
    return this.alignmentsRepo.listFor(r.id);
  }

  /** The recording, or not_found when it does not exist or the caller may not see it. */
  async get(p: Principal, recordingId: string): Promise<RecordingView> {
    const r = await this.recordings.findById(recordingId);
    if (!r || !canSeeRecording(p, r)) throw new AppError('not_found', `There is no recording ${recordingId} that this token may see.`);
    return r;
  }

  /** The recording with its labelling (what GET /v1/recordings/:id answers). */
  async detail(p: Principal, recordingId: string): Promise<LabelledRecording> {
    return (await this.withLabelling([await this.get(p, recordingId)]))[0]!;
  }

  /** The work queue: one page of the recordings the caller may see that pass the filters, with their labelling. */
  async list(p: Principal, q: RecordingListFilter, limit: number, after?: string): Promise<LabelledRecording[]> {
    const filter = { ...q };
    if (p.kind === 'participant') {
      filter.participantId = p.participantId;
      filter.studyId = p.studyId;
    } else if (p.kind === 'annotator') {
      if (q.studyId && q.studyId !== p.studyId) return [];
      filter.studyId = p.studyId;
    }
    return this.withLabelling(await this.recordings.list(filter, { limit, ...(after ? { after } : {}) }));
  }

  private async withLabelling(rows: RecordingView[]): Promise<LabelledRecording[]> {
    const labelling = await this.recordings.labellingOf(rows.map((r) => r.id));
    return rows.map((r) => ({ ...r, labelling: labelling.get(r.id)! }));
  }

  async getUpload(p: Principal, uploadId: string): Promise<NonNullable<Awaited<ReturnType<UploadsRepository['findById']>>>> {
    const u = await this.uploads.findById(uploadId);
    if (!u || !canSeeRecording(p, u)) throw new AppError('not_found', `There is no upload ${uploadId} that this token may see.`);
    return u;
  }

  /**
   * The uploaded file as stored: what the upload's row knows (size, SHA-256, name, when it was received),
   * and `open` to stream its bytes, or an inclusive byte range of them, from object storage. Nothing is read
   * from storage until `open` is called.
   */
  async raw(p: Principal, recordingId: string): Promise<RawFile> {
    const r = await this.get(p, recordingId);
    const u = await this.uploads.findById(r.uploadId);
    if (!u) throw new AppError('not_found', `The upload of recording ${recordingId} is gone.`);
    return {
      size: Number(u.bytes),
      sha256: u.sha256,
      filename: u.filename,
      receivedAt: u.receivedAt,
      open: async (range) => {
        const o = await this.store.getStream(u.objectKey, range);
        return { body: o.body, length: o.length };
      },
    };
  }

  async segments(p: Principal, recordingId: string): Promise<Awaited<ReturnType<RecordingsRepository['segmentsOf']>>> {
    const r = await this.get(p, recordingId);
    return this.recordings.segmentsOf(r.id, r.pipelineVersion);
  }

  /** Samples of one stream between two positions (seconds from the recording's start), reduced to maxPoints. */
  async samples(p: Principal, recordingId: string, streamName: string, q: { fromS?: number; toS?: number; maxPoints: number }): Promise<SamplesWindow> {
    const r = await this.get(p, recordingId);
    if (r.status !== 'ready' && r.streams.length === 0) {
      throw new AppError('recording_not_ready', `Recording ${recordingId} is ${r.status}: its samples are not available yet.`, { status: r.status });
    }
    const s = r.streams.find((x) => x.name === streamName);
    if (!s) throw new AppError('stream_not_found', `Recording ${recordingId} has no stream "${streamName}". Its streams: ${r.streams.map((x) => x.name).join(', ') || 'none'}.`);
    const origin = r.originNs ?? 0n;
    const fromS = q.fromS ?? 0;
    const toS = q.toS ?? (r.durationS ?? s.startS + s.durationS);
    if (toS < fromS) throw new AppError('validation_failed', 'toS must not be before fromS.');
    const fromNs = origin + secondsToNs(fromS);
    const toNsValue = origin + secondsToNs(toS);
    const [file, lod] = await Promise.all([this.streamFile(s.objectKey), s.lodKey ? this.lodFile(s.lodKey) : null]);
    // Long windows come from the overview (a few KB, its edges exact from the samples); short ones, and
    // streams without one, from the samples.
    let w: { t: BigInt64Array; channels: Record<string, Float32Array>; reduced: boolean } | null = null;
    if (lod) {
      const header = await readLodHeader(lod);
      const raw = async (a: bigint, b: bigint): Promise<RangeSummary> => {
        // An envelope keeps every channel's true min and max, so a reduced read summarises exactly too.
        const part = await readStreamWindow(file, { fromNs: a, toNs: b, maxPoints: EDGE_MAX_POINTS });
        return summariseRows(part.t, header.channels.map((c) => part.channels[c] ?? new Float32Array(part.t.length).fill(NaN)), a, b);
      };
      const win = await readLodWindow(lod, header, fromNs, toNsValue, q.maxPoints, raw);
      if (win) w = { t: win.t, channels: win.channels, reduced: true };
    }
    w ??= await readStreamWindow(file, { fromNs, toNs: toNsValue, maxPoints: q.maxPoints });
    w = inTimeOrder(w);
    // Times in seconds from the recording's origin; the clamp only absorbs sub-nanosecond rounding of
    // fromS/toS, so that every t is within [fromS, toS] as the caller wrote them.
    const t: number[] = new Array<number>(w.t.length);
    for (let i = 0; i < w.t.length; i++) {
      const d = w.t[i]! - origin;
      t[i] = Math.min(toS, Math.max(fromS, Number(d / NS_PER_S) + Number(d % NS_PER_S) / 1e9));
    }
    const channels: Record<string, (number | null)[]> = {};
    for (const [name, values] of Object.entries(w.channels)) {
      channels[name] = Array.from(values, (v) => (Number.isFinite(v) ? v : null));
    }
    return { stream: streamName, fromS, toS, t, channels, reduced: w.reduced };
  }

  /**
   * Starts a new processing run (admin). Outputs of the new run replace the old ones when it completes.
   * `requestId` (the asking request's) is carried into the run's jobs, for their log lines.
   */
  async reprocess(p: Principal, recordingId: string, requestId?: string): Promise<LabelledRecording> {
    await this.get(p, recordingId);
    if (p.kind !== 'admin') throw new AppError('forbidden', 'Only the admin token may reprocess recordings.');
    const run = await this.recordings.startReprocess(recordingId, requestId);
    if (run === null) throw new AppError('not_found', `There is no recording ${recordingId}.`);
    this.onCommitted();
    return this.detail(p, recordingId);
  }
}

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { AppError, isAppError } from '../lib/errors.js';
import { outageOf } from '../lib/outages.js';
import type { Logger } from '../lib/logger.js';
import { REJECTION_CODES, STAGE_ORDER, type StageName } from '../domain/recording.js';
import { NS_PER_S, type ImportedLabel, type RecordingMetadata, type StreamInfo } from '../domain/stream.js';
import { chunkTimeAt, shiftChunk } from '../domain/chunk-times.js';
import { ClockPlacement } from '../domain/recording-clock.js';
import { boundedMetadata, mergeMetadata, metadataConflicts } from '../domain/recording-metadata.js';
import { cleanLabel } from '../domain/names.js';
import { safeStream } from '../domain/safe-stream.js';
import { markNonFinite } from '../domain/sample-values.js';
import { detectFormat } from '../formats/registry.js';
import { StreamAnalyzer, qualityReport, type QualityThresholds } from '../pipeline/stream-analyzer.js';
import { PIPELINE_VERSION } from '../pipeline/version.js';
import type { StreamSummary } from '../pipeline/types.js';
import { StreamParquetWriter } from '../columnar/parquet-stream-writer.js';
import { clockMetadata } from '../columnar/stream-parquet-layout.js';
import { LodBuilder } from '../columnar/lod.js';
import { inProcessDetection, recordingFindings, type OpenDetection, type RecordingFindings, type StreamFindings } from '../pipeline/detectors/index.js';
import { readStreamChunks } from '../columnar/parquet-stream-reader.js';
import type { RecordingsRepository, ProcessingContext, StreamResult } from '../repositories/recordings.repository.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { ReaderContext } from '../formats/types.js';
import type { Decoder } from '../formats/audio/decoder.js';
import { createAudioDecoder } from '../decoders/audio-decoder.js';
import { keys } from '../storage/keys.js';
import { peek, S3Sink } from './object-stream-io.js';

const SNIFF_BYTES = 64 * 1024;

/** The file cannot be read: the recording was marked `rejected`; retrying cannot help. */
export class RecordingRejected extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'RecordingRejected';
  }
}

export type StepOutcome = 'done' | 'skipped';

/** What the `segment` stage hands to `annotate` of the same run (stored at `keys.detections`). */
interface StoredDetections {
  pipelineVersion: string;
  run: number;
  detectors: RecordingFindings['detectors'];
  proposals: RecordingFindings['proposals'];
}

/**
 * The three stages of a recording, each named for what it computes and each storing its own output:
 * - `validate` reads the raw file once, checks it, and stores every stream as Parquet with its overview
 *   (LOD) and its summary (quality checks, 1 s / 0.1 s window features, gaps);
 * - `segment` runs the one detector framework (pipeline/detectors) over the stored streams — never the raw
 *   file — and stores the segments, the detectors' checks in the recording's quality, and the proposals;
 * - `annotate` turns the stored proposals into annotations and marks the recording ready.
 * A retry of one stage repeats none of another's work. Each is idempotent: outputs go to deterministic object
 * keys and replace the rows of the same run and pipeline version, and a stage already completed for the
 * current run returns early. Why `segment` reads the stored streams again instead of running inside
 * `validate`'s pass: a detector can then be changed and run again without the raw file, its decoders or the
 * upload's format quirks, and a stage's retry does not decode the file a second time.
 */
export class ProcessRecordingService {
  constructor(
    private readonly recordings: RecordingsRepository,
    private readonly store: ObjectStore,
    private readonly log: Logger,
    /** The external audio decoders readers get through their context (this machine's ffmpeg and flac on PATH by default). */
    private readonly decoder: Decoder = createAudioDecoder(),
    /** How `segment` runs one stream's detectors: in this thread by default; the workers split them over two (threaded-detection.ts). */
    private readonly openDetection: OpenDetection = inProcessDetection,
  ) {}

  /** Reads the raw file, checks its quality, and stores every stream as Parquet plus an overview and a summary. */
  async validate(recordingId: string, run: number): Promise<StepOutcome> {
    const ctx = await this.begin(recordingId, run, 'validate');
    if (!ctx) return 'skipped';
    try {
      const result = await this.readAndStore(ctx);
      // A run that a reprocess replaced while this step ran writes nothing.
      return (await this.recordings.saveValidation(ctx.id, run, result)) ? 'done' : 'skipped';
    } catch (err) {
      if (isAppError(err) && REJECTION_CODES.has(err.code)) {
        await this.recordings.markRejected(ctx.id, run, err.code, err.message, 'validate');
        throw new RecordingRejected(err.code, err.message);
      }
      throw err;
    }
  }

  /** Runs every detector over the stored streams: segments and checks are written, proposals stored for `annotate`. */
  async segment(recordingId: string, run: number): Promise<StepOutcome> {
    const ctx = await this.begin(recordingId, run, 'segment');
    if (!ctx) return 'skipped';
    const version = ctx.pipelineVersion ?? PIPELINE_VERSION;
    const streams = await this.recordings.streamsOf(ctx.id, version);
    const absoluteTime = ctx.clock !== null && ctx.clock !== 'relative';
    const options = { ...ctx.studySettings.detectors, absoluteTime, ...(ctx.clockZone ? { timezone: ctx.clockZone } : {}) };
    const summaries: StreamSummary[] = [];
    const found: StreamFindings[] = [];
    // One stream at a time: memory is one stream's detectors plus a few row groups.
    for (const s of streams) {
      const summary = await this.summary(s.summaryKey);
      summaries.push(summary);
      const detection = await this.openDetection(summary.stream, options, summary);
      try {
        if (detection.needsSamples && summary.samples > 0) {
          for await (const chunk of readStreamChunks(await this.store.asyncBuffer(s.objectKey))) {
            // The job's lock is renewed by a timer on this event loop: a row group (262,144 rows, ~0.2 s of every
            // detector on an idle core, several times that on a loaded one) is fed in pieces, the timer getting
            // its turn between them.
            for (let at = 0; at < chunk.length; at += DETECT_PIECE_ROWS) {
              const n = Math.min(DETECT_PIECE_ROWS, chunk.length - at);
              await detection.push(n === chunk.length ? chunk : { length: n, t: chunk.t.subarray(at, at + n), values: chunk.values.map((v) => v.subarray(at, at + n)) });
              await yieldToEventLoop();
            }
          }
        }
        found.push(await detection.finish());
      } finally {
        await detection.close();
      }
    }
    const findings = recordingFindings(found, ctx.originNs ?? 0n);
    const quality = qualityReport(summaries.map((s) => ({ ...s, checks: [...s.checks, ...findings.checks.filter((c) => c.stream === s.stream.name)] })));
    const stored: StoredDetections = { pipelineVersion: version, run, detectors: findings.detectors, proposals: findings.proposals };
    await this.store.putBytes(keys.detections(ctx.id, version, run), JSON.stringify(stored), 'application/json');
    return (await this.recordings.replaceSegments(ctx.id, version, run, findings.segments, quality)) ? 'done' : 'skipped';
  }

  /** Turns the detectors' proposals of this run into annotations and marks the recording ready. */
  async annotate(recordingId: string, run: number): Promise<StepOutcome> {
    const ctx = await this.begin(recordingId, run, 'annotate');
    if (!ctx) return 'skipped';
    const version = ctx.pipelineVersion ?? PIPELINE_VERSION;
    const stored = JSON.parse(Buffer.from(await this.store.getBytes(keys.detections(ctx.id, version, run))).toString('utf8')) as StoredDetections;
    if (!(await this.recordings.finishWithAnnotations(ctx.id, run, version, stored.proposals))) return 'skipped';
    // Earlier runs' findings were never read again once their run ended: one set of objects per recording.
    const mine = keys.detections(ctx.id, version, run);
    for (const key of await this.store.list(keys.detectionsPrefix(ctx.id, version))) if (key !== mine) await this.store.delete(key);
    return 'done';
  }

  private async summary(key: string): Promise<StreamSummary> {
    return JSON.parse(Buffer.from(await this.store.getBytes(key)).toString('utf8')) as StreamSummary;
  }

  /** Called once a step has used up its retries: the recording ends `failed`, visible in the API. */
  async fail(recordingId: string, run: number, step: StageName, message: string): Promise<void> {
    await this.recordings.markFailed(recordingId, run, `Processing failed at ${step} after several attempts: ${message}. An admin can reprocess it.`, step);
  }

  private async begin(recordingId: string, run: number, step: StageName): Promise<ProcessingContext | null> {
    const ctx = await this.recordings.processingContext(recordingId);
    if (!ctx || ctx.run !== run) {
      this.log.info({ recordingId, run, step }, 'stale job: the recording is gone or was reprocessed');
      return null;
    }
    if (ctx.completedStage && STAGE_ORDER[ctx.completedStage] >= STAGE_ORDER[step]) return null;
    if (ctx.status === 'rejected' || ctx.status === 'ready') return null;
    await this.recordings.markStage(recordingId, run, step);
    return ctx;
  }

  private async readAndStore(ctx: ProcessingContext): Promise<Parameters<RecordingsRepository['saveValidation']>[2]> {
    const { body, length } = await this.store.getStream(ctx.objectKey);
    // The first outage met while reading the file: readers turn a cut input into their own errors
    // (format_truncated, a decoder's exit), which must not reject a file that the store failed to serve.
    let outage: Error | undefined;
    const noteOutage = (e: unknown): void => { if (outage === undefined && e instanceof Error && outageOf(e)) outage = e; };
    body.on('error', noteOutage);
    const { head, rest } = await peek(body, SNIFF_BYTES);
    const reader = detectFormat({ head, filename: ctx.filename });
    const readerContext: ReaderContext = {
      filename: ctx.filename,
      size: length,
      readAt: (offset, len) => this.store.getRange(ctx.objectKey, offset, len).catch((e: unknown) => { noteOutage(e); throw e; }),
      detect: detectFormat,
      decoder: this.decoder,
      ...(ctx.studySettings.edgeImpulseHmacKey ? { secrets: { edgeImpulseHmacKey: ctx.studySettings.edgeImpulseHmacKey } } : {}),
    };
    const thresholds = ctx.studySettings.quality as Partial<QualityThresholds> | undefined;
    const version = PIPELINE_VERSION;
    type OpenStream = {
      info: StreamInfo; analyzer: StreamAnalyzer; writer: StreamParquetWriter; sink: S3Sink; lod: LodBuilder;
      summary?: StreamSummary;
    };
    const open = new Map<string, OpenStream>();
    const stored = new Set<string>();
    const lodKeys = new Map<string, string>();
    // Finishes a stream's Parquet, overview and summary; a multi-file reader may end streams early, which
    // keeps one set of upload buffers in memory at a time.
    const closeStream = async (s: OpenStream): Promise<void> => {
      if (s.summary) return;
      await s.writer.finish();
      await s.sink.close();
      s.summary = s.analyzer.finish();
      const lod = s.lod.finish();
      if (lod) {
        const key = keys.streamLod(ctx.id, version, s.info.name);
        await this.store.putBytes(key, lod, 'application/octet-stream');
        lodKeys.set(s.info.name, key);
      }
    };
    const warnings: { code: string; message: string; count?: number }[] = [];
    const labels: ImportedLabel[] = [];
    let metadata: RecordingMetadata = {};
    let format = reader.name;
    // The file's own zone, if it has one, is known by the time the first stream is declared.
    const clocks = new ClockPlacement(() => ({ file: metadata.timezone, upload: ctx.timezone, study: ctx.studySettings.timezone }), (w) => warnings.push(w));
    try {
      for await (const ev of reader.read(rest, readerContext)) {
        switch (ev.type) {
          case 'recording':
            clocks.onRecording(ev);
            break;
          case 'stream': {
            // Chunks name the stream as the reader did; what is stored is always a bounded, safe name.
            const safe = safeStream(ev.stream, warnings);
            if (stored.has(safe.name)) throw new AppError('format_unsupported_variant', `The file declares the stream "${safe.name}" twice.`);
            stored.add(safe.name);
            const sink = new S3Sink(this.store, keys.streamParquet(ctx.id, version, safe.name));
            const { clock, zone } = clocks.current();
            const writer = new StreamParquetWriter(safe, sink, {
              kvMetadata: { 'fieldsense.recording': ctx.id, 'fieldsense.pipeline_version': version, ...clockMetadata(clock, zone) },
            });
            open.set(ev.stream.name, {
              info: safe, analyzer: new StreamAnalyzer(safe, thresholds), writer, sink, lod: new LodBuilder(safe.channels),
            });
            break;
          }
          case 'chunk': {
            const s = open.get(ev.stream);
            if (!s || s.summary) throw new Error(`reader emitted samples for an undeclared or ended stream ${ev.stream}`);
            if (ev.chunk.length === 0) break;
            const offset = clocks.shiftFor(chunkTimeAt(ev.chunk, 0));
            const chunk = offset === 0n ? ev.chunk : shiftChunk(ev.chunk, offset);
            // ±Infinity from any reader (JSON's 1e309, float WAV) is stored as the non-finite NaN, never as itself.
            for (const v of chunk.values) markNonFinite(v);
            s.analyzer.push(chunk);
            s.lod.push(chunk);
            await s.writer.write(chunk);
            break;
          }
          case 'stream-end': {
            const s = open.get(ev.stream);
            if (s) await closeStream(s);
            break;
          }
          case 'warning':
            if (warnings.length < 100) warnings.push({ code: ev.code, message: ev.message, ...(ev.count !== undefined ? { count: ev.count } : {}) });
            break;
          case 'metadata':
            metadata = mergeMetadata(metadata, ev.metadata);
            break;
          case 'format':
            format = ev.name;
            break;
          case 'annotation': {
            const offset = clocks.shiftFor(ev.annotation.startNs);
            const a = ev.annotation;
            if (labels.length < MAX_IMPORTED_LABELS) labels.push(offset === 0n ? a : { ...a, startNs: a.startNs + offset, endNs: a.endNs === null ? null : a.endNs + offset });
            else if (labels.length === MAX_IMPORTED_LABELS) warnings.push({ code: 'labels_truncated', message: `Only the first ${MAX_IMPORTED_LABELS} labels of the file were imported.` });
            break;
          }
        }
      }
    } catch (err) {
      await Promise.all([...open.values()].map((s) => s.sink.abort()));
      throw outage ?? err;
    } finally {
      // A reader that works by random access (ZIP) never drains the sequential body: release it.
      body.destroy();
    }
    if (outage !== undefined) {
      await Promise.all([...open.values()].map((s) => s.sink.abort()));
      throw outage;
    }
    for (const s of open.values()) await closeStream(s);
    const summaries = [...open.values()].map((s) => s.summary!);
    const withSamples = summaries.filter((s) => s.samples > 0);
    if (withSamples.length === 0) throw new AppError('no_samples', 'The file was read but holds no samples: check that the recording ran and was exported completely.');
    const firsts = withSamples.map((s) => BigInt(s.firstNs!));
    const origin = clocks.absoluteTime ? firsts.reduce((a, b) => (b < a ? b : a)) : 0n;
    let durationS = 0;
    const streams: StreamResult[] = [];
    for (const s of summaries) {
      const name = s.stream.name;
      await this.store.putBytes(keys.streamSummary(ctx.id, version, name), JSON.stringify(s), 'application/json');
      const startS = s.firstNs === null ? 0 : nsToSeconds(BigInt(s.firstNs) - origin);
      const period = s.measuredRateHz ? 1 / s.measuredRateHz : 0;
      durationS = Math.max(durationS, startS + s.durationS + period);
      streams.push({
        name, kind: s.stream.kind, sensor: s.stream.sensor, channels: s.stream.channels, unit: s.stream.unit,
        sampleRateHz: s.stream.nominalRateHz, measuredRateHz: s.measuredRateHz, samples: s.samples,
        startS, durationS: s.durationS, firstNs: s.firstNs === null ? null : BigInt(s.firstNs),
        objectKey: keys.streamParquet(ctx.id, version, name), summaryKey: keys.streamSummary(ctx.id, version, name),
        lodKey: lodKeys.get(name) ?? null, originalUnit: s.stream.originalUnit ?? null, frame: s.stream.frame ?? null,
        range: s.stream.range ?? null, sourceFile: s.stream.sourceFile ?? null,
      });
    }
    const { clock, zone, zoneSource } = clocks.current();
    const lastNs = withSamples.reduce((a, s) => { const end = BigInt(s.firstNs!) + BigInt(Math.round(s.durationS * 1e9)); return end > a ? end : a; }, origin);
    clocks.finish(origin, lastNs);
    const fileMetadata = boundedMetadata(metadata);
    for (const c of metadataConflicts({ device: ctx.uploadDevice, timezone: ctx.timezone }, fileMetadata)) {
      warnings.push({ code: 'metadata_mismatch', message: `The upload says ${c.field} is "${c.upload}" but the file says "${c.file}"; both are kept (uploadMetadata and fileMetadata on the recording).` });
    }
    const imports = labels.map((l) => {
      const startS = nsToSeconds(l.startNs - origin);
      // Labels are file text: cleaned and bounded like every name shown to people.
      return { label: cleanLabel(l.label), startS, endS: l.endNs === null ? startS : nsToSeconds(l.endNs - origin), origin: cleanLabel(l.origin) };
    });
    return {
      pipelineVersion: version, format, startTimeNs: clocks.startTimeNs(origin), originNs: origin,
      durationS, quality: qualityReport(summaries), warnings, streams, imports, fileMetadata, clock, clockZone: zone, clockZoneSource: zoneSource,
    };
  }
}

const MAX_IMPORTED_LABELS = 100_000;
/** Rows fed to a stream's detectors between two turns of the event loop (~25 ms of work on an idle core). */
const DETECT_PIECE_ROWS = 32_768;

function nsToSeconds(ns: bigint): number {
  return Number(ns / NS_PER_S) + Number(ns % NS_PER_S) / 1e9;
}

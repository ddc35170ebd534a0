import type { ImportedLabel, ReaderEvent, RecordingMetadata, SampleChunk, StreamInfo } from '../../domain/stream.js';
import { AppError } from '../../lib/errors.js';
import { chunked } from './byte-source.js';
import { inMemoryContext } from './in-memory-context.test-support.js';
import type { FormatReader, ReaderContext, SniffInput } from '../types.js';

/**
 * Test helpers for the container and app-export readers: run a reader over bytes and gather what it
 * emitted per stream, and a `detect` over a chosen list of readers (the registry is the lead's, and member
 * detection must be testable without it).
 */

export interface CollectedStream {
  info: StreamInfo;
  chunks: SampleChunk[];
  rows: number;
  t: bigint[];
  col(name: string): number[];
  ended: boolean;
}

export interface Collected {
  events: ReaderEvent[];
  recording: Extract<ReaderEvent, { type: 'recording' }>;
  streams: Map<string, CollectedStream>;
  warnings: { code: string; message: string; count?: number }[];
  annotations: ImportedLabel[];
  metadata: RecordingMetadata[];
  stream(name: string): CollectedStream;
}

/** A `detect` that tries `readers` in order, like the registry. */
export function detectWith(readers: readonly FormatReader[]): (input: SniffInput) => FormatReader {
  return (input) => {
    if (input.head.length === 0) throw new AppError('file_empty', 'empty');
    const r = readers.find((x) => x.sniff(input));
    if (r === undefined) throw new AppError('format_unrecognized', `not recognised: ${input.filename}`);
    return r;
  };
}

/** Runs `reader` over `bytes` (fed in pieces of `piece` bytes) and collects its events. */
export async function collect(
  reader: FormatReader,
  bytes: Uint8Array,
  filename: string,
  extra: Partial<ReaderContext> = {},
  piece = 65_536,
): Promise<Collected> {
  const events: ReaderEvent[] = [];
  for await (const ev of reader.read(chunked(bytes, piece), inMemoryContext(bytes, filename, extra))) events.push(ev);
  const streams = new Map<string, CollectedStream>();
  for (const ev of events) {
    if (ev.type === 'stream') {
      const chunks: SampleChunk[] = [];
      const info = ev.stream;
      streams.set(info.name, {
        info,
        chunks,
        ended: false,
        get rows() {
          return chunks.reduce((a, c) => a + c.length, 0);
        },
        get t() {
          return chunks.flatMap((c) => Array.from(c.t.subarray(0, c.length)));
        },
        col(name) {
          const i = info.channels.indexOf(name);
          if (i < 0) throw new Error(`no channel ${name} in ${info.name}`);
          return chunks.flatMap((c) => Array.from(c.values[i]!.subarray(0, c.length)));
        },
      });
    } else if (ev.type === 'chunk') {
      const s = streams.get(ev.stream);
      if (s === undefined || s.ended) throw new Error(`chunk for undeclared or ended stream ${ev.stream}`);
      s.chunks.push(ev.chunk);
    } else if (ev.type === 'stream-end') {
      const s = streams.get(ev.stream);
      if (s !== undefined) s.ended = true;
    }
  }
  const recording = events[0];
  if (recording?.type !== 'recording') throw new Error(`first event is ${recording?.type ?? 'missing'}, not recording`);
  if (events.filter((e) => e.type === 'recording').length !== 1) throw new Error('more than one recording event');
  return {
    events,
    recording,
    streams,
    warnings: events.flatMap((e) => (e.type === 'warning' ? [{ code: e.code, message: e.message, ...(e.count !== undefined ? { count: e.count } : {}) }] : [])),
    annotations: events.flatMap((e) => (e.type === 'annotation' ? [e.annotation] : [])),
    metadata: events.flatMap((e) => (e.type === 'metadata' ? [e.metadata] : [])),
    stream(name) {
      const s = streams.get(name);
      if (s === undefined) throw new Error(`no stream ${name} (have ${[...streams.keys()].join(', ')})`);
      return s;
    },
  };
}

/** Runs `fn` and returns the AppError it throws (fails the test otherwise). */
export async function appError(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

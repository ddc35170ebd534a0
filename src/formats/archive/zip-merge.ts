import type { ReaderEvent, SampleChunk, StreamInfo } from '../../domain/stream.js';
import { shiftChunk } from '../../domain/chunk-times.js';
import { AppError, isAppError } from '../../lib/errors.js';
import { cleanLabel, streamName, suffixedStreamName } from '../../domain/names.js';

/**
 * Merges the events of the member readers of a multi-file recording into one recording: stream names made
 * unique across members (`_2`, `_3`, … with a warning), `sourceFile` set, relative-time members moved onto
 * the recording's absolute axis, per-channel unit factors applied, warnings and errors labelled with the
 * member they come from. Member `recording` and `format` events are dropped: the container emits its own.
 */

/** Hands out stream names unique within the recording, each a valid stream name (domain/names.ts). */
export class StreamNames {
  private readonly used = new Set<string>();

  /**
   * `name` itself when it is valid and free, else a valid one (`streamName`) and then `name_2`, `name_3`, …
   * (shortened to stay within the bound); `renamed` says the name given back is not the one asked for.
   */
  claim(raw: string): { name: string; renamed: boolean } {
    const { name, changed } = streamName(raw);
    if (!this.used.has(name)) {
      this.used.add(name);
      return { name, renamed: changed };
    }
    for (let k = 2; ; k++) {
      const candidate = suffixedStreamName(name, `_${k}`);
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        return { name: candidate, renamed: true };
      }
    }
  }

  get size(): number {
    return this.used.size;
  }
}

export interface MemberMergeOptions {
  /** The member's name in the archive: a label for people only (shown bounded, see `cleanLabel`). */
  entryName: string;
  names: StreamNames;
  /** Added to every time of the member (a relative member placed on the absolute axis), 0 for none. */
  offsetNs: bigint;
  /** Re-describes a stream (frame, kind, units) and gives per-channel factors to apply. */
  adjust?: (info: StreamInfo) => { info: StreamInfo; scale: number[] | null };
  /** Told of every stream declared (final description). */
  onStream?: (info: StreamInfo) => void;
}

interface OpenStream {
  name: string;
  scale: number[] | null;
  ended: boolean;
}

function transformChunk(chunk: SampleChunk, open: OpenStream, offset: bigint): SampleChunk {
  if (offset === 0n && open.scale === null) return chunk;
  const n = chunk.length;
  const scale = open.scale;
  const values =
    scale === null
      ? chunk.values
      : chunk.values.map((v, c) => {
          const f = scale[c] ?? 1;
          if (f === 1) return v;
          const out = new Float32Array(n);
          for (let i = 0; i < n; i++) out[i] = v[i]! * f;
          return out;
        });
  return shiftChunk(chunk, offset, values);
}

/** Labels an error with the member it came from (once), the name bounded for people. */
export function memberError(e: unknown, entryName: string): unknown {
  if (!isAppError(e)) return e;
  if (e.details !== undefined && 'entry' in e.details) return e;
  const label = cleanLabel(entryName);
  return new AppError(e.code, `In ${JSON.stringify(label)} inside the ZIP archive: ${e.message}`, { ...e.details, entry: label });
}

/** Runs one member's events through the merge rules. */
export async function* mergeMember(events: AsyncIterable<ReaderEvent>, options: MemberMergeOptions): AsyncGenerator<ReaderEvent> {
  const { offsetNs } = options;
  const entryName = cleanLabel(options.entryName);
  const open = new Map<string, OpenStream>();
  try {
    for await (const ev of events) {
      switch (ev.type) {
        case 'recording':
        case 'format': // the container names the recording's format, not its members
          break;
        case 'stream': {
          const adjusted = options.adjust ? options.adjust(ev.stream) : { info: ev.stream, scale: null };
          const claimed = options.names.claim(adjusted.info.name);
          const info: StreamInfo = { ...adjusted.info, name: claimed.name, sourceFile: entryName };
          open.set(ev.stream.name, { name: claimed.name, scale: adjusted.scale, ended: false });
          if (claimed.renamed) {
            const asked = cleanLabel(adjusted.info.name, 80);
            yield {
              type: 'warning',
              code: 'stream_renamed',
              message: streamName(adjusted.info.name).name === claimed.name
                ? `${entryName}: the stream "${asked}" is not a valid stream name (at most 64 of a–z, 0–9, _); it is stored as "${claimed.name}".`
                : `${entryName}: another file of the archive already has a stream "${asked}"; this one is stored as "${claimed.name}".`,
            };
          }
          options.onStream?.(info);
          yield { type: 'stream', stream: info };
          break;
        }
        case 'chunk': {
          const s = open.get(ev.stream);
          if (s === undefined || s.ended) throw new Error(`member reader of ${entryName} emitted samples for an undeclared or ended stream ${ev.stream}`);
          yield { type: 'chunk', stream: s.name, chunk: transformChunk(ev.chunk, s, offsetNs) };
          break;
        }
        case 'stream-end': {
          const s = open.get(ev.stream);
          if (s !== undefined && !s.ended) {
            s.ended = true;
            yield { type: 'stream-end', stream: s.name };
          }
          break;
        }
        case 'metadata':
          yield ev;
          break;
        case 'annotation':
          yield {
            type: 'annotation',
            annotation: {
              ...ev.annotation,
              startNs: ev.annotation.startNs + offsetNs,
              endNs: ev.annotation.endNs === null ? null : ev.annotation.endNs + offsetNs,
            },
          };
          break;
        case 'warning':
          yield { ...ev, message: `${entryName}: ${ev.message}` };
          break;
      }
    }
  } catch (e) {
    throw memberError(e, options.entryName);
  }
  // The member is done: its streams will get no more samples, so the consumer can close them now.
  for (const s of open.values()) if (!s.ended) yield { type: 'stream-end', stream: s.name };
}

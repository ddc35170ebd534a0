import type { ReaderEvent } from '../domain/stream.js';
import type { Decoder } from './audio/decoder.js';

/** What a reader may look at to decide whether a file is its format. */
export interface SniffInput {
  /** The first bytes of the file (up to 64 KiB; fewer when the file is shorter). */
  head: Uint8Array;
  /** The uploaded file name: a hint only (stream names), never the reason a reader is chosen. */
  filename: string;
}

/**
 * What a reader gets besides the byte stream: the file's name and size, random access (for formats whose
 * index is at the end, such as ZIP), detection of member files (for containers), study secrets, and the
 * external decoders compressed audio needs.
 */
export interface ReaderContext {
  filename: string;
  /** Size in bytes of the whole file (as uploaded). */
  size: number;
  /** Reads `length` bytes at `offset` (fewer at the end of the file). Each call may be a storage round trip. */
  readAt(offset: number, length: number): Promise<Uint8Array>;
  /** Picks the reader of a member file (ZIP entry, folder file) by its content; throws format_unrecognized. */
  detect(input: SniffInput): FormatReader;
  /** Per-study secrets some formats use (Edge Impulse HMAC signature key). */
  secrets?: { edgeImpulseHmacKey?: string };
  /**
   * External audio decoders (ffmpeg, libFLAC) behind the Decoder port, implemented outside the pure layer
   * (src/decoders/). Containers pass it on to their members. Without it the audio-codec reader fails with
   * `decoder_missing`; every other reader ignores it.
   */
  decoder?: Decoder;
}

export interface FormatReader {
  /** Format name, stored on the recording: `wav`, `sensor-logger-csv`, … */
  readonly name: string;
  /** Human description for error messages listing what is supported. */
  readonly description: string;
  /** True when the content is this format. Decided by content, not by file name. */
  sniff(input: SniffInput): boolean;
  /**
   * Reads the whole file and yields the canonical events, with bounded memory: chunks of at most ~64 Ki
   * samples. `source` is the file's bytes in order (a reader that uses `ctx.readAt` instead may leave it
   * unread). Throws `AppError` with a format code when the file cannot be read.
   */
  read(source: AsyncIterable<Uint8Array>, ctx: ReaderContext): AsyncGenerator<ReaderEvent>;
}

import type { ReaderEvent } from '../domain/stream.js';

/** What a reader may look at to decide whether a file is its format. */
export interface SniffInput {
  /** The first bytes of the file (up to 64 KiB; fewer when the file is shorter). */
  head: Uint8Array;
  /** The uploaded file name: a hint only (stream names), never the reason a reader is chosen. */
  filename: string;
}

export interface FormatReader {
  /** Format name, stored on the recording: `wav`, `sensor-logger-csv`, … */
  readonly name: string;
  /** Human description for error messages listing what is supported. */
  readonly description: string;
  /** True when the content is this format. Decided by content, not by file name. */
  sniff(input: SniffInput): boolean;
  /**
   * Reads the whole file as a stream of byte chunks and yields the canonical events, with bounded memory:
   * chunks of at most ~64 Ki samples. Throws `AppError` with a format code when the file cannot be read.
   */
  read(source: AsyncIterable<Uint8Array>, input: { filename: string }): AsyncGenerator<ReaderEvent>;
}

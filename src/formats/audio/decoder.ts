/**
 * The port through which the audio-codec reader uses external decoders (ffmpeg/ffprobe, libFLAC): types only.
 * The science says what to decode and reads raw PCM back; src/decoders/ runs the programs (child processes, a
 * loopback range server) and translates what they print into AppErrors. A reader gets its decoder from its
 * ReaderContext (`ctx.decoder`), which the service that reads uploads builds.
 */
import type { AppError } from '../../lib/errors.js';
import type { Probe } from './audio-probe.js';

/** Random access to the file's bytes (ReaderContext's `size` and `readAt`), for programs that seek in it. */
export interface RandomAccess {
  /** Size in bytes of the whole file. */
  size: number;
  /** Reads `length` bytes at `offset` (fewer at the end of the file). Each call may be a storage round trip. */
  readAt(offset: number, length: number): Promise<Uint8Array>;
}

/** Raw sample formats a decoder writes: integer codecs keep their integers (bit-exact and half the bytes for 16-bit). */
export type RawFormat = 'u8' | 's16le' | 's24le' | 's32le' | 'f32le';

/** Where a decoder reads the file from. */
export type DecoderInput =
  /** The file's bytes in order, from its first byte, as they arrive (the upload streamed). */
  | { kind: 'stream'; bytes: AsyncIterable<Uint8Array> }
  /** Random access, for containers read out of order (an MP4 whose `moov` index follows the samples, a CAF). */
  | { kind: 'random-access'; file: RandomAccess };

/** How a decoding program ended. */
export interface DecoderExit {
  /** 0 when it decoded its whole input; null when it was stopped by a signal or never started. */
  code: number | null;
  signal: string | null;
  /**
   * Set when the program could not be started: `decoder_missing` naming what to install when it is not
   * installed, `processing_failed` otherwise.
   */
  notStarted: AppError | null;
}

/** What a program said about its input (its diagnostics), complete once `exited` has resolved. */
export interface DecoderReport {
  /** Frames or packets it reported as undecodable (ffmpeg skips them and goes on; libFLAC stops at the first). */
  readonly decodeErrors: number;
  /** The first of those reports, shortened. */
  readonly firstDecodeError: string | null;
  /** The last reason it gave (why it stopped), or `no reason given`. */
  readonly reason: string;
  /** libFLAC: every frame passed its check, but the audio does not match the stream's MD5 signature. */
  readonly checksumMismatch: boolean;
  /** Its failure as the AppError a person can act on (`format_truncated`, `format_corrupt`, `decoder_missing`), for `label` audio. */
  failure(label: string): AppError;
}

/** Decoded bytes as a Node readable (flowing, paused by the reader for backpressure, destroyed to stop early). */
export type PcmOutput = NodeJS.ReadableStream & { destroy(): void };

/** One running decode. */
export interface DecoderRun {
  /** Raw interleaved little-endian PCM in the format asked for; it ends when the program closes its output. */
  output: PcmOutput;
  exited: Promise<DecoderExit>;
  report: DecoderReport;
  /** Stops the program if it still runs and releases what the run holds (its input feed, a range server). Idempotent. */
  close(): Promise<void>;
}

/** A decode of one audio stream of a container to raw PCM. */
export interface PcmRequest {
  input: DecoderInput;
  /** ffmpeg's demuxer name for the container (`mov`, `ogg`, `flac`, …: audio-codec-sniff.ts). */
  demuxer: string;
  /** The stream's index, as the probe gave it. */
  streamIndex: number;
  format: RawFormat;
  /** Channels of the output: frames that say otherwise (a damaged or hostile file) are remixed to it. */
  channels: number;
  /** What the audio is, for messages (`AAC in M4A`). */
  label: string;
}

/** A decode of a native FLAC stream by the reference decoder. */
export interface FlacRequest {
  /** The stream's bytes from its `fLaC` marker, or from a frame header (a decoder resumed past damage). */
  input: AsyncIterable<Uint8Array>;
  /** The output is 8-bit unsigned or wider signed, in whole bytes of this width. */
  bitsPerSample: number;
  label: string;
}

/** The external decoders a reader may use. */
export interface Decoder {
  /**
   * Reads the container's streams (parameters and tags), seeking in `file` as needed.
   * @throws AppError `decoder_missing` (no prober installed), `format_truncated` / `format_corrupt` (the file),
   *   `format_limits` (tags beyond any real recording), `processing_failed` (the program misbehaved).
   */
  probe(file: RandomAccess, demuxer: string, label: string): Promise<Probe>;
  /** Starts decoding one stream to raw PCM. Never throws for the program: a start failure is in `exited.notStarted`. */
  startPcm(request: PcmRequest): Promise<DecoderRun>;
  /**
   * Starts libFLAC, which verifies each frame's CRC and the stream's MD5 and stops at the first damaged frame;
   * absent when this decoder has none (native FLAC then goes to `startPcm`).
   */
  startFlac?: (request: FlacRequest) => Promise<DecoderRun>;
}

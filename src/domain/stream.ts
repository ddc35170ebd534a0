/**
 * The canonical stream model every reader produces and every later stage consumes.
 * Times are int64 nanoseconds. When a format carries wall-clock time, they are Unix epoch ns (UTC);
 * when it does not (a plain WAV), they count from the recording's start and the recording has no startTime.
 */
import type { FrameClock } from './frame-clock.js';

export type StreamKind = 'imu' | 'audio' | 'other';

/** What a file's wall-clock times are: see the `recording` event. */
export type WallClock = 'utc' | 'device-local';

/**
 * What a stored recording's times are, as the API and the Parquet metadata say: `utc`; `device-local` (the
 * device's local clock, converted to UTC with a known zone); `device-local-unknown-zone` (local clock, no
 * zone known: kept as local, labelled UTC only by position); `relative` (no wall clock: seconds from start).
 */
export type RecordingClock = 'utc' | 'device-local' | 'device-local-unknown-zone' | 'relative';

export interface StreamInfo {
  /** Stable name inside the recording: `accelerometer`, `audio`, … (lowercase, [a-z0-9_]). */
  name: string;
  kind: StreamKind;
  /** What measured it: accelerometer, gyroscope, magnetometer, gravity, audio, … */
  sensor: string;
  channels: string[];
  /** SI unit of the values as stored (m/s^2, rad/s, uT, pcm, …). */
  unit: string;
  /** Nominal rate from the file's header/metadata, when the format declares one. */
  nominalRateHz: number | null;
  /** True when the values are full-scale bounded (e.g. PCM in [-1, 1]) so clipping can be judged. */
  fullScale?: number;
  /** The unit the file used when it was converted to `unit` (g → m/s², deg/s → rad/s, mg → m/s²). */
  originalUnit?: string;
  /** The sensor's measuring range in the stored unit (±range), when the file says it: clipping is judged at it. */
  range?: number;
  /**
   * The coordinate frame of the source, recorded and never silently flipped: `ios` (Core Motion: x right,
   * y up the screen, z out of it; acceleration in g with gravity as −1 g on the down axis), `android`
   * (SensorManager: same axes, acceleration +9.81 m/s² up when at rest), `sensor-logger-standardized`
   * (Sensor Logger's "standardise" option: Android convention on both platforms), `device` (the
   * device's own axes, maker-defined: research wearables), or `unknown`.
   */
  frame?: 'ios' | 'android' | 'sensor-logger-standardized' | 'device' | 'unknown';
  /** Calibration the reader applied or found (offsets, gains, temperature coefficients), as the file gave it. */
  calibration?: Record<string, number | string | number[]>;
  /** Which file of a multi-file recording (ZIP entry name, for people only) the stream came from. */
  sourceFile?: string;
}

/**
 * Device and session facts a file carries. Kept as the file says them (`fileMetadata` on the recording);
 * the upload's own metadata is kept beside them, and where the two disagree the recording shows both.
 */
export interface RecordingMetadata {
  device?: {
    kind?: 'watch' | 'phone' | 'wearable' | 'other'; platform?: string; model?: string; manufacturer?: string;
    app?: string; appVersion?: string;
    /** Serial number or device id as the file states it. */
    serial?: string; firmware?: string; hardware?: string;
  };
  /** IANA time zone (or a fixed offset such as `+02:00`) of the session, when the file says it. */
  timezone?: string;
  /** The recording session: Axivity session id, Sensor Logger recording time and id, study fields, … */
  session?: Record<string, string | number | boolean | null>;
  /** Everything else the file's header says, verbatim (small, JSON-safe; long values are cut). */
  fields?: Record<string, string | number | boolean | null>;
}

/** A label that came with the file (Sensor Logger Annotation.csv, a label column, Edge Impulse labels, …). */
export interface ImportedLabel {
  label: string;
  /** On the streams' time axis (ns, same origin as the samples). */
  startNs: bigint;
  /** Null for an instantaneous event (a tap marker). */
  endNs: bigint | null;
  /** Where it came from, for people: `Annotation.csv`, `label column "activity"`, `edge-impulse info.labels`. */
  origin: string;
}

/** Evenly spaced samples: row i of the chunk is frame `firstFrame + i` of `clock`. */
export interface RegularTimes {
  readonly clock: FrameClock;
  readonly firstFrame: number;
}

/**
 * A block of samples of one stream: `t[i]` is the time of row i, `values[c][i]` channel c's value.
 * A regular chunk (audio: `regular` set) carries its times as start + rate instead of one per sample;
 * its `t` is computed on first access (8 bytes per sample), so consumers that can should derive times
 * from `regular` instead (`chunkOffsets`, `chunkTimeAt`, `copyChunkTimes` in chunk-times.ts).
 */
export interface SampleChunk {
  length: number;
  readonly t: BigInt64Array;
  values: Float32Array[];
  readonly regular?: RegularTimes;
}

/** What a reader yields, in order: a stream is declared before its first chunk. */
export type ReaderEvent =
  /**
   * `absoluteTime`: the times are a wall clock (else they count from the recording's start: `relative`).
   * `clock`: which wall clock. `utc` (the default) when the file's times are UTC (epoch stamps, ISO with an
   * offset, GPS); `device-local` when they are the device's local time read as if it were UTC (Axivity,
   * GENEActiv, omconvert and BWF WAV, ISO without an offset): the pipeline converts them to UTC with the
   * recording's time zone, or keeps them as they are and says so.
   */
  | { type: 'recording'; startTimeNs: bigint | null; absoluteTime: boolean; clock?: WallClock }
  | { type: 'stream'; stream: StreamInfo }
  | { type: 'chunk'; stream: string; chunk: SampleChunk }
  /** Optional: no more samples will come for this stream (lets the consumer close its outputs early). */
  | { type: 'stream-end'; stream: string }
  | { type: 'metadata'; metadata: RecordingMetadata }
  /** Optional: the format the recording is, when a container knows better than its own name (a Sensor Logger ZIP). */
  | { type: 'format'; name: string }
  | { type: 'annotation'; annotation: ImportedLabel }
  /** Something the file did that a person should know (clamped sizes, a corrupt block skipped, …); `count` when repeated. */
  | { type: 'warning'; code: string; message: string; count?: number };

export const NS_PER_S = 1_000_000_000n;

/** Seconds (possibly negative) as whole ns, to the nearest ns, exact for any duration (no float product past 2^53). */
export function secondsToNs(sec: number): bigint {
  const whole = Math.floor(sec);
  return BigInt(whole) * NS_PER_S + BigInt(Math.round((sec - whole) * 1e9));
}

/**
 * The canonical stream model every reader produces and every later stage consumes.
 * Times are int64 nanoseconds. When a format carries wall-clock time, they are Unix epoch ns (UTC);
 * when it does not (a plain WAV), they count from the recording's start and the recording has no startTime.
 */

export type StreamKind = 'imu' | 'audio' | 'other';

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
}

/** A block of samples of one stream: `t[i]` is the time of row i, `values[c][i]` channel c's value. */
export interface SampleChunk {
  length: number;
  t: BigInt64Array;
  values: Float32Array[];
}

/** What a reader yields, in order: a stream is declared before its first chunk. */
export type ReaderEvent =
  | { type: 'recording'; startTimeNs: bigint | null; absoluteTime: boolean }
  | { type: 'stream'; stream: StreamInfo }
  | { type: 'chunk'; stream: string; chunk: SampleChunk }
  | { type: 'warning'; code: string; message: string };

export const NS_PER_S = 1_000_000_000n;

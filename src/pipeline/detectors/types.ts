import type { SampleChunk, StreamInfo } from '../../domain/stream.js';
import type { QualityCheck, StreamSummary } from '../types.js';

/**
 * The one detector interface of the pipeline's `segment` stage. Every detector — a window-level segmenter
 * that needs only the stream's summary (sessions, motion level, audio activity) or one that needs the samples
 * themselves (activity, taps, WebRTC VAD, …) — has a name and a version, is built per stream by its factory
 * (which decides whether the stream suits it and reads its options), and hands back segments, proposed
 * annotations and quality checks. Pure: no I/O, bounded memory. Times are the stream's int64 ns (decimal
 * strings in the output, which is stored as JSON).
 */
export interface StreamDetector {
  /** Stable name stored with every annotation and segment it produces: `webrtc-vad`, `tap-impulse`, … */
  readonly name: string;
  readonly version: string;
  /**
   * Fed every sample of the stream in time order. Absent when the detector works from the stream's summary
   * alone (its 1 s / 0.1 s window features and gaps): a stream whose detectors all lack it is not read again.
   */
  push?(chunk: SampleChunk): void;
  finish(): DetectorOutput;
  /**
   * Its segments are kept for every stream it ran on (sessions, window-level bouts). Otherwise, like every
   * detector's proposals, they come from one stream per detector (see `primaryStreams`).
   */
  readonly everyStream?: boolean;
}

/**
 * Builds a detector for a stream, or null when it does not apply (wrong kind, sensor or rate, or no summary
 * for a detector that needs one). `summary` is what the `validate` stage stored for the stream.
 */
export type DetectorFactory = (stream: StreamInfo, options?: Record<string, unknown>, summary?: StreamSummary) => StreamDetector | null;

export interface DetectedEvent {
  label: string;
  startNs: string;
  endNs: string;
  /** In [0, 1]. */
  confidence: number;
  attributes?: Record<string, number | string | boolean>;
}

export interface DetectedSegment {
  /** session, still, moving, walking, running, non-wear, speech, loud, sound, silence, … */
  kind: string;
  startNs: string;
  endNs: string;
  attributes: Record<string, number | string | boolean>;
}

export interface DetectorOutput {
  /** Proposed annotations (become `source: "auto"`, `status: "proposed"`). */
  events: DetectedEvent[];
  /** Segments with their features. */
  segments?: DetectedSegment[];
  /** Quality checks this detector computes (calibration error, non-wear share, audio level, …). */
  checks?: QualityCheck[];
}

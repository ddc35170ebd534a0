import type { SampleChunk, StreamInfo } from '../../domain/stream.js';
import type { QualityCheck } from '../types.js';

/**
 * A detector or check that needs the samples themselves (not only the 1 s / 0.1 s window features): it
 * runs inside the one streaming pass over each stream, with bounded memory, and hands back what it found.
 * Pure: no I/O. Times are the stream's int64 ns (decimal strings in the output, which is stored as JSON).
 */
export interface StreamDetector {
  /** Stable name stored with every annotation it proposes: `webrtc-vad`, `tap-impulse`, … */
  readonly name: string;
  readonly version: string;
  push(chunk: SampleChunk): void;
  finish(): DetectorOutput;
}

/** Builds a detector for a stream, or null when it does not apply (wrong kind, sensor or rate). */
export type DetectorFactory = (stream: StreamInfo, options?: Record<string, unknown>) => StreamDetector | null;

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

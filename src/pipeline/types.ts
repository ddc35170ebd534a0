import type { StreamInfo } from '../domain/stream.js';

export type CheckStatus = 'ok' | 'warn' | 'bad';

/** One quality check's verdict. A check flags; it never deletes or rewrites data. */
export interface QualityCheck {
  /** Stable check name: sample_count, duration, sample_rate, jitter, gaps, duplicate_timestamps, … */
  name: string;
  /** The stream it is about; absent for recording-level checks. */
  stream?: string;
  status: CheckStatus;
  value?: number;
  threshold?: number;
  unit?: string;
  /** One sentence a person can act on. */
  message: string;
}

export interface QualityReport {
  status: CheckStatus;
  checks: QualityCheck[];
}

/**
 * Per-window features computed in the `validate` stage's one pass over the samples, so that the window-level
 * detectors and the alignment never need the samples again. JSON-safe (times are seconds from the stream's first sample).
 */
export interface WindowFeatures {
  windowS: number;
  /** Window i covers [i·windowS, (i+1)·windowS) seconds after the stream's first sample. */
  count: number;
  /** Samples seen in each window (0 inside a gap). */
  n: number[];
  /** IMU: total per-axis standard deviation √(σx²+σy²+σz²) in the window. Audio: RMS level in dBFS. */
  activity: number[];
  /** IMU: mean vector magnitude. Audio: peak absolute value (0..1). */
  level: number[];
}

/** Everything the later steps need to know about one stream, JSON-safe. */
export interface StreamSummary {
  stream: StreamInfo;
  samples: number;
  /** Times as decimal strings of int64 ns (JSON has no int64). Null when the stream has no samples. */
  firstNs: string | null;
  lastNs: string | null;
  durationS: number;
  measuredRateHz: number | null;
  /** Gaps in seconds relative to the stream's first sample (at most the first 1,000). */
  gaps: { startS: number; endS: number }[];
  gapCount: number;
  windows: WindowFeatures;
  /** The checks of the `validate` stage (the detectors' own checks are added to the recording's quality by `segment`). */
  checks: QualityCheck[];
}

/** Segment kinds: the window-feature ones, and any kind a detector reports (walking, speech, non-wear, …). */
export type SegmentKind = 'session' | 'still' | 'moving' | 'sound' | 'silence' | (string & {});

export interface SegmentDraft {
  kind: SegmentKind;
  stream: string;
  /** Seconds from the recording's start. */
  startS: number;
  endS: number;
  attributes: Record<string, number | string | boolean>;
}

export interface AnnotationDraft {
  label: string;
  startS: number;
  endS: number;
  confidence: number;
  detector: string;
  detectorVersion: string;
}

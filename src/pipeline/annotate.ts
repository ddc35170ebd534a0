import type { AnnotationDraft, SegmentDraft } from './types.js';

/** Detector names and versions, stored on every proposed annotation; bump the version when behaviour changes. */
export const DETECTORS = {
  /** Sessions: each stream's runs between gaps. */
  sessions: { name: 'sessions', version: '1.0.0' },
  /** Window-level motion (still / moving from the 1 s activity), on motion streams the activity detector does not take. */
  imuActivity: { name: 'motion-level', version: '1.0.0' },
  audioActivity: { name: 'audio-activity', version: '1.0.0' },
} as const;

export const ANNOTATION_PARAMS = {
  /** Still / moving bouts shorter than this are not proposed as annotations. */
  minMotionBoutS: 3,
  /** Sound bouts shorter than this are not proposed. */
  minSoundS: 0.2,
  /** Decades of activity away from the still/moving threshold that give full confidence. */
  motionFullConfidenceDecades: 1,
  /** dB above the sound threshold that give full confidence. */
  soundFullConfidenceDb: 20,
} as const;

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 1;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function numAttr(s: SegmentDraft, key: string): number | undefined {
  const v = s.attributes[key];
  return typeof v === 'number' ? v : undefined;
}

/**
 * Confidence of a still/moving bout: 0.5 at the threshold, rising to 1 one decade (factor 10) of activity
 * away from it, on the side of its label.
 */
function motionConfidence(s: SegmentDraft): number {
  const a = numAttr(s, 'meanActivity');
  const thr = numAttr(s, 'threshold');
  if (a === undefined || thr === undefined || thr <= 0) return 0.5;
  const decades = Math.log10(Math.max(a, 1e-12) / thr) * (s.kind === 'still' ? -1 : 1);
  return round3(clamp01(0.5 + (0.5 * decades) / ANNOTATION_PARAMS.motionFullConfidenceDecades));
}

/** Confidence of a sound bout: 0.5 at the threshold, 1 at 20 dB above it. */
function soundConfidence(s: SegmentDraft): number {
  const level = numAttr(s, 'meanLevelDb');
  const thr = numAttr(s, 'thresholdDb');
  if (level === undefined || thr === undefined) return 0.5;
  return round3(clamp01(0.5 + (0.5 * (level - thr)) / ANNOTATION_PARAMS.soundFullConfidenceDb));
}

/**
 * Proposes annotations from the window-level segments of one stream: `motion-level` labels `still` /
 * `moving` (bouts of at least `minMotionBoutS`), `audio-activity` labels `sound`. Sorted by start time.
 * Which stream's proposals are kept is the detector framework's rule (detectors/index.ts `primaryStreams`).
 */
export function proposeAnnotations(segments: SegmentDraft[]): AnnotationDraft[] {
  const out: AnnotationDraft[] = [];
  for (const s of segments) {
    if ((s.kind !== 'still' && s.kind !== 'moving') || s.endS - s.startS < ANNOTATION_PARAMS.minMotionBoutS) continue;
    out.push({
      label: s.kind,
      startS: s.startS,
      endS: s.endS,
      confidence: motionConfidence(s),
      detector: DETECTORS.imuActivity.name,
      detectorVersion: DETECTORS.imuActivity.version,
    });
  }
  for (const s of segments) {
    if (s.kind !== 'sound' || s.endS - s.startS < ANNOTATION_PARAMS.minSoundS) continue;
    out.push({
      label: 'sound',
      startS: s.startS,
      endS: s.endS,
      confidence: soundConfidence(s),
      detector: DETECTORS.audioActivity.name,
      detectorVersion: DETECTORS.audioActivity.version,
    });
  }
  return out.sort((a, b) => a.startS - b.startS || a.endS - b.endS);
}

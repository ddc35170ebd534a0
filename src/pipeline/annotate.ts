import type { AnnotationDraft, SegmentDraft } from './types.js';

/** Detector names and versions, stored on every proposed annotation; bump the version when behaviour changes. */
export const DETECTORS = {
  /** Window-level motion (still / moving from the 1 s activity), used where no activity detector ran. */
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

/**
 * When several motion streams were segmented (accelerometer, total acceleration, gyroscope…), labels come
 * from one of them only, so a bout is not proposed twice: the first sensor of this list that is present.
 */
const MOTION_SENSOR_PREFERENCE = [
  'accelerometer',
  'total_acceleration',
  'user_acceleration',
  'accelerometer_uncalibrated',
  'gyroscope',
  'gyroscope_uncalibrated',
];

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

/** The stream whose segments the detector uses: preferred sensor first, then the longest coverage. */
function pickStream(segments: SegmentDraft[], preference: readonly string[]): string | undefined {
  const byStream = new Map<string, { sensor: string; covered: number }>();
  for (const s of segments) {
    const e = byStream.get(s.stream) ?? { sensor: String(s.attributes.sensor ?? ''), covered: 0 };
    e.covered += s.endS - s.startS;
    byStream.set(s.stream, e);
  }
  const rank = (sensor: string): number => {
    const i = preference.indexOf(sensor);
    return i < 0 ? preference.length : i;
  };
  let best: string | undefined;
  let bestKey: [number, number] = [Number.POSITIVE_INFINITY, 0];
  for (const [stream, e] of byStream) {
    const r = rank(e.sensor);
    if (r < bestKey[0] || (r === bestKey[0] && e.covered > bestKey[1])) {
      best = stream;
      bestKey = [r, e.covered];
    }
  }
  return best;
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
 * Proposes annotations from segments: `imu-activity` labels `still` / `moving` (bouts of at least
 * `minMotionBoutS`, from one motion stream), `audio-activity` labels `sound`. Sorted by start time.
 */
export function proposeAnnotations(segments: SegmentDraft[]): AnnotationDraft[] {
  const out: AnnotationDraft[] = [];
  const motion = segments.filter((s) => s.kind === 'still' || s.kind === 'moving');
  const motionStream = pickStream(motion, MOTION_SENSOR_PREFERENCE);
  for (const s of motion) {
    if (s.stream !== motionStream || s.endS - s.startS < ANNOTATION_PARAMS.minMotionBoutS) continue;
    out.push({
      label: s.kind,
      startS: s.startS,
      endS: s.endS,
      confidence: motionConfidence(s),
      detector: DETECTORS.imuActivity.name,
      detectorVersion: DETECTORS.imuActivity.version,
    });
  }
  const sound = segments.filter((s) => s.kind === 'sound' || s.kind === 'silence');
  const audioStream = pickStream(sound, ['audio']);
  for (const s of sound) {
    if (s.kind !== 'sound' || s.stream !== audioStream || s.endS - s.startS < ANNOTATION_PARAMS.minSoundS) continue;
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

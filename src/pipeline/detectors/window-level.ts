import type { StreamInfo } from '../../domain/stream.js';
import { DETECTORS, proposeAnnotations } from '../annotate.js';
import { audioSegments, motionSegments, sessionSegments, stillThreshold } from '../segment.js';
import type { AnnotationDraft, SegmentDraft, StreamSummary } from '../types.js';
import { accelKind } from './imu-common.js';
import type { DetectedEvent, DetectedSegment, DetectorFactory, DetectorOutput, StreamDetector } from './types.js';

/**
 * The window-level detectors: they work from what the `validate` stage stored for a stream (its 1 s / 0.1 s
 * window features and gaps, see segment.ts and annotate.ts), never from the samples, so they cost nothing
 * to run again. Their segments are kept for every stream they run on.
 */
class WindowLevelDetector implements StreamDetector {
  readonly everyStream = true;

  constructor(
    readonly name: string,
    readonly version: string,
    private readonly summary: StreamSummary,
    private readonly segmentsOf: (summary: StreamSummary, startNs: bigint) => SegmentDraft[],
    private readonly proposes: boolean,
  ) {}

  finish(): DetectorOutput {
    // Seconds from the stream's own first sample, turned into the stream's ns.
    const firstNs = BigInt(this.summary.firstNs ?? '0');
    const toNs = (s: number): string => String(firstNs + BigInt(Math.round(s * 1e9)));
    const drafts = this.segmentsOf(this.summary, firstNs);
    const segments: DetectedSegment[] = drafts.map((d) => ({ kind: d.kind, startNs: toNs(d.startS), endNs: toNs(d.endS), attributes: d.attributes }));
    const events: DetectedEvent[] = this.proposes
      ? proposeAnnotations(drafts).map((a: AnnotationDraft) => ({ label: a.label, startNs: toNs(a.startS), endNs: toNs(a.endS), confidence: a.confidence }))
      : [];
    return { events, segments };
  }
}

/** `sessions`: every stream's runs between gaps of at least a second. */
export const sessionsDetector: DetectorFactory = (_stream: StreamInfo, _options, summary) =>
  summary === undefined || summary.samples === 0 ? null : new WindowLevelDetector(DETECTORS.sessions.name, DETECTORS.sessions.version, summary, sessionSegments, false);

/**
 * `motion-level`: still / moving bouts from the 1 s window activity, on motion streams (accelerometers in
 * m/s², gyroscopes in rad/s) that the activity detector (`imu-activity`, which classifies the samples
 * themselves) does not take: gyroscopes, and accelerations it cannot use. Proposes bouts of at least 3 s.
 */
export const motionLevelDetector: DetectorFactory = (stream: StreamInfo, _options, summary) => {
  if (summary === undefined || summary.samples === 0 || stillThreshold(summary) === null) return null;
  const kind = accelKind(stream);
  if (kind !== null && kind !== 'gravity') return null;
  return new WindowLevelDetector(DETECTORS.imuActivity.name, DETECTORS.imuActivity.version, summary, motionSegments, true);
};

/** `audio-activity`: sound / silence bouts from the 0.1 s window levels of an audio stream; proposes sounds. */
export const audioActivityDetector: DetectorFactory = (stream: StreamInfo, _options, summary) =>
  summary === undefined || summary.samples === 0 || stream.kind !== 'audio'
    ? null
    : new WindowLevelDetector(DETECTORS.audioActivity.name, DETECTORS.audioActivity.version, summary, audioSegments, true);

export const windowLevelDetectors: DetectorFactory[] = [sessionsDetector, motionLevelDetector, audioActivityDetector];

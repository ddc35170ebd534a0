import type { SampleChunk, StreamInfo } from '../../domain/stream.js';
import type { AnnotationDraft, SegmentDraft, StreamSummary } from '../types.js';
import type { DetectorFactory, StreamDetector } from './types.js';
import { imuDetectors } from './imu-index.js';
import { speechVad } from './speech-vad.js';
import { loudEvents } from './loud-events.js';
import { audioQuality } from './audio-quality.js';

/** Every streaming detector the pipeline runs, in order. Each decides itself whether a stream suits it. */
export const DETECTOR_FACTORIES: DetectorFactory[] = [...imuDetectors, speechVad, loudEvents, audioQuality];

/** The detectors of one stream, fed during the one pass over its samples. */
export class DetectorSet {
  private readonly detectors: StreamDetector[];

  constructor(stream: StreamInfo, factories: DetectorFactory[] = DETECTOR_FACTORIES, options?: Record<string, unknown>) {
    this.detectors = factories.map((f) => f(stream, options)).filter((d): d is StreamDetector => d !== null);
  }

  push(chunk: SampleChunk): void {
    for (const d of this.detectors) d.push(chunk);
  }

  /** Adds the detectors' outputs (and their checks) to the stream's summary. */
  finishInto(summary: StreamSummary): StreamSummary {
    const detectors = this.detectors.map((d) => ({ name: d.name, version: d.version, output: d.finish() }));
    const checks = detectors.flatMap((d) => (d.output.checks ?? []).map((c) => ({ ...c, stream: c.stream ?? summary.stream.name })));
    return { ...summary, checks: [...summary.checks, ...checks], detectors };
  }
}

const toS = (ns: string, originNs: bigint): number => {
  const d = BigInt(ns) - originNs;
  return Number(d / 1_000_000_000n) + Number(d % 1_000_000_000n) / 1e9;
};

/** The detectors' segments of one stream, on the recording's time axis (seconds from its origin). */
export function detectorSegments(summary: StreamSummary, originNs: bigint): SegmentDraft[] {
  return (summary.detectors ?? []).flatMap((d) => (d.output.segments ?? []).map((s) => ({
    kind: s.kind, stream: summary.stream.name, startS: toS(s.startNs, originNs), endS: toS(s.endNs, originNs),
    attributes: { ...s.attributes, detector: d.name },
  })));
}

/** The detectors' proposed annotations of one stream. */
export function detectorAnnotations(summary: StreamSummary, originNs: bigint): AnnotationDraft[] {
  return (summary.detectors ?? []).flatMap((d) => d.output.events.map((e) => ({
    label: e.label, startS: toS(e.startNs, originNs), endS: toS(e.endNs, originNs),
    confidence: Math.min(1, Math.max(0, e.confidence)), detector: d.name, detectorVersion: d.version,
  })));
}

/**
 * Streams a detector's findings are taken from: one per detector, so that a recording with accelerometer,
 * total acceleration and gyroscope streams does not get every tap or walk proposed three times.
 */
const STREAM_PREFERENCE = [
  'accelerometer', 'total_acceleration', 'user_acceleration', 'accelerometer_uncalibrated', 'gravity',
  'gyroscope', 'gyroscope_uncalibrated', 'audio',
];

export function primaryStreams(summaries: StreamSummary[]): Map<string, string> {
  const rank = (name: string): number => {
    const i = STREAM_PREFERENCE.indexOf(name);
    return i === -1 ? STREAM_PREFERENCE.length : i;
  };
  const best = new Map<string, string>();
  for (const s of summaries) {
    for (const d of s.detectors ?? []) {
      const current = best.get(d.name);
      if (current === undefined || rank(s.stream.name) < rank(current)) best.set(d.name, s.stream.name);
    }
  }
  return best;
}

/** Keeps, in a summary, only the detectors whose primary stream it is. */
export function onlyPrimary(summary: StreamSummary, primary: Map<string, string>): StreamSummary {
  return { ...summary, detectors: (summary.detectors ?? []).filter((d) => primary.get(d.name) === summary.stream.name) };
}

/** True when a motion activity detector classified this stream (its bouts replace the window-level ones). */
export function hasActivityDetector(summary: StreamSummary): boolean {
  return (summary.detectors ?? []).some((d) => d.name === 'imu-activity');
}

/**
 * Loud-burst proposals that are mostly inside speech are a person talking, not an event: they are left out
 * (a quiet room makes every word 30 dB above its floor).
 */
export function withoutLoudSpeech(drafts: AnnotationDraft[]): AnnotationDraft[] {
  const speech = drafts.filter((d) => d.label === 'speech').sort((a, b) => a.startS - b.startS);
  if (speech.length === 0) return drafts;
  return drafts.filter((d) => {
    if (d.label !== 'loud') return true;
    let inside = 0;
    for (const s of speech) {
      if (s.startS >= d.endS) break;
      inside += Math.max(0, Math.min(d.endS, s.endS) - Math.max(d.startS, s.startS));
    }
    return inside < 0.5 * Math.max(1e-9, d.endS - d.startS);
  });
}

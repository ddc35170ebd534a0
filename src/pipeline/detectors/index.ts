import type { SampleChunk, StreamInfo } from '../../domain/stream.js';
import type { AnnotationDraft, QualityCheck, SegmentDraft, StreamSummary } from '../types.js';
import type { DetectorFactory, DetectorOutput, StreamDetector } from './types.js';
import { windowLevelDetectors } from './window-level.js';
import { imuDetectors } from './imu-index.js';
import { speechVad } from './speech-vad.js';
import { loudEvents } from './loud-events.js';
import { audioQuality } from './audio-quality.js';

/**
 * Every detector the `segment` stage runs, in order: the window-level ones (from each stream's stored
 * summary), then those that read the samples. Each decides itself whether a stream suits it.
 */
export const DETECTOR_FACTORIES: DetectorFactory[] = [...windowLevelDetectors, ...imuDetectors, speechVad, loudEvents, audioQuality];

/** What the detectors found in one stream: each detector's name, version and output. */
export interface StreamFindings {
  stream: string;
  detectors: { name: string; version: string; everyStream: boolean; output: DetectorOutput }[];
}

/** The detectors of one stream, fed during one pass over its stored samples. */
export class DetectorSet {
  private readonly detectors: StreamDetector[];
  private readonly sampled: StreamDetector[];

  constructor(private readonly stream: StreamInfo, factories: DetectorFactory[] = DETECTOR_FACTORIES, options?: Record<string, unknown>, summary?: StreamSummary) {
    this.detectors = factories.map((f) => f(stream, options, summary)).filter((d): d is StreamDetector => d !== null);
    this.sampled = this.detectors.filter((d) => d.push !== undefined);
  }

  /** True when some detector needs the samples (else the stream's summary was enough and push is not needed). */
  get needsSamples(): boolean {
    return this.sampled.length > 0;
  }

  push(chunk: SampleChunk): void {
    for (const d of this.sampled) d.push!(chunk);
  }

  finish(): StreamFindings {
    return {
      stream: this.stream.name,
      detectors: this.detectors.map((d) => ({ name: d.name, version: d.version, everyStream: d.everyStream === true, output: d.finish() })),
    };
  }
}

/** One stream's pass of the detectors, however it runs (in this thread, or split over threads). */
export interface DetectionRun {
  /** True when some detector needs the samples (else `push` is never called). */
  readonly needsSamples: boolean;
  /** Feeds the next samples in time order; awaited before the next piece (flow control). */
  push(chunk: SampleChunk): void | Promise<void>;
  finish(): Promise<StreamFindings>;
  /** Releases what the run holds (threads) when it ends early; idempotent, and done by `finish` too. */
  close(): Promise<void>;
}

/** Starts the detectors of one stream: every factory of DETECTOR_FACTORIES, findings in their order. */
export type OpenDetection = (stream: StreamInfo, options: Record<string, unknown>, summary: StreamSummary) => Promise<DetectionRun>;

/** Every detector in this thread (the default; tests, tools, one-core machines). */
export const inProcessDetection: OpenDetection = (stream, options, summary) => {
  const set = new DetectorSet(stream, DETECTOR_FACTORIES, options, summary);
  return Promise.resolve({
    needsSamples: set.needsSamples,
    push: (chunk: SampleChunk) => set.push(chunk),
    finish: () => Promise.resolve(set.finish()),
    close: () => Promise.resolve(),
  });
};

/** What the detectors found in a recording, on its time axis: what the `segment` stage stores and writes. */
export interface RecordingFindings {
  segments: SegmentDraft[];
  proposals: AnnotationDraft[];
  /** Checks the detectors computed (calibration error, non-wear share, audio level, …), each naming its stream. */
  checks: QualityCheck[];
  /** Every detector that ran, with its version and the streams it ran on. */
  detectors: { name: string; version: string; streams: string[] }[];
}

/**
 * The framework's rules for a recording, the same for every detector: checks come from every stream;
 * proposals (and segments, unless the detector keeps them for every stream) from one stream per detector
 * (`primaryStreams`); loud bursts inside speech are not proposed (`withoutLoudSpeech`).
 */
export function recordingFindings(streams: StreamFindings[], originNs: bigint): RecordingFindings {
  const primary = primaryStreams(streams);
  const segments: SegmentDraft[] = [];
  const proposals: AnnotationDraft[] = [];
  const checks: QualityCheck[] = [];
  const ran = new Map<string, { name: string; version: string; streams: string[] }>();
  for (const s of streams) {
    for (const d of s.detectors) {
      const entry = ran.get(d.name) ?? { name: d.name, version: d.version, streams: [] };
      entry.streams.push(s.stream);
      ran.set(d.name, entry);
      checks.push(...(d.output.checks ?? []).map((c) => ({ ...c, stream: c.stream ?? s.stream })));
      const isPrimary = primary.get(d.name) === s.stream;
      if (isPrimary || d.everyStream) {
        segments.push(...(d.output.segments ?? []).map((g) => ({
          kind: g.kind, stream: s.stream, startS: toS(g.startNs, originNs), endS: toS(g.endNs, originNs), attributes: { ...g.attributes, detector: d.name },
        })));
      }
      if (isPrimary) {
        proposals.push(...d.output.events.map((e) => ({
          label: e.label, startS: toS(e.startNs, originNs), endS: toS(e.endNs, originNs),
          confidence: Math.min(1, Math.max(0, e.confidence)), detector: d.name, detectorVersion: d.version,
        })));
      }
    }
  }
  return { segments, proposals: withoutLoudSpeech(proposals), checks, detectors: [...ran.values()] };
}

const toS = (ns: string, originNs: bigint): number => {
  const d = BigInt(ns) - originNs;
  return Number(d / 1_000_000_000n) + Number(d % 1_000_000_000n) / 1e9;
};

/**
 * Streams a detector's findings are taken from: one per detector, so that a recording with accelerometer,
 * total acceleration and gyroscope streams does not get every tap or walk proposed three times.
 */
const STREAM_PREFERENCE = [
  'accelerometer', 'total_acceleration', 'user_acceleration', 'accelerometer_uncalibrated', 'gravity',
  'gyroscope', 'gyroscope_uncalibrated', 'audio',
];

export function primaryStreams(streams: StreamFindings[]): Map<string, string> {
  const rank = (name: string): number => {
    const i = STREAM_PREFERENCE.indexOf(name);
    return i === -1 ? STREAM_PREFERENCE.length : i;
  };
  const best = new Map<string, string>();
  for (const s of streams) {
    for (const d of s.detectors) {
      const current = best.get(d.name);
      if (current === undefined || rank(s.stream) < rank(current)) best.set(d.name, s.stream);
    }
  }
  return best;
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

import type { SampleChunk } from '../../domain/stream.js';
import { BoutTracker, type Bout } from './audio-bouts.js';
import { FloorQueue } from './audio-floor.js';
import { AudioInput } from './audio-input.js';
import { amplitudeDb, clamp01, powerDb, round2, round3 } from './audio-levels.js';
import { withOverrides } from './options.js';
import type { DetectedEvent, DetectedSegment, DetectorFactory, DetectorOutput, StreamDetector } from './types.js';

export const LOUD_EVENTS = { name: 'loud-burst', version: '1.0.0', optionPrefix: 'loud' } as const;

/** Settings of the loud-event detector; a study overrides them with detector options `loud.<name>`. */
export interface LoudEventParams {
  /** Level frames, in seconds. */
  frameS: number;
  /** A frame is loud when its level is this many dB above the background… */
  thresholdDb: number;
  /** …and above this absolute level (dBFS), so a burst of hiss in digital silence is not an event. */
  minLevelDb: number;
  /** Background = this quantile of the frame levels over the last `backgroundWindowS` and the next `lookaheadS`. */
  backgroundQuantile: number;
  backgroundWindowS: number;
  lookaheadS: number;
  /** Loud frames closer than this join one event (a clap's ringing dips between frames). */
  mergeGapS: number;
  /** Events shorter than this are dropped. */
  minDurationS: number;
  /** Events longer than this are not bursts: they stay `loud` segments but are not proposed as events (0: no limit). */
  maxEventS: number;
  /** dB above the threshold at which the confidence is full. */
  fullConfidenceDb: number;
}

export const LOUD_EVENT_DEFAULTS: Readonly<LoudEventParams> = Object.freeze({
  frameS: 0.01,
  thresholdDb: 15,
  minLevelDb: -60,
  backgroundQuantile: 0.1,
  backgroundWindowS: 10,
  lookaheadS: 1,
  mergeGapS: 0.03,
  minDurationS: 0.05,
  maxEventS: 5,
  fullConfidenceDb: 20,
});

/** Per-frame sums: power, background (dB); maxima: frame level above the background, sample peak (dB). */
const S_POWER = 0;
const S_FLOOR = 1;
const M_ABOVE = 0;
const M_PEAK = 1;

/**
 * Loud sound events: short bursts well above the running background level (a slam, a clap, a clatter of
 * dishes, a shout). The background is a low quantile of the 10 ms frame levels of the mono mix over a
 * sliding window (a noise floor that follows the room, looking 1 s ahead so the first seconds are judged
 * too); frames more than `thresholdDb` above it form events of at least `minDurationS`. Events carry their
 * sample peak (dBFS), RMS level, background and height above it; confidence is 0.5 at the threshold and 1
 * at `fullConfidenceDb` above it.
 */
export class LoudEventDetector implements StreamDetector {
  readonly name = LOUD_EVENTS.name;
  readonly version = LOUD_EVENTS.version;
  private readonly p: LoudEventParams;
  private readonly input: AudioInput;
  private frameSamples = 0;
  private frameNs = 0;
  private inCount = 0;
  private anchorIdx = 0;
  private anchorNs = 0;
  private fill = 0;
  private energy = 0;
  private peak = 0;
  /** [level dB, start ns, power, peak |x|]. */
  private queue: FloorQueue | null = null;
  private readonly frameVals = new Float64Array(4);
  private readonly sums = new Float64Array(2);
  private readonly maxes = new Float64Array(2);
  private readonly bouts: BoutTracker;
  private readonly events: DetectedEvent[] = [];
  private readonly segments: DetectedSegment[] = [];

  constructor(nCh: number, rateHz: number | null, options?: Record<string, unknown>) {
    this.p = withOverrides(LOUD_EVENT_DEFAULTS, options, LOUD_EVENTS.optionPrefix);
    this.input = new AudioInput(nCh, rateHz);
    this.bouts = new BoutTracker({ mergeGapS: this.p.mergeGapS, minDurationS: this.p.minDurationS, padS: 0 }, 2, 2, (b) =>
      this.emit(b),
    );
  }

  push(chunk: SampleChunk): void {
    this.input.push(chunk, this.onPiece);
  }

  finish(): DetectorOutput {
    this.endRun();
    return { events: this.events, segments: this.segments };
  }

  private readonly onPiece = (mono: Float32Array, n: number, startNs: number, broken: boolean): void => {
    if (this.queue === null) this.setup();
    else if (broken) this.endRun();
    this.anchorIdx = this.inCount;
    this.anchorNs = startNs;
    const fs = this.frameSamples;
    let fill = this.fill;
    let energy = this.energy;
    let peak = this.peak;
    for (let i = 0; i < n; i++) {
      const v = mono[i]!;
      energy += v * v;
      const a = v < 0 ? -v : v;
      if (a > peak) peak = a;
      if (++fill === fs) {
        this.frameDone(this.inCount + i + 1 - fs, energy / fs, peak);
        fill = 0;
        energy = 0;
        peak = 0;
      }
    }
    this.fill = fill;
    this.energy = energy;
    this.peak = peak;
    this.inCount += n;
  };

  private setup(): void {
    const rate = this.input.rateHz;
    this.frameSamples = Math.max(1, Math.round(rate * this.p.frameS));
    this.frameNs = this.frameSamples * this.input.periodNs;
    const frameS = this.frameSamples / rate;
    this.queue = new FloorQueue(
      4,
      Math.max(0, Math.round(this.p.backgroundWindowS / frameS)),
      Math.max(0, Math.round(this.p.lookaheadS / frameS)),
      this.p.backgroundQuantile,
      (f, floorDb) => this.decide(f, floorDb),
    );
  }

  /** `first` is the run index of the frame's first sample. */
  private frameDone(first: number, power: number, peak: number): void {
    const v = this.frameVals;
    v[0] = powerDb(power);
    v[1] = this.anchorNs + (first - this.anchorIdx) * this.input.periodNs;
    v[2] = power;
    v[3] = peak;
    this.queue!.push(v);
  }

  private decide(f: Float64Array, floorDb: number): void {
    const level = f[0]!;
    const above = level - floorDb;
    const loud = above > this.p.thresholdDb && level > this.p.minLevelDb;
    this.sums[S_POWER] = f[2]!;
    this.sums[S_FLOOR] = floorDb;
    this.maxes[M_ABOVE] = above;
    this.maxes[M_PEAK] = f[3]!;
    const start = f[1]!;
    this.bouts.frame(start, start + this.frameNs, loud, this.sums, this.maxes);
  }

  private endRun(): void {
    this.queue?.flush();
    this.bouts.endRun();
    this.inCount = 0;
    this.fill = 0;
    this.energy = 0;
    this.peak = 0;
  }

  private emit(b: Bout): void {
    const aboveDb = b.maxes[M_ABOVE]!;
    const confidence = round3(clamp01(0.5 + (0.5 * (aboveDb - this.p.thresholdDb)) / this.p.fullConfidenceDb));
    const startNs = this.input.nsString(b.startNs);
    const endNs = this.input.nsString(b.endNs);
    const attributes = {
      peakDb: round2(amplitudeDb(b.maxes[M_PEAK]!)),
      levelDb: round2(powerDb(b.sums[S_POWER]! / b.frames)),
      backgroundDb: round2(b.sums[S_FLOOR]! / b.frames),
      aboveBackgroundDb: round2(aboveDb),
    };
    const durationS = (b.endNs - b.startNs) / 1e9;
    this.segments.push({ kind: 'loud', startNs, endNs, attributes: { ...attributes, confidence, detector: this.name } });
    if (this.p.maxEventS <= 0 || durationS <= this.p.maxEventS) this.events.push({ label: 'loud', startNs, endNs, confidence, attributes });
  }
}

/** Loud sound events on audio streams; null for other kinds. */
export const loudEvents: DetectorFactory = (stream, options) =>
  stream.kind === 'audio' && stream.channels.length > 0
    ? new LoudEventDetector(stream.channels.length, stream.nominalRateHz, options)
    : null;

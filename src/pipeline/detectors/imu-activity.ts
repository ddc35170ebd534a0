import type { SampleChunk, StreamInfo } from '../../domain/stream.js';
import { accelKind, clamp01, looksLikeGravity, PeriodEstimator, round, TimeBase, toGFactor, withOverrides, xyzIndices, type DetectorOptions } from './imu-common.js';
import { gaitPeriod } from './imu-gait.js';
import { MotionStateTracker, type MotionRun } from './imu-motion-state.js';
import type { DetectedEvent, DetectedSegment, DetectorFactory, DetectorOutput, StreamDetector } from './types.js';

/**
 * Parameters of the activity classifier; a study overrides them with detector options `activity.<name>`.
 * Physics behind the defaults:
 * - still vs moving (imu-motion-state.ts), every `blockS`: the spread of the acceleration over 2 s — the SD of
 *   |a| when the signal has gravity (turning the device leaves |a| at 1 g, so postural sway and a rotating
 *   wrist do not count), else the total per-axis SD. A phone on a table gives 1–3 mg (sensor noise), a phone
 *   in the pocket of someone sitting or standing with sway < 10 mg, typing with a watch 5–15 mg; slow walking
 *   (0.8 steps/s) 40–70 mg, walking 150–600 mg, jogging 700–1,600 mg (MotionSense: stairs ≥ 180 mg, walking
 *   ≥ 290 mg, jogging ≥ 590 mg over any 2 s). Moving above 30 mg, still again below 15 mg (3–10 × the noise
 *   of phone and watch accelerometers, half of the slowest walk). A moving bout must last 3 s (a wrist
 *   gesture or a sit-to-stand alone is not a bout of movement; a few steps are); a still pause 2 s.
 * - cadence: walking 90–130 steps/min, running 150–190; 140 splits them (running also needs ≥ 600 mg SD:
 *   the jogging trial of MotionSense has 1,270–1,600 mg, its walking trial 730–830 mg).
 * - periodicity: the normalised autocorrelation at the gait period; MotionSense walking/jogging windows give
 *   0.37–0.78, stairs 0.1–0.3 (irregular: called `moving`), a pure sine 1.
 */
export const ACTIVITY_DEFAULTS = Object.freeze({
  /** Analysis window (s); windows start at the stream's first sample. */
  windowS: 5,
  /** The window's samples are averaged into bins of 1/gridHz s before the autocorrelation (any rate, irregular too). */
  gridHz: 25,
  /** Lags searched for the gait period: 0.25–2 s, i.e. 0.5–4 Hz. */
  minLagS: 0.25,
  maxLagS: 2,
  blockS: 0.25,
  motionWindowS: 2,
  movingEnterMg: 30,
  movingStayMg: 15,
  minMovingS: 3,
  minStillS: 2,
  /** Windows calmer than this (total per-axis SD, mg) are not searched for a gait: walking gives ≥ 100 mg. */
  gaitMinSdMg: 20,
  minPeriodicity: 0.3,
  /** The autocorrelation must have dipped this far below the peak at a shorter lag (a real oscillation). */
  minProminence: 0.3,
  runMinCadenceSpm: 140,
  runMinSdMg: 600,
  /**
   * A device in one pocket or on one wrist repeats with the stride (two steps); a period ≥ this is a stride.
   * Between 0.5 s and this, the period is a stride only when the window is as intense as running.
   */
  strideMinPeriodS: 0.8,
  minCadenceSpm: 50,
  maxCadenceSpm: 250,
  /** Windows with less data than this (s) get no gait class; with less than minGaitDataS no gait is looked for. */
  minClassifyS: 1,
  minGaitDataS: 4,
  /** Consecutive windows further apart than this (s) are not smoothed together (a gap lies between). */
  maxJoinGapS: 1,
});
export type ActivityParams = typeof ACTIVITY_DEFAULTS;
export { gaitPeriod } from './imu-gait.js';
export type ActivityClass = 'still' | 'walking' | 'running' | 'moving';

/** What one analysis window gave: the gait class of its moving time (`moving` when no gait was found). */
export interface ActivityWindow {
  /** Window number: it covers offsets [index · windowS, (index + 1) · windowS). */
  index: number;
  firstOff: number;
  lastOff: number;
  cls: Exclude<ActivityClass, 'still'> | null;
  confidence: number;
  sdMg: number;
  enmoMg: number;
  /** Mean vector magnitude |a| (mg): the intensity when the stream has no gravity. */
  vmMg: number;
  /** |mean vector| (g): ≈ 1 with gravity, ≈ 0 without. */
  meanNormG: number;
  cadenceSpm: number | null;
  periodicity: number | null;
  /** False when the window held too little data to look for a gait period (an edge or a gap). */
  gaitTested: boolean;
}

class ActivityDetector implements StreamDetector {
  readonly name = 'imu-activity';
  /** 1.1.0: still vs moving from the spread of |a| every 0.25 s with hysteresis and minimum bouts. */
  readonly version = '1.1.0';
  private readonly time = new TimeBase();
  private readonly period: PeriodEstimator;
  private readonly idx: [number, number, number];
  private readonly scale: number;
  private readonly windowNs: number;
  private readonly binNs: number;
  private readonly nb: number;
  private readonly windows: ActivityWindow[] = [];
  // the current window
  private cur = -1;
  private n = 0;
  private firstOff = 0;
  private lastOff = 0;
  private readonly shift = new Float64Array(3);
  private readonly s1 = new Float64Array(3);
  private readonly s2 = new Float64Array(3);
  private enmo = 0;
  private vm = 0;
  private readonly binSum: Float64Array[];
  private readonly binN: Float64Array;
  private readonly series: Float64Array[];
  private readonly motion: MotionStateTracker;

  constructor(stream: StreamInfo, private readonly p: ActivityParams, private readonly sensorSaysNoGravity: boolean) {
    this.idx = xyzIndices(stream)!;
    this.scale = toGFactor(stream.unit)!;
    this.period = new PeriodEstimator(stream.nominalRateHz);
    this.windowNs = p.windowS * 1e9;
    this.binNs = 1e9 / p.gridHz;
    this.nb = Math.ceil(this.windowNs / this.binNs);
    this.binSum = [0, 1, 2].map(() => new Float64Array(this.nb));
    this.binN = new Float64Array(this.nb);
    this.series = [0, 1, 2].map(() => new Float64Array(this.nb));
    this.motion = new MotionStateTracker(p, () => this.period.ns);
  }

  push(chunk: SampleChunk): void {
    const n = chunk.length;
    if (n === 0) return;
    const offs = this.time.offsets(chunk);
    if (!this.period.known) this.period.observe(offs, n);
    const vx = chunk.values[this.idx[0]]!;
    const vy = chunk.values[this.idx[1]]!;
    const vz = chunk.values[this.idx[2]]!;
    const k = this.scale;
    const wNs = this.windowNs;
    const bNs = this.binNs;
    const [bx, by, bz] = this.binSum as [Float64Array, Float64Array, Float64Array];
    const bn = this.binN;
    const nb = this.nb;
    for (let i = 0; i < n; i++) {
      const o = offs[i]!;
      if (o < 0) continue;
      const x = vx[i]! * k;
      const y = vy[i]! * k;
      const z = vz[i]! * k;
      if (x !== x || y !== y || z !== z) continue;
      const w = Math.floor(o / wNs);
      if (w !== this.cur) {
        if (w < this.cur) continue; // a sample from an earlier window (time went backwards): left out
        this.close();
        this.open(w, o, x, y, z);
      }
      this.n++;
      this.lastOff = o;
      const dx = x - this.shift[0]!;
      const dy = y - this.shift[1]!;
      const dz = z - this.shift[2]!;
      this.s1[0]! += dx;
      this.s2[0]! += dx * dx;
      this.s1[1]! += dy;
      this.s2[1]! += dy * dy;
      this.s1[2]! += dz;
      this.s2[2]! += dz * dz;
      const m = Math.sqrt(x * x + y * y + z * z);
      this.motion.add(o, x, y, z, m);
      this.vm += m;
      if (m > 1) this.enmo += m - 1;
      let b = Math.floor((o - w * wNs) / bNs);
      if (b >= nb) b = nb - 1;
      bx[b]! += x;
      by[b]! += y;
      bz[b]! += z;
      bn[b]!++;
    }
  }

  private open(w: number, o: number, x: number, y: number, z: number): void {
    this.cur = w;
    this.n = 0;
    this.firstOff = o;
    this.shift[0] = x;
    this.shift[1] = y;
    this.shift[2] = z;
    this.s1.fill(0);
    this.s2.fill(0);
    this.enmo = 0;
    this.vm = 0;
    for (const b of this.binSum) b.fill(0);
    this.binN.fill(0);
  }

  /** Classifies the current window and keeps its result. */
  private close(): void {
    if (this.cur < 0 || this.n === 0) return;
    const p = this.p;
    const n = this.n;
    let variance = 0;
    let norm2 = 0;
    for (let a = 0; a < 3; a++) {
      const mean = this.s1[a]! / n;
      variance += Math.max(0, this.s2[a]! / n - mean * mean);
      norm2 += (this.shift[a]! + mean) ** 2;
    }
    const sdMg = Math.sqrt(variance) * 1000;
    const dataS = (this.lastOff - this.firstOff) / 1e9 + (this.period.known ? this.period.ns / 1e9 : 0);
    const win: ActivityWindow = {
      index: this.cur, firstOff: this.firstOff, lastOff: this.lastOff, cls: null, confidence: 0, sdMg,
      enmoMg: (this.enmo / n) * 1000, vmMg: (this.vm / n) * 1000, meanNormG: Math.sqrt(norm2), cadenceSpm: null, periodicity: null, gaitTested: false,
    };
    if (dataS >= p.minClassifyS) {
      win.cls = 'moving';
      win.confidence = 0.5;
      if (dataS >= p.minGaitDataS && sdMg >= p.gaitMinSdMg) {
        win.gaitTested = true;
        this.gait(win);
      }
    }
    this.windows.push(win);
  }

  /** Walking or running when the window repeats at a gait period (else it stays `moving`). */
  private gait(win: ActivityWindow): void {
    const p = this.p;
    const len = this.resample();
    const found = gaitPeriod(this.series, len, Math.round(p.minLagS * p.gridHz), Math.round(p.maxLagS * p.gridHz), p.minProminence);
    if (found === null) return;
    const periodS = found.lag / p.gridHz;
    const stride = periodS >= p.strideMinPeriodS || (periodS >= 0.5 && win.sdMg >= p.runMinSdMg);
    const cadence = 60 / (stride ? periodS / 2 : periodS);
    win.periodicity = found.periodicity;
    if (found.periodicity < p.minPeriodicity || cadence < p.minCadenceSpm || cadence > p.maxCadenceSpm) return;
    win.cadenceSpm = cadence;
    const fast = cadence > p.runMinCadenceSpm;
    if (fast && win.sdMg < p.runMinSdMg) return; // quick but light: neither clearly walking nor running
    win.cls = fast ? 'running' : 'walking';
    const periodicScore = clamp01((2 * (found.periodicity - p.minPeriodicity)) / (1 - p.minPeriodicity));
    const cadenceScore = clamp01(Math.abs(cadence - p.runMinCadenceSpm) / 20);
    win.confidence = 0.5 + 0.5 * Math.min(periodicScore, cadenceScore);
  }

  /** The window's bins as evenly spaced x, y, z series (empty bins interpolated); returns their length. */
  private resample(): number {
    const nb = this.nb;
    const bn = this.binN;
    let first = -1;
    let last = -1;
    for (let b = 0; b < nb; b++) {
      if (bn[b]! > 0) {
        if (first < 0) first = b;
        last = b;
      }
    }
    const len = last - first + 1;
    for (let a = 0; a < 3; a++) {
      const sum = this.binSum[a]!;
      const out = this.series[a]!;
      let prevB = -1;
      for (let b = first; b <= last; b++) {
        if (bn[b]! === 0) continue;
        const v = sum[b]! / bn[b]!;
        out[b - first] = v;
        if (prevB >= 0 && b - prevB > 1) {
          const pv = out[prevB - first]!;
          for (let j = prevB + 1; j < b; j++) out[j - first] = pv + ((v - pv) * (j - prevB)) / (b - prevB);
        }
        prevB = b;
      }
    }
    return len;
  }

  /**
   * A lone `moving` window between two windows of the same gait is a stumble in it, not a change; a `moving`
   * window too short to look for a gait (the stream's edge, next to a gap) joins the gait beside it.
   */
  private smooth(periodNs: number): void {
    const wins = this.windows;
    const gait = (w: ActivityWindow | undefined): boolean => w !== undefined && (w.cls === 'walking' || w.cls === 'running');
    const joined = (a: ActivityWindow, b: ActivityWindow): boolean => b.firstOff - a.lastOff <= this.p.maxJoinGapS * 1e9 + periodNs;
    for (let i = 0; i < wins.length; i++) {
      const b = wins[i]!;
      if (b.cls !== 'moving') continue;
      const a = wins[i - 1];
      const c = wins[i + 1];
      const aOk = a !== undefined && gait(a) && joined(a, b);
      const cOk = c !== undefined && gait(c) && joined(b, c);
      if (aOk && cOk && a.cls === c.cls) b.cls = a.cls;
      else if (!b.gaitTested && (aOk || cOk)) b.cls = aOk ? a.cls : c!.cls;
    }
  }

  finish(): DetectorOutput {
    this.close();
    this.cur = -1;
    this.period.settle();
    const periodNs = this.period.known ? this.period.ns : 0;
    this.smooth(periodNs);
    const wins = this.windows;
    const withGravity = !this.sensorSaysNoGravity && looksLikeGravity(wins.map((w) => w.meanNormG));
    const byIndex = new Map(wins.map((w) => [w.index, w]));
    const segments: DetectedSegment[] = [];
    const events: DetectedEvent[] = [];
    for (const run of this.motion.finish()) {
      const pieces = run.label === 'still' ? [{ cls: 'still' as ActivityClass, startOff: run.startOff, endOff: run.endOff }] : this.gaitPieces(run, byIndex);
      for (const piece of pieces) {
        const over = this.windowsOver(piece.startOff, piece.endOff, byIndex);
        const gaitWins = over.filter((w) => w.cls === piece.cls && (piece.cls === 'walking' || piece.cls === 'running'));
        const mean = (list: ActivityWindow[], f: (w: ActivityWindow) => number | null): number | null => {
          const xs = list.map(f).filter((x): x is number => x !== null);
          return xs.length > 0 ? xs.reduce((sum, x) => sum + x, 0) / xs.length : null;
        };
        const cadence = mean(gaitWins, (w) => w.cadenceSpm);
        const periodicity = mean(gaitWins, (w) => w.periodicity);
        const stateConfidence = run.confidenceSum / Math.max(1, run.blocks);
        const confidence = round(gaitWins.length > 0 ? (mean(gaitWins, (w) => w.confidence) ?? 0.5) : stateConfidence, 3);
        const attributes: Record<string, number | string | boolean> = {
          intensityMg: round(mean(over, (w) => (withGravity ? w.enmoMg : w.vmMg)) ?? 0, 1),
          intensityMetric: withGravity ? 'enmo' : 'mean-user-acceleration',
          sdMg: round(mean(over, (w) => w.sdMg) ?? 0, 1),
          spreadMg: round(run.spreadSum / Math.max(1, run.blocks), 1),
          windows: Math.max(1, gaitWins.length > 0 ? gaitWins.length : over.length),
          confidence,
          ...(cadence !== null ? { cadenceSpm: round(cadence, 1) } : {}),
          ...(periodicity !== null ? { periodicity: round(periodicity, 3) } : {}),
        };
        const startNs = this.time.ns(piece.startOff);
        const endNs = this.time.ns(piece.endOff);
        segments.push({ kind: piece.cls, startNs, endNs, attributes });
        events.push({ label: piece.cls, startNs, endNs, confidence, attributes });
      }
    }
    return { events, segments };
  }

  /** The analysis windows a stretch of offsets overlaps. */
  private windowsOver(startOff: number, endOff: number, byIndex: Map<number, ActivityWindow>): ActivityWindow[] {
    const out: ActivityWindow[] = [];
    const last = Math.max(Math.floor(startOff / this.windowNs), Math.ceil(endOff / this.windowNs) - 1);
    for (let w = Math.floor(startOff / this.windowNs); w <= last; w++) {
      const win = byIndex.get(w);
      if (win !== undefined) out.push(win);
    }
    return out;
  }

  /**
   * A moving run cut at the analysis windows, each part labelled with its window's gait (walking, running,
   * else moving); parts shorter than half a window (the run's ragged ends) take the longer neighbour's label.
   */
  private gaitPieces(run: MotionRun, byIndex: Map<number, ActivityWindow>): { cls: ActivityClass; startOff: number; endOff: number }[] {
    const wNs = this.windowNs;
    const raw: { cls: ActivityClass; startOff: number; endOff: number }[] = [];
    for (let w = Math.floor(run.startOff / wNs); w * wNs < run.endOff; w++) {
      const startOff = Math.max(run.startOff, w * wNs);
      const endOff = Math.min(run.endOff, (w + 1) * wNs);
      if (endOff <= startOff) continue;
      const cls = byIndex.get(w)?.cls ?? 'moving';
      raw.push({ cls, startOff, endOff });
    }
    const len = (x: { startOff: number; endOff: number }): number => x.endOff - x.startOff;
    for (let i = 0; i < raw.length; i++) {
      const piece = raw[i]!;
      if (len(piece) >= wNs / 2) continue;
      const a = raw[i - 1];
      const c = raw[i + 1];
      const target = a === undefined ? c : c === undefined ? a : len(a) >= len(c) ? a : c;
      if (target !== undefined) piece.cls = target.cls;
    }
    const out: typeof raw = [];
    for (const piece of raw) {
      const prev = out[out.length - 1];
      if (prev !== undefined && prev.cls === piece.cls) prev.endOff = piece.endOff;
      else out.push({ ...piece });
    }
    return out;
  }
}

/**
 * Still / walking / running / moving of a 3-axis acceleration (with or without gravity; not the OS's gravity
 * stream, not gyroscopes). Still vs moving every `blockS` from the acceleration's spread with hysteresis and
 * minimum bout lengths (imu-motion-state.ts); the moving time is then cut at `windowS` windows whose x, y, z
 * series, resampled to `gridHz`, give by autocorrelation the gait period in 0.5–4 Hz, the cadence
 * (steps/min) and how periodic the motion is: walking or running from the cadence and the SD, else `moving`.
 * Intensity is ENMO (mean of max(0, |a| − 1 g), mg, as GGIR) when the stream carries gravity, else the mean
 * |a| in mg (`intensityMetric` says which; gravity is judged from the data, see `looksLikeGravity`).
 * Each bout is a segment and an event (label = class). Stretches without samples (gaps) end bouts.
 */
export const imuActivityDetector: DetectorFactory = (stream: StreamInfo, options?: DetectorOptions) => {
  const kind = accelKind(stream);
  if (kind === null || kind === 'gravity') return null;
  return new ActivityDetector(stream, withOverrides(ACTIVITY_DEFAULTS, options, 'activity'), kind === 'gravity-removed');
};

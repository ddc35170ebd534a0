import type { SampleChunk, StreamInfo } from '../../domain/stream.js';
import { accelKind, clamp01, round, TimeBase, toGFactor, upSign, withOverrides, xyzIndices, type DetectorOptions } from './imu-common.js';
import type { DetectedEvent, DetectorFactory, DetectorOutput, StreamDetector } from './types.js';

/**
 * Wrist-raise parameters; a study overrides them with detector options `wristRaise.<name>`. Geometry (Android
 * axes, the up vector reads +1 g at rest): on a watch with the arm hanging, the up vector lies in the screen
 * plane (+x/−x along the forearm); looking at the watch, it points out of the screen (+z).
 */
export const WRIST_RAISE_DEFAULTS = Object.freeze({
  /** The acceleration is averaged on a grid of this rate, then low-passed (EMA, lowpassTauS) to get gravity. */
  gridHz: 25,
  lowpassTauS: 0.1,
  /** Screen up: the up vector within faceUpDeg of +z; the pose ends when it leaves exitDeg. */
  faceUpDeg: 40,
  exitDeg: 60,
  /** The turn into the screen-up pose is at least this large and takes minDurationS–maxDurationS. */
  minAngleDeg: 45,
  minDurationS: 0.3,
  maxDurationS: 1.5,
  /** After entering screen-up, the direction must hold (move < settleDeg over settleS) within maxSettleS. */
  settleS: 0.2,
  settleDeg: 4,
  maxSettleS: 0.6,
  /** Onset and arrival: the last pose this close to the start, the first this close to the end (deg). */
  edgeDeg: 10,
  /** The low-passed |a| must look like gravity (g); otherwise the direction is unknown (free fall, no gravity). */
  minNormG: 0.7,
  maxNormG: 1.3,
  /** Grid gaps longer than this (s) forget the history. */
  maxGapS: 0.5,
});
export type WristRaiseParams = typeof WRIST_RAISE_DEFAULTS;

const DEG = Math.PI / 180;

class WristRaiseDetector implements StreamDetector {
  readonly name = 'wrist-raise';
  readonly version = '1.0.0';
  private readonly time = new TimeBase();
  private readonly idx: [number, number, number];
  private readonly scale: number;
  private readonly binNs: number;
  private readonly events: DetectedEvent[] = [];
  // the grid bin being filled
  private bin = -1;
  private bn = 0;
  private readonly bs = new Float64Array(3);
  // low-passed gravity
  private readonly lp = new Float64Array(3);
  private lpOk = false;
  // history of unit up vectors on the grid (ring)
  private readonly cap: number;
  private readonly ht: Float64Array;
  private readonly hu: Float64Array;
  private hLen = 0;
  private hHead = 0;
  private state: 'idle' | 'settling' | 'up' = 'idle';
  private enterT = 0;

  constructor(stream: StreamInfo, private readonly p: WristRaiseParams, private readonly sign: number, private readonly lowpass: boolean) {
    this.idx = xyzIndices(stream)!;
    this.scale = toGFactor(stream.unit)! * sign;
    this.binNs = 1e9 / p.gridHz;
    this.cap = Math.ceil((p.maxDurationS + p.maxSettleS + 0.5) * p.gridHz) + 2;
    this.ht = new Float64Array(this.cap);
    this.hu = new Float64Array(3 * this.cap);
  }

  push(chunk: SampleChunk): void {
    const n = chunk.length;
    if (n === 0) return;
    const offs = this.time.offsets(chunk);
    const vx = chunk.values[this.idx[0]]!;
    const vy = chunk.values[this.idx[1]]!;
    const vz = chunk.values[this.idx[2]]!;
    const k = this.scale;
    for (let i = 0; i < n; i++) {
      const o = offs[i]!;
      const x = vx[i]! * k;
      const y = vy[i]! * k;
      const z = vz[i]! * k;
      if (x !== x || y !== y || z !== z || o < 0) continue;
      const b = Math.floor(o / this.binNs);
      if (b !== this.bin) {
        if (b < this.bin) continue;
        this.flushBin(b);
      }
      this.bn++;
      this.bs[0]! += x;
      this.bs[1]! += y;
      this.bs[2]! += z;
    }
  }

  /** Turns the finished bin into one grid point and starts bin `next`. */
  private flushBin(next: number): void {
    const prev = this.bin;
    if (prev >= 0 && this.bn > 0) {
      const m = [this.bs[0]! / this.bn, this.bs[1]! / this.bn, this.bs[2]! / this.bn] as const;
      const t = (prev + 0.5) * this.binNs;
      this.point(t, m[0], m[1], m[2]);
    }
    if (prev >= 0 && (next - prev) / this.p.gridHz > this.p.maxGapS) this.reset();
    this.bin = next;
    this.bn = 0;
    this.bs.fill(0);
  }

  private reset(): void {
    this.hLen = 0;
    this.lpOk = false;
    this.state = 'idle';
  }

  private point(t: number, x: number, y: number, z: number): void {
    const p = this.p;
    if (!this.lpOk || !this.lowpass) {
      this.lp[0] = x;
      this.lp[1] = y;
      this.lp[2] = z;
      this.lpOk = true;
    } else {
      const a = 1 - Math.exp(-1 / (p.gridHz * p.lowpassTauS));
      this.lp[0]! += a * (x - this.lp[0]!);
      this.lp[1]! += a * (y - this.lp[1]!);
      this.lp[2]! += a * (z - this.lp[2]!);
    }
    const norm = Math.hypot(this.lp[0]!, this.lp[1]!, this.lp[2]!);
    if (norm < p.minNormG || norm > p.maxNormG) {
      this.hLen = 0;
      this.state = 'idle';
      return;
    }
    const slot = this.hHead;
    this.ht[slot] = t;
    for (let a = 0; a < 3; a++) this.hu[3 * slot + a] = this.lp[a]! / norm;
    this.hHead = (slot + 1) % this.cap;
    this.hLen = Math.min(this.hLen + 1, this.cap);
    this.step(t);
  }

  /** History point j back from the newest (0 = newest). */
  private at(j: number): number {
    return (this.hHead - 1 - j + 2 * this.cap) % this.cap;
  }

  private angle(i: number, j: number): number {
    const d = this.hu[3 * i]! * this.hu[3 * j]! + this.hu[3 * i + 1]! * this.hu[3 * j + 1]! + this.hu[3 * i + 2]! * this.hu[3 * j + 2]!;
    return Math.acos(Math.max(-1, Math.min(1, d))) / DEG;
  }

  private step(t: number): void {
    const p = this.p;
    const uz = this.hu[3 * this.at(0) + 2]!;
    switch (this.state) {
      case 'idle':
        if (uz >= Math.cos(p.faceUpDeg * DEG)) {
          this.state = 'settling';
          this.enterT = t;
        }
        return;
      case 'settling': {
        if (uz < Math.cos(p.exitDeg * DEG)) {
          this.state = 'idle';
          return;
        }
        const back = Math.round(p.settleS * p.gridHz);
        const steady = this.hLen > back && this.angle(this.at(0), this.at(back)) < p.settleDeg;
        // A raise ends in a held pose; still turning after maxSettleS is a slow sweep, not a raise.
        if (steady) this.raise(t);
        if (steady || t - this.enterT >= p.maxSettleS * 1e9) this.state = 'up';
        return;
      }
      case 'up':
        if (uz < Math.cos(p.exitDeg * DEG)) this.state = 'idle';
        return;
    }
  }

  /** Looks back from the settled screen-up pose for the turn that led to it. */
  private raise(t: number): void {
    const p = this.p;
    const now = this.at(0);
    const reach = (p.maxDurationS + p.maxSettleS) * 1e9;
    let maxAngle = 0;
    let span = 0;
    let older = 0;
    for (let j = 0; j < this.hLen; j++) {
      const back = t - this.ht[this.at(j)]!;
      const ang = this.angle(now, this.at(j));
      if (back <= reach) {
        maxAngle = Math.max(maxAngle, ang);
        span = j;
      } else older = Math.max(older, ang);
    }
    // Still turning before the window: a slow turn (or a longer sweep), not a raise.
    if (maxAngle < p.minAngleDeg || older > maxAngle + p.edgeDeg / 2) return;
    // Onset: the newest pose still within edgeDeg of the farthest; arrival: the oldest within edgeDeg of the end.
    let onset = -1;
    for (let j = 0; j <= span; j++) {
      if (this.angle(now, this.at(j)) >= maxAngle - p.edgeDeg) {
        onset = j;
        break;
      }
    }
    let arrival = 0;
    for (let j = 0; j < onset; j++) if (this.angle(now, this.at(j)) <= p.edgeDeg) arrival = j;
    const startOff = this.ht[this.at(onset)]!;
    const endOff = this.ht[this.at(arrival)]!;
    const durationS = (endOff - startOff) / 1e9;
    if (durationS < p.minDurationS || durationS > p.maxDurationS) return;
    if (this.hu[3 * this.at(onset) + 2]! >= Math.cos(p.faceUpDeg * DEG)) return;
    const confidence = round(clamp01(0.5 + (0.5 * (maxAngle - p.minAngleDeg)) / 45), 3);
    this.events.push({
      label: 'wrist-raise', startNs: this.time.ns(startOff), endNs: this.time.ns(endOff), confidence,
      attributes: { angleDeg: round(maxAngle, 1), durationS: round(durationS, 3) },
    });
  }

  finish(): DetectorOutput {
    this.flushBin(this.bin + 1);
    return { events: this.events };
  }
}

/**
 * `wrist-raise` events: the direction of gravity (the OS's gravity stream, or an acceleration low-passed
 * with `lowpassTauS`) turns by ≥ minAngleDeg within minDurationS–maxDurationS into a screen-up pose
 * (within faceUpDeg of +z) from a pose that was not screen-up. Event from the turn's onset to its arrival;
 * confidence grows with the angle (45° → 0.5, 90° → 1). Core Motion streams (`frame: 'ios'`, gravity read
 * as −1 g on the down axis) are flipped first. Streams without gravity give no events (their low-passed
 * magnitude is not ≈ 1 g). When a recording has both a gravity stream and an accelerometer, each proposes
 * its own events: use one.
 */
export const imuWristRaiseDetector: DetectorFactory = (stream: StreamInfo, options?: DetectorOptions) => {
  const kind = accelKind(stream);
  if (kind === null || kind === 'gravity-removed') return null;
  return new WristRaiseDetector(stream, withOverrides(WRIST_RAISE_DEFAULTS, options, 'wristRaise'), upSign(stream), kind !== 'gravity');
};

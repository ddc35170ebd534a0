import type { SampleChunk, StreamInfo } from '../../domain/stream.js';
import type { CheckStatus, QualityCheck } from '../types.js';
import { accelKind, num, round, TimeBase, toGFactor, withOverrides, xyzIndices, type DetectorOptions } from './imu-common.js';
import type { DetectorFactory, DetectorOutput, StreamDetector } from './types.js';

/**
 * Auto-calibration parameters (GGIR `g.calibrate`, van Hees et al. 2014; actipy does the same); a study
 * overrides them with detector options `calibration.<name>`.
 */
export const CALIBRATION_DEFAULTS = Object.freeze({
  /** Still windows: `windowS` long with every axis' SD below `stillSdMg`. */
  windowS: 10,
  stillSdMg: 13,
  /** Enough orientations: at least `minWindows` still windows, and on every axis one mean above +sphereG and one below −sphereG. */
  minWindows: 6,
  sphereG: 0.3,
  /** Still windows whose |mean| is outside this (g) are not gravity (a moving vehicle, gravity removed): left out. */
  minNormG: 0.5,
  maxNormG: 1.5,
  maxIterations: 1000,
  /** Stop when the mean error changes by less than this (g) between iterations. */
  tolerance: 1e-10,
  /** Calibration error before the fit (mean | |a| − 1 g |, mg) that makes the check warn / bad. */
  warnMg: 20,
  badMg: 50,
  /** Still windows kept at most (beyond it every other one is kept, and so on): bounds memory. */
  maxPoints: 20_000,
});
export type CalibrationParams = typeof CALIBRATION_DEFAULTS;

export interface SphereFit {
  /** calibrated = (raw + offset) × scale, per axis, in g. */
  offset: [number, number, number];
  scale: [number, number, number];
  /** Mean | |a| − 1 g | over the points, in mg, before and after the fit. */
  errorBeforeMg: number;
  errorAfterMg: number;
  iterations: number;
}

/** Mean | |(p + offset) × scale| − 1 | (g) over points stored x, y, z, x, y, z, … */
function meanError(pts: Float64Array, n: number, offset: number[], scale: number[]): number {
  let e = 0;
  for (let i = 0; i < n; i++) {
    const x = (pts[3 * i]! + offset[0]!) * scale[0]!;
    const y = (pts[3 * i + 1]! + offset[1]!) * scale[1]!;
    const z = (pts[3 * i + 2]! + offset[2]!) * scale[2]!;
    e += Math.abs(Math.sqrt(x * x + y * y + z * z) - 1);
  }
  return n > 0 ? e / n : 0;
}

/**
 * Offset and scale per axis that bring still mean vectors (g) onto the unit sphere, by iterative closest
 * point as GGIR does: project each calibrated point on the sphere, regress the projections on the points per
 * axis (weighted by 1/distance, at most 100), fold the regression into offset and scale, repeat.
 */
export function fitSphere(pts: Float64Array, n: number, maxIterations = 1000, tolerance = 1e-10): SphereFit {
  const offset = [0, 0, 0];
  const scale = [1, 1, 1];
  const weights = new Float64Array(n).fill(1);
  const curr = new Float64Array(3 * n);
  const target = new Float64Array(3 * n);
  const before = meanError(pts, n, offset, scale);
  let prev = before;
  let it = 0;
  for (; it < maxIterations; it++) {
    for (let i = 0; i < n; i++) {
      let norm = 0;
      for (let a = 0; a < 3; a++) {
        const c = (pts[3 * i + a]! + offset[a]!) * scale[a]!;
        curr[3 * i + a] = c;
        norm += c * c;
      }
      norm = Math.sqrt(norm) || 1;
      let dist = 0;
      for (let a = 0; a < 3; a++) {
        target[3 * i + a] = curr[3 * i + a]! / norm;
        dist += (target[3 * i + a]! - curr[3 * i + a]!) ** 2;
      }
      weights[i] = Math.min(1 / Math.max(Math.sqrt(dist), 1e-12), 100);
    }
    for (let a = 0; a < 3; a++) {
      let sw = 0;
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let sxy = 0;
      for (let i = 0; i < n; i++) {
        const w = weights[i]!;
        const x = curr[3 * i + a]!;
        const y = target[3 * i + a]!;
        sw += w;
        sx += w * x;
        sy += w * y;
        sxx += w * x * x;
        sxy += w * x * y;
      }
      const den = sw * sxx - sx * sx;
      if (!(Math.abs(den) > 1e-18)) continue;
      const b = (sw * sxy - sx * sy) / den;
      const c = (sy - b * sx) / sw;
      if (!(b > 0)) continue;
      offset[a] = offset[a]! + c / (scale[a]! * b);
      scale[a] = scale[a]! * b;
    }
    const err = meanError(pts, n, offset, scale);
    if (Math.abs(prev - err) < tolerance) {
      prev = err;
      it++;
      break;
    }
    prev = err;
  }
  return {
    offset: offset as [number, number, number],
    scale: scale as [number, number, number],
    errorBeforeMg: before * 1000,
    errorAfterMg: prev * 1000,
    iterations: it,
  };
}

class CalibrationDetector implements StreamDetector {
  readonly name = 'imu-calibration';
  readonly version = '1.0.0';
  private readonly time = new TimeBase();
  private readonly idx: [number, number, number];
  private readonly scale: number;
  private readonly windowNs: number;
  private pts = new Float64Array(3 * 256);
  private count = 0;
  /** Keep one still window in `keepEvery` once the cap was reached. */
  private keepEvery = 1;
  private seen = 0;
  private stillWindows = 0;
  private cur = -1;
  private n = 0;
  private readonly shift = new Float64Array(3);
  private readonly s1 = new Float64Array(3);
  private readonly s2 = new Float64Array(3);

  constructor(private readonly stream: StreamInfo, private readonly p: CalibrationParams) {
    this.idx = xyzIndices(stream)!;
    this.scale = toGFactor(stream.unit)!;
    this.windowNs = p.windowS * 1e9;
  }

  push(chunk: SampleChunk): void {
    const len = chunk.length;
    if (len === 0) return;
    const offs = this.time.offsets(chunk);
    const vx = chunk.values[this.idx[0]]!;
    const vy = chunk.values[this.idx[1]]!;
    const vz = chunk.values[this.idx[2]]!;
    const k = this.scale;
    const wNs = this.windowNs;
    for (let i = 0; i < len; i++) {
      const o = offs[i]!;
      if (o < 0) continue;
      const x = vx[i]! * k;
      const y = vy[i]! * k;
      const z = vz[i]! * k;
      if (x !== x || y !== y || z !== z) continue;
      const w = Math.floor(o / wNs);
      if (w !== this.cur) {
        if (w < this.cur) continue;
        this.close();
        this.cur = w;
        this.n = 0;
        this.shift[0] = x;
        this.shift[1] = y;
        this.shift[2] = z;
        this.s1.fill(0);
        this.s2.fill(0);
      }
      this.n++;
      const dx = x - this.shift[0]!;
      const dy = y - this.shift[1]!;
      const dz = z - this.shift[2]!;
      this.s1[0]! += dx;
      this.s2[0]! += dx * dx;
      this.s1[1]! += dy;
      this.s2[1]! += dy * dy;
      this.s1[2]! += dz;
      this.s2[2]! += dz * dz;
    }
  }

  /** Keeps the current window's mean vector when every axis was still. */
  private close(): void {
    const n = this.n;
    if (this.cur < 0 || n < 3) return;
    const sdMax = this.p.stillSdMg / 1000;
    const mean = [0, 0, 0];
    for (let a = 0; a < 3; a++) {
      const m = this.s1[a]! / n;
      const sd = Math.sqrt(Math.max(0, (this.s2[a]! - n * m * m) / (n - 1)));
      if (!(sd < sdMax)) return;
      mean[a] = this.shift[a]! + m;
    }
    const norm = Math.hypot(mean[0]!, mean[1]!, mean[2]!);
    this.stillWindows++;
    if (norm < this.p.minNormG || norm > this.p.maxNormG) return;
    if (this.seen++ % this.keepEvery !== 0) return;
    if (this.count >= this.p.maxPoints) {
      for (let i = 0; i < this.count / 2; i++) this.pts.copyWithin(3 * i, 6 * i, 6 * i + 3);
      this.count = Math.floor(this.count / 2);
      this.keepEvery *= 2;
    }
    if (3 * (this.count + 1) > this.pts.length) {
      const grown = new Float64Array(this.pts.length * 2);
      grown.set(this.pts);
      this.pts = grown;
    }
    this.pts.set(mean, 3 * this.count);
    this.count++;
  }

  finish(): DetectorOutput {
    this.close();
    this.cur = -1;
    return { events: [], checks: [this.check()] };
  }

  private check(): QualityCheck {
    const p = this.p;
    const n = this.count;
    const name = this.stream.name;
    const base = { name: 'calibration_error', unit: 'mg', threshold: p.warnMg };
    if (n === 0) {
      const why = this.stillWindows > 0
        ? `its ${num(this.stillWindows)} still ${num(p.windowS)}-s window(s) do not read about 1 g (gravity removed?)`
        : `it has no still ${num(p.windowS)}-s window (SD < ${num(p.stillSdMg)} mg on every axis)`;
      return { ...base, status: 'ok', message: `Calibration of stream "${name}" cannot be checked: ${why}.` };
    }
    const before = meanError(this.pts, n, [0, 0, 0], [1, 1, 1]) * 1000;
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < 3; a++) {
        lo[a] = Math.min(lo[a]!, this.pts[3 * i + a]!);
        hi[a] = Math.max(hi[a]!, this.pts[3 * i + a]!);
      }
    }
    const spread = lo.every((l, a) => l < -p.sphereG && hi[a]! > p.sphereG);
    if (n < p.minWindows || !spread) {
      return {
        ...base, status: 'ok', value: round(before, 2),
        message: `Stream "${name}": not enough still orientations to estimate the calibration (${num(n)} still ${num(p.windowS)}-s window(s); each axis needs one above +${num(p.sphereG)} g and one below −${num(p.sphereG)} g). The mean gravity error over the still windows is ${num(before)} mg.`,
      };
    }
    const fit = fitSphere(this.pts, n, p.maxIterations, p.tolerance);
    const status: CheckStatus = before > p.badMg ? 'bad' : before > p.warnMg ? 'warn' : 'ok';
    const axes = ['x', 'y', 'z'];
    const offsets = fit.offset.map((o, a) => `${axes[a]} ${o >= 0 ? '+' : ''}${num(o * 1000)} mg`).join(', ');
    const scales = fit.scale.map((s, a) => `${axes[a]} ×${s.toFixed(4)}`).join(', ');
    return {
      ...base, status, value: round(before, 2),
      message: `Stream "${name}": calibration error ${num(before)} mg before and ${num(fit.errorAfterMg)} mg after auto-calibration over ${num(n)} still windows (fitted offsets ${offsets}; scales ${scales}; calibrated = (raw + offset) × scale).${status === 'ok' ? '' : ' Recalibrate the device or apply these corrections before computing intensity (ENMO).'}`,
    };
  }
}

/**
 * Accelerometer calibration error from the gravity norm over still periods: `windowS` windows with every
 * axis' SD < `stillSdMg` give mean vectors that should lie on the 1 g sphere; the check `calibration_error`
 * is their mean | |a| − 1 g | in mg before the fit, its status from `warnMg`/`badMg`, and the message gives the
 * error after the GGIR-style offset + scale fit and the fitted values. With too few orientations it says so
 * (status ok). Streams with gravity removed or the OS's gravity stream are not judged.
 */
export const imuCalibrationDetector: DetectorFactory = (stream: StreamInfo, options?: DetectorOptions) => {
  if (accelKind(stream) !== 'with-gravity') return null;
  return new CalibrationDetector(stream, withOverrides(CALIBRATION_DEFAULTS, options, 'calibration'));
};

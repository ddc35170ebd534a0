import { chunkTimeAt } from '../../domain/chunk-times.js';
import type { SampleChunk, StreamInfo } from '../../domain/stream.js';
import type { CheckStatus, QualityCheck } from '../types.js';
import { clockCheck, CLOCK_DEFAULTS } from './imu-clock.js';
import { num, pct, TimeBase, withOverrides, type DetectorOptions } from './imu-common.js';
import type { DetectorFactory, DetectorOutput, StreamDetector } from './types.js';

/** Signal checks' thresholds; a study overrides them with detector options `imuChecks.<name>`. */
export const SIGNAL_CHECK_DEFAULTS = Object.freeze({
  ...CLOCK_DEFAULTS,
  /** Flat axis: windows of this length; a channel is flat in a window when max − min ≤ flatTolerance × max(1, |value|). */
  flatWindowS: 60,
  flatTolerance: 1e-6,
  /**
   * "The other channels move" in a window when one of them spans at least this fraction of its largest
   * window range: a coarse sensor (Empatica's 1/64 g) at rest flickers by one step and does not count.
   */
  moveFraction: 0.05,
  /** Share of the windows where the others move in which a channel is flat: warn / bad at or above. */
  flatWarnFraction: 0.5,
  flatBadFraction: 0.9,
  /** Saturation at the declared range: |v| ≥ rangeLevel × range (8-bit sensors stop one step short of it). */
  rangeLevel: 0.99,
  /** Without a declared range: runs of ≥ satMinRun samples within satFlatTolerance (relative) at ≥ satRelativeLevel × the channel's max |v|, on a channel whose SD is ≥ satMinSpread × that max. */
  satMinRun: 3,
  satRelativeLevel: 0.999,
  satFlatTolerance: 1e-4,
  satMinSpread: 0.05,
  /** Saturated values as a fraction of all values: warn / bad at or above. */
  satWarnFraction: 0.0001,
  satBadFraction: 0.01,
});
export type SignalCheckParams = typeof SIGNAL_CHECK_DEFAULTS;

/** First sample at or after 1973-03-03 (1e17 ns): taken as wall-clock time unless `absoluteTime` says otherwise. */
const ABSOLUTE_MIN_NS = 100_000_000_000_000_000n;

class SignalChecks implements StreamDetector {
  readonly name = 'imu-signal-checks';
  readonly version = '1.0.0';
  private readonly time = new TimeBase();
  private readonly nCh: number;
  private readonly windowNs: number;
  private firstT: bigint | null = null;
  private maxOff = 0;
  private samples = 0;
  // flat axis: the current window's min/max per channel, then one range per window and channel
  private cur = -1;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private ranges: Float32Array;
  private level: Float32Array;
  private windows = 0;
  private readonly gLo: Float64Array;
  private readonly gHi: Float64Array;
  // saturation
  private readonly sat: Float64Array;
  private readonly satMax: Float64Array;
  private readonly satRun: Float64Array;
  private readonly satPrev: Float64Array;
  private readonly cnt: Float64Array;
  private readonly sum: Float64Array;
  private readonly sum2: Float64Array;

  constructor(private readonly stream: StreamInfo, private readonly p: SignalCheckParams, private readonly opts: DetectorOptions) {
    this.nCh = stream.channels.length;
    this.windowNs = p.flatWindowS * 1e9;
    const z = (): Float64Array => new Float64Array(this.nCh);
    this.lo = z();
    this.hi = z();
    this.gLo = z().fill(Infinity);
    this.gHi = z().fill(-Infinity);
    this.ranges = new Float32Array(256 * this.nCh);
    this.level = new Float32Array(256 * this.nCh);
    this.sat = z();
    this.satMax = z();
    this.satRun = z();
    this.satPrev = z();
    this.cnt = z();
    this.sum = z();
    this.sum2 = z();
  }

  push(chunk: SampleChunk): void {
    const n = chunk.length;
    if (n === 0) return;
    this.firstT ??= chunkTimeAt(chunk, 0);
    const offs = this.time.offsets(chunk);
    this.samples += n;
    const wNs = this.windowNs;
    // Window boundaries inside the chunk, then each channel's min/max over a run of one window.
    let i = 0;
    while (i < n) {
      const o = offs[i]!;
      if (o > this.maxOff) this.maxOff = o;
      const w = o < 0 ? this.cur : Math.floor(o / wNs);
      if (w > this.cur) {
        this.close();
        this.cur = w;
        this.lo.fill(Infinity);
        this.hi.fill(-Infinity);
      }
      let j = i + 1;
      const end = (this.cur + 1) * wNs;
      while (j < n && offs[j]! < end && offs[j]! >= 0) {
        if (offs[j]! > this.maxOff) this.maxOff = offs[j]!;
        j++;
      }
      for (let c = 0; c < this.nCh; c++) {
        const v = chunk.values[c];
        if (v === undefined) continue;
        let lo = this.lo[c]!;
        let hi = this.hi[c]!;
        for (let k = i; k < j; k++) {
          const x = v[k]!;
          if (x < lo) lo = x;
          if (x > hi) hi = x;
        }
        this.lo[c] = lo;
        this.hi[c] = hi;
      }
      i = j;
    }
    for (let c = 0; c < this.nCh; c++) {
      const v = chunk.values[c];
      if (v !== undefined) this.saturation(c, v, n);
    }
  }

  private close(): void {
    if (this.cur < 0) return;
    const k = this.nCh;
    if ((this.windows + 1) * k > this.ranges.length) {
      const grow = (a: Float32Array): Float32Array => {
        const b = new Float32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.ranges = grow(this.ranges);
      this.level = grow(this.level);
    }
    for (let c = 0; c < k; c++) {
      const lo = this.lo[c]!;
      const hi = this.hi[c]!;
      const has = hi >= lo;
      this.ranges[this.windows * k + c] = has ? hi - lo : Number.NaN;
      this.level[this.windows * k + c] = has ? Math.max(Math.abs(lo), Math.abs(hi)) : Number.NaN;
      if (has) {
        if (lo < this.gLo[c]!) this.gLo[c] = lo;
        if (hi > this.gHi[c]!) this.gHi[c] = hi;
      }
    }
    this.windows++;
  }

  /** Saturation: at the declared range, else plateaus at the channel's maximum (as the analyzer's clipping). */
  private saturation(c: number, v: Float32Array, n: number): void {
    const p = this.p;
    let cnt = 0;
    let s1 = 0;
    let s2 = 0;
    let sat = this.sat[c]!;
    const range = this.stream.range;
    if (range !== undefined && range > 0) {
      const lvl = p.rangeLevel * range;
      for (let i = 0; i < n; i++) {
        const x = v[i]!;
        if (x !== x) continue;
        cnt++;
        if (x >= lvl || x <= -lvl) sat++;
      }
    } else {
      let max = this.satMax[c]!;
      let run = this.satRun[c]!;
      let prev = this.satPrev[c]!;
      for (let i = 0; i < n; i++) {
        const x = v[i]!;
        if (x !== x) continue;
        cnt++;
        s1 += x;
        s2 += x * x;
        const a = x < 0 ? -x : x;
        if (a > 0 && a >= p.satRelativeLevel * max) {
          if (a > max) {
            if (a * p.satRelativeLevel > max) {
              sat = 0; // a clearly higher level: earlier runs were not at the true maximum
              run = 0;
            }
            max = a;
          }
          if (run > 0 && Math.abs(a - prev) > p.satFlatTolerance * max) run = 0;
          run++;
          if (run >= p.satMinRun) sat += run === p.satMinRun ? p.satMinRun : 1;
        } else run = 0;
        prev = a;
      }
      this.satMax[c] = max;
      this.satRun[c] = run;
      this.satPrev[c] = prev;
    }
    this.sat[c] = sat;
    this.cnt[c]! += cnt;
    this.sum[c]! += s1;
    this.sum2[c]! += s2;
  }

  finish(): DetectorOutput {
    this.close();
    this.cur = -1;
    const first = this.firstT;
    const firstMs = this.time.firstMs();
    const range = first === null || firstMs === null ? null : { firstMs, lastMs: firstMs + this.maxOff / 1e6 };
    const absOpt = this.opts?.absoluteTime;
    const absolute = typeof absOpt === 'boolean' ? absOpt : first !== null && first >= ABSOLUTE_MIN_NS;
    const tz = this.opts?.timezone;
    const nowOpt = this.opts?.['imuChecks.nowMs'];
    const clock = clockCheck(this.stream.name, range, absolute, this.p, {
      ...(typeof tz === 'string' ? { timezone: tz } : {}),
      nowMs: typeof nowOpt === 'number' ? nowOpt : Date.now(),
    });
    return { events: [], checks: [this.flatCheck(), this.saturationCheck(), clock] };
  }

  private flatCheck(): QualityCheck {
    const p = this.p;
    const k = this.nCh;
    const W = this.windows;
    const name = this.stream.name;
    const base = { name: 'flat_axis', stream: name, threshold: p.flatBadFraction, unit: 'fraction' };
    const flat = (w: number, c: number): boolean => {
      const r = this.ranges[w * k + c]!;
      return r === r && r <= p.flatTolerance * Math.max(1, this.level[w * k + c]!);
    };
    const maxRange = new Float64Array(k);
    for (let w = 0; w < W; w++) for (let c = 0; c < k; c++) if (this.ranges[w * k + c]! > maxRange[c]!) maxRange[c] = this.ranges[w * k + c]!;
    const moves = (w: number, c: number): boolean => {
      const r = this.ranges[w * k + c]!;
      return r === r && !flat(w, c) && r >= p.moveFraction * maxRange[c]!;
    };
    if (this.samples < 2) return { ...base, status: 'ok', message: `Stream "${name}" has too few samples to look for a flat channel.` };
    const constant = (c: number): boolean => this.gHi[c]! - this.gLo[c]! <= p.flatTolerance * Math.max(1, Math.abs(this.gHi[c]!), Math.abs(this.gLo[c]!));
    if (Array.from({ length: k }, (_, c) => constant(c)).every(Boolean)) {
      return { ...base, status: 'bad', value: 1, message: `Every channel of stream "${name}" holds one value for the whole recording: the sensor was not sampling (check it was enabled and not in a stand-by mode).` };
    }
    let worst = -1;
    let worstFrac = 0;
    let worstN = 0;
    for (let c = 0; c < k; c++) {
      let others = 0;
      let flatThen = 0;
      for (let w = 0; w < W; w++) {
        let any = false;
        for (let d = 0; d < k && !any; d++) if (d !== c && moves(w, d)) any = true;
        if (!any) continue;
        others++;
        if (flat(w, c)) flatThen++;
      }
      const frac = others > 0 ? flatThen / others : 0;
      if (frac > worstFrac) {
        worst = c;
        worstFrac = frac;
        worstN = others;
      }
    }
    const status: CheckStatus = worstFrac >= p.flatBadFraction ? 'bad' : worstFrac >= p.flatWarnFraction ? 'warn' : 'ok';
    const ch = this.stream.channels[worst] ?? '?';
    return {
      ...base, status, value: worstFrac,
      message: status === 'ok'
        ? `No channel of stream "${name}" stays flat while the others move.`
        : `Channel "${ch}" of stream "${name}" stays at one value in ${pct(worstFrac)} of the ${num(worstN)} ${num(p.flatWindowS)}-s windows where the other channels move: the axis is stuck or disconnected; do not use it (or the stream) for orientation-dependent features.`,
    };
  }

  private saturationCheck(): QualityCheck {
    const p = this.p;
    const name = this.stream.name;
    const range = this.stream.range;
    const byRange = range !== undefined && range > 0;
    const perChannel = Array.from(this.sat, (s, c) => {
      if (byRange || s === 0) return s;
      const n = this.cnt[c]!;
      const mean = this.sum[c]! / n;
      const sd = Math.sqrt(Math.max(0, this.sum2[c]! / n - mean * mean));
      return sd >= p.satMinSpread * this.satMax[c]! ? s : 0;
    });
    const total = perChannel.reduce((a, b) => a + b, 0);
    const values = this.cnt.reduce((a, b) => a + b, 0);
    const frac = values > 0 ? total / values : 0;
    const status: CheckStatus = total === 0 ? 'ok' : frac >= p.satBadFraction ? 'bad' : frac >= p.satWarnFraction ? 'warn' : 'ok';
    const worst = perChannel.reduce((b, s, c) => (s > perChannel[b]! ? c : b), 0);
    const at = byRange ? `the sensor's range ±${num(range)} ${this.stream.unit}` : `the channel's maximum ±${num(this.satMax[worst]!, 4)} ${this.stream.unit} (no range declared)`;
    return {
      name: 'saturation', stream: name, status, value: total, threshold: p.satWarnFraction, unit: 'values',
      message: total === 0
        ? `Stream "${name}" never reaches ${byRange ? `its range ±${num(range)} ${this.stream.unit}` : 'a saturated plateau'}.`
        : `Stream "${name}" has ${num(total)} value(s) (${pct(frac)}) at ${at}, most in channel "${this.stream.channels[worst] ?? '?'}"; ${status === 'ok' ? 'too few to matter.' : `the motion exceeded the sensor: ${rangeAdvice(this.stream)} for this activity.`}`,
    };
  }
}

const DEG = Math.PI / 180;

/** A wider range to suggest, in the stream's own unit (and the sensor's usual one): g for acceleration, deg/s for rotation. */
export function rangeAdvice(stream: StreamInfo): string {
  const sensor = `${stream.sensor} ${stream.name}`.toLowerCase();
  const unit = stream.unit;
  const gyro = /gyr|rotation/.test(sensor) || unit === 'rad/s' || unit === 'deg/s';
  if (gyro) {
    if (unit === 'rad/s') return `raise its range (e.g. ±2000 deg/s = ±${num(2000 * DEG)} rad/s)`;
    if (unit === 'deg/s') return 'raise its range (e.g. ±1000 or ±2000 deg/s)';
    return `raise its range (e.g. ±2000 deg/s, in this stream's unit ${unit})`;
  }
  if (/acc/.test(sensor) || unit === 'm/s^2' || unit === 'g') {
    if (unit === 'm/s^2') return `raise its range (e.g. ±8 g = ±${num(8 * 9.80665)} m/s^2, or ±16 g = ±${num(16 * 9.80665)} m/s^2)`;
    if (unit === 'g') return 'raise its range (e.g. ±8 g or ±16 g)';
  }
  return `raise its range (in this stream's unit, ${unit})`;
}

/**
 * Signal checks of any motion stream: `flat_axis` (a channel stuck at one value while the others move, or
 * the whole stream constant), `saturation` (at `stream.range` when declared, else plateaus at the channel's
 * maximum), and `clock_plausible` (year of wall-clock times; daylight-saving changes inside the recording
 * when the option `timezone` gives an IANA zone). Options: `absoluteTime` (boolean: whether times are
 * wall-clock; inferred from the first sample otherwise), `timezone`, `imuChecks.<threshold>`, and
 * `imuChecks.nowMs` (the current time, for reproducible tests).
 */
export const imuSignalChecks: DetectorFactory = (stream: StreamInfo, options?: DetectorOptions) => {
  if (stream.kind !== 'imu' || stream.channels.length === 0) return null;
  return new SignalChecks(stream, withOverrides(SIGNAL_CHECK_DEFAULTS, options, 'imuChecks'), options);
};

import type { SampleChunk, StreamInfo } from '../../domain/stream.js';
import type { CheckStatus, QualityCheck } from '../types.js';
import { accelKind, clamp01, num, PeriodEstimator, round, TimeBase, toGFactor, withOverrides, xyzIndices, type DetectorOptions } from './imu-common.js';
import type { DetectedEvent, DetectedSegment, DetectorFactory, DetectorOutput, StreamDetector } from './types.js';

/**
 * Non-wear parameters (GGIR's defaults: van Hees et al. 2011/2013, `windowsizes = c(5, 900, 3600)`); a study
 * overrides them with detector options `nonWear.<name>`.
 */
export const NON_WEAR_DEFAULTS = Object.freeze({
  /** Long window judged at once, and the step it slides by (minutes). */
  windowMin: 60,
  stepMin: 15,
  /** An axis is "quiet" when its SD and its range over the window are below these (mg). */
  sdMaxMg: 13,
  rangeMaxMg: 50,
  /** The window is non-wear when at least this many of the 3 axes are quiet. */
  minAxes: 2,
  /** Samples are summarised in blocks of this many seconds (window and step are whole blocks). */
  blockS: 60,
  /** A window is judged only when samples cover at least this share of it (gaps). */
  minCoverage: 0.5,
  /**
   * Recordings shorter than one window: the window shrinks to the recording (step a quarter of it) when the
   * recording lasts at least `minScaledWindowMin`; shorter ones are not judged (a still minute is no evidence).
   * Set `scaleShortRecordings` false to judge only full windows.
   */
  scaleShortRecordings: true,
  minScaledWindowMin: 10,
  /** Share of the stream's time detected as non-wear that makes the check warn / bad. */
  warnShare: 0.1,
  badShare: 0.5,
});
export type NonWearParams = typeof NON_WEAR_DEFAULTS;

/** Per-block, per-axis summaries (n, mean, M2, min, max), growing with the recording (1,440 blocks a day). */
class Blocks {
  idx: number[] = [];
  n: number[] = [];
  mean: number[][] = [[], [], []];
  m2: number[][] = [[], [], []];
  min: number[][] = [[], [], []];
  max: number[][] = [[], [], []];
}

interface Window {
  s: number;
  e: number;
  sdMg: number;
  rangeMg: number;
  confidence: number;
}

class NonWearDetector implements StreamDetector {
  readonly name = 'imu-nonwear';
  readonly version = '1.0.0';
  private readonly time = new TimeBase();
  private readonly period: PeriodEstimator;
  private readonly idx: [number, number, number];
  private readonly scale: number;
  private readonly blockNs: number;
  private readonly blocks = new Blocks();
  private lastOff = 0;
  // the current block (values in mg, shifted by the block's first value)
  private cur = -1;
  private cn = 0;
  private readonly shift = new Float64Array(3);
  private readonly s1 = new Float64Array(3);
  private readonly s2 = new Float64Array(3);
  private readonly lo = new Float64Array(3);
  private readonly hi = new Float64Array(3);

  constructor(private readonly stream: StreamInfo, private readonly p: NonWearParams) {
    this.idx = xyzIndices(stream)!;
    this.scale = toGFactor(stream.unit)! * 1000;
    this.period = new PeriodEstimator(stream.nominalRateHz);
    this.blockNs = p.blockS * 1e9;
  }

  push(chunk: SampleChunk): void {
    const n = chunk.length;
    if (n === 0) return;
    const offs = this.time.offsets(chunk);
    if (!this.period.known) this.period.observe(offs, n);
    const v = [chunk.values[this.idx[0]]!, chunk.values[this.idx[1]]!, chunk.values[this.idx[2]]!];
    const k = this.scale;
    const bNs = this.blockNs;
    for (let i = 0; i < n; i++) {
      const o = offs[i]!;
      if (o < 0) continue;
      const b = Math.floor(o / bNs);
      if (b !== this.cur) {
        if (b < this.cur) continue; // time went backwards: left out
        this.close();
        this.cur = b;
        this.cn = 0;
      }
      const x = v[0]![i]! * k;
      const y = v[1]![i]! * k;
      const z = v[2]![i]! * k;
      if (x !== x || y !== y || z !== z) continue;
      if (this.cn === 0) {
        this.shift.set([x, y, z]);
        this.s1.fill(0);
        this.s2.fill(0);
        this.lo.set([x, y, z]);
        this.hi.set([x, y, z]);
      }
      this.cn++;
      this.add(0, x);
      this.add(1, y);
      this.add(2, z);
      if (o > this.lastOff) this.lastOff = o;
    }
  }

  private add(a: number, x: number): void {
    const d = x - this.shift[a]!;
    this.s1[a]! += d;
    this.s2[a]! += d * d;
    if (x < this.lo[a]!) this.lo[a] = x;
    if (x > this.hi[a]!) this.hi[a] = x;
  }

  private close(): void {
    if (this.cur < 0 || this.cn === 0) return;
    const B = this.blocks;
    const n = this.cn;
    B.idx.push(this.cur);
    B.n.push(n);
    for (let a = 0; a < 3; a++) {
      const m = this.s1[a]! / n;
      B.mean[a]!.push(this.shift[a]! + m);
      B.m2[a]!.push(Math.max(0, this.s2[a]! - n * m * m));
      B.min[a]!.push(this.lo[a]!);
      B.max[a]!.push(this.hi[a]!);
    }
    this.cn = 0;
  }

  /** Window [s, e) in blocks: per axis SD and range (mg) and the samples it holds (Chan's parallel formula). */
  private judge(s: number, e: number, from: number): { n: number; sd: number[]; range: number[]; next: number } {
    const B = this.blocks;
    let j = from;
    while (j < B.idx.length && B.idx[j]! < s) j++;
    const next = j;
    let n = 0;
    const mean = [0, 0, 0];
    const m2 = [0, 0, 0];
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    for (; j < B.idx.length && B.idx[j]! < e; j++) {
      const nb = B.n[j]!;
      for (let a = 0; a < 3; a++) {
        const d = B.mean[a]![j]! - mean[a]!;
        const tot = n + nb;
        mean[a]! += (d * nb) / tot;
        m2[a]! += B.m2[a]![j]! + (d * d * n * nb) / tot;
        lo[a] = Math.min(lo[a]!, B.min[a]![j]!);
        hi[a] = Math.max(hi[a]!, B.max[a]![j]!);
      }
      n += nb;
    }
    return { n, sd: m2.map((x) => (n > 1 ? Math.sqrt(x / (n - 1)) : 0)), range: hi.map((h, a) => h - lo[a]!), next };
  }

  finish(): DetectorOutput {
    this.close();
    this.cur = -1;
    this.period.settle();
    const p = this.p;
    const B = this.blocks;
    const spanNs = B.idx.length > 0 ? this.lastOff + (this.period.known ? this.period.ns : 0) : 0;
    const lastBlock = B.idx.length > 0 ? B.idx[B.idx.length - 1]! : -1;
    const blocks = lastBlock + 1;
    let win = Math.max(1, Math.round((p.windowMin * 60) / p.blockS));
    let step = Math.max(1, Math.round((p.stepMin * 60) / p.blockS));
    let scaled = false;
    if (blocks < win) {
      if (!p.scaleShortRecordings || spanNs < p.minScaledWindowMin * 60e9) return this.tooShort(spanNs);
      scaled = true;
      step = Math.max(1, Math.round((blocks * step) / win));
      win = blocks;
    }
    const flagged: Window[] = [];
    const starts: number[] = [];
    for (let s = 0; s + win <= blocks; s += step) starts.push(s);
    if (starts[starts.length - 1] !== blocks - win) starts.push(blocks - win);
    const periodNs = this.period.known ? this.period.ns : 0;
    let from = 0;
    for (const s of starts) {
      const w = this.judge(s, s + win, from);
      from = w.next;
      const coverage = periodNs > 0 ? (w.n * periodNs) / (win * this.blockNs) : 1;
      if (w.n < 2 || coverage < p.minCoverage) continue;
      const quiet = [0, 1, 2].filter((a) => w.sd[a]! < p.sdMaxMg && w.range[a]! < p.rangeMaxMg);
      if (quiet.length < p.minAxes) continue;
      const sdMg = Math.max(...quiet.map((a) => w.sd[a]!));
      const rangeMg = Math.max(...quiet.map((a) => w.range[a]!));
      const margin = Math.max(sdMg / p.sdMaxMg, rangeMg / p.rangeMaxMg);
      flagged.push({ s: s * this.blockNs, e: Math.min((s + win) * this.blockNs, spanNs), sdMg, rangeMg, confidence: 0.5 + 0.5 * clamp01(1 - margin) });
    }
    return this.output(flagged, spanNs, win, step, scaled);
  }

  /** Non-wear = the union of the flagged windows. */
  private output(flagged: Window[], spanNs: number, win: number, step: number, scaled: boolean): DetectorOutput {
    const segments: DetectedSegment[] = [];
    const events: DetectedEvent[] = [];
    let totalNs = 0;
    let i = 0;
    while (i < flagged.length) {
      let j = i + 1;
      let end = flagged[i]!.e;
      while (j < flagged.length && flagged[j]!.s <= end) end = Math.max(end, flagged[j++]!.e);
      const run = flagged.slice(i, j);
      const start = run[0]!.s;
      totalNs += end - start;
      const confidence = round(run.reduce((s, w) => s + w.confidence, 0) / run.length, 3);
      const attributes = {
        sdMg: round(Math.max(...run.map((w) => w.sdMg)), 2),
        rangeMg: round(Math.max(...run.map((w) => w.rangeMg)), 2),
        windowMin: round((win * this.p.blockS) / 60, 2),
        windows: run.length,
        confidence,
      };
      segments.push({ kind: 'non-wear', startNs: this.time.ns(start), endNs: this.time.ns(end), attributes });
      events.push({ label: 'non-wear', startNs: this.time.ns(start), endNs: this.time.ns(end), confidence, attributes });
      i = j;
    }
    const share = spanNs > 0 ? totalNs / spanNs : 0;
    const p = this.p;
    const status: CheckStatus = share >= p.badShare ? 'bad' : share >= p.warnShare ? 'warn' : 'ok';
    const how = `${num((win * p.blockS) / 60)}-min windows every ${num((step * p.blockS) / 60)} min${scaled ? ' (scaled down to this short recording)' : ''}`;
    const check: QualityCheck = {
      name: 'non_wear',
      status,
      value: round(share * 100, 2),
      threshold: p.warnShare * 100,
      unit: '%',
      message:
        totalNs === 0
          ? `Stream "${this.stream.name}" shows no non-wear (${how}: ≥ ${p.minAxes} axes with SD < ${num(p.sdMaxMg)} mg and range < ${num(p.rangeMaxMg)} mg).`
          : `Stream "${this.stream.name}" looks not worn for ${num(totalNs / 3.6e12)} h (${num(share * 100, 3)}% of its time) in ${segments.length} period(s) (${how}); ${status === 'ok' ? 'little enough to keep.' : 'exclude those periods from wear-time analyses and check the participant wore the device.'}`,
    };
    return { events, segments, checks: [check] };
  }

  private tooShort(spanNs: number): DetectorOutput {
    const p = this.p;
    return {
      events: [],
      segments: [],
      checks: [{
        name: 'non_wear', status: 'ok', value: 0, threshold: p.warnShare * 100, unit: '%',
        message: `Stream "${this.stream.name}" lasts ${num(spanNs / 60e9)} min, too short to judge non-wear (needs ${num(p.scaleShortRecordings ? p.minScaledWindowMin : p.windowMin)} min).`,
      }],
    };
  }
}

/**
 * GGIR-style non-wear on a 3-axis acceleration (not the OS's gravity stream): windows of `windowMin` sliding by
 * `stepMin`, non-wear when ≥ `minAxes` axes have SD < `sdMaxMg` and range < `rangeMaxMg`; non-wear periods are
 * the union of such windows (segments kind `non-wear`, events label `non-wear`), and the check `non_wear`
 * gives their share of the stream's time. Memory: one summary per `blockS` block (1,440 a day).
 */
export const imuNonWearDetector: DetectorFactory = (stream: StreamInfo, options?: DetectorOptions) => {
  const kind = accelKind(stream);
  if (kind === null || kind === 'gravity') return null;
  return new NonWearDetector(stream, withOverrides(NON_WEAR_DEFAULTS, options, 'nonWear'));
};

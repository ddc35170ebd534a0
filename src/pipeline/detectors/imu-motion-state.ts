/**
 * Still vs moving in the whole-body sense, sample by sample, for the activity detector: a phone on a table, in
 * a pocket or on the waist, or a watch on the wrist, at any rate from ≈ 10 Hz up. Bounded memory (a ring of
 * 2 × window / block blocks plus the bouts found) and a handful of additions per sample.
 */

/** The still/moving parameters (part of the activity detector's options, `activity.<name>`). */
export interface MotionStateParams {
  /** Resolution of the still/moving decision (s): boundaries fall on multiples of it. */
  blockS: number;
  /** Length (s) of the trailing and of the leading window whose acceleration spread is measured. */
  motionWindowS: number;
  /** A still stretch turns `moving` when the spread exceeds this (mg)… */
  movingEnterMg: number;
  /** …and a moving one stays `moving` while the spread stays above this (mg): the hysteresis band. */
  movingStayMg: number;
  /** Moving bouts shorter than this (s) next to still time are still (a gesture, a shift of weight). */
  minMovingS: number;
  /** Still pauses shorter than this (s) between two moving bouts are part of the movement. */
  minStillS: number;
}

/** A run of blocks with one label, on the stream's offset axis (ns from its first sample). */
export interface MotionRun {
  label: 'still' | 'moving';
  startOff: number;
  endOff: number;
  /** Sum over its blocks of the block's spread (mg) and of its confidence, and the number of blocks. */
  spreadSum: number;
  confidenceSum: number;
  blocks: number;
}

/** Per-block sums kept in the ring: n, Σ|a|, Σ|a|², Σa and Σa² per axis (g). */
const F = 9;

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/**
 * The spread of the acceleration over a window (mg). With gravity in the signal (|mean| ≥ 0.5 g) it is the SD
 * of the magnitude |a|: turning the device (postural sway, a wrist rotating) leaves |a| at 1 g, so only real
 * acceleration counts; without gravity (the OS removed it) it is the total per-axis SD √(σx²+σy²+σz²), which
 * rotation does not touch either. `s` holds the window's pooled sums in the {@link F}-layout.
 */
export function windowSpreadMg(s: Float64Array): number {
  const n = s[0]!;
  if (!(n > 1)) return Number.NaN;
  let norm2 = 0;
  let axisVar = 0;
  for (let a = 0; a < 3; a++) {
    const mean = s[3 + 2 * a]! / n;
    norm2 += mean * mean;
    axisVar += Math.max(0, s[4 + 2 * a]! / n - mean * mean);
  }
  if (norm2 < 0.25) return Math.sqrt(axisVar) * 1000;
  const m = s[1]! / n;
  return Math.sqrt(Math.max(0, s[2]! / n - m * m)) * 1000;
}

/**
 * Streams samples into blocks of `blockS`; each block's spread is the smaller of its trailing and leading
 * `motionWindowS` windows' spreads, so a boundary is placed where the movement starts or stops, not half a
 * window early or late (the trailing window sees an onset only once it happened, the leading one an end only
 * once it is over). Hysteresis between `movingStayMg` and `movingEnterMg` turns the spreads into runs.
 */
export class MotionStateTracker {
  private readonly blockNs: number;
  private readonly k: number;
  private readonly ringSize: number;
  private readonly ring: Float64Array;
  /** First and last sample offsets of each block in the ring. */
  private readonly first: Float64Array;
  private readonly last: Float64Array;
  private readonly win = new Float64Array(F);
  /** The block being filled (-1 before the first sample) and the next block to be classified. */
  private cur = -1;
  private next = 0;
  private moving = false;
  private readonly runs: MotionRun[] = [];
  private open: MotionRun | null = null;
  private lastValidOff = Number.NaN;
  /** The current block's offsets [blockStart, blockEnd) and ring slot, so most samples skip the division. */
  private blockStart = 0;
  private blockEnd = 0;
  private slot = 0;

  constructor(private readonly p: MotionStateParams, private readonly periodNs: () => number) {
    this.blockNs = p.blockS * 1e9;
    this.k = Math.max(1, Math.round(p.motionWindowS / p.blockS));
    this.ringSize = 2 * this.k + 2;
    this.ring = new Float64Array(this.ringSize * F);
    this.first = new Float64Array(this.ringSize);
    this.last = new Float64Array(this.ringSize);
  }

  /** One sample: offset (ns), acceleration (g) and its magnitude. */
  add(o: number, x: number, y: number, z: number, m: number): void {
    if (!(o >= this.blockStart && o < this.blockEnd)) {
      const b = Math.floor(o / this.blockNs);
      if (b < this.cur) return; // time went backwards: left out
      if (b !== this.cur) this.advance(b);
      this.blockStart = b * this.blockNs;
      this.blockEnd = this.blockStart + this.blockNs;
      this.slot = b % this.ringSize;
    }
    const r = this.ring;
    const i = this.slot * F;
    if (r[i] === 0) this.first[this.slot] = o;
    this.last[this.slot] = o;
    r[i]!++;
    r[i + 1]! += m;
    r[i + 2]! += m * m;
    r[i + 3]! += x;
    r[i + 4]! += x * x;
    r[i + 5]! += y;
    r[i + 6]! += y * y;
    r[i + 7]! += z;
    r[i + 8]! += z * z;
  }

  /**
   * Moves to block `b`: every block whose leading window now lies in the past is classified (blocks after
   * the last one filled are empty: a gap, which ends the run), then the slots block `b` and the skipped ones
   * reuse are cleared.
   */
  private advance(b: number): void {
    if (this.cur >= 0) {
      const upTo = b - this.k;
      this.classifyUpTo(Math.min(upTo, this.cur));
      if (this.next <= upTo) {
        this.close();
        this.next = upTo + 1;
      }
    } else this.next = b;
    const from = Math.max(this.cur + 1, b - this.ringSize + 1);
    for (let c = from; c <= b; c++) this.ring.fill(0, (c % this.ringSize) * F, (c % this.ringSize) * F + F);
    this.cur = b;
  }

  /** Classifies blocks next … upTo (inclusive, all at most `cur`) from the ring. */
  private classifyUpTo(upTo: number): void {
    for (; this.next <= upTo; this.next++) this.classify(this.next);
  }

  /** Sums of blocks [b0, b1] that lie in the ring and were filled, into `win`; returns the blocks with data. */
  private pool(b0: number, b1: number): number {
    const w = this.win;
    w.fill(0);
    let filled = 0;
    const lo = Math.max(b0, this.cur - this.ringSize + 1);
    const hi = Math.min(b1, this.cur);
    for (let c = lo; c <= hi; c++) {
      const i = (c % this.ringSize) * F;
      if (this.ring[i]! === 0) continue;
      filled++;
      for (let f = 0; f < F; f++) w[f]! += this.ring[i + f]!;
    }
    return filled;
  }

  private classify(b: number): void {
    const slot = b % this.ringSize;
    if (this.ring[slot * F]! === 0) {
      this.close(); // no data in this block: a gap ends the run
      return;
    }
    const need = Math.ceil(this.k / 2);
    const k = this.k;
    const trailingBlocks = this.pool(b - k + 1, b);
    const trailing = trailingBlocks >= need ? windowSpreadMg(this.win) : Number.NaN;
    const leadingBlocks = this.pool(b, b + k - 1);
    const leading = leadingBlocks >= need ? windowSpreadMg(this.win) : Number.NaN;
    let spread = Math.min(trailing, leading);
    if (Number.isNaN(trailing)) spread = leading;
    else if (Number.isNaN(leading)) spread = trailing;
    if (Number.isNaN(spread)) {
      // Too little data on both sides (a short island between gaps): the block's own spread.
      this.pool(b, b);
      spread = windowSpreadMg(this.win);
      if (Number.isNaN(spread)) spread = 0;
    }
    const p = this.p;
    const moving = this.open === null ? spread >= p.movingEnterMg : this.moving ? spread > p.movingStayMg : spread >= p.movingEnterMg;
    const confidence = moving
      ? clamp01(0.5 + 0.5 * Math.log10(spread / p.movingStayMg))
      : clamp01(0.5 + 0.5 * Math.log10(p.movingEnterMg / Math.max(spread, 1e-6)));
    const label = moving ? 'moving' : 'still';
    const startOff = this.open === null ? this.first[slot]! : b * this.blockNs;
    if (this.open !== null && this.open.label !== label) {
      this.open.endOff = b * this.blockNs;
      this.runs.push(this.open);
      this.open = null;
    }
    this.moving = moving;
    if (this.open === null) this.open = { label, startOff, endOff: 0, spreadSum: 0, confidenceSum: 0, blocks: 0 };
    this.open.spreadSum += spread;
    this.open.confidenceSum += confidence;
    this.open.blocks++;
    this.lastValidOff = this.last[slot]!;
  }

  /** Ends the open run at the last sample seen (plus one sample period). */
  private close(): void {
    if (this.open === null) return;
    const period = this.periodNs();
    this.open.endOff = this.lastValidOff + (Number.isFinite(period) ? period : 0);
    this.runs.push(this.open);
    this.open = null;
  }

  /** The runs after the last sample, with short bouts absorbed ({@link absorbShortRuns}). */
  finish(): MotionRun[] {
    if (this.cur >= 0) this.classifyUpTo(this.cur);
    this.close();
    return absorbShortRuns(this.runs, this.p.minMovingS * 1e9, this.p.minStillS * 1e9);
  }
}

/** Runs that touch (no gap between them). */
const touching = (a: MotionRun, b: MotionRun): boolean => b.startOff <= a.endOff;

function merge(runs: MotionRun[]): MotionRun[] {
  const out: MotionRun[] = [];
  for (const r of runs) {
    const prev = out[out.length - 1];
    if (prev !== undefined && prev.label === r.label && touching(prev, r)) {
      prev.endOff = r.endOff;
      prev.spreadSum += r.spreadSum;
      prev.confidenceSum += r.confidenceSum;
      prev.blocks += r.blocks;
    } else out.push({ ...r });
  }
  return out;
}

/**
 * First, still pauses shorter than `minStillNs` between two moving runs become moving (a stop at a door while
 * walking); then moving runs shorter than `minMovingNs` that touch still time become still (a wrist gesture or
 * a shift of weight while seated). A short run with no neighbour (between gaps) keeps its label.
 */
export function absorbShortRuns(input: readonly MotionRun[], minMovingNs: number, minStillNs: number): MotionRun[] {
  const pass = (runs: MotionRun[], label: 'still' | 'moving', minNs: number, bothSides: boolean): MotionRun[] =>
    merge(runs.map((r, i) => {
      if (r.label !== label || r.endOff - r.startOff >= minNs) return r;
      const a = runs[i - 1];
      const c = runs[i + 1];
      const aOk = a !== undefined && a.label !== label && touching(a, r);
      const cOk = c !== undefined && c.label !== label && touching(r, c);
      const flip = bothSides ? aOk && cOk : aOk || cOk;
      // The flipped run keeps its blocks' spread; its confidence is the lowest a label can have.
      return flip ? { ...r, label: label === 'still' ? 'moving' : 'still', confidenceSum: 0.5 * r.blocks } : r;
    }));
  return pass(pass(merge([...input]), 'still', minStillNs, true), 'moving', minMovingNs, false);
}

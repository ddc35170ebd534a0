/**
 * Turns a sequence of frame decisions (active or not, in time order) into bouts: active frames closer than
 * `mergeGapS` join one bout (the hangover), bouts shorter than `minDurationS` are dropped, and kept bouts are
 * widened by `padS` on each side (never past the edge of the run of contiguous audio, and at most half the
 * merge gap, so padded bouts never overlap). Frames between the active ones of a bout count towards its
 * statistics. Memory: one open bout; closed bouts go to the callback at once.
 */
export interface BoutParams {
  mergeGapS: number;
  minDurationS: number;
  padS: number;
}

export interface Bout {
  /** Padded bounds, float64 ns from the stream's first sample. */
  startNs: number;
  endNs: number;
  /** Bounds of the active frames themselves. */
  coreStartNs: number;
  coreEndNs: number;
  /** Frames in the bout (active ones and the ones between them) and active frames. */
  frames: number;
  active: number;
  /** Per-slot sums of the per-frame statistics over the bout's frames. */
  sums: Float64Array;
  /** Per-slot maxima of the per-frame maxima over the bout's frames. */
  maxes: Float64Array;
}

export class BoutTracker {
  private readonly gapNs: number;
  private readonly minNs: number;
  private readonly padNs: number;
  private open = false;
  private runStartNs = Number.NaN;
  private lastEndNs = Number.NaN;
  private start = 0;
  private end = 0;
  private frames = 0;
  private active = 0;
  private readonly sums: Float64Array;
  private readonly maxes: Float64Array;
  /** Inactive frames since the bout's last active one (join the bout if another active frame comes soon). */
  private tailFrames = 0;
  private readonly tailSums: Float64Array;
  private readonly tailMaxes: Float64Array;

  constructor(
    params: BoutParams,
    sumSlots: number,
    maxSlots: number,
    private readonly onBout: (b: Bout) => void,
  ) {
    this.gapNs = Math.max(0, params.mergeGapS) * 1e9;
    this.minNs = Math.max(0, params.minDurationS) * 1e9;
    this.padNs = Math.min(Math.max(0, params.padS), Math.max(0, params.mergeGapS) / 2) * 1e9;
    this.sums = new Float64Array(sumSlots);
    this.tailSums = new Float64Array(sumSlots);
    this.maxes = new Float64Array(maxSlots).fill(Number.NEGATIVE_INFINITY);
    this.tailMaxes = new Float64Array(maxSlots).fill(Number.NEGATIVE_INFINITY);
  }

  /** One frame [startNs, endNs); `sums` are summed per slot, `maxes` maximised per slot. */
  frame(startNs: number, endNs: number, isActive: boolean, sums: ArrayLike<number>, maxes: ArrayLike<number>): void {
    if (Number.isNaN(this.runStartNs)) this.runStartNs = startNs;
    this.lastEndNs = endNs;
    if (isActive) {
      if (this.open && startNs - this.end > this.gapNs) this.close(this.end + this.padNs);
      if (!this.open) {
        this.open = true;
        this.start = startNs;
        this.frames = 0;
        this.active = 0;
        this.sums.fill(0);
        this.maxes.fill(Number.NEGATIVE_INFINITY);
      } else if (this.tailFrames > 0) {
        this.frames += this.tailFrames;
        addInto(this.sums, this.tailSums);
        maxInto(this.maxes, this.tailMaxes);
      }
      this.resetTail();
      this.end = endNs;
      this.frames++;
      this.active++;
      addInto(this.sums, sums);
      maxInto(this.maxes, maxes);
    } else if (this.open) {
      if (startNs - this.end > this.gapNs) this.close(this.end + this.padNs);
      else {
        this.tailFrames++;
        addInto(this.tailSums, sums);
        maxInto(this.tailMaxes, maxes);
      }
    }
  }

  /** The run of contiguous audio ended (a gap, or the end of the stream): closes the open bout. */
  endRun(): void {
    if (this.open) this.close(Math.min(this.end + this.padNs, this.lastEndNs));
    this.runStartNs = Number.NaN;
    this.lastEndNs = Number.NaN;
  }

  private resetTail(): void {
    this.tailFrames = 0;
    this.tailSums.fill(0);
    this.tailMaxes.fill(Number.NEGATIVE_INFINITY);
  }

  private close(paddedEnd: number): void {
    this.open = false;
    this.resetTail();
    if (this.end - this.start < this.minNs) return;
    this.onBout({
      startNs: Math.max(this.runStartNs, this.start - this.padNs),
      endNs: paddedEnd,
      coreStartNs: this.start,
      coreEndNs: this.end,
      frames: this.frames,
      active: this.active,
      sums: this.sums.slice(),
      maxes: this.maxes.slice(),
    });
  }
}

function addInto(acc: Float64Array, x: ArrayLike<number>): void {
  for (let s = 0; s < acc.length; s++) acc[s]! += x[s]!;
}

function maxInto(acc: Float64Array, x: ArrayLike<number>): void {
  for (let s = 0; s < acc.length; s++) if (x[s]! > acc[s]!) acc[s] = x[s]!;
}

/**
 * A streaming sample-rate converter for any pair of rates: band-limited interpolation with a
 * Blackman-windowed sinc (Smith's "bandlimited interpolation"), tabulated at `PHASES` sub-sample phases and
 * evaluated at the nearest one. When it lowers the rate, the sinc is stretched so its cutoff sits below the
 * new Nyquist frequency (anti-aliasing); when it raises it, the cutoff stays at the old one.
 *
 * Output sample j is the input signal at input position j · inRate / outRate (the filter is centred on it,
 * so the output has no delay relative to the input; it lags by `halfWidth` input samples of latency only).
 * Input before the first sample counts as zero. Memory: the filter table and a buffer of one input block.
 */
const PHASES = 256;
/** Zero crossings of the sinc on each side, in output samples (longer is sharper and slower). */
const ZERO_CROSSINGS = 8;
/** Cutoff as a fraction of the lower Nyquist frequency: leaves room for the window's transition band. */
const CUTOFF = 0.9;

export class Resampler {
  /** Input samples per output sample. */
  readonly step: number;
  /** Taps on each side of the centre, in input samples. */
  readonly halfWidth: number;
  private readonly taps: number;
  /** table[p · taps + k]: weight of input sample (centre − halfWidth + 1 + k) at phase p / PHASES. */
  private readonly table: Float32Array;
  private buf: Float32Array;
  /** Global input index of buf[0]. */
  private bufStart: number;
  private bufLen = 0;
  /** Next output index. */
  private j = 0;
  private out: Float32Array = new Float32Array(0);

  constructor(
    readonly inRate: number,
    readonly outRate: number,
  ) {
    this.step = inRate / outRate;
    const scale = Math.min(1, outRate / inRate);
    const fc = 0.5 * CUTOFF * scale;
    this.halfWidth = Math.ceil(ZERO_CROSSINGS / scale);
    this.taps = 2 * this.halfWidth;
    this.table = new Float32Array((PHASES + 1) * this.taps);
    for (let p = 0; p <= PHASES; p++) {
      const frac = p / PHASES;
      let sum = 0;
      for (let k = 0; k < this.taps; k++) {
        // Distance from the output position (centre + frac) to input sample centre − halfWidth + 1 + k.
        const d = k - this.halfWidth + 1 - frac;
        const x = 2 * fc * d;
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
        const u = (d + this.halfWidth) / (2 * this.halfWidth);
        const win = u <= 0 || u >= 1 ? 0 : 0.42 - 0.5 * Math.cos(2 * Math.PI * u) + 0.08 * Math.cos(4 * Math.PI * u);
        const w = sinc * win;
        this.table[p * this.taps + k] = w;
        sum += w;
      }
      // Unit gain at DC for every phase.
      for (let k = 0; k < this.taps; k++) this.table[p * this.taps + k]! /= sum;
    }
    // Zero history before the first sample.
    this.buf = new Float32Array(4096 + this.taps);
    this.bufStart = -this.taps;
    this.bufLen = this.taps;
  }

  /** Input position of output sample j. */
  inputPosition(j: number): number {
    return j * this.step;
  }

  /**
   * Feeds `n` input samples; returns the output samples that became computable, in a buffer reused by the
   * next call (copy what must be kept), and how many there are.
   */
  push(x: Float32Array, n: number): { out: Float32Array; count: number } {
    if (this.bufLen + n > this.buf.length) {
      const b = new Float32Array(Math.max(this.bufLen + n, 2 * this.buf.length));
      b.set(this.buf.subarray(0, this.bufLen));
      this.buf = b;
    }
    this.buf.set(x.subarray(0, n), this.bufLen);
    this.bufLen += n;
    const end = this.bufStart + this.bufLen;
    const maxOut = Math.max(0, Math.ceil((end - this.halfWidth) / this.step) - this.j + 1);
    if (this.out.length < maxOut) this.out = new Float32Array(Math.max(maxOut, 4096));
    const out = this.out;
    const buf = this.buf;
    const table = this.table;
    const taps = this.taps;
    const hw = this.halfWidth;
    const start = this.bufStart;
    let count = 0;
    let j = this.j;
    for (;;) {
      const pos = j * this.step;
      const centre = Math.floor(pos);
      // Needs input samples centre − hw + 1 … centre + hw.
      if (centre + hw >= end) break;
      const p = Math.round((pos - centre) * PHASES);
      const t0 = p * taps;
      const b0 = centre - hw + 1 - start;
      let acc = 0;
      for (let k = 0; k < taps; k++) acc += buf[b0 + k]! * table[t0 + k]!;
      out[count++] = acc;
      j++;
    }
    this.j = j;
    // Keep only the history the next output needs.
    const keepFrom = Math.floor(j * this.step) - hw + 1 - start;
    if (keepFrom > 0) {
      this.buf.copyWithin(0, keepFrom, this.bufLen);
      this.bufLen -= keepFrom;
      this.bufStart += keepFrom;
    }
    return { out, count };
  }
}

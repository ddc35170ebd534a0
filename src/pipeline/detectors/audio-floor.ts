import { RollingPercentile } from './audio-levels.js';

/**
 * A running noise floor with lookahead: frame levels go in, and each frame comes out `aheadFrames` later
 * together with the floor it should be judged against — the `quantile` of the levels from `backFrames`
 * before it to `aheadFrames` after it. Looking ahead lets a recording that starts with sound be judged
 * against the room rather than against itself. Each frame carries `fields` numbers of its own (field 0 is
 * its level in dB). Fixed memory: two rings of back + ahead + 1 levels and ahead + 1 frames.
 */
export class FloorQueue {
  private readonly hist: RollingPercentile;
  private readonly ring: Float64Array;
  private head = 0;
  private count = 0;
  private readonly out: Float64Array;

  constructor(
    private readonly fields: number,
    private readonly backFrames: number,
    private readonly aheadFrames: number,
    private readonly quantile: number,
    private readonly onFrame: (frame: Float64Array, floorDb: number) => void,
  ) {
    this.hist = new RollingPercentile(backFrames + aheadFrames + 1);
    this.ring = new Float64Array((aheadFrames + 1) * fields);
    this.out = new Float64Array(fields);
  }

  /** Adds a frame: `values[0]` is its level (dB), the rest anything the caller wants back. */
  push(values: ArrayLike<number>): void {
    this.hist.add(values[0]!);
    const slot = ((this.head + this.count) % (this.aheadFrames + 1)) * this.fields;
    for (let f = 0; f < this.fields; f++) this.ring[slot + f] = values[f]!;
    this.count++;
    if (this.count > this.aheadFrames) this.emitOldest();
  }

  /** Hands out every waiting frame (the end of a run: their floor sees no further ahead). */
  flush(): void {
    while (this.count > 0) {
      while (this.hist.size > this.backFrames + this.count) this.hist.dropOldest();
      this.emitOldest();
    }
  }

  private emitOldest(): void {
    const slot = this.head * this.fields;
    for (let f = 0; f < this.fields; f++) this.out[f] = this.ring[slot + f]!;
    this.head = (this.head + 1) % (this.aheadFrames + 1);
    this.count--;
    this.onFrame(this.out, this.hist.quantile(this.quantile));
  }
}

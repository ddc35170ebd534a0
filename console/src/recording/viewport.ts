/**
 * The recording view's shared state: which time window is shown, where the play cursor is, and the hover
 * position. Plots, the overview strip, the ruler, the audio player and the annotation layer all read and
 * move it; none of them keeps a window of its own. Times are seconds from the recording's start (float64:
 * sub-microsecond over 24 h).
 */
export interface ViewState {
  /** The recording's length in seconds (the axis runs over [0, durationS]). */
  durationS: number;
  fromS: number;
  toS: number;
  /** Play cursor (seconds), or null before anything was played or clicked. */
  cursorS: number | null;
  playing: boolean;
}

export type Listener = (s: ViewState, changed: ReadonlySet<keyof ViewState>) => void;

/** The narrowest window anyone may zoom to (10 ms: a few samples at 100 Hz, hundreds of audio samples). */
export const MIN_SPAN_S = 0.01;

export class Viewport {
  private s: ViewState;
  private readonly listeners = new Set<Listener>();

  constructor(durationS: number, fromS = 0, toS = durationS) {
    this.s = { durationS, fromS: 0, toS: durationS, cursorS: null, playing: false };
    this.setWindow(fromS, toS);
  }

  get state(): ViewState { return this.s; }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Shows [fromS, toS], clamped to the recording and to MIN_SPAN_S, keeping its span when it hits an end. */
  setWindow(fromS: number, toS: number): void {
    const d = this.s.durationS;
    let span = Math.max(MIN_SPAN_S, Math.min(d, toS - fromS));
    if (!Number.isFinite(span) || span <= 0) span = d;
    let a = fromS;
    if (a < 0) a = 0;
    if (a + span > d) a = Math.max(0, d - span);
    this.update({ fromS: a, toS: a + span });
  }

  /** Zooms by `factor` (< 1 zooms in) around `atS`, which stays under the same pixel. */
  zoomAt(atS: number, factor: number): void {
    const { fromS, toS } = this.s;
    const f = (atS - fromS) / (toS - fromS);
    const span = (toS - fromS) * factor;
    this.setWindow(atS - f * span, atS - f * span + span);
  }

  /** Pans by a fraction of the visible span (negative: earlier). */
  panBy(fraction: number): void {
    const { fromS, toS } = this.s;
    const ds = (toS - fromS) * fraction;
    this.setWindow(fromS + ds, toS + ds);
  }

  setCursor(cursorS: number | null): void { this.update({ cursorS: cursorS === null ? null : Math.min(this.s.durationS, Math.max(0, cursorS)) }); }
  setPlaying(playing: boolean): void { this.update({ playing }); }

  private update(patch: Partial<ViewState>): void {
    const changed = new Set<keyof ViewState>();
    for (const [k, v] of Object.entries(patch) as [keyof ViewState, ViewState[keyof ViewState]][]) {
      if (this.s[k] !== v) changed.add(k);
    }
    if (changed.size === 0) return;
    this.s = { ...this.s, ...patch };
    for (const l of this.listeners) l(this.s, changed);
  }
}

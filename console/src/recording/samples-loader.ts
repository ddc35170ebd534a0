/**
 * Fetches the samples one plot draws: for the visible window plus a margin (geometry/fetch-window), at one point
 * per device pixel, debounced while the view moves, the stale request aborted when a newer one starts, and the
 * last few windows kept so panning back and forth or zooming within them needs no fetch.
 */
import { pickHeld, windowToFetch, type FetchWindow, type HeldWindow, type TimeWindow } from '../geometry/fetch-window';
import { expectedSpacing, insertGapBreaks } from '../geometry/gaps';
import { envelopeBand } from '../geometry/envelope';

export interface SamplesAnswer {
  t: number[];
  channels: Record<string, (number | null)[]>;
  reduced: boolean;
}

/** A held window with its data ready to draw (gaps broken, channels in the stream's order). */
export interface HeldData extends HeldWindow {
  t: number[];
  values: (number | null)[][];
}

export type FetchSamples = (w: FetchWindow, signal: AbortSignal) => Promise<SamplesAnswer>;

const KEEP = 6;
const DEBOUNCE_MS = 90;

export class SamplesLoader {
  private held: HeldData[] = [];
  private shown: HeldData | null = null;
  private inflight: { ctrl: AbortController; win: FetchWindow } | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly fetchSamples: FetchSamples,
    private readonly channels: readonly string[],
    private readonly durationS: number,
    private readonly sampleRateHz: number | null,
    private readonly onData: (d: HeldData) => void,
    private readonly onError: (e: unknown) => void,
    /** Each channel as an upper and a lower edge (values: hi₀, lo₀, hi₁, lo₁, …), for a waveform band. */
    private readonly band = false,
  ) {}

  /** What the plot shows now (null before the first answer). */
  get current(): HeldData | null { return this.shown; }

  /**
   * Asks for `view` (in this stream's recording's own seconds). Drawn at once from a held window when one will
   * do; else fetched after the view stops moving for a moment (`immediate`: now).
   */
  request(view: TimeWindow, cssWidth: number, dpr: number, immediate = false): void {
    if (this.closed || cssWidth <= 0) return;
    const hit = pickHeld(this.held, view, this.durationS, cssWidth, dpr);
    if (hit) {
      this.cancelPending();
      this.held = [hit, ...this.held.filter((h) => h !== hit)];
      if (hit !== this.shown) this.show(hit);
      return;
    }
    // A request already on its way that will draw this view is let finish.
    if (this.inflight && pickHeld([{ ...this.inflight.win, reduced: true }], view, this.durationS, cssWidth, dpr)) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      return;
    }
    if (this.timer !== null) clearTimeout(this.timer);
    const go = (): void => {
      this.timer = null;
      void this.fetch(windowToFetch(view, this.durationS, cssWidth, dpr));
    };
    if (immediate) go();
    else this.timer = setTimeout(go, DEBOUNCE_MS);
  }

  close(): void {
    this.closed = true;
    this.cancelPending();
  }

  private cancelPending(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.inflight?.ctrl.abort();
    this.inflight = null;
  }

  private show(h: HeldData): void {
    this.shown = h;
    this.onData(h);
  }

  private async fetch(win: FetchWindow): Promise<void> {
    this.inflight?.ctrl.abort();
    const ctrl = new AbortController();
    this.inflight = { ctrl, win };
    try {
      const answer = await this.fetchSamples(win, ctrl.signal);
      if (ctrl.signal.aborted || this.closed) return;
      this.inflight = null;
      const byChannel = this.channels.map((c) => answer.channels[c] ?? new Array<number | null>(answer.t.length).fill(null));
      let raw = { t: answer.t, channels: byChannel };
      if (this.band) {
        const bands = byChannel.map((v) => envelopeBand(answer.t, v, answer.reduced));
        raw = { t: bands[0]?.t ?? [], channels: bands.flatMap((b) => [b.hi, b.lo]) };
      }
      const broken = insertGapBreaks(raw, expectedSpacing(raw.t, answer.reduced ? null : this.sampleRateHz));
      const h: HeldData = { ...win, reduced: answer.reduced, t: broken.t, values: broken.channels };
      this.held = [h, ...this.held].slice(0, KEEP);
      this.show(h);
    } catch (e) {
      if (ctrl.signal.aborted || this.closed) return;
      this.inflight = null;
      this.onError(e);
    }
  }
}

/**
 * Plays a recording's audio stream from the cursor without downloading the whole of it: consecutive 30 s WAV
 * chunks from the API (`…/streams/:name/audio?fromS&toS`), the next one fetched while the current one plays, each
 * played from a Blob URL by one HTMLAudioElement. The play cursor (Viewport.cursorS) is set every animation frame
 * from the chunk's start plus `audio.currentTime`; a cursor set by anyone else (a click on a plot) is a seek.
 */
import { fetchBinary } from '../api/client';
import type { Viewport, ViewState } from './viewport';

export const PLAYBACK_RATES = [0.5, 0.75, 1, 1.25, 1.5, 2] as const;
export const CHUNK_S = 30;
/** The rate audio is asked for: speech and most sounds of interest, at a third of 48 kHz's bytes. */
export const AUDIO_RATE = 16_000;

export interface AudioSource {
  token: string;
  recordingId: string;
  stream: string;
  /** Where the stream's audio ends (seconds from the recording's start). */
  endS: number;
}

export function audioUrl(src: AudioSource, fromS: number, toS: number): string {
  const q = new URLSearchParams({ fromS: String(fromS), toS: String(toS), rate: String(AUDIO_RATE) });
  return `/v1/recordings/${encodeURIComponent(src.recordingId)}/streams/${encodeURIComponent(src.stream)}/audio?${q}`;
}

export class AudioPlayer {
  private readonly audio = new Audio();
  private readonly chunks = new Map<number, { url: Promise<string>; ctrl: AbortController }>();
  private chunk = -1;
  private raf = 0;
  private seq = 0;
  private ownCursor: number | null = null;
  private rate = 1;
  private readonly unsubscribe: () => void;

  constructor(private readonly src: AudioSource, private readonly viewport: Viewport, private readonly onError: (message: string | null) => void) {
    this.audio.preload = 'auto';
    this.audio.preservesPitch = true;
    this.audio.addEventListener('ended', this.onEnded);
    this.unsubscribe = viewport.subscribe(this.onView);
  }

  get playbackRate(): number { return this.rate; }

  setRate(rate: number): void {
    this.rate = rate;
    this.audio.defaultPlaybackRate = rate;
    this.audio.playbackRate = rate;
    this.audio.preservesPitch = true;
  }

  toggle(): void {
    if (this.viewport.state.playing) this.pause();
    else this.play();
  }

  /** Plays from the cursor, or from the window's start when there is none or it is at the end. */
  play(): void {
    const { cursorS, fromS, toS } = this.viewport.state;
    const at = cursorS !== null && cursorS < this.src.endS - 0.05 && cursorS >= fromS && cursorS <= toS ? cursorS : fromS;
    void this.playFrom(at);
  }

  pause(): void {
    this.seq++;
    this.audio.pause();
    this.stopFrames();
    this.viewport.setPlaying(false);
  }

  destroy(): void {
    this.pause();
    this.unsubscribe();
    this.audio.removeEventListener('ended', this.onEnded);
    this.audio.removeAttribute('src');
    for (const i of [...this.chunks.keys()]) this.drop(i);
  }

  private async playFrom(t: number): Promise<void> {
    const seq = ++this.seq;
    const i = Math.floor(t / CHUNK_S);
    if (i * CHUNK_S >= this.src.endS) { this.pause(); return; }
    this.viewport.setPlaying(true);
    this.setOwnCursor(t);
    try {
      const url = await this.load(i);
      if (seq !== this.seq) return;
      this.chunk = i;
      if (this.audio.src !== url) {
        this.audio.src = url;
        await new Promise<void>((resolve, reject) => {
          const ok = (): void => { this.audio.removeEventListener('error', bad); resolve(); };
          const bad = (): void => { this.audio.removeEventListener('loadedmetadata', ok); reject(new Error('the browser could not decode the audio')); };
          this.audio.addEventListener('loadedmetadata', ok, { once: true });
          this.audio.addEventListener('error', bad, { once: true });
        });
        if (seq !== this.seq) return;
      }
      this.audio.currentTime = Math.max(0, t - i * CHUNK_S);
      this.setRate(this.rate);
      await this.audio.play();
      if (seq !== this.seq) return;
      this.onError(null);
      this.startFrames();
      // The next chunk comes while this one plays, so playback runs on without a wait.
      if ((i + 1) * CHUNK_S < this.src.endS) void this.load(i + 1).catch(() => undefined);
      this.evict(i);
    } catch (e) {
      if (seq !== this.seq) return;
      this.onError(`Audio could not be played: ${e instanceof Error ? e.message : String(e)}`);
      this.pause();
    }
  }

  private load(i: number): Promise<string> {
    const held = this.chunks.get(i);
    if (held) return held.url;
    const ctrl = new AbortController();
    const fromS = i * CHUNK_S;
    const toS = Math.min(this.src.endS, fromS + CHUNK_S);
    const url = fetchBinary(this.src.token, audioUrl(this.src, fromS, toS), ctrl.signal)
      .then((buf) => URL.createObjectURL(new Blob([buf], { type: 'audio/wav' })));
    url.catch(() => this.chunks.delete(i));
    this.chunks.set(i, { url, ctrl });
    return url;
  }

  /** Keeps the chunk playing, the one before (a seek back) and the next two; frees the rest. */
  private evict(current: number): void {
    for (const i of [...this.chunks.keys()]) if (i < current - 1 || i > current + 2) this.drop(i);
  }

  private drop(i: number): void {
    const c = this.chunks.get(i);
    if (!c) return;
    this.chunks.delete(i);
    c.ctrl.abort();
    void c.url.then((u) => URL.revokeObjectURL(u), () => undefined);
  }

  private readonly onEnded = (): void => {
    if (!this.viewport.state.playing) return;
    const next = (this.chunk + 1) * CHUNK_S;
    if (next >= this.src.endS) {
      this.setOwnCursor(this.src.endS);
      this.pause();
      return;
    }
    void this.playFrom(next);
  };

  private startFrames(): void {
    if (this.raf) return;
    const tick = (): void => {
      this.raf = requestAnimationFrame(tick);
      if (this.audio.paused || this.chunk < 0) return;
      const t = this.chunk * CHUNK_S + this.audio.currentTime;
      this.setOwnCursor(t);
      // The view pages along when the cursor leaves it.
      const { fromS, toS } = this.viewport.state;
      if (t > toS || t < fromS) this.viewport.setWindow(t, t + (toS - fromS));
    };
    this.raf = requestAnimationFrame(tick);
  }

  private stopFrames(): void {
    if (this.raf) cancelAnimationFrame(this.raf);
    this.raf = 0;
  }

  private setOwnCursor(t: number): void {
    this.ownCursor = Math.min(this.viewport.state.durationS, Math.max(0, t));
    this.viewport.setCursor(t);
  }

  /** A cursor set by someone else (a click on a plot, a key) while playing: continue from there. */
  private readonly onView = (s: ViewState, changed: ReadonlySet<keyof ViewState>): void => {
    if (!changed.has('cursorS') || s.cursorS === null) return;
    if (this.ownCursor !== null && Math.abs(s.cursorS - this.ownCursor) < 1e-9) return;
    this.ownCursor = null;
    if (s.playing) void this.playFrom(s.cursorS);
  };
}

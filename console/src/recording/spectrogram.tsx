/**
 * Spectrogram of the visible window (when it is 2 min or shorter): the window's audio from the API in 30 s WAV
 * chunks kept for the next windows (audio-chunks.ts), decoded by the Web Audio API at 16 kHz, an STFT with one frame per device pixel (geometry/stft) painted in a
 * perceptual colour map, in a worker. While the view moves the last image is drawn stretched to where its window now lies,
 * and a new one is made once the view rests.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SpectrogramImage, SpectrogramJob } from './spectrogram.worker';
import { AUDIO_RATE, type AudioSource } from './audio-player';
import { AudioChunks } from './audio-chunks';
import { PLOT_LEFT, plotAreaWidth } from './plot-style';
import { frameScheduler, sizeCanvas } from './canvas';
import type { Viewport } from './viewport';

export const SPECTROGRAM_MAX_S = 120;
const REST_MS = 250;

interface Image { canvas: HTMLCanvasElement; fromS: number; toS: number }

export function Spectrogram({ source, viewport, width, height: HEIGHT }: { source: AudioSource; viewport: Viewport; width: number; height: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [tooLong, setTooLong] = useState(viewport.state.toS - viewport.state.fromS > SPECTROGRAM_MAX_S);
  const [problem, setProblem] = useState<string | null>(null);
  // Kept across size changes of the page: the decoded chunks stay useful.
  const chunks = useMemo(() => new AudioChunks(source), [source.token, source.recordingId, source.stream, source.endS]);

  useEffect(() => {
    const c = canvas.current;
    if (!c || width <= 0) return;
    const areaW = plotAreaWidth(width);
    let image: Image | null = null;
    let ctrl: AbortController | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let jobs = 0;
    const worker = new Worker(new URL('./spectrogram.worker.ts', import.meta.url), { type: 'module' });

    const paint = (): void => {
      const ctx = sizeCanvas(c, width, HEIGHT);
      if (!ctx) return;
      const { fromS, toS } = viewport.state;
      ctx.clearRect(0, 0, width, HEIGHT);
      ctx.fillStyle = '#000004';
      ctx.fillRect(PLOT_LEFT, 0, areaW, HEIGHT);
      if (image && toS - fromS <= SPECTROGRAM_MAX_S) {
        const x = (s: number): number => PLOT_LEFT + ((s - fromS) / (toS - fromS)) * areaW;
        ctx.save();
        ctx.beginPath();
        ctx.rect(PLOT_LEFT, 0, areaW, HEIGHT);
        ctx.clip();
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(image.canvas, x(image.fromS), 0, x(image.toS) - x(image.fromS), HEIGHT);
        ctx.restore();
      }
      if (toS > source.endS) {
        // Past the end of the audio: no sound recorded there, which is not the same as silence.
        const from = PLOT_LEFT + Math.max(0, (source.endS - fromS) / (toS - fromS)) * areaW;
        ctx.fillStyle = '#eef0f3';
        ctx.fillRect(from, 0, PLOT_LEFT + areaW - from, HEIGHT);
      }
      ctx.fillStyle = '#5b6475';
      ctx.font = '11px system-ui, sans-serif';
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      const nyquist = AUDIO_RATE / 2;
      for (const hz of [0, 2000, 4000, 6000, 8000]) {
        const y = HEIGHT - (hz / nyquist) * HEIGHT;
        ctx.fillText(hz === 0 ? '0' : `${hz / 1000}k`, PLOT_LEFT - 6, Math.min(HEIGHT - 6, Math.max(6, y)));
      }
      ctx.textAlign = 'left';
    };

    const compute = async (): Promise<void> => {
      timer = null;
      const { fromS, toS } = viewport.state;
      if (toS - fromS > SPECTROGRAM_MAX_S) return;
      const a = Math.max(0, fromS);
      const b = Math.min(source.endS, toS);
      if (b - a < 0.01) { image = null; paint(); return; }
      if (image && Math.abs(image.fromS - a) < 1e-6 && Math.abs(image.toS - b) < 1e-6) return;
      ctrl?.abort();
      const mine = new AbortController();
      ctrl = mine;
      try {
        // A fresh array (the chunks keep theirs), transferred to the worker.
        const samples = await chunks.window(a, b, mine.signal);
        if (mine.signal.aborted) return;
        const dpr = window.devicePixelRatio || 1;
        const columns = Math.round(((b - a) / (toS - fromS)) * areaW * dpr);
        const job: SpectrogramJob = { id: ++jobs, samples, sampleRateHz: AUDIO_RATE, columns, rows: Math.round(HEIGHT * dpr) };
        const done = await new Promise<SpectrogramImage>((resolve) => {
          const on = (m: MessageEvent<SpectrogramImage>): void => {
            if (m.data.id !== job.id) return;
            worker.removeEventListener('message', on);
            resolve(m.data);
          };
          worker.addEventListener('message', on);
          worker.postMessage(job, [samples.buffer]);
        });
        if (mine.signal.aborted) return;
        const off = document.createElement('canvas');
        off.width = done.frames;
        off.height = done.rows;
        off.getContext('2d')?.putImageData(new ImageData(done.pixels, done.frames, done.rows), 0, 0);
        // The frames cover [a, b] less the last frame's length; drawn over [a, b] the error is under one frame.
        image = { canvas: off, fromS: a, toS: b };
        setProblem(null);
        paint();
      } catch (e) {
        if (mine.signal.aborted) return;
        setProblem(`Spectrogram unavailable: ${e instanceof Error ? e.message : String(e)}`);
      }
    };

    const f = frameScheduler(paint);
    paint();
    // A moment's wait first: the layout settles (sizes change once or twice as the page fills) before a fetch.
    timer = setTimeout(() => void compute(), 120);
    const unsub = viewport.subscribe((s, changed) => {
      if (!changed.has('fromS') && !changed.has('toS')) return;
      setTooLong(s.toS - s.fromS > SPECTROGRAM_MAX_S);
      f.schedule();
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => void compute(), REST_MS);
    });
    return () => {
      unsub();
      f.cancel();
      if (timer !== null) clearTimeout(timer);
      ctrl?.abort();
      worker.terminate();
    };
  }, [chunks, source.endS, viewport, width, HEIGHT]);

  return (
    <div class="spectrogram">
      <div class="plot-head" style={{ paddingLeft: `${PLOT_LEFT}px` }}>
        <span class="plot-name">spectrogram</span><span class="plot-unit">{source.stream}, 0–8 kHz</span>
        {problem ? <span class="plot-problem" role="alert">{problem}</span> : null}
      </div>
      <div class="spectrogram-body" style={{ height: `${HEIGHT}px` }}>
        <canvas ref={canvas} data-testid="spectrogram" aria-label="Spectrogram of the visible window" role="img" />
        {tooLong ? <div class="spectrogram-note" style={{ left: `${PLOT_LEFT}px` }}>Zoom in to 2 min or less for the spectrogram</div> : null}
      </div>
    </div>
  );
}

/**
 * Spectrogram maths for the visible window: framing (how many FFT frames, how long, how far apart, for a canvas
 * of so many columns) and a short-time Fourier transform (Hann window, fft.js) giving log magnitudes. Pure: the
 * browser decodes the audio and paints; this only turns samples into numbers.
 */
import FFT from 'fft.js';

export interface StftFraming {
  /** FFT length (a power of two). */
  fftSize: number;
  /** Samples between frame starts (fractional; each frame starts at round(i × hop)). */
  hop: number;
  /** Frames (one per canvas column at most). */
  frames: number;
}

/**
 * Frames for `nSamples` drawn over `columns` columns: one frame per column (fewer when the window is short), of
 * about `frameS` seconds (32 ms by default: a speech spectrogram's usual resolution), shrunk for windows shorter
 * than one frame.
 */
export function stftFraming(nSamples: number, sampleRateHz: number, columns: number, frameS = 0.032): StftFraming {
  const target = Math.max(64, Math.min(8192, frameS * sampleRateHz));
  let fftSize = 2 ** Math.round(Math.log2(target));
  while (fftSize > 64 && fftSize > nSamples) fftSize >>= 1;
  const room = Math.max(0, nSamples - fftSize);
  const frames = Math.max(1, Math.min(Math.max(1, Math.floor(columns)), room + 1));
  const hop = frames > 1 ? room / (frames - 1) : 0;
  return { fftSize, hop, frames };
}

export interface Spectrogram {
  frames: number;
  /** Frequency bins per frame (fftSize / 2: DC up to just below Nyquist). */
  bins: number;
  /** Bin width in Hz. */
  binHz: number;
  /** dB (20·log10 of the magnitude), frame-major: data[frame × bins + bin]. */
  db: Float32Array;
  maxDb: number;
}

const hannCache = new Map<number, Float32Array>();
function hann(n: number): Float32Array {
  let w = hannCache.get(n);
  if (!w) {
    w = new Float32Array(n);
    for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    hannCache.set(n, w);
  }
  return w;
}

/** The STFT of `samples` with `framing`: log magnitudes per frame and bin. */
export function stft(samples: Float32Array, sampleRateHz: number, framing: StftFraming): Spectrogram {
  const { fftSize, hop, frames } = framing;
  const bins = fftSize / 2;
  const fft = new FFT(fftSize);
  const input = new Array<number>(fftSize).fill(0);
  const out = fft.createComplexArray() as number[];
  const w = hann(fftSize);
  const db = new Float32Array(frames * bins);
  let maxDb = -Infinity;
  // Normalised so a full-scale sine reads about 0 dB whatever the FFT length.
  const norm = 4 / fftSize;
  for (let f = 0; f < frames; f++) {
    const start = Math.round(f * hop);
    for (let i = 0; i < fftSize; i++) input[i] = (samples[start + i] ?? 0) * w[i]!;
    fft.realTransform(out, input);
    for (let b = 0; b < bins; b++) {
      const re = out[2 * b]!;
      const im = out[2 * b + 1]!;
      const v = 10 * Math.log10((re * re + im * im) * norm * norm + 1e-12);
      db[f * bins + b] = v;
      if (v > maxDb) maxDb = v;
    }
  }
  return { frames, bins, binHz: sampleRateHz / fftSize, db, maxDb };
}

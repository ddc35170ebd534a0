import { describe, expect, it } from 'vitest';
import { Resampler } from './audio-resample.js';

function sine(n: number, rate: number, hz: number, amp = 0.5): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * hz * i) / rate);
  return x;
}

/** Runs the resampler over x in pieces of `piece` samples and returns all its output. */
function resample(r: Resampler, x: Float32Array, piece: number): Float32Array {
  const out: number[] = [];
  for (let i = 0; i < x.length; i += piece) {
    const { out: o, count } = r.push(x.subarray(i, Math.min(x.length, i + piece)), Math.min(piece, x.length - i));
    for (let k = 0; k < count; k++) out.push(o[k]!);
  }
  return Float32Array.from(out);
}

describe('Resampler', () => {
  it('keeps a tone in band at the new rate, in time (no delay), for down- and up-sampling', () => {
    for (const [from, to, hz] of [
      [44100, 16000, 1000],
      [22050, 16000, 3000],
      [8000, 16000, 1000],
      [48000, 16000, 440],
    ] as const) {
      const y = resample(new Resampler(from, to), sine(from * 2, from, hz), 4096);
      // Every output whose filter window lies inside the input (the last ones wait for input never given).
      expect(y.length).toBeGreaterThan(to * 2 - 40);
      let worst = 0;
      for (let j = 100; j < y.length; j++) worst = Math.max(worst, Math.abs(y[j]! - 0.5 * Math.sin((2 * Math.PI * hz * j) / to)));
      expect(worst, `${from} → ${to} Hz`).toBeLessThan(0.01);
    }
  });

  it('removes a tone above the new Nyquist frequency instead of folding it down', () => {
    const y = resample(new Resampler(44100, 16000), sine(44100, 44100, 10_000), 4096);
    let peak = 0;
    for (let j = 100; j < y.length; j++) peak = Math.max(peak, Math.abs(y[j]!));
    // 10 kHz would alias to 6 kHz at 16 kHz: at least 40 dB down.
    expect(peak).toBeLessThan(0.5 * 0.01);
  });

  it('gives the same samples whatever the sizes of the pieces it is fed', () => {
    const x = sine(30_000, 44100, 1234);
    const a = resample(new Resampler(44100, 16000), x, 30_000);
    const b = resample(new Resampler(44100, 16000), x, 7);
    expect(b).toEqual(a);
  });
});

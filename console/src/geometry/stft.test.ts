import { describe, expect, it } from 'vitest';
import { stft, stftFraming } from './stft';

function sine(hz: number, rate: number, seconds: number, amplitude = 1): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

describe('stftFraming', () => {
  it('gives one 32 ms frame per column over a long window', () => {
    const f = stftFraming(16_000 * 60, 16_000, 1200);
    expect(f.fftSize).toBe(512);
    expect(f.frames).toBe(1200);
    expect(Math.round((f.frames - 1) * f.hop) + f.fftSize).toBe(16_000 * 60);
  });

  it('gives fewer frames than columns when the window is short, and shorter frames below one frame', () => {
    const f = stftFraming(600, 16_000, 1200);
    expect(f.fftSize).toBe(512);
    expect(f.frames).toBe(89);
    expect(stftFraming(100, 16_000, 1200).fftSize).toBe(64);
  });
});

describe('stft', () => {
  it('puts a pure sine\'s peak in its bin', () => {
    const rate = 16_000;
    const spec = stft(sine(1000, rate, 0.5), rate, stftFraming(8000, rate, 20));
    expect(spec.bins).toBe(256);
    expect(spec.binHz).toBeCloseTo(31.25, 9);
    for (let f = 0; f < spec.frames; f++) {
      let best = 0;
      for (let b = 1; b < spec.bins; b++) if (spec.db[f * spec.bins + b]! > spec.db[f * spec.bins + best]!) best = b;
      expect(best).toBe(32); // 1000 Hz / 31.25 Hz
    }
    expect(spec.maxDb).toBeGreaterThan(-3);
    expect(spec.maxDb).toBeLessThan(1);
  });

  it('reads a quieter sine lower by its level in dB', () => {
    const rate = 16_000;
    const loud = stft(sine(2000, rate, 0.1), rate, stftFraming(1600, rate, 4));
    const soft = stft(sine(2000, rate, 0.1, 0.1), rate, stftFraming(1600, rate, 4));
    expect(loud.maxDb - soft.maxDb).toBeCloseTo(20, 3);
  });
});

import { describe, expect, it } from 'vitest';
import { MAGMA_LUT, paintSpectrogram } from './colormap';

const luma = (i: number): number => 0.2126 * MAGMA_LUT[i * 3]! + 0.7152 * MAGMA_LUT[i * 3 + 1]! + 0.0722 * MAGMA_LUT[i * 3 + 2]!;

describe('colour map', () => {
  it('gets lighter from quiet to loud', () => {
    for (let i = 8; i < 256; i += 8) expect(luma(i)).toBeGreaterThan(luma(i - 8));
  });

  it('paints the loudest bin in the top colour and low frequencies at the bottom', () => {
    const db = new Float32Array([-100, -100, -100, 0]); // one frame, four bins: the top bin loud
    const px = paintSpectrogram({ frames: 1, bins: 4, binHz: 1, db, maxDb: 0 }, 4, 80);
    expect(Array.from(px.subarray(0, 3))).toEqual(Array.from(MAGMA_LUT.subarray(255 * 3, 256 * 3)));
    expect(Array.from(px.subarray(12, 15))).toEqual([0, 0, 4]);
  });

  it('keeps a quiet window dark (no scaling of its noise up to full colour)', () => {
    const db = new Float32Array([-70, -70, -70, -60]);
    const px = paintSpectrogram({ frames: 1, bins: 4, binHz: 1, db, maxDb: -60 }, 4, 80, -30);
    // -60 dB sits 50 dB above the floor (-30 − 80): 5/8 of the map, not its loudest colour.
    expect(Array.from(px.subarray(0, 3))).toEqual(Array.from(MAGMA_LUT.subarray(159 * 3, 160 * 3)));
  });
});

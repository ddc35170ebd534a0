/**
 * A perceptual colour map for the spectrogram (matplotlib's "magma", sampled at nine points and interpolated:
 * lightness rises steadily from black through purple and orange to pale yellow, so loudness reads at a glance
 * and in grey print), and the painting of log magnitudes into RGBA pixels.
 */
import type { Spectrogram } from './stft';

const MAGMA: readonly (readonly [number, number, number])[] = [
  [0, 0, 4], [28, 16, 68], [79, 18, 123], [129, 37, 129], [181, 54, 122],
  [229, 80, 100], [251, 135, 97], [254, 194, 135], [252, 253, 191],
];

/** 256 RGB entries of the colour map. */
export const MAGMA_LUT: Uint8Array = (() => {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * (MAGMA.length - 1);
    const k = Math.min(MAGMA.length - 2, Math.floor(x));
    const f = x - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(MAGMA[k]![c]! * (1 - f) + MAGMA[k + 1]![c]! * f);
  }
  return lut;
})();

/**
 * RGBA pixels (width = frames, `height` rows, low frequencies at the bottom) for a spectrogram, `rangeDb` of
 * dynamic range below its loudest bin, but never scaled up past `minTopDb`: a quiet window stays dark instead of
 * showing its noise floor as loud as speech.
 */
export function paintSpectrogram(spec: Spectrogram, height: number, rangeDb = 80, minTopDb = -30): Uint8ClampedArray<ArrayBuffer> {
  const w = spec.frames;
  const px = new Uint8ClampedArray(w * height * 4);
  const hi = Math.max(minTopDb, Number.isFinite(spec.maxDb) ? spec.maxDb : 0);
  const lo = hi - rangeDb;
  for (let y = 0; y < height; y++) {
    const bin = Math.min(spec.bins - 1, Math.floor(((height - 1 - y) / height) * spec.bins));
    for (let x = 0; x < w; x++) {
      const v = (spec.db[x * spec.bins + bin]! - lo) / (hi - lo);
      const i = Math.max(0, Math.min(255, Math.round(v * 255)));
      const o = (y * w + x) * 4;
      px[o] = MAGMA_LUT[i * 3]!;
      px[o + 1] = MAGMA_LUT[i * 3 + 1]!;
      px[o + 2] = MAGMA_LUT[i * 3 + 2]!;
      px[o + 3] = 255;
    }
  }
  return px;
}

/**
 * The spectrogram's STFT and painting, off the main thread (a 2-minute window is ~2 M samples: tens of ms that
 * would otherwise stall a frame). Receives the decoded samples (transferred), answers RGBA pixels (transferred).
 */
import { stft, stftFraming } from '../geometry/stft';
import { paintSpectrogram } from '../geometry/colormap';

export interface SpectrogramJob { id: number; samples: Float32Array; sampleRateHz: number; columns: number; rows: number }
export interface SpectrogramImage { id: number; pixels: Uint8ClampedArray<ArrayBuffer>; frames: number; rows: number }

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<SpectrogramJob>) => void) | null;
  postMessage: (message: SpectrogramImage, transfer: Transferable[]) => void;
};

scope.onmessage = (e) => {
  const { id, samples, sampleRateHz, columns, rows } = e.data;
  const spec = stft(samples, sampleRateHz, stftFraming(samples.length, sampleRateHz, columns));
  const pixels = paintSpectrogram(spec, rows);
  scope.postMessage({ id, pixels, frames: spec.frames, rows }, [pixels.buffer]);
};

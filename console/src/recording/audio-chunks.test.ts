import { describe, expect, it } from 'vitest';
import { chunksFor, joinChunks } from './audio-chunks';

describe('spectrogram audio in chunks', () => {
  it('names the chunks a window needs, its end excluded', () => {
    expect(chunksFor(0, 30)).toEqual({ first: 0, last: 0 });
    expect(chunksFor(19.99, 20.01)).toEqual({ first: 0, last: 0 });
    expect(chunksFor(29.99, 30.01)).toEqual({ first: 0, last: 1 });
    expect(chunksFor(43_149.6, 43_259.1)).toEqual({ first: 1438, last: 1441 });
    expect(chunksFor(5, 5)).toEqual({ first: 0, last: 0 });
  });

  it('joins chunks sample for sample and cuts the window out', () => {
    const rate = 10;
    // Chunks of 2 s at 10 Hz: sample k of the recording holds k.
    const chunk = (i: number, n = 20): Float32Array => Float32Array.from({ length: n }, (_, k) => i * 20 + k);
    const w = joinChunks([chunk(3), chunk(4), chunk(5)], 3, 6.5, 11.2, rate, 2);
    expect(Array.from(w)).toEqual(Array.from({ length: 47 }, (_, k) => 65 + k));
    // The recording's last chunk may be short: the window stops where the samples do.
    const end = joinChunks([chunk(7, 5)], 7, 14.2, 16, rate, 2);
    expect(Array.from(end)).toEqual([142, 143, 144]);
  });
});

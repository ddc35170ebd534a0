import { describe, expect, it } from 'vitest';
import { envelopeBand } from './envelope';

describe('envelopeBand', () => {
  it('turns alternating min/max points into upper and lower edges at each bucket', () => {
    const b = envelopeBand([0, 0.5, 1, 1.5], [-2, 3, 4, -1], true);
    expect(b).toEqual({ t: [0.25, 1.25], hi: [3, 4], lo: [-2, -1] });
  });

  it('keeps a bucket with one value and leaves an empty one empty', () => {
    expect(envelopeBand([0, 1, 2, 3], [null, 5, null, null], true)).toEqual({ t: [0.5, 2.5], hi: [5, null], lo: [5, null] });
  });

  it('gives raw samples as both edges', () => {
    expect(envelopeBand([0, 1], [1, 2], false)).toEqual({ t: [0, 1], hi: [1, 2], lo: [1, 2] });
  });
});

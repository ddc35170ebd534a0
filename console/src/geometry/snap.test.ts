import { describe, expect, it } from 'vitest';
import { nearestEdge, sampleGridOf, snapMove, snapTime, snapToGrid } from './snap';

describe('snapping annotation edges', () => {
  const grid = { originS: 0, stepS: 1 / 100 };

  it('takes the sample grid of the first IMU stream, else of the first stream with a rate', () => {
    expect(sampleGridOf([{ kind: 'audio', sampleRateHz: 16000 }, { kind: 'imu', sampleRateHz: null }, { kind: 'imu', sampleRateHz: 50, startS: 0.5 }, { kind: 'imu', sampleRateHz: 100 }]))
      .toEqual({ originS: 0.5, stepS: 0.02 });
    expect(sampleGridOf([{ kind: 'other', sampleRateHz: null }, { kind: 'audio', sampleRateHz: 16000 }])).toEqual({ originS: 0, stepS: 1 / 16000 });
    expect(sampleGridOf([{ kind: 'other', sampleRateHz: null }])).toBeNull();
  });

  it('rounds to the nearest sample time, offset by the stream start', () => {
    expect(snapToGrid(12.3449, grid)).toBeCloseTo(12.34, 12);
    expect(snapToGrid(12.3451, grid)).toBeCloseTo(12.35, 12);
    expect(snapToGrid(1.011, { originS: 0.005, stepS: 0.01 })).toBeCloseTo(1.015, 12);
  });

  it('keeps sub-millisecond precision at the end of a day', () => {
    const t = snapToGrid(86399.987654, { originS: 0, stepS: 1 / 1000 });
    expect(Math.abs(t - 86399.988)).toBeLessThan(1e-6);
  });

  it('prefers a nearby edge, the nearest one, within the tolerance only', () => {
    expect(nearestEdge(10, [9.5, 10.04, 9.97], 0.06)).toBe(9.97);
    expect(nearestEdge(10, [10.2], 0.06)).toBeNull();
    expect(snapTime(10.003, { grid, edges: [10.0371], tolS: 0.06 })).toEqual({ t: 10.0371, to: 'edge' });
    const s = snapTime(10.003, { grid, edges: [10.2], tolS: 0.06 });
    expect(s.to).toBe('sample');
    expect(s.t).toBeCloseTo(10, 12);
    expect(snapTime(10.003, { tolS: 0.06 })).toEqual({ t: 10.003, to: 'none' });
  });

  it('never leaves the recording', () => {
    expect(snapTime(-0.4, { grid, tolS: 0.01, minS: 0, maxS: 60 }).t).toBe(0);
    expect(snapTime(61, { grid, tolS: 0.01, minS: 0, maxS: 60 }).t).toBe(60);
  });

  it('moves a region whole, its length kept, by whichever edge snaps better', () => {
    const m = snapMove(4.0, 6.013, { grid, edges: [6.05], tolS: 0.06 });
    expect(m.endS).toBeCloseTo(6.05, 12);
    expect(m.endS - m.startS).toBeCloseTo(2.013, 12);
    const clamped = snapMove(58.5, 60.5, { grid, tolS: 0.01, minS: 0, maxS: 60 });
    expect(clamped.endS).toBe(60);
    expect(clamped.startS).toBeCloseTo(58, 12);
  });
});

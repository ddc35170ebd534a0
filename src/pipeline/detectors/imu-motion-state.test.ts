import { describe, expect, it } from 'vitest';
import { imuActivityDetector } from './imu-activity.js';
import { absorbShortRuns, MotionStateTracker, windowSpreadMg, type MotionRun } from './imu-motion-state.js';
import { predictedSpans, scenarios, scoreMotion, splicedMotionSense } from './imu-motion-scenarios.test-support.js';
import { chunksOf, runDetector, synth } from './imu-signals.test-support.js';

/** Still vs moving agreement asked of every case, labelled or synthetic. */
const MIN_AGREEMENT = 0.92;
/** A boundary between still and moving is found within this many seconds of where it is. */
const MAX_BOUNDARY_ERROR_S = 1;

describe('still vs moving on synthetic phone and watch recordings', () => {
  for (const s of scenarios()) {
    it(`${s.name}: agreement ≥ ${MIN_AGREEMENT}, boundaries within ${MAX_BOUNDARY_ERROR_S} s`, () => {
      const out = runDetector(imuActivityDetector, s.stream, chunksOf(s.t, s.values, 1000));
      const predicted = predictedSpans(out);
      const { agreement, boundaries } = scoreMotion(s.reference, predicted);
      expect(agreement).toBeGreaterThanOrEqual(MIN_AGREEMENT);
      expect(boundaries.missed).toBe(0);
      expect(boundaries.maxAbsS ?? 0).toBeLessThanOrEqual(MAX_BOUNDARY_ERROR_S);
    });
  }
});

describe('still vs moving on MotionSense trials with still stretches spliced in (50 Hz, trouser pocket)', () => {
  for (const trial of ['wlk_15', 'jog_16', 'ups_12', 'dws_1'] as const) {
    for (const which of ['total', 'user'] as const) {
      it(`${trial} (${which} acceleration): agreement ≥ ${MIN_AGREEMENT}, four boundaries within ${MAX_BOUNDARY_ERROR_S} s`, () => {
        const s = splicedMotionSense(trial, which);
        const out = runDetector(imuActivityDetector, s.stream, chunksOf(s.t, s.values, 512));
        const predicted = predictedSpans(out);
        const { agreement, boundaries } = scoreMotion(s.reference, predicted);
        expect(agreement).toBeGreaterThanOrEqual(MIN_AGREEMENT);
        expect(boundaries.reference).toBe(4);
        expect(boundaries.missed).toBe(0);
        expect(boundaries.maxAbsS!).toBeLessThanOrEqual(MAX_BOUNDARY_ERROR_S);
      });
    }
  }
});

describe('the still/moving tracker', () => {
  const params = { blockS: 0.25, motionWindowS: 2, movingEnterMg: 30, movingStayMg: 15, minMovingS: 3, minStillS: 2 };

  it('measures the spread as the SD of |a| with gravity and as the total per-axis SD without', () => {
    // Sums (n, Σ|a|, Σ|a|², Σx, Σx², Σy, Σy², Σz, Σz²) of two samples.
    const sums = (a: [number, number, number][]): Float64Array => {
      const s = new Float64Array(9);
      for (const [x, y, z] of a) {
        const m = Math.hypot(x, y, z);
        s[0]!++;
        s[1]! += m;
        s[2]! += m * m;
        s[3]! += x;
        s[4]! += x * x;
        s[5]! += y;
        s[6]! += y * y;
        s[7]! += z;
        s[8]! += z * z;
      }
      return s;
    };
    // Gravity turned by 90°: the axes change by 1 g, the magnitude not at all.
    expect(windowSpreadMg(sums([[0, 0, 1], [1, 0, 0]]))).toBeCloseTo(0, 9);
    expect(windowSpreadMg(sums([[0, 0, 0.01], [0, 0, -0.01]]))).toBeCloseTo(10, 6);
    expect(windowSpreadMg(sums([[0, 0, 1]]))).toBeNaN();
  });

  it('places a boundary where the movement starts and stops, whatever the chunking, and ends a run at a gap', () => {
    // Still 20 s, shaking (0.2 g at 3 Hz) 20 s, still 20 s, a 10 s gap, still 10 s.
    const { t, values } = synth(80, (ts) => [0, 0, ts >= 20 && ts < 40 ? 1 + 0.2 * Math.sin(2 * Math.PI * 3 * ts) : 1], { rateHz: 50 });
    const keep = Array.from(t.keys()).filter((i) => i < 3000 || i >= 3500);
    for (const size of [1, 37, 4096]) {
      const tracker = new MotionStateTracker(params, () => 20e6);
      let first: bigint | null = null;
      for (let c = 0; c < keep.length; c += size) {
        for (const i of keep.slice(c, c + size)) {
          first ??= t[i]!;
          const x = values[0]![i]! / 9.80665;
          const y = values[1]![i]! / 9.80665;
          const z = values[2]![i]! / 9.80665;
          tracker.add(Number(t[i]! - first), x, y, z, Math.hypot(x, y, z));
        }
      }
      const runs = tracker.finish().map((r) => [r.label, r.startOff / 1e9, r.endOff / 1e9]);
      expect(runs).toEqual([['still', 0, 20], ['moving', 20, 40], ['still', 40, 60], ['still', 70, 80]]);
    }
  });

  it('absorbs short pauses into movement and short movements into stillness, but not at a gap', () => {
    const run = (label: 'still' | 'moving', s: number, e: number): MotionRun => ({ label, startOff: s * 1e9, endOff: e * 1e9, spreadSum: 0, confidenceSum: 0, blocks: 1 });
    const out = absorbShortRuns([run('still', 0, 10), run('moving', 10, 20), run('still', 20, 21), run('moving', 21, 30), run('still', 30, 50), run('moving', 50, 52), run('still', 52, 60), run('moving', 70, 71)], 3e9, 2e9);
    expect(out.map((r) => [r.label, r.startOff / 1e9, r.endOff / 1e9])).toEqual([['still', 0, 10], ['moving', 10, 30], ['still', 30, 60], ['moving', 70, 71]]);
  });
});

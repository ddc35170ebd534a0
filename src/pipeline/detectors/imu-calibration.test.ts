import { describe, expect, it } from 'vitest';
import { fitSphere, imuCalibrationDetector } from './imu-calibration.js';
import { accelStream, chunksOf, runDetector, synth } from './imu-signals.test-support.js';

/** 14 orientations over the sphere: the 6 axes and the 8 cube diagonals. */
const DIRS: [number, number, number][] = [
  [1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1],
  ...[-1, 1].flatMap((x) => [-1, 1].flatMap((y) => [-1, 1].map((z): [number, number, number] => [x / Math.sqrt(3), y / Math.sqrt(3), z / Math.sqrt(3)]))),
];

/** The device turned through `dirs`, 30 s still in each, read with `offset` (g) and `gain` per axis. */
function rotationSet(offset: number[], gain: number[], dirs = DIRS): ReturnType<typeof synth> {
  const hold = 30;
  return synth(hold * dirs.length, (ts) => {
    const d = dirs[Math.min(dirs.length - 1, Math.floor(ts / hold))]!;
    return [d[0] * gain[0]! + offset[0]!, d[1] * gain[1]! + offset[1]!, d[2] * gain[2]! + offset[2]!];
  }, { rateHz: 25, noiseMs2: 0.02 });
}

function parseOffsets(message: string): number[] {
  return ['x', 'y', 'z'].map((a) => Number(new RegExp(`${a} ([+-]?[0-9.]+) mg`).exec(message)?.[1]));
}

describe('imu-calibration (gravity-norm error over still periods, GGIR-style sphere fit)', () => {
  it('recovers a +30 mg offset on x within 3 mg', () => {
    const { t, values } = rotationSet([0.03, 0, 0], [1, 1, 1]);
    const out = runDetector(imuCalibrationDetector, accelStream({ nominalRateHz: 25 }), chunksOf(t, values));
    const check = out.checks![0]!;
    expect(check.name).toBe('calibration_error');
    expect(check.unit).toBe('mg');
    expect(check.value!).toBeGreaterThan(8);
    const [ox, oy, oz] = parseOffsets(check.message);
    expect(Math.abs(ox! - -30)).toBeLessThan(3);
    expect(Math.abs(oy!)).toBeLessThan(3);
    expect(Math.abs(oz!)).toBeLessThan(3);
    const after = Number(/and ([0-9.]+) mg after/.exec(check.message)?.[1]);
    expect(after).toBeLessThan(3);
  });

  it('is bad for a badly calibrated device and fits offsets and gains together', () => {
    const { t, values } = rotationSet([0.08, -0.06, 0.05], [1.02, 0.98, 1.0]);
    const out = runDetector(imuCalibrationDetector, accelStream({ nominalRateHz: 25 }), chunksOf(t, values, 333));
    const check = out.checks![0]!;
    expect(check.status).toBe('bad');
    expect(check.value!).toBeGreaterThan(50);
    // calibrated = (raw + offset) × scale undoes raw = true × gain + bias: offset = −bias, scale = 1/gain.
    const [ox, oy, oz] = parseOffsets(check.message);
    expect(ox).toBeCloseTo(-80, -1);
    expect(oy).toBeCloseTo(60, -1);
    expect(oz).toBeCloseTo(-50, -1);
    expect(Number(/and ([0-9.]+) mg after/.exec(check.message)?.[1])).toBeLessThan(3);
  });

  it('says so when the still windows do not span enough orientations', () => {
    const { t, values } = rotationSet([0.03, 0, 0], [1, 1, 1], [[0, 0, 1], [0, 0.6, 0.8], [0.6, 0, 0.8]]);
    const check = runDetector(imuCalibrationDetector, accelStream({ nominalRateHz: 25 }), chunksOf(t, values)).checks![0]!;
    expect(check.status).toBe('ok');
    expect(check.message).toContain('not enough still orientations to estimate');
  });

  it('cannot check a stream without still periods or without gravity', () => {
    const moving = synth(60, (ts) => [0.3 * Math.sin(2 * Math.PI * 2 * ts), 0, 1]);
    expect(runDetector(imuCalibrationDetector, accelStream(), chunksOf(moving.t, moving.values)).checks![0]!.message).toContain('no still');
    const noGravity = synth(60, () => [0, 0, 0]);
    expect(runDetector(imuCalibrationDetector, accelStream(), chunksOf(noGravity.t, noGravity.values)).checks![0]!.message).toContain('gravity removed');
    expect(imuCalibrationDetector(accelStream({ sensor: 'user_acceleration' }))).toBeNull();
    expect(imuCalibrationDetector(accelStream({ sensor: 'gravity' }))).toBeNull();
  });

  it('fitSphere leaves points already on the sphere as they are', () => {
    const pts = Float64Array.from(DIRS.flat());
    const fit = fitSphere(pts, DIRS.length);
    expect(fit.errorBeforeMg).toBeLessThan(1e-9);
    fit.offset.forEach((o) => expect(Math.abs(o)).toBeLessThan(1e-9));
    fit.scale.forEach((s) => expect(s).toBeCloseTo(1, 9));
  });
});

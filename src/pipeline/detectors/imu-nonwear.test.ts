import { describe, expect, it } from 'vitest';
import { imuNonWearDetector } from './imu-nonwear.js';
import { accelStream, chunksOf, runDetector, synth, T0 } from './imu-signals.test-support.js';

const H = 3600;
const RATE = 12.5;
const STREAM = accelStream({ nominalRateHz: RATE });

/** Worn: an arm moving gently (≈ 100 mg) on a tilted device; off: lying flat, sensor noise only. */
function wornOrOff(off: (ts: number) => boolean): (ts: number) => [number, number, number] {
  return (ts) => (off(ts) ? [0, 0, 1] : [0.5 + 0.1 * Math.sin(2 * Math.PI * 0.3 * ts), 0.2 * Math.sin(2 * Math.PI * 0.05 * ts), 0.85]);
}

const atS = (ns: string): number => Number(BigInt(ns) - T0) / 1e9;

describe('imu-nonwear (GGIR-style 60-min windows sliding by 15 min)', () => {
  it('finds 2 h on a table between two worn periods, and its share', () => {
    const { t, values } = synth(6 * H, wornOrOff((ts) => ts >= 2 * H && ts < 4 * H), { rateHz: RATE });
    const out = runDetector(imuNonWearDetector, STREAM, chunksOf(t, values, 65_536));
    expect(out.segments).toHaveLength(1);
    expect(atS(out.segments![0]!.startNs)).toBeCloseTo(2 * H, 6);
    expect(atS(out.segments![0]!.endNs)).toBeCloseTo(4 * H, 6);
    expect(out.events.map((e) => e.label)).toEqual(['non-wear']);
    expect(out.events[0]!.confidence).toBeGreaterThan(0.8);
    const check = out.checks![0]!;
    expect(check).toMatchObject({ name: 'non_wear', status: 'warn', unit: '%' });
    expect(check.value).toBeCloseTo(33.33, 1);
    expect(check.message).toContain('2 h');
  });

  it('keeps a still 40 min (shorter than one window) as worn', () => {
    const { t, values } = synth(3 * H, wornOrOff((ts) => ts >= H && ts < H + 40 * 60), { rateHz: RATE });
    const out = runDetector(imuNonWearDetector, STREAM, chunksOf(t, values));
    expect(out.segments).toHaveLength(0);
    expect(out.checks![0]).toMatchObject({ status: 'ok', value: 0 });
  });

  it('needs two quiet axes: one moving axis keeps the device worn', () => {
    const { t, values } = synth(2 * H, (ts) => [0.05 * Math.sin(2 * Math.PI * 0.2 * ts), 0.05 * Math.sin(2 * Math.PI * 0.3 * ts), 1], { rateHz: RATE });
    expect(runDetector(imuNonWearDetector, STREAM, chunksOf(t, values)).segments).toHaveLength(0);
    const { t: t2, values: v2 } = synth(2 * H, (ts) => [0.05 * Math.sin(2 * Math.PI * 0.2 * ts), 0, 1], { rateHz: RATE });
    expect(runDetector(imuNonWearDetector, STREAM, chunksOf(t2, v2)).segments).toHaveLength(1);
  });

  it('scales the window down for a short recording, and does not judge a very short one', () => {
    const { t, values } = synth(30 * 60, () => [0, 0, 1], { rateHz: RATE });
    const out = runDetector(imuNonWearDetector, STREAM, chunksOf(t, values));
    expect(out.segments).toHaveLength(1);
    expect(out.segments![0]!.attributes.windowMin).toBe(30);
    expect(out.checks![0]).toMatchObject({ status: 'bad', value: 100 });
    expect(out.checks![0]!.message).toContain('scaled down');

    const off = runDetector(imuNonWearDetector, STREAM, chunksOf(t, values), { 'nonWear.scaleShortRecordings': false });
    expect(off.segments).toHaveLength(0);
    expect(off.checks![0]!.message).toContain('too short');

    const short = synth(5 * 60, () => [0, 0, 1], { rateHz: RATE });
    const s = runDetector(imuNonWearDetector, STREAM, chunksOf(short.t, short.values));
    expect(s.checks![0]).toMatchObject({ status: 'ok', value: 0 });
    expect(s.checks![0]!.message).toContain('too short');
  });

  it('does not judge windows mostly inside a gap', () => {
    const { t, values } = synth(4 * H, wornOrOff(() => false), { rateHz: RATE });
    // Keep the worn first and last 30 min only: every 60-min window is at most half covered, and moving.
    const keep = Array.from(t.keys()).filter((i) => i / RATE < 30 * 60 || i / RATE >= 3.5 * H);
    const out = runDetector(imuNonWearDetector, STREAM, chunksOf(BigInt64Array.from(keep.map((i) => t[i]!)), values.map((v) => Float32Array.from(keep.map((i) => v[i]!)))));
    expect(out.segments).toHaveLength(0);
  });

  it('applies to accelerations only', () => {
    expect(imuNonWearDetector(accelStream({ sensor: 'gravity' }))).toBeNull();
    expect(imuNonWearDetector(accelStream({ unit: 'rad/s', sensor: 'gyroscope' }))).toBeNull();
    expect(imuNonWearDetector(accelStream({ sensor: 'user_acceleration' }))).not.toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import type { QualityCheck } from '../types.js';
import { G } from './imu-common.js';
import { imuSignalChecks } from './imu-signal-checks.js';
import { accelStream, chunksOf, runDetector, synth } from './imu-signals.test-support.js';

const NOW = Date.UTC(2025, 5, 1);
const walk = (ts: number): [number, number, number] => [0.2 * Math.sin(2 * Math.PI * ts), 0.1 * Math.cos(2 * Math.PI * 2 * ts), 1 + 0.4 * Math.sin(2 * Math.PI * 2 * ts)];

function checks(values: Float32Array[], t: BigInt64Array, over: Parameters<typeof accelStream>[0] = {}, options: Record<string, unknown> = {}): Record<string, QualityCheck> {
  const out = runDetector(imuSignalChecks, accelStream(over), chunksOf(t, values, 5000), { 'imuChecks.nowMs': NOW, ...options });
  return Object.fromEntries(out.checks!.map((c) => [c.name, c]));
}

describe('flat_axis', () => {
  it('is ok for a 2 Hz walk and bad when the y axis is stuck', () => {
    const { t, values } = synth(600, walk);
    expect(checks(values, t).flat_axis).toMatchObject({ status: 'ok', value: 0 });
    values[1]!.fill(0.12);
    const c = checks(values, t).flat_axis!;
    expect(c).toMatchObject({ status: 'bad', value: 1 });
    expect(c.message).toContain('Channel "y"');
  });

  it('warns when an axis is stuck for part of the time only', () => {
    const { t, values } = synth(600, walk);
    values[0]!.fill(0.5, 0, 40_000); // stuck for the first 400 of 600 s
    expect(checks(values, t).flat_axis!.status).toBe('warn');
  });

  it('is bad for a stream that never changes', () => {
    const { t, values } = synth(120, () => [0, 0, 1], { noiseMs2: 0 });
    const c = checks(values, t).flat_axis!;
    expect(c.status).toBe('bad');
    expect(c.message).toContain('Every channel');
  });

  it('does not flag a coarse sensor at rest (1/64 g steps, one axis flickering)', () => {
    const { t, values } = synth(600, () => [0.0078, 0, 1], { noiseMs2: 0.03 });
    for (const v of values) for (let i = 0; i < v.length; i++) v[i] = (Math.round((v[i]! / G) * 64) / 64) * G;
    expect(checks(values, t).flat_axis!.status).toBe('ok');
  });
});

describe('saturation', () => {
  const clipped = (): ReturnType<typeof synth> => {
    const s = synth(60, (ts) => [3 * Math.sin(2 * Math.PI * 1.5 * ts), 0.2, 1]);
    const lim = 2 * G;
    s.values[0] = s.values[0]!.map((x) => Math.max(-lim, Math.min(lim, x)));
    return s;
  };

  it('counts values at the declared range of a clipped sine', () => {
    const { t, values } = clipped();
    const c = checks(values, t, { range: 2 * G }).saturation!;
    expect(c.status).toBe('bad');
    expect(c.value!).toBeGreaterThan(1000);
    expect(c.message).toContain('range ±19.6');
    expect(c.message).toContain('channel "x"');
  });

  it('suggests a wider range in the stream\'s own unit: g for an accelerometer, deg/s and rad/s for a gyroscope', () => {
    const { t, values } = clipped();
    const acc = checks(values, t, { range: 2 * G }).saturation!;
    expect(acc.message).toContain('±8 g = ±78.5 m/s^2');
    // A gyroscope in rad/s clipped at ±250 deg/s (4.36 rad/s).
    const lim = (250 * Math.PI) / 180;
    const spin = synth(60, (ts) => [8 * Math.sin(2 * Math.PI * 1.5 * ts), 0.1, 0]);
    spin.values[0] = spin.values[0]!.map((x) => Math.max(-lim, Math.min(lim, x)));
    const gyro = { name: 'gyroscope', sensor: 'gyroscope', unit: 'rad/s', range: lim };
    const c = checks(spin.values, spin.t, gyro).saturation!;
    expect(c.status).toBe('bad');
    expect(c.message).toContain('range ±4.36 rad/s');
    expect(c.message).toContain('±2000 deg/s = ±34.9 rad/s');
    expect(c.message).not.toMatch(/±\d+ g\b/);
    const noRange = checks(spin.values, spin.t, { name: 'gyroscope', sensor: 'gyroscope', unit: 'rad/s' }).saturation!;
    expect(noRange.message).toContain('deg/s');
    expect(noRange.message).not.toContain('±8 g');
  });

  it('finds the plateaus of a clipped sine without a declared range, and none in a clean one', () => {
    const { t, values } = clipped();
    expect(checks(values, t).saturation!.status).toBe('bad');
    const clean = synth(60, (ts) => [1.5 * Math.sin(2 * Math.PI * 1.5 * ts), 0.2, 1]);
    expect(checks(clean.values, clean.t).saturation).toMatchObject({ status: 'ok', value: 0 });
    expect(checks(clean.values, clean.t, { range: 8 * G }).saturation).toMatchObject({ status: 'ok', value: 0 });
  });
});

describe('clock_plausible', () => {
  it('accepts a 2023 recording and says when no time zone was given', () => {
    const { t, values } = synth(10, walk);
    const c = checks(values, t).clock_plausible!;
    expect(c).toMatchObject({ status: 'ok', value: 2023 });
    expect(c.message).toContain('no time zone given');
  });

  it('is bad for an unset clock (1970 wall-clock) and for a date after next year', () => {
    const old = synth(10, walk, { t0: 5_000_000_000n });
    expect(checks(old.values, old.t, {}, { absoluteTime: true }).clock_plausible).toMatchObject({ status: 'bad', value: 1970 });
    const future = synth(10, walk, { t0: BigInt(Date.UTC(2031, 0, 1)) * 1_000_000n });
    expect(checks(future.values, future.t).clock_plausible).toMatchObject({ status: 'bad', value: 2031 });
  });

  it('does not judge times that count from the recording start', () => {
    const rel = synth(10, walk, { t0: 0n });
    expect(checks(rel.values, rel.t).clock_plausible!.message).toContain("count from the recording's start");
  });

  it('warns with the time of a daylight-saving change inside the recording', () => {
    // Europe/Berlin moved from UTC+01:00 to UTC+02:00 at 2024-03-31T01:00:00Z.
    const t0 = BigInt(Date.UTC(2024, 2, 30, 22)) * 1_000_000n;
    const { t, values } = synth(6 * 3600, walk, { t0, rateHz: 1 });
    const c = checks(values, t, { nominalRateHz: 1 }, { timezone: 'Europe/Berlin' }).clock_plausible!;
    expect(c.status).toBe('warn');
    expect(c.message).toContain('2024-03-31T01:00:00Z (UTC+01:00 → UTC+02:00)');
    expect(checks(values, t, { nominalRateHz: 1 }, { timezone: 'Asia/Tokyo' }).clock_plausible!.status).toBe('ok');
    expect(checks(values, t, { nominalRateHz: 1 }, { timezone: 'Mars/Olympus' }).clock_plausible!.status).toBe('warn');
  });
});

describe('imuSignalChecks', () => {
  it('runs on every motion stream (gyroscopes too), not on audio', () => {
    expect(imuSignalChecks(accelStream({ sensor: 'gyroscope', unit: 'rad/s' }))).not.toBeNull();
    expect(imuSignalChecks({ name: 'audio', kind: 'audio', sensor: 'audio', channels: ['mono'], unit: 'pcm', nominalRateHz: 16000 })).toBeNull();
  });
});

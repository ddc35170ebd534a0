import { describe, expect, it } from 'vitest';
import { ACTIVITY_DEFAULTS, gaitPeriod, imuActivityDetector } from './imu-activity.js';
import { accelStream, chunksOf, coveredS, motionSense, runDetector, synth } from './imu-signals.test-support.js';

const MOVING = ['walking', 'running', 'moving'];

describe('imu-activity on synthetic signals', () => {
  it('calls a device at rest still, with high confidence', () => {
    const { t, values } = synth(60, () => [0, 0, 1]);
    const out = runDetector(imuActivityDetector, accelStream(), chunksOf(t, values));
    expect(out.segments).toHaveLength(1);
    expect(out.segments![0]).toMatchObject({ kind: 'still', startNs: t[0]!.toString() });
    expect(out.events).toHaveLength(1);
    expect(out.events[0]!.label).toBe('still');
    expect(out.events[0]!.confidence).toBeGreaterThan(0.9);
    expect(out.segments![0]!.attributes.intensityMetric).toBe('enmo');
    expect(out.segments![0]!.attributes.intensityMg as number).toBeLessThan(2);
  });

  it('finds a 2 Hz walk (120 steps/min) after a still minute, whatever the chunking', () => {
    const walk = (ts: number): [number, number, number] =>
      ts < 60 ? [0, 0, 1] : [0.15 * Math.sin(2 * Math.PI * 1 * ts), 0, 1 + 0.4 * Math.sin(2 * Math.PI * 2 * ts)];
    const { t, values } = synth(120, walk);
    for (const size of [7, 1000, 65_536]) {
      const out = runDetector(imuActivityDetector, accelStream(), chunksOf(t, values, size));
      expect(out.segments!.map((s) => s.kind)).toEqual(['still', 'walking']);
      const w = out.segments![1]!;
      expect(Number(BigInt(w.startNs) - t[0]!) / 1e9).toBeCloseTo(60, 6);
      expect(w.attributes.cadenceSpm as number).toBeGreaterThan(115);
      expect(w.attributes.cadenceSpm as number).toBeLessThan(125);
      expect(out.events[1]!.confidence).toBeGreaterThan(0.8);
    }
  });

  it('calls a fast, hard 2.8 Hz bounce running and works at 12.5 Hz with jitter', () => {
    const run = (ts: number): [number, number, number] => [0.3 * Math.sin(2 * Math.PI * 1.4 * ts), 0, 1 + 1.2 * Math.sin(2 * Math.PI * 2.8 * ts)];
    const { t, values } = synth(60, run, { rateHz: 12.5, jitterMs: 5 });
    const out = runDetector(imuActivityDetector, accelStream({ nominalRateHz: 12.5 }), chunksOf(t, values));
    expect(out.segments!.map((s) => s.kind)).toEqual(['running']);
    expect(out.segments![0]!.attributes.cadenceSpm as number).toBeCloseTo(168, -1);
  });

  it('tells from the data that an `accelerometer` has gravity removed (Sensor Logger on iOS)', () => {
    const { t, values } = synth(30, (ts) => [0, 0, 0.4 * Math.sin(2 * Math.PI * 2 * ts)]);
    const out = runDetector(imuActivityDetector, accelStream(), chunksOf(t, values));
    expect(out.segments!.map((s) => s.kind)).toEqual(['walking']);
    expect(out.segments![0]!.attributes.intensityMetric).toBe('mean-user-acceleration');
    expect(out.segments![0]!.attributes.intensityMg as number).toBeCloseTo((0.4 * 2 * 1000) / Math.PI, -1);
  });

  it('calls desk work (slow drift, 20 mg of noise per axis) still, never walking', () => {
    const { t, values } = synth(600, (ts) => [-0.5 + 0.1 * Math.sin(2 * Math.PI * 0.07 * ts), 0, 0.85], { noiseMs2: 0.2, rateHz: 50 });
    const out = runDetector(imuActivityDetector, accelStream({ nominalRateHz: 50 }), chunksOf(t, values));
    expect(out.segments!.map((s) => s.kind)).toEqual(['still']);
  });

  it('splits segments at a gap and leaves windows without enough data unclassified', () => {
    const { t, values } = synth(40, () => [0, 0, 1]);
    const keep = Array.from(t.keys()).filter((i) => i < 1000 || i >= 3000);
    const tt = BigInt64Array.from(keep.map((i) => t[i]!));
    const vv = values.map((v) => Float32Array.from(keep.map((i) => v[i]!)));
    const out = runDetector(imuActivityDetector, accelStream(), chunksOf(tt, vv));
    expect(out.segments!.map((s) => s.kind)).toEqual(['still', 'still']);
    expect(Number(BigInt(out.segments![0]!.endNs) - t[0]!) / 1e9).toBeCloseTo(10, 6);
    expect(Number(BigInt(out.segments![1]!.startNs) - t[0]!) / 1e9).toBeCloseTo(30, 6);
  });

  it('declines gravity, gyroscope and 1-axis streams; reads option overrides', () => {
    expect(imuActivityDetector(accelStream({ sensor: 'gravity' }))).toBeNull();
    expect(imuActivityDetector(accelStream({ sensor: 'gyroscope', unit: 'rad/s' }))).toBeNull();
    expect(imuActivityDetector(accelStream({ channels: ['x'] }))).toBeNull();
    const { t, values } = synth(20, () => [0, 0, 1], { noiseMs2: 0.6 }); // ≈ 61 mg SD of |a|
    expect(runDetector(imuActivityDetector, accelStream(), chunksOf(t, values)).segments![0]!.kind).toBe('moving');
    const out = runDetector(imuActivityDetector, accelStream(), chunksOf(t, values), { 'activity.movingEnterMg': 120, 'activity.movingStayMg': 100 });
    expect(out.segments![0]!.kind).toBe('still');
  });

  it('gaitPeriod finds the period of a sine and prefers it over its multiples', () => {
    const len = 125;
    const x = new Float64Array(len).map((_, i) => Math.sin((2 * Math.PI * i) / 12.5));
    const found = gaitPeriod([x], len, 6, 50);
    expect(found!.lag).toBeCloseTo(12.5, 0);
    expect(found!.periodicity).toBeGreaterThan(0.85);
  });
});

describe('imu-activity on MotionSense (iPhone in the trouser pocket, 50 Hz)', () => {
  const trials = ['wlk_15', 'jog_16', 'ups_12', 'dws_1'] as const;
  for (const trial of trials) {
    for (const which of ['total', 'user'] as const) {
      it(`annotates ${trial} (${which} acceleration) as moving-class for ≥ 90 % of its duration`, () => {
        const { stream, t, values } = motionSense(trial, which);
        const out = runDetector(imuActivityDetector, stream, chunksOf(t, values, 512));
        const durationS = t.length / 50;
        expect(coveredS(out, MOVING) / durationS).toBeGreaterThanOrEqual(0.9);
        expect(out.events.every((e) => MOVING.includes(e.label))).toBe(true);
        expect(out.segments![0]!.attributes.intensityMetric).toBe(which === 'total' ? 'enmo' : 'mean-user-acceleration');
        if (trial === 'wlk_15') expect(coveredS(out, ['walking']) / durationS).toBeGreaterThanOrEqual(0.7);
        if (trial === 'jog_16') expect(coveredS(out, ['running']) / durationS).toBeGreaterThanOrEqual(0.7);
        for (const s of trial === 'wlk_15' || trial === 'jog_16' ? out.segments! : []) {
          const cadence = s.attributes.cadenceSpm;
          if (s.kind === 'walking') expect(cadence).toSatisfy((c: number) => c > 95 && c < 120);
          if (s.kind === 'running') expect(cadence).toSatisfy((c: number) => c > 150 && c < 180);
        }
      });
    }
  }

  it('keeps its defaults frozen (a study overrides through options, never mutates them)', () => {
    expect(Object.isFrozen(ACTIVITY_DEFAULTS)).toBe(true);
    expect(ACTIVITY_DEFAULTS.runMinCadenceSpm).toBe(140);
  });
});

import { describe, expect, it } from 'vitest';
import { DETECTOR_FACTORIES, DetectorSet, recordingFindings, withoutLoudSpeech } from './index.js';
import { windowLevelDetectors } from './window-level.js';
import { ACCEL, accelRows, analyze, toChunks } from '../signals.test-support.js';
import type { AnnotationDraft } from '../types.js';

const a = (label: string, startS: number, endS: number): AnnotationDraft => ({ label, startS, endS, confidence: 0.8, detector: 'x', detectorVersion: '1' });

describe('withoutLoudSpeech', () => {
  it('drops loud bursts that are mostly inside speech, keeps the others', () => {
    const out = withoutLoudSpeech([a('speech', 1, 3), a('loud', 1.5, 1.7), a('loud', 2.9, 3.5), a('loud', 5, 5.2), a('tap', 1.5, 1.6)]);
    expect(out.map((d) => `${d.label}@${d.startS}`)).toEqual(['speech@1', 'loud@2.9', 'loud@5', 'tap@1.5']);
  });

  it('changes nothing without speech', () => {
    const drafts = [a('loud', 1, 2), a('walking', 0, 10)];
    expect(withoutLoudSpeech(drafts)).toEqual(drafts);
  });
});

describe('one detector framework', () => {
  const T0 = 1_698_765_432_000_000_000n;
  const motion = (name: string, sensor: string, unit = 'm/s^2') => {
    const stream = { ...ACCEL, name, sensor, unit };
    const { t, v } = accelRows(T0, 60, (ts) => (ts >= 30 ? 3 * Math.sin(2 * Math.PI * 2 * ts) : 0));
    return { stream, summary: analyze(stream, t, v), chunks: toChunks(t, v) };
  };
  const names = (set: DetectorSet): string[] => set.finish().detectors.map((d) => d.name);

  it('builds window-level and sample detectors through one interface; the activity detector takes a stream from motion-level', () => {
    const acc = motion('accelerometer', 'accelerometer');
    const accSet = new DetectorSet(acc.stream, DETECTOR_FACTORIES, {}, acc.summary);
    expect(accSet.needsSamples).toBe(true);
    expect(names(accSet)).toEqual(expect.arrayContaining(['sessions', 'imu-activity']));
    expect(names(new DetectorSet(acc.stream, DETECTOR_FACTORIES, {}, acc.summary))).not.toContain('motion-level');
    const gyro = motion('gyroscope', 'gyroscope', 'rad/s');
    const gyroNames = names(new DetectorSet(gyro.stream, DETECTOR_FACTORIES, {}, gyro.summary));
    expect(gyroNames).toEqual(expect.arrayContaining(['sessions', 'motion-level']));
    expect(gyroNames).not.toContain('imu-activity');
    // Without the stored summary the window-level detectors do not apply; with only them, no samples are read.
    expect(names(new DetectorSet(gyro.stream, DETECTOR_FACTORIES, {}))).not.toContain('motion-level');
    expect(new DetectorSet(gyro.stream, windowLevelDetectors, {}, gyro.summary).needsSamples).toBe(false);
  });

  it('keeps checks of every stream, proposals from one stream per detector, every-stream segments of each, on the recording axis', () => {
    const streams = [motion('gyroscope', 'gyroscope', 'rad/s'), motion('gyroscope_uncalibrated', 'gyroscope_uncalibrated', 'rad/s')].map((m) => {
      const set = new DetectorSet(m.stream, DETECTOR_FACTORIES, {}, m.summary);
      for (const c of m.chunks) set.push(c);
      return set.finish();
    });
    const origin = T0 - 10_000_000_000n;
    const f = recordingFindings(streams, origin);
    // motion-level ran on both gyroscopes: its proposals come from the preferred one only, its segments from both.
    const motionLevel = f.proposals.filter((p) => p.detector === 'motion-level');
    expect(motionLevel.map((p) => p.label)).toEqual(['still', 'moving']);
    expect(motionLevel[0]!.startS).toBeCloseTo(10, 6);
    expect(motionLevel[1]!.endS).toBeCloseTo(70, 1);
    const moving = f.segments.filter((s) => s.kind === 'moving');
    expect(new Set(moving.map((s) => s.stream))).toEqual(new Set(['gyroscope', 'gyroscope_uncalibrated']));
    expect(moving.every((s) => s.attributes.detector === 'motion-level')).toBe(true);
    expect(f.segments.filter((s) => s.kind === 'session').map((s) => s.stream).sort()).toEqual(['gyroscope', 'gyroscope_uncalibrated']);
    expect(new Set(f.checks.map((c) => c.stream))).toEqual(new Set(['gyroscope', 'gyroscope_uncalibrated']));
    expect(f.detectors.find((d) => d.name === 'motion-level')!.streams).toEqual(['gyroscope', 'gyroscope_uncalibrated']);
  });
});

import { describe, expect, it } from 'vitest';
import { DETECTORS, proposeAnnotations } from './annotate.js';
import { segmentStream } from './segment.js';
import { ACCEL, AUDIO, accelRows, analyze } from './signals.test-support.js';
import type { SegmentDraft } from './types.js';
import { PIPELINE_VERSION } from './version.js';

const T0 = 1_698_765_432_000_000_000n;

function motionSegments(name: string, sensor: string, amplitude: number): SegmentDraft[] {
  const { t, v } = accelRows(T0, 60, (ts) => (ts >= 30 ? amplitude * Math.sin(2 * Math.PI * 2 * ts) : 0));
  return segmentStream(analyze({ ...ACCEL, name, sensor }, t, v), T0);
}

describe('proposeAnnotations', () => {
  it('labels still then moving with motion-level', () => {
    const anns = proposeAnnotations(motionSegments('accelerometer', 'accelerometer', 3));
    expect(anns.map((a) => a.label)).toEqual(['still', 'moving']);
    expect(anns[0]).toMatchObject({ startS: 0, detector: 'motion-level', detectorVersion: DETECTORS.imuActivity.version });
    expect(Math.abs(anns[1]!.startS - 30)).toBeLessThanOrEqual(1);
    expect(anns[1]!.endS).toBeCloseTo(60, 6);
    // Still at ~0.011 m/s² is over a decade below 0.2: full confidence. Moving at 2.1 m/s² is ~1 decade above.
    expect(anns[0]!.confidence).toBe(1);
    expect(anns[1]!.confidence).toBeGreaterThan(0.95);
    for (const a of anns) expect(a.confidence).toBeLessThanOrEqual(1);
  });

  it('is less confident close to the threshold', () => {
    // A 0.4 m/s² bounce: std 0.28 m/s², just above the 0.2 threshold.
    const anns = proposeAnnotations(motionSegments('accelerometer', 'accelerometer', 0.4));
    const moving = anns.find((a) => a.label === 'moving');
    expect(moving).toBeDefined();
    expect(moving!.confidence).toBeGreaterThan(0.5);
    expect(moving!.confidence).toBeLessThan(0.7);
  });

  it('drops motion bouts shorter than the minimum', () => {
    const short: SegmentDraft = {
      kind: 'moving',
      stream: 'accelerometer',
      startS: 0,
      endS: 2,
      attributes: { sensor: 'accelerometer', meanActivity: 2, threshold: 0.2 },
    };
    expect(proposeAnnotations([short])).toEqual([]);
  });

  it('labels a tone as sound with audio-activity', () => {
    const n = 16000 * 3;
    const t = Array.from({ length: n }, (_, i) => BigInt(Math.round((i * 1e9) / 16000)));
    const x = t.map((_, i) => (i >= 16000 && i < 32000 ? 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16000) : 0));
    const anns = proposeAnnotations(segmentStream(analyze(AUDIO, t, [x]), 0n));
    expect(anns).toHaveLength(1);
    expect(anns[0]).toMatchObject({ label: 'sound', detector: 'audio-activity', detectorVersion: '1.0.0' });
    expect(anns[0]!.startS).toBeCloseTo(1, 6);
    expect(anns[0]!.endS).toBeCloseTo(2, 6);
    // −9 dBFS against a −50 dBFS threshold: 41 dB above → full confidence.
    expect(anns[0]!.confidence).toBe(1);
  });

  it('exports versions', () => {
    expect(PIPELINE_VERSION).toBe('1.0.0');
    expect(DETECTORS.imuActivity.name).toBe('motion-level');
    expect(DETECTORS.audioActivity.name).toBe('audio-activity');
  });
});

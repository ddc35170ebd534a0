import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chunked } from '../formats/common/byte-source.js';
import { wavReader } from '../formats/audio/wav.reader.js';
import { segmentStream } from './segment.js';
import { StreamAnalyzer } from './stream-analyzer.js';
import { ACCEL, AUDIO, accelRows, analyze, gaussian } from './signals.test-support.js';
import type { SegmentDraft, StreamSummary } from './types.js';
import { inMemoryContext } from '../formats/common/in-memory-context.test-support.js';

/** Real recordings copied, with their licences, into test/fixtures. */
const REAL = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const T0 = 1_698_765_432_000_000_000n;

/** 30 s at rest, then 30 s of a 2 Hz, 3 m/s² vertical bounce. */
function stillThenMoving(t0 = T0): StreamSummary {
  const { t, v } = accelRows(t0, 60, (ts) => (ts >= 30 ? 3 * Math.sin(2 * Math.PI * 2 * ts) : 0));
  return analyze(ACCEL, t, v);
}

function kinds(segs: SegmentDraft[], ...k: string[]): SegmentDraft[] {
  return segs.filter((s) => k.includes(s.kind));
}

describe('segmentStream: motion', () => {
  it('finds still then moving at the right boundary', () => {
    const segs = segmentStream(stillThenMoving(), T0);
    expect(kinds(segs, 'session')).toEqual([
      { kind: 'session', stream: 'accelerometer', startS: 0, endS: 60, attributes: { durationS: 60 } },
    ]);
    const bouts = kinds(segs, 'still', 'moving');
    expect(bouts.map((b) => b.kind)).toEqual(['still', 'moving']);
    expect(bouts[0]!.startS).toBe(0);
    expect(Math.abs(bouts[0]!.endS - 30)).toBeLessThanOrEqual(1);
    expect(Math.abs(bouts[1]!.startS - 30)).toBeLessThanOrEqual(1);
    expect(bouts[1]!.endS).toBeCloseTo(60, 6);
    expect(bouts[0]!.attributes.meanActivity).toBeLessThan(0.02);
    expect(bouts[1]!.attributes.meanActivity).toBeCloseTo(3 / Math.SQRT2, 1);
    expect(bouts[1]!.attributes.threshold).toBe(0.2);
  });

  it('sees a sideways swing across the gravity axis as moving', () => {
    // 20 s still, then 20 s of a 1 Hz, 3 m/s² swing along x while gravity stays on z: the vector
    // magnitude barely changes (√(9.81² + x²)), so only the per-axis spread shows the motion.
    const { t, v } = accelRows(T0, 40);
    for (let i = 2000; i < 4000; i++) v[0]![i]! += 3 * Math.sin(2 * Math.PI * (i / 100));
    const bouts = kinds(segmentStream(analyze(ACCEL, t, v), T0), 'still', 'moving');
    expect(bouts.map((b) => b.kind)).toEqual(['still', 'moving']);
    expect(Math.abs(bouts[1]!.startS - 20)).toBeLessThanOrEqual(1);
    expect(bouts[1]!.attributes.meanActivity).toBeCloseTo(3 / Math.SQRT2, 1);
  });

  it('gives times relative to the recording start', () => {
    const segs = segmentStream(stillThenMoving(T0 + 5_000_000_000n), T0);
    const bouts = kinds(segs, 'still', 'moving');
    expect(bouts[0]!.startS).toBe(5);
    expect(Math.abs(bouts[1]!.startS - 35)).toBeLessThanOrEqual(1);
    expect(kinds(segs, 'session')[0]!.endS).toBeCloseTo(65, 6);
  });

  it('merges a 1 s jolt into the surrounding still bout', () => {
    const { t, v } = accelRows(T0, 20, (ts) => (ts >= 10 && ts < 11 ? 3 * Math.sin(2 * Math.PI * 2 * ts) : 0));
    const s = analyze(ACCEL, t, v);
    expect(s.windows.activity[10]).toBeGreaterThan(1);
    const bouts = kinds(segmentStream(s, T0), 'still', 'moving');
    expect(bouts.map((b) => [b.kind, b.startS, b.endS])).toEqual([['still', 0, 20]]);
  });

  it('splits sessions at gaps of a second or more, and bouts at gaps', () => {
    // 0–20 s, a 10 s gap, 30–50 s.
    const { t, v } = accelRows(T0, 50, undefined, (i) => i >= 2000 && i < 3000);
    const segs = segmentStream(analyze(ACCEL, t, v), T0);
    const sessions = kinds(segs, 'session');
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toMatchObject({ startS: 0, endS: 20, attributes: { durationS: 20, gapAfterS: 10 } });
    expect(sessions[1]!.startS).toBeCloseTo(30, 6);
    expect(sessions[1]!.endS).toBeCloseTo(50, 6);
    expect(kinds(segs, 'still').map((b) => [b.startS, b.endS])).toEqual([
      [0, 20],
      [30, 50],
    ]);
  });

  it('does not segment motion from gravity or orientation streams', () => {
    const { t, v } = accelRows(T0, 20, (ts) => 3 * Math.sin(2 * Math.PI * 2 * ts));
    const gravity = analyze({ ...ACCEL, name: 'gravity', sensor: 'gravity' }, t, v);
    expect(segmentStream(gravity, T0).map((s) => s.kind)).toEqual(['session']);
    const orientation = analyze({ ...ACCEL, name: 'orientation', sensor: 'orientation', unit: 'rad' }, t, v);
    expect(segmentStream(orientation, T0).map((s) => s.kind)).toEqual(['session']);
  });
});

describe('segmentStream: audio', () => {
  it('finds a 440 Hz tone between silences', () => {
    const g = gaussian(3);
    const n = 16000 * 4;
    const t = Array.from({ length: n }, (_, i) => BigInt(Math.round((i * 1e9) / 16000)));
    // Quiet room noise (−70 dBFS), a 1 s tone at −9 dBFS from 2 s to 3 s.
    const x = t.map((_, i) => 3e-4 * g() + (i >= 32000 && i < 48000 ? 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16000) : 0));
    const segs = segmentStream(analyze(AUDIO, t, [x]), 0n);
    const sound = kinds(segs, 'sound');
    expect(sound).toHaveLength(1);
    expect(sound[0]!.startS).toBeCloseTo(2, 6);
    expect(sound[0]!.endS).toBeCloseTo(3, 6);
    expect(sound[0]!.attributes.meanLevelDb).toBeCloseTo(-9.03, 0);
    expect(sound[0]!.attributes.thresholdDb).toBe(-50);
    expect(kinds(segs, 'silence').map((s) => [s.startS, s.endS])).toEqual([
      [0, 2],
      [3, 4],
    ]);
  });

  it('agrees with the speech labels of the pyAudioAnalysis recordings', async () => {
    for (const [name, minAgreement] of [
      ['count2', 0.93],
      ['count', 0.85],
      ['diarizationExample2', 0.85],
    ] as const) {
      const dir = `${REAL}pyaudioanalysis-speech/`;
      let analyzer: StreamAnalyzer | undefined;
      const bytes = new Uint8Array(readFileSync(`${dir}${name}.wav`));
      for await (const ev of wavReader.read(chunked(bytes, 65_536), inMemoryContext(bytes, 'x.wav'))) {
        if (ev.type === 'stream') analyzer = new StreamAnalyzer(ev.stream);
        if (ev.type === 'chunk') analyzer?.push(ev.chunk);
      }
      const summary = analyzer!.finish();
      const sound = kinds(segmentStream(summary, 0n), 'sound');
      const ref = readFileSync(`${dir}${name}.segments`, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => l.split('\t'))
        .map(([a, b, label]) => ({ a: Number(a), b: Number(b), speech: label?.trim() !== 'silence' }));
      let agree = 0;
      let total = 0;
      for (let ts = 0.005; ts < summary.durationS; ts += 0.01) {
        const r = ref.find((x) => ts >= x.a && ts < x.b);
        if (r === undefined) continue;
        total++;
        if (r.speech === sound.some((s) => ts >= s.startS && ts < s.endS)) agree++;
      }
      expect(total).toBeGreaterThan(500);
      expect(agree / total, name).toBeGreaterThanOrEqual(minAgreement);
    }
  });
});

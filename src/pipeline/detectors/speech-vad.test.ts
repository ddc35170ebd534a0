import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACCEL } from '../signals.test-support.js';
import { addClaps, addVoiced, audioChunks, audioStream, noise, runDetector, spanS, wavChunks } from './audio-signals.test-support.js';
import { SPEECH_VAD, SPEECH_VAD_DEFAULTS, speechVad } from './speech-vad.js';
import type { DetectorOutput } from './types.js';

/** The ±50 ms the brief allows, plus float rounding of ns → s. */
const TOL_S = 0.05 + 1e-9;
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));

/** 1 s of room noise, 1.5 s of voiced sound from 2 s, then quiet to 5 s. */
function voicedAt2s(rate: number): Float32Array {
  const x = noise(rate * 5, 3e-4);
  addVoiced(x, rate, rate * 2, rate * 1.5);
  return x;
}

function speechSpans(out: DetectorOutput): [number, number][] {
  return out.events.map(spanS);
}

/** Frame-level P/R/F1 of `speech` over 10 ms frames [0, durationS), reference from a .segments file. */
function frameF1(pred: [number, number][], segmentsText: string, durationS: number): { f1: number; precision: number; recall: number } {
  const ref = segmentsText
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t'))
    .filter(([, , label]) => label?.trim() === 'speech')
    .map(([a, b]) => [Number(a), Number(b)] as const);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let k = 0; (k + 1) * 0.01 <= durationS; k++) {
    const t = (k + 0.5) * 0.01;
    const p = pred.some(([a, b]) => t >= a && t < b);
    const r = ref.some(([a, b]) => t >= a && t < b);
    if (p && r) tp++;
    else if (p) fp++;
    else if (r) fn++;
  }
  const precision = tp / (tp + fp);
  const recall = tp / (tp + fn);
  return { f1: (2 * precision * recall) / (precision + recall), precision, recall };
}

async function fixture(path: string): Promise<{ out: DetectorOutput; durationS: number }> {
  const { stream, chunks, samples } = await wavChunks(new Uint8Array(readFileSync(`${FIXTURES}${path}`)));
  return { out: runDetector(speechVad, stream, chunks), durationS: samples / stream.nominalRateHz! };
}

function speechShare(out: DetectorOutput, durationS: number): number {
  return speechSpans(out).reduce((a, [s, e]) => a + (e - s), 0) / durationS;
}

describe('speechVad on synthetic audio', () => {
  it('finds a voiced sound between silences where it is (±50 ms), as one event and one segment', () => {
    const out = runDetector(speechVad, audioStream(16000), audioChunks([voicedAt2s(16000)], 16000));
    expect(out.events).toHaveLength(1);
    const [s, e] = spanS(out.events[0]!);
    expect(Math.abs(s - 2)).toBeLessThanOrEqual(TOL_S);
    expect(Math.abs(e - 3.5)).toBeLessThanOrEqual(TOL_S);
    expect(out.events[0]!.label).toBe('speech');
    expect(out.events[0]!.confidence).toBeGreaterThan(0.8);
    expect(out.events[0]!.confidence).toBeLessThanOrEqual(1);
    expect(out.events[0]!.attributes?.vadShare).toBeGreaterThan(0.9);
    expect(out.segments).toHaveLength(1);
    expect(out.segments![0]).toMatchObject({ kind: 'speech', startNs: out.events[0]!.startNs, endNs: out.events[0]!.endNs });
  });

  it('resamples rates WebRTC VAD does not take, and mixes channels to mono', () => {
    for (const rate of [44100, 22050, 11025, 8000, 48000]) {
      const out = runDetector(speechVad, audioStream(rate), audioChunks([voicedAt2s(rate)], rate, 10_000));
      expect(out.events, `${rate} Hz`).toHaveLength(1);
      const [s, e] = spanS(out.events[0]!);
      expect(Math.abs(s - 2), `${rate} Hz start`).toBeLessThanOrEqual(TOL_S);
      expect(Math.abs(e - 3.5), `${rate} Hz end`).toBeLessThanOrEqual(TOL_S);
    }
    const x = voicedAt2s(16000);
    const stereo = runDetector(speechVad, audioStream(16000, ['left', 'right']), audioChunks([x, x], 16000));
    expect(speechSpans(stereo)).toEqual(speechSpans(runDetector(speechVad, audioStream(16000), audioChunks([x], 16000))));
  });

  it('gives the same answer whatever the chunk size, and keeps absolute times', () => {
    const x = voicedAt2s(16000);
    const t0 = 1_700_000_000_000_000_000n;
    const a = runDetector(speechVad, audioStream(16000), audioChunks([x], 16000, 65_536, t0));
    const b = runDetector(speechVad, audioStream(16000), audioChunks([x], 16000, 333, t0));
    expect(b.events).toEqual(a.events);
    expect(BigInt(a.events[0]!.startNs) - t0).toBe(1_950_000_000n);
  });

  it('estimates the rate when the stream declares none', () => {
    const out = runDetector(speechVad, audioStream(null), audioChunks([voicedAt2s(16000)], 16000));
    expect(out.events).toHaveLength(1);
    expect(Math.abs(spanS(out.events[0]!)[0] - 2)).toBeLessThanOrEqual(TOL_S);
  });

  it('does not carry a segment across a gap in the timestamps', () => {
    const rate = 16000;
    const x = noise(rate * 6, 3e-4);
    addVoiced(x, rate, rate * 1, rate * 4);
    const chunks = [...audioChunks([x], rate, 8000)];
    // Shift everything from 3 s on by 10 s: a gap in the middle of the voiced sound.
    for (const c of chunks.slice(6)) for (let i = 0; i < c.length; i++) c.t[i]! += 10_000_000_000n;
    const spans = speechSpans(runDetector(speechVad, audioStream(rate), chunks));
    expect(spans).toHaveLength(2);
    expect(spans[0]![1]).toBeLessThanOrEqual(3.0001);
    expect(spans[1]![0]).toBeGreaterThanOrEqual(13);
    expect(Math.abs(spans[1]![1] - 15)).toBeLessThanOrEqual(TOL_S);
  });

  it('finds no speech in silence, in low steady noise, or in short claps', () => {
    const rate = 16000;
    expect(runDetector(speechVad, audioStream(rate), audioChunks([new Float32Array(rate * 3)], rate)).events).toEqual([]);
    expect(runDetector(speechVad, audioStream(rate), audioChunks([noise(rate * 5, 0.01)], rate)).events).toEqual([]);
    const claps = noise(rate * 6, 1e-3, 3);
    addClaps(claps, rate, [1, 2, 2.5, 4.2]);
    expect(runDetector(speechVad, audioStream(rate), audioChunks([claps], rate)).events).toEqual([]);
  });

  it('declines other streams, names itself, and checks its options', () => {
    expect(speechVad(ACCEL)).toBeNull();
    const d = speechVad(audioStream(16000));
    expect(d?.name).toBe(SPEECH_VAD.name);
    expect(d?.version).toBe(SPEECH_VAD.version);
    expect(SPEECH_VAD_DEFAULTS.mode).toBe(3);
    // Options are `speech.<name>`; other detectors' keys, wrong types and values libfvad refuses are ignored.
    const x = voicedAt2s(16000);
    const base = runDetector(speechVad, audioStream(16000), audioChunks([x], 16000)).events;
    for (const options of [{ gateDb: 200 }, { 'speech.gateDb': '200' }, { 'speech.mode': 7, 'speech.frameMs': 15 }]) {
      expect(runDetector(speechVad, audioStream(16000), audioChunks([x], 16000), options).events).toEqual(base);
    }
    expect(runDetector(speechVad, audioStream(16000), audioChunks([x], 16000), { 'speech.gateDb': 200 }).events).toEqual([]);
  });

  it('rejects broadband noise WebRTC VAD votes speech, unless told not to', () => {
    // Room noise, then white noise 18 dB louder from 2.5 s (a fan switched on): no vowels in it.
    const rate = 16000;
    const x = noise(rate * 5, 0.01);
    for (let i = rate * 2.5; i < x.length; i++) x[i] = x[i]! * 8;
    expect(runDetector(speechVad, audioStream(rate), audioChunks([x], rate)).events).toEqual([]);
    const unvoiced = runDetector(speechVad, audioStream(rate), audioChunks([x], rate), { 'speech.minVoicedS': 0 });
    expect(unvoiced.events.length).toBeGreaterThanOrEqual(1);
    expect(unvoiced.events[0]!.attributes?.voicedS).toBe(0);
  });
});

describe('speechVad on real recordings', () => {
  it('reaches frame-level F1 ≥ 0.90 on the pyAudioAnalysis counting recordings', async () => {
    for (const name of ['count', 'count2']) {
      const { out, durationS } = await fixture(`pyaudioanalysis-speech/${name}.wav`);
      const segments = readFileSync(`${FIXTURES}pyaudioanalysis-speech/${name}.segments`, 'utf8');
      const r = frameF1(speechSpans(out), segments, durationS);
      expect(r.f1, `${name} F1 (P ${r.precision.toFixed(3)}, R ${r.recall.toFixed(3)})`).toBeGreaterThanOrEqual(0.9);
      expect(out.events).toHaveLength(10);
    }
  });

  it('calls a six-speaker conversation mostly speech', async () => {
    const { out, durationS } = await fixture('pyaudioanalysis-speech/diarizationExample2.wav');
    expect(speechShare(out, durationS)).toBeGreaterThan(0.75);
  });

  it('calls kitchen noise (no speech) almost never speech', async () => {
    const { out, durationS } = await fixture('pyroomacoustics-samples/doing_the_dishes.wav');
    expect(speechShare(out, durationS)).toBeLessThan(0.03);
  });
});

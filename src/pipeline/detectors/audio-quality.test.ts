import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACCEL } from '../signals.test-support.js';
import type { QualityCheck } from '../types.js';
import { AUDIO_QUALITY_DEFAULTS, audioQuality } from './audio-quality.js';
import { addVoiced, audioChunks, audioStream, noise, runDetector, wavChunks } from './audio-signals.test-support.js';
import { loudEvents } from './loud-events.js';
import { speechVad } from './speech-vad.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const RATE = 16000;

function checks(channels: Float32Array[], opts?: Record<string, unknown>, size = 65_536): Record<string, QualityCheck> {
  const names = channels.length === 1 ? ['mono'] : channels.map((_, i) => `ch${i + 1}`);
  const out = runDetector(audioQuality, audioStream(RATE, names), audioChunks(channels, RATE, size), opts);
  expect(out.events).toEqual([]);
  return Object.fromEntries((out.checks ?? []).map((c) => [c.name, c]));
}

function sine(seconds: number, amp: number, hz = 440, offset = 0): Float32Array {
  const x = new Float32Array(seconds * RATE);
  for (let i = 0; i < x.length; i++) x[i] = offset + amp * Math.sin((2 * Math.PI * hz * i) / RATE);
  return x;
}

describe('audioQuality', () => {
  it('passes a clean recording, with every check named, valued and explained', () => {
    const x = noise(5 * RATE, 3e-4);
    addVoiced(x, RATE, RATE, 3 * RATE);
    const c = checks([x]);
    expect(Object.keys(c)).toEqual(['audio_level', 'dc_offset', 'audio_clipping', 'silence_fraction']);
    for (const k of Object.values(c)) {
      expect(k.status).toBe('ok');
      expect(k.stream).toBe('audio');
      expect(typeof k.value).toBe('number');
      expect(typeof k.threshold).toBe('number');
      expect(k.message.length).toBeGreaterThan(20);
    }
    // The voiced part is the active sound; 2 of 5 s are room noise at −70 dBFS.
    expect(c.audio_level!.value).toBeGreaterThan(-30);
    expect(c.audio_level!.value).toBeLessThan(-20);
    expect(c.audio_level!.message).toMatch(/overall RMS/);
    expect(c.silence_fraction!.value).toBeCloseTo(0.4, 2);
  });

  it('measures the active level of a sine as its RMS, whatever the silence around it', () => {
    // A 0.5-amplitude sine is −9.03 dBFS RMS; 1 s of it in 10 s of digital silence keeps that active level.
    const x = new Float32Array(10 * RATE);
    x.set(sine(1, 0.5), 4 * RATE);
    const c = checks([x]);
    expect(c.audio_level!.value).toBeCloseTo(-9.03, 1);
    expect(c.audio_level!.message).toMatch(/over 10% of the time/);
  });

  it('flags a DC offset on the channel that has it', () => {
    const c = checks([sine(2, 0.3), sine(2, 0.3, 440, 0.05)]);
    expect(c.dc_offset!.status).toBe('warn');
    expect(c.dc_offset!.value).toBeCloseTo(0.05, 3);
    expect(c.dc_offset!.message).toMatch(/"ch2"/);
    expect(checks([sine(2, 0.3, 440, -0.2)]).dc_offset!.status).toBe('bad');
    expect(checks([sine(2, 0.3, 440, 0.005)]).dc_offset!.status).toBe('ok');
  });

  it('counts clipped samples in runs at full scale, across chunk boundaries', () => {
    // A sine driven to 1.5 × full scale and clamped: the samples where |1.5 sin| ≥ 1 are flat at ±1.
    const x = sine(2, 1.5, 100).map((v) => Math.max(-1, Math.min(1, v)));
    let expected = 0;
    for (const v of x) if (Math.abs(v) >= 0.999) expected++;
    const c = checks([x], undefined, 1000);
    expect(c.audio_clipping!.status).toBe('bad');
    expect(c.audio_clipping!.value).toBeCloseTo(expected / x.length, 6);
    expect(c.audio_clipping!.message).toMatch(/400 runs/);
    // A clean sine that touches 0.9995 once per peak (single samples, not runs) does not count.
    const touch = sine(2, 0.9995, 97);
    expect(checks([touch]).audio_clipping!.value).toBe(0);
  });

  it('calls all-zero audio silent (a muted microphone) and a quiet one mostly silent', () => {
    const zero = checks([new Float32Array(10 * RATE)]);
    expect(zero.silence_fraction!.status).toBe('bad');
    expect(zero.silence_fraction!.value).toBe(1);
    expect(zero.silence_fraction!.message).toMatch(/100% digital zeros/);
    expect(zero.audio_level!.status).toBe('warn');
    expect(zero.audio_level!.message).toMatch(/digital silence/);
    const quiet = checks([noise(10 * RATE, 3e-4)]);
    expect(quiet.silence_fraction!.status).toBe('bad');
    const someSound = noise(10 * RATE, 3e-4);
    someSound.set(sine(1, 0.1).subarray(0, RATE / 2), 2 * RATE);
    const s = checks([someSound]);
    expect(s.silence_fraction!.status).toBe('warn');
    expect(s.silence_fraction!.value).toBeCloseTo(0.95, 2);
    expect(s.audio_level!.value).toBeCloseTo(-23.0, 0);
  });

  it('warns when the active level is too quiet, and takes a study’s thresholds', () => {
    const c = checks([sine(2, 0.003)]);
    expect(c.audio_level!.status).toBe('warn');
    expect(c.audio_level!.threshold).toBe(AUDIO_QUALITY_DEFAULTS.levelLowDb);
    expect(checks([sine(2, 0.003)], { 'audioQuality.levelLowDb': -60 }).audio_level!.status).toBe('ok');
    expect(checks([sine(2, 0.9)]).audio_level!.status).toBe('warn');
    expect(checks([sine(2, 0.003)], { 'audioQuality.levelLowDb': '-60', levelLowDb: -60 }).audio_level!.status).toBe('warn');
    expect(audioQuality(ACCEL)).toBeNull();
  });

  it('says nothing about a stream with no samples, and neither do the other audio detectors', () => {
    for (const f of [audioQuality, speechVad, loudEvents]) {
      expect(runDetector(f, audioStream(RATE), [])).toEqual(f === audioQuality ? { events: [], checks: [] } : { events: [], segments: [] });
    }
  });

  it('reports sensible values for real recordings', async () => {
    const run = async (path: string): Promise<Record<string, QualityCheck>> => {
      const { stream, chunks } = await wavChunks(new Uint8Array(readFileSync(`${FIXTURES}${path}`)));
      return Object.fromEntries((runDetector(audioQuality, stream, chunks).checks ?? []).map((c) => [c.name, c]));
    };
    // Counting recorded hot: peaks reach full scale.
    const count = await run('pyaudioanalysis-speech/count.wav');
    expect(count.audio_clipping!.value).toBeGreaterThan(0);
    expect(count.audio_level!.value).toBeGreaterThan(-20);
    // Kitchen noise: never silent, no DC, no clipping runs to speak of.
    const dishes = await run('pyroomacoustics-samples/doing_the_dishes.wav');
    expect(dishes.silence_fraction!.value).toBe(0);
    expect(dishes.dc_offset!.status).toBe('ok');
    expect(dishes.audio_level!.value).toBeGreaterThan(-35);
    expect(dishes.audio_level!.value).toBeLessThan(-15);
  });
});

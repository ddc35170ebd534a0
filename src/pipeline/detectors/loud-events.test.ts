import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACCEL } from '../signals.test-support.js';
import { addClaps, audioChunks, audioStream, noise, runDetector, spanS, wavChunks } from './audio-signals.test-support.js';
import { LOUD_EVENTS, loudEvents } from './loud-events.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const CLAPS_AT = [1, 2, 2.5, 4.2];

function clapTrack(rate: number): Float32Array {
  const x = noise(rate * 6, 1e-3, 3);
  addClaps(x, rate, CLAPS_AT);
  return x;
}

describe('loudEvents', () => {
  it('finds each clap of an impulse train over low noise, with its peak and height above the background', () => {
    const rate = 16000;
    const out = runDetector(loudEvents, audioStream(rate), audioChunks([clapTrack(rate)], rate, 4096));
    expect(out.events.map((e) => e.label)).toEqual(['loud', 'loud', 'loud', 'loud']);
    out.events.forEach((e, i) => {
      const [s, end] = spanS(e);
      expect(Math.abs(s - CLAPS_AT[i]!)).toBeLessThanOrEqual(0.01 + 1e-9);
      // ≥ 50 ms above the threshold, and over well before the next clap.
      expect(end - s).toBeGreaterThanOrEqual(0.05);
      expect(end - s).toBeLessThan(0.3);
      expect(e.confidence).toBe(1);
      // Peak 0.8 × (≤ 1) of full scale; the background is the −60 dBFS noise.
      expect(e.attributes?.peakDb).toBeLessThanOrEqual(-1.9);
      expect(e.attributes?.peakDb).toBeGreaterThan(-12);
      expect(e.attributes?.backgroundDb).toBeGreaterThan(-62);
      expect(e.attributes?.backgroundDb).toBeLessThan(-59);
      expect(e.attributes?.aboveBackgroundDb).toBeGreaterThan(35);
    });
    expect(out.segments!.map((s) => s.kind)).toEqual(['loud', 'loud', 'loud', 'loud']);
    expect(out.segments![0]!.startNs).toBe(out.events[0]!.startNs);
  });

  it('works at 44.1 kHz on stereo and gives the same events whatever the chunk size', () => {
    const rate = 44100;
    const x = clapTrack(rate);
    const stereo = audioStream(rate, ['left', 'right']);
    const a = runDetector(loudEvents, stereo, audioChunks([x, x], rate, 65_536));
    const b = runDetector(loudEvents, stereo, audioChunks([x, x], rate, 1000));
    expect(a.events).toHaveLength(4);
    expect(b.events).toEqual(a.events);
  });

  it('ignores bursts too short, too quiet above the background, or in digital silence', () => {
    const rate = 16000;
    // 20 ms bursts: shorter than 50 ms.
    const short = noise(rate * 4, 1e-3, 3);
    addClaps(short, rate, [1, 2.5], 0.8, 0.002);
    expect(runDetector(loudEvents, audioStream(rate), audioChunks([short], rate)).events).toEqual([]);
    // Claps only a few dB above a loud background (their RMS ≈ −20 dBFS over −26 dBFS noise).
    const masked = noise(rate * 6, 0.05, 3);
    addClaps(masked, rate, CLAPS_AT, 0.3);
    expect(runDetector(loudEvents, audioStream(rate), audioChunks([masked], rate)).events).toEqual([]);
    // Steady noise and silence.
    expect(runDetector(loudEvents, audioStream(rate), audioChunks([noise(rate * 5, 0.1)], rate)).events).toEqual([]);
    expect(runDetector(loudEvents, audioStream(rate), audioChunks([new Float32Array(rate * 3)], rate)).events).toEqual([]);
    // A 1e-4 FS tick in digital silence is far above its floor but under the −60 dBFS minimum.
    const tick = new Float32Array(rate * 3);
    addClaps(tick, rate, [1.5], 1e-4);
    expect(runDetector(loudEvents, audioStream(rate), audioChunks([tick], rate)).events).toEqual([]);
  });

  it('follows the threshold a study sets, and declines other streams', () => {
    const rate = 16000;
    const x = clapTrack(rate);
    expect(runDetector(loudEvents, audioStream(rate), audioChunks([x], rate), { 'loud.thresholdDb': 60 }).events).toEqual([]);
    expect(loudEvents(ACCEL)).toBeNull();
    expect(loudEvents(audioStream(rate))?.name).toBe(LOUD_EVENTS.name);
  });

  it('finds the clatter in kitchen noise: short bursts well above the running water', async () => {
    const { stream, chunks, samples } = await wavChunks(new Uint8Array(readFileSync(`${FIXTURES}pyroomacoustics-samples/doing_the_dishes.wav`)));
    const out = runDetector(loudEvents, stream, chunks);
    const hours = samples / stream.nominalRateHz! / 3600;
    expect(out.events.length).toBeGreaterThanOrEqual(5);
    expect(out.events.length / hours).toBeLessThan(1000);
    for (const e of out.events) {
      const [s, end] = spanS(e);
      expect(end - s).toBeLessThan(1);
      expect(e.attributes?.aboveBackgroundDb).toBeGreaterThan(15);
      expect(e.attributes?.peakDb).toBeGreaterThan(-20);
    }
  });
});

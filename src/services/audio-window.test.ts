import { describe, expect, it } from 'vitest';
import { AudioWindowEncoder, planAudioWindow, wavHeader } from './audio-window.js';

/** Feeds `signal(i)` for native slots `from … to-1` (times i/inRate after the read's start) in pieces of `pieceRows`. */
function encode(plan: ReturnType<typeof planAudioWindow>, rows: { slot: number; values: number[] }[], pieceRows = 1000): Int16Array {
  const enc = new AudioWindowEncoder(plan);
  const out: Buffer[] = [];
  const channels = rows[0]?.values.length ?? 1;
  for (let p = 0; p < rows.length; p += pieceRows) {
    const part = rows.slice(p, p + pieceRows);
    const index = Uint32Array.from(part, (_, k) => k);
    const relNs = Float64Array.from(part, (r) => (r.slot * 1e9) / plan.inRate);
    const values = Array.from({ length: channels }, (_, c) => Float32Array.from(part, (r) => r.values[c]!));
    for (const b of enc.piece(part.length, index, relNs, values)) out.push(Buffer.from(b));
  }
  for (const b of enc.finish()) out.push(Buffer.from(b));
  const all = Buffer.concat(out);
  return new Int16Array(all.buffer, all.byteOffset, all.length / 2);
}

const range = (n: number, f: (i: number) => number[]): { slot: number; values: number[] }[] => Array.from({ length: n }, (_, i) => ({ slot: i, values: f(i) }));

describe('audio window as WAV', () => {
  it('writes a 44-byte mono 16-bit PCM header', () => {
    const h = wavHeader(16000, 10);
    expect(h.toString('ascii', 0, 4)).toBe('RIFF');
    expect(h.readUInt32LE(4)).toBe(36 + 20);
    expect(h.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect([h.readUInt16LE(20), h.readUInt16LE(22), h.readUInt32LE(24), h.readUInt32LE(28), h.readUInt16LE(32), h.readUInt16LE(34)]).toEqual([1, 1, 16000, 32000, 2, 16]);
    expect(h.toString('ascii', 36, 40)).toBe('data');
    expect(h.readUInt32LE(40)).toBe(20);
  });

  it('at the stream\'s rate: the samples themselves, scaled by 32768, clipped; gaps and the end are silence', () => {
    const plan = planAudioWindow(16000, 16000, 2);
    expect(plan.samples).toBe(32000);
    const rows = range(30000, (i) => [i === 5 ? 1.5 : i === 6 ? -2 : Math.sin(i / 7) * 0.5]).filter((r) => r.slot < 10000 || r.slot >= 12000);
    const out = encode(plan, rows, 777);
    expect(out.length).toBe(32000);
    expect(out[5]).toBe(32767);
    expect(out[6]).toBe(-32768);
    for (const i of [0, 100, 9999, 12000, 29999]) expect(out[i]).toBe(Math.round(Math.fround(Math.sin(i / 7) * 0.5) * 32768));
    expect(out.subarray(10000, 12000).every((v) => v === 0)).toBe(true);
    expect(out.subarray(30000).every((v) => v === 0)).toBe(true);
  });

  it('mixes channels to their mean and drops a second sample for the same slot', () => {
    const plan = planAudioWindow(8000, 8000, 0.01);
    const rows = [{ slot: 0, values: [0.5, -0.25] }, { slot: 1, values: [0.1, 0.1] }, { slot: 1, values: [0.9, 0.9] }];
    const out = encode(plan, rows);
    expect(out.length).toBe(80);
    expect(out[0]).toBe(Math.round(0.125 * 32768));
    expect(out[1]).toBe(Math.round(Math.fround(0.1) * 32768));
  });

  it('lowered rate: the right length, a tone below the new Nyquist kept in phase, one above it filtered out', () => {
    const inRate = 16000;
    const plan = planAudioWindow(inRate, 8000, 1);
    expect(plan.samples).toBe(8000);
    // The lead-in is a whole number of output periods, so output 0 falls on the window's start.
    expect((plan.leadIn * 8000) / inRate).toBe(plan.skipOut);
    const tone = (hz: number): Int16Array => encode(plan, range(plan.gridSlots, (i) => [0.5 * Math.sin((2 * Math.PI * hz * (i - plan.leadIn)) / inRate)]));
    const low = tone(440);
    expect(low.length).toBe(8000);
    let worst = 0;
    for (let k = 0; k < 8000; k++) worst = Math.max(worst, Math.abs(low[k]! - 0.5 * 32768 * Math.sin((2 * Math.PI * 440 * k) / 8000)));
    // The lead-in and the tail are real signal, so even the window's edges are right.
    expect(worst).toBeLessThan(200);
    const high = tone(6000);
    const rms = Math.sqrt(high.reduce((s, v) => s + v * v, 0) / high.length);
    expect(rms).toBeLessThan(0.01 * 0.5 * 32768);
  });

  it('any pair of rates gives round(duration · rate) samples', () => {
    for (const [a, b, d] of [[44100, 16000, 3.3], [16000, 11025, 0.5], [8000, 48000, 1.25], [48000, 8000, 0.001], [15999.5, 8000, 1]] as const) {
      const plan = planAudioWindow(a, b, d);
      expect(encode(plan, range(Math.floor(d * a), () => [0.1])).length, `${a}→${b}`).toBe(Math.round(d * b));
    }
  });
});

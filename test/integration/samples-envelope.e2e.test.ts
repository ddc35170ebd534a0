import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fmt, int16Data, riff } from '../../src/formats/audio/audio.test-support.js';
import { call, ingestReady, seedStudy, sensorLoggerCsv, startHarness, type Harness } from '../helpers/harness.js';
import { seededRandom as rng } from '../../src/lib/random.js';

const RATE = 8000;
const SECONDS = 120;
const FRAMES = RATE * SECONDS;
const NS_PER_FRAME = 1_000_000_000n / BigInt(RATE);

/** Noise whose level drifts, with rare spikes: every window has its own extremes, often near its edges. */
function signal(): Int16Array {
  const r = rng(42);
  const out = new Int16Array(FRAMES);
  for (let i = 0; i < FRAMES; i++) {
    const level = 2000 + 8000 * (1 + Math.sin(i / 40_000));
    out[i] = r() < 0.0002 ? Math.round((r() < 0.5 ? -1 : 1) * (20_000 + r() * 12_767)) : Math.round((r() * 2 - 1) * level);
  }
  return out;
}

/** Seconds as whole ns, as the API reads fromS and toS. */
function secondsToNs(sec: number): bigint {
  const whole = Math.floor(sec);
  return BigInt(whole) * 1_000_000_000n + BigInt(Math.round((sec - whole) * 1e9));
}

/**
 * The samples endpoint over a recording long enough for every overview level: for random windows and
 * maxPoints, `t` stays within [fromS, toS] and in order, channels match `t`, at most maxPoints come back,
 * and the envelope's min and max are those of the samples in the window (computed here from the WAV's own
 * samples, which the reader scales by 1/32768 exactly).
 */
describe('samples endpoint: the min/max envelope at every level of detail', () => {
  let h: Harness;
  let token: string;
  let recId: string;
  let stream: string;
  const samples = signal();

  beforeAll(async () => {
    h = await startHarness();
    const study = await seedStudy(h);
    token = study.participantToken;
    const wav = riff([fmt({ rate: RATE, channels: 1, bits: 16 }), int16Data(Array.from(samples))]);
    const rec = await ingestReady(h, token, wav, 'noise.wav');
    recId = rec.id;
    stream = rec.streams[0].name;
    expect(rec.streams[0].samples).toBe(FRAMES);
  });
  afterAll(async () => {
    await h.close();
  });

  it('frame 0 is at 0 s (the times the truth below assumes)', async () => {
    const w = await call(h, token, 'GET', `/v1/recordings/${recId}/streams/${stream}/samples?fromS=0&toS=0.001&maxPoints=100`);
    expect(w.status).toBe(200);
    expect(w.json.reduced).toBe(false);
    expect(w.json.t[0]).toBe(0);
    expect(Object.values(w.json.channels as Record<string, number[]>)[0]![0]).toBe(Math.fround(samples[0]! / 32768));
  });

  it('holds for a few hundred random windows', async () => {
    const random = rng(7);
    let reduced = 0;
    for (let i = 0; i < 300; i++) {
      // Window lengths from 10 ms to longer than the recording, log-uniform; some run past its end.
      const length = Math.exp(Math.log(0.01) + random() * Math.log((SECONDS * 1.1) / 0.01));
      const fromS = random() * SECONDS;
      const toS = fromS + length;
      const maxPoints = 2 + Math.floor(random() ** 2 * 6000);
      const c = `case ${i}: fromS=${fromS} toS=${toS} maxPoints=${maxPoints}`;
      const w = await call(h, token, 'GET', `/v1/recordings/${recId}/streams/${stream}/samples?fromS=${fromS}&toS=${toS}&maxPoints=${maxPoints}`);
      expect(w.status, `${c}: ${JSON.stringify(w.json)}`).toBe(200);
      const t = w.json.t as number[];
      const channels = Object.values(w.json.channels as Record<string, (number | null)[]>);
      if (w.json.reduced) reduced++;
      expect(t.length, c).toBeLessThanOrEqual(maxPoints);
      expect(t.findIndex((x, p) => !(x >= fromS && x <= toS) || (p > 0 && x < t[p - 1]!)), c).toBe(-1);
      expect(channels.length, c).toBe(1);
      for (const v of channels) expect(v.length, c).toBe(t.length);
      // The truth: the samples whose times are within the window.
      const fromNs = secondsToNs(fromS);
      const toNs = secondsToNs(toS);
      const lo = Number((fromNs + NS_PER_FRAME - 1n) / NS_PER_FRAME);
      const hi = Math.min(FRAMES - 1, Number(toNs / NS_PER_FRAME));
      if (hi < lo) {
        expect(t.length, c).toBe(0);
        continue;
      }
      let min = Infinity;
      let max = -Infinity;
      for (let k = lo; k <= hi; k++) {
        if (samples[k]! < min) min = samples[k]!;
        if (samples[k]! > max) max = samples[k]!;
      }
      const values = channels[0]!.filter((x): x is number => x !== null);
      expect([Math.min(...values), Math.max(...values)], c).toEqual([Math.fround(min / 32768), Math.fround(max / 32768)]);
    }
    // Most windows are long enough to be reduced, from the overview or from the samples.
    expect(reduced).toBeGreaterThan(150);
  });

  it('raw samples of a clock that stepped backwards come back in time order', async () => {
    // Rows 200–209 are stamped 0.5 s earlier than they should be: the file's order is not time order.
    const lines = sensorLoggerCsv({ rows: 400, rateHz: 100, value: (i) => [i, 0, 9.81] }).trimEnd().split('\n');
    const body = lines.map((line, i) => {
      const row = i - 1;
      if (row < 200 || row >= 210) return line;
      const [time, ...rest] = line.split(',');
      return [String(BigInt(time!) - 500_000_000n), ...rest].join(',');
    });
    const rec = await ingestReady(h, token, new TextEncoder().encode(`${body.join('\n')}\n`), 'Accelerometer.csv');
    const name = rec.streams[0].name;
    const w = await call(h, token, 'GET', `/v1/recordings/${rec.id}/streams/${name}/samples?maxPoints=1000`);
    expect(w.status).toBe(200);
    expect(w.json.reduced).toBe(false);
    const t = w.json.t as number[];
    expect(t.length).toBe(400);
    expect(t.findIndex((x, p) => p > 0 && x < t[p - 1]!)).toBe(-1);
  });
});

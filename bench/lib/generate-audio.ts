import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { seededRandom } from '../../src/lib/random.js';
import { ROOT } from './workspace.js';

const RATE = 16_000;
/** A real voice: six speakers in turn, 22.3 s of 16 kHz mono 16-bit PCM (test/fixtures, Apache-2.0). */
const SPEECH = 'test/fixtures/pyaudioanalysis-speech/diarizationExample2.wav';

/** The 16-bit samples of a PCM WAV's `data` chunk (mono, as the fixture is). */
function pcmOf(file: string): Int16Array {
  const b = readFileSync(file);
  for (let o = 12; o + 8 <= b.length;) {
    const id = b.toString('latin1', o, o + 4);
    const size = b.readUInt32LE(o + 4);
    if (id === 'data') return new Int16Array(b.buffer.slice(b.byteOffset + o + 8, b.byteOffset + o + 8 + size));
    o += 8 + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

function wavHeader(frames: number): Buffer {
  const h = Buffer.alloc(44);
  const bytes = frames * 2;
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + bytes, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(RATE, 24);
  h.writeUInt32LE(RATE * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(bytes, 40);
  return h;
}

/**
 * A day at a wrist: `seconds` of 16 kHz mono 16-bit WAV, streamed to disk (1 s at a time), mostly a quiet room
 * (±2 LSB of noise: little to store) with a real voice — the fixture's 22 s of speakers — every
 * `burstEveryS` seconds, so the speech detector has something to propose all day. 32 kB a second:
 * 2.76 GB for 24 h (a WAV holds up to 4 GiB).
 */
export async function writeQuietSpeechWav(file: string, seconds: number, burstEveryS = 900): Promise<{ bytes: number; bursts: number }> {
  const speech = pcmOf(path.join(ROOT, SPEECH));
  const frames = Math.round(seconds * RATE);
  const out = createWriteStream(file, { highWaterMark: 4 * 1024 * 1024 });
  const rnd = seededRandom(20261203);
  const write = async (b: Buffer): Promise<void> => {
    if (!out.write(b)) await once(out, 'drain');
  };
  await write(wavHeader(frames));
  const burstFrames = burstEveryS * RATE;
  // The first voice comes 60 s in, then one every burstEveryS.
  const firstAt = Math.min(60 * RATE, Math.floor(frames / 4));
  let bursts = 0;
  for (let i = 0; i < frames; i += RATE) {
    const n = Math.min(RATE, frames - i);
    const pcm = new Int16Array(n);
    for (let k = 0; k < n; k++) {
      const f = i + k;
      const inBurst = f >= firstAt ? (f - firstAt) % burstFrames : -1;
      let v = Math.round((rnd() - 0.5) * 4);
      if (inBurst >= 0 && inBurst < speech.length) {
        v += speech[inBurst]!;
        if (inBurst === 0) bursts++;
      }
      pcm[k] = Math.max(-32768, Math.min(32767, v));
    }
    // Int16Array is in the machine's byte order: little-endian on every machine these benchmarks run on (x86, arm64).
    await write(Buffer.from(pcm.buffer));
  }
  out.end();
  await once(out, 'finish');
  return { bytes: 44 + frames * 2, bursts };
}

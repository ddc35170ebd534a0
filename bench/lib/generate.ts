import { createHash, randomFillSync } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { seededRandom as prng } from '../../src/lib/random.js';

/** Writes with backpressure: waits for 'drain' when the stream's buffer is full. */
async function write(out: Writable, chunk: Buffer | string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

async function close(out: Writable): Promise<void> {
  out.end();
  await once(out, 'finish');
}

/**
 * A file of `bytes` random bytes, written 1 MiB at a time (never held whole in memory). Returns its
 * SHA-256, computed while writing, so an upload's answer can be checked against it.
 */
export async function writeRandomFile(file: string, bytes: number): Promise<{ bytes: number; sha256: string }> {
  const out = createWriteStream(file);
  const hash = createHash('sha256');
  const piece = 1024 * 1024;
  for (let done = 0; done < bytes; done += piece) {
    const b = randomFillSync(Buffer.allocUnsafe(Math.min(piece, bytes - done)));
    hash.update(b);
    await write(out, b);
  }
  await close(out);
  return { bytes, sha256: hash.digest('hex') };
}

/** Epoch second and nanosecond of the first row (2023-10-31T15:17:12.123456789Z). */
const START_S = 1_698_765_432;
const START_NS = 123_456_789;
const PERIOD_NS = 10_000_000; // 100 Hz

/**
 * A Sensor Logger accelerometer export of `rows` rows at 100 Hz (24 h = 8,640,000 rows), streamed to disk:
 * header `time,seconds_elapsed,z,y,x`; `time` is 19-digit Unix epoch nanoseconds with up to 2 ms of
 * timestamp jitter (as phones deliver); `seconds_elapsed` and the values are written the way the app writes
 * them: JavaScript's shortest form of a double, the values being float32 sensor readings
 * (`9.812345504760742`). The signal is a phone lying still (gravity on z, sensor noise) with a 10-minute
 * walk every 90 minutes. ≈ 93 bytes a row, ≈ 800 MB for 24 h.
 */
export async function writeSensorLoggerCsv(file: string, rows: number): Promise<{ rows: number; bytes: number }> {
  const out = createWriteStream(file, { highWaterMark: 4 * 1024 * 1024 });
  const rnd = prng(20261125);
  const f = Math.fround;
  let text = 'time,seconds_elapsed,z,y,x\n';
  let bytes = 0;
  for (let i = 0; i < rows; i++) {
    const elapsedNs = i * PERIOD_NS + Math.floor(rnd() * 2_000_000);
    const ns = START_NS + (elapsedNs % 1e9);
    const sec = START_S + Math.floor(elapsedNs / 1e9) + (ns >= 1e9 ? 1 : 0);
    const time = `${sec}${String(ns % 1e9).padStart(9, '0')}`;
    const s = elapsedNs / 1e9;
    const walking = s % 5400 < 600;
    let x = (rnd() - 0.5) * 0.04 + 0.012;
    let y = (rnd() - 0.5) * 0.04 - 0.021;
    let z = 9.806 + (rnd() - 0.5) * 0.04;
    if (walking) {
      const ph = 2 * Math.PI * 1.9 * s;
      x += 2.5 * Math.sin(ph) + (rnd() - 0.5) * 0.8;
      y += 1.2 * Math.sin(ph / 2 + 0.4) + (rnd() - 0.5) * 0.8;
      z += 3.5 * Math.sin(ph + 1.1) + (rnd() - 0.5) * 0.8;
    }
    text += `${time},${s},${f(z)},${f(y)},${f(x)}\n`;
    if (text.length >= 1 << 20) {
      bytes += text.length;
      await write(out, text);
      text = '';
    }
  }
  bytes += text.length;
  await write(out, text);
  await close(out);
  return { rows, bytes };
}

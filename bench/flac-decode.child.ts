import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { audioCodecReader } from '../src/formats/audio/audio-codec.reader.js';
import { detectFormat } from '../src/formats/registry.js';
import { createAudioDecoder } from '../src/decoders/audio-decoder.js';
import type { ReaderContext } from '../src/formats/types.js';
import { childrenCpuS } from './lib/proc-mem.js';

/**
 * One measured decode of a compressed audio file by the audio-codec reader, in a process of its own run as
 * the worker runs (forked by flac-decode.bench.ts): the reader over a file stream, every chunk taken. Answers
 * with its own CPU time and its reaped children's (the decoder programs), over IPC.
 */
const [file, ticks] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: flac-decode.child <file> <clock ticks per second>');
const ticksPerS = Number(ticks) || 100;

async function run(): Promise<{ frames: number; check: number }> {
  const fh = await open(file!, 'r');
  const ctx: ReaderContext = {
    filename: 'bench.flac',
    size: statSync(file!).size,
    detect: detectFormat,
    decoder: createAudioDecoder(),
    readAt: async (offset, length) => {
      const b = Buffer.allocUnsafe(length);
      const { bytesRead } = await fh.read(b, 0, length, offset);
      return b.subarray(0, bytesRead);
    },
  };
  let frames = 0;
  let check = 0;
  try {
    for await (const ev of audioCodecReader.read(createReadStream(file!, { highWaterMark: 1 << 20 }), ctx)) {
      if (ev.type !== 'chunk') continue;
      frames += ev.chunk.length;
      check += ev.chunk.values[0]![0]!;
    }
  } finally {
    await fh.close();
  }
  return { frames, check };
}

process.once('message', () => {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const children = childrenCpuS(ticksPerS);
  run().then(
    (r) => {
      const used = process.cpuUsage(cpu);
      process.send?.({ type: 'done', seconds: (performance.now() - t) / 1000, cpuSeconds: (used.user + used.system) / 1e6, childrenCpuSeconds: childrenCpuS(ticksPerS) - children, ...r });
      process.disconnect();
    },
    (err: unknown) => {
      process.send?.({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.disconnect();
    },
  );
});
process.send?.({ type: 'ready' });

import { createReadStream } from 'node:fs';
import { axivityCwaReader } from '../src/formats/axivity/axivity-cwa.reader.js';
import type { ReaderContext } from '../src/formats/types.js';

/**
 * One measured pass over a .cwa file in a process of its own (forked by axivity-cwa.bench.ts, which samples
 * its RSS): `plain` drains a file stream (the anchor), `reader` runs the .cwa reader over the same stream.
 * Waits for the parent's "go" so that the peak RSS excludes start-up, and answers with the figures over IPC.
 */

const [mode, file] = process.argv.slice(2);
if ((mode !== 'plain' && mode !== 'reader') || file === undefined) throw new Error('usage: axivity-cwa.child <plain|reader> <file>');
const send = (msg: unknown): void => {
  process.send?.(msg);
};

const ctx: ReaderContext = {
  filename: 'bench.cwa',
  size: 0,
  readAt: () => Promise.reject(new Error('sequential only')),
  detect: () => {
    throw new Error('no member files in a .cwa');
  },
};

async function run(): Promise<void> {
  const source = createReadStream(file!, { highWaterMark: 64 * 1024 });
  const t = performance.now();
  const cpu = process.cpuUsage();
  let bytes = 0;
  let samples = 0;
  let badBlocks = 0;
  if (mode === 'plain') {
    for await (const c of source) bytes += (c as Buffer).length;
  } else {
    for await (const ev of axivityCwaReader.read(source, ctx)) {
      if (ev.type === 'chunk' && ev.stream === 'accelerometer') samples += ev.chunk.length;
      if (ev.type === 'warning' && ev.code === 'cwa_bad_block') badBlocks += ev.count ?? 1;
    }
  }
  const used = process.cpuUsage(cpu);
  send({ type: 'done', seconds: (performance.now() - t) / 1000, cpuSeconds: (used.user + used.system) / 1e6, bytes, samples, badBlocks });
}

process.once('message', () => {
  run().then(
    () => process.disconnect(),
    (err: unknown) => {
      send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.disconnect();
    },
  );
});
send({ type: 'ready' });

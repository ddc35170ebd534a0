import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { BLOCK_BYTES } from '../src/formats/axivity/axivity-cwa-format.js';
import { axivityCwaReader } from '../src/formats/axivity/axivity-cwa.reader.js';
import { ax3Blocks, synthHeader, writeBlock } from '../src/formats/axivity/axivity-cwa-synth.test-support.js';
import { log, type BenchContext } from './lib/context.js';
import { bundleChild, runMeasuredChild } from './lib/child-run.js';
import { mbPerS, median, type BenchResult } from './lib/report.js';
import { ROOT } from './lib/workspace.js';

/** 7 days at 100 Hz in blocks of 120 packed samples: 504,000 blocks, 60.48 M samples, ≈ 258 MB. */
const FULL_BLOCKS = (7 * 86_400 * 100) / 120;
const GOAL_MB_S = 300;
const GOAL_RSS_MIB = 100;
const REPEATS = 3;
/** 2024-03-01 09:00:00 on the device's wall clock. */
const START = 1_709_283_600;

/**
 * A synthetic AX3 file with valid checksums, streamed to disk 1 MiB at a time: a wrist at rest (gravity on z)
 * with a slow sway, so the packed values and their exponents vary.
 */
async function writeCwa(file: string, blocks: number): Promise<number> {
  const out = createWriteStream(file, { highWaterMark: 4 * 1024 * 1024 });
  out.write(synthHeader({ annotation: '_p=right+wrist&_sc=bench' }));
  let bytes = 1024;
  const per = 2048;
  for (let i = 0; i < blocks; i += per) {
    const n = Math.min(per, blocks - i);
    const buf = Buffer.alloc(n * BLOCK_BYTES);
    ax3Blocks(n, START, i).forEach((spec, j) => {
      const phase = (i + j) * 0.013;
      writeBlock(buf, j * BLOCK_BYTES, { ...spec, raw: (k, a) => (a === 2 ? 250 : Math.round(60 * Math.sin(phase + k * 0.05 + a))) });
    });
    bytes += buf.length;
    if (!out.write(buf)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

interface ChildRun {
  seconds: number;
  cpuSeconds: number;
  bytes: number;
  samples: number;
  badBlocks: number;
  peakMiB: number;
  exact: boolean;
}

/**
 * AX3 .cwa, 7 days at 100 Hz (≈ 258 MB, 60.48 M samples, every block's checksum verified): the reader alone
 * over a file stream in a child process, against a plain drain of the same file stream in the same kind of
 * child (the anchor), best of three by median; peak RSS (VmHWM from the moment reading starts).
 */
export async function axivityCwa(ctx: BenchContext): Promise<Omit<BenchResult, 'seconds'>> {
  const blocks = Math.round(FULL_BLOCKS * ctx.scale);
  const file = ctx.ws.file('ax3-7d.cwa');
  let t = performance.now();
  const bytes = await writeCwa(file, blocks);
  log(`generated ax3-7d.cwa: ${blocks.toLocaleString('en')} blocks, ${(blocks * 120).toLocaleString('en')} samples, ${(bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  if (!axivityCwaReader.sniff({ head: readFileSync(file).subarray(0, 65_536), filename: 'ax3-7d.cwa' })) throw new Error('the .cwa reader does not claim the generated file');

  const cmd = await bundleChild(ctx, path.join(ROOT, 'bench/axivity-cwa.child.ts'), 'axivity-cwa.child');
  const plain: ChildRun[] = [];
  const reader: ChildRun[] = [];
  t = performance.now();
  for (let i = 0; i < REPEATS; i++) {
    plain.push(await runMeasuredChild<ChildRun>(cmd, ['plain', file]));
    reader.push(await runMeasuredChild<ChildRun>(cmd, ['reader', file]));
  }
  for (const r of reader) {
    if (r.samples !== blocks * 120 || r.badBlocks !== 0) throw new Error(`the reader gave ${r.samples} samples and ${r.badBlocks} bad blocks; expected ${blocks * 120} and 0`);
  }
  for (const p of plain) if (p.bytes !== bytes) throw new Error(`the plain read gave ${p.bytes} bytes, expected ${bytes}`);
  const readerS = median(reader.map((r) => r.seconds));
  const plainS = median(plain.map((r) => r.seconds));
  const readerCpuS = median(reader.map((r) => r.cpuSeconds));
  const readerPeak = Math.max(...reader.map((r) => r.peakMiB));
  const plainPeak = Math.max(...plain.map((r) => r.peakMiB));
  log(`${cmd.how}: reader ${readerS.toFixed(2)} s (${mbPerS(bytes, readerS).toFixed(0)} MB/s, CPU ${readerCpuS.toFixed(2)} s), peak RSS ${readerPeak.toFixed(0)} MiB; plain read ${plainS.toFixed(2)} s (${mbPerS(bytes, plainS).toFixed(0)} MB/s), peak RSS ${plainPeak.toFixed(0)} MiB; ${((performance.now() - t) / 1000).toFixed(1)} s for ${REPEATS}+${REPEATS} runs`);

  return {
    name: 'axivity-cwa',
    ok: true,
    metrics: [
      {
        name: 'reader alone, file stream (checksums verified)',
        value: mbPerS(bytes, readerS),
        unit: 'MB/s',
        anchor: { name: 'plain read, fs stream drained', value: mbPerS(bytes, plainS), unit: 'MB/s' },
        goal: { op: '>=', value: GOAL_MB_S, unit: 'MB/s' },
      },
      {
        name: `reader peak RSS (child: ${cmd.how}; VmHWM${reader.every((r) => r.exact) ? ', reset at start of read' : ' unavailable: sampled'})`,
        value: readerPeak,
        unit: 'MiB',
        anchor: { name: 'plain read child', value: plainPeak, unit: 'MiB' },
        goal: { op: '<=', value: GOAL_RSS_MIB, unit: 'MiB' },
      },
      { name: 'reader CPU time', value: readerCpuS, unit: 's', note: `${mbPerS(bytes, readerCpuS).toFixed(0)} MB per CPU-second; not a goal` },
    ],
    details: {
      blocks,
      samples: blocks * 120,
      bytes,
      child: cmd.how,
      readerRuns: reader,
      plainRuns: plain,
    },
  };
}

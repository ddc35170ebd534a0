import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { CHILD_NODE_ARGS } from '../src/main/child-process-args.js';
import { bundleChild, runMeasuredChild } from './lib/child-run.js';
import { log, type BenchContext } from './lib/context.js';
import { childrenCpuS } from './lib/proc-mem.js';
import { median, type BenchResult } from './lib/report.js';
import { ROOT } from './lib/workspace.js';

const RATE = 16_000;
const FULL_SECONDS = 3600;
const REPETITIONS = 3;
const GOAL_RATIO = 2;
/** Real speech (with its pauses) looped to fill the hour: the same clips the unit tests use. */
interface ChildRun { seconds: number; cpuSeconds: number; childrenCpuSeconds: number; frames: number }

const SOURCES = ['pyroomacoustics-samples/cmu_arctic_us_aew_a0001.wav', 'pyaudioanalysis-speech/count.wav', 'pyaudioanalysis-speech/count2.wav'];

/** The 16-bit samples of a plain WAV's data chunk. */
function wavSamples(file: string): Buffer {
  const b = readFileSync(file);
  let p = 12;
  while (p + 8 <= b.length) {
    const size = b.readUInt32LE(p + 4);
    if (b.toString('latin1', p, p + 4) === 'data') return b.subarray(p + 8, p + 8 + size);
    p += 8 + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

/** Encodes `seconds` of looped speech to FLAC with Debian's flac (default level 5), streaming raw PCM in. */
async function makeFlac(file: string, seconds: number): Promise<void> {
  const speech = Buffer.concat(SOURCES.map((s) => wavSamples(path.join(ROOT, 'test/fixtures', s))));
  const args = ['-s', '-f', '--force-raw-format', '--endian=little', '--sign=signed', '--channels=1', '--bps=16', `--sample-rate=${RATE}`, '-o', file, '-'];
  const child = spawn('flac', args, { stdio: ['pipe', 'ignore', 'inherit'] });
  const exited = once(child, 'close');
  let left = seconds * RATE * 2;
  while (left > 0) {
    const piece = speech.subarray(0, Math.min(speech.length, left));
    left -= piece.length;
    if (!child.stdin.write(piece)) await once(child.stdin, 'drain');
  }
  child.stdin.end();
  const [code] = (await exited) as [number | null];
  if (code !== 0) throw new Error(`flac exited with ${code} while encoding the benchmark file`);
}

/** Runs a program with stdout to /dev/null; returns its CPU seconds (user + sys, from the reaped child). */
async function childCpu(cmd: string, args: string[], ticksPerS: number): Promise<{ cpuS: number; wallS: number }> {
  const devNull = openSync('/dev/null', 'w');
  const c0 = childrenCpuS(ticksPerS);
  const t0 = performance.now();
  try {
    const child = spawn(cmd, args, { stdio: ['ignore', devNull, 'inherit'] });
    const [code] = (await once(child, 'close')) as [number | null];
    if (code !== 0) throw new Error(`${cmd} exited with ${code}`);
  } finally {
    closeSync(devNull);
  }
  return { cpuS: childrenCpuS(ticksPerS) - c0, wallS: (performance.now() - t0) / 1000 };
}

/**
 * 1 h of 16 kHz mono FLAC (real speech looped): CPU time (user + sys, ours plus the ffprobe/ffmpeg children)
 * of the audio-codec reader decoding it into chunks, against Debian's `flac -d -c file > /dev/null` on the
 * same file in the same run; also ffmpeg alone to /dev/null (the decoder's share). Alternating, median of
 * REPETITIONS. Goal: ≤ 2× flac's CPU time.
 */
export async function flacDecode(ctx: BenchContext): Promise<Omit<BenchResult, 'seconds'>> {
  const seconds = Math.max(10, Math.round(FULL_SECONDS * ctx.scale));
  const file = ctx.ws.file('speech-1h.flac');
  const ticksPerS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const t = performance.now();
  await makeFlac(file, seconds);
  const bytes = statSync(file).size;
  log(`generated ${seconds} s of 16 kHz mono FLAC (${(bytes / 1e6).toFixed(1)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const ffmpegArgs = ['-nostdin', '-v', 'error', '-threads', '1', '-f', 'flac', '-i', file, '-filter_threads', '1', '-c:a', 'pcm_s16le', '-f', 's16le', '-flush_packets', '0', 'pipe:1'];
  const bundled = await bundleChild(ctx, path.join(ROOT, 'bench/flac-decode.child.ts'), 'flac-decode.child', ['@echogarden/*']);
  // The reader runs as the worker runs it: a bundle on plain Node with the worker's flags.
  const cmd = { ...bundled, execArgv: [...bundled.execArgv, ...CHILD_NODE_ARGS] };
  const runs: { flac: number[]; reader: number[]; ffmpeg: number[]; own: number[]; children: number[]; wall: number[]; peak: number[] } = {
    flac: [], reader: [], ffmpeg: [], own: [], children: [], wall: [], peak: [],
  };
  for (let i = 0; i < REPETITIONS; i++) {
    const anchor = await childCpu('flac', ['-s', '-d', '-c', file], ticksPerS);
    runs.flac.push(anchor.cpuS);
    const r = await runMeasuredChild<ChildRun>(cmd, [file, String(ticksPerS)]);
    if (r.frames !== seconds * RATE) throw new Error(`the reader gave ${r.frames} frames, expected ${seconds * RATE}`);
    const cpuS = r.cpuSeconds + r.childrenCpuSeconds;
    runs.reader.push(cpuS);
    runs.own.push(r.cpuSeconds);
    runs.children.push(r.childrenCpuSeconds);
    runs.wall.push(r.seconds);
    runs.peak.push(r.peakMiB);
    const ff = await childCpu('ffmpeg', ffmpegArgs, ticksPerS);
    runs.ffmpeg.push(ff.cpuS);
    log(`#${i + 1}: flac -d ${anchor.cpuS.toFixed(2)} CPU-s; reader ${cpuS.toFixed(2)} CPU-s (reader process ${r.cpuSeconds.toFixed(2)} + decoder ${r.childrenCpuSeconds.toFixed(2)}), ${r.seconds.toFixed(2)} s wall, peak RSS ${r.peakMiB.toFixed(0)} MiB; ffmpeg alone ${ff.cpuS.toFixed(2)} CPU-s`);
  }
  const flacS = median(runs.flac);
  const readerS = median(runs.reader);
  return {
    name: 'flac-decode',
    ok: true,
    metrics: [
      { name: 'reader CPU time (ours + ffmpeg)', value: readerS, unit: 's', anchor: { name: 'flac -d', value: flacS, unit: 's' } },
      { name: 'reader CPU / flac -d CPU', value: readerS / flacS, unit: '×', goal: { op: '<=', value: GOAL_RATIO, unit: '×' } },
      { name: 'ffmpeg alone to /dev/null', value: median(runs.ffmpeg), unit: 's', note: 'the decoder child’s share' },
      { name: 'reader speed', value: seconds / median(runs.wall), unit: '× real time', note: `${seconds} s of audio` },
      { name: `reader peak RSS (child: ${cmd.how}, ${CHILD_NODE_ARGS.join(' ')})`, value: Math.max(...runs.peak), unit: 'MiB' },
    ],
    details: { seconds, bytes, runs },
  };
}

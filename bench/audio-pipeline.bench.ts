import { readFileSync } from 'node:fs';
import path from 'node:path';
import { regularChunk } from '../src/domain/chunk-times.js';
import { FrameClock } from '../src/domain/frame-clock.js';
import type { SampleChunk } from '../src/domain/stream.js';
import { WebRtcVad } from '../src/pipeline/detectors/audio-fvad.js';
import { audioQuality } from '../src/pipeline/detectors/audio-quality.js';
import { audioStream, wavChunks } from '../src/pipeline/detectors/audio-signals.test-support.js';
import { loudEvents } from '../src/pipeline/detectors/loud-events.js';
import { speechVad } from '../src/pipeline/detectors/speech-vad.js';
import type { DetectorFactory, StreamDetector } from '../src/pipeline/detectors/types.js';
import { log, type BenchContext } from './lib/context.js';
import { memoryOf, resetPeak } from './lib/proc-mem.js';
import { median, type BenchResult } from './lib/report.js';
import { ROOT } from './lib/workspace.js';

const RATE = 16_000;
const FULL_S = 3600;
const CHUNK = 65_536;
const GOAL_X = 300;
const REPS = 3;
const SOURCE = 'test/fixtures/pyaudioanalysis-speech/diarizationExample2.wav';

/**
 * One hour of 16 kHz mono audio (a 22 s six-speaker recording looped), fed in 64 Ki-sample chunks to the
 * audio detectors that run in the streaming pass: quality checks + speech (WebRTC VAD, gated and smoothed)
 * + loud events. Measures × real time on one core (audio seconds / CPU seconds spent inside the detectors;
 * making the chunks is not counted) and this process's peak RSS during the pass. Anchor in the same run:
 * WebRTC VAD alone (libfvad WASM, mode 3, 10 ms frames) on the same audio.
 */
export async function audioPipeline(ctx: BenchContext): Promise<Omit<BenchResult, 'seconds'>> {
  const seconds = Math.max(10, Math.round(FULL_S * ctx.scale));
  const { chunks } = await wavChunks(new Uint8Array(readFileSync(path.join(ROOT, SOURCE))));
  const loop = new Float32Array(chunks.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    loop.set(c.values[0]!, o);
    o += c.length;
  }
  log(`${seconds} s of 16 kHz audio: ${path.basename(SOURCE)} (${(loop.length / RATE).toFixed(1)} s) looped, ${CHUNK.toLocaleString('en')}-sample chunks`);

  const runs: Record<string, number[]> = { pipeline: [], anchor: [], quality: [], speech: [], loud: [] };
  let peakMiB = Number.NaN;
  let events: Record<string, number> = {};
  for (let rep = 0; rep < REPS; rep++) {
    const exact = resetPeak(process.pid);
    const all = detect(loop, seconds, [audioQuality, speechVad, loudEvents]);
    if (exact) peakMiB = Number.isNaN(peakMiB) ? memoryOf(process.pid).hwmMiB : Math.max(peakMiB, memoryOf(process.pid).hwmMiB);
    runs.pipeline!.push(all.cpuS);
    events = { speech: all.events[1]!, loud: all.events[2]! };
    runs.anchor!.push(vadAlone(loop, seconds));
    runs.quality!.push(detect(loop, seconds, [audioQuality]).cpuS);
    runs.speech!.push(detect(loop, seconds, [speechVad]).cpuS);
    runs.loud!.push(detect(loop, seconds, [loudEvents]).cpuS);
    log(`rep ${rep + 1}: pipeline ${all.cpuS.toFixed(2)} CPU-s (${(seconds / all.cpuS).toFixed(0)}× real time); WebRTC VAD alone ${runs.anchor!.at(-1)!.toFixed(2)} CPU-s`);
  }
  const x = (k: string): number => seconds / median(runs[k]!);
  return {
    name: 'audio-pipeline',
    ok: true,
    metrics: [
      {
        name: 'checks + VAD + loud events, × real time (1 core)',
        value: x('pipeline'),
        unit: '×',
        anchor: { name: 'WebRTC VAD alone', value: x('anchor'), unit: '×' },
        goal: { op: '>=', value: GOAL_X, unit: '×' },
      },
      { name: 'CPU seconds for the audio', value: median(runs.pipeline!), unit: 's', note: `${seconds} s of audio` },
      { name: 'quality checks alone', value: x('quality'), unit: '×', note: 'part of the pipeline' },
      { name: 'speech (VAD + gate + smoothing) alone', value: x('speech'), unit: '×', note: 'part of the pipeline' },
      { name: 'loud events alone', value: x('loud'), unit: '×', note: 'part of the pipeline' },
      { name: 'peak RSS of the bench process (VmHWM)', value: peakMiB, unit: 'MiB', note: 'includes the looped source and tsx' },
    ],
    details: { audioSeconds: seconds, rate: RATE, chunk: CHUNK, reps: REPS, cpuSeconds: runs, events, source: SOURCE },
  };
}

/** Feeds `seconds` of the looped audio to fresh detectors; CPU seconds inside push/finish, and event counts. */
function detect(loop: Float32Array, seconds: number, factories: DetectorFactory[]): { cpuS: number; events: number[] } {
  const stream = audioStream(RATE);
  const dets: StreamDetector[] = factories.map((f) => {
    const d = f(stream);
    if (d === null) throw new Error('a detector declined the audio stream');
    return d;
  });
  let cpu = 0;
  for (const chunk of chunksOf(loop, seconds)) {
    const c0 = process.cpuUsage();
    for (const d of dets) d.push?.(chunk);
    cpu += cpuSince(c0);
  }
  const c0 = process.cpuUsage();
  const outs = dets.map((d) => d.finish());
  cpu += cpuSince(c0);
  return { cpuS: cpu, events: outs.map((r) => r.events.length) };
}

/** WebRTC VAD alone: 16-bit 10 ms frames into libfvad, as the speech detector feeds it. */
function vadAlone(loop: Float32Array, seconds: number): number {
  const vad = new WebRtcVad(RATE, 3, 10);
  const fs = vad.frameSamples;
  let cpu = 0;
  let voiced = 0;
  for (const chunk of chunksOf(loop, seconds)) {
    const c0 = process.cpuUsage();
    const x = chunk.values[0]!;
    for (let s = 0; s + fs <= chunk.length; s += fs) {
      const frame = vad.frame();
      for (let k = 0; k < fs; k++) {
        const v = x[s + k]! * 32768;
        frame[k] = v >= 32767 ? 32767 : v <= -32768 ? -32768 : v;
      }
      if (vad.process()) voiced++;
    }
    cpu += cpuSince(c0);
  }
  vad.dispose();
  if (voiced === 0) throw new Error('WebRTC VAD found no speech in a speech recording');
  return cpu;
}

/**
 * The looped audio as 64 Ki-sample regular chunks (clock + first frame, as the audio readers give them); the
 * sample buffer is reused from chunk to chunk.
 */
function* chunksOf(loop: Float32Array, seconds: number): Generator<SampleChunk> {
  const total = seconds * RATE;
  const clock = new FrameClock(RATE);
  const x = new Float32Array(CHUNK);
  let pos = 0;
  for (let i = 0; i < total; i += CHUNK) {
    const n = Math.min(CHUNK, total - i);
    for (let k = 0; k < n; k++) {
      x[k] = loop[pos++]!;
      if (pos === loop.length) pos = 0;
    }
    yield regularChunk(n, [x.subarray(0, n)], clock, i);
  }
}

function cpuSince(c0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1e6;
}

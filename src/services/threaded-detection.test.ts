import { describe, expect, it } from 'vitest';
import { inProcessDetection, type DetectionRun, type StreamFindings } from '../pipeline/detectors/index.js';
import { accelStream, chunksOf, synth } from '../pipeline/detectors/imu-signals.test-support.js';
import { StreamAnalyzer } from '../pipeline/stream-analyzer.js';
import type { StreamSummary } from '../pipeline/types.js';
import { threadedDetection } from './threaded-detection.js';

/**
 * 3.5 h of wrist acceleration at 100 Hz (1.26 M samples, enough for the detectors to be split over two threads):
 * still, walking at 1.9 Hz, a double tap every 5 minutes, a raise of the wrist, off the wrist, still again.
 */
function day(): { chunks: ReturnType<typeof chunksOf>; summary: StreamSummary } {
  const stream = accelStream();
  const { t, values } = synth(3.5 * 3600, (ts) => {
    const h = ts / 3600;
    const tap = ts % 300 < 0.02 || (ts % 300 > 0.25 && ts % 300 < 0.27) ? 3 : 0;
    if (h < 0.5) return [0.02, 0.05 + tap, 0.99];
    if (h < 1.5) return [0.3 * Math.sin(2 * Math.PI * 1.9 * ts), 0.2 * Math.cos(2 * Math.PI * 1.9 * ts) + tap, 0.95 + 0.25 * Math.sin(2 * Math.PI * 3.8 * ts)];
    if (h < 1.6) return [Math.sin(h * 40), 0.1, Math.cos(h * 40)];
    if (h < 2.5) return [0, 0, 1];
    return [0.01 * Math.sin(ts / 60), 0.03, 0.99];
  }, { seed: 5 });
  const chunks = chunksOf(t, values, 32_768);
  const analyzer = new StreamAnalyzer(stream);
  for (const c of chunksOf(t, values, 65_536)) analyzer.push(c);
  return { chunks, summary: analyzer.finish() };
}

async function run(open: (s: StreamSummary) => Promise<DetectionRun>, chunks: ReturnType<typeof chunksOf>, summary: StreamSummary): Promise<StreamFindings> {
  const detection = await open(summary);
  try {
    expect(detection.needsSamples).toBe(true);
    for (const c of chunks) await detection.push(c);
    return await detection.finish();
  } finally {
    await detection.close();
  }
}

describe('threaded detection', () => {
  it('finds exactly what one thread finds, detector by detector, in the same order', async () => {
    const { chunks, summary } = day();
    const options = { absoluteTime: true };
    const open = threadedDetection();
    expect(open).not.toBe(inProcessDetection);
    const one = await run((s) => inProcessDetection(s.stream, options, s), chunks, summary);
    const two = await run((s) => open(s.stream, options, s), chunks, summary);
    expect(two.detectors.map((d) => d.name)).toEqual(one.detectors.map((d) => d.name));
    expect(one.detectors.map((d) => d.name)).toEqual(expect.arrayContaining(['imu-activity', 'imu-nonwear', 'tap-impulse', 'wrist-raise']));
    // Real findings, not empty ones on both sides.
    expect(one.detectors.reduce((n, d) => n + (d.output.segments?.length ?? 0) + d.output.events.length, 0)).toBeGreaterThan(10);
    expect(two).toEqual(one);
  });

  it('a chunk the detectors cannot take fails the run, and closing it stops the thread', async () => {
    const { chunks, summary } = day();
    const detection = await threadedDetection()(summary.stream, { absoluteTime: true }, summary);
    const broken = { ...chunks[0]!, values: [] as Float32Array[] };
    await expect((async () => {
      for (let i = 0; i < 8; i++) await detection.push(i === 2 ? broken : chunks[i]!);
      await detection.finish();
    })()).rejects.toThrow(TypeError);
    await expect(detection.close()).resolves.toBeUndefined();
    await expect(detection.close()).resolves.toBeUndefined();
  });
});

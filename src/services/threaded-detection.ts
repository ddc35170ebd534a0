/**
 * One stream's detectors split over two threads, so that `segment` uses the machine's second core: this thread
 * decodes the stored Parquet and runs the first part of DETECTOR_FACTORIES, a worker thread (detection-thread.ts)
 * runs the rest on copies of the same chunks. The findings are the two parts' in factory order, the same as one
 * DetectorSet gives (threaded-detection.test.ts).
 *
 * Why: since `segment` became a stage of its own, the detectors no longer fill `validate`'s I/O waits, and on a
 * 24 h, 100 Hz accelerometer stream they are most of the stage (bench/README.md, sensor-logger-24h). Their CPU
 * there, measured one by one over the imu-pipeline benchmark's synthetic day (`syntheticDay` in
 * bench/imu-pipeline.bench.ts, 8.64 M rows, each factory fed alone): signal checks 0.30 s, activity 1.89 s |
 * non-wear 0.33 s, calibration 0.22 s, taps 1.02 s, wrist raises 0.68 s — hence the split before non-wear.
 * Short streams stay in this thread: starting a thread costs more than it saves below ~10^6 samples.
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SampleChunk } from '../domain/stream.js';
import { DETECTOR_FACTORIES, DetectorSet, inProcessDetection, type DetectionRun, type OpenDetection, type StreamFindings } from '../pipeline/detectors/index.js';
import { imuNonWearDetector } from '../pipeline/detectors/imu-index.js';
import type { DetectionThreadInit, FromThread, ToThread } from './detection-thread.js';

/** The first factory the worker thread runs. */
const SPLIT_AT = DETECTOR_FACTORIES.indexOf(imuNonWearDetector);
/** Streams shorter than this run in one thread. */
const THREAD_MIN_SAMPLES = 1_000_000;
/** Chunks posted to the thread and not yet taken: bounds the copies held (a few 32 Ki-row pieces). */
const MAX_IN_FLIGHT = 3;

/** The thread's script: the bundle beside this one (npm start), else the TypeScript source through tsx (tests, dev). */
function startThread(init: DetectionThreadInit): Worker {
  if (import.meta.url.endsWith('.mjs')) return new Worker(new URL('./detection-thread.mjs', import.meta.url), { workerData: init });
  const source = pathToFileURL(fileURLToPath(new URL('./detection-thread.ts', import.meta.url))).href;
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`, { eval: true, workerData: init });
}

/** The worker thread's side of one run: its readiness, flow control and findings. */
class ThreadPart {
  readonly ready: Promise<boolean>;
  private readonly done: Promise<StreamFindings>;
  private inFlight = 0;
  private ackWaiter: (() => void) | null = null;
  private failure: Error | null = null;
  private closed = false;

  constructor(private readonly worker: Worker) {
    let readyOk!: (needsSamples: boolean) => void;
    let readyFail!: (e: Error) => void;
    let doneOk!: (f: StreamFindings) => void;
    let doneFail!: (e: Error) => void;
    this.ready = new Promise((res, rej) => { readyOk = res; readyFail = rej; });
    this.done = new Promise((res, rej) => { doneOk = res; doneFail = rej; });
    // Failures are thrown where awaited; until then they must not count as unhandled.
    this.ready.catch(() => undefined);
    this.done.catch(() => undefined);
    const fail = (e: Error): void => {
      if (this.failure !== null) return;
      this.failure = e;
      readyFail(e);
      doneFail(e);
      this.wake();
    };
    worker.on('message', (m: FromThread) => {
      if (m.type === 'ready') readyOk(m.needsSamples);
      else if (m.type === 'ack') {
        this.inFlight--;
        this.wake();
      } else if (m.type === 'done') doneOk(m.findings);
      else fail(Object.assign(new Error(`A detector failed in its worker thread: ${m.message}`), m.stack ? { stack: m.stack } : {}));
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`The detection thread stopped (exit code ${code}).`)));
  }

  private wake(): void {
    const w = this.ackWaiter;
    this.ackWaiter = null;
    w?.();
  }

  /** Posts a copy of the chunk (the caller keeps and reuses its own). */
  post(chunk: SampleChunk): void {
    if (this.failure !== null) throw this.failure;
    const copy: SampleChunk = { length: chunk.length, t: chunk.t.slice(0, chunk.length), values: chunk.values.map((v) => v.slice(0, chunk.length)) };
    const message: ToThread = { type: 'push', chunk: copy };
    this.worker.postMessage(message, [copy.t.buffer as ArrayBuffer, ...copy.values.map((v) => v.buffer as ArrayBuffer)]);
    this.inFlight++;
  }

  /** Waits while too many chunks are in flight. */
  async drain(): Promise<void> {
    while (this.inFlight > MAX_IN_FLIGHT && this.failure === null) await new Promise<void>((res) => { this.ackWaiter = res; });
    if (this.failure !== null) throw this.failure;
  }

  async finish(): Promise<StreamFindings> {
    if (this.failure !== null) throw this.failure;
    const message: ToThread = { type: 'finish' };
    this.worker.postMessage(message);
    try {
      return await this.done;
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.worker.terminate();
  }
}

/** Detection over two threads for long streams on a machine with two cores or more; in this thread otherwise. */
export function threadedDetection(): OpenDetection {
  if (SPLIT_AT <= 0 || availableParallelism() < 2) return inProcessDetection;
  return async (stream, options, summary): Promise<DetectionRun> => {
    if (summary.samples < THREAD_MIN_SAMPLES) return inProcessDetection(stream, options, summary);
    const thread = new ThreadPart(startThread({ stream, options, summary, from: SPLIT_AT }));
    let remoteNeedsSamples: boolean;
    try {
      remoteNeedsSamples = await thread.ready;
    } catch (err) {
      await thread.close();
      throw err;
    }
    const local = new DetectorSet(stream, DETECTOR_FACTORIES.slice(0, SPLIT_AT), options, summary);
    return {
      needsSamples: local.needsSamples || remoteNeedsSamples,
      async push(chunk) {
        if (remoteNeedsSamples) thread.post(chunk);
        local.push(chunk);
        if (remoteNeedsSamples) await thread.drain();
      },
      async finish() {
        const theirs = thread.finish();
        // Should this thread's part throw, the thread's answer is still awaited by no one: it must not count as unhandled.
        theirs.catch(() => undefined);
        const mine = local.finish();
        return { stream: mine.stream, detectors: [...mine.detectors, ...(await theirs).detectors] };
      },
      close: () => thread.close(),
    };
  };
}

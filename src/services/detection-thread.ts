/**
 * A worker thread's part of one stream's detectors (threaded-detection.ts starts it): the factories from
 * `from` on, fed the chunks the parent posts, answering each with an ack (flow control) and the findings at the end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SampleChunk, StreamInfo } from '../domain/stream.js';
import { DETECTOR_FACTORIES, DetectorSet } from '../pipeline/detectors/index.js';
import type { StreamSummary } from '../pipeline/types.js';

/** What the parent sends the thread at its start. */
export interface DetectionThreadInit {
  stream: StreamInfo;
  options: Record<string, unknown>;
  summary: StreamSummary;
  /** The first factory of DETECTOR_FACTORIES this thread runs (it runs the rest). */
  from: number;
}

/** Parent → thread. */
export type ToThread = { type: 'push'; chunk: SampleChunk } | { type: 'finish' };
/** Thread → parent. */
export type FromThread =
  | { type: 'ready'; needsSamples: boolean }
  | { type: 'ack' }
  | { type: 'done'; findings: ReturnType<DetectorSet['finish']> }
  | { type: 'failed'; message: string; stack?: string };

const port = parentPort;
if (port !== null) {
  const init = workerData as DetectionThreadInit;
  const post = (m: FromThread): void => port.postMessage(m);
  try {
    const set = new DetectorSet(init.stream, DETECTOR_FACTORIES.slice(init.from), init.options, init.summary);
    post({ type: 'ready', needsSamples: set.needsSamples });
    port.on('message', (m: ToThread) => {
      try {
        if (m.type === 'push') {
          set.push(m.chunk);
          post({ type: 'ack' });
        } else {
          post({ type: 'done', findings: set.finish() });
        }
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        post({ type: 'failed', message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
      }
    });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    post({ type: 'failed', message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
  }
}

import { PassThrough, type Readable } from 'node:stream';
import type { ByteSink } from '../columnar/parquet-stream-writer.js';
import type { ObjectStore } from '../storage/object-store.js';

/** Reads the first `n` bytes of a stream for sniffing and gives back an iterable of the whole stream. */
export async function peek(body: Readable, n: number): Promise<{ head: Uint8Array; rest: AsyncIterable<Uint8Array> }> {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first: Buffer[] = [];
  let have = 0;
  let done = false;
  while (have < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    first.push(r.value);
    have += r.value.length;
  }
  const headBuf = Buffer.concat(first);
  async function* rest(): AsyncGenerator<Uint8Array> {
    for (const b of first) yield b;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head: headBuf.subarray(0, Math.min(n, headBuf.length)), rest: rest() };
}

/** A byte sink that streams into one object through multipart upload, with backpressure. */
export class S3Sink implements ByteSink {
  // Derived files stream out one 5 MiB part at a time: a worker may have several open at once.
  private readonly pass = new PassThrough({ highWaterMark: 1024 * 1024 });
  private readonly abortController = new AbortController();
  private readonly done: Promise<void>;
  private failure: Error | undefined;

  constructor(store: ObjectStore, key: string) {
    this.done = store.putStream(key, this.pass, { signal: this.abortController.signal, contentType: 'application/vnd.apache.parquet', partBytes: 5 * 1024 * 1024, queueSize: 1 });
    // A put that fails (the store went away) stops reading: fail the writer waiting for 'drain' too. The
    // error reaches writers through `failure` and their own listener, never as an unhandled 'error' event.
    this.pass.on('error', () => undefined);
    this.done.catch((e: unknown) => {
      this.failure = e instanceof Error ? e : new Error(String(e));
      this.pass.destroy(this.failure);
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.pass.write(bytes)) return;
    await new Promise<void>((resolve, reject) => {
      const onDrain = (): void => { this.pass.off('error', onError); resolve(); };
      const onError = (e: Error): void => { this.pass.off('drain', onDrain); reject(e); };
      this.pass.once('drain', onDrain);
      this.pass.once('error', onError);
    });
  }

  async close(): Promise<void> {
    this.pass.end();
    await this.done;
  }

  async abort(): Promise<void> {
    this.abortController.abort();
    this.pass.destroy();
    await this.done.catch(() => undefined);
  }
}

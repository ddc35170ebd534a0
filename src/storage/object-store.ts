import { PassThrough, Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { countStoreFailures, type StoreFailureListener } from './store-failures.js';
import { asStorageOutage } from '../lib/outages.js';

/** S3's smallest multipart part (all but the last). */
const MIN_PART_BYTES = 5 * 1024 * 1024;

/** Where the project's objects live. Only this folder imports the AWS SDK. */
export interface ObjectStoreOptions {
  endpoint: string | undefined;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  /** Size of each multipart part; memory per streamed put ≈ queueSize × partBytes. */
  partBytes?: number;
  /** Told of each failed send (after the SDK's retries), for the dependency-error metric. */
  onFailure?: StoreFailureListener;
}

/** A random-access view of one object, for readers that need a file's footer (Parquet). */
export interface AsyncObjectBuffer {
  byteLength: number;
  /** The object's version as the store names it (its ETag): another content has another. */
  etag: string;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
}

/**
 * The project's objects in one bucket. Every failure that means the store is down or unreachable (refused,
 * reset, timed out, 5xx — also mid-body, on a stream already handed out) is thrown as an OutageError of
 * `storage` (lib/outages.ts), so that callers answer 503 or wait instead of blaming the request.
 */
export class ObjectStore {
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly partBytes: number;

  constructor(opts: ObjectStoreOptions) {
    this.bucket = opts.bucket;
    this.partBytes = opts.partBytes ?? 8 * 1024 * 1024;
    this.client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region,
      forcePathStyle: opts.forcePathStyle,
      credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
      // Streamed bodies are otherwise sent `aws-chunked` with a CRC32 trailer, which some S3-compatible
      // servers (s3rver) store as content. Checksums are computed by us (SHA-256) instead.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) }),
      maxAttempts: 3,
    });
    if (opts.onFailure) countStoreFailures(this.client, opts.onFailure);
  }

  /** Creates the bucket when it does not exist yet. */
  async ensureBucket(): Promise<void> {
    try {
      await this.guard(() => this.client.send(new HeadBucketCommand({ Bucket: this.bucket })));
    } catch (e) {
      if (isNotFound(e)) {
        await this.guard(() => this.client.send(new CreateBucketCommand({ Bucket: this.bucket })));
        return;
      }
      throw e;
    }
  }

  /** True when the store answers (used by /readyz). */
  async ping(): Promise<void> {
    await this.guard(() => this.client.send(new HeadBucketCommand({ Bucket: this.bucket })));
  }

  /**
   * Streams a body of unknown length into one object with multipart upload, holding at most
   * `queueSize` parts in memory. Resolves once the object is stored; on failure (or abort) the partial
   * multipart upload is aborted so nothing is left behind.
   */
  async putStream(key: string, body: Readable, opts: { contentType?: string; signal?: AbortSignal; partBytes?: number; queueSize?: number } = {}): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: opts.contentType ?? 'application/octet-stream' },
      partSize: Math.max(MIN_PART_BYTES, opts.partBytes ?? this.partBytes),
      queueSize: opts.queueSize ?? 2,
      leavePartsOnError: false,
    });
    const onAbort = (): void => {
      void upload.abort().catch(() => undefined);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
    } catch (e) {
      // An abort by the caller (a client that went away) is the caller's reason, never an outage.
      if (opts.signal?.aborted) throw opts.signal.reason ?? e;
      throw asStorageOutage(e);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Stores a small object held in memory (summaries, JSON). */
  async putBytes(key: string, body: Uint8Array | string, contentType = 'application/octet-stream'): Promise<void> {
    await this.guard(() => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType })));
  }

  /** The object's bytes as a stream, optionally a byte range [start, end] (inclusive, as HTTP). */
  async getStream(key: string, range?: { start: number; end?: number }): Promise<{ body: Readable; length: number; contentType: string | undefined }> {
    const out = await this.guard(() => this.client.send(new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
    })));
    if (!out.Body) throw new Error(`object ${key} has no body`);
    return { body: tagBodyErrors(out.Body as Readable), length: out.ContentLength ?? 0, contentType: out.ContentType };
  }

  /** `length` bytes at `offset` (fewer at the end of the object). */
  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    if (length <= 0) return new Uint8Array(0);
    try {
      return await this.guard(async () => readAll(await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${offset}-${offset + length - 1}` }))));
    } catch (e) {
      // A range that starts at or past the end: nothing there.
      if (e instanceof S3ServiceException && e.$metadata.httpStatusCode === 416) return new Uint8Array(0);
      throw e;
    }
  }

  async getBytes(key: string): Promise<Uint8Array> {
    return this.guard(async () => {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) throw new Error(`object ${key} has no body`);
      return out.Body.transformToByteArray();
    });
  }

  /** Size of an object, or null when it does not exist. */
  async size(key: string): Promise<number | null> {
    return (await this.stat(key))?.size ?? null;
  }

  /**
   * A server-side copy of an object within the bucket (the dataset export publishes its files so). One request:
   * objects up to S3's 5 GiB copy limit, which an export's files stay under.
   */
  async copy(from: string, to: string): Promise<void> {
    await this.guard(() => this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: `${this.bucket}/${from.split('/').map(encodeURIComponent).join('/')}` })));
  }

  async delete(key: string): Promise<void> {
    await this.guard(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  /** Keys under a prefix (tests and maintenance). */
  async list(prefix: string): Promise<string[]> {
    const keysFound: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.guard(() => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token })));
      for (const o of out.Contents ?? []) if (o.Key) keysFound.push(o.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keysFound;
  }

  /** Size and version (ETag) of an object; null when there is none. */
  async stat(key: string): Promise<{ size: number; etag: string } | null> {
    try {
      const out = await this.guard(() => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
      return { size: out.ContentLength ?? 0, etag: out.ETag ?? `${out.ContentLength ?? 0}/${out.LastModified?.getTime() ?? 0}` };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  /** Random access over one object through range requests; the footer of a Parquet file is read once. */
  async asyncBuffer(key: string): Promise<AsyncObjectBuffer> {
    const stat = await this.stat(key);
    if (stat === null) throw new Error(`object ${key} does not exist`);
    const byteLength = stat.size;
    return {
      byteLength,
      etag: stat.etag,
      slice: async (start: number, end?: number): Promise<ArrayBuffer> => {
        const stop = (end ?? byteLength) - 1;
        if (stop < start) return new ArrayBuffer(0);
        const bytes = await this.guard(async () => readAll(await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${stop}` }))));
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      },
    };
  }

  destroy(): void {
    this.client.destroy();
  }

  /** Runs one call to the store (a command and the reading of its answer); an outage is thrown as OutageError. */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      throw asStorageOutage(e);
    }
  }
}

/** The whole body of an answer, read into memory (small objects and ranges). */
async function readAll(out: { Body?: { transformToByteArray(): Promise<Uint8Array> } }): Promise<Uint8Array> {
  return out.Body ? out.Body.transformToByteArray() : new Uint8Array(0);
}

/**
 * The body of a GET as a stream whose errors are outages of the store: a connection cut mid-body surfaces
 * as Node's "aborted" (ECONNRESET), which must not read as a client abort or a truncated file.
 */
function tagBodyErrors(body: Readable): Readable {
  const out = new PassThrough({ highWaterMark: body.readableHighWaterMark });
  body.once('error', (e) => out.destroy(asStorageOutage(e) as Error));
  out.once('close', () => body.destroy());
  body.pipe(out);
  return out;
}

function isNotFound(e: unknown): boolean {
  if (e instanceof NoSuchKey || e instanceof NotFound) return true;
  return e instanceof S3ServiceException && (e.$metadata.httpStatusCode === 404 || e.name === 'NotFound' || e.name === 'NoSuchBucket');
}

import { mkdirSync } from 'node:fs';
import S3rver, { type S3rverContext } from 's3rver';

/**
 * s3rver keeps each key segment as a file name with a suffix (`._S3rver_object`, `._S3rver_metadata.json`):
 * a segment past ~233 bytes fails to open with ENAMETOOLONG on a stream nobody listens to, which kills the
 * whole server. Such keys are refused up front, as S3 itself refuses keys past 1,024 bytes.
 */
const MAX_SEGMENT_BYTES = 200;
const MAX_KEY_BYTES = 1024;

function tooLong(path: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return 'the key is not valid percent-encoded UTF-8';
  }
  const segments = decoded.split('/').filter((s) => s !== '');
  const key = segments.slice(1).join('/');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `the key is longer than ${MAX_KEY_BYTES} bytes`;
  const long = segments.find((s) => Buffer.byteLength(s) > MAX_SEGMENT_BYTES);
  return long === undefined ? null : `a segment of the key is longer than ${MAX_SEGMENT_BYTES} bytes (this store keeps it as a file name)`;
}

/** Answers an over-long key with S3's own error instead of letting it reach the file system. */
async function refuseLongKeys(ctx: S3rverContext, next: () => Promise<void>): Promise<void> {
  const why = tooLong(ctx.path);
  if (why === null) return next();
  ctx.status = 400;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>KeyTooLongError</Code><Message>Your key is too long: ${why}.</Message></Error>`;
}

/**
 * The embedded S3-compatible server (s3rver) that `npm start` runs when S3_ENDPOINT is unset, and that
 * tests run on a spare port. It speaks the S3 API on loopback; the app talks to it through the same
 * @aws-sdk/client-s3 code path as to MinIO or AWS.
 */
export async function startEmbeddedS3(opts: { directory: string; port: number; bucket: string; address?: string }): Promise<{ endpoint: string; close: () => Promise<void> }> {
  mkdirSync(opts.directory, { recursive: true });
  const server = new S3rver({
    address: opts.address ?? '127.0.0.1',
    port: opts.port,
    directory: opts.directory,
    silent: true,
    configureBuckets: [{ name: opts.bucket, configs: [] }],
    allowMismatchedSignatures: true,
  });
  server.middleware.unshift(refuseLongKeys);
  const info = (await server.run());
  return {
    endpoint: `http://127.0.0.1:${info.port}`,
    close: async () => {
      await server.close();
    },
  };
}

import { mkdirSync } from 'node:fs';
import S3rver from 's3rver';

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
  const info = (await server.run());
  return {
    endpoint: `http://127.0.0.1:${info.port}`,
    close: async () => {
      await server.close();
    },
  };
}

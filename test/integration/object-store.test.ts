import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ObjectStore } from '../../src/storage/object-store.js';

describe('object storage through the S3 API (the run\'s S3-compatible server)', () => {
  let store: ObjectStore;
  beforeAll(async () => {
    store = new ObjectStore({
      endpoint: inject('s3Endpoint'), region: 'us-east-1', bucket: `fs-store-${randomBytes(3).toString('hex')}`,
      accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true, partBytes: 5 * 1024 * 1024,
    });
    await store.ensureBucket();
  });
  afterAll(() => store.destroy());

  it('a streamed multipart put reads back byte-identical (no aws-chunked framing stored as content)', async () => {
    const bytes = randomBytes(12 * 1024 * 1024 + 12345);
    const pieces = Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536));
    await store.putStream('t/streamed.bin', Readable.from(pieces));
    const back = await store.getBytes('t/streamed.bin');
    expect(back.length).toBe(bytes.length);
    expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('range reads through asyncBuffer return exactly the asked bytes', async () => {
    const bytes = randomBytes(100_000);
    await store.putBytes('t/range.bin', bytes);
    const buf = await store.asyncBuffer('t/range.bin');
    expect(buf.byteLength).toBe(100_000);
    expect(Buffer.from(await buf.slice(99_990))).toEqual(bytes.subarray(99_990));
    expect(Buffer.from(await buf.slice(10, 20))).toEqual(bytes.subarray(10, 20));
    expect(await store.size('t/missing.bin')).toBeNull();
  });

  it('an aborted streamed put leaves no object', async () => {
    const ac = new AbortController();
    async function* slow(): AsyncGenerator<Buffer> {
      yield randomBytes(6 * 1024 * 1024);
      ac.abort();
      await new Promise((r) => setTimeout(r, 50));
      yield randomBytes(1024);
    }
    await expect(store.putStream('t/aborted.bin', Readable.from(slow()), { signal: ac.signal })).rejects.toThrow();
    expect(await store.size('t/aborted.bin')).toBeNull();
  });
});

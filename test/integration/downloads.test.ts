import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, seedStudy, sensorLoggerCsv, startHarness, upload, type Harness } from '../helpers/harness.js';
import { expectMatchesContract } from '../helpers/contract.js';

const run = promisify(execFile);
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/**
 * GET/HEAD /v1/recordings/:id/raw as a download server (RFC 9110): byte ranges, conditional requests, the
 * digest of the whole file on every answer, streamed from the real S3-compatible server; and curl resuming.
 */
describe('raw downloads: Range, HEAD, ETag, If-None-Match, If-Range', () => {
  let h: Harness;
  let study: Awaited<ReturnType<typeof seedStudy>>;
  let other: Awaited<ReturnType<typeof seedStudy>>;
  let bytes: Buffer;
  let size: number;
  let recId: string;
  let upl: { id: string; sha256: string; receivedAt: string };
  let url: string;
  let tmp: string;
  const apiLog: string[] = [];
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${study.participantToken}` });
  /** fetch, with the answer checked against the served OpenAPI document (status, content type, JSON body). */
  const fetchChecked = async (u: string, init: { method?: string; headers: Record<string, string> }): Promise<Response> => {
    const method = init.method ?? 'GET';
    const res = await fetch(u, init);
    const type = res.headers.get('content-type');
    const body = res.status === 304 || method === 'HEAD' ? null : type?.startsWith('application/json') ? await res.clone().json() : undefined;
    await expectMatchesContract(h, method, new URL(u).pathname, res.status, body, type);
    return res;
  };
  const get = (headers: Record<string, string> = {}, method = 'GET'): Promise<Response> => fetchChecked(url, { method, headers: { ...auth(), ...headers } });

  beforeAll(async () => {
    h = await startHarness({ workers: false, env: { LOG_LEVEL: 'debug' }, apiLog: { write: (line: string) => { apiLog.push(line); } } });
    study = await seedStudy(h);
    other = await seedStudy(h);
    // A real Sensor Logger CSV of a few MB: bytes that differ along the file, so an offset error shows.
    bytes = Buffer.from(sensorLoggerCsv({ rows: 60_000, rateHz: 100 }));
    size = bytes.length;
    const up = await upload(h, study.participantToken, bytes, 'Accelerometer.csv');
    expect(up.status, JSON.stringify(up.json)).toBe(201);
    recId = up.json.recording.id;
    upl = up.json.upload;
    url = `${h.baseUrl}/v1/recordings/${recId}/raw`;
    tmp = mkdtempSync(path.join(os.tmpdir(), 'fieldsense-downloads-'));
  });
  afterAll(async () => {
    rmSync(tmp, { recursive: true, force: true });
    await h?.close();
  });

  it('the whole file: 200 with Accept-Ranges, a strong ETag of its SHA-256, Last-Modified and the digests', async () => {
    expect(size).toBeGreaterThan(3_000_000);
    const res = await get();
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(sha256(body)).toBe(upl.sha256);
    expect(res.headers.get('content-length')).toBe(String(size));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('etag')).toBe(`"sha256:${upl.sha256}"`);
    expect(res.headers.get('last-modified')).toBe(new Date(upl.receivedAt).toUTCString());
    const b64 = Buffer.from(upl.sha256, 'hex').toString('base64');
    expect(res.headers.get('digest')).toBe(`sha-256=${b64}`);
    expect(res.headers.get('repr-digest')).toBe(`sha-256=:${b64}:`);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="Accelerometer.csv"; filename*=UTF-8\'\'Accelerometer.csv');
    expect(res.headers.get('content-range')).toBeNull();
  });

  it('the first 100 bytes, a middle range, a suffix and an open range: 206 with exactly those bytes', async () => {
    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 99],
      ['bytes=1000000-1234566', 1_000_000, 1_234_566],
      ['bytes=-500', size - 500, size - 1],
      [`bytes=${size - 777}-`, size - 777, size - 1],
      [`bytes=${size - 1}-${size - 1}`, size - 1, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await get({ range });
      expect(res.status, range).toBe(206);
      expect(res.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${size}`);
      expect(res.headers.get('content-length'), range).toBe(String(end - start + 1));
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      expect(res.headers.get('etag')).toBe(`"sha256:${upl.sha256}"`);
      // The digests are of the whole representation, not of the part (RFC 9530 Repr-Digest).
      expect(res.headers.get('repr-digest')).toBe(`sha-256=:${Buffer.from(upl.sha256, 'hex').toString('base64')}:`);
      expect(res.headers.get('content-disposition')).toContain('attachment');
      const got = Buffer.from(await res.arrayBuffer());
      expect(got.equals(bytes.subarray(start, end + 1)), range).toBe(true);
    }
  });

  it('an end past the last byte is clamped; a start past it is 416 with bytes */size and the JSON error', async () => {
    const clamped = await get({ range: `bytes=${size - 10}-${size + 10_000}` });
    expect(clamped.status).toBe(206);
    expect(clamped.headers.get('content-range')).toBe(`bytes ${size - 10}-${size - 1}/${size}`);
    expect(Buffer.from(await clamped.arrayBuffer()).equals(bytes.subarray(size - 10))).toBe(true);
    for (const range of [`bytes=${size}-`, `bytes=${size + 5}-${size + 10}`, 'bytes=-0']) {
      const res = await get({ range });
      expect(res.status, range).toBe(416);
      expect(res.headers.get('content-range')).toBe(`bytes */${size}`);
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(res.headers.get('content-disposition')).toBeNull();
      const json = (await res.json()) as any;
      expect(json.error.code).toBe('range_not_satisfiable');
      expect(json.error.details.size).toBe(size);
    }
  });

  it('a malformed Range is ignored (200, the whole); several ranges: one part when they coalesce, else the whole', async () => {
    for (const range of ['bytes=abc', 'bytes=100-5', 'lines=0-5', 'bytes=0 - 9']) {
      const res = await get({ range });
      expect(res.status, range).toBe(200);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(upl.sha256);
    }
    const joined = await get({ range: 'bytes=0-49, 50-99, 20-30' });
    expect(joined.status).toBe(206);
    expect(joined.headers.get('content-range')).toBe(`bytes 0-99/${size}`);
    expect(Buffer.from(await joined.arrayBuffer()).equals(bytes.subarray(0, 100))).toBe(true);
    const apart = await get({ range: 'bytes=0-9, 500-599' });
    expect(apart.status).toBe(200);
    expect(apart.headers.get('content-length')).toBe(String(size));
    await apart.body?.cancel();
  });

  it('HEAD: the same headers as GET and no body; Range is for GET only', async () => {
    const full = await get();
    await full.body?.cancel();
    const head = await get({}, 'HEAD');
    expect(head.status).toBe(200);
    for (const name of ['content-length', 'content-type', 'accept-ranges', 'etag', 'last-modified', 'digest', 'repr-digest', 'content-disposition']) {
      expect(head.headers.get(name), name).toBe(full.headers.get(name));
    }
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    const ranged = await get({ range: 'bytes=0-99' }, 'HEAD');
    expect(ranged.status).toBe(200);
    expect(ranged.headers.get('content-length')).toBe(String(size));
    expect((await get({ 'if-none-match': `"sha256:${upl.sha256}"` }, 'HEAD')).status).toBe(304);
  });

  it('If-None-Match with the ETag: 304 without a body; another tag: 200', async () => {
    const etag = (await get({}, 'HEAD')).headers.get('etag')!;
    const res = await get({ 'if-none-match': etag });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    expect((await get({ 'if-none-match': `"x", W/${etag}` })).status).toBe(304);
    expect((await get({ 'if-none-match': '*', range: 'bytes=0-9' })).status).toBe(304);
    const changed = await get({ 'if-none-match': '"sha256:0000"' });
    expect(changed.status).toBe(200);
    await changed.body?.cancel();
  });

  it('If-Range: the range while the ETag matches, the whole 200 when it does not', async () => {
    const etag = `"sha256:${upl.sha256}"`;
    const same = await get({ range: 'bytes=100-199', 'if-range': etag });
    expect(same.status).toBe(206);
    expect(Buffer.from(await same.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
    const byDate = await get({ range: 'bytes=100-199', 'if-range': new Date(upl.receivedAt).toUTCString() });
    expect(byDate.status).toBe(206);
    await byDate.body?.cancel();
    const stale = await get({ range: 'bytes=100-199', 'if-range': '"sha256:0123456789abcdef"' });
    expect(stale.status).toBe(200);
    expect(stale.headers.get('content-range')).toBeNull();
    expect(sha256(Buffer.from(await stale.arrayBuffer()))).toBe(upl.sha256);
  });

  it('a download resumed from two ranges reassembles the original bytes', async () => {
    const cut = 1_234_567;
    const first = await get({ range: `bytes=0-${cut - 1}` });
    const etag = first.headers.get('etag')!;
    const a = Buffer.from(await first.arrayBuffer());
    const second = await get({ range: `bytes=${cut}-`, 'if-range': etag });
    expect(second.status).toBe(206);
    const b = Buffer.from(await second.arrayBuffer());
    expect(a.length + b.length).toBe(size);
    expect(sha256(Buffer.concat([a, b]))).toBe(upl.sha256);
  });

  it('with curl: -r 0-99, and -C - resuming onto a partial file, give the uploaded bytes', async () => {
    const header = `Authorization: Bearer ${study.participantToken}`;
    const first100 = path.join(tmp, 'first100.bin');
    await run('curl', ['-sS', '--fail', '-H', header, '-r', '0-99', '-o', first100, url]);
    expect(readFileSync(first100).equals(bytes.subarray(0, 100))).toBe(true);
    // A download cut off after 1,000,003 bytes, then resumed: curl asks for the rest from the file's size.
    const partial = path.join(tmp, 'resumed.csv');
    writeFileSync(partial, bytes.subarray(0, 1_000_003));
    const { stderr } = await run('curl', ['-sS', '--fail', '-v', '-H', header, '-C', '-', '-o', partial, url]);
    expect(stderr).toMatch(/Range: bytes=1000003-/i);
    expect(stderr).toMatch(/HTTP\/1\.1 206/);
    expect(statSync(partial).size).toBe(size);
    expect(sha256(readFileSync(partial))).toBe(upl.sha256);
    // Resuming a complete file: curl asks past the end, gets 416, and leaves the file as it is.
    await run('curl', ['-sS', '-H', header, '-C', '-', '-o', partial, url]);
    expect(sha256(readFileSync(partial))).toBe(upl.sha256);
  });

  it('access rules are unchanged: another study\'s participant or annotator gets 404 with Range, HEAD or If-None-Match', async () => {
    for (const token of [other.participantToken, other.annotatorToken]) {
      for (const [method, headers] of [['GET', { range: 'bytes=0-99' }], ['GET', { range: `bytes=${size}-` }], ['HEAD', {}], ['GET', { 'if-none-match': `"sha256:${upl.sha256}"` }]] as const) {
        const res = await fetchChecked(url, { method, headers: { authorization: `Bearer ${token}`, ...headers } });
        expect(res.status, `${method} ${JSON.stringify(headers)}`).toBe(404);
        expect(res.headers.get('etag') ?? '').not.toContain(upl.sha256);
        expect(res.headers.get('digest')).toBeNull();
        expect(res.headers.get('content-range')).toBeNull();
        if (method === 'GET') expect(((await res.json()) as any).error.code).toBe('not_found');
      }
    }
    const annotator = await fetchChecked(url, { headers: { authorization: `Bearer ${study.annotatorToken}`, range: 'bytes=0-9' } });
    expect(annotator.status).toBe(206);
    await annotator.body?.cancel();
    const admin = await fetchChecked(url, { headers: { authorization: `Bearer ${h.adminToken}`, range: 'bytes=0-9' } });
    expect(admin.status).toBe(206);
    expect(Buffer.from(await admin.arrayBuffer()).equals(bytes.subarray(0, 10))).toBe(true);
  });

  it('HEAD, 304 and 416 are answered from the upload\'s row: they never read the object', async () => {
    const small = Buffer.from(sensorLoggerCsv({ rows: 500, rateHz: 50 }));
    const up = await upload(h, study.participantToken, small, 'Small.csv');
    expect(up.status).toBe(201);
    const u = `${h.baseUrl}/v1/recordings/${up.json.recording.id}/raw`;
    await h.store.delete(`raw/${study.studyId}/${study.participantId}/${up.json.upload.id}`);
    const head = await fetchChecked(u, { method: 'HEAD', headers: auth() });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(small.length));
    expect((await fetchChecked(u, { headers: { ...auth(), 'if-none-match': `"sha256:${up.json.upload.sha256}"` } })).status).toBe(304);
    const past = await fetchChecked(u, { headers: { ...auth(), range: `bytes=${small.length}-` } });
    expect(past.status).toBe(416);
    await past.body?.cancel();
    // GET does read it, and it is gone.
    const res = await fetch(u, { headers: auth() });
    expect(res.status).not.toBe(200);
    await res.body?.cancel();
  });

  it('a client that hangs up mid-download ends the storage read quietly: no error logged, the API keeps answering', async () => {
    const big = randomBytes(32 * 1024 * 1024);
    const up = await upload(h, study.participantToken, big, 'big.bin');
    expect(up.status).toBe(201);
    const u = new URL(`${h.baseUrl}/v1/recordings/${up.json.recording.id}/raw`);
    const res = await new Promise<IncomingMessage>((resolve, reject) => httpGet(u, { headers: auth() }, resolve).on('error', reject));
    expect(res.statusCode).toBe(200);
    const requestId = res.headers['x-request-id'];
    await new Promise((resolve) => res.once('data', resolve));
    res.destroy();
    const lines = (): any[] => apiLog.map((l) => JSON.parse(l)).filter((l) => l.requestId === requestId);
    for (let i = 0; i < 100 && !lines().some((l) => l.msg === 'download closed by the client'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(lines().map((l) => l.msg)).toContain('download closed by the client');
    expect(lines().filter((l) => l.level >= 40)).toEqual([]);
    const again = await get({ range: 'bytes=0-9' });
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes.subarray(0, 10))).toBe(true);
  });

  it('the OpenAPI document declares the headers and the answers of /raw, and its HEAD', async () => {
    const doc = (await call(h, '', 'GET', '/v1/openapi.json')).json;
    const op = doc.paths['/v1/recordings/{recordingId}/raw'];
    expect(op.head).toBeDefined();
    const headers = op.get.parameters.filter((p: { in: string }) => p.in === 'header').map((p: { name: string }) => p.name);
    expect(headers).toEqual(['Range', 'If-None-Match', 'If-Range']);
    expect(Object.keys(op.get.responses)).toEqual(expect.arrayContaining(['200', '206', '304', '416']));
    expect(Object.keys(op.get.responses['206'].content)).toEqual(['application/octet-stream']);
    expect(op.get.responses['416'].content['application/json']).toBeDefined();
  });
});

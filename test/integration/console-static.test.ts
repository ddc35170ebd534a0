import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startHarness, type Harness } from '../helpers/harness.js';
import { expectMatchesContract } from '../helpers/contract.js';

/** The console's built files as the API serves them (console/dist, built by the test setup). */
describe('the console served at /console/', () => {
  let h: Harness;
  let index: string;

  beforeAll(async () => {
    h = await startHarness({ workers: false });
    index = await readFile(path.join(ROOT, 'console/dist/index.html'), 'utf8');
  });
  afterAll(async () => {
    await h?.close();
  });

  const get = (p: string): Promise<Response> => fetch(`${h.baseUrl}${p}`, { redirect: 'manual' });

  it('GET / and /console lead to /console/', async () => {
    const r = await get('/');
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/console/');
    const bare = await get('/console');
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/console/');
  });

  it('/console/ is index.html, revalidated every time', async () => {
    const r = await get('/console/');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('cache-control')).toBe('no-cache');
    expect(await r.text()).toBe(index);
  });

  it('any other path under /console/ answers index.html, so a recording\'s address can be reloaded', async () => {
    for (const p of ['/console/recordings/rec_x', '/console/coordinator', '/console/recordings/rec_x?review=1&t=12.5']) {
      const r = await get(p);
      expect(r.status, p).toBe(200);
      expect(r.headers.get('cache-control'), p).toBe('no-cache');
      expect(await r.text(), p).toBe(index);
    }
  });

  it('the hashed assets index.html names are cached for good', async () => {
    const assets = [...index.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    for (const a of assets) {
      const r = await get(a);
      expect(r.status, a).toBe(200);
      expect(r.headers.get('cache-control'), a).toMatch(/max-age=31536000.*immutable|immutable.*max-age=31536000/);
      expect((await r.arrayBuffer()).byteLength, a).toBeGreaterThan(0);
    }
  });

  it('a missing asset is a 404 with the API\'s JSON error, not index.html or an HTML page', async () => {
    for (const p of ['/console/assets/index-missing.js', '/console/assets/', '/console/assets/../../package.json']) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.headers.get('content-type'), p).toMatch(/^application\/json/);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code, p).toMatch(/^(route_)?not_found$/);
      await expectMatchesContract(h, 'GET', p, 404, body);
    }
  });
});

describe('the console before it is built', () => {
  let h: Harness;
  let empty: string;

  beforeAll(async () => {
    empty = await mkdtemp(path.join(tmpdir(), 'fieldsense-console-'));
    h = await startHarness({ workers: false, env: { CONSOLE_DIR: empty } });
  });
  afterAll(async () => {
    await h?.close();
    await rm(empty, { recursive: true, force: true });
  });

  it('answers 503 console_not_built, saying how to build it', async () => {
    for (const p of ['/console/', '/console/recordings/rec_x']) {
      const r = await fetch(`${h.baseUrl}${p}`);
      expect(r.status, p).toBe(503);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('console_not_built');
      expect(body.error.message).toMatch(/npm run console:build/);
    }
  });
});

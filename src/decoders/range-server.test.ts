import { describe, expect, it } from 'vitest';
import { startRangeServer } from './range-server.js';

describe('loopback range server over file.readAt', () => {
  it('answers ranges, whole-file and suffix requests, 416 past the end, 404 on any other path', async () => {
    const bytes = Uint8Array.from({ length: 3_000_000 }, (_, i) => i & 0xff);
    const server = await startRangeServer({ size: bytes.length, readAt: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)) });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}$/);
      const part = await fetch(server.url, { headers: { Range: 'bytes=1000-1009' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe('bytes 1000-1009/3000000');
      expect(Array.from(new Uint8Array(await part.arrayBuffer()))).toEqual(Array.from(bytes.subarray(1000, 1010)));
      const open = await fetch(server.url, { headers: { Range: 'bytes=2999990-' } });
      expect(new Uint8Array(await open.arrayBuffer()).length).toBe(10);
      const suffix = await fetch(server.url, { headers: { Range: 'bytes=-4' } });
      expect(Array.from(new Uint8Array(await suffix.arrayBuffer()))).toEqual(Array.from(bytes.subarray(-4)));
      const whole = await fetch(server.url);
      expect(whole.status).toBe(200);
      expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
      expect((await fetch(server.url, { headers: { Range: 'bytes=3000000-' } })).status).toBe(416);
      expect((await fetch(server.url.replace(/\/[0-9a-f]+$/, '/other'))).status).toBe(404);
      expect(server.stats.requests).toBe(5);
    } finally {
      await server.close();
    }
  });
});

import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { canConnect, ensureLocalServices } from './services-check.js';

async function listening(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  return { port: typeof addr === 'object' && addr ? addr.port : 0, close: () => new Promise((r) => server.close(() => r())) };
}

describe('ensureLocalServices', () => {
  it('says exactly how to start a service that does not answer on another host', async () => {
    const up = await listening();
    const free = await listening();
    await free.close();
    try {
      // 127.0.0.2 is loopback but not "this machine's default": nothing is started there, only advice given.
      const out = await ensureLocalServices(`postgresql://postgres@127.0.0.1:${up.port}/x`, `redis://127.0.0.2:${free.port}`);
      expect(out[0]).toEqual({ name: 'PostgreSQL', ok: true });
      expect(out[1]!.ok).toBe(false);
      expect(out[1]!.advice).toContain(`127.0.0.2:${free.port}`);
      expect(out[1]!.advice).toMatch(/redis-server/);
      expect(out[1]!.advice).toMatch(/REDIS_URL/);
    } finally {
      await up.close();
    }
  });

  it('canConnect tells a listening port from a closed one', async () => {
    const up = await listening();
    expect(await canConnect('127.0.0.1', up.port)).toBe(true);
    await up.close();
    expect(await canConnect('127.0.0.1', up.port)).toBe(false);
  });
});

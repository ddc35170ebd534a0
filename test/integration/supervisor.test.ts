import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { Supervisor } from '../../src/main/supervisor.js';

/** The launcher's restart policy on real child processes, with delays shortened so that a crash loop is quick. */
const dir = mkdtempSync(path.join(os.tmpdir(), 'fieldsense-supervisor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Ready at its first start, then it crashes; every later start crashes before it is ready.
const child = path.join(dir, 'child.mjs');
writeFileSync(child, `
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
const f = process.env.COUNTER_FILE;
const n = existsSync(f) ? readFileSync(f, 'utf8').length : 0;
appendFileSync(f, 'x');
if (n === 0) { process.send({ type: 'ready' }); setTimeout(() => process.exit(3), 100); }
else process.exit(4);
`);

describe('the launcher\'s restarts', () => {
  it('restarts with doubling delays up to the cap, and gives up on a crash loop with a clear message', async () => {
    const lines: { msg: string; restartInS?: number; code?: number; level: number }[] = [];
    const log = pino({ level: 'info' }, new Writable({ write(chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString())); cb(); } }));
    let gaveUp: string | undefined;
    const done = new Promise<void>((resolve) => {
      const s = new Supervisor(log, {
        killAfterMs: 1000,
        policy: { initialDelayMs: 20, maxDelayMs: 80, stableAfterMs: 60_000, maxFailedStarts: 4 },
        onGiveUp: (name) => { gaveUp = name; resolve(); },
      });
      void s.start({ name: 'crasher', file: child, execArgv: [], cwd: dir, env: () => ({ COUNTER_FILE: path.join(dir, 'starts') }) });
    });
    await done;
    expect(gaveUp).toBe('crasher');
    const restarts = lines.filter((l) => l.msg.includes('restarting it in'));
    expect(restarts.map((l) => l.restartInS)).toEqual([0.02, 0.04, 0.08, 0.08]);
    expect(restarts.map((l) => l.code)).toEqual([3, 4, 4, 4]);
    const fatal = lines.at(-1)!;
    expect(fatal.level).toBe(60);
    expect(fatal.msg).toBe('crasher exited (exit code 4) before it was ready 4 times in a row: giving up; FieldSense stops');
  });

  it('the first start is not retried: it fails the start', async () => {
    const failing = path.join(dir, 'failing.mjs');
    writeFileSync(failing, 'process.exit(7);\n');
    const s = new Supervisor(pino({ level: 'silent' }), { killAfterMs: 1000, onGiveUp: () => undefined });
    await expect(s.start({ name: 'broken', file: failing, execArgv: [], cwd: dir, env: () => ({}) })).rejects.toThrow('broken exited with exit code 7 while starting');
  });
});

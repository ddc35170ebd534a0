import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A port nobody listens on right now. */
export async function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A backing service of a test's own (Redis, the object store) on a spare loopback port with its own data folder,
 * so that fault tests can kill it and start it again — same port, same data — without touching the machine's
 * shared services. Subclasses say how to spawn it and when it is up.
 */
export abstract class OwnProcess {
  private proc: ChildProcess | undefined;
  protected readonly dir: string;

  protected constructor(readonly port: number, dirPrefix: string) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), dirPrefix));
  }

  /** Starts the process and resolves once it serves. */
  protected abstract spawn(): Promise<ChildProcess>;

  async up(): Promise<void> {
    this.proc = await this.spawn();
  }

  /** Kills it without warning (SIGKILL): connections reset, new ones refused. */
  async down(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGKILL');
    await exited;
  }

  async close(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

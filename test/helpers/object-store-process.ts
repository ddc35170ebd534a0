import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TSX_NODE_ARGS } from '../../src/main/child-process-args.js';
import { sparePort } from './redis-server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * An object store of a test's own: `src/main/object-store-server.ts` (the embedded S3-compatible server
 * that `npm start` runs) as a child process on a spare port with its own data folder, so that fault tests
 * can kill it and start it again — same port, same objects — without touching the run's shared store.
 */
export class OwnObjectStore {
  private proc: ChildProcess | undefined;
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'fieldsense-own-s3-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<OwnObjectStore> {
    const s = new OwnObjectStore(await sparePort());
    await s.up();
    return s;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const child = fork(path.join(ROOT, 'src/main/object-store-server.ts'), [], {
      cwd: ROOT,
      execArgv: [...TSX_NODE_ARGS],
      env: { ...process.env, NODE_ENV: 'test', EMBEDDED_S3_PORT: String(this.port), DATA_DIR: this.dir, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the object store exited with ${code} while starting`)));
    });
    this.proc = child;
  }

  /** Kills the store without warning (SIGKILL): connections reset, new ones refused. */
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

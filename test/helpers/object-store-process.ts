import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { TSX_NODE_ARGS } from '../../src/main/child-process-args.js';
import { OwnProcess, sparePort } from './own-process.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * An object store of a test's own: `src/main/object-store-server.ts` (the embedded S3-compatible server
 * that `npm start` runs) as a child process on a spare port with its own data folder, so that fault tests
 * can kill it and start it again — same port, same objects — without touching the run's shared store.
 */
export class OwnObjectStore extends OwnProcess {
  private constructor(port: number) {
    super(port, 'fieldsense-own-s3-');
  }

  static async start(): Promise<OwnObjectStore> {
    const s = new OwnObjectStore(await sparePort());
    await s.up();
    return s;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  protected async spawn(): Promise<ChildProcess> {
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
    return child;
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { OwnProcess, sparePort } from './own-process.js';

/** A redis-server of a test's own on a spare loopback port (see OwnProcess). */
export class OwnRedis extends OwnProcess {
  private constructor(port: number) {
    super(port, 'fieldsense-redis-');
  }

  static async start(): Promise<OwnRedis> {
    const r = new OwnRedis(await sparePort());
    await r.up();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  protected async spawn(): Promise<ChildProcess> {
    const proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await canConnect(this.port)) return proc;
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill('SIGKILL');
    throw new Error(`redis-server did not start on ${this.port}`);
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => { s.destroy(); resolve(false); });
  });
}

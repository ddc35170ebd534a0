import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** True when something accepts TCP connections at host:port within the timeout. */
export function canConnect(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean): void => { s.destroy(); resolve(ok); };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

const LOCAL = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export interface ServiceHint { name: string; ok: boolean; started?: boolean; advice?: string }

/**
 * Makes sure PostgreSQL and Redis answer. When one is down on this machine and installed here, it is
 * started with the same command the machine's own boot uses; otherwise the advice says how to start it.
 */
export async function ensureLocalServices(databaseUrl: string, redisUrl: string): Promise<ServiceHint[]> {
  const out: ServiceHint[] = [];
  const pg = new URL(databaseUrl);
  const pgHost = pg.hostname || '127.0.0.1';
  const pgPort = Number(pg.port || 5432);
  out.push(await ensureOne('PostgreSQL', pgHost, pgPort, async () => {
    const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
    if (!versions[0] || !existsSync('/usr/bin/pg_ctlcluster')) return false;
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', versions[0], 'main', 'start']);
    return true;
  }, `Start PostgreSQL (Debian: pg_ctlcluster --skip-systemctl-redirect <version> main start; or: apt-get install postgresql), or set DATABASE_URL to a reachable server.`));
  const rd = new URL(redisUrl);
  const rdHost = rd.hostname || '127.0.0.1';
  const rdPort = Number(rd.port || 6379);
  out.push(await ensureOne('Redis', rdHost, rdPort, async () => {
    if (!existsSync('/usr/bin/redis-server')) return false;
    await run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', String(rdPort), '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction']);
    return true;
  }, `Start Redis (redis-server --daemonize yes --port ${rdPort}; or: apt-get install redis-server), or set REDIS_URL to a reachable server.`));
  return out;
}

async function ensureOne(name: string, host: string, port: number, start: () => Promise<boolean>, advice: string): Promise<ServiceHint> {
  if (await canConnect(host, port)) return { name, ok: true };
  if (LOCAL.has(host)) {
    try {
      if (await start()) {
        for (let i = 0; i < 40; i++) {
          if (await canConnect(host, port)) return { name, ok: true, started: true };
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    } catch {
      // fall through to the advice
    }
  }
  return { name, ok: false, advice: `${name} does not answer at ${host}:${port}. ${advice}` };
}

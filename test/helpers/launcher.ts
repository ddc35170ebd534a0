import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { createDatabaseFromTemplate, dropDatabase } from '../../src/repositories/bootstrap.js';
import { ROOT } from './harness.js';

/** One line the launcher (or one of its children) wrote on stdout, parsed. */
export interface LogLine { name?: string; pid?: number; msg: string; child?: string; childPid?: number; [k: string]: unknown }

export interface Launcher {
  proc: ChildProcess;
  env: Record<string, string>;
  adminToken: string;
  lines: LogLine[];
  /** Stdout lines that were not JSON (there must be none). */
  notJson: string[];
  stderr: () => string;
  /** Resolves with the first line (from `from` on) that matches; rejects when the launcher has exited or after `timeoutMs`. */
  waitFor: (match: (l: LogLine) => boolean, opts?: { timeoutMs?: number; from?: number }) => Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  close: () => Promise<void>;
}

/** A database of its own (a copy of the run's migrated template). */
export async function freshDatabase(): Promise<string> {
  const template = inject('databaseUrl');
  return createDatabaseFromTemplate(template, `${new URL(template).pathname.slice(1)}_start_${randomBytes(4).toString('hex')}`);
}

/**
 * Starts the real launcher (`tsx src/main/start.ts`, or `npm start`) with an environment of its own: a fresh
 * database, a temporary DATA_DIR, spare ports for the API and the embedded object store, its own queue prefix.
 */
export async function startLauncher(opts: { via?: 'tsx' | 'npm'; env?: Record<string, string>; databaseUrl?: string } = {}): Promise<Launcher> {
  const databaseUrl = opts.databaseUrl ?? await freshDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fieldsense-start-'));
  const adminToken = `fsa_test_${randomBytes(16).toString('hex')}`;
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !/^(S3_|ADMIN_TOKEN|PORT$|HOST$|QUEUE_PREFIX|DATABASE_URL|DATA_DIR|npm_)/.test(k))) as Record<string, string>;
  const env: Record<string, string> = {
    ...inherited,
    DATABASE_URL: databaseUrl,
    REDIS_URL: inject('redisUrl'),
    DATA_DIR: dataDir,
    PORT: '0',
    EMBEDDED_S3_PORT: '0',
    WORKER_METRICS_PORT: '0',
    QUEUE_PREFIX: `fsstart-${randomBytes(4).toString('hex')}`,
    ADMIN_TOKEN: adminToken,
    LOG_LEVEL: 'info',
    JOB_BACKOFF_MS: '200',
    OUTBOX_POLL_MS: '200',
    SHUTDOWN_DEADLINE_MS: '10000',
    ...opts.env,
  };
  const [cmd, args] = opts.via === 'npm' ? ['npm', ['start', '--silent']] : [path.join(ROOT, 'node_modules/.bin/tsx'), ['src/main/start.ts']];
  const proc = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  const notJson: string[] = [];
  let err = '';
  const listeners = new Set<() => void>();
  let rest = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    for (const p of parts) {
      if (p === '') continue;
      try {
        lines.push(JSON.parse(p) as LogLine);
      } catch {
        notJson.push(p);
      }
    }
    for (const l of listeners) l();
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => {
    resolve({ code, signal });
    for (const l of listeners) l();
  }));
  let gone = false;
  void exited.then(() => { gone = true; });
  const waitFor: Launcher['waitFor'] = (match, { timeoutMs = 60_000, from = 0 } = {}) => new Promise((resolve, reject) => {
    const check = (): void => {
      const hit = lines.slice(from).find(match);
      if (hit) done(() => resolve(hit));
      else if (gone || proc.exitCode !== null || proc.signalCode !== null) done(() => reject(new Error(`the launcher exited; stdout:\n${lines.map((l) => l.msg).join('\n')}\nstderr:\n${err}`)));
    };
    const timer = setTimeout(() => done(() => reject(new Error(`no such line within ${timeoutMs} ms; stdout:\n${lines.map((l) => l.msg).join('\n')}\nstderr:\n${err}`))), timeoutMs);
    const done = (f: () => void): void => { clearTimeout(timer); listeners.delete(check); f(); };
    listeners.add(check);
    check();
  });
  return {
    proc, env, adminToken, lines, notJson, waitFor, exited,
    stderr: () => err,
    async close() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await exited;
      }
      // Whatever a failed test left behind.
      for (const l of lines) if (l.childPid && alive(l.childPid)) process.kill(l.childPid, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      await dropDatabase(databaseUrl);
    },
  };
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until none of the pids is alive, or the deadline passes; gives those still alive. */
export async function untilGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = pids.filter(alive);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The pid of the latest process the launcher started for a child (`API`, `workers`, `object store`). */
export function childPid(l: Launcher, child: string): number {
  const started = l.lines.filter((x) => x.child === child && x.msg.startsWith(`${child} started`));
  const pid = started.at(-1)?.childPid;
  if (!pid) throw new Error(`no ${child} in the launcher's log`);
  return pid;
}

import { processCommand } from '../../src/main/child-process-args.js';
import { bundleProcesses, type ProcessName } from '../../src/main/process-bundle.js';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createObjectStore } from '../../src/main/container.js';
import { migrate } from '../../src/main/migrate.js';
import { dropSchema, ensureDatabase } from '../../src/repositories/bootstrap.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { ROOT, type Workspace } from './workspace.js';

/** A FieldSense child process as `npm start` runs it, with its log file. */
export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  log: string;
}

/**
 * A running FieldSense (S3 server, API, optional workers) of the benchmark's own. BENCH_NODE_ARGS_API and
 * BENCH_NODE_ARGS_WORKERS add node flags (space-separated) to those children, for profiling
 * (`--heap-prof`, `--max-semi-space-size=…`, `--import ./sampler.mjs`); figures taken so are not comparable.
 */
export interface Stack {
  env: Record<string, string>;
  /** The configuration the children load (their environment: this process's plus `env`). */
  config: Config;
  baseUrl: string;
  adminToken: string;
  s3: Child;
  api: Child;
  workers: Child | null;
  /** A client with the configuration the app uses (same S3 client options and part size). */
  store: ObjectStore;
  /** Starts the worker process (once); `execArgv` is added to its node options (e.g. `--cpu-prof`). */
  startWorkers(execArgv?: string[]): Promise<Child>;
  /** Worker processes started beside `workers` by `startExtraWorkers` and still running. */
  extraWorkers: Child[];
  /**
   * Starts `n` more worker processes (`workers-2`, `workers-3`, …; their own logs, no metrics port), forked
   * as `workers` is: every BullMQ queue is shared, so they take jobs as soon as they are ready.
   */
  startExtraWorkers(n: number, execArgv?: string[]): Promise<Child[]>;
  /** Stops the extra worker processes (SIGTERM: running jobs finish first; SIGKILL after 20 s). */
  stopExtraWorkers(): Promise<void>;
  /** The last lines of every child's log (to show when something failed). */
  logTails(lines?: number): string;
}

const BASE_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/fieldsense_bench';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Starts a FieldSense the way `npm start` does (each part a bundle on plain Node, configured by env),
 * on spare ports, with a PostgreSQL schema, DATA_DIR, bucket and queue prefix of this run's own. Every
 * piece registers its clean-up with the workspace as soon as it exists.
 */
export async function startStack(ws: Workspace): Promise<Stack> {
  const schema = `bench_${ws.id}`;
  const databaseUrl = `${BASE_DATABASE_URL}${BASE_DATABASE_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const queuePrefix = `fsbench-${ws.id}`;
  const adminToken = `fsa_bench_${randomBytes(16).toString('hex')}`;
  const dataDir = ws.file('data');
  const logDir = ws.file('logs');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });

  await ensureDatabase(databaseUrl);
  ws.defer(`schema ${schema}`, () => dropSchema(databaseUrl, schema));
  ws.defer(`Redis keys ${queuePrefix}:*`, () => deleteRedisKeys(REDIS_URL, `${queuePrefix}:*`));
  const tMigrate = performance.now();
  await migrate(databaseUrl);
  console.log(`  schema ${schema} migrated in ${((performance.now() - tMigrate) / 1000).toFixed(1)} s`);

  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
    DATA_DIR: dataDir,
    S3_BUCKET: `fs-bench-${ws.id}`,
    EMBEDDED_S3_PORT: '0',
    PORT: '0',
    HOST: '127.0.0.1',
    ADMIN_TOKEN: adminToken,
  };
  const children: Child[] = [];
  ws.defer('child processes', () => stopChildren(children));

  // The processes run as `npm start` runs them: bundles on plain Node.
  const bundles = await bundleProcesses(ROOT, ws.file('process-bundles'));
  const spawnChild = async (name: string, which: ProcessName, extraEnv: Record<string, string>, execArgv: string[] = []): Promise<{ child: Child; msg: ReadyMessage }> => {
    const log = path.join(logDir, `${name}.log`);
    const fd = openSync(log, 'a');
    const cmd = processCommand(ROOT, which, bundles);
    const proc = fork(cmd.file, [], {
      cwd: ROOT,
      execArgv: [...cmd.execArgv, ...execArgv],
      env: { ...process.env, ...env, ...extraEnv },
      stdio: ['ignore', fd, fd, 'ipc'],
    });
    closeSync(fd);
    if (proc.pid === undefined) throw new Error(`${name} did not start`);
    const child: Child = { name, proc, pid: proc.pid, log };
    children.push(child);
    const msg = await new Promise<ReadyMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} not ready after 120 s (log: ${log})`)), 120_000);
      proc.once('message', (m: ReadyMessage) => {
        clearTimeout(timer);
        if (m.type === 'ready') resolve(m);
        else reject(new Error(`${name} sent ${JSON.stringify(m)} while starting`));
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code ?? signal}) while starting:\n${tail(log, 30)}`));
      });
    });
    return { child, msg };
  };

  const extraArgs = (name: string): string[] => (process.env[name] ?? '').split(' ').filter(Boolean);
  const s3 = await spawnChild('object-store', 'objects', {});
  if (!s3.msg.endpoint) throw new Error('the object store sent no endpoint');
  env.S3_ENDPOINT = s3.msg.endpoint;
  const api = await spawnChild('api', 'api', {}, extraArgs('BENCH_NODE_ARGS_API'));
  if (!api.msg.port) throw new Error('the API sent no port');

  const config = loadConfig({ ...process.env, ...env });
  const store = createObjectStore(config);
  ws.defer('S3 client', () => store.destroy());

  const stack: Stack = {
    env,
    config,
    baseUrl: `http://127.0.0.1:${api.msg.port}`,
    adminToken,
    s3: s3.child,
    api: api.child,
    workers: null,
    store,
    async startWorkers(execArgv = []) {
      if (stack.workers) return stack.workers;
      const w = await spawnChild('workers', 'workers', {}, [...extraArgs('BENCH_NODE_ARGS_WORKERS'), ...execArgv]);
      stack.workers = w.child;
      return w.child;
    },
    extraWorkers: [],
    async startExtraWorkers(n, execArgv = []) {
      const started: Child[] = [];
      for (let i = 0; i < n; i++) {
        // Numbered past every worker process this run has had, so that each keeps a log of its own.
        const number = 2 + children.filter((c) => c.name.startsWith('workers-')).length;
        const w = await spawnChild(`workers-${number}`, 'workers', { WORKER_METRICS_PORT: '0' }, [...extraArgs('BENCH_NODE_ARGS_WORKERS'), ...execArgv]);
        stack.extraWorkers.push(w.child);
        started.push(w.child);
      }
      return started;
    },
    async stopExtraWorkers() {
      const running = stack.extraWorkers;
      stack.extraWorkers = [];
      await Promise.all(running.map((c) => stopChild(c)));
    },
    logTails(lines = 20) {
      return children.map((c) => `--- ${c.name} (${c.log}) ---\n${tail(c.log, lines)}`).join('\n');
    },
  };
  return stack;
}

interface ReadyMessage {
  type?: string;
  endpoint?: string;
  port?: number;
}

/** SIGTERM in the launcher's order (API, workers — extra ones too —, object store), SIGKILL after 20 s. */
async function stopChildren(children: Child[]): Promise<void> {
  const order = ['api', 'workers', 'object-store'];
  for (const name of order) {
    for (const c of children.filter((x) => x.name === name || x.name.startsWith(`${name}-`))) await stopChild(c);
  }
}

/** SIGTERM, SIGKILL after 20 s; resolves once the process has exited (at once if it already had). */
async function stopChild(c: Child): Promise<void> {
  const p = c.proc;
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      resolve();
    }, 20_000);
    p.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
  p.kill('SIGTERM');
  await exited;
}

/** Removes the run's BullMQ keys (the queue prefix is the run's own). */
async function deleteRedisKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (found.length > 0) await redis.del(...found);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

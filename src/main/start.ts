import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { createLogger } from '../lib/logger.js';
import { newToken } from '../lib/ids.js';
import { ensureDatabase } from '../repositories/bootstrap.js';
import { migrateIfNeeded } from './migrate.js';
import { ensureLocalServices } from './services-check.js';
import { processCommand } from './child-process-args.js';
import { bundleProcesses, type ProcessName } from './process-bundle.js';
import { ensureConsoleBuilt } from './console-build.js';
import { Supervisor, type ChildSpec } from './supervisor.js';

/**
 * `npm start`: checks (and on this machine starts) PostgreSQL and Redis, creates the database, applies the
 * migrations it lacks, runs the embedded object store when S3_ENDPOINT is unset, then the API and the
 * workers as processes of their own, restarting any that dies. SIGTERM, SIGINT (Ctrl-C) or SIGHUP, or the
 * process that started it going away, stop them all gracefully; the children also stop by themselves
 * when this process disappears (their IPC channel closes). Stdout carries JSON log lines only; the
 * banner for people goes to stderr.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

let config: Config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
const log = createLogger(config.logLevel, 'fieldsense');

const supervisor = new Supervisor(log, {
  // The children's own deadline (SHUTDOWN_DEADLINE_MS) first; SIGKILL only for one that still hangs.
  killAfterMs: config.shutdownDeadlineMs + 5000,
  onGiveUp: () => void stopAll(1, 'a process keeps failing to start'),
});
let stopping = false;
let migrating: Promise<unknown> | undefined;

async function stopAll(code: number, reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ reason }, 'stopping FieldSense');
  // A migration that has begun is let finish: stopping prisma half-way helps nobody.
  await migrating?.catch(() => undefined);
  // The API and the workers first (their deadline for requests and jobs), the object store they use last.
  await supervisor.stop([['API', 'workers'], ['object store']]);
  log.info({ code }, 'FieldSense stopped');
  process.exit(code);
}
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void stopAll(0, signal));
watchStarter(() => void stopAll(0, 'the process that started FieldSense is gone'));

try {
  await startFieldSense();
} catch (err) {
  log.fatal({ err }, 'FieldSense could not start');
  await stopAll(1, 'start failed');
}

async function startFieldSense(): Promise<void> {
  // The processes run as bundles on plain Node (a TypeScript loader costs ~50 MiB per process).
  if ((await ensureConsoleBuilt(root)) === 'built') log.info('console built');
  const bundles = await bundleProcesses(root, path.join(root, 'node_modules', '.cache', 'fieldsense-processes'));
  if (!bundles) log.warn('could not bundle the processes: running them through tsx');
  const spec = (name: string, which: ProcessName, env: () => Record<string, string>): ChildSpec => ({ name, ...processCommand(root, which, bundles), cwd: root, env });

  // The object store needs neither PostgreSQL nor Redis: it starts while they are checked.
  let objectStore: Promise<{ endpoint?: string }> | undefined;
  if (!config.s3.endpoint) {
    // A restarted object store comes back on the port of its first start: the others keep their S3_ENDPOINT.
    let s3Port = config.s3.embeddedPort;
    objectStore = supervisor.start(spec('object store', 'objects', () => ({ EMBEDDED_S3_PORT: String(s3Port) }))).then((m) => {
      s3Port = Number(new URL(m.endpoint!).port);
      return m;
    });
    objectStore.catch(() => undefined); // awaited below; a failure before then is reported there
  }

  const services = await ensureLocalServices(config.databaseUrl, config.redisUrl);
  for (const s of services) {
    if (s.started) log.info(`${s.name} was stopped: started it`);
    if (!s.ok) process.stderr.write(`${s.advice}\n`);
  }
  if (services.some((s) => !s.ok)) {
    await stopAll(1, 'services missing');
    return;
  }

  if ((await ensureDatabase(config.databaseUrl)) === 'created') log.info('database created');
  const migration = migrateIfNeeded(config.databaseUrl, (state) => log.info(state, 'applying migrations'));
  migrating = migration;
  const m = await migration;
  migrating = undefined;
  if (m.applied.length || m.state.unfinished.length) log.info({ applied: m.applied }, 'migrations applied');
  else log.info('migrations up to date');
  if (stopping) return;

  const dataDir = path.resolve(root, config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const token = config.adminToken
    ? { value: config.adminToken, source: 'env' as const }
    : readOrCreateAdminToken(path.join(dataDir, 'admin-token'));

  // The SDK warns that its 2027 releases will need Node 22; the lockfile pins a release that supports Node 20.
  const env: Record<string, string> = { ADMIN_TOKEN: token.value, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  if (objectStore) {
    const s3 = await objectStore;
    env.S3_ENDPOINT = s3.endpoint!;
    log.info({ endpoint: s3.endpoint, data: path.join(dataDir, 'objects') }, 'embedded object store (set S3_ENDPOINT to use MinIO or AWS instead)');
  }
  let apiPort = config.http.port;
  const [api] = await Promise.all([
    supervisor.start(spec('API', 'api', () => ({ ...env, PORT: String(apiPort) }))),
    supervisor.start(spec('workers', 'workers', () => env)),
  ]);
  apiPort = api.port ?? apiPort;
  banner(`http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${apiPort}`, token);
}

/** The same news for people on stderr and for machines as a JSON log line (which never holds the token). */
function banner(base: string, token: AdminToken): void {
  const where = token.source === 'env' ? 'from ADMIN_TOKEN' : `in ${shown(token.file!)}`;
  const tokenLine = token.source === 'generated'
    ? `${token.value}   (new: stored in ${shown(token.file!)}; printed this once)`
    : where;
  process.stderr.write([
    '',
    `FieldSense is running at ${base}`,
    `  API document: ${base}/v1/openapi.json    readiness: ${base}/readyz`,
    `  Admin token:  ${tokenLine}`,
    '  Try it:       npm run demo    (in another terminal)',
    '',
    '',
  ].join('\n'));
  log.info({ url: base, openapi: `${base}/v1/openapi.json`, readiness: `${base}/readyz`, adminToken: where }, `FieldSense is running at ${base}`);
}

interface AdminToken { value: string; source: 'env' | 'file' | 'generated'; file?: string }

function readOrCreateAdminToken(file: string): AdminToken {
  if (existsSync(file)) {
    const t = readFileSync(file, 'utf8').trim();
    if (t.length >= 16) return { value: t, source: 'file', file };
  }
  const t = newToken('fsa');
  writeFileSync(file, `${t}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { value: t, source: 'generated', file };
}

/** A path as a person would type it here: relative to the working directory when inside it. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/**
 * Calls `gone` when the process that started this one exits (npm or tsx SIGKILLed, a terminal closed):
 * this process is then re-parented, and nothing would stop it or its children any more.
 */
function watchStarter(gone: () => void): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) gone();
  }, 1000).unref();
  if (typeof process.send === 'function') process.once('disconnect', gone);
}

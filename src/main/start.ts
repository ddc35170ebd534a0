import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { createLogger } from '../lib/logger.js';
import { newToken } from '../lib/ids.js';
import { ensureDatabase } from '../repositories/bootstrap.js';
import { migrate } from './migrate.js';
import { ensureLocalServices } from './services-check.js';
import { processCommand } from './child-process-args.js';
import { bundleProcesses, type ProcessName } from './process-bundle.js';

/**
 * `npm start`: checks (and on this machine starts) PostgreSQL and Redis, creates the database, applies
 * migrations, runs the embedded object store when S3_ENDPOINT is unset, then the API and the workers as
 * processes of their own. Ctrl-C stops them all gracefully.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const out = (line: string): boolean => process.stdout.write(`${line}\n`);

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

const services = await ensureLocalServices(config.databaseUrl, config.redisUrl);
for (const s of services) {
  if (s.started) log.info(`${s.name} was stopped: started it`);
  if (!s.ok) process.stderr.write(`${s.advice}\n`);
}
if (services.some((s) => !s.ok)) process.exit(1);

if ((await ensureDatabase(config.databaseUrl)) === 'created') log.info('database created');
log.info('applying migrations');
await migrate(config.databaseUrl);

const dataDir = path.resolve(root, config.dataDir);
mkdirSync(dataDir, { recursive: true });
const adminToken = config.adminToken ?? readOrCreateAdminToken(path.join(dataDir, 'admin-token'));

const children: { name: string; proc: ChildProcess }[] = [];
let stopping = false;

// The processes run as bundles on plain Node (a TypeScript loader costs ~50 MiB per process).
const bundles = await bundleProcesses(root, path.join(root, 'node_modules', '.cache', 'fieldsense-processes'));
if (!bundles) log.warn('could not bundle the processes: running them through tsx');

function spawnChild(name: string, which: ProcessName, env: Record<string, string>): Promise<{ endpoint?: string; port?: number }> {
  const cmd = processCommand(root, which, bundles);
  const proc = fork(cmd.file, [], {
    cwd: root,
    execArgv: cmd.execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push({ name, proc });
  proc.on('exit', (code, signal) => {
    if (stopping) return;
    log.error({ code, signal }, `${name} exited; stopping FieldSense`);
    void stopAll(1);
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (m: { type?: string; endpoint?: string; port?: number }) => (m.type === 'ready' ? resolve(m) : reject(new Error(`${name} did not start`))));
    proc.once('exit', (code) => reject(new Error(`${name} exited with ${code} while starting`)));
  });
}

// The SDK warns that its 2027 releases will need Node 22; the lockfile pins a release that supports Node 20.
const env: Record<string, string> = { ADMIN_TOKEN: adminToken, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
if (!config.s3.endpoint) {
  const s3 = await spawnChild('object store', 'objects', {});
  env.S3_ENDPOINT = s3.endpoint!;
  log.info({ endpoint: s3.endpoint, data: path.join(dataDir, 'objects') }, 'embedded object store (set S3_ENDPOINT to use MinIO or AWS instead)');
}
const [api] = await Promise.all([
  spawnChild('API', 'api', env),
  spawnChild('workers', 'workers', env),
]);
const base = `http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${api.port ?? config.http.port}`;
out('');
out(`FieldSense is running at ${base}`);
out(`  API document: ${base}/v1/openapi.json    readiness: ${base}/readyz`);
out(`  Admin token:  ${adminToken}${config.adminToken ? '' : `   (stored in ${path.relative(root, path.join(dataDir, 'admin-token'))})`}`);
out(`  Try it:       npm run demo    (in another terminal)`);
out('');

async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const order = ['API', 'workers', 'object store'];
  for (const name of order) {
    const c = children.find((x) => x.name === name);
    if (!c || c.proc.exitCode !== null) continue;
    c.proc.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => { c.proc.kill('SIGKILL'); resolve(); }, 20_000);
      c.proc.once('exit', () => { clearTimeout(t); resolve(); });
    });
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

function readOrCreateAdminToken(file: string): string {
  if (existsSync(file)) {
    const t = readFileSync(file, 'utf8').trim();
    if (t.length >= 16) return t;
  }
  const t = newToken('fsa');
  writeFileSync(file, `${t}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return t;
}

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cliOptions } from './args.js';
import {
  appendLanded, compareWithHistory, compareWithManifest, MANIFEST_PATH, readManifest, readMigrations, ROOT, sha256,
} from '../main/migration-manifest.js';

/**
 * `npm run migrations:check` (part of `npm run check`): fails when a landed migration changed or went, when a
 * new one sorts before a landed one, or when landed.json disagrees with the first committed version of a
 * migration (checked when git has the full history; a shallow clone checks the record only), or when a
 * committed migration is missing from the record.
 * `npm run db:migration:land` (`--land`) appends the new migrations to landed.json, nothing else.
 */
const opts = cliOptions('tsx src/cli/migrations.ts [--land]', { land: { type: 'boolean', default: false } });

function git(args: string[]): { ok: boolean; out: Buffer } {
  const r = spawnSync('git', args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  return { ok: r.status === 0, out: r.stdout ?? Buffer.alloc(0) };
}

/** Full history is there to compare with: a git work tree that is not a shallow clone. */
function historyAvailable(): { ok: true } | { ok: false; reason: string } {
  const shallow = git(['rev-parse', '--is-shallow-repository']);
  if (!shallow.ok) return { ok: false, reason: 'not a git checkout' };
  if (shallow.out.toString().trim() === 'true') return { ok: false, reason: 'shallow clone' };
  return { ok: true };
}

function firstCommitted(name: string): { sha256: string; commit: string } | undefined {
  const file = `prisma/migrations/${name}/migration.sql`;
  const log = git(['log', '--no-renames', '--diff-filter=A', '--format=%h', 'HEAD', '--', file]);
  const commit = log.out.toString().trim().split('\n').filter(Boolean).at(-1);
  if (!log.ok || !commit) return undefined;
  const shown = git(['show', `${commit}:${file}`]);
  return shown.ok ? { sha256: sha256(shown.out), commit } : undefined;
}

/** The migration directories HEAD has (empty outside a git checkout): committed means landed. */
function committedMigrations(): Set<string> {
  const r = git(['ls-tree', '-r', '--name-only', 'HEAD', '--', 'prisma/migrations']);
  return new Set(r.ok ? r.out.toString().split('\n').filter((p) => p.endsWith('/migration.sql')).map((p) => p.split('/')[2]!) : []);
}

const manifest = readManifest();
const local = readMigrations();
const { findings, fresh } = compareWithManifest(manifest, local, committedMigrations());
const history = historyAvailable();
if (history.ok) findings.push(...compareWithHistory(manifest, firstCommitted));

// --land records what is new; a committed, unrecorded migration is exactly what it is for.
const blocking = opts.land ? findings.filter((f) => f.problem !== 'not_recorded') : findings;
if (blocking.length > 0) {
  for (const f of blocking) console.error(`migrations: ${f.message}`);
  process.exit(1);
}
if (opts.land && fresh.length > 0) {
  writeFileSync(MANIFEST_PATH, `${JSON.stringify(appendLanded(manifest, local.migrations, fresh), null, 2)}\n`);
  console.log(`migrations: landed ${fresh.join(', ')} (recorded in prisma/migrations/landed.json)`);
} else {
  const note = history.ok ? 'record matches history' : `history not checked: ${history.reason}`;
  const pending = fresh.length > 0 ? `; new, not yet landed: ${fresh.join(', ')} (npm run db:migration:land)` : '';
  console.log(`migrations: ${Object.keys(manifest.landed).length} landed migrations unchanged (${note})${pending}`);
}

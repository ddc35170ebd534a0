import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pgConnectionFields } from '../config/database-url.js';
import { repairSupersededMigrations } from './migration-repair.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What the database has of the migrations in prisma/migrations. */
export interface MigrationState {
  /** Migrations in prisma/migrations with no finished, not rolled-back row in `_prisma_migrations`. */
  pending: string[];
  /** Rows that started and neither finished nor were rolled back (a failed migration: prisma reports it). */
  unfinished: string[];
}

/** The migration directories in prisma/migrations, in the order prisma applies them (by name). */
export function migrationNames(dir = path.join(root, 'prisma', 'migrations')): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort();
}

/**
 * Compares prisma/migrations with the database's `_prisma_migrations` rows (in the `?schema=` schema), with
 * one pg query instead of a `prisma migrate deploy` run (≈ 11 s, mostly the schema engine's start).
 */
export async function migrationState(databaseUrl: string): Promise<MigrationState> {
  const names = migrationNames();
  const client = new pg.Client(pgConnectionFields(databaseUrl).fields);
  await client.connect();
  try {
    const table = await client.query<{ t: string | null }>(`SELECT to_regclass('_prisma_migrations')::text AS t`);
    if (!table.rows[0]?.t) return { pending: names, unfinished: [] };
    const rows = await client.query<{ migration_name: string; finished: boolean; rolled_back: boolean }>(
      'SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM _prisma_migrations',
    );
    const applied = new Set(rows.rows.filter((r) => r.finished && !r.rolled_back).map((r) => r.migration_name));
    return {
      pending: names.filter((n) => !applied.has(n)),
      unfinished: rows.rows.filter((r) => !r.finished && !r.rolled_back).map((r) => r.migration_name),
    };
  } finally {
    await client.end();
  }
}

/**
 * Start-up's migration step: nothing to do when every migration is applied; otherwise (something missing,
 * or a failed migration row, which prisma reports with its own advice) `prisma migrate deploy`.
 */
export async function migrateIfNeeded(databaseUrl: string, onApply?: (state: MigrationState) => void): Promise<{ applied: string[]; state: MigrationState }> {
  const state = await migrationState(databaseUrl);
  if (state.pending.length === 0 && state.unfinished.length === 0) return { applied: [], state };
  onApply?.(state);
  await migrate(databaseUrl);
  return { applied: state.pending, state };
}

/**
 * Applies the named migrations in prisma/migrations with `prisma migrate deploy` (Prisma's WebAssembly
 * schema engine through the pg adapter: see prisma.config.ts). Creates the `?schema=` schema if needed.
 * A database that applied a superseded migration is repaired first (src/main/migration-repair.ts).
 */
export async function migrate(databaseUrl: string): Promise<void> {
  await repairSupersededMigrations(databaseUrl);
  await runPrisma(['migrate', 'deploy'], databaseUrl);
}

/** Runs the project's prisma CLI (offline, with prisma.config.ts unless `--config` says otherwise) against the database. */
export async function runPrisma(args: string[], databaseUrl: string): Promise<void> {
  const require = createRequire(import.meta.url);
  const cli = path.join(path.dirname(require.resolve('prisma/package.json')), 'build/index.js');
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (b: Buffer) => output.push(b));
    child.stderr.on('data', (b: Buffer) => output.push(b));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`prisma ${args.join(' ')} failed (exit ${code}):\n${Buffer.concat(output).toString('utf8')}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { loadConfig } = await import('../config/config.js');
  const { ensureDatabase } = await import('../repositories/bootstrap.js');
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  await migrate(config.databaseUrl);
  process.stdout.write('migrations applied\n');
}

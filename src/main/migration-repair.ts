import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { pgConnectionFields } from '../config/database-url.js';
import { MIGRATIONS_DIR, readManifest, ROOT, sha256, type MigrationManifest } from './migration-manifest.js';

interface Row { migration_name: string; checksum: string; finished: boolean; rolled_back: boolean }

/**
 * Before `prisma migrate deploy`: a database that applied a superseded migration (one that landed and was
 * replaced, listed in landed.json) would fail on its replacement, which redoes that work. Such a database gets
 * the repair SQL (the replacement's work that is not done yet) and the replacement recorded as applied, in one
 * transaction. The record is what `prisma migrate resolve --applied` writes (a failed row of the replacement
 * marked rolled back, then a finished row with the file's checksum and no steps); the CLI's resolve needs the
 * native schema engine, which these machines cannot download, so the rows are written here. Returns the
 * replacements recorded. A row whose checksum is not the landed version's stops the migration: that database
 * ran SQL this project never landed, and needs a person.
 */
export async function repairSupersededMigrations(
  databaseUrl: string,
  manifest: MigrationManifest = readManifest(),
): Promise<string[]> {
  const rows = await migrationRows(databaseUrl);
  const done: string[] = [];
  for (const [name, s] of Object.entries(manifest.superseded)) {
    const applied = rows.find((r) => r.migration_name === name && r.finished && !r.rolled_back);
    if (!applied) continue;
    if (applied.checksum !== s.sha256) {
      throw new Error(`_prisma_migrations has ${name} with checksum ${applied.checksum}, not the landed ${s.sha256}: repair this database by hand`);
    }
    const replacement = rows.filter((r) => r.migration_name === s.replacedBy && !r.rolled_back);
    if (replacement.some((r) => r.finished) || done.includes(s.replacedBy)) continue;
    const checksum = sha256(readFileSync(path.join(MIGRATIONS_DIR, s.replacedBy, 'migration.sql')));
    await inTransaction(databaseUrl, async (client) => {
      await client.query(readFileSync(path.join(ROOT, s.repair), 'utf8'));
      await client.query('UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL', [s.replacedBy]);
      await client.query(
        'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES ($1, $2, $3, now(), now(), 0)',
        [randomUUID(), checksum, s.replacedBy],
      );
    });
    done.push(s.replacedBy);
  }
  return done;
}

async function migrationRows(databaseUrl: string): Promise<Row[]> {
  const client = new pg.Client(pgConnectionFields(databaseUrl).fields);
  await client.connect();
  try {
    const table = await client.query<{ t: string | null }>(`SELECT to_regclass('_prisma_migrations')::text AS t`);
    if (!table.rows[0]?.t) return [];
    return (await client.query<Row>(
      'SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM _prisma_migrations',
    )).rows;
  } finally {
    await client.end();
  }
}

async function inTransaction(databaseUrl: string, work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client(pgConnectionFields(databaseUrl).fields);
  await client.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
}

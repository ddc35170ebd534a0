import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { pgConnectionFields } from '../../src/config/database-url.js';
import { migrateIfNeeded, migrationNames, migrationState } from '../../src/main/migrate.js';
import { dropDatabase, ensureDatabase } from '../../src/repositories/bootstrap.js';
import { ROOT } from '../helpers/harness.js';
import { freshDatabase } from '../helpers/launcher.js';

/** Start-up's migration step: one query when the database is up to date, prisma when anything is missing or failed. */
const made: string[] = [];
afterAll(async () => {
  for (const url of made) await dropDatabase(url);
});

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client(pgConnectionFields(url).fields);
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/** A database with every migration but the last applied, recorded in `_prisma_migrations` as prisma records them. */
async function databaseWithoutLastMigration(): Promise<{ url: string; last: string }> {
  const u = new URL(inject('databaseUrl'));
  u.pathname = `${u.pathname}_nolast_${randomBytes(4).toString('hex')}`;
  const url = u.toString();
  made.push(url);
  await ensureDatabase(url);
  const names = migrationNames();
  await sql(url, `CREATE TABLE "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
  for (const name of names.slice(0, -1)) {
    const text = readFileSync(path.join(ROOT, 'prisma/migrations', name, 'migration.sql'), 'utf8');
    await sql(url, text);
    await sql(url, 'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)',
      [randomUUID(), createHash('sha256').update(text).digest('hex'), name]);
  }
  return { url, last: names.at(-1)! };
}

describe('migrations at start-up', () => {
  it('a database at the latest migration needs nothing', async () => {
    const url = await freshDatabase();
    made.push(url);
    expect(await migrationState(url)).toEqual({ pending: [], unfinished: [] });
    expect((await migrateIfNeeded(url)).applied).toEqual([]);
  });

  it('a database missing the last migration gets it applied (through prisma)', async () => {
    const { url, last } = await databaseWithoutLastMigration();
    expect(await migrationState(url)).toEqual({ pending: [last], unfinished: [] });
    let announced: unknown;
    const r = await migrateIfNeeded(url, (state) => { announced = state; });
    expect(announced).toEqual({ pending: [last], unfinished: [] });
    expect(r.applied).toEqual([last]);
    expect(await migrationState(url)).toEqual({ pending: [], unfinished: [] });
    const rows = await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE migration_name = $1 AND finished_at IS NOT NULL', [last]);
    expect(rows[0]!.n).toBe(1);
  });

  it('a failed migration row is not skipped: prisma reports it', async () => {
    const url = await freshDatabase();
    made.push(url);
    const last = migrationNames().at(-1)!;
    await sql(url, 'UPDATE "_prisma_migrations" SET finished_at = NULL, logs = $2 WHERE migration_name = $1', [last, 'failed on purpose']);
    expect(await migrationState(url)).toEqual({ pending: [last], unfinished: [last] });
    await expect(migrateIfNeeded(url)).rejects.toThrow(/P3009|failed migrations/);
  });
});

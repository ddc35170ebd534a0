import pg from 'pg';
import type { Db } from './db.js';
import { pgConnectionFields } from '../config/database-url.js';

/** Creates the database named in the URL when it does not exist (connecting to `postgres` to do so). */
export async function ensureDatabase(databaseUrl: string): Promise<'created' | 'exists'> {
  const { fields } = pgConnectionFields(databaseUrl);
  const admin = new pg.Client({ ...fields, database: 'postgres', options: undefined });
  await admin.connect();
  try {
    const r = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [fields.database]);
    if (r.rowCount) return 'exists';
    await admin.query(`CREATE DATABASE "${fields.database.replaceAll('"', '""')}"`);
    return 'created';
  } finally {
    await admin.end();
  }
}

/**
 * Creates database `name` as a copy of database `template` (PostgreSQL copies the files: migrations
 * applied to the template need not run again). Returns the new database's URL.
 */
export async function createDatabaseFromTemplate(templateUrl: string, name: string): Promise<string> {
  const { fields } = pgConnectionFields(templateUrl);
  const admin = new pg.Client({ ...fields, database: 'postgres', options: undefined });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}" TEMPLATE "${fields.database.replaceAll('"', '""')}"`);
        break;
      } catch (e) {
        // Two copies started at the same instant: the template is briefly "being accessed by other users".
        if (attempt >= 20 || !/being accessed by other users/.test(String(e))) throw e;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const u = new URL(templateUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops a database, closing its connections (test clean-up). */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const { fields } = pgConnectionFields(databaseUrl);
  const admin = new pg.Client({ ...fields, database: 'postgres', options: undefined });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${fields.database.replaceAll('"', '""')}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Drops a schema and everything in it (benchmarks clean up their own schema with it). */
export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const { fields } = pgConnectionFields(databaseUrl);
  const c = new pg.Client({ ...fields, options: undefined });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema.replaceAll('"', '""')}" CASCADE`);
  } finally {
    await c.end();
  }
}

export async function pingDatabase(db: Db): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}

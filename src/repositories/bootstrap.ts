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

/** Drops a schema and everything in it (tests clean up their own schema with it). */
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

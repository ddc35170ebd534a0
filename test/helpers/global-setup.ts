import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureDatabase, dropSchema } from '../../src/repositories/bootstrap.js';
import { migrate } from '../../src/main/migrate.js';
import { startEmbeddedS3 } from '../../src/storage/embedded-s3.js';

/**
 * One test run = its own PostgreSQL schema (migrated with the project's migrations) and its own
 * S3-compatible server on a spare port. Test files get their own bucket and queue prefix on top.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const base = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/fieldsense_test';
  const schema = `run_${process.pid}_${Date.now().toString(36)}`;
  const databaseUrl = `${base}${base.includes('?') ? '&' : '?'}schema=${schema}`;
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fieldsense-s3-'));
  const s3 = await startEmbeddedS3({ directory: dir, port: 0, bucket: 'fieldsense-test' });
  project.provide('databaseUrl', databaseUrl);
  project.provide('s3Endpoint', s3.endpoint);
  project.provide('redisUrl', process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  return async () => {
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(databaseUrl, schema);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    s3Endpoint: string;
    redisUrl: string;
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { dropDatabase, ensureDatabase } from '../../src/repositories/bootstrap.js';
import { migrate } from '../../src/main/migrate.js';
import { startEmbeddedS3 } from '../../src/storage/embedded-s3.js';
import { ensureConsoleBuilt } from '../../src/main/console-build.js';

/**
 * One test run = a template database migrated once with the project's migrations, and its own
 * S3-compatible server on a spare port. Each test file copies the template into a database of its own
 * (and uses its own bucket and queue prefix), so files never see each other's rows.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = process.env.TEST_DATABASE_SERVER ?? 'postgresql://postgres@127.0.0.1:5432';
  const databaseUrl = `${server}/fieldsense_test_${process.pid}_${Date.now().toString(36)}`;
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  // The browser tests load the console from the API: build it when its sources changed.
  await ensureConsoleBuilt(path.resolve(import.meta.dirname, '../..'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fieldsense-s3-'));
  const s3 = await startEmbeddedS3({ directory: dir, port: 0, bucket: 'fieldsense-test' });
  project.provide('databaseUrl', databaseUrl);
  project.provide('s3Endpoint', s3.endpoint);
  project.provide('redisUrl', process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  return async () => {
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
    await dropDatabase(databaseUrl);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    s3Endpoint: string;
    redisUrl: string;
  }
}

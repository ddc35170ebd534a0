import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has defaults that work on a developer machine', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBe('postgresql://postgres@127.0.0.1:5432/fieldsense');
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.s3.endpoint).toBeUndefined();
    expect(c.http.port).toBe(3000);
    expect(c.upload.maxBytes).toBe(4 * 1024 ** 3);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('lists every problem at once', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'not a url', ADMIN_TOKEN: 'short', S3_BUCKET: 'Bad_Bucket' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const v of ['PORT', 'DATABASE_URL', 'ADMIN_TOKEN', 'S3_BUCKET']) expect(problems).toContain(v);
  });

  it('reads numbers and flags from strings', () => {
    const c = loadConfig({ PORT: '8080', UPLOAD_MAX_BYTES: '1048576', S3_FORCE_PATH_STYLE: 'false', S3_ENDPOINT: 'http://minio:9000' });
    expect(c.http.port).toBe(8080);
    expect(c.upload.maxBytes).toBe(1_048_576);
    expect(c.s3.forcePathStyle).toBe(false);
    expect(c.s3.endpoint).toBe('http://minio:9000');
  });
});

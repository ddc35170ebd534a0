import path from 'node:path';
import { z } from 'zod';

/**
 * Every environment variable FieldSense reads, validated once at boot. This module is the only reader of
 * process.env; everything else receives the frozen `Config`. Defaults work on a developer machine with
 * PostgreSQL and Redis on 127.0.0.1.
 */
const EnvSchema = z.object({
  /** Runtime mode; `test` quiets logs. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** HTTP port of the API (and the console). */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Address the API listens on. */
  HOST: z.string().default('127.0.0.1'),
  /** PostgreSQL URL; `?schema=` selects a schema. The database is created when missing. */
  DATABASE_URL: z.string().url().default('postgresql://postgres@127.0.0.1:5432/fieldsense'),
  /** Redis URL for the job queues (BullMQ needs `maxmemory-policy noeviction`). */
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** Prefix of every BullMQ key, so that several installations (or test runs) share one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_:-]+$/).default('fieldsense'),
  /** S3 endpoint (MinIO, AWS, …). Unset: `npm start` runs an embedded S3-compatible server under DATA_DIR. */
  S3_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/).default('fieldsense'),
  S3_ACCESS_KEY_ID: z.string().default('S3RVER'),
  S3_SECRET_ACCESS_KEY: z.string().default('S3RVER'),
  /** Path-style addressing (MinIO and the embedded server need it). */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** Port of the embedded S3-compatible server (used only when S3_ENDPOINT is unset). */
  EMBEDDED_S3_PORT: z.coerce.number().int().min(0).max(65535).default(4569),
  /** Local data folder: embedded object store, generated admin token. */
  DATA_DIR: z.string().default('./data'),
  /** The annotator console's built files, served at /console/ (`npm run console:build` writes them). */
  CONSOLE_DIR: z.string().default('./console/dist'),
  /** Admin bearer token. Unset: one is generated, stored in DATA_DIR/admin-token and printed at start. */
  ADMIN_TOKEN: z.string().min(16).optional(),
  /** Largest accepted upload, in bytes (default 4 GiB). */
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(4 * 1024 ** 3),
  /** Most `file` parts in one upload (several files of one session become one recording). */
  UPLOAD_MAX_FILES: z.coerce.number().int().min(1).max(1000).default(64),
  /** Largest `metadata` JSON part, in bytes. */
  UPLOAD_MAX_FIELD_BYTES: z.coerce.number().int().positive().default(64 * 1024),
  /**
   * How long an Idempotency-Key stays claimed by an upload request that stopped renewing its claim (its API
   * process crashed); a live request renews it every third of this while it reads the body.
   */
  IDEMPOTENCY_LEASE_MS: z.coerce.number().int().min(300).default(30_000),
  /** Size of each part streamed to object storage (memory per upload ≈ 2 × this). */
  UPLOAD_PART_BYTES: z.coerce.number().int().min(5 * 1024 * 1024).default(8 * 1024 * 1024),
  /** Job attempts before a recording ends `failed`. */
  JOB_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  /** First retry delay; doubles each attempt. */
  JOB_BACKOFF_MS: z.coerce.number().int().min(0).default(2000),
  /** How long a worker holds a job's lock without renewing it; a worker that dies loses its jobs after this. */
  JOB_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  /** How often workers look for jobs whose worker died (stalled jobs) and put them back in the queue. */
  JOB_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  /**
   * How long a job waits out a backing-service outage (object store, database down) before the outage
   * counts against its attempts like any other fault: until then the job is delayed and retried without
   * spending an attempt, so an outage shorter than this never fails a recording.
   */
  OUTAGE_BUDGET_MS: z.coerce.number().int().min(0).default(3_600_000),
  /** Longest wait between two tries of a job during an outage (the wait doubles from JOB_BACKOFF_MS up to this). */
  OUTAGE_RETRY_MAX_MS: z.coerce.number().int().min(10).default(60_000),
  /** Concurrency of each queue's worker. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).default(2),
  /** How often the outbox relay looks for unpublished rows (it is also woken after each commit). */
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(1000),
  /**
   * How long a stopping process waits for its work: the API for in-flight requests (new ones get
   * `503 server_shutdown`), the workers for running jobs (jobs left are picked up again as stalled). The
   * launcher kills a child that is still there 5 s after this.
   */
  SHUTDOWN_DEADLINE_MS: z.coerce.number().int().min(0).max(600_000).default(15_000),
  /**
   * Port of the workers' Prometheus endpoint (`GET /metrics` on HOST; the API serves its own on PORT).
   * `0`: a spare port, named in the workers' start-up log line. Taken by another process: the workers run
   * without it and log an error.
   */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /**
   * What the API keeps in memory between requests for the stored streams people are looking at (parsed
   * Parquet footers, decoded row groups, level-of-detail blocks), in MiB; 0 keeps nothing.
   */
  READ_CACHE_MB: z.coerce.number().int().min(0).max(16_384).default(64),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly http: { readonly port: number; readonly host: string };
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly s3: {
    readonly endpoint: string | undefined;
    readonly region: string;
    readonly bucket: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly forcePathStyle: boolean;
    readonly embeddedPort: number;
  };
  readonly dataDir: string;
  readonly consoleDir: string;
  readonly adminToken: string | undefined;
  readonly upload: {
    readonly maxBytes: number; readonly maxFieldBytes: number; readonly partBytes: number; readonly maxFiles: number;
    readonly idempotencyLeaseMs: number;
  };
  readonly jobs: {
    readonly attempts: number; readonly backoffMs: number; readonly concurrency: number; readonly outboxPollMs: number;
    readonly lockMs: number; readonly stalledIntervalMs: number;
    readonly outageBudgetMs: number; readonly outageRetryMaxMs: number;
  };
  readonly logLevel: string;
  readonly metrics: { readonly workerPort: number };
  readonly shutdownDeadlineMs: number;
  /** Bytes the API's read cache may hold (READ_CACHE_MB). */
  readonly readCacheBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment; throws a ConfigError listing every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  return Object.freeze({
    env: e.NODE_ENV,
    http: Object.freeze({ port: e.PORT, host: e.HOST }),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    s3: Object.freeze({
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION,
      bucket: e.S3_BUCKET,
      accessKeyId: e.S3_ACCESS_KEY_ID,
      secretAccessKey: e.S3_SECRET_ACCESS_KEY,
      forcePathStyle: e.S3_FORCE_PATH_STYLE,
      embeddedPort: e.EMBEDDED_S3_PORT,
    }),
    dataDir: e.DATA_DIR,
    consoleDir: path.resolve(e.CONSOLE_DIR),
    adminToken: e.ADMIN_TOKEN,
    upload: Object.freeze({
      maxBytes: e.UPLOAD_MAX_BYTES, maxFieldBytes: e.UPLOAD_MAX_FIELD_BYTES, partBytes: e.UPLOAD_PART_BYTES, maxFiles: e.UPLOAD_MAX_FILES,
      idempotencyLeaseMs: e.IDEMPOTENCY_LEASE_MS,
    }),
    jobs: Object.freeze({
      attempts: e.JOB_ATTEMPTS, backoffMs: e.JOB_BACKOFF_MS, concurrency: e.WORKER_CONCURRENCY, outboxPollMs: e.OUTBOX_POLL_MS,
      lockMs: e.JOB_LOCK_MS, stalledIntervalMs: e.JOB_STALLED_INTERVAL_MS,
      outageBudgetMs: e.OUTAGE_BUDGET_MS, outageRetryMaxMs: e.OUTAGE_RETRY_MAX_MS,
    }),
    logLevel: e.NODE_ENV === 'test' && !env.LOG_LEVEL ? 'silent' : e.LOG_LEVEL,
    metrics: Object.freeze({ workerPort: e.WORKER_METRICS_PORT }),
    shutdownDeadlineMs: e.SHUTDOWN_DEADLINE_MS,
    readCacheBytes: e.READ_CACHE_MB * 1024 * 1024,
  });
}

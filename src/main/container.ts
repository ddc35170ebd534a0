import type { Redis } from 'ioredis';
import type { Config } from '../config/config.js';
import type { Logger } from '../lib/logger.js';
import { Metrics } from '../lib/metrics.js';
import { createDb, type Db } from '../repositories/db.js';
import { StudiesRepository } from '../repositories/studies.repository.js';
import { CredentialsRepository } from '../repositories/credentials.repository.js';
import { UploadsRepository } from '../repositories/uploads.repository.js';
import { RecordingsRepository } from '../repositories/recordings.repository.js';
import { AnnotationsRepository } from '../repositories/annotations.repository.js';
import { OutboxRepository } from '../repositories/outbox.repository.js';
import { IdempotencyClaimsRepository } from '../repositories/idempotency-claims.repository.js';
import { pingDatabase } from '../repositories/bootstrap.js';
import { ObjectStore } from '../storage/object-store.js';
import { createProducerRedis, RecordingFlows } from '../jobs/queues.js';
import { OutboxRelay } from '../jobs/outbox-relay.js';
import { AuthService } from '../services/auth.service.js';
import { StudiesService } from '../services/studies.service.js';
import { IngestUploadService } from '../services/ingest-upload.service.js';
import { RecordingsService } from '../services/recordings.service.js';
import { AnnotationsService } from '../services/annotations.service.js';
import { HealthService } from '../services/health.service.js';
import { EvaluateStudyService } from '../services/evaluate-study.service.js';
import { ProcessRecordingService } from '../services/process-recording.service.js';
import { AlignRecordingsService } from '../services/align-recordings.service.js';
import { AlignmentsRepository } from '../repositories/alignments.repository.js';
import { createApp } from '../http/app.js';

export function createObjectStore(config: Config): ObjectStore {
  return new ObjectStore({ ...config.s3, partBytes: config.upload.partBytes });
}

/** Everything the API process needs, wired from the config. Nothing connects until used. */
export function buildApi(config: Config, log: Logger, adminToken: string): {
  app: ReturnType<typeof createApp>; db: Db; store: ObjectStore; redis: Redis; relay: OutboxRelay; close: () => Promise<void>;
} {
  const db = createDb(config.databaseUrl);
  const store = createObjectStore(config);
  const redis = createProducerRedis(config.redisUrl);
  redis.on('error', () => undefined); // reported by /readyz and the relay, not as a crash
  const flows = new RecordingFlows(redis, config.queuePrefix, { attempts: config.jobs.attempts, backoffMs: config.jobs.backoffMs });
  const outbox = new OutboxRepository(db);
  const relay = new OutboxRelay(outbox, flows, log.child({ component: 'outbox-relay' }), config.jobs.outboxPollMs);
  const metrics = new Metrics(() => outbox.pendingCount());
  const studiesRepo = new StudiesRepository(db);
  const uploads = new UploadsRepository(db);
  const recordingsRepo = new RecordingsRepository(db);
  const wake = (): void => relay.wake();
  const recordings = new RecordingsService(recordingsRepo, uploads, store, wake, new AlignmentsRepository(db));
  const app = createApp({
    log,
    metrics,
    auth: new AuthService(new CredentialsRepository(db), adminToken),
    studies: new StudiesService(studiesRepo, new CredentialsRepository(db)),
    ingest: new IngestUploadService(uploads, new IdempotencyClaimsRepository(db), store, () => { metrics.uploads.inc({ outcome: 'created' }); wake(); }, log, config.upload.idempotencyLeaseMs),
    recordings,
    annotations: new AnnotationsService(new AnnotationsRepository(db), studiesRepo, recordings),
    evaluations: new EvaluateStudyService(studiesRepo, new AnnotationsRepository(db)),
    health: new HealthService({ database: () => pingDatabase(db), redis: () => redis.ping(), objectStorage: () => store.ping() }, log.child({ component: 'readiness' })),
    limits: { maxBytes: config.upload.maxBytes, maxFieldBytes: config.upload.maxFieldBytes, maxFiles: config.upload.maxFiles },
  });
  return {
    app, db, store, redis, relay,
    close: async () => {
      await relay.stop();
      await flows.close();
      redis.disconnect();
      await db.$disconnect();
      store.destroy();
    },
  };
}

/** Everything a worker process needs. */
export function buildWorkerServices(config: Config, log: Logger): {
  db: Db; store: ObjectStore; processing: ProcessRecordingService; alignment: AlignRecordingsService; close: () => Promise<void>;
} {
  const db = createDb(config.databaseUrl, { poolMax: 5 });
  const store = createObjectStore(config);
  const processing = new ProcessRecordingService(new RecordingsRepository(db), store, log);
  const alignment = new AlignRecordingsService(new AlignmentsRepository(db), store, log);
  return { db, store, processing, alignment, close: async () => { await db.$disconnect(); store.destroy(); } };
}

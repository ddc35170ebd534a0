import type { Redis } from 'ioredis';
import type { Config } from '../config/config.js';
import type { Logger } from '../lib/logger.js';
import { ApiMetrics, WorkerMetrics, type ProcessMetrics } from '../lib/metrics.js';
import { createDb, disconnectDb, type Db } from '../repositories/db.js';
import { StudiesRepository } from '../repositories/studies.repository.js';
import { CredentialsRepository } from '../repositories/credentials.repository.js';
import { UploadsRepository } from '../repositories/uploads.repository.js';
import { RecordingsRepository } from '../repositories/recordings.repository.js';
import { AnnotationsRepository } from '../repositories/annotations.repository.js';
import { OutboxRepository } from '../repositories/outbox.repository.js';
import { IdempotencyClaimsRepository } from '../repositories/idempotency-claims.repository.js';
import { pingDatabase } from '../repositories/bootstrap.js';
import { ObjectStore } from '../storage/object-store.js';
import { createProducerRedis, QueueDepths, RecordingFlows } from '../jobs/queues.js';
import { OutboxRelay } from '../jobs/outbox-relay.js';
import { AuthService } from '../services/auth.service.js';
import { StudiesService } from '../services/studies.service.js';
import { IngestUpload } from '../services/ingest-upload/ingest-upload.service.js';
import { IdempotencyKeyClaims } from '../services/ingest-upload/key-claims.js';
import { UploadObjects } from '../services/ingest-upload/upload-objects.js';
import { RecordingsService } from '../services/recordings.service.js';
import { ReadCache } from '../columnar/read-cache.js';
import { WithdrawParticipantService } from '../services/withdraw-participant.service.js';
import { WithdrawalRepository } from '../repositories/withdrawal.repository.js';
import { ExportRepository } from '../repositories/export.repository.js';
import { ExportDatasetService } from '../services/export-dataset.service.js';
import { ExportJobsService } from '../services/export-jobs.service.js';
import { AnnotationsService } from '../services/annotations.service.js';
import { AnnotationAgreementService } from '../services/annotation-agreement.service.js';
import { HealthService } from '../services/health.service.js';
import { EvaluateStudyService } from '../services/evaluate-study.service.js';
import { RecordingAudioService } from '../services/recording-audio.service.js';
import { StudyOverviewService } from '../services/study-overview.service.js';
import { StudyOverviewRepository } from '../repositories/study-overview.repository.js';
import { ProcessRecordingService } from '../services/process-recording.service.js';
import { AlignRecordingsService } from '../services/align-recordings.service.js';
import { threadedDetection } from '../services/threaded-detection.js';
import { createAudioDecoder } from '../decoders/audio-decoder.js';
import { AlignmentsRepository } from '../repositories/alignments.repository.js';
import { createApp } from '../http/app.js';
import { consoleRouter } from '../http/routes/console/router.js';

/** The object store; with `metrics`, its failed calls are counted. */
export function createObjectStore(config: Config, metrics?: ProcessMetrics): ObjectStore {
  return new ObjectStore({
    ...config.s3, partBytes: config.upload.partBytes,
    ...(metrics ? { onFailure: (operation: string, kind: string) => metrics.countDependencyError('object_store', operation, kind) } : {}),
  });
}

/** The database client of a process, its failed queries counted. */
function createCountedDb(config: Config, metrics: ProcessMetrics, poolMax?: number): Db {
  return createDb(config.databaseUrl, { ...(poolMax ? { poolMax } : {}), onFailure: (operation, kind) => metrics.countDependencyError('database', operation, kind) });
}

/** Everything the API process needs, wired from the config. Nothing connects until used. */
export function buildApi(config: Config, log: Logger, adminToken: string): {
  app: ReturnType<typeof createApp>; db: Db; store: ObjectStore; redis: Redis; relay: OutboxRelay; close: () => Promise<void>;
} {
  // The outbox gauges read `outbox` (made below, on the counted db) at scrape time.
  const metrics = new ApiMetrics({ pendingCount: () => outbox.pendingCount(), oldestPendingAgeSeconds: () => outbox.oldestPendingAgeSeconds() });
  const db = createCountedDb(config, metrics);
  const store = createObjectStore(config, metrics);
  const redis = createProducerRedis(config.redisUrl);
  redis.on('error', () => undefined); // reported by /readyz and the relay, not as a crash
  const flows = new RecordingFlows(redis, config.queuePrefix, { attempts: config.jobs.attempts, backoffMs: config.jobs.backoffMs });
  const outbox = new OutboxRepository(db);
  const relay = new OutboxRelay(outbox, flows, log.child({ component: 'outbox-relay' }), config.jobs.outboxPollMs);
  const studiesRepo = new StudiesRepository(db);
  const uploads = new UploadsRepository(db);
  const recordingsRepo = new RecordingsRepository(db);
  const wake = (): void => relay.wake();
  const recordings = new RecordingsService(recordingsRepo, uploads, store, wake, new AlignmentsRepository(db), new ReadCache(config.readCacheBytes));
  const app = createApp({
    log,
    metrics,
    auth: new AuthService(new CredentialsRepository(db), adminToken),
    studies: new StudiesService(studiesRepo, new CredentialsRepository(db)),
    ingest: new IngestUpload(
      uploads, new IdempotencyKeyClaims(new IdempotencyClaimsRepository(db), log, config.upload.idempotencyLeaseMs), new UploadObjects(store, log),
      (bytes) => { metrics.uploadBytes.inc(bytes); wake(); }, log,
    ),
    recordings,
    annotations: new AnnotationsService(new AnnotationsRepository(db), studiesRepo, recordings),
    agreement: new AnnotationAgreementService(new AnnotationsRepository(db), recordings),
    evaluations: new EvaluateStudyService(studiesRepo, new AnnotationsRepository(db)),
    recordingAudio: new RecordingAudioService(recordings),
    studyOverview: new StudyOverviewService(new StudyOverviewRepository(db)),
    withdrawals: new WithdrawParticipantService(new WithdrawalRepository(db), store),
    exports: new ExportJobsService(new ExportRepository(db), new ExportDatasetService(new ExportRepository(db), store), store),
    health: new HealthService({ database: () => pingDatabase(db), redis: () => redis.ping(), objectStorage: () => store.ping() }, log.child({ component: 'readiness' })),
    limits: { maxBytes: config.upload.maxBytes, maxFieldBytes: config.upload.maxFieldBytes, maxFiles: config.upload.maxFiles },
    publicRouters: [consoleRouter(config.consoleDir)],
  });
  return {
    app, db, store, redis, relay,
    close: async () => {
      await relay.stop();
      await flows.close();
      redis.disconnect();
      if (!(await disconnectDb(db))) log.warn('database pool did not close in time (a connection lost in an outage): leaving it');
      store.destroy();
    },
  };
}

/**
 * Everything a worker process needs, and its metrics: the queue depths (read from Redis) and the recordings
 * by status (from the database) are computed at scrape time, by this process only.
 */
export function buildWorkerServices(config: Config, log: Logger): {
  db: Db; store: ObjectStore; processing: ProcessRecordingService; alignment: AlignRecordingsService; exports: ExportJobsService; metrics: WorkerMetrics; close: () => Promise<void>;
} {
  // The gauges read `recordings` and `depths` (made below) at scrape time.
  const metrics = new WorkerMetrics({ queueDepths: () => depths.read(), recordingsByStatus: () => recordings.countByStatus() });
  const db = createCountedDb(config, metrics, 5);
  const store = createObjectStore(config, metrics);
  const recordings = new RecordingsRepository(db);
  const redis = createProducerRedis(config.redisUrl);
  redis.on('error', () => undefined); // the workers' own connections report Redis outages
  const depths = new QueueDepths(redis, config.queuePrefix);
  // The second core takes half of each long stream's detectors in `segment` (services/threaded-detection.ts).
  const processing = new ProcessRecordingService(recordings, store, log, createAudioDecoder(), threadedDetection());
  const alignment = new AlignRecordingsService(new AlignmentsRepository(db), store, log);
  const exportRepo = new ExportRepository(db);
  const exports = new ExportJobsService(exportRepo, new ExportDatasetService(exportRepo, store), store);
  return {
    db, store, processing, alignment, exports, metrics,
    close: async () => {
      await depths.close();
      redis.disconnect();
      if (!(await disconnectDb(db))) log.warn('database pool did not close in time (a connection lost in an outage): leaving it');
      store.destroy();
    },
  };
}

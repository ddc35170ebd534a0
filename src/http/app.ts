import express, { type Express } from 'express';
import type { Logger } from '../lib/logger.js';
import type { ApiMetrics, UploadOutcome } from '../lib/metrics.js';
import type { AuthService } from '../services/auth.service.js';
import type { StudiesService } from '../services/studies.service.js';
import type { IngestUpload } from '../services/ingest-upload/ingest-upload.service.js';
import type { RecordingsService } from '../services/recordings.service.js';
import type { AnnotationsService } from '../services/annotations.service.js';
import type { AnnotationAgreementService } from '../services/annotation-agreement.service.js';
import type { HealthService } from '../services/health.service.js';
import type { EvaluateStudyService } from '../services/evaluate-study.service.js';
import type { RecordingAudioService } from '../services/recording-audio.service.js';
import type { StudyOverviewService } from '../services/study-overview.service.js';
import type { WithdrawParticipantService } from '../services/withdraw-participant.service.js';
import type { ExportJobsService } from '../services/export-jobs.service.js';
import { OpenApiRegistry } from './openapi.js';
import { requestContext } from './middleware/request-context.js';
import { authenticate } from './middleware/auth.js';
import { errorHandler, notFound } from './middleware/errors.js';
import { serviceRouter } from './routes/service/router.js';
import { studiesRouter } from './routes/studies/router.js';
import { uploadsRouter } from './routes/uploads/router.js';
import { recordingsRouter } from './routes/recordings/router.js';
import { annotationsRouter } from './routes/annotations/router.js';
import { sessionRouter } from './routes/session/router.js';
import { recordingAudioRouter } from './routes/recordings/audio.router.js';
import { studyOverviewRouter } from './routes/studies/overview.router.js';
import { withdrawalRouter } from './routes/studies/withdrawal.router.js';
import { exportsRouter } from './routes/exports.router.js';

export interface AppDeps {
  log: Logger;
  metrics: ApiMetrics;
  auth: AuthService;
  studies: StudiesService;
  ingest: IngestUpload;
  recordings: RecordingsService;
  annotations: AnnotationsService;
  agreement: AnnotationAgreementService;
  health: HealthService;
  evaluations: EvaluateStudyService;
  recordingAudio: RecordingAudioService;
  studyOverview: StudyOverviewService;
  withdrawals: WithdrawParticipantService;
  exports: ExportJobsService;
  limits: { maxBytes: number; maxFieldBytes: number; maxFiles: number };
  /** Extra routers mounted before authentication (the console's static files). */
  publicRouters?: express.Router[];
}

/**
 * How an answered upload request ended, from its status: 201 stored, 200 an earlier upload (same bytes or
 * Idempotency-Key), 4xx refused at upload time (too large, not multipart, empty, …), 5xx our failure.
 */
function uploadOutcome(status: number): UploadOutcome {
  if (status === 201) return 'created';
  if (status < 400) return 'duplicate';
  return status < 500 ? 'rejected' : 'failed';
}

/** Builds the HTTP app from its dependencies: no connections or work at import time. */
export function createApp(d: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  const registry = new OpenApiRegistry();
  app.use(requestContext(d.log, ({ method, route, status, seconds }) => {
    d.metrics.httpDuration.observe({ method, route, status: String(status) }, seconds);
    if (method === 'POST' && route === '/v1/uploads') d.metrics.uploads.inc({ outcome: uploadOutcome(status) });
  }));
  app.use(serviceRouter(d.health, d.metrics, registry, d.auth));
  for (const r of d.publicRouters ?? []) app.use(r);
  app.use('/v1', authenticate(d.auth));
  app.use(express.json({ limit: '256kb', type: ['application/json', 'application/*+json'] }));
  app.use(studiesRouter(d.studies, d.evaluations, registry));
  app.use(studyOverviewRouter(d.studyOverview, registry));
  app.use(withdrawalRouter(d.withdrawals, registry));
  app.use(exportsRouter(d.exports, registry));
  app.use(uploadsRouter(d.ingest, d.recordings, registry, d.limits));
  app.use(recordingsRouter(d.recordings, registry));
  app.use(recordingAudioRouter(d.recordingAudio, registry));
  app.use(annotationsRouter(d.annotations, d.agreement, registry));
  app.use(sessionRouter(d.auth, registry));
  app.use((req) => notFound(req));
  app.use(errorHandler(d.limits));
  return app;
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of FieldSense's two processes. The API serves its registry at `GET /metrics`, the
 * workers at their own port (WORKER_METRICS_PORT). Names are `fieldsense_*`, snake_case, with their unit;
 * `infra/grafana/fieldsense-dashboard.json` queries them (a unit test keeps the two in step).
 *
 * Gauges that describe shared state (outbox, queues, recordings) are computed at scrape time by their
 * `collect()`; when the source cannot be read the series is left out of that scrape (a gap, not a number
 * that looks real), and the scrape itself still answers.
 */

/** The backing services whose failures are counted. */
export type DependencyService = 'object_store' | 'database';

/** What every process has: the default Node metrics and the errors of the object store and database. */
export class ProcessMetrics {
  readonly registry = new Registry();
  readonly dependencyErrors = new Counter({
    name: 'fieldsense_dependency_errors_total',
    help: 'Failed calls to a backing service, by service, operation (S3 command, Prisma model.operation) and kind of failure',
    labelNames: ['service', 'operation', 'kind'] as const, registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'fieldsense_' });
  }

  /** Counts one failed call; a bound callback for the storage and repository layers. */
  readonly countDependencyError = (service: DependencyService, operation: string, kind: string): void => {
    this.dependencyErrors.inc({ service, operation, kind });
  };
}

/** How long a scrape-time read may take before its gauge is left out of the scrape (Prometheus waits 10 s for all). */
const SCRAPE_READ_TIMEOUT_MS = 3000;

/** The read's answer, or null when it fails or takes longer than SCRAPE_READ_TIMEOUT_MS (a service that hangs). */
async function readWithin<T>(read: () => Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), SCRAPE_READ_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(read).catch(() => null), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A gauge whose value is read at scrape time; left out of the scrape when the read fails or hangs. */
function scrapedGauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[], read: () => Promise<{ labels: Record<L, string>; value: number }[]>): Gauge<L> {
  return new Gauge<L>({
    name, help, labelNames, registers: [registry],
    async collect() {
      const rows = await readWithin(read);
      this.reset();
      for (const r of rows ?? []) this.set(r.labels as Partial<Record<L, string>>, r.value);
    },
  });
}

/** How an upload request ended: stored, answered with an earlier upload, refused, or failed on our side. */
export type UploadOutcome = 'created' | 'duplicate' | 'rejected' | 'failed';

/** The API process: requests, uploads, the outbox it relays. */
export class ApiMetrics extends ProcessMetrics {
  readonly httpDuration = new Histogram({
    name: 'fieldsense_http_request_duration_seconds', help: 'HTTP request duration, by method, route template and status', labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.02, 0.1, 0.5, 2, 10, 60, 600], registers: [this.registry],
  });
  readonly uploads = new Counter({
    name: 'fieldsense_uploads_total',
    help: 'Upload requests answered, by outcome: created (201), duplicate (200: same bytes or Idempotency-Key), rejected (4xx at upload time), failed (5xx)',
    labelNames: ['outcome'] as const, registers: [this.registry],
  });
  readonly uploadBytes = new Counter({ name: 'fieldsense_upload_bytes_total', help: 'Bytes of committed uploads', registers: [this.registry] });
  readonly outboxPending: Gauge;
  readonly outboxOldestAge: Gauge;

  constructor(outbox: { pendingCount: () => Promise<number>; oldestPendingAgeSeconds: () => Promise<number> }) {
    super();
    this.outboxPending = scrapedGauge(this.registry, 'fieldsense_outbox_pending', 'Outbox rows not yet published to the queue', [],
      async () => [{ labels: {}, value: await outbox.pendingCount() }]);
    this.outboxOldestAge = scrapedGauge(this.registry, 'fieldsense_outbox_oldest_age_seconds', 'Age of the oldest outbox row not yet published (0 when none waits)', [],
      async () => [{ labels: {}, value: await outbox.oldestPendingAgeSeconds() }]);
  }
}

/** Job counts of one queue by BullMQ state. */
export type QueueDepths = { queue: string; counts: Record<string, number> }[];

/** The worker process: steps run, their failures, and the state of the queues and recordings. */
export class WorkerMetrics extends ProcessMetrics {
  readonly stepDuration = new Histogram({
    name: 'fieldsense_step_duration_seconds',
    help: 'Duration of one attempt of a processing step, by step and outcome (done, skipped, rejected, delayed for an outage, failed)',
    labelNames: ['step', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800], registers: [this.registry],
  });
  readonly stepAttempts = new Counter({ name: 'fieldsense_step_attempts_total', help: 'Attempts of a processing step started (retries included)', labelNames: ['step'] as const, registers: [this.registry] });
  readonly stepFailures = new Counter({
    name: 'fieldsense_step_failures_total',
    help: 'Failed attempts of a processing step, by step and code (a rejection code such as format_unrecognized, an error code, or the error name)',
    labelNames: ['step', 'code'] as const, registers: [this.registry],
  });
  readonly queueJobs: Gauge;
  readonly recordings: Gauge;

  constructor(sources: { queueDepths: () => Promise<QueueDepths>; recordingsByStatus: () => Promise<Record<string, number>> }) {
    super();
    this.queueJobs = scrapedGauge(this.registry, 'fieldsense_queue_jobs', 'Jobs in each queue by state (waiting, active, delayed, failed, completed, …)', ['queue', 'state'] as const,
      async () => (await sources.queueDepths()).flatMap((q) => Object.entries(q.counts).map(([state, value]) => ({ labels: { queue: q.queue, state }, value }))));
    this.recordings = scrapedGauge(this.registry, 'fieldsense_recordings', 'Recordings by status', ['status'] as const,
      async () => Object.entries(await sources.recordingsByStatus()).map(([status, value]) => ({ labels: { status }, value })));
  }
}

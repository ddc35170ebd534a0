import { Worker } from 'bullmq';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/lib/logger.js';
import { EXPORT_QUEUES, ExportFinalizePayload, ExportShardPayload, RECORDING_STEPS, STEPS, StepPayload, type Step } from '../src/jobs/catalogue.js';
import { workerConnection } from '../src/jobs/queues.js';
import { buildWorkerServices } from '../src/main/container.js';
import { onStopRequest } from '../src/main/child-lifecycle.js';
import { stepHandlers } from './handlers/steps.js';
import { waitingOutOutages } from '../src/jobs/outage-retry.js';
import { serveMetrics } from '../src/lib/metrics-server.js';
import { failureFields, jobLogFields, jobLogMixin, observedStep } from './observe-step.js';

/**
 * The worker process: one BullMQ Worker per step queue (validate, segment, annotate, align: src/jobs/catalogue.ts).
 * A job's lock is renewed by BullMQ on this process's event loop, so the steps give it its turn between pieces of
 * CPU-bound work (test/integration/job-lock.test.ts). SIGTERM/SIGINT close the workers gracefully: running jobs
 * finish, no new ones start.
 */
const config = loadConfig();
// Every line written while a job runs names the job, its recording and run, and the request that started it.
const log = createLogger(config.logLevel, 'fieldsense-worker', { mixin: jobLogMixin });
const services = buildWorkerServices(config, log);
const handlers = stepHandlers(services.processing, services.alignment);
// A backing service that is down makes a step wait and retry, not fail (src/jobs/outage-retry.ts).
const outagePolicy = { baseDelayMs: config.jobs.backoffMs, maxDelayMs: config.jobs.outageRetryMaxMs, budgetMs: config.jobs.outageBudgetMs };

const workers = STEPS.map((step: Step) => {
  // Observed outside the outage wait: a step delayed for an outage is timed as `delayed`, and its lines name the job too.
  const w = new Worker(step, observedStep(step, waitingOutOutages(handlers[step], outagePolicy, log), log, services.metrics), {
    connection: workerConnection(config.redisUrl),
    prefix: config.queuePrefix,
    concurrency: config.jobs.concurrency,
    lockDuration: config.jobs.lockMs,
    stalledInterval: config.jobs.stalledIntervalMs,
    maxStalledCount: 3,
  });
  w.on('failed', (job, err) => {
    if (!job) return;
    const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    const failure = failureFields(job, err);
    // A parent failed for its child's failure is the same failure again: counted once, at the step that failed.
    if (failure.code !== 'child_failed') services.metrics.stepFailures.inc({ step, code: failure.code });
    const jl = log.child(jobLogFields(job, step, job.attemptsMade));
    if (!final) {
      jl.warn({ err: err.message, ...failure }, 'step failed; it will be retried');
      return;
    }
    if (err.name === 'UnrecoverableError') {
      // A file that cannot be read (the recording is already `rejected` with its reason), or a parent
      // step whose child ended that way: an outcome, not an incident.
      jl.info({ reason: err.message, ...failure }, 'step ended without retry');
      return;
    }
    jl.error({ err, ...failure }, 'step failed after its last attempt');
    const p = StepPayload.safeParse(job.data);
    const failsRecording = (RECORDING_STEPS as readonly string[]).includes(step);
    if (p.success && failsRecording) {
      services.processing.fail(p.data.recordingId, p.data.run, step as (typeof RECORDING_STEPS)[number], err.message).catch((e: unknown) => jl.error({ err: e }, 'could not mark the recording failed'));
    }
  });
  w.on('error', (err) => log.warn({ err: err.message, step }, 'worker connection error'));
  return w;
});

// Dataset exports (POST /v1/exports): one shard at a time per process — a shard is CPU-bound, more processes
// run more shards at once — and the final step once every shard is done.
const exportWorkers = EXPORT_QUEUES.map((queue) => {
  const w = new Worker(queue, async (job) => {
    if (queue === 'export-shard') {
      const p = ExportShardPayload.parse(job.data);
      await services.exports.runShardJob(p.exportId, p.shard);
    } else {
      await services.exports.finalizeJob(ExportFinalizePayload.parse(job.data).exportId);
    }
  }, {
    connection: workerConnection(config.redisUrl),
    prefix: config.queuePrefix,
    concurrency: 1,
    lockDuration: config.jobs.lockMs,
    stalledInterval: config.jobs.stalledIntervalMs,
    maxStalledCount: 3,
  });
  w.on('failed', (job, err) => {
    if (!job) return;
    const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    const exportId = typeof (job.data as { exportId?: unknown }).exportId === 'string' ? (job.data as { exportId: string }).exportId : null;
    if (!final || exportId === null) {
      log.warn({ queue, jobId: job.id, attempt: job.attemptsMade, err: err.message }, 'export job failed; it will be retried');
      return;
    }
    // The final step failed by BullMQ because a shard did: the shard's own failure names the export's reason.
    if (queue === 'export-finalize' && failureFields(job, err).code === 'child_failed') {
      log.info({ queue, jobId: job.id }, 'export final step not run: a shard failed');
      return;
    }
    log.error({ queue, jobId: job.id, err }, 'export job failed after its last attempt');
    const reason = queue === 'export-shard' ? `shard ${(job.data as { shard?: number }).shard} failed: ${err.message}` : `the final step failed: ${err.message}`;
    services.exports.failJob(exportId, reason).catch((e: unknown) => log.error({ err: e }, 'could not mark the export failed'));
  });
  w.on('error', (err) => log.warn({ err: err.message, queue }, 'worker connection error'));
  return w;
});

const metricsServer = await serveMetrics(services.metrics.registry, config.http.host, config.metrics.workerPort, log);
const metricsUrl = metricsServer.port === null ? null : `http://${config.http.host}:${metricsServer.port}/metrics`;
log.info({ queues: [...STEPS, ...EXPORT_QUEUES], prefix: config.queuePrefix, concurrency: config.jobs.concurrency, metrics: metricsUrl }, 'workers started');
process.send?.({ type: 'ready', metricsPort: metricsServer.port });

// SHUTDOWN_DEADLINE_MS (15 s by default) fits under the launcher's SIGKILL, 5 s after it.
const SHUTDOWN_DEADLINE_MS = config.shutdownDeadlineMs;
let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'closing workers: running jobs finish first');
  // Running jobs get their time; past the deadline (e.g. Redis gone, so nothing can be acknowledged) the
  // process leaves, and its jobs are picked up again as stalled once their lock expires.
  const deadline = setTimeout(() => {
    log.warn('workers did not close in time; exiting');
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  await Promise.all([...workers, ...exportWorkers].map((w) => w.close()));
  await metricsServer.close();
  await services.close();
  log.info('workers closed');
  process.exit(0);
}
onStopRequest(log, shutdown);

import { Worker, type Job } from 'bullmq';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/lib/logger.js';
import { RECORDING_STEPS, STEPS, StepPayload, type Step } from '../src/jobs/catalogue.js';
import { workerConnection } from '../src/jobs/queues.js';
import { buildWorkerServices } from '../src/main/container.js';
import { onStopRequest } from '../src/main/child-lifecycle.js';
import { stepHandlers } from './handlers/steps.js';
import { waitingOutOutages } from '../src/jobs/outage-retry.js';

/**
 * The worker process: one BullMQ Worker per queue (validate, segment, annotate). SIGTERM/SIGINT close the
 * workers gracefully: running jobs finish, no new ones start.
 */
const config = loadConfig();
const log = createLogger(config.logLevel, 'fieldsense-worker');
const services = buildWorkerServices(config, log);
const handlers = stepHandlers(services.processing, services.alignment);
// A backing service that is down makes a step wait and retry, not fail (src/jobs/outage-retry.ts).
const outagePolicy = { baseDelayMs: config.jobs.backoffMs, maxDelayMs: config.jobs.outageRetryMaxMs, budgetMs: config.jobs.outageBudgetMs };

const workers = STEPS.map((step: Step) => {
  const w = new Worker(step, waitingOutOutages(async (job: Job) => {
    const jl = log.child({ jobId: job.id, step, recordingId: (job.data as { recordingId?: string }).recordingId, attempt: job.attemptsMade + 1 });
    const outcome = await handlers[step](job);
    jl.info({ outcome }, 'step finished');
    return outcome;
  }, outagePolicy, log), {
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
    const jl = log.child({ jobId: job.id, step, attempt: job.attemptsMade });
    if (!final) {
      jl.warn({ err: err.message }, 'step failed; it will be retried');
      return;
    }
    if (err.name === 'UnrecoverableError') {
      // A file that cannot be read (the recording is already `rejected` with its reason), or a parent
      // step whose child ended that way: an outcome, not an incident.
      jl.info({ reason: err.message }, 'step ended without retry');
      return;
    }
    jl.error({ err }, 'step failed after its last attempt');
    const p = StepPayload.safeParse(job.data);
    const failsRecording = (RECORDING_STEPS as readonly string[]).includes(step);
    if (p.success && failsRecording) {
      services.processing.fail(p.data.recordingId, p.data.run, step as (typeof RECORDING_STEPS)[number], err.message).catch((e: unknown) => jl.error({ err: e }, 'could not mark the recording failed'));
    }
  });
  w.on('error', (err) => log.warn({ err: err.message, step }, 'worker connection error'));
  return w;
});

log.info({ queues: STEPS, prefix: config.queuePrefix, concurrency: config.jobs.concurrency }, 'workers started');
process.send?.({ type: 'ready' });

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
  await Promise.all(workers.map((w) => w.close()));
  await services.close();
  log.info('workers closed');
  process.exit(0);
}
onStopRequest(log, shutdown);

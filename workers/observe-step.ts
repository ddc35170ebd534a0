import { AsyncLocalStorage } from 'node:async_hooks';
import type { Job } from 'bullmq';
import { StepPayload, type Step } from '../src/jobs/catalogue.js';
import type { Logger } from '../src/lib/logger.js';
import type { WorkerMetrics } from '../src/lib/metrics.js';
import type { StepOutcome } from '../src/services/process-recording.service.js';

/**
 * What every worker log line of a job names: the job, its step and attempt, the recording and run, and the
 * request that started the run (the upload's or reprocess request's X-Request-Id), which ties the API's
 * request line to the workers' lines.
 */
export type JobLogFields = { jobId: string | undefined; step: Step; attempt: number } & Partial<StepPayload>;

const running = new AsyncLocalStorage<JobLogFields>();

/** A pino mixin: the fields of the job being run, on every line written while it runs (the services' too). */
export function jobLogMixin(): object {
  return running.getStore() ?? {};
}

/** The log fields of one attempt of a job (the payload's ids when it is valid). */
export function jobLogFields(job: Job, step: Step, attempt: number): JobLogFields {
  const p = StepPayload.safeParse(job.data);
  return { jobId: job.id, step, attempt, ...(p.success ? p.data : {}) };
}

/** How long each failed attempt ran, for the `failed` listener's line (an error thrown by a handler is the one it gets). */
const failedAfterMs = new WeakMap<object, number>();

/**
 * How an attempt that threw ended: `rejected`, the step cannot succeed (BullMQ does not retry it); `delayed`,
 * it waits out an outage of a backing service (jobs/outage-retry.ts); `failed`, it may succeed on a later attempt.
 */
function failedOutcome(err: unknown): 'rejected' | 'delayed' | 'failed' {
  if (!(err instanceof Error)) return 'failed';
  return err.name === 'UnrecoverableError' ? 'rejected' : err.name === 'DelayedError' ? 'delayed' : 'failed';
}

/**
 * Runs one attempt of a step inside its log context: counts the attempt, times it into the step-duration
 * histogram by outcome, and writes the `step finished` line with the outcome and `ms`. A failure is
 * rethrown unchanged; the worker's `failed` listener logs and counts it (`failureFields`).
 */
export function observedStep(
  step: Step, processor: (job: Job, token?: string) => Promise<StepOutcome>, log: Logger, metrics: WorkerMetrics,
): (job: Job, token?: string) => Promise<StepOutcome> {
  return (job, token) => running.run(jobLogFields(job, step, job.attemptsMade + 1), async () => {
    metrics.stepAttempts.inc({ step });
    const started = performance.now();
    try {
      const outcome = await processor(job, token);
      const ms = Math.round(performance.now() - started);
      metrics.stepDuration.observe({ step, outcome }, ms / 1000);
      log.info({ outcome, ms }, 'step finished');
      return outcome;
    } catch (err) {
      const ms = Math.round(performance.now() - started);
      metrics.stepDuration.observe({ step, outcome: failedOutcome(err) }, ms / 1000);
      if (typeof err === 'object' && err !== null) failedAfterMs.set(err, ms);
      throw err;
    }
  });
}

/**
 * What a failed attempt's line and the failure counter name: `code` — the rejection code (`format_unrecognized`),
 * an error's own code (`P1001`, `ECONNREFUSED`), `child_failed` for a parent step that BullMQ failed without
 * running it because the step before it failed, `stalled` for a job whose worker died, else the error's
 * name —, the outcome, and `ms` when the attempt ran here.
 */
export function failureFields(job: Job, err: Error): { code: string; outcome: ReturnType<typeof failedOutcome>; ms?: number } {
  const own = (err as { code?: unknown }).code;
  const candidate = typeof own === 'string' ? own : job.deferredFailure ? 'child_failed' : /stalled/i.test(err.message) ? 'stalled' : err.name;
  const code = /^[A-Za-z0-9_.-]{1,60}$/.test(candidate) ? candidate : 'unknown';
  const ms = failedAfterMs.get(err);
  return { code, outcome: failedOutcome(err), ...(ms === undefined ? {} : { ms }) };
}

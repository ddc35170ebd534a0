import { DelayedError, type Job } from 'bullmq';
import type { Logger } from '../lib/logger.js';
import { outageOf } from '../lib/outages.js';

/** How a job waits out a backing-service outage (config: JOB_BACKOFF_MS, OUTAGE_RETRY_MAX_MS, OUTAGE_BUDGET_MS). */
export interface OutagePolicy {
  /** First wait; it doubles with each try during the same outage… */
  baseDelayMs: number;
  /** …up to this. */
  maxDelayMs: number;
  /** Past this much time since the job first met the outage, outages count against its attempts. */
  budgetMs: number;
}

/** Kept in the job's data (so in Redis, across worker restarts): when this job first met an outage, and how often it waited. */
interface OutageMark {
  since: number;
  waits: number;
}

function markOf(data: unknown): OutageMark | undefined {
  const m = (data as { outage?: Partial<OutageMark> } | null)?.outage;
  return m && typeof m.since === 'number' && typeof m.waits === 'number' ? { since: m.since, waits: m.waits } : undefined;
}

/** The wait before the next try: doubling from the base (at least 100 ms, never a busy loop), capped. */
export function outageDelayMs(policy: OutagePolicy, waits: number): number {
  return Math.min(policy.maxDelayMs, Math.max(100, policy.baseDelayMs) * 2 ** Math.min(waits, 30));
}

/**
 * Wraps a worker's processor: when a step fails because a backing service is down (lib/outages.ts), the job
 * is moved back to delayed with a capped backoff — without spending one of its attempts, which are for faults
 * of the work itself — until the outage has lasted the budget. Then the error is thrown as is, and the job's
 * ordinary retries and their end (the recording `failed`) apply. An outage of Redis itself cannot be waited
 * out this way (delaying needs Redis): its error is thrown as is too.
 */
export function waitingOutOutages<T>(processor: (job: Job) => Promise<T>, policy: OutagePolicy, log: Logger): (job: Job, token?: string) => Promise<T> {
  return async (job, token) => {
    try {
      return await processor(job);
    } catch (err) {
      return delayForOutage(err, job, token, policy, log.child({ jobId: job.id, queue: job.queueName }));
    }
  };
}

async function delayForOutage(err: unknown, job: Job, token: string | undefined, policy: OutagePolicy, log: Logger): Promise<never> {
  const dependency = outageOf(err);
  if (!dependency || dependency === 'queue' || token === undefined) throw err;
  const now = Date.now();
  const mark = markOf(job.data) ?? { since: now, waits: 0 };
  const outageMs = now - mark.since;
  if (outageMs >= policy.budgetMs) {
    log.warn({ dependency, outageMs, err }, 'a backing service has been down longer than the outage budget: the step fails as usual');
    throw err;
  }
  const delayMs = outageDelayMs(policy, mark.waits);
  try {
    await job.updateData({ ...(job.data as object), outage: { since: mark.since, waits: mark.waits + 1 } });
    await job.moveToDelayed(now + delayMs, token);
  } catch (e) {
    log.warn({ err: e }, 'could not delay the job during an outage: it is retried as usual');
    throw err;
  }
  log.warn({ dependency, delayMs, outageMs, error: err instanceof Error ? err.message : String(err) }, 'a backing service is down: the step waits and tries again');
  throw new DelayedError();
}

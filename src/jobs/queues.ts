import { FlowProducer, Queue, type ConnectionOptions, type JobState } from 'bullmq';
import { Redis } from 'ioredis';
import { STEPS, jobId, stepJobOptions, type ExportRunPayload, type Step, type StepPayload } from './catalogue.js';

/**
 * A Redis connection for producers and health checks: commands fail at once while Redis is away
 * (no offline queue), so an HTTP request or the outbox relay never hangs on it.
 */
export function createProducerRedis(url: string): Redis {
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false, retryStrategy: (n) => Math.min(n * 200, 2000) });
}

/** Connection options for workers (BullMQ requires maxRetriesPerRequest: null for blocking commands). */
export function workerConnection(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
  };
}

export class RecordingFlows {
  private readonly producer: FlowProducer;

  constructor(connection: Redis, private readonly prefix: string, private readonly retry: { attempts: number; backoffMs: number }) {
    this.producer = new FlowProducer({ connection, prefix });
  }

  /**
   * Adds the validate → segment → annotate → align flow of one processing run. BullMQ runs a parent after
   * its children, so the tree is align ⟵ annotate ⟵ segment ⟵ validate. Deterministic job ids make a second
   * add of the same run a no-op.
   */
  async addProcessFlow(payload: StepPayload): Promise<void> {
    const opts = (step: Step): Record<string, unknown> => ({
      jobId: jobId(payload.recordingId, payload.run, step),
      ...stepJobOptions(this.retry.attempts, this.retry.backoffMs),
      failParentOnFailure: true,
    });
    const [validate, segment, annotate, align] = STEPS;
    await this.producer.add({
      name: align, queueName: align, data: payload, opts: opts(align),
      children: [{
        name: annotate, queueName: annotate, data: payload, opts: opts(annotate),
        children: [{
          name: segment, queueName: segment, data: payload, opts: opts(segment),
          children: [{ name: validate, queueName: validate, data: payload, opts: opts(validate) }],
        }],
      }],
    });
  }

  /**
   * Adds an export's flow: `export-finalize` with one `export-shard` child per shard of its plan. A second add
   * of the same export is a no-op (deterministic job ids).
   */
  async addExportFlow(payload: ExportRunPayload): Promise<void> {
    const opts = (id: string): Record<string, unknown> => ({ jobId: id, ...stepJobOptions(this.retry.attempts, this.retry.backoffMs) });
    await this.producer.add({
      name: 'export-finalize', queueName: 'export-finalize', data: { exportId: payload.exportId }, opts: opts(`${payload.exportId}-finalize`),
      children: Array.from({ length: payload.shards }, (_, shard) => ({
        name: 'export-shard', queueName: 'export-shard', data: { exportId: payload.exportId, shard },
        opts: { ...opts(`${payload.exportId}-shard-${shard}`), failParentOnFailure: true },
      })),
    });
  }

  get queuePrefix(): string {
    return this.prefix;
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}

/** The job states the queue-depth gauge reports (`waiting-children`: a parent step waiting for the one before it). */
const COUNTED_STATES: readonly JobState[] = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'];

/** Job counts of every step's queue by state, read at scrape time for the metrics. */
export class QueueDepths {
  private readonly queues: Queue[];

  /** `connection` should fail fast while Redis is away (createProducerRedis), so that a scrape never hangs on it. */
  constructor(connection: Redis, prefix: string) {
    this.queues = STEPS.map((step) => {
      const q = new Queue(step, { connection, prefix });
      q.on('error', () => undefined); // a read that fails leaves the gauge out of that scrape; the workers report Redis
      return q;
    });
  }

  async read(): Promise<{ queue: string; counts: Record<string, number> }[]> {
    return Promise.all(this.queues.map(async (q) => ({ queue: q.name, counts: await q.getJobCounts(...COUNTED_STATES) })));
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
  }
}

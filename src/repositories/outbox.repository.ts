import type { Db } from './db.js';

export interface OutboxRow { id: bigint; jobName: string; payload: unknown }

export class OutboxRepository {
  constructor(private readonly db: Db) {}

  /**
   * Hands a batch of unpublished rows to `publish`, one row at a time, and marks each published in the
   * same transaction that locked it (SKIP LOCKED: several relays never publish the same row at once).
   * A row whose publish throws stays unpublished with its error noted, and is tried again next round.
   */
  async drain(limit: number, publish: (row: OutboxRow) => Promise<void>): Promise<{ published: number; failed: number; lastError?: unknown }> {
    let published = 0;
    let failed = 0;
    let lastError: unknown;
    await this.db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<OutboxRow[]>`
        SELECT "id", "jobName", "payload" FROM "OutboxEvent"
        WHERE "publishedAt" IS NULL ORDER BY "id" LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
      for (const row of rows) {
        try {
          await publish(row);
          await tx.outboxEvent.update({ where: { id: row.id }, data: { publishedAt: new Date(), attempts: { increment: 1 } } });
          published++;
        } catch (e) {
          failed++;
          lastError = e;
          await tx.outboxEvent.update({ where: { id: row.id }, data: { attempts: { increment: 1 }, lastError: String(e instanceof Error ? e.message : e).slice(0, 500) } });
          break; // the queue is likely down: keep order, try again next round
        }
      }
    }, { timeout: 60_000, maxWait: 10_000 });
    return { published, failed, lastError };
  }

  async enqueue(jobName: string, jobId: string, payload: object): Promise<void> {
    await this.db.outboxEvent.create({ data: { jobName, jobId, payload } });
  }

  async pendingCount(): Promise<number> {
    return this.db.outboxEvent.count({ where: { publishedAt: null } });
  }

  /** Seconds since the oldest unpublished row was written (the database's clock); 0 when none waits. */
  async oldestPendingAgeSeconds(): Promise<number> {
    const [row] = await this.db.$queryRaw<{ age: number | null }[]>`
      SELECT EXTRACT(EPOCH FROM (now() - min("createdAt")))::float8 AS "age" FROM "OutboxEvent" WHERE "publishedAt" IS NULL`;
    return Math.max(0, row?.age ?? 0);
  }
}

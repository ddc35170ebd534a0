import type { Logger } from '../lib/logger.js';
import { outageOf } from '../lib/outages.js';
import type { OutboxRepository } from '../repositories/outbox.repository.js';
import { OUTBOX_EVENTS } from './catalogue.js';
import type { RecordingFlows } from './queues.js';

/**
 * Moves committed outbox rows to BullMQ. Runs on a timer and is woken after each commit. While Redis is
 * down rows stay in PostgreSQL and are published once it is back: an accepted upload is never lost.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private downSince: number | undefined;
  private databaseDownSince: number | undefined;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly flows: RecordingFlows,
    private readonly log: Logger,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Runs a round now (or right after the current one). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.round().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.wake();
      this.schedule();
    }, this.pollMs);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    try {
      for (;;) {
        const r = await this.outbox.drain(100, async (row) => {
          if (row.jobName === 'export.run') await this.flows.addExportFlow(OUTBOX_EVENTS['export.run'].parse(row.payload));
          else if (row.jobName === 'recording.process') await this.flows.addProcessFlow(OUTBOX_EVENTS['recording.process'].parse(row.payload));
          else throw new Error(`unknown outbox event ${row.jobName}`);
        });
        if (this.databaseDownSince !== undefined) {
          this.log.info({ downForMs: Date.now() - this.databaseDownSince }, 'database back: relaying the outbox');
          this.databaseDownSince = undefined;
        }
        if (r.failed > 0) {
          if (this.downSince === undefined) {
            this.downSince = Date.now();
            this.log.warn({ err: r.lastError }, 'queue unavailable: uploads are kept in the outbox until it is back');
          }
          return;
        }
        if (this.downSince !== undefined) {
          this.log.info({ downForMs: Date.now() - this.downSince }, 'queue back: publishing the outbox');
          this.downSince = undefined;
        }
        if (r.published < 100) return;
      }
    } catch (err) {
      // The database away: rows wait where they are; said once, not at every poll.
      if (outageOf(err) === 'database') {
        if (this.databaseDownSince === undefined) this.log.warn({ err }, 'database unavailable: the outbox is relayed once it is back');
        this.databaseDownSince ??= Date.now();
        return;
      }
      this.log.error({ err }, 'outbox relay round failed');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

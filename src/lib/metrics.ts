import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'fieldsense_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.02, 0.1, 0.5, 2, 10, 60, 600], registers: [this.registry],
  });
  readonly uploads = new Counter({ name: 'fieldsense_uploads_total', help: 'Uploads answered, by outcome', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly uploadBytes = new Counter({ name: 'fieldsense_upload_bytes_total', help: 'Bytes of committed uploads', registers: [this.registry] });
  readonly outboxPending: Gauge;

  constructor(outboxPending: () => Promise<number>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'fieldsense_' });
    this.outboxPending = new Gauge({
      name: 'fieldsense_outbox_pending', help: 'Outbox rows not yet published to the queue', registers: [this.registry],
      async collect() {
        this.set(await outboxPending().catch(() => -1));
      },
    });
  }
}

import { z } from 'zod';
import { REQUEST_ID_PATTERN } from '../lib/ids.js';

/**
 * The one job catalogue. A recording is processed by a BullMQ flow of steps, each on its own queue:
 * validate (read the file once, check quality, store normalized streams, overviews and summaries) → segment
 * (run every detector over the stored streams: segments, checks, proposals) → annotate (write the proposals;
 * the recording is ready) → align (link it with the participant's overlapping recordings and estimate their
 * clock offsets).
 * Payloads carry ids only. Job ids are deterministic per recording, processing run and step, so a
 * duplicated outbox delivery or a retry never runs a step twice for the same run.
 */
export const STEPS = ['validate', 'segment', 'annotate', 'align'] as const;
/** The steps whose failure fails the recording; align only enriches a ready one. */
export const RECORDING_STEPS = ['validate', 'segment', 'annotate'] as const;
export type Step = (typeof STEPS)[number];

export const StepPayload = z.object({
  recordingId: z.string().regex(/^rec_[A-Za-z0-9_-]+$/),
  /** The recording's processing run (0 for the first, +1 per reprocess). */
  run: z.number().int().min(0),
  /**
   * The request that started the run (the upload, the reprocess request, or one `npm run reprocess` batch):
   * every worker log line of the run names it. Optional: rows and jobs written before it existed have none.
   */
  requestId: z.string().regex(REQUEST_ID_PATTERN).optional(),
});
export type StepPayload = z.infer<typeof StepPayload>;

/**
 * A dataset export asked for through the API (POST /v1/exports) runs as a flow too: one `export-shard` job per
 * shard of its plan, any number at once on any worker, then `export-finalize` (manifest, card, publish) once
 * every shard is done. A shard that fails is retried alone; the export fails only once a shard's attempts are
 * spent. Job ids are `<exportId>-shard-<k>` and `<exportId>-finalize`.
 */
export const EXPORT_QUEUES = ['export-shard', 'export-finalize'] as const;
export type ExportQueue = (typeof EXPORT_QUEUES)[number];
const EXPORT_ID = z.string().regex(/^dsx_[A-Za-z0-9_-]+$/);
export const ExportRunPayload = z.object({ exportId: EXPORT_ID, shards: z.number().int().min(1), requestId: z.string().regex(REQUEST_ID_PATTERN).optional() });
export type ExportRunPayload = z.infer<typeof ExportRunPayload>;
export const ExportShardPayload = z.object({ exportId: EXPORT_ID, shard: z.number().int().min(0) });
export type ExportShardPayload = z.infer<typeof ExportShardPayload>;
export const ExportFinalizePayload = z.object({ exportId: EXPORT_ID });

/** Outbox event names → payload schema. The relay turns each into queue jobs. */
export const OUTBOX_EVENTS = {
  'recording.process': StepPayload,
  'export.run': ExportRunPayload,
} as const;
export type OutboxEventName = keyof typeof OUTBOX_EVENTS;

export function jobId(recordingId: string, run: number, step: Step): string {
  return `${recordingId}-${run}-${step}`;
}

/** Retry policy of every step; a step that cannot succeed throws UnrecoverableError instead. */
export function stepJobOptions(attempts: number, backoffMs: number): {
  attempts: number;
  backoff: { type: 'exponential'; delay: number };
  removeOnComplete: { age: number; count: number };
  removeOnFail: { age: number };
} {
  return {
    attempts,
    backoff: { type: 'exponential', delay: backoffMs },
    removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
}

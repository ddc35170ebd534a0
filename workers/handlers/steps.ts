import { UnrecoverableError, type Job } from 'bullmq';
import { StepPayload, type Step } from '../../src/jobs/catalogue.js';
import { RecordingRejected, type ProcessRecordingService, type StepOutcome } from '../../src/services/process-recording.service.js';
import type { AlignRecordingsService } from '../../src/services/align-recordings.service.js';

export type Handler = (job: Job) => Promise<StepOutcome>;

/** An error BullMQ does not retry, with the `code` that the failure metric and log lines name. */
function unrecoverable(code: string, message: string): UnrecoverableError {
  return Object.assign(new UnrecoverableError(message), { code });
}

/**
 * One handler per step: re-validate the payload, call the service, return. A file that cannot be read
 * becomes an UnrecoverableError (no retries); anything else is thrown as is and retried with backoff.
 */
export function stepHandlers(processing: ProcessRecordingService, alignment: AlignRecordingsService): Record<Step, Handler> {
  const wrap = (run: (recordingId: string, runNo: number) => Promise<StepOutcome>): Handler => async (job) => {
    const parsed = StepPayload.safeParse(job.data);
    if (!parsed.success) throw unrecoverable('invalid_payload', `invalid payload for ${job.name}: ${parsed.error.message}`);
    try {
      return await run(parsed.data.recordingId, parsed.data.run);
    } catch (err) {
      if (err instanceof RecordingRejected) throw unrecoverable(err.code, `${err.code}: ${err.message}`);
      throw err;
    }
  };
  return {
    validate: wrap((id, run) => processing.validate(id, run)),
    segment: wrap((id, run) => processing.segment(id, run)),
    annotate: wrap((id, run) => processing.annotate(id, run)),
    align: wrap(async (id) => {
      await alignment.align(id);
      return 'done';
    }),
  };
}

/**
 * What the console does with a failed save (pure). Network trouble and server errors are retried with a growing
 * delay — the change stays on screen as "Not saved — retrying" and is never dropped; a 412 means someone else
 * changed the annotation (the person decides); any other refusal shows the API's message and undoes the change on
 * screen, since sending it again would be refused again.
 */
export type FailureAction = 'retry' | 'conflict' | 'refused' | 'gone';

/** `status` 0 or ≥ 500 (the client reports an unreachable API as 599). */
export function failureAction(status: number, code: string): FailureAction {
  if (status === 0 || status >= 500) return 'retry';
  if (status === 412 && code === 'annotation_revision_stale') return 'conflict';
  if (status === 404) return 'gone';
  return 'refused';
}

/** The wait before retry `attempt` (0-based): 1 s, 2 s, 4 s … capped at 30 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
}

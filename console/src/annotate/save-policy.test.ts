import { describe, expect, it } from 'vitest';
import { failureAction, retryDelayMs } from './save-policy';

describe('what a failed save leads to', () => {
  it('retries network trouble and server errors, never a refusal', () => {
    expect(failureAction(0, 'http_error')).toBe('retry');
    expect(failureAction(599, 'api_unreachable')).toBe('retry');
    expect(failureAction(503, 'database_unavailable')).toBe('retry');
    expect(failureAction(412, 'annotation_revision_stale')).toBe('conflict');
    expect(failureAction(404, 'not_found')).toBe('gone');
    expect(failureAction(422, 'label_not_in_study')).toBe('refused');
    expect(failureAction(412, 'precondition_failed')).toBe('refused');
  });

  it('backs off exponentially up to half a minute', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});

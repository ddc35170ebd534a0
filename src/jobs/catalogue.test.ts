import { describe, expect, it } from 'vitest';
import { StepPayload } from './catalogue.js';

describe('StepPayload', () => {
  it('still reads the payloads written before it carried a request id', () => {
    expect(StepPayload.parse({ recordingId: 'rec_abc', run: 0 })).toEqual({ recordingId: 'rec_abc', run: 0 });
  });

  it('carries the request id that started the run, in the form the API accepts for X-Request-Id', () => {
    expect(StepPayload.parse({ recordingId: 'rec_abc', run: 2, requestId: '0b6f5c1e-2f0e-4f7e-9d7c-1a2b3c4d5e6f' }).requestId).toBe('0b6f5c1e-2f0e-4f7e-9d7c-1a2b3c4d5e6f');
    expect(StepPayload.safeParse({ recordingId: 'rec_abc', run: 0, requestId: 'has spaces' }).success).toBe(false);
    expect(StepPayload.safeParse({ recordingId: 'rec_abc', run: 0, requestId: 'x'.repeat(101) }).success).toBe(false);
  });
});

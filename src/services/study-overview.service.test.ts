import { describe, expect, it } from 'vitest';
import { plainReason } from './study-overview.service.js';

describe('the coordinator\'s reason for a rejected or failed recording', () => {
  it('leads with a plain sentence for the code and keeps what the pipeline found where it helps', () => {
    const r = plainReason('rejected', 'csv_missing_column', 'The file has no "z" column.');
    expect(r).toEqual({ code: 'csv_missing_column', message: 'The table file lacks a column FieldSense needs. The file has no "z" column.' });
  });

  it('hides the internals of a failure on our side, and the list of every reader for an unknown format', () => {
    const failed = plainReason('failed', 'processing_failed', 'Processing failed at segment after several attempts: TypeError: x is undefined. An admin can reprocess it.');
    expect(failed.code).toBe('processing_failed');
    expect(failed.message).not.toMatch(/TypeError|segment/);
    expect(failed.message).toMatch(/admin can reprocess/);
    expect(plainReason('rejected', 'format_unrecognized', 'This file is not a format FieldSense reads. Supported: WAV; CSV.').message).not.toMatch(/Supported/);
  });

  it('a code it does not know keeps the pipeline\'s message; a missing code is named from the status', () => {
    expect(plainReason('rejected', 'some_new_code', 'A new reason.')).toEqual({ code: 'some_new_code', message: 'A new reason.' });
    expect(plainReason('failed', null, null).code).toBe('processing_failed');
  });
});

import { describe, expect, it } from 'vitest';
import { rejectionHeadline, rejectionIsServerSide } from './rejection';

describe('rejectionHeadline', () => {
  it('says what a known outcome means', () => {
    expect(rejectionHeadline('format_truncated')).toBe('The file is cut short (interrupted copy or upload)');
    expect(rejectionHeadline('archive_encrypted')).toBe('The archive is password-protected');
  });
  it('turns an unknown code into words rather than showing snake_case', () => {
    expect(rejectionHeadline('some_new_reason')).toBe('Some new reason');
  });
  it('tells server-side failures from the participant’s files', () => {
    expect(rejectionIsServerSide('decoder_missing')).toBe(true);
    expect(rejectionIsServerSide('csv_bad_value')).toBe(false);
  });
});

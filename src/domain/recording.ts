import type { ErrorCode } from '../lib/errors.js';

export const STAGE_ORDER = { validate: 1, segment: 2, annotate: 3 } as const;
export type StageName = keyof typeof STAGE_ORDER;

/**
 * Codes that end a recording `rejected`: the file itself cannot be read, so retrying cannot help.
 * Its raw bytes stay in object storage, and the message tells the person what to do.
 */
export const REJECTION_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'file_empty',
  'format_unrecognized',
  'format_unsupported_variant',
  'wav_invalid',
  'wav_truncated',
  'csv_invalid',
  'csv_column_count',
  'csv_bad_value',
  'csv_missing_column',
  'no_samples',
  'format_truncated',
  'format_corrupt',
  'format_limits',
  'csv_ambiguous',
  'json_too_deep',
  'archive_unsafe',
  'archive_too_large',
  'archive_encrypted',
  'decoder_missing',
  'signature_invalid',
]);

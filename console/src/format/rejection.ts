/**
 * Why a recording was turned away, as a one-line headline a coordinator can act on (the API's message beside it
 * gives the particulars: which column, which line). Codes are the API's recording outcomes.
 */
const HEADLINES: Record<string, string> = {
  file_empty: 'The file is empty',
  format_unrecognized: 'Not a format FieldSense reads',
  format_unsupported_variant: 'A variant of the format FieldSense does not read yet',
  wav_invalid: 'The WAV file is damaged',
  wav_truncated: 'The WAV file is cut short',
  csv_invalid: 'The table could not be read',
  csv_column_count: 'Rows have different numbers of columns',
  csv_bad_value: 'A value in the table is not a number',
  csv_missing_column: 'A column the format needs is missing',
  csv_ambiguous: 'The columns cannot be told apart',
  no_samples: 'The file holds no samples',
  format_truncated: 'The file is cut short (interrupted copy or upload)',
  format_corrupt: 'The file is damaged',
  format_limits: 'The file declares impossible sizes or rates',
  json_too_deep: 'The JSON is nested too deeply',
  archive_unsafe: 'The archive holds unsafe entries',
  archive_too_large: 'The archive is too large once unpacked',
  archive_encrypted: 'The archive is password-protected',
  decoder_missing: 'A decoder is not installed on the server',
  signature_invalid: "The file's signature does not match the study's key",
  processing_failed: 'Processing failed on the server',
};

export function rejectionHeadline(code: string): string {
  return HEADLINES[code] ?? code.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** Whether it is the participant's file to fix (re-export, re-upload) or the server's problem (tell the admin). */
export function rejectionIsServerSide(code: string): boolean {
  return code === 'decoder_missing' || code === 'processing_failed';
}

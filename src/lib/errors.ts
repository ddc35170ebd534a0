/**
 * The one error type of the project. Services and pure code throw `AppError` with a code from the closed
 * list below; the HTTP error middleware maps codes to statuses, workers map them to recording outcomes.
 */

/** Every error code the project can produce, with the HTTP status it maps to. */
export const ERROR_CODES = {
  // request / auth
  bad_request: 400,
  validation_failed: 400,
  invalid_json: 400,
  unauthorized: 401,
  token_revoked: 401,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  conflict: 409,
  slug_taken: 409,
  code_taken: 409,
  /** The Idempotency-Key was used before for other bytes (IETF httpapi Idempotency-Key draft: 422). */
  idempotency_key_reused: 422,
  /** Another request with this Idempotency-Key is still being received: retry once it has been answered. */
  idempotency_key_in_flight: 409,
  file_too_large: 413,
  too_many_files: 413,
  too_many_parts: 413,
  field_too_large: 413,
  unsupported_media_type: 415,
  missing_file: 400,
  unexpected_field: 400,
  upload_aborted: 400,
  label_not_in_study: 422,
  range_outside_recording: 422,
  /** An `If-Match` revision that is no longer the annotation's: details.current is the annotation as it is now. */
  annotation_revision_stale: 412,
  /** An annotator named in the request belongs to another study (or does not exist). */
  annotator_not_in_study: 422,
  /** A download's `Range` names no byte of the file; the answer's `Content-Range` header gives the file's size. */
  range_not_satisfiable: 416,
  recording_not_ready: 409,
  stream_not_found: 404,
  /** Audio by time range is only for audio streams (the message names the recording's audio streams). */
  stream_not_audio: 422,
  /** An audio window longer than the API sends in one answer (600 s): ask for shorter pieces. */
  audio_window_too_long: 422,
  rate_limited: 429,
  service_unavailable: 503,
  /** A backing service is down or unreachable (lib/outages.ts): answered with Retry-After; nothing was changed. */
  storage_unavailable: 503,
  database_unavailable: 503,
  queue_unavailable: 503,
  /** The API is stopping: the request was not started; send it again (`Retry-After`), to this or another instance. */
  server_shutdown: 503,
  /** The console's files were not built (`npm run console:build`). */
  console_not_built: 503,
  internal: 500,
  // recording outcomes (formats and pipeline): a recording that ends `rejected` carries one of these
  file_empty: 422,
  format_unrecognized: 422,
  format_unsupported_variant: 422,
  wav_invalid: 422,
  wav_truncated: 422,
  csv_invalid: 422,
  csv_column_count: 422,
  csv_bad_value: 422,
  csv_missing_column: 422,
  no_samples: 422,
  /** The file ends before its structure does (cut during copy or upload). */
  format_truncated: 422,
  /** Bytes that cannot be what the format says (garbage, checksum failures beyond repair). */
  format_corrupt: 422,
  /** Declared sizes, counts or rates beyond what any real device writes (hostile or broken file). */
  format_limits: 422,
  /** Text formats whose columns cannot be told apart: the message names the column. */
  csv_ambiguous: 422,
  /** Nesting deeper than any real export (hostile JSON/CBOR). */
  json_too_deep: 422,
  /** An archive entry whose name would escape (`../`, absolute), a symlink, or an archive inside an archive. */
  archive_unsafe: 422,
  /** An archive beyond the caps on entries or (declared or real) uncompressed size: a zip bomb. */
  archive_too_large: 422,
  archive_encrypted: 422,
  /** The codec needs a decoder that is not installed here: the message says what to install. */
  decoder_missing: 422,
  /** A signed file (Edge Impulse) whose signature does not match the study's key. */
  signature_invalid: 422,
  processing_failed: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

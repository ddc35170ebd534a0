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
  idempotency_key_reused: 409,
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
  recording_not_ready: 409,
  stream_not_found: 404,
  rate_limited: 429,
  service_unavailable: 503,
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

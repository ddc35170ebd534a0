import type { S3Client } from '@aws-sdk/client-s3';

/** Told of each failed call to the object store: the S3 operation (`PutObject`) and what went wrong. */
export type StoreFailureListener = (operation: string, kind: string) => void;

/**
 * Failures that are answers, not errors of the store: "does it exist?" (HEAD → 404) and a range that starts
 * past the end (416). A client that gave up (AbortError: an upload it aborted) is no failure of the store either.
 */
function isAnswer(operation: string, e: unknown): boolean {
  const x = e as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  if (x.name === 'AbortError') return true;
  const status = x.$metadata?.httpStatusCode;
  return (status === 404 && operation.startsWith('Head')) || (status === 416 && operation === 'GetObject');
}

/** A bounded label for a failure: the S3 error code (`SlowDown`, `AccessDenied`), else the socket code, else the error's name. */
function failureKind(e: unknown): string {
  const x = e as { name?: unknown; code?: unknown; $fault?: unknown };
  const candidate = typeof x.$fault === 'string' ? x.name : typeof x.code === 'string' ? x.code : x.name;
  return typeof candidate === 'string' && /^[A-Za-z0-9_.-]{1,60}$/.test(candidate) ? candidate : 'unknown';
}

/**
 * An SDK middleware, in the initialize step (around the retries: one count per failed send), that reports
 * failed sends to `listener` and rethrows them unchanged.
 */
export function countStoreFailures(client: S3Client, listener: StoreFailureListener): void {
  client.middlewareStack.add((next, context) => async (args) => {
    try {
      return await next(args);
    } catch (e) {
      const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
      if (!isAnswer(operation, e)) listener(operation, failureKind(e));
      throw e;
    }
  }, { step: 'initialize', name: 'fieldsenseStoreFailures' });
}

/**
 * The one classification of backing-service outages: an error that means "the object store, the database
 * or the queue is down or unreachable right now" rather than "this request or this recording is wrong".
 * The HTTP error translator turns an outage into 503 with Retry-After and a code naming the service; the
 * workers wait and retry instead of spending the job's attempts. Nothing here imports a client library:
 * errors are recognised by their shape, and the storage layer, which alone knows that a bare socket error
 * came from the object store, tags its errors with `asStorageOutage`.
 */

/** The backing services whose outages are told apart (each has its own error code). */
export type Dependency = 'storage' | 'database' | 'queue';

/** A backing service is down: thrown by the layer that talks to it, with the client's error as `cause`. */
export class OutageError extends Error {
  constructor(readonly dependency: Dependency, cause: unknown) {
    super(`${dependency} unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'OutageError';
  }
}

/** Socket-level failures: the peer is stopped, restarting, overloaded or unreachable. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH',
  'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * True for an error of the connection itself, whoever the peer: refused, reset, timed out, "socket hang up",
 * or a body cut short ("aborted"). Only meaningful where the caller knows which service it was talking to.
 */
export function isConnectionFault(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
  if (e.name === 'TimeoutError' || e.name === 'RequestTimeout') return true;
  return /socket hang up|ECONNREFUSED|ECONNRESET|connect ETIMEDOUT/i.test(e.message);
}

/** An S3 answer that says the store itself is failing (5xx, SlowDown): retrying later can succeed. */
function isStoreServerFault(e: unknown): boolean {
  const x = e as { $fault?: unknown; $metadata?: { httpStatusCode?: unknown }; name?: unknown };
  const status = x.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  return x.name === 'SlowDown' || x.name === 'ServiceUnavailable' || x.name === 'InternalError';
}

/** The error as the storage layer should throw it: an OutageError when the object store is down, else itself. */
export function asStorageOutage(e: unknown): unknown {
  if (e instanceof OutageError) return e;
  return isConnectionFault(e) || isStoreServerFault(e) ? new OutageError('storage', e) : e;
}

/** Prisma error codes of an unreachable, closed, timed-out or exhausted database connection. */
const PRISMA_CONNECTION_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037']);
/** Driver-adapter error kinds of the same (what `@prisma/adapter-pg` reports for socket errors). */
const ADAPTER_CONNECTION_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TlsConnectionError']);
/** PostgreSQL SQLSTATEs of a server that is going away or not accepting connections (class 08, 57P0x, 53300). */
const PG_UNAVAILABLE = /^(08...|57P0[1-3]|53300)$/;

function isDatabaseFault(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === 'PrismaClientInitializationError') return true;
  const x = e as { code?: unknown; meta?: { driverAdapterError?: { cause?: AdapterCause } }; cause?: unknown };
  if (e.name.startsWith('PrismaClient')) {
    if (typeof x.code === 'string' && PRISMA_CONNECTION_CODES.has(x.code)) return true;
    return isAdapterConnectionCause(x.meta?.driverAdapterError?.cause);
  }
  if (e.name === 'DriverAdapterError') return isAdapterConnectionCause(x.cause as AdapterCause | undefined);
  return false;
}

type AdapterCause = { kind?: unknown; code?: unknown };
function isAdapterConnectionCause(c: AdapterCause | undefined): boolean {
  if (!c || typeof c.kind !== 'string') return false;
  if (ADAPTER_CONNECTION_KINDS.has(c.kind)) return true;
  return c.kind === 'postgres' && typeof c.code === 'string' && PG_UNAVAILABLE.test(c.code);
}

/** ioredis (and BullMQ over it) when Redis is down: commands refused while disconnected or after their retries. */
function isQueueFault(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  return /Stream isn't writeable and enableOfflineQueue|^Connection is closed\.?$/.test(e.message);
}

/** Which backing service an error says is down, looking through its causes; null when it is no outage. */
export function outageOf(err: unknown): Dependency | null {
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (e instanceof OutageError) return e.dependency;
    if (isDatabaseFault(e)) return 'database';
    if (isQueueFault(e)) return 'queue';
    e = e instanceof Error ? e.cause : undefined;
  }
  return null;
}

import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { Config } from '../config/config.js';
import { ERROR_CODES } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { buildApi } from './container.js';

/** Seconds a client is told to wait (`Retry-After`) before sending again a request refused during shutdown. */
const SHUTDOWN_RETRY_AFTER_S = 5;

export interface RunningApi {
  server: Server;
  port: number;
  /**
   * Graceful stop: new requests (on new or kept-alive connections) are answered `503 server_shutdown` with
   * `Retry-After` and `Connection: close` while the requests in flight get up to `deadlineMs` (default
   * SHUTDOWN_DEADLINE_MS) to finish; then the listener closes, sockets still open are destroyed, and the
   * relay, Redis and database connections close.
   */
  close: (opts?: { deadlineMs?: number }) => Promise<void>;
}

/** Starts the API (and the outbox relay) on the configured port. Returns a closer for graceful shutdown. */
export async function startApi(config: Config, log: Logger, adminToken: string): Promise<RunningApi> {
  const api = buildApi(config, log, adminToken);
  let shuttingDown = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (shuttingDown) {
      refuseDuringShutdown(req, res);
      return;
    }
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (shuttingDown) {
        // Its connection is not reused: the next request would only be refused.
        req.socket.end();
        if (inFlight === 0) drained?.();
      }
    });
    api.app(req, res);
  });
  // Long uploads: no overall request deadline; idle sockets still time out.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  server.listen(config.http.port, config.http.host);
  await once(server, 'listening');
  // Redis refuses commands until connected (no offline queue): the launcher hears "ready" once /readyz
  // would say so, or after a few seconds when Redis is away (then /readyz tells).
  await Promise.all([api.store.ensureBucket(), redisConnected(api.redis, 5000)]);
  api.relay.start();
  api.relay.wake();
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.http.port;
  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    close: (opts = {}) => {
      closing ??= (async () => {
        const deadlineMs = opts.deadlineMs ?? config.shutdownDeadlineMs;
        shuttingDown = true;
        server.closeIdleConnections();
        if (inFlight > 0) {
          log.info({ inFlight, deadlineMs }, 'waiting for requests in flight');
          const finished = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), deadlineMs);
            drained = () => { clearTimeout(timer); resolve(true); };
          });
          if (!finished) log.warn({ inFlight }, 'shutdown deadline passed: closing the connections of requests still in flight');
        }
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await api.close();
      })();
      return closing;
    },
  };
}

function redisConnected(redis: Redis, waitMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (redis.status === 'ready') return resolve();
    const timer = setTimeout(done, waitMs);
    function done(): void {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    }
    redis.on('ready', done);
  });
}

/** The contract's error body for a request that arrives while the API stops; the connection is not kept. */
function refuseDuringShutdown(req: IncomingMessage, res: ServerResponse): void {
  const body = JSON.stringify({ error: { code: 'server_shutdown', message: `The server is shutting down; send the request again in ${SHUTDOWN_RETRY_AFTER_S} s.` } });
  res.writeHead(ERROR_CODES.server_shutdown, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'retry-after': String(SHUTDOWN_RETRY_AFTER_S),
    connection: 'close',
  });
  res.end(body);
  // A request body still coming (an upload) is not read: the connection closes once the answer is sent.
  req.resume();
}

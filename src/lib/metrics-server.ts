import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';

export interface MetricsServer {
  /** The port it listens on; null when it could not listen (the process runs on without it). */
  port: number | null;
  close(): Promise<void>;
}

/**
 * Serves one registry as `GET /metrics` (Prometheus text format) on a plain node:http server, for a process
 * without an HTTP API of its own (the workers). Port 0 takes a spare port. A port already taken is logged as
 * an error and leaves the process running without metrics: processing recordings matters more than
 * exporting numbers about it.
 */
export async function serveMetrics(registry: Registry, host: string, port: number, log: Logger): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Only GET /metrics is served here.\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => {
        log.warn({ err }, 'could not collect the metrics');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('The metrics could not be collected.\n');
      },
    );
  });
  server.keepAliveTimeout = 65_000;
  try {
    server.listen(port, host);
    await once(server, 'listening');
  } catch (err) {
    log.error({ err, host, port }, 'the metrics endpoint could not listen (set WORKER_METRICS_PORT to a free port, or 0 for a spare one); running without it');
    return { port: null, close: () => Promise.resolve() };
  }
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

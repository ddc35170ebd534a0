import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Config } from '../config/config.js';
import type { Logger } from '../lib/logger.js';
import { buildApi } from './container.js';

/** Starts the API (and the outbox relay) on the configured port. Returns a closer for graceful shutdown. */
export async function startApi(config: Config, log: Logger, adminToken: string): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const api = buildApi(config, log, adminToken);
  const server = api.app.listen(config.http.port, config.http.host);
  // Long uploads: no overall request deadline; idle sockets still time out.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  await once(server, 'listening');
  await api.store.ensureBucket();
  api.relay.start();
  api.relay.wake();
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.http.port;
  return {
    server,
    port,
    close: async () => {
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await api.close();
    },
  };
}

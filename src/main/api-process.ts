import { loadConfig } from '../config/config.js';
import { createLogger } from '../lib/logger.js';
import { startApi } from './api.js';
import { onStopRequest } from './child-lifecycle.js';

/** The API as a process of its own (`npm start` runs it): ADMIN_TOKEN comes from the launcher. */
const config = loadConfig();
const log = createLogger(config.logLevel, 'fieldsense-api');
if (!config.adminToken) throw new Error('ADMIN_TOKEN must be set for the API process');
const api = await startApi(config, log, config.adminToken);
log.info({ port: api.port }, 'API listening');
process.send?.({ type: 'ready', port: api.port });
onStopRequest(log, async (reason) => {
  log.info({ reason, deadlineMs: config.shutdownDeadlineMs }, 'API closing: requests in flight finish first, new ones get 503');
  await api.close();
  log.info('API closed');
  process.exit(0);
});

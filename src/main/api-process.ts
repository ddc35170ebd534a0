import { loadConfig } from '../config/config.js';
import { createLogger } from '../lib/logger.js';
import { startApi } from './api.js';

/** The API as a process of its own (`npm start` runs it): ADMIN_TOKEN comes from the launcher. */
const config = loadConfig();
const log = createLogger(config.logLevel, 'fieldsense-api');
if (!config.adminToken) throw new Error('ADMIN_TOKEN must be set for the API process');
const api = await startApi(config, log, config.adminToken);
log.info({ port: api.port }, 'API listening');
process.send?.({ type: 'ready', port: api.port });
const stop = async (signal: string): Promise<void> => {
  log.info({ signal }, 'API closing');
  await api.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

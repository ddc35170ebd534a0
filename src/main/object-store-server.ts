import path from 'node:path';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../lib/logger.js';
import { startEmbeddedS3 } from '../storage/embedded-s3.js';
import { onStopRequest } from './child-lifecycle.js';

/**
 * The embedded S3-compatible object store as a process of its own (so that its disk and CPU work never
 * stall the API's event loop). Data under DATA_DIR/objects.
 */
const config = loadConfig();
const log = createLogger(config.logLevel, 'fieldsense-objects');
const s3 = await startEmbeddedS3({ directory: path.resolve(config.dataDir, 'objects'), port: config.s3.embeddedPort, bucket: config.s3.bucket });
log.info({ endpoint: s3.endpoint }, 'embedded object store listening');
process.send?.({ type: 'ready', endpoint: s3.endpoint });
onStopRequest(log, async (reason) => {
  log.info({ reason }, 'embedded object store closing');
  // The launcher stops the object store last, once the API and the workers are done with it.
  const deadline = setTimeout(() => process.exit(1), config.shutdownDeadlineMs);
  deadline.unref();
  await s3.close();
  process.exit(0);
});

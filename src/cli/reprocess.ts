import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../lib/logger.js';
import { createDb } from '../repositories/db.js';
import { RecordingsRepository } from '../repositories/recordings.repository.js';
import { StudiesRepository } from '../repositories/studies.repository.js';
import { cliOptions } from './args.js';

/**
 * `npm run reprocess -- --study <slug> [--status ready,rejected,failed] [--dry-run]`: starts a new processing
 * run for every matching recording of a study (the same as POST /v1/recordings/:id/reprocess for each).
 * The running workers pick them up; outputs of the new pipeline version are kept apart from the old ones,
 * and human annotations are never touched.
 */
const opts = cliOptions('npm run reprocess -- --study <slug> [--status ready,rejected,failed] [--dry-run]', {
  study: { type: 'string' },
  status: { type: 'string', default: 'ready,rejected,failed' },
  'dry-run': { type: 'boolean', default: false },
});
if (!opts.study) {
  process.stderr.write('Name the study: npm run reprocess -- --study <slug>\n');
  process.exit(2);
}
const config = loadConfig();
const log = createLogger(config.logLevel, 'fieldsense-reprocess');
const db = createDb(config.databaseUrl, { poolMax: 2 });
try {
  const study = await new StudiesRepository(db).findBySlug(opts.study);
  if (!study) {
    process.stderr.write(`There is no study with the slug "${opts.study}".\n`);
    process.exit(1);
  }
  const statuses = (opts.status ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const recordings = new RecordingsRepository(db);
  // One id for the whole batch, as a request's: every worker log line of these runs names it.
  const requestId = `reprocess-${randomUUID()}`;
  let after: string | undefined;
  let started = 0;
  for (;;) {
    const page = await recordings.list({ studyId: study.id }, { limit: 200, ...(after ? { after } : {}) });
    if (page.length === 0) break;
    for (const r of page) {
      if (!statuses.includes(r.status)) continue;
      if (!opts['dry-run']) await recordings.startReprocess(r.id, requestId);
      started++;
    }
    after = page.at(-1)!.id;
  }
  process.stdout.write(`${opts['dry-run'] ? 'Would reprocess' : 'Reprocessing'} ${started} recording(s) of ${study.slug}; the workers pick them up (the API's outbox relay queues them).\n`);
  log.info({ study: study.slug, started, requestId }, 'reprocess requested');
} finally {
  await db.$disconnect();
}

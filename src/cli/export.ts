import { loadConfig } from '../config/config.js';
import { createDb } from '../repositories/db.js';
import { ExportRepository } from '../repositories/export.repository.js';
import { ExportDatasetService, type ExportParams, type ExportProgress } from '../services/export-dataset.service.js';
import { createObjectStore } from '../main/container.js';
import { isAppError } from '../lib/errors.js';
import { cliOptions } from './args.js';

/**
 * `npm run export -- --study <slug> --out <dir | s3://bucket/prefix> [--shape windows|events|recordings] [--context 1s] [--format parquet|csv|bids-motion] [--streams a,b] [--window 2s]
 *   [--hop 1s] [--rate 50] [--label-policy majority|any|center] [--min-overlap 0.5] [--background <class>]
 *   [--gaps drop|flag] [--split 70/15/15] [--seed 7] [--stratify none|device|label] [--splits-from manifest.json]
 *   [--annotations accepted|human|adjudicated] [--labels a,b] [--participants P01,P02] [--devices watch,Pixel 7]
 *   [--quality ok,warn] [--pipeline-version 1.0.0] [--from 2026-03-01T00:00:00Z] [--to …] [--annotators ann_…]
 *   [--incremental --since <earlier manifest.json>] [--shard-hours 24] [--audio embed|samples] [--audio-rate 16000]
 *   [--align-with phone [--align-streams a,b]]`
 * Writes the dataset folder (data/*.parquet, manifest.json, README.md) and prints its version. With the platform
 * running on its embedded object store (npm start), the store is found at EMBEDDED_S3_PORT as npm start uses it.
 */
const usage = 'npm run export -- --study <slug> --out <dir | s3://bucket/prefix> [--shape windows|events|recordings] [--context 1s] [--format parquet|csv|bids-motion] [--streams a,b] [--window 2s] [--hop 1s] [--rate 50] [--label-policy majority|any|center] [--min-overlap 0.5] [--background <class>] [--gaps drop|flag] [--split 70/15/15] [--seed 7] [--stratify none|device|label] [--splits-from manifest.json] [--annotations accepted|human|adjudicated] [--labels a,b] [--participants P01,P02] [--devices watch] [--quality ok,warn] [--pipeline-version 1.0.0] [--from <ISO time>] [--to <ISO time>] [--annotators <ids>] [--incremental --since <manifest.json>] [--shard-hours 24] [--audio embed|samples] [--audio-rate 16000] [--align-with phone [--align-streams a,b]]';
const o = cliOptions(usage, {
  study: { type: 'string' }, out: { type: 'string' }, shape: { type: 'string' }, format: { type: 'string', default: 'parquet' },
  streams: { type: 'string' }, window: { type: 'string', default: '2s' }, hop: { type: 'string', default: '1s' }, rate: { type: 'string', default: '50' },
  'label-policy': { type: 'string', default: 'majority' }, 'min-overlap': { type: 'string', default: '0.5' }, background: { type: 'string' },
  gaps: { type: 'string', default: 'drop' }, split: { type: 'string', default: '70/15/15' }, seed: { type: 'string', default: '7' },
  stratify: { type: 'string', default: 'none' }, 'splits-from': { type: 'string' }, annotations: { type: 'string', default: 'accepted' },
  labels: { type: 'string' },
  participants: { type: 'string' }, devices: { type: 'string' }, quality: { type: 'string' }, 'pipeline-version': { type: 'string' },
  from: { type: 'string' }, to: { type: 'string' }, annotators: { type: 'string' },
  incremental: { type: 'boolean', default: false }, since: { type: 'string' }, context: { type: 'string', default: '1s' },
  'shard-hours': { type: 'string', default: '24' }, audio: { type: 'string', default: 'embed' }, 'audio-rate': { type: 'string' },
  'align-with': { type: 'string' }, 'align-streams': { type: 'string' },
});
const list = (v: string | undefined): string[] | undefined => (v === undefined ? undefined : v.split(',').map((x) => x.trim()).filter(Boolean));

function fail(message: string): never {
  process.stderr.write(`${message}\nUsage: ${usage}\n`);
  process.exit(2);
}

/** "2s", "500ms", "1.5 s", "2m", or a bare number of seconds. */
function durationS(text: string, name: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min)?\s*$/.exec(text);
  if (!m) fail(`--${name} must be a duration such as 2s, 500ms or 1m, not "${text}".`);
  const v = Number(m[1]);
  return m[2] === 'ms' ? v / 1000 : m[2] === 'm' || m[2] === 'min' ? v * 60 : v;
}

function oneOf<T extends string>(v: string | undefined, allowed: readonly T[], name: string): T {
  if (v !== undefined && (allowed as readonly string[]).includes(v)) return v as T;
  return fail(`--${name} must be one of ${allowed.join(', ')}, not "${v}".`);
}

if (!o.study || !o.out) fail('--study and --out are required.');
if (o.incremental !== (o.since !== undefined)) fail('--incremental and --since <manifest> go together.');
const number = (v: string | undefined, name: string): number => {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n)) fail(`--${name} must be a number, not "${v}".`);
  return n;
};
const params: ExportParams = {
  study: o.study, out: o.out,
  // BIDS-Motion holds whole recordings: that is its shape unless another is asked for (and refused).
  shape: oneOf(o.shape ?? (o.format === 'bids-motion' ? 'recordings' : 'windows'), ['windows', 'events', 'recordings'] as const, 'shape'),
  contextS: durationS(o.context!, 'context'),
  streams: o.streams ? o.streams.split(',').map((s) => s.trim()).filter(Boolean) : null,
  windowS: durationS(o.window!, 'window'), hopS: durationS(o.hop!, 'hop'), rateHz: number(o.rate, 'rate'),
  labelPolicy: oneOf(o['label-policy'], ['majority', 'any', 'center'] as const, 'label-policy'),
  minOverlap: number(o['min-overlap'], 'min-overlap'),
  background: o.background ?? null,
  gaps: oneOf(o.gaps, ['drop', 'flag'] as const, 'gaps'),
  format: oneOf(o.format, ['parquet', 'csv', 'bids-motion'] as const, 'format'),
  split: o.split!, seed: number(o.seed, 'seed'),
  stratify: oneOf(o.stratify, ['none', 'device', 'label'] as const, 'stratify'),
  splitsFrom: o['splits-from'] ?? null,
  annotations: oneOf(o.annotations, ['accepted', 'human', 'adjudicated'] as const, 'annotations'),
  labels: o.labels ? o.labels.split(',').map((s) => s.trim()).filter(Boolean) : null,
  select: Object.fromEntries(Object.entries({
    participants: list(o.participants), devices: list(o.devices), quality: list(o.quality), pipelineVersions: list(o['pipeline-version']),
    from: o.from, to: o.to, annotators: list(o.annotators),
  }).filter(([, v]) => v !== undefined)),
  since: o.since ?? null,
  shardHours: number(o['shard-hours'], 'shard-hours'),
  audio: oneOf(o.audio, ['embed', 'samples'] as const, 'audio'),
  ...(o['audio-rate'] !== undefined ? { audioRateHz: number(o['audio-rate'], 'audio-rate') } : {}),
  alignWith: o['align-with'] ?? null,
  alignStreams: list(o['align-streams']) ?? null,
};
/**
 * On a terminal, one line redrawn in place: a bar, recorded hours done, rows written, rows per second and time left.
 * Otherwise (a log, CI) a plain line every few seconds and one per shard.
 */
function progressBar(): { update(p: ExportProgress): void; log(line: string): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let lastDraw = 0;
  let drawn = false;
  const text = (p: ExportProgress): string => {
    const fraction = p.seconds > 0 ? Math.min(1, p.secondsDone / p.seconds) : 0;
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? p.rows / elapsed : 0;
    const eta = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : NaN;
    const width = 24;
    const bar = tty ? `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ` : '';
    return `${bar}${(fraction * 100).toFixed(1)}% · ${(p.secondsDone / 3600).toFixed(1)}/${(p.seconds / 3600).toFixed(1)} h · shard ${Math.min(p.shardsDone + 1, p.shards)}/${p.shards} · ${p.rows} rows · ${Math.round(rate)} rows/s · ${Number.isFinite(eta) ? `${Math.round(eta)} s left` : 'time left unknown'}`;
  };
  return {
    update(p) {
      const now = Date.now();
      if (now - lastDraw < (tty ? 200 : 5000)) return;
      lastDraw = now;
      if (tty) {
        process.stderr.write(`\r\x1b[2K${text(p)}`);
        drawn = true;
      } else process.stderr.write(`${text(p)}\n`);
    },
    log(line) {
      process.stderr.write(`${drawn ? '\r\x1b[2K' : ''}${line}\n`);
      drawn = false;
      lastDraw = 0;
    },
    end() {
      if (drawn) process.stderr.write('\n');
      drawn = false;
    },
  };
}

const config = loadConfig();
// As npm start tells its processes: the lockfile pins an SDK release that supports Node 20 (no warning on stderr).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const db = createDb(config.databaseUrl, { poolMax: 2 });
const storeConfig = config.s3.endpoint ? config : { ...config, s3: { ...config.s3, endpoint: `http://127.0.0.1:${config.s3.embeddedPort}` } };
const store = createObjectStore(storeConfig);
const others: ReturnType<typeof createObjectStore>[] = [];
const storeFor = (bucket: string): ReturnType<typeof createObjectStore> => {
  if (bucket === store.bucket) return store;
  const s = createObjectStore({ ...storeConfig, s3: { ...storeConfig.s3, bucket } });
  others.push(s);
  return s;
};
try {
  const bar = progressBar();
  // Ctrl-C: what is finished stays in the destination's .partial place, and the same command resumes from it.
  process.once('SIGINT', () => {
    bar.end();
    process.stderr.write('\ninterrupted: the finished shards are kept; run the same command again to resume.\n');
    process.exit(130);
  });
  const r = await new ExportDatasetService(new ExportRepository(db), store, (line) => bar.log(line), storeFor).export(params, (p) => bar.update(p));
  bar.end();
  if (r.resumedShards > 0) process.stdout.write(`resumed: ${r.resumedShards} shard(s) were finished by an earlier run\n`);
  const splits = Object.entries(r.bySplit).sort().map(([s, n]) => `${s} ${n}`).join(', ');
  process.stdout.write(`${r.windows} ${params.shape === 'windows' ? 'windows' : params.shape === 'events' ? 'events' : 'recording rows'} from ${r.recordings} recording(s) (${splits}) written to ${r.out}\nversion ${r.version}\n`);
  for (const s of r.skipped) process.stdout.write(`skipped ${s.id}: ${s.reason}\n`);
} catch (e) {
  if (!isAppError(e)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
} finally {
  for (const s of others) s.destroy();
  store.destroy();
  await db.$disconnect();
}

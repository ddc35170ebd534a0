import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/config.js';
import { createDb } from '../repositories/db.js';
import { AnnotationsRepository } from '../repositories/annotations.repository.js';
import { StudiesRepository } from '../repositories/studies.repository.js';
import { EvaluateStudyService } from '../services/evaluate-study.service.js';
import { isAppError } from '../lib/errors.js';
import { parseLabelMap } from '../evaluation/class-agreement.js';
import { cliOptions } from './args.js';

/**
 * `npm run evaluate -- --study <slug> --prediction <auto|detector|human|import|annotator:id>
 *   --reference <human|import|annotator:id> [--tolerance 0.5] [--frame 0.01] [--labels a,b] [--map a=b,c=d]
 *   [--boundary-window 10] [--out dir]`
 * Prints a readable report and writes report.json, report.md and report.svg (the plot) to the out folder.
 * `--map walking=moving,running=moving` renames labels of both sides before scoring (still vs moving from
 * activity labels); `--labels` then names the mapped labels. The report has, besides the per-label scores,
 * the agreement per reference label (activity), the boundary errors in seconds and a row per recording.
 */
const usage = 'npm run evaluate -- --study <slug> --prediction <auto|detector|human|import|annotator:id> --reference <human|import|annotator:id> [--tolerance 0.5] [--frame 0.01] [--labels a,b] [--map a=b,c=d] [--boundary-window 10] [--out dir]';
const o = cliOptions(usage, {
  study: { type: 'string' }, prediction: { type: 'string' }, reference: { type: 'string' },
  tolerance: { type: 'string' }, frame: { type: 'string' }, labels: { type: 'string' }, out: { type: 'string' },
  map: { type: 'string' }, 'boundary-window': { type: 'string' },
});
if (!o.study || !o.prediction || !o.reference) {
  process.stderr.write(`Usage: ${usage}\n`);
  process.exit(2);
}
const number = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`--${name} must be a positive number of seconds.\n`);
    process.exit(2);
  }
  return n;
};
const config = loadConfig();
const db = createDb(config.databaseUrl, { poolMax: 2 });
try {
  const tolerance = number(o.tolerance, 'tolerance');
  const frame = number(o.frame, 'frame');
  const boundaryWindow = number(o['boundary-window'], 'boundary-window');
  const map = o.map !== undefined ? parseLabelMap(o.map) : undefined;
  const result = await new EvaluateStudyService(new StudiesRepository(db), new AnnotationsRepository(db)).evaluate(o.study, {
    prediction: o.prediction, reference: o.reference,
    ...(tolerance !== undefined ? { toleranceS: tolerance } : {}),
    ...(frame !== undefined ? { frameS: frame } : {}),
    ...(boundaryWindow !== undefined ? { boundaryWindowS: boundaryWindow } : {}),
    ...(map !== undefined ? { map } : {}),
    ...(o.labels ? { labels: o.labels.split(',').map((l) => l.trim()).filter(Boolean) } : {}),
  });
  const out = path.resolve(o.out ?? path.join(config.dataDir, 'evaluations', `${result.study.slug}-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'report.json'), `${JSON.stringify({ ...result, markdown: undefined, svg: undefined }, null, 2)}\n`);
  writeFileSync(path.join(out, 'report.md'), result.markdown);
  writeFileSync(path.join(out, 'report.svg'), result.svg);
  process.stdout.write(`${result.markdown}\n\n${result.recordings} recording(s), ${(result.durationS / 3600).toFixed(2)} h. Written to ${out}/report.{json,md,svg}\n`);
} catch (e) {
  if (!isAppError(e)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}

import { statSync } from 'node:fs';
import path from 'node:path';
import { log, type BenchContext } from './lib/context.js';
import { bundleChild, runMeasuredChild } from './lib/child-run.js';
import { writeSensorLoggerCsv } from './lib/generate.js';
import { mbPerS, median, type BenchResult } from './lib/report.js';
import { ROOT } from './lib/workspace.js';

/** 24 h at 100 Hz. */
const FULL_ROWS = 8_640_000;
const GOAL_RATIO = 0.8;
const GOAL_RSS_MIB = 150;
const REPEATS = 3;

interface Run { seconds: number; cpuSeconds: number; rows: number; peakMiB: number }

/**
 * Sensor Logger CSV, 24 h at 100 Hz (≈ 830 MB): FieldSense's Sensor Logger reader alone against DuckDB's
 * read_csv with threads=1 on the same file, and the generic delimited reader (the delimited engine's
 * RowParser) on it beside them, each in a child process of its own, alternating, median of three; peak RSS of
 * each child during the read. The generic line says whether Sensor Logger's fused row loop still earns its
 * place (see the comment on its RowParser).
 */
export async function csvReader(ctx: BenchContext): Promise<Omit<BenchResult, 'seconds'>> {
  const rows = Math.round(FULL_ROWS * ctx.scale);
  const file = ctx.ws.file('Accelerometer-24h.csv');
  const t = performance.now();
  await writeSensorLoggerCsv(file, rows);
  const bytes = statSync(file).size;
  log(`generated ${path.basename(file)}: ${rows.toLocaleString('en')} rows, ${(bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const cmd = await bundleChild(ctx, path.join(ROOT, 'bench/csv-reader.child.ts'), 'csv-reader.child', ['@duckdb/*']);
  const ours: Run[] = [];
  const generic: Run[] = [];
  const duck: Run[] = [];
  for (let i = 0; i < REPEATS; i++) {
    duck.push(await runMeasuredChild<Run>(cmd, ['duckdb', file]));
    ours.push(await runMeasuredChild<Run>(cmd, ['ours', file]));
    generic.push(await runMeasuredChild<Run>(cmd, ['generic', file]));
  }
  for (const r of [...ours, ...generic, ...duck]) if (r.rows !== rows) throw new Error(`a reader gave ${r.rows} rows, expected ${rows}`);
  const oursS = median(ours.map((r) => r.seconds));
  const genericS = median(generic.map((r) => r.seconds));
  const duckS = median(duck.map((r) => r.seconds));
  // CPU seconds beside the wall clock: on a shared, loaded machine they say more about the parsers.
  const cpu = (runs: Run[]): string => `${median(runs.map((r) => r.cpuSeconds)).toFixed(2)} CPU-s`;
  const oursPeak = Math.max(...ours.map((r) => r.peakMiB));
  const genericPeak = Math.max(...generic.map((r) => r.peakMiB));
  const duckPeak = Math.max(...duck.map((r) => r.peakMiB));
  log(`${cmd.how}: ours ${oursS.toFixed(2)} s, ${cpu(ours)} (${mbPerS(bytes, oursS).toFixed(0)} MB/s, ${oursPeak.toFixed(0)} MiB); generic delimited ${genericS.toFixed(2)} s, ${cpu(generic)} (${mbPerS(bytes, genericS).toFixed(0)} MB/s, ${genericPeak.toFixed(0)} MiB); DuckDB threads=1 ${duckS.toFixed(2)} s, ${cpu(duck)} (${mbPerS(bytes, duckS).toFixed(0)} MB/s, ${duckPeak.toFixed(0)} MiB)`);
  return {
    name: 'csv-reader',
    ok: true,
    metrics: [
      { name: 'Sensor Logger CSV reader throughput', value: mbPerS(bytes, oursS), unit: 'MB/s', anchor: { name: 'DuckDB read_csv, threads=1', value: mbPerS(bytes, duckS), unit: 'MB/s' } },
      { name: 'reader throughput / DuckDB threads=1', value: duckS / oursS, unit: '×', goal: { op: '>=', value: GOAL_RATIO, unit: '×' } },
      { name: 'generic delimited reader throughput (same file)', value: mbPerS(bytes, genericS), unit: 'MB/s', anchor: { name: 'Sensor Logger CSV reader', value: mbPerS(bytes, oursS), unit: 'MB/s' } },
      { name: 'generic delimited / Sensor Logger reader', value: oursS / genericS, unit: '×', note: `generic / DuckDB ${(duckS / genericS).toFixed(2)} ×; CPU ours ${cpu(ours)}, generic ${cpu(generic)}; generic peak RSS ${genericPeak.toFixed(0)} MiB` },
      { name: `reader peak RSS (child: ${cmd.how})`, value: oursPeak, unit: 'MiB', anchor: { name: 'DuckDB child', value: duckPeak, unit: 'MiB' }, goal: { op: '<=', value: GOAL_RSS_MIB, unit: 'MiB' } },
    ],
    details: { rows, bytes, child: cmd.how, ours, generic, duck },
  };
}

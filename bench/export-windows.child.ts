import { readFileSync } from 'node:fs';
import { loadConfig } from '../src/config/config.js';
import { fileByteSink } from '../src/columnar/dataset-parquet-writer.js';
import { writePlainFloatColumns } from '../src/columnar/dataset-plain-floats.js';
import { createDb, disconnectDb } from '../src/repositories/db.js';
import { ExportRepository } from '../src/repositories/export.repository.js';
import { ExportDatasetService, type ExportParams } from '../src/services/export-dataset.service.js';
import { ObjectStore } from '../src/storage/object-store.js';

/**
 * One measured pass of export-windows.bench.ts in a process of its own (forked by the benchmark, which samples
 * its RSS), reading its job from a JSON file:
 * - `export`: the in-process dataset export (`ExportDatasetService.export`) against the benchmark's FieldSense
 *   (its database schema and object store, from the stack's environment) into a fresh folder; answers with the
 *   windows written and the manifest's per-recording window counts;
 * - `anchor`: the same number of float32 values written as plain Parquet FLOAT columns (no windowing).
 * Waits for the parent's "go" so that the peak RSS excludes start-up, and answers with the figures over IPC.
 */

interface ExportJob { env: Record<string, string>; params: ExportParams }
interface AnchorJob { file: string; columns: number; rows: number; rowGroupRows: number; pool: number }

const MIB = 1024 * 1024;
const [mode, jobFile] = process.argv.slice(2);
if ((mode !== 'export' && mode !== 'anchor') || jobFile === undefined) throw new Error('usage: export-windows.child <export|anchor> <job.json>');
const job: unknown = JSON.parse(readFileSync(jobFile, 'utf8'));
const send = (msg: unknown): void => {
  process.send?.(msg);
};

/** Everything made before "go" (connections, the query compiler, the anchor's values), and the measured pass. */
async function prepare(): Promise<{ run: () => Promise<Record<string, unknown>>; close: () => Promise<void> }> {
  if (mode === 'export') {
    const { env, params } = job as ExportJob;
    const config = loadConfig({ ...process.env, ...env });
    const db = createDb(config.databaseUrl, { poolMax: 2 });
    // As createObjectStore does (src/main/container.ts), without loading the API's and workers' modules.
    const store = new ObjectStore({ ...config.s3, partBytes: config.upload.partBytes });
    const repo = new ExportRepository(db);
    // The first query starts the pool and Prisma's query compiler: start-up, not the export's work.
    if (!(await repo.studyBySlug(params.study))) throw new Error(`no study ${params.study}`);
    return {
      run: async () => {
        const r = await new ExportDatasetService(repo, store).export(params);
        const manifest = JSON.parse(readFileSync(`${r.out}/manifest.json`, 'utf8')) as { counts: { windows: number }; recordings: { id: string; windows: number }[] };
        return {
          windows: r.windows, recordings: r.recordings, bySplit: r.bySplit, version: r.version, manifestWindows: manifest.counts.windows,
          perRecording: manifest.recordings.map((x) => x.windows),
        };
      },
      close: async () => {
        store.destroy();
        await disconnectDb(db);
      },
    };
  }
  const { file, columns, rows, rowGroupRows, pool } = job as AnchorJob;
  // The values: a motion-like signal per column, made once and copied out (as the export copies samples).
  const source = Array.from({ length: columns }, (_, c) => {
    const v = new Float32Array(pool);
    for (let i = 0; i < pool; i++) v[i] = (c < 3 ? 9.81 * (c === 2 ? 1 : 0.05) : 0.2) * Math.sin(i * (0.0377 + 0.011 * c) + c) + 0.01 * Math.sin(i * 1.7);
    return v;
  });
  const fill = (col: number, out: Float32Array, fromRow: number): void => {
    const src = source[col]!;
    let at = 0;
    while (at < out.length) {
      const from = (fromRow + at) % pool;
      const n = Math.min(out.length - at, pool - from);
      out.set(src.subarray(from, from + n), at);
      at += n;
    }
  };
  return {
    run: async () => {
      // Closed inside the measured pass: the file is written once its handle is closed.
      const sink = fileByteSink(file);
      try {
        const { bytes } = await writePlainFloatColumns(sink, columns, rows, fill, rowGroupRows);
        return { values: columns * rows, bytes };
      } finally {
        await sink.close();
      }
    },
    close: () => Promise.resolve(),
  };
}

async function main(): Promise<void> {
  const pass = await prepare();
  try {
    const go = new Promise<void>((resolve) => process.once('message', () => resolve()));
    send({ type: 'ready' });
    await go;
    const t = performance.now();
    const cpu = process.cpuUsage();
    // Where a peak lies (JS heap or buffers), sampled every 250 ms beside the parent's VmHWM.
    const memory = { heapTotalMiB: 0, heapUsedMiB: 0, arrayBuffersMiB: 0, externalMiB: 0 };
    const sample = (): void => {
      const m = process.memoryUsage();
      memory.heapTotalMiB = Math.max(memory.heapTotalMiB, m.heapTotal / MIB);
      memory.heapUsedMiB = Math.max(memory.heapUsedMiB, m.heapUsed / MIB);
      memory.arrayBuffersMiB = Math.max(memory.arrayBuffersMiB, m.arrayBuffers / MIB);
      memory.externalMiB = Math.max(memory.externalMiB, m.external / MIB);
    };
    const timer = setInterval(sample, 250);
    const figures = await pass.run().finally(() => clearInterval(timer));
    const used = process.cpuUsage(cpu);
    sample();
    send({ type: 'done', seconds: (performance.now() - t) / 1000, cpuSeconds: (used.user + used.system) / 1e6, memory, ...figures });
  } finally {
    await pass.close();
  }
}

main().then(
  () => process.disconnect(),
  (err: unknown) => {
    send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.disconnect();
  },
);

import { createReadStream, statSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { genericDelimitedReader } from '../src/formats/delimited/generic-delimited.reader.js';
import { sensorLoggerCsvReader } from '../src/formats/sensor-logger/sensor-logger-csv.reader.js';
import type { ReaderContext } from '../src/formats/types.js';

/**
 * One measured read of a Sensor Logger CSV in a process of its own (forked by csv-reader.bench.ts, which
 * samples its RSS): `ours` runs FieldSense's Sensor Logger CSV reader over a file stream; `generic` runs the
 * generic delimited reader (the delimited engine's RowParser, following the Plan it makes for this layout)
 * over the same stream; `duckdb` runs DuckDB's read_csv with one thread over the same file, summing every
 * column so that every value is parsed (DuckDB skips columns a query does not use).
 */
const [mode, file] = process.argv.slice(2);
if ((mode !== 'ours' && mode !== 'generic' && mode !== 'duckdb') || file === undefined) throw new Error('usage: csv-reader.child <ours|generic|duckdb> <file>');

const ctx: ReaderContext = {
  filename: 'Accelerometer.csv',
  size: statSync(file).size,
  readAt: () => Promise.reject(new Error('sequential only')),
  detect: () => {
    throw new Error('no member files');
  },
};

async function run(): Promise<{ rows: number; check: number }> {
  if (mode === 'ours' || mode === 'generic') {
    const reader = mode === 'ours' ? sensorLoggerCsvReader : genericDelimitedReader;
    let rows = 0;
    let check = 0;
    for await (const ev of reader.read(createReadStream(file!, { highWaterMark: 64 * 1024 }), ctx)) {
      if (ev.type !== 'chunk') continue;
      rows += ev.chunk.length;
      check += ev.chunk.values[0]![0]!;
    }
    return { rows, check };
  }
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  const reader = await conn.runAndReadAll(`SELECT count(*)::DOUBLE AS n, sum(x)::DOUBLE AS s, (sum(y) + sum(z) + sum(seconds_elapsed) + sum("time"::DOUBLE))::DOUBLE AS t FROM read_csv('${file!.replaceAll("'", "''")}', header = true)`);
  const [n, s] = reader.getRows()[0] as [number, number, number];
  conn.closeSync();
  db.closeSync();
  return { rows: n, check: s };
}

process.once('message', () => {
  const t = performance.now();
  const cpu = process.cpuUsage();
  run().then(
    (r) => {
      const used = process.cpuUsage(cpu);
      process.send?.({ type: 'done', seconds: (performance.now() - t) / 1000, cpuSeconds: (used.user + used.system) / 1e6, ...r });
      process.disconnect();
    },
    (err: unknown) => {
      process.send?.({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.disconnect();
    },
  );
});
process.send?.({ type: 'ready' });

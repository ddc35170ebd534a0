import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { detectFormat } from '../src/formats/registry.js';
import { log, type BenchContext } from './lib/context.js';
import { writeSensorLoggerCsv } from './lib/generate.js';
import { call, expectCall, seedStudy, uploadFile } from './lib/http.js';
import { memoryOf, PeakRss } from './lib/proc-mem.js';
import { mbPerS, type BenchResult } from './lib/report.js';

const FULL_ROWS = 24 * 3600 * 100;
const GOAL_S = 30;
const GOAL_RSS_MIB = 300;
const POLL_MS = 250;
const FILENAME = 'Accelerometer.csv';

/**
 * Sensor Logger CSV, 24 h at 100 Hz (8.64 M rows, ≈ 800 MB): the time from the upload's 201 to the
 * recording's `ready` (polling GET /v1/recordings/:id every 250 ms) and the worker process's peak RSS.
 * Anchors in the same run: a plain GetObject of the same file from the same S3 server, drained; the format
 * reader alone over a file stream; and GetObject piped into the reader (the worker's input path without
 * analysis, Parquet encoding or the upload of the Parquet object).
 */
export async function sensorLogger24h(ctx: BenchContext): Promise<Omit<BenchResult, 'seconds'>> {
  const { ws, stack, scale } = ctx;
  const rows = Math.round(FULL_ROWS * scale);
  const goalS = GOAL_S * scale;
  const file = ws.file(FILENAME);
  let t = performance.now();
  const { bytes } = await writeSensorLoggerCsv(file, rows);
  log(`generated ${FILENAME}: ${rows.toLocaleString('en')} rows, ${(bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // Anchor 1: the S3 server's plain read of the same bytes.
  const key = 'bench/anchor-sensor-logger.csv';
  t = performance.now();
  await stack.store.putStream(key, createReadStream(file));
  const putS = (performance.now() - t) / 1000;
  t = performance.now();
  const { body } = await stack.store.getStream(key);
  let got = 0;
  for await (const c of body) got += (c as Buffer).length;
  const getS = (performance.now() - t) / 1000;
  if (got !== bytes) throw new Error(`GetObject gave ${got} bytes, expected ${bytes}`);
  log(`anchor: PutObject ${putS.toFixed(2)} s; GetObject drained ${getS.toFixed(2)} s (${mbPerS(bytes, getS).toFixed(0)} MB/s)`);

  // Anchor 2: the reader alone, over a file stream; anchor 3: GetObject → reader.
  const readerFile = await timeReader(createReadStream(file, { highWaterMark: 64 * 1024 }), await head(file));
  log(`anchor: reader alone over a file stream ${readerFile.seconds.toFixed(2)} s (${mbPerS(bytes, readerFile.seconds).toFixed(0)} MB/s), ${readerFile.samples.toLocaleString('en')} samples`);
  const s3Body = (await stack.store.getStream(key)).body;
  const readerS3 = await timeReader(s3Body, await head(file));
  log(`anchor: GetObject → reader ${readerS3.seconds.toFixed(2)} s (${mbPerS(bytes, readerS3.seconds).toFixed(0)} MB/s)`);
  await stack.store.delete(key);
  for (const r of [readerFile, readerS3]) {
    if (r.samples !== rows) throw new Error(`the reader gave ${r.samples} samples, expected ${rows}`);
  }

  // The app: upload, then wait for `ready`.
  const workers = await stack.startWorkers(ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`] : []);
  const { participants } = await seedStudy(stack.baseUrl, stack.adminToken, 1);
  const participant = participants[0]!;
  // Recordings left by other benchmarks (the upload benchmark's random bytes end `rejected`) must be done
  // before the measurement starts, or their jobs would share the worker with this one.
  await waitForIdleQueues(stack.baseUrl, stack.adminToken);
  await sleep(1000);
  const workerIdle = memoryOf(workers.pid);
  const workerPeak = new PeakRss(workers.pid);
  const s3Peak = new PeakRss(stack.s3.pid);
  const up = await uploadFile(stack.baseUrl, participant.token, file, FILENAME);
  const t201 = performance.now();
  if (up.status !== 201) throw new Error(`POST /v1/uploads: expected 201, got ${up.status} ${JSON.stringify(up.json)}`);
  log(`upload ${up.seconds.toFixed(2)} s (${mbPerS(bytes, up.seconds).toFixed(0)} MB/s) → 201; recording ${up.json.recording.id}`);

  const timeoutS = Math.max(120, 20 * goalS);
  const seen: { state: string; atS: number }[] = [];
  let rec: any = null;
  for (let k = 1; ; k++) {
    const r = await call(stack.baseUrl, participant.token, 'GET', `/v1/recordings/${up.json.recording.id}`);
    const atS = (performance.now() - t201) / 1000;
    if (r.status !== 200) throw new Error(`GET /v1/recordings/:id: ${r.status} ${JSON.stringify(r.json)}`);
    rec = r.json;
    const state = rec.stage && ['queued', 'processing'].includes(rec.status) ? `${rec.status}:${rec.stage}` : rec.status;
    if (seen.at(-1)?.state !== state) seen.push({ state, atS });
    if (!['queued', 'processing'].includes(rec.status)) break;
    if (atS > timeoutS) throw new Error(`the recording is still ${state} ${timeoutS.toFixed(0)} s after its 201:\n${stack.logTails()}`);
    await sleep(Math.max(0, t201 + k * POLL_MS - performance.now()));
  }
  const readyS = seen.at(-1)!.atS;
  const peak = workerPeak.stop();
  const s3 = s3Peak.stop();
  log(`states after 201: ${seen.map((s) => `${s.state} @${s.atS.toFixed(2)} s`).join(', ')}`);
  log(`worker peak RSS ${peak.peakMiB.toFixed(0)} MiB (idle ${workerIdle.rssMiB.toFixed(0)} MiB, sampled max ${peak.sampledMaxMiB.toFixed(0)} MiB)`);

  const samples = rec.streams?.[0]?.samples;
  if (rec.status !== 'ready' || rec.streams?.length !== 1 || samples !== rows) {
    throw new Error(
      `expected the recording ready with one stream of ${rows} samples; got status ${rec.status}, ` +
        `${rec.streams?.length ?? 0} stream(s), samples ${samples}, error ${JSON.stringify(rec.error ?? null)}\n${stack.logTails()}`,
    );
  }

  return {
    name: 'sensor-logger-24h',
    ok: true,
    metrics: [
      { name: '201 → ready', value: readyS, unit: 's', anchor: { name: 'GetObject drained', value: getS, unit: 's' }, goal: { op: '<=', value: goalS, unit: 's' } },
      { name: 'processing rate (file bytes / 201 → ready)', value: mbPerS(bytes, readyS), unit: 'MB/s', anchor: { name: 'GetObject drained', value: mbPerS(bytes, getS), unit: 'MB/s' } },
      { name: 'reader alone, file stream', value: readerFile.seconds, unit: 's', note: `${mbPerS(bytes, readerFile.seconds).toFixed(0)} MB/s; anchor, not a goal` },
      { name: 'GetObject → reader', value: readerS3.seconds, unit: 's', note: `${mbPerS(bytes, readerS3.seconds).toFixed(0)} MB/s; anchor, not a goal` },
      {
        name: `worker peak RSS (VmHWM${peak.exact ? ', reset before upload' : ' unavailable: sampled'})`,
        value: peak.peakMiB,
        unit: 'MiB',
        anchor: { name: 'idle worker', value: workerIdle.rssMiB, unit: 'MiB' },
        goal: { op: '<=', value: GOAL_RSS_MIB, unit: 'MiB' },
      },
      { name: 'upload (POST /v1/uploads)', value: up.seconds, unit: 's', note: `${mbPerS(bytes, up.seconds).toFixed(0)} MB/s; not part of 201 → ready` },
    ],
    details: {
      rows,
      bytes,
      goalSeconds: goalS,
      stateTimeline: seen,
      anchorPutObjectS: putS,
      anchorGetObjectS: getS,
      readerFileS: readerFile.seconds,
      readerS3S: readerS3.seconds,
      uploadS: up.seconds,
      workerIdleRssMiB: workerIdle.rssMiB,
      workerPeakRssMiB: peak.peakMiB,
      workerSampledMaxRssMiB: peak.sampledMaxMiB,
      objectStorePeakRssMiB: s3.peakMiB,
      recording: { status: rec.status, format: rec.format, durationS: rec.durationS, streams: rec.streams, quality: rec.quality?.status, warnings: rec.warnings },
    },
  };
}

/** The first 64 KiB of a file (what the worker sniffs the format from). */
async function head(file: string): Promise<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Runs the sniffed reader over a byte stream, counting samples: parsing alone, no analysis or Parquet. */
async function timeReader(source: AsyncIterable<Uint8Array>, first: Uint8Array): Promise<{ seconds: number; samples: number }> {
  const t = performance.now();
  const reader = detectFormat({ head: first, filename: FILENAME });
  let samples = 0;
  for await (const ev of reader.read(source, { filename: FILENAME, size: 0, readAt: () => Promise.reject(new Error('sequential only')), detect: detectFormat })) {
    if (ev.type === 'chunk') samples += ev.chunk.length;
  }
  return { seconds: (performance.now() - t) / 1000, samples };
}

/** Waits until no recording of this stack is queued or processing (at most 5 minutes). */
async function waitForIdleQueues(baseUrl: string, adminToken: string): Promise<void> {
  const deadline = performance.now() + 300_000;
  for (;;) {
    let busy = 0;
    for (const status of ['queued', 'processing']) {
      const page = await expectCall(baseUrl, adminToken, 'GET', `/v1/recordings?status=${status}&limit=500`, undefined, 200);
      busy += page.items.length;
    }
    if (busy === 0) return;
    if (performance.now() > deadline) throw new Error(`${busy} recording(s) still queued or processing after 5 minutes`);
    await sleep(250);
  }
}

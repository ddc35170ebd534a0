import { createReadStream, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { log, type BenchContext } from './lib/context.js';
import { writeRandomFile } from './lib/generate.js';
import { seedStudy, uploadFile } from './lib/http.js';
import { idleTsxBaselineMiB, memoryOf, PeakRss } from './lib/proc-mem.js';
import { mbPerS, median, type BenchResult } from './lib/report.js';

const GIB = 1024 ** 3;
const REPETITIONS = 2;
const WARM_UP_BYTES = 16 * 1024 * 1024;

/**
 * Upload throughput: the same file (1 GiB of random bytes at BENCH_SCALE=1) stored in the embedded S3 server
 * (a) directly, by a streamed multipart PutObject with the app's own S3 client configuration (the anchor:
 * what the storage can take), and (b) through `POST /v1/uploads` as a participant, multipart, streamed
 * from disk. Alternating, REPETITIONS times each; each API upload by a participant of its own so the
 * duplicate check never short-circuits. The API's peak RSS is its kernel-tracked VmHWM, reset just before
 * each upload.
 */
export async function uploadThroughput(ctx: BenchContext): Promise<Omit<BenchResult, 'seconds'>> {
  const { ws, stack, scale } = ctx;
  const size = Math.round(GIB * scale);
  const file = ws.file('upload.bin');
  const t0 = performance.now();
  const generated = await writeRandomFile(file, size);
  log(`generated ${(size / GIB).toFixed(2)} GiB of random bytes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const { participants } = await seedStudy(stack.baseUrl, stack.adminToken, REPETITIONS + 1);
  const [warmUpParticipant, ...uploaders] = participants;

  // Baselines: an idle `node --import tsx`, and the API once started and having answered a few requests.
  const tsxIdleMiB = await idleTsxBaselineMiB();
  await sleep(500);
  const apiIdle = memoryOf(stack.api.pid);
  log(`idle RSS: node --import tsx ${tsxIdleMiB.toFixed(0)} MiB; API ${apiIdle.rssMiB.toFixed(0)} MiB (VmHWM since start ${apiIdle.hwmMiB.toFixed(0)} MiB)`);

  // Warm-up (not measured): open the S3 client's connections and run both paths once.
  const warm = ws.file('warm-up.bin');
  await writeRandomFile(warm, WARM_UP_BYTES);
  await stack.store.putStream('bench/warm-up', createReadStream(warm));
  await stack.store.delete('bench/warm-up');
  const w = await uploadFile(stack.baseUrl, warmUpParticipant!.token, warm, 'warm-up.bin');
  if (w.status !== 201) throw new Error(`warm-up upload: ${w.status} ${JSON.stringify(w.json)}`);
  rmSync(warm);

  const anchor: number[] = [];
  const api: number[] = [];
  const apiPeakMiB: number[] = [];
  const apiSampledMaxMiB: number[] = [];
  const s3PeakMiB: number[] = [];
  let exactPeak = true;
  for (let rep = 0; rep < REPETITIONS; rep++) {
    // (a) anchor: streamed PutObject of the file, straight to the same S3 server.
    const key = `bench/anchor-upload-${rep}`;
    const ta = performance.now();
    await stack.store.putStream(key, createReadStream(file));
    const anchorS = (performance.now() - ta) / 1000;
    const stored = await stack.store.size(key);
    if (stored !== size) throw new Error(`anchor PutObject stored ${stored} bytes, expected ${size}`);
    await stack.store.delete(key);
    anchor.push(mbPerS(size, anchorS));
    log(`#${rep + 1} direct PutObject     ${anchorS.toFixed(2)} s  ${anchor.at(-1)!.toFixed(1)} MB/s`);

    // (b) the same bytes through the API, as a participant.
    const apiPeak = new PeakRss(stack.api.pid);
    const s3Peak = new PeakRss(stack.s3.pid);
    const up = await uploadFile(stack.baseUrl, uploaders[rep]!.token, file, 'upload.bin');
    const peak = apiPeak.stop();
    const s3 = s3Peak.stop();
    if (up.status !== 201) throw new Error(`POST /v1/uploads: expected 201, got ${up.status} ${JSON.stringify(up.json)}`);
    if (up.json.upload.bytes !== size || up.json.upload.sha256 !== generated.sha256) {
      throw new Error(`the API stored ${up.json.upload.bytes} bytes with SHA-256 ${up.json.upload.sha256}; sent ${size} bytes, ${generated.sha256}`);
    }
    api.push(mbPerS(size, up.seconds));
    apiPeakMiB.push(peak.peakMiB);
    apiSampledMaxMiB.push(peak.sampledMaxMiB);
    s3PeakMiB.push(s3.peakMiB);
    exactPeak &&= peak.exact;
    log(`#${rep + 1} POST /v1/uploads     ${up.seconds.toFixed(2)} s  ${api.at(-1)!.toFixed(1)} MB/s  API peak RSS ${peak.peakMiB.toFixed(0)} MiB (sampled max ${peak.sampledMaxMiB.toFixed(0)})`);
  }
  rmSync(file);

  const bestAnchor = Math.max(...anchor);
  const bestApi = Math.max(...api);
  const peakMiB = Math.max(...apiPeakMiB);
  return {
    name: 'upload-throughput',
    ok: true,
    metrics: [
      { name: 'POST /v1/uploads, best', value: bestApi, unit: 'MB/s', anchor: { name: 'direct PutObject, best', value: bestAnchor, unit: 'MB/s' } },
      { name: 'POST /v1/uploads, median', value: median(api), unit: 'MB/s', anchor: { name: 'direct PutObject, median', value: median(anchor), unit: 'MB/s' } },
      { name: 'ratio API / anchor, best', value: bestApi / bestAnchor, unit: '', goal: { op: '>=', value: 0.8, unit: '' } },
      { name: 'ratio API / anchor, median', value: median(api) / median(anchor), unit: '', goal: { op: '>=', value: 0.8, unit: '' } },
      {
        name: `API peak RSS during upload (VmHWM${exactPeak ? ', reset before' : ' unavailable: sampled'})`,
        value: peakMiB,
        unit: 'MiB',
        anchor: { name: 'idle API', value: apiIdle.rssMiB, unit: 'MiB' },
        goal: { op: '<=', value: 200, unit: 'MiB' },
      },
      { name: 'API idle RSS', value: apiIdle.rssMiB, unit: 'MiB', note: `idle node --import tsx: ${tsxIdleMiB.toFixed(0)} MiB` },
      { name: 'upload working set (peak − idle)', value: peakMiB - apiIdle.rssMiB, unit: 'MiB', note: `${(stack.config.upload.partBytes / 1024 ** 2).toFixed(0)} MiB parts, 2 in flight` },
    ],
    details: {
      bytes: size,
      repetitions: REPETITIONS,
      order: 'anchor, API, anchor, API',
      anchorMBps: anchor,
      apiMBps: api,
      apiPeakRssMiB: apiPeakMiB,
      apiSampledMaxRssMiB: apiSampledMaxMiB,
      objectStorePeakRssMiB: s3PeakMiB,
      apiIdleRssMiB: apiIdle.rssMiB,
      apiHwmSinceStartMiB: apiIdle.hwmMiB,
      idleTsxRssMiB: tsxIdleMiB,
      multipartPartBytes: stack.config.upload.partBytes,
    },
  };
}

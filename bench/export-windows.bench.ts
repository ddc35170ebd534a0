import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BLOCK_BYTES, HEADER_BYTES } from '../src/formats/axivity/axivity-cwa-format.js';
import { ax3Blocks, synthHeader, writeBlock } from '../src/formats/axivity/axivity-cwa-synth.test-support.js';
import { CHILD_NODE_ARGS } from '../src/main/child-process-args.js';
import type { ExportParams } from '../src/services/export-dataset.service.js';
import { log, type BenchContext } from './lib/context.js';
import { bundleChild, runMeasuredChild, type ChildCommand } from './lib/child-run.js';
import { expectCall, seedStudy, uploadFile } from './lib/http.js';
import { memoryOf, PeakRss } from './lib/proc-mem.js';
import { median, type BenchResult } from './lib/report.js';
import type { Child, Stack } from './lib/stack.js';
import { ROOT } from './lib/workspace.js';

const FULL_RECORDINGS = 100;
/** The small export that the full one's peak RSS is compared with (flat in the number of recordings). */
const FIRST = 10;
const HOUR_S = 3600;
const RATE_HZ = 100;
/** AX6 blocks: 40 samples of gyroscope + accelerometer (6 × int16) each, 0.4 s at 100 Hz. */
const PER_BLOCK = 40;
const BLOCKS = (HOUR_S * RATE_HZ) / PER_BLOCK;
/** 2 s windows on a 1 s hop over 3,600 s: starts 0 … 3,598. */
const WINDOWS_PER_RECORDING = 3599;
const STREAMS = ['accelerometer', 'gyroscope'];
/** 6 channels × 2 s at 50 Hz. */
const VALUES_PER_WINDOW = 6 * 100;
/** The dataset file's row group (4,096 windows) in values of one channel: the anchor's row groups hold as many. */
const ANCHOR_ROW_GROUP_ROWS = 4096 * 100;
const GOAL_WINDOWS_S = 100_000;
const GOAL_VALUE_RATIO = 0.5;
const GOAL_RSS_MIB = 500;
/** "Flat": the full export's peak at most 10 % above the 10-recording export's. */
const GOAL_FLAT = 1.1;
const GOAL_SPEEDUP = 1.8;
const REPEATS = 2;
/** 2024-03-01 09:00:00 on the devices' wall clocks. */
const START = 1_709_283_600;
const G_RAW = 4096; // accelerometer scale code 4: 1/4096 g
const DPS_RAW = 32768 / 2000; // gyroscope scale code 2: ±2000 °/s
const LIGHT_SCALE = (4 << 13) | (2 << 10) | 120;

/**
 * One hour of AX6 (gyroscope + accelerometer at 100 Hz) as a .cwa with valid checksums, different for each
 * participant `p` (start day and time, device, phases): a wrist at rest with a slow sway, 10 minutes of walking
 * in every 30 (1.9 Hz steps, 0.95 Hz arm swing) at a time of its own, and a little noise.
 */
function cwaHour(p: number): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + BLOCKS * BLOCK_BYTES);
  out.set(synthHeader({ hardwareType: 0x64, sensorConfig: 0x02, deviceId: 40_000 + p, sessionId: 1000 + p, annotation: `_p=left+wrist&_sc=bench-${p}` }), 0);
  const start = START + p * 86_400 + p * 617;
  const phase = p * 0.7;
  const walkOffset = (p * 397) % 1800;
  const raw = new Int16Array(PER_BLOCK * 6);
  let seed = 0x9e3779b9 ^ p;
  const noise = (): number => {
    seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
    return seed / 4_294_967_296 - 0.5;
  };
  const blocks = ax3Blocks(BLOCKS, start, 0, { numAxesBps: 0x62, lightScale: LIGHT_SCALE, sessionId: 1000 + p, raw: (k, a) => raw[k * 6 + a]! }, PER_BLOCK / RATE_HZ);
  blocks.forEach((spec, b) => {
    for (let k = 0; k < PER_BLOCK; k++) {
      const t = (b * PER_BLOCK + k) / RATE_HZ;
      const walking = (t + walkOffset) % 1800 < 600 ? 1 : 0;
      const step = Math.sin(2 * Math.PI * 1.9 * t + phase);
      const swing = Math.sin(2 * Math.PI * 0.95 * t + phase);
      const gx = 2 * Math.sin(t / 7 + phase) + walking * 60 * swing + noise();
      const gy = 1.5 * Math.cos(t / 11 + phase) + walking * 30 * step + noise();
      const gz = walking * 20 * swing * step + noise();
      const ax = 0.05 * Math.sin(t / 7 + phase) + walking * 0.2 * swing + 0.01 * noise();
      const ay = 0.05 * Math.cos(t / 11 + phase) + walking * 0.1 * step + 0.01 * noise();
      const az = 1 + walking * 0.3 * step + 0.01 * noise();
      const o = k * 6;
      raw[o] = Math.round(gx * DPS_RAW);
      raw[o + 1] = Math.round(gy * DPS_RAW);
      raw[o + 2] = Math.round(gz * DPS_RAW);
      raw[o + 3] = Math.round(ax * G_RAW);
      raw[o + 4] = Math.round(ay * G_RAW);
      raw[o + 5] = Math.round(az * G_RAW);
    }
    writeBlock(out, HEADER_BYTES + b * BLOCK_BYTES, spec);
  });
  return out;
}

interface ExportRun {
  seconds: number;
  cpuSeconds: number;
  windows: number;
  recordings: number;
  bySplit: Record<string, number>;
  version: string;
  manifestWindows: number;
  perRecording: number[];
  /** The child's own maxima of process.memoryUsage(), sampled every 250 ms. */
  memory: { heapTotalMiB: number; heapUsedMiB: number; arrayBuffersMiB: number; externalMiB: number };
  peakMiB: number;
  exact: boolean;
}
interface AnchorRun { seconds: number; cpuSeconds: number; values: number; bytes: number; peakMiB: number; exact: boolean }
interface JobRun {
  workers: number;
  id: string;
  shards: number;
  seconds: number;
  serverSeconds: number | null;
  windows: number;
  version: string | null;
  workerCpuS: number[];
  workerPeakMiB: number[];
  objectStoreCpuS: number;
  apiCpuS: number;
  /** CPU-s every process of the machine used meanwhile (/proc/stat): ours, PostgreSQL's, and other people's. */
  machineCpuS: number;
  loadAverage: number;
}

/**
 * The dataset export over 100 recordings × 1 h of 100 Hz 6-axis IMU (AX6 .cwa uploaded through the API and
 * processed to `ready`), as 2 s / 1 s windows at 50 Hz: 359,900 windows of 6 × 100 float32.
 * - one worker: the in-process export (`ExportDatasetService.export`) in a child process, for the first 10
 *   recordings and for all of them (windows/s, peak RSS of each: flat in the number of recordings?);
 * - anchor, same run: the same number of float32 values written as plain Parquet FLOAT columns
 *   (`writePlainFloatColumns`, one column per channel, no windowing) in the same kind of child;
 * - jobs: `POST /v1/exports` (≥ 8 shards) → `finished`, with the stack's worker process alone and then with a
 *   second one beside it (the speed-up).
 * Fails unless every recording has `accelerometer` and `gyroscope` at 100 Hz and every export writes 3,599
 * windows per recording.
 */
export async function exportWindows(ctx: BenchContext): Promise<Omit<BenchResult, 'seconds'>> {
  const { ws, stack } = ctx;
  const n = Math.max(1, Math.round(FULL_RECORDINGS * ctx.scale));
  const first = Math.min(FIRST, n);
  const expectedWindows = n * WINDOWS_PER_RECORDING;
  const shardHours = Math.max(1, Math.floor(n / 25));
  const profile = ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`] : [];

  // The child is bundled first, close to the stack's worker bundle: both then hold the same sources when other
  // edits land during the run. Packages stay outside, as in the worker's bundle (src/main/process-bundle.ts).
  const packages = Object.keys((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
  const cmd = await bundleChild(ctx, path.join(ROOT, 'bench/export-windows.child.ts'), 'export-windows.child', packages);
  // With the worker's node options (a small young generation), as the worker runs an export's shards.
  const measured: ChildCommand = { ...cmd, execArgv: [...cmd.execArgv, ...CHILD_NODE_ARGS, ...profile] };

  // Seed: n participants, one hour of AX6 each, uploaded two at a time, processed by the stack's workers.
  const workers = await stack.startWorkers(profile);
  const { studyId, participants } = await seedStudy(stack.baseUrl, stack.adminToken, n);
  const study = await expectCall(stack.baseUrl, stack.adminToken, 'GET', `/v1/studies/${studyId}`, undefined, 200);
  const codes = participants.map((_, i) => `P${String(i + 1).padStart(3, '0')}`);
  let t = performance.now();
  let generateS = 0;
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) {
      const tg = performance.now();
      const file = ws.file(`ax6-${codes[i]}.cwa`);
      writeFileSync(file, cwaHour(i));
      generateS += (performance.now() - tg) / 1000;
      const up = await uploadFile(stack.baseUrl, participants[i]!.token, file, `${codes[i]}.cwa`);
      if (up.status !== 201) throw new Error(`POST /v1/uploads (${codes[i]}): expected 201, got ${up.status} ${JSON.stringify(up.json)}`);
      rmSync(file);
    }
  };
  await Promise.all([lane(), lane()]);
  const uploadedS = (performance.now() - t) / 1000;
  const recordings = await waitForReady(stack, studyId, n);
  const seedS = (performance.now() - t) / 1000;
  checkStreams(recordings);
  log(`seeded ${n} × 1 h AX6 (${((HEADER_BYTES + BLOCKS * BLOCK_BYTES) / 1e6).toFixed(1)} MB each): generated in ${generateS.toFixed(1)} s, uploaded by ${uploadedS.toFixed(1)} s, all ready after ${seedS.toFixed(1)} s; accelerometer + gyroscope at 100 Hz, ${(HOUR_S * RATE_HZ).toLocaleString('en')} samples each`);

  // One worker, in-process, in a measured child; the anchor in the same kind of child.
  let jobs = 0;
  const jobFile = (job: unknown): string => {
    const f = ws.file(`export-windows-job-${++jobs}.json`);
    writeFileSync(f, JSON.stringify(job));
    return f;
  };
  const params = (out: string, select?: string[]): ExportParams => ({
    study: study.slug, out, streams: STREAMS, windowS: 2, hopS: 1, rateHz: 50, labelPolicy: 'majority', minOverlap: 0.5, background: null, gaps: 'drop',
    format: 'parquet', split: '70/15/15', seed: 7, stratify: 'none', splitsFrom: null, annotations: 'accepted', labels: null, shardHours,
    ...(select ? { select: { participants: select } } : {}),
  });
  const runExport = async (k: number): Promise<ExportRun> => {
    const out = ws.file(`export-${k}-${jobs + 1}`);
    const r = await runMeasuredChild<ExportRun>(measured, ['export', jobFile({ env: stack.env, params: params(out, k < n ? codes.slice(0, k) : undefined) })]);
    const want = k * WINDOWS_PER_RECORDING;
    const wrong = r.perRecording.filter((w) => w !== WINDOWS_PER_RECORDING);
    if (r.windows !== want || r.manifestWindows !== want || r.recordings !== k || r.perRecording.length !== k || wrong.length > 0) {
      throw new Error(`the export of ${k} recording(s) wrote ${r.windows} windows (manifest ${r.manifestWindows}, ${r.perRecording.length} recordings, per recording ${[...new Set(r.perRecording)].join('/')}); expected ${want}: ${WINDOWS_PER_RECORDING} per recording`);
    }
    rmSync(out, { recursive: true, force: true });
    return r;
  };
  const anchorRuns: AnchorRun[] = [];
  const small: ExportRun[] = [];
  const full: ExportRun[] = [];
  t = performance.now();
  const machine0 = machineCpuS();
  const s30 = cpuSecondsOf(stack.s3.pid);
  for (let i = 0; i < REPEATS; i++) {
    const file = ws.file('anchor-plain-floats.parquet');
    anchorRuns.push(await runMeasuredChild<AnchorRun>(measured, ['anchor', jobFile({ file, columns: 6, rows: (expectedWindows * VALUES_PER_WINDOW) / 6, rowGroupRows: ANCHOR_ROW_GROUP_ROWS, pool: HOUR_S * 50 })]));
    rmSync(file, { force: true });
    full.push(await runExport(n));
    if (first < n) small.push(await runExport(first));
  }
  const inProcessPhase = { seconds: (performance.now() - t) / 1000, machineCpuS: machineCpuS() - machine0, objectStoreCpuS: cpuSecondsOf(stack.s3.pid) - s30, loadAverage: loadavg()[0]! };
  const smallRuns = small.length > 0 ? small : full;
  const fullS = median(full.map((r) => r.seconds));
  const smallS = median(smallRuns.map((r) => r.seconds));
  const anchorS = median(anchorRuns.map((r) => r.seconds));
  const fullWps = expectedWindows / fullS;
  const smallWps = (first * WINDOWS_PER_RECORDING) / smallS;
  const values = expectedWindows * VALUES_PER_WINDOW;
  const exportVps = values / fullS;
  const anchorVps = values / anchorS;
  const fullPeak = Math.max(...full.map((r) => r.peakMiB));
  const smallPeak = Math.max(...smallRuns.map((r) => r.peakMiB));
  const childCpuS = sum([...full, ...small, ...anchorRuns].map((r) => r.cpuSeconds));
  log(`in-process phase: ${inProcessPhase.seconds.toFixed(1)} s, the machine busy ${inProcessPhase.machineCpuS.toFixed(1)} CPU-s of which the measured children ${childCpuS.toFixed(1)}, the object store ${inProcessPhase.objectStoreCpuS.toFixed(1)}; load average ${inProcessPhase.loadAverage.toFixed(1)}`);
  const mem = (runs: ExportRun[]): string => `JS heap ≤ ${Math.max(...runs.map((r) => r.memory.heapTotalMiB)).toFixed(0)} MiB, ArrayBuffers ≤ ${Math.max(...runs.map((r) => r.memory.arrayBuffersMiB)).toFixed(0)} MiB`;
  log(`${cmd.how}: export of ${n} ${fullS.toFixed(2)} s (${fullWps.toFixed(0)} windows/s, CPU ${median(full.map((r) => r.cpuSeconds)).toFixed(2)} s, peak RSS ${fullPeak.toFixed(0)} MiB: ${mem(full)}); of ${first} ${smallS.toFixed(2)} s (${smallWps.toFixed(0)} windows/s, peak RSS ${smallPeak.toFixed(0)} MiB: ${mem(smallRuns)}); anchor ${anchorS.toFixed(2)} s (${(anchorVps / 1e6).toFixed(0)} M values/s, ${(anchorRuns[0]!.bytes / 1e6).toFixed(0)} MB, peak RSS ${Math.max(...anchorRuns.map((r) => r.peakMiB)).toFixed(0)} MiB); ${((performance.now() - t) / 1000).toFixed(1)} s in all`);

  // Jobs through the API: the stack's worker process alone, then with a second one.
  const one = await runJob(stack, studyId, shardHours, [workers], expectedWindows);
  const extra = await stack.startExtraWorkers(1, profile);
  let two: JobRun;
  try {
    two = await runJob(stack, studyId, shardHours, [workers, ...extra], expectedWindows);
  } finally {
    await stack.stopExtraWorkers();
  }
  const speedup = one.seconds / two.seconds;
  // The most a second process could gain on this machine even without anyone else's load: one worker needs at
  // least its own CPU-s (it runs one shard at a time); two need at least half of that, and at least the CPU-s of
  // all our processes (workers, object store, API) spread over every core.
  const ourCpuS = sum(one.workerCpuS) + one.objectStoreCpuS + one.apiCpuS;
  const speedupBound = sum(one.workerCpuS) / Math.max(ourCpuS / cpus().length, sum(one.workerCpuS) / two.workers);
  const inProcessVersion = full[0]!.version;
  const sameDataset = one.version === inProcessVersion && two.version === inProcessVersion;
  for (const j of [one, two]) {
    log(`jobs, ${j.workers} worker process(es): ${j.seconds.toFixed(2)} s; CPU-s: workers ${j.workerCpuS.map((c) => c.toFixed(1)).join(' + ')}, object store ${j.objectStoreCpuS.toFixed(1)}, API ${j.apiCpuS.toFixed(1)}; the machine busy ${j.machineCpuS.toFixed(1)} CPU-s (${(j.machineCpuS / j.seconds).toFixed(2)} of ${cpus().length} cores); load average ${j.loadAverage.toFixed(1)}`);
  }
  log(`jobs (${one.shards} shards of ≤ ${shardHours} h): speed-up ${speedup.toFixed(2)} ×; ${sameDataset ? 'the same dataset version as in-process' : `dataset versions differ: in-process ${inProcessVersion}, jobs ${one.version} / ${two.version}`}`);

  return {
    name: 'export-windows',
    ok: true,
    metrics: [
      { name: `in-process export, ${n} × 1 h 6-axis → 2 s / 1 s windows at 50 Hz`, value: fullWps, unit: 'windows/s', goal: { op: '>=', value: GOAL_WINDOWS_S, unit: 'windows/s' }, note: `${expectedWindows.toLocaleString('en')} windows in ${fullS.toFixed(2)} s` },
      { name: 'export value throughput / plain FLOAT columns', value: exportVps / anchorVps, unit: '×', anchor: { name: 'writePlainFloatColumns, same values', value: anchorVps / 1e6, unit: 'M values/s' }, goal: { op: '>=', value: GOAL_VALUE_RATIO, unit: '×' } },
      { name: `export peak RSS, ${n} recordings (child: ${cmd.how}, ${CHILD_NODE_ARGS.join(' ')}; VmHWM${full.every((r) => r.exact) ? '' : ' unavailable: sampled'})`, value: fullPeak, unit: 'MiB', anchor: { name: `${first} recordings`, value: smallPeak, unit: 'MiB' }, goal: { op: '<=', value: GOAL_RSS_MIB, unit: 'MiB' } },
      { name: `peak RSS ${n} / ${first} recordings`, value: fullPeak / smallPeak, unit: '×', goal: { op: '<=', value: GOAL_FLAT, unit: '×' }, note: `${first === n ? 'the same export at this scale; ' : ''}JS heap ≤ ${Math.max(...full.map((r) => r.memory.heapTotalMiB)).toFixed(0)} vs ${Math.max(...smallRuns.map((r) => r.memory.heapTotalMiB)).toFixed(0)} MiB` },
      { name: `POST /v1/exports → finished, 2 worker processes / 1 (${one.shards} shards)`, value: speedup, unit: '×', goal: { op: '>=', value: GOAL_SPEEDUP, unit: '×' }, note: `${two.seconds.toFixed(2)} s vs ${one.seconds.toFixed(2)} s; at most ${speedupBound.toFixed(2)} × here (worker ${sum(one.workerCpuS).toFixed(0)} of ${ourCpuS.toFixed(0)} CPU-s of ours, ${cpus().length} cores)` },
      { name: `in-process export, first ${first} recordings`, value: smallWps, unit: 'windows/s', note: `${(first * WINDOWS_PER_RECORDING).toLocaleString('en')} windows in ${smallS.toFixed(2)} s` },
      { name: 'jobs, 1 worker process', value: expectedWindows / one.seconds, unit: 'windows/s', note: `202 → finished ${one.seconds.toFixed(2)} s` },
      { name: 'jobs, 2 worker processes', value: expectedWindows / two.seconds, unit: 'windows/s', note: `202 → finished ${two.seconds.toFixed(2)} s` },
    ],
    details: {
      recordings: n,
      first,
      windows: expectedWindows,
      values,
      shardHours,
      child: cmd.how,
      seeding: { generateS, uploadedS, readyS: seedS },
      workerRssAfterJobsMiB: memoryOf(workers.pid).rssMiB,
      inProcessPhase,
      inProcessFull: full,
      inProcessFirst: small,
      anchor: anchorRuns,
      anchorRowGroupRows: ANCHOR_ROW_GROUP_ROWS,
      jobs: [one, two],
      speedupCpuBound: speedupBound,
      sameDatasetVersion: sameDataset,
    },
  };
}

/** Polls the study's recordings every second until all `n` have left `queued`/`processing`; fails unless all are `ready`. */
async function waitForReady(stack: Stack, studyId: string, n: number): Promise<any[]> {
  const deadline = performance.now() + Math.max(300, 30 * n) * 1000;
  for (;;) {
    const page = await expectCall(stack.baseUrl, stack.adminToken, 'GET', `/v1/recordings?studyId=${studyId}&limit=500`, undefined, 200);
    const items: any[] = page.items;
    const busy = items.filter((r) => ['queued', 'processing'].includes(r.status)).length;
    if (items.length === n && busy === 0) {
      const bad = items.filter((r) => r.status !== 'ready');
      if (bad.length > 0) throw new Error(`${bad.length} recording(s) not ready: ${bad.slice(0, 3).map((r) => `${r.participantCode} ${r.status} ${JSON.stringify(r.error ?? null)}`).join('; ')}\n${stack.logTails()}`);
      return items;
    }
    if (performance.now() > deadline) throw new Error(`${busy} of ${items.length} recording(s) still queued or processing\n${stack.logTails()}`);
    await sleep(1000);
  }
}

/** Every recording has accelerometer and gyroscope at 100 Hz with an hour of samples. */
function checkStreams(recordings: any[]): void {
  for (const r of recordings) {
    for (const name of STREAMS) {
      const s = r.streams?.find((x: { name: string }) => x.name === name);
      if (!s || s.sampleRateHz !== RATE_HZ || s.samples !== HOUR_S * RATE_HZ) {
        throw new Error(`recording ${r.id} (${r.participantCode}): expected ${name} at ${RATE_HZ} Hz with ${HOUR_S * RATE_HZ} samples, got ${s ? `${s.sampleRateHz} Hz, ${s.samples} samples` : 'none'} (streams ${r.streams?.map((x: { name: string }) => x.name).join(', ')})`);
      }
    }
  }
}

function sum(xs: number[]): number {
  return xs.reduce((a, x) => a + x, 0);
}

/** Linux's USER_HZ: the unit of /proc's CPU times. */
const TICKS_PER_S = 100;

/** CPU seconds of a process so far (/proc/<pid>/stat utime + stime, every thread). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

/**
 * CPU seconds the whole machine has been busy (/proc/stat: every core's user, nice, system, irq, softirq and
 * steal time): beside our processes' own, it says how much of the cores others took while we measured.
 */
function machineCpuS(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS_PER_S;
}

/** POST /v1/exports of every recording, then GET /v1/exports/:id every 100 ms until it is finished (or failed). */
async function runJob(stack: Stack, studyId: string, shardHours: number, workers: Child[], expectedWindows: number): Promise<JobRun> {
  const body = { studyId, streams: STREAMS, windowS: 2, hopS: 1, rateHz: 50, split: '70/15/15', seed: 7, gaps: 'drop', shardHours };
  const cpu0 = workers.map((w) => cpuSecondsOf(w.pid));
  const s30 = cpuSecondsOf(stack.s3.pid);
  const api0 = cpuSecondsOf(stack.api.pid);
  const machine0 = machineCpuS();
  const peaks = workers.map((w) => new PeakRss(w.pid));
  const created = await expectCall(stack.baseUrl, stack.adminToken, 'POST', '/v1/exports', body, 202);
  const t202 = performance.now();
  if (created.progress.shards < 8) throw new Error(`the export has ${created.progress.shards} shards; the benchmark needs at least 8 (shardHours ${shardHours})`);
  let s: any = created;
  while (s.status !== 'finished' && s.status !== 'failed') {
    if (performance.now() - t202 > 1_800_000) throw new Error(`export ${created.id} still ${s.status} after 30 minutes: ${JSON.stringify(s.progress)}`);
    await sleep(100);
    s = await expectCall(stack.baseUrl, stack.adminToken, 'GET', `/v1/exports/${created.id}`, undefined, 200);
  }
  const seconds = (performance.now() - t202) / 1000;
  const workerPeakMiB = peaks.map((p) => p.stop().peakMiB);
  const workerCpuS = workers.map((w, i) => cpuSecondsOf(w.pid) - cpu0[i]!);
  const objectStoreCpuS = cpuSecondsOf(stack.s3.pid) - s30;
  const apiCpuS = cpuSecondsOf(stack.api.pid) - api0;
  const machine = machineCpuS() - machine0;
  if (s.status !== 'finished') throw new Error(`export ${created.id} failed: ${s.error}\n${stack.logTails()}`);
  if (s.windows !== expectedWindows) throw new Error(`export ${created.id} wrote ${s.windows} windows; expected ${expectedWindows}`);
  const serverSeconds = s.finishedAt ? (Date.parse(s.finishedAt) - Date.parse(s.createdAt)) / 1000 : null;
  return {
    workers: workers.length, id: created.id, shards: created.progress.shards, seconds, serverSeconds, windows: s.windows, version: s.version, workerCpuS, workerPeakMiB,
    objectStoreCpuS, apiCpuS, machineCpuS: machine, loadAverage: loadavg()[0]!,
  };
}

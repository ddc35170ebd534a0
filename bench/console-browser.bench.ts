import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CDPSession, Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../src/main/console-build.js';
import { openBrowser, type ConsoleBrowser } from '../test/helpers/browser.js';
import { log, type BenchContext } from './lib/context.js';
import { writeSensorLoggerCsv } from './lib/generate.js';
import { writeQuietSpeechWav } from './lib/generate-audio.js';
import { call, expectCall } from './lib/http.js';
import { startNaivePlotServer } from './lib/naive-plot.js';
import { ACTIVITY, apiTimings, KEEP_RESOURCE_TIMINGS, markTime, panZoomSteps, runPanZoom, settledWindows, type FrameFigures } from './lib/page-probes.js';
import type { BenchResult, Metric } from './lib/report.js';
import { median } from './lib/report.js';
import { uploadFiles } from './lib/upload-files.js';
import { ROOT } from './lib/workspace.js';

const DAY_S = 24 * 3600;
const IMU_HZ = 100;
/** A navigation counts from its start (0) to the console's `fieldsense:first-plot` mark. */
const GOAL_FIRST_PLOT_MS = 1000;
const GOAL_FRAME_P95_MS = 16;
const GOAL_FRAME_MAX_MS = 50;
const GOAL_API_P95_MS = 100;
const GOAL_HEAP_MB = 150;
const LOADS = 3;
/** The naive plot's pieces: at most 100,000 samples each (the samples route's maxPoints) at 100 Hz. */
const NAIVE_PIECE_S = 990;
const API_REQUESTS = /\/streams\/[a-z0-9_]+\/(samples|audio)\?/;

interface PageFigures {
  firstPlotMs: number[];
  frames: FrameFigures;
  /** The `/samples` and `/audio` requests measured: those of the settled viewports, else all the page made. */
  api: { path: string; ms: number; waitMs: number; bytes: number }[];
  /** Settled viewports gone through (0: none, the API figures are of the whole page). */
  settled: number;
  /**
   * Per settled viewport that fetched anything: from its first request's start to its last answer's end, ms
   * (what an annotator waits for the API after stopping), and its request count.
   */
  viewports: { ms: number; requests: number }[];
  heapMB: { afterLoad: number; afterPanZoom: number; afterGc: number };
}

/**
 * The annotator console in Debian's Chromium on a 24 h × 100 Hz 3-axis accelerometer with 24 h of 16 kHz audio
 * (one recording: a Sensor Logger CSV and a WAV uploaded together, processed by the real pipeline to `ready`):
 * (a) first plot after navigation (the console's `fieldsense:first-plot` mark; median of 3 navigations),
 * (b) pan/zoom frame times while `window.__fieldsense.viewport` is driven one step per frame for 200 frames,
 * (c) API time per viewport: Resource Timing (request start → response end) of the `/samples` and `/audio`
 * requests made for 20 viewports each held until the page is quiet (page-probes.ts `settledWindows`: in to
 * 2 minutes, where the spectrogram fetches audio, along, in to seconds, out), (d) the page's JS heap (CDP). Anchor in the same run: the naive plot (bench/lib/naive-plot.ts), every
 * raw accelerometer sample fetched and handed to uPlot, measured the same four ways. BENCH_SCALE shortens the
 * day; the goals stay (the console's work depends on pixels, not on the length of the recording).
 */
export async function consoleBrowser(ctx: BenchContext): Promise<Omit<BenchResult, 'seconds'>> {
  const { ws, stack, scale } = ctx;
  const seconds = Math.round(DAY_S * scale);
  const built = await ensureConsoleBuilt(ROOT);
  log(`console ${built === 'built' ? 'built now' : 'build is fresh'}`);

  let t = performance.now();
  const csv = ws.file('Accelerometer.csv');
  const wav = ws.file('Microphone.wav');
  const imu = await writeSensorLoggerCsv(csv, seconds * IMU_HZ);
  const audio = await writeQuietSpeechWav(wav, seconds);
  log(`generated ${(seconds / 3600).toFixed(1)} h: Accelerometer.csv ${(imu.bytes / 1e6).toFixed(0)} MB, Microphone.wav ${(audio.bytes / 1e6).toFixed(0)} MB (${audio.bursts} voices) in ${((performance.now() - t) / 1000).toFixed(0)} s`);

  await stack.startWorkers();
  const slug = `bench-console-${ws.id}`;
  const study = await expectCall(stack.baseUrl, stack.adminToken, 'POST', '/v1/studies', {
    slug, name: 'Console benchmark', labels: [{ name: 'walking', hotkey: 'w', color: '#1f77b4' }, { name: 'speech', hotkey: 's', color: '#ff7f0e' }],
  }, 201);
  const participant = await expectCall(stack.baseUrl, stack.adminToken, 'POST', `/v1/studies/${study.id}/participants`, { code: 'P001' }, 201);
  const annotator = await expectCall(stack.baseUrl, stack.adminToken, 'POST', `/v1/studies/${study.id}/annotators`, { name: 'Bench' }, 201);
  const up = await uploadFiles(stack.baseUrl, participant.token, [{ path: csv, filename: 'Accelerometer.csv' }, { path: wav, filename: 'Microphone.wav' }]);
  if (up.status !== 201) throw new Error(`POST /v1/uploads: expected 201, got ${up.status} ${JSON.stringify(up.json)}`);
  const id: string = up.json.recording.id;
  log(`uploaded ${(up.bytes / 1e6).toFixed(0)} MB in ${up.seconds.toFixed(0)} s; recording ${id}`);
  t = performance.now();
  const rec = await waitReady(stack.baseUrl, stack.adminToken, id, Math.max(600, 3 * seconds / 60));
  const processingS = (performance.now() - t) / 1000;
  const acc = rec.streams.find((s: { kind: string }) => s.kind === 'imu');
  const mic = rec.streams.find((s: { kind: string }) => s.kind === 'audio');
  if (!acc || !mic) throw new Error(`expected an IMU and an audio stream, got ${JSON.stringify(rec.streams)}`);
  const anns = await expectCall(stack.baseUrl, stack.adminToken, 'GET', `/v1/recordings/${id}/annotations`, undefined, 200);
  log(`ready ${processingS.toFixed(0)} s after the 201: ${acc.name} ${acc.samples.toLocaleString('en')} samples, ${mic.name} ${mic.samples.toLocaleString('en')} samples, ${anns.items.length} annotations`);

  const naiveFigures = await measureNaivePlot(stack.baseUrl, id, acc, annotator.token, seconds, ctx.profileDir);
  log(`naive plot: first plot ${naiveFigures.firstPlotMs[0]!.toFixed(0)} ms; ${summary(naiveFigures)}`);

  const consoleFigures = await measure('console', async (page) => {
    // A first visit signs in (the token is taken from the address into the tab's session) and warms the caches.
    await page.goto(`${stack.baseUrl}/console/recordings/${id}?token=${encodeURIComponent(annotator.token)}`);
    await waitMark(page, 'fieldsense:first-plot', 120_000);
    const firstPlotMs: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      await page.goto(`${stack.baseUrl}/console/recordings/${id}`);
      firstPlotMs.push(await waitMark(page, 'fieldsense:first-plot', 120_000));
    }
    await page.waitForFunction('!!(window.__fieldsense && window.__fieldsense.viewport)', undefined, { timeout: 30_000 });
    return { firstPlotMs, target: 'window.__fieldsense.viewport' };
  }, ctx.profileDir, true);
  log(`console: first plot ${consoleFigures.firstPlotMs.map((x) => x.toFixed(0)).join(', ')} ms; ${summary(consoleFigures)}`);

  const c = figures(consoleFigures);
  const n = figures(naiveFigures);
  const vs = (name: string, value: number, unit: string): Metric['anchor'] => ({ name, value, unit });
  const metrics: Metric[] = [
    { name: `first plot after navigation (median of ${LOADS})`, value: c.firstPlot, unit: 'ms', anchor: vs('naive plot', n.firstPlot, 'ms'), goal: { op: '<=', value: GOAL_FIRST_PLOT_MS, unit: 'ms' } },
    { name: 'pan/zoom frame time p95 (rAF → rendered)', value: c.workP95, unit: 'ms', anchor: vs('naive plot', n.workP95, 'ms'), goal: { op: '<=', value: GOAL_FRAME_P95_MS, unit: 'ms' } },
    { name: 'pan/zoom longest frame (rAF interval max)', value: c.intervalMax, unit: 'ms', anchor: vs('naive plot', n.intervalMax, 'ms'), goal: { op: '<=', value: GOAL_FRAME_MAX_MS, unit: 'ms' } },
    { name: 'pan/zoom frame time max (rAF → rendered)', value: c.workMax, unit: 'ms', anchor: vs('naive plot', n.workMax, 'ms') },
    { name: 'pan/zoom rAF interval p95', value: c.intervalP95, unit: 'ms', anchor: vs('naive plot', n.intervalP95, 'ms'), note: '16.7 ms at 60 Hz' },
    { name: 'long tasks (> 50 ms) during pan/zoom', value: c.longTasks, unit: '', anchor: vs('naive plot', n.longTasks, '') },
    { name: `API answer per viewport p95 (first request → last answer, ${consoleFigures.viewports.length} of ${consoleFigures.settled} settled viewports fetched)`, value: pct(consoleFigures.viewports.map((v) => v.ms), 95), unit: 'ms', anchor: vs('naive plot, per 100k-sample piece', n.apiP95, 'ms'), goal: { op: '<=', value: GOAL_API_P95_MS, unit: 'ms' } },
    { name: 'API answer per request p95 (/samples, /audio of the settled viewports)', value: c.apiP95, unit: 'ms', anchor: vs('naive plot, per 100k-sample piece', n.apiP95, 'ms') },
    { name: 'API requests (count)', value: c.apiCount, unit: '', anchor: vs('naive plot', n.apiCount, '') },
    { name: 'bytes fetched from the API', value: c.apiMB, unit: 'MB', anchor: vs('naive plot', n.apiMB, 'MB') },
    { name: 'page JS heap after pan/zoom', value: consoleFigures.heapMB.afterPanZoom, unit: 'MB', anchor: vs('naive plot', naiveFigures.heapMB.afterPanZoom, 'MB'), goal: { op: '<=', value: GOAL_HEAP_MB, unit: 'MB' } },
    { name: 'page JS heap after a forced GC', value: consoleFigures.heapMB.afterGc, unit: 'MB', anchor: vs('naive plot', naiveFigures.heapMB.afterGc, 'MB') },
  ];
  return {
    name: 'console-browser',
    ok: true,
    metrics,
    details: {
      recordingSeconds: seconds,
      files: { csvBytes: imu.bytes, wavBytes: audio.bytes, voices: audio.bursts },
      uploadS: up.seconds,
      processingS,
      streams: rec.streams,
      annotations: anns.items.length,
      console: { ...consoleFigures, api: apiByKind(consoleFigures.api) },
      naive: { ...naiveFigures, api: apiByKind(naiveFigures.api) },
      chromium: '/usr/bin/chromium (Debian), headless, 1280×800',
    },
  };
}

/**
 * One fresh Chromium for one page: `open` navigates and waits for the first plot; then the pan/zoom script, a
 * wait for the page to go quiet, its Resource Timing entries and its JS heap.
 */
export async function measure(what: string, open: (page: Page) => Promise<{ firstPlotMs: number[]; target: string }>, profileDir: string | null, settle = false): Promise<PageFigures> {
  const browser: ConsoleBrowser = await openBrowser();
  try {
    const { page, context } = browser;
    await context.addInitScript({ content: KEEP_RESOURCE_TIMINGS });
    const cdp: CDPSession = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const { firstPlotMs, target } = await open(page);
    await quiet(page);
    const afterLoad = await heapMB(cdp);
    // With BENCH_CPU_PROF=1 the page's main thread is profiled while it pans and zooms (bench/run.ts prints where the time went).
    if (profileDir) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const frames = await page.evaluate<FrameFigures>(runPanZoom(target, panZoomSteps()));
    if (profileDir) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(path.join(profileDir, `browser-${what.replace(/\W+/g, '-')}.cpuprofile`), JSON.stringify(profile));
    }
    await quiet(page);
    const afterPanZoom = await heapMB(cdp);
    await cdp.send('HeapProfiler.collectGarbage');
    const afterGc = await heapMB(cdp);
    let since = 0;
    let settled = 0;
    const viewports: PageFigures['viewports'] = [];
    if (settle) {
      since = await page.evaluate<number>('performance.now()');
      const durationS = await page.evaluate<number>(`${target}.state.durationS`);
      for (const w of settledWindows(durationS)) {
        const from = await page.evaluate<number>(`(${target}.setWindow(${w.fromS}, ${w.toS}), performance.now())`);
        await quiet(page);
        settled++;
        const spans = await page.evaluate<{ start: number; end: number }[]>(`performance.getEntriesByType('resource')
          .filter((e) => e.startTime >= ${from} && ${API_REQUESTS.toString()}.test(e.name)).map((e) => ({ start: e.requestStart, end: e.responseEnd }))`);
        if (spans.length > 0) viewports.push({ ms: Math.max(...spans.map((x) => x.end)) - Math.min(...spans.map((x) => x.start)), requests: spans.length });
      }
    }
    const api = await page.evaluate<PageFigures['api']>(apiTimings(API_REQUESTS, since));
    const bad = browser.unexpectedErrors();
    if (bad.length > 0) log(`${what}: the page showed errors: ${bad.slice(0, 5).join(' | ')}`);
    return { firstPlotMs, frames, api, settled, viewports, heapMB: { afterLoad, afterPanZoom, afterGc } };
  } finally {
    await browser.close();
  }
}

/** The anchor: the naive plot of every raw sample of the IMU stream, served and measured the same way. */
async function measureNaivePlot(baseUrl: string, id: string, stream: { name: string; startS: number; durationS: number }, token: string, seconds: number, profileDir: string | null): Promise<PageFigures> {
  const naive = await startNaivePlotServer(baseUrl);
  try {
    return await measure('naive plot', async (page) => {
      await page.goto(naive.url(id, stream.name, stream.startS + stream.durationS, NAIVE_PIECE_S, token));
      const ms = await waitMark(page, 'naive:first-plot', Math.max(300_000, seconds * 10), '__naiveError');
      return { firstPlotMs: [ms], target: 'window.__naive.viewport' };
    }, profileDir);
  } finally {
    await naive.close();
  }
}

export async function waitMark(page: Page, name: string, timeoutMs: number, errorGlobal?: string): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await page.evaluate<number | null>(markTime(name));
    if (v !== null) return v;
    if (errorGlobal) {
      const err = await page.evaluate<string | null>(`window.${errorGlobal} || null`);
      if (err) throw new Error(`the page failed: ${err}`);
    }
    if (performance.now() > deadline) {
      const text = await page.evaluate<string>('document.body.innerText.replace(/\\s+/g, " ").slice(0, 400)');
      throw new Error(`no ${name} mark ${(timeoutMs / 1000).toFixed(0)} s after navigating to ${page.url()}; the page says: ${text}`);
    }
    await sleep(50);
  }
}

/** Waits until the page fetched nothing and marked nothing for a second (at most 60 s). */
async function quiet(page: Page): Promise<void> {
  const deadline = performance.now() + 60_000;
  let last = '';
  let since = performance.now();
  while (performance.now() < deadline) {
    const now = await page.evaluate<string>(ACTIVITY);
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= 1000) return;
    await sleep(100);
  }
}

async function heapMB(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const used = metrics.find((m) => m.name === 'JSHeapUsedSize');
  if (!used) throw new Error('CDP Performance.getMetrics gave no JSHeapUsedSize');
  return used.value / 1e6;
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

function figures(f: PageFigures): Record<'firstPlot' | 'workP95' | 'workMax' | 'intervalP95' | 'intervalMax' | 'longTasks' | 'apiP95' | 'apiCount' | 'apiMB', number> {
  return {
    firstPlot: median(f.firstPlotMs),
    workP95: pct(f.frames.work, 95),
    workMax: Math.max(...f.frames.work),
    intervalP95: pct(f.frames.intervals, 95),
    intervalMax: Math.max(...f.frames.intervals),
    longTasks: f.frames.longTasks.length,
    apiP95: pct(f.api.map((a) => a.ms), 95),
    apiCount: f.api.length,
    apiMB: f.api.reduce((s, a) => s + a.bytes, 0) / 1e6,
  };
}

export function summary(f: PageFigures): string {
  const x = figures(f);
  const vp = f.viewports.length > 0 ? `; per viewport p95 ${pct(f.viewports.map((v) => v.ms), 95).toFixed(0)} ms (${f.viewports.map((v) => `${v.ms.toFixed(0)}/${v.requests}`).join(' ')})` : '';
  return `frames p95 ${x.workP95.toFixed(1)} ms, max ${x.workMax.toFixed(1)} ms, interval max ${x.intervalMax.toFixed(1)} ms, ${x.longTasks} long tasks; `
    + `API ${x.apiCount} requests p95 ${x.apiP95.toFixed(0)} ms, ${x.apiMB.toFixed(1)} MB; heap ${f.heapMB.afterLoad.toFixed(0)} → ${f.heapMB.afterPanZoom.toFixed(0)} MB (${f.heapMB.afterGc.toFixed(0)} after GC)${vp}`;
}

/** The API timings grouped by route (samples of a stream, audio), with count, median, p95 and max. */
export function apiByKind(api: PageFigures['api']): Record<string, { count: number; medianMs: number; p95Ms: number; maxMs: number; bytes: number }> {
  const out: Record<string, { count: number; medianMs: number; p95Ms: number; maxMs: number; bytes: number }> = {};
  const groups = new Map<string, PageFigures['api']>();
  for (const a of api) {
    const k = a.path.split('?')[0]!;
    groups.set(k, [...(groups.get(k) ?? []), a]);
  }
  for (const [k, g] of groups) {
    const ms = g.map((a) => a.ms);
    out[k] = { count: g.length, medianMs: median(ms), p95Ms: pct(ms, 95), maxMs: Math.max(...ms), bytes: g.reduce((s, a) => s + a.bytes, 0) };
  }
  return out;
}

async function waitReady(baseUrl: string, token: string, id: string, timeoutS: number): Promise<any> {
  const deadline = performance.now() + timeoutS * 1000;
  for (;;) {
    const r = await call(baseUrl, token, 'GET', `/v1/recordings/${id}`);
    if (r.status !== 200) throw new Error(`GET /v1/recordings/${id}: ${r.status} ${JSON.stringify(r.json)}`);
    if (!['queued', 'processing'].includes(r.json.status)) {
      if (r.json.status !== 'ready') throw new Error(`the recording ended ${r.json.status}: ${JSON.stringify(r.json.error ?? null)}`);
      return r.json;
    }
    if (performance.now() > deadline) throw new Error(`the recording is still ${r.json.status}:${r.json.stage ?? ''} after ${timeoutS.toFixed(0)} s`);
    await sleep(1000);
  }
}

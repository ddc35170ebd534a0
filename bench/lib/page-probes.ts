/**
 * Measurements run inside the page, as source text: page.evaluate() of a function would carry the transpiler's
 * helpers (`__name`) into the page, where they do not exist. Each is an expression; most evaluate to a Promise.
 */

/** Run before any page script (context.addInitScript): keeps every Resource Timing entry (the default keeps 250). */
export const KEEP_RESOURCE_TIMINGS = 'performance.setResourceTimingBufferSize(1000000);';

/** The startTime of the first `name` mark (ms from navigation start), or null while there is none. */
export function markTime(name: string): string {
  return `(() => { const e = performance.getEntriesByName(${JSON.stringify(name)}); return e.length ? e[0].startTime : null; })()`;
}

/** One step of the pan/zoom script: zoom by a factor around a point (fraction of the window), or pan by a fraction. */
export type Step = { zoom: number; at: number } | { pan: number };

/**
 * ~200 frames of an annotator's gesture: zoom in from the whole recording towards a moment, pan along, zoom
 * back out. The same steps drive the console and the naive plot.
 */
export function panZoomSteps(): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < 80; i++) steps.push({ zoom: 0.92, at: 0.5 });
  for (let i = 0; i < 80; i++) steps.push({ pan: 0.04 });
  for (let i = 0; i < 40; i++) steps.push({ zoom: 1.2, at: 0.5 });
  return steps;
}

export interface FrameFigures {
  /** Per frame: from the frame's first rAF callback to the end of its rendering (the next task), ms. */
  work: number[];
  /** Between consecutive frames' rAF timestamps, ms (16.7 at 60 Hz when nothing is late). */
  intervals: number[];
  /** Durations of the long tasks (> 50 ms) seen while the steps ran, ms. */
  longTasks: number[];
}

/**
 * Drives `target` (an object with `state: {fromS, toS, durationS}`, `setWindow`, `zoomAt`, `panBy`, as the
 * console's Viewport has) one step per animation frame, from the whole recording. Our callback asks for the
 * next frame before applying its step, so in every frame it runs before the callbacks the step itself caused:
 * the span from its start to a message posted from it (which runs once the frame has rendered) holds the
 * step, the page's own rAF work for the step before, style, layout and paint. One frame more than steps, so
 * the last step's drawing is counted too.
 */
export function runPanZoom(target: string, steps: Step[]): string {
  return `new Promise((resolve) => {
  const vp = ${target};
  const steps = ${JSON.stringify(steps)};
  const work = [], intervals = [], longTasks = [];
  let obs = null;
  try {
    obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks.push(e.duration); });
    obs.observe({ type: 'longtask' });
  } catch (e) { obs = null; }
  const ch = new MessageChannel();
  let i = 0, lastTs = null, done = false;
  ch.port1.onmessage = (m) => {
    work.push(performance.now() - m.data);
    if (done) { if (obs) obs.disconnect(); ch.port1.close(); resolve({ work, intervals, longTasks }); }
  };
  const frame = (ts) => {
    const t0 = performance.now();
    if (i < steps.length) requestAnimationFrame(frame); else done = true;
    if (lastTs !== null) intervals.push(ts - lastTs);
    lastTs = ts;
    if (i < steps.length) {
      const s = steps[i], st = vp.state, span = st.toS - st.fromS;
      if ('zoom' in s) vp.zoomAt(st.fromS + s.at * span, s.zoom); else vp.panBy(s.pan);
    }
    i++;
    ch.port2.postMessage(t0);
  };
  vp.setWindow(0, vp.state.durationS);
  // Two frames to settle the whole-recording window before the first measured one.
  requestAnimationFrame(() => requestAnimationFrame(frame));
})`;
}

/**
 * Viewports an annotator goes through, each held until the page has fetched what it needs: in from the whole
 * recording to two minutes (where the spectrogram's audio is fetched), along the recording at that zoom, further
 * in to seconds, and out again. Centred on the middle of the recording.
 */
export function settledWindows(durationS: number): { fromS: number; toS: number }[] {
  const mid = durationS / 2;
  const at = (span: number, centre = mid): { fromS: number; toS: number } => {
    const s = Math.min(span, durationS);
    const fromS = Math.max(0, Math.min(durationS - s, centre - s / 2));
    return { fromS, toS: fromS + s };
  };
  const out = [at(durationS), at(6 * 3600), at(3600), at(900), at(300), at(110)];
  for (let i = 1; i <= 8; i++) out.push(at(110, mid + i * 55));
  out.push(at(60, mid + 9 * 55), at(20, mid + 9 * 55), at(5, mid + 9 * 55), at(300), at(3600), at(durationS));
  return out;
}

/**
 * The page's Resource Timing entries whose URL matches `pattern` (started at or after `sinceMs` on the page's
 * clock): request start → response end, and sizes.
 */
export function apiTimings(pattern: RegExp, sinceMs = 0): string {
  return `performance.getEntriesByType('resource').filter((e) => e.startTime >= ${sinceMs} && ${pattern.toString()}.test(e.name)).map((e) => ({
    path: new URL(e.name).pathname.replace(/^.*\\/streams\\//, ''),
    ms: e.responseEnd - e.requestStart,
    waitMs: e.responseStart - e.requestStart,
    bytes: e.encodedBodySize,
  }))`;
}

/** How many resources and marks the page has: the same figures a second apart mean it went quiet. */
export const ACTIVITY = `[performance.getEntriesByType('resource').length, performance.getEntriesByType('mark').length].join(',')`;

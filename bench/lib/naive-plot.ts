import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ROOT } from './workspace.js';

/**
 * The browser benchmark's anchor: what plotting a day "the obvious way" costs. A page of its own fetches every
 * raw sample of one stream from the API's samples route (full resolution, pieces of `maxPoints` = 100,000, one
 * after the other), keeps them in plain arrays and hands them all to uPlot (the console's own plotting library),
 * which then redraws all of them on every zoom or pan. It exposes the same driving surface as the console's
 * Viewport (`window.__naive.viewport`) and marks `naive:first-plot` when uPlot has drawn the data.
 *
 * The page is served by a small server on loopback that also forwards `/v1/*` to the API, so the page and the
 * API share an origin (the API sends no CORS headers); that hop adds well under a millisecond to each answer.
 */
export interface NaivePlotServer {
  url: (recordingId: string, stream: string, durationS: number, pieceS: number, token: string) => string;
  close: () => Promise<void>;
}

const UPLOT = path.join(ROOT, 'node_modules/uplot/dist');

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Naive plot</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/naive/uPlot.min.css"><script src="/naive/uPlot.iife.min.js"></script>
<style>body{margin:0;font:13px sans-serif}#status{padding:4px 8px}</style></head>
<body><div id="status" role="status">loading…</div><div id="plot"></div>
<script>
(async () => {
  const q = new URLSearchParams(location.hash.slice(1));
  const id = q.get('id'), stream = q.get('stream'), token = q.get('token');
  const durationS = Number(q.get('durationS')), pieceS = Number(q.get('pieceS'));
  const t = [], cols = {};
  let names = null;
  for (let from = 0; from < durationS; from += pieceS) {
    const to = Math.min(durationS, from + pieceS);
    const r = await fetch('/v1/recordings/' + id + '/streams/' + stream + '/samples?fromS=' + from + '&toS=' + to + '&maxPoints=100000', { headers: { authorization: 'Bearer ' + token } });
    if (!r.ok) throw new Error('samples ' + r.status + ' ' + await r.text());
    const s = await r.json();
    if (s.reduced) throw new Error('the API reduced ' + from + '–' + to + ' s: a piece holds more than 100,000 samples');
    if (!names) { names = Object.keys(s.channels); for (const n of names) cols[n] = []; }
    // Half-open pieces: a sample exactly on a boundary comes in both answers.
    let k = 0;
    while (k < s.t.length && t.length > 0 && s.t[k] <= t[t.length - 1]) k++;
    for (; k < s.t.length; k++) { t.push(s.t[k]); for (const n of names) cols[n].push(s.channels[n][k]); }
    document.getElementById('status').textContent = t.length + ' samples';
  }
  let first = true;
  const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728'];
  const u = new uPlot({
    width: 1260, height: 600,
    scales: { x: { time: false } },
    series: [{ label: 's' }, ...names.map((n, i) => ({ label: n, stroke: colors[i % colors.length], width: 1 }))],
    hooks: { draw: [() => { if (first) { first = false; performance.mark('naive:first-plot'); } }] },
  }, [t, ...names.map((n) => cols[n])], document.getElementById('plot'));
  const state = { fromS: 0, toS: durationS, durationS };
  const setWindow = (a, b) => {
    const span = Math.min(durationS, Math.max(0.01, b - a));
    a = Math.max(0, Math.min(a, durationS - span));
    state.fromS = a; state.toS = a + span;
    u.setScale('x', { min: state.fromS, max: state.toS });
  };
  window.__naive = { viewport: {
    get state() { return state; },
    setWindow,
    zoomAt: (at, f) => { const fr = (at - state.fromS) / (state.toS - state.fromS), span = (state.toS - state.fromS) * f; setWindow(at - fr * span, at - fr * span + span); },
    panBy: (fr) => { const d = (state.toS - state.fromS) * fr; setWindow(state.fromS + d, state.toS + d); },
  }, samples: t.length };
})().catch((e) => { document.getElementById('status').textContent = 'failed: ' + e.message; window.__naiveError = String(e && e.stack || e); });
</script></body></html>`;

/** Serves the page, uPlot from node_modules, and forwards `/v1/*` to `apiBaseUrl`; on a spare loopback port. */
export async function startNaivePlotServer(apiBaseUrl: string): Promise<NaivePlotServer> {
  const api = new URL(apiBaseUrl);
  if (api.hostname !== '127.0.0.1') throw new Error(`benchmarks only call 127.0.0.1, not ${api.hostname}`);
  const agent = new http.Agent({ keepAlive: true });
  const files: Record<string, { type: string; body: Buffer }> = {
    '/naive/': { type: 'text/html; charset=utf-8', body: Buffer.from(PAGE) },
    '/naive/uPlot.iife.min.js': { type: 'text/javascript', body: readFileSync(path.join(UPLOT, 'uPlot.iife.min.js')) },
    '/naive/uPlot.min.css': { type: 'text/css', body: readFileSync(path.join(UPLOT, 'uPlot.min.css')) },
  };
  const server = http.createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    if (p.startsWith('/v1/')) {
      const fwd = http.request({ host: '127.0.0.1', port: api.port, path: req.url, method: req.method, headers: { ...req.headers, host: api.host }, agent }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      fwd.on('error', (e) => res.destroy(e));
      req.pipe(fwd);
      return;
    }
    const f = files[p];
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f.type, 'content-length': f.body.length, 'cache-control': 'no-store' }).end(f.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (id, stream, durationS, pieceS, token) =>
      `http://127.0.0.1:${port}/naive/#${new URLSearchParams({ id, stream, durationS: String(durationS), pieceS: String(pieceS), token }).toString()}`,
    close: () => new Promise<void>((resolve) => {
      agent.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

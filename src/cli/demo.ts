import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/config.js';
import { callApi } from '../lib/api-client.js';

/**
 * `npm run demo`: against a running `npm start`, creates a demo study, enrolls a participant, uploads a
 * few small recordings (a phone accelerometer CSV, a speech WAV, and a file that is not a recording) and
 * prints what the pipeline made of each.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const config = loadConfig();
const base = `http://127.0.0.1:${config.http.port}`;
const tokenFile = path.resolve(root, config.dataDir, 'admin-token');
const admin = config.adminToken ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined);
if (!admin) {
  console.error(`No admin token: start FieldSense first (npm start), or set ADMIN_TOKEN.`);
  process.exit(1);
}

async function api(token: string, method: string, p: string, body?: unknown): Promise<any> {
  const { status, json }: { status: number; json: any } = await callApi(base, token, method, p, body).catch(() => {
    console.error(`FieldSense does not answer at ${base}: run "npm start" in another terminal first.`);
    process.exit(1);
  });
  if (status >= 400) throw new Error(`${method} ${p} → ${status} ${json?.error?.code}: ${json?.error?.message}`);
  return json;
}

/** One minute of a phone accelerometer at 100 Hz: 30 s on a table, then 30 s of walking-like bounce. */
function accelerometerCsv(): string {
  const start = BigInt(Date.now() - 3_600_000) * 1_000_000n;
  const lines = ['time,seconds_elapsed,z,y,x'];
  for (let i = 0; i < 6000; i++) {
    const s = i / 100;
    const moving = s >= 30;
    const x = moving ? 1.2 * Math.sin(2 * Math.PI * 1.8 * s) : 0.01 * Math.sin(i);
    const y = moving ? 0.8 * Math.cos(2 * Math.PI * 1.8 * s) : 0.01 * Math.cos(i);
    const z = 9.81 + (moving ? 2.5 * Math.sin(2 * Math.PI * 3.6 * s) : 0.005 * Math.sin(3 * i));
    lines.push(`${start + BigInt(i) * 10_000_000n},${s.toFixed(3)},${z.toFixed(5)},${y.toFixed(5)},${x.toFixed(5)}`);
  }
  return `${lines.join('\n')}\n`;
}

const slug = `demo-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 6)}`;
const study = await api(admin, 'POST', '/v1/studies', {
  slug, name: 'Demo study', labels: [{ name: 'walking', hotkey: 'w', color: '#1f77b4' }, { name: 'speech', hotkey: 's', color: '#ff7f0e' }],
});
const enrolled = await api(admin, 'POST', `/v1/studies/${study.id}/participants`, { code: 'P001' });
console.log(`Study ${study.slug} (${study.id}); participant P001 (${enrolled.participant.id})`);

const files: { name: string; bytes: Uint8Array; metadata: object }[] = [
  { name: 'Accelerometer.csv', bytes: new TextEncoder().encode(accelerometerCsv()), metadata: { device: { kind: 'phone', app: 'Sensor Logger' }, timezone: 'Europe/Zurich' } },
  { name: 'count.wav', bytes: readFileSync(path.join(root, 'test/fixtures/pyaudioanalysis-speech/count.wav')), metadata: { device: { kind: 'phone' } } },
  { name: 'notes.wav', bytes: new TextEncoder().encode('this is not audio'), metadata: { note: 'a file the pipeline cannot read' } },
];
const ids: string[] = [];
for (const f of files) {
  const form = new FormData();
  form.append('file', new Blob([f.bytes]), f.name);
  form.append('metadata', JSON.stringify(f.metadata));
  const res = await fetch(`${base}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${enrolled.token}` }, body: form });
  const json: any = await res.json();
  console.log(`uploaded ${f.name.padEnd(18)} → ${res.status} recording ${json.recording?.id ?? json.error?.code}`);
  if (json.recording) ids.push(json.recording.id);
}

for (const id of ids) {
  let r: any;
  for (let i = 0; i < 240; i++) {
    r = await api(admin, 'GET', `/v1/recordings/${id}`);
    if (!['queued', 'processing'].includes(r.status)) break;
    await new Promise((res) => setTimeout(res, 250));
  }
  const anns = r.status === 'ready' ? (await api(admin, 'GET', `/v1/recordings/${id}/annotations`)).items : [];
  console.log(`\n${id}: ${r.status}${r.error ? ` — ${r.error.code}: ${r.error.message}` : ''}`);
  for (const s of r.streams) console.log(`  stream ${s.name}: ${s.samples} samples, ${s.measuredRateHz?.toFixed(1)} Hz, ${s.durationS.toFixed(2)} s, channels ${s.channels.join(',')}`);
  if (r.quality) console.log(`  quality: ${r.quality.status} (${r.quality.checks.filter((c: any) => c.status !== 'ok').map((c: any) => `${c.name}: ${c.status}`).join('; ') || 'all checks ok'})`);
  if (anns.length) console.log(`  proposed: ${anns.map((a: any) => `${a.label} ${a.startS.toFixed(1)}–${a.endS.toFixed(1)} s`).join(', ')}`);
}
console.log(`\nParticipant token (upload more with it): ${enrolled.token}`);

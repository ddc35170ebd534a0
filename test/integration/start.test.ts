import { afterEach, describe, expect, it } from 'vitest';
import { callApi } from '../../src/lib/api-client.js';
import { sensorLoggerCsv } from '../helpers/harness.js';
import { alive, childPid, startLauncher, untilGone, type Launcher } from '../helpers/launcher.js';

/**
 * `npm start` as people and supervisors run it: the real launcher as a child process with its own
 * database, data folder, ports and queue prefix, its log read from its stdout.
 */
const CHILDREN = ['API', 'workers', 'object store'];
const started: Launcher[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((l) => l.close()));
});

async function launch(opts: Parameters<typeof startLauncher>[0] = {}): Promise<{ l: Launcher; base: string }> {
  const l = await startLauncher(opts);
  started.push(l);
  const running = await l.waitFor((x) => x.msg.startsWith('FieldSense is running at'));
  return { l, base: running.url as string };
}

async function uploadAndWait(base: string, token: string): Promise<{ status: string }> {
  const study = await callApi(base, token, 'POST', '/v1/studies', { slug: `start-${Date.now().toString(36)}`, name: 'Start', labels: [{ name: 'walking' }] });
  expect(study.status, JSON.stringify(study.json)).toBe(201);
  const p = await callApi(base, token, 'POST', `/v1/studies/${(study.json as { id: string }).id}/participants`, { code: 'P001' });
  const form = new FormData();
  form.append('file', new Blob([sensorLoggerCsv({ rows: 500, rateHz: 50 })]), 'Accelerometer.csv');
  const up = await fetch(`${base}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${(p.json as { token: string }).token}` }, body: form });
  const upJson = (await up.json()) as { recording: { id: string } };
  expect(up.status, JSON.stringify(upJson)).toBe(201);
  const deadline = Date.now() + 90_000;
  for (;;) {
    const r = await callApi(base, token, 'GET', `/v1/recordings/${upJson.recording.id}`);
    const rec = r.json as { status: string };
    if (!['queued', 'processing'].includes(rec.status) || Date.now() > deadline) return rec;
    await new Promise((res) => setTimeout(res, 200));
  }
}

describe('the launcher (npm start)', () => {
  it('restarts a worker or an object store that dies (same port), keeps processing, and stops every child on SIGTERM', async () => {
    const { l, base } = await launch();
    // Stdout is JSON log lines only, and the banner never shows a token that came from the environment.
    expect(l.lines.find((x) => x.msg.startsWith('FieldSense is running'))?.adminToken).toBe('from ADMIN_TOKEN');
    // The banner on stderr comes through a pipe of its own: it may arrive after the JSON line.
    for (let i = 0; i < 100 && !l.stderr().includes('from ADMIN_TOKEN'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(l.stderr()).toContain('from ADMIN_TOKEN');
    expect(l.stderr() + JSON.stringify(l.lines)).not.toContain(l.adminToken);
    // An up-to-date database: no `prisma migrate deploy` run.
    expect(l.lines.some((x) => x.msg === 'migrations up to date')).toBe(true);
    expect(l.lines.some((x) => x.msg === 'applying migrations')).toBe(false);

    const firstWorkers = childPid(l, 'workers');
    process.kill(firstWorkers, 'SIGKILL');
    const exited = await l.waitFor((x) => x.child === 'workers' && x.msg.includes('restarting it in'));
    expect(exited).toMatchObject({ childPid: firstWorkers, signal: 'SIGKILL', restartInS: 1 });
    await l.waitFor((x) => x.child === 'workers' && x.msg === 'workers ready again');
    expect(childPid(l, 'workers')).not.toBe(firstWorkers);

    const store = l.lines.find((x) => x.name === 'fieldsense-objects' && x.msg === 'embedded object store listening')!;
    const firstStore = childPid(l, 'object store');
    const mark = l.lines.length;
    process.kill(firstStore, 'SIGKILL');
    await l.waitFor((x) => x.child === 'object store' && x.msg === 'object store ready again', { from: mark });
    const again = await l.waitFor((x) => x.name === 'fieldsense-objects' && x.msg === 'embedded object store listening', { from: mark });
    expect(again.endpoint).toBe(store.endpoint);

    // The platform kept running: an upload after both restarts is processed to the end.
    expect((await uploadAndWait(base, l.adminToken)).status).toBe('ready');

    const pids = CHILDREN.map((c) => childPid(l, c));
    l.proc.kill('SIGTERM');
    expect(await l.exited).toEqual({ code: 0, signal: null });
    expect(await untilGone(pids, 30_000)).toEqual([]);
    expect(l.lines.some((x) => x.msg === 'FieldSense stopped')).toBe(true);
    expect(l.notJson).toEqual([]);
  });

  it('children stop by themselves when the launcher is SIGKILLed (their IPC channel closes)', async () => {
    const { l } = await launch();
    const launcherPid = l.lines.find((x) => x.name === 'fieldsense')!.pid!;
    const pids = CHILDREN.map((c) => childPid(l, c));
    expect(pids.every(alive)).toBe(true);
    process.kill(launcherPid, 'SIGKILL');
    expect(await untilGone(pids, 30_000)).toEqual([]);
    for (const c of ['fieldsense-api', 'fieldsense-worker', 'fieldsense-objects']) {
      expect(l.lines.some((x) => x.name === c && x.msg.includes('the launcher is gone')), c).toBe(true);
    }
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('through `npm start`: %s to npm stops the launcher and every child', async (signal) => {
    const { l } = await launch({ via: 'npm' });
    const launcherPid = l.lines.find((x) => x.name === 'fieldsense')!.pid!;
    const pids = [launcherPid, ...CHILDREN.map((c) => childPid(l, c))];
    l.proc.kill(signal);
    await l.exited;
    expect(await untilGone(pids, 30_000)).toEqual([]);
    expect(l.lines.find((x) => x.msg === 'FieldSense stopped')).toMatchObject({ code: 0 });
  });
});

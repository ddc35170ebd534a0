import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildZip } from '../../src/formats/archive/zip-writer.test-support.js';
import { openBrowser, type ConsoleBrowser } from '../helpers/browser.js';
import { centre, colouredPixels, drag, emptyY, setViewWindow, xOf } from '../helpers/console-page.js';
import { ROOT, call, fixture, ingestReady, sensorLoggerCsv, startHarness, upload, waitForRecording, type Harness } from '../helpers/harness.js';

/**
 * The annotator console end to end, in Debian's Chromium against a real FieldSense: sign in, the queue, a
 * processed recording with IMU and audio (plots drawn, audio played with a moving cursor), regions drawn with
 * the mouse and with a hotkey, an edge dragged, proposals accepted and rejected, undo, reload, everything
 * checked through the API as well; then a stale edit from a second annotator's browser (412, "Reload theirs"),
 * review of two annotators and the coordinator view. With CONSOLE_SCREENSHOTS=<folder> it saves screenshots
 * of the main views there (docs/screenshots holds the committed ones).
 */

const LABELS = [
  { name: 'handwashing', hotkey: 'h', color: '#2ca02c' },
  { name: 'walking', hotkey: 'w', color: '#1f77b4' },
  { name: 'speech', hotkey: 's', color: '#ff7f0e' },
];
/** Still for 30 s, then moving for 30 s (100 Hz): the activity detector proposes `still` and a moving class. */
const motion = (i: number): [number, number, number] => (i < 3000
  ? [0.003 * Math.sin(i), 0.003 * Math.cos(i), 9.81]
  : [2 * Math.sin(i / 8), 1.5 * Math.cos(i / 8), 9.81 + 2 * Math.sin(i / 8)]);
/** Drawn well away from the proposals' edges (0, 30, 60 s, and the spoken words in the first 10.5 s). */
const WALK = { fromS: 14, toS: 20 };
const WASH = { fromS: 36, toS: 44, endAfterDragS: 49 };
const NEAR_S = 0.3;
const SHOTS = process.env.CONSOLE_SCREENSHOTS ? path.resolve(ROOT, process.env.CONSOLE_SCREENSHOTS) : null;

async function screenshot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** The annotations of the recording as the API has them (read as the admin). */
async function annotations(h: Harness, id: string): Promise<any[]> {
  const r = await call(h, h.adminToken, 'GET', `/v1/recordings/${id}/annotations`);
  expect(r.status).toBe(200);
  return r.json.items;
}

/** Signs in through the form, as a person pastes a token. */
async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('Your token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Sign out' }).count(), { timeout: 30_000 }).toBe(1);
}

describe('the annotator console in Chromium', () => {
  let h: Harness;
  let a: ConsoleBrowser;
  let b: ConsoleBrowser | undefined;
  let studyId: string;
  let ana: { id: string; token: string };
  let ben: { id: string; token: string };
  let participantToken: string;
  let id: string;

  beforeAll(async () => {
    h = await startHarness({ workers: true });
    const slug = `console-${randomBytes(4).toString('hex')}`;
    const s = await call(h, h.adminToken, 'POST', '/v1/studies', { slug, name: 'Handwashing at home', labels: LABELS });
    expect(s.status, JSON.stringify(s.json)).toBe(201);
    studyId = s.json.id;
    const p = await call(h, h.adminToken, 'POST', `/v1/studies/${studyId}/participants`, { code: 'P001' });
    participantToken = p.json.token;
    const an = await call(h, h.adminToken, 'POST', `/v1/studies/${studyId}/annotators`, { name: 'Ana' });
    const be = await call(h, h.adminToken, 'POST', `/v1/studies/${studyId}/annotators`, { name: 'Ben' });
    ana = { id: an.json.annotator.id, token: an.json.token };
    ben = { id: be.json.annotator.id, token: be.json.token };
    // One recording with both kinds of stream: a phone's accelerometer and its microphone, zipped together.
    const zip = buildZip([
      { name: 'Accelerometer.csv', data: sensorLoggerCsv({ rows: 6000, rateHz: 100, value: motion }), method: 'deflate' },
      { name: 'Microphone.wav', data: fixture('pyaudioanalysis-speech/count2.wav'), method: 'deflate' },
    ]);
    const rec = await ingestReady(h, participantToken, zip, 'morning.zip');
    id = rec.id;
    expect(rec.streams.map((x: { kind: string }) => x.kind).sort()).toEqual(['audio', 'imu']);
    // A file nothing reads: the coordinator sees it rejected with its reason.
    const junk = await upload(h, participantToken, randomBytes(4096), 'notes.bin');
    expect(junk.status).toBe(201);
    await waitForRecording(h, participantToken, junk.json.recording.id);
    a = await openBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await h?.close();
  });

  it('has proposals from the detectors to review', async () => {
    const items = await annotations(h, id);
    const proposed = items.filter((x) => x.source === 'auto' && x.status === 'proposed');
    expect(proposed.length).toBeGreaterThanOrEqual(2);
    expect(new Set(proposed.map((x) => x.detector)).size).toBeGreaterThanOrEqual(2);
  });

  it('signs in, lists the recording, opens it and draws its IMU and audio plots', async () => {
    const { page } = a;
    await signIn(page, h.baseUrl, ana.token);
    const table = page.getByRole('table', { name: 'Recordings' });
    const link = table.locator(`a[href="/console/recordings/${id}"]`);
    await link.waitFor();
    await expect.poll(() => link.textContent()).toContain('P001');
    await screenshot(page, 'queue');
    await link.click();
    await expect.poll(() => page.url()).toBe(`${h.baseUrl}/console/recordings/${id}`);
    for (const plot of ['plot-accelerometer', 'plot-audio']) {
      await page.getByTestId(plot).locator('canvas').first().waitFor();
      await expect.poll(() => colouredPixels(page, `[data-testid="${plot}"]`), { timeout: 30_000, message: `${plot} draws its data` }).toBeGreaterThan(100);
    }
    await expect.poll(() => page.evaluate('performance.getEntriesByName("fieldsense:first-plot").length')).toBe(1);
    await expect.poll(() => page.getByTestId('proposal').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'recording');
    a.assertNoUnexpectedErrors();
  });

  it('plays the audio and moves the cursor', async () => {
    const { page } = a;
    const cursorS = async (): Promise<number> => Number((await page.getByTestId('cursor').first().getAttribute('data-cursor-s')) ?? Number.NaN);
    await page.getByRole('button', { name: 'Play' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    await expect.poll(cursorS, { timeout: 20_000, message: 'the cursor moves while the audio plays' }).toBeGreaterThan(0.5);
    const at = await cursorS();
    await expect.poll(cursorS, { timeout: 20_000 }).toBeGreaterThan(at);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Play' }).waitFor();
    a.assertNoUnexpectedErrors();
  });

  it('draws a region with the mouse and one with a hotkey, drags an edge, accepts, rejects and undoes', async () => {
    const { page } = a;
    await setViewWindow(page, 0, 60);
    const plot = page.getByTestId('plot-accelerometer');
    const human = page.locator('[data-testid="annotation"][data-source="human"]');
    const picker = page.getByRole('group', { name: 'Label for the new region' });

    // A selection, then the label's hotkey.
    let x0 = await xOf(page, plot, WALK.fromS);
    let x1 = await xOf(page, plot, WALK.toS);
    await drag(page, x0, x1, await emptyY(page, [x0, (x0 + x1) / 2, x1]));
    await picker.waitFor();
    await page.keyboard.press('w');
    await human.and(page.locator('[data-label="walking"]')).waitFor();

    // With the mouse alone: draw, then pick the label in the picker.
    x0 = await xOf(page, plot, WASH.fromS);
    x1 = await xOf(page, plot, WASH.toS);
    await drag(page, x0, x1, await emptyY(page, [x0, (x0 + x1) / 2, x1]));
    await picker.getByRole('button', { name: /handwashing/ }).click();
    const wash = human.and(page.locator('[data-label="handwashing"]'));
    await wash.waitFor();

    // Drag its end edge later.
    const end = await centre(wash.locator('[data-edge="end"]'));
    await drag(page, end.x, await xOf(page, plot, WASH.endAfterDragS), end.y);
    await expect.poll(async () => Number(await wash.getAttribute('data-end-s'))).toBeCloseTo(WASH.endAfterDragS, 0);

    // Accept one proposal, reject another, undo the rejection.
    const proposals = page.getByTestId('proposal');
    const accepted = (await proposals.nth(0).getAttribute('data-id'))!;
    const rejected = (await proposals.nth(1).getAttribute('data-id'))!;
    await page.locator(`[data-testid="proposal"][data-id="${accepted}"]`).getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => page.locator(`[data-testid="proposal"][data-id="${accepted}"]`).getAttribute('data-status')).toBe('accepted');
    await page.locator(`[data-testid="proposal"][data-id="${rejected}"]`).getByRole('button', { name: 'Reject' }).click();
    await expect.poll(() => page.locator(`[data-testid="proposal"][data-id="${rejected}"]`).getAttribute('data-status')).toBe('rejected');
    await expect.poll(() => page.getByTestId('save-state').textContent(), { timeout: 20_000 }).toBe('Saved');
    expect((await annotations(h, id)).find((x) => x.id === rejected)?.status).toBe('rejected');
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await annotations(h, id)).find((x) => x.id === rejected)?.status, { timeout: 20_000 }).toBe('proposed');
    await expect.poll(() => page.getByTestId('save-state').textContent(), { timeout: 20_000 }).toBe('Saved');

    // Reloaded, the page shows what was saved…
    await page.reload();
    await human.and(page.locator('[data-label="walking"]')).waitFor({ timeout: 30_000 });
    await wash.waitFor();
    expect(Number(await wash.getAttribute('data-end-s'))).toBeCloseTo(WASH.endAfterDragS, 0);
    await expect.poll(() => page.locator(`[data-testid="proposal"][data-id="${accepted}"]`).getAttribute('data-status')).toBe('accepted');
    await expect.poll(() => page.locator(`[data-testid="proposal"][data-id="${rejected}"]`).getAttribute('data-status')).toBe('proposed');

    // …and so does the API.
    const items = await annotations(h, id);
    const mine = items.filter((x) => x.source === 'human');
    expect(mine.map((x) => x.label).sort()).toEqual(['handwashing', 'walking']);
    const walk = mine.find((x) => x.label === 'walking');
    const washed = mine.find((x) => x.label === 'handwashing');
    expect(Math.abs(walk.startS - WALK.fromS)).toBeLessThan(NEAR_S);
    expect(Math.abs(walk.endS - WALK.toS)).toBeLessThan(NEAR_S);
    expect(Math.abs(washed.startS - WASH.fromS)).toBeLessThan(NEAR_S);
    expect(Math.abs(washed.endS - WASH.endAfterDragS)).toBeLessThan(NEAR_S);
    expect(walk.annotatorId).toBe(ana.id);
    expect(items.find((x) => x.id === accepted)).toMatchObject({ source: 'auto', status: 'accepted' });
    expect(items.find((x) => x.id === rejected)).toMatchObject({ source: 'auto', status: 'proposed' });
    a.assertNoUnexpectedErrors();
  });

  it('a stale edit from another annotator\'s browser gets the conflict dialog, and "Reload theirs" shows theirs', async () => {
    const washed = (await annotations(h, id)).find((x) => x.source === 'human' && x.label === 'handwashing');
    const region = (p: Page) => p.locator(`[data-testid="annotation"][data-id="${washed.id}"]`);
    // Ana has the annotation open (selected) as it is now…
    const pa = a.page;
    await clickOn(pa, region(pa));
    await expect.poll(() => region(pa).getAttribute('aria-pressed')).toBe('true');
    // …while Ben, in a browser of his own, opens the same one, relabels it (select, press a hotkey) and it is saved.
    b = await openBrowser();
    const pb = b.page;
    await signIn(pb, h.baseUrl, ben.token);
    await pb.goto(`${h.baseUrl}/console/recordings/${id}`);
    await setViewWindowWhenOpen(pb, 0, 60);
    await region(pb).waitFor({ timeout: 30_000 });
    await clickOn(pb, region(pb));
    await pb.keyboard.press('s');
    await expect.poll(async () => (await annotations(h, id)).find((x) => x.id === washed.id)?.label, { timeout: 20_000 }).toBe('speech');
    await expect.poll(() => pb.getByTestId('save-state').textContent()).toBe('Saved');

    // Ana, whose copy is now older, relabels it too: the API refuses it (412) and the console asks.
    a.allowError(/status of 412/);
    await pa.keyboard.press('w');
    const dialog = pa.getByRole('dialog', { name: 'Someone else changed this annotation' });
    await dialog.waitFor({ timeout: 20_000 });
    // It names whose revision hers met.
    expect(await dialog.getByText(/Ben changed it at/).count()).toBe(1);
    // While Ana has not chosen, her change is not saved, and the console says so.
    expect(await pa.getByTestId('save-state').textContent()).toBe('Not saved — someone else changed it');
    await screenshot(pa, 'conflict');
    await dialog.getByRole('button', { name: 'Reload theirs' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => region(pa).getAttribute('data-label')).toBe('speech');
    await expect.poll(() => pa.getByTestId('save-state').textContent(), { timeout: 20_000 }).toBe('Saved');
    const now = (await annotations(h, id)).find((x) => x.id === washed.id);
    expect(now.label).toBe('speech');
    expect(Math.abs(now.endS - WASH.endAfterDragS)).toBeLessThan(NEAR_S);
    a.assertNoUnexpectedErrors();
    b.assertNoUnexpectedErrors();
  });

  it('review shows two annotators side by side with their agreement', async () => {
    // Ben labels the same morning his way.
    for (const [label, startS, endS] of [['walking', 13.5, 21], ['handwashing', 37, 47]] as const) {
      const r = await call(h, ben.token, 'POST', `/v1/recordings/${id}/annotations`, { startS, endS, label });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
    }
    const { page } = a;
    await page.goto(`${h.baseUrl}/console/recordings/${id}?review=1`);
    await page.getByTestId('kappa').waitFor({ timeout: 30_000 });
    await expect.poll(async () => Number.isFinite(Number(await page.getByTestId('kappa').textContent()))).toBe(true);
    await screenshot(page, 'review');
    a.assertNoUnexpectedErrors();
  });

  it('the coordinator view shows the study, its participant and the rejected file', async () => {
    const page = b!.page;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, h.baseUrl, h.adminToken);
    await page.goto(`${h.baseUrl}/console/coordinator`);
    await page.getByRole('heading', { name: 'Coordinator' }).waitFor({ timeout: 30_000 });
    const rejected = page.getByRole('region', { name: /Rejected recordings/ });
    await expect.poll(() => rejected.textContent(), { timeout: 30_000 }).toContain('notes.bin');
    await expect.poll(() => page.getByRole('region', { name: 'Participants' }).textContent()).toContain('P001');
    await screenshot(page, 'coordinator');
    b!.assertNoUnexpectedErrors();
  });
});

/** A click in the middle of an annotation (the overlay takes it as a selection). */
async function clickOn(page: Page, l: Locator): Promise<void> {
  const c = await centre(l);
  await page.mouse.click(c.x, c.y);
}

/** Waits for the recording view to expose its Viewport, then shows [fromS, toS]. */
async function setViewWindowWhenOpen(page: Page, fromS: number, toS: number): Promise<void> {
  await page.waitForFunction('!!(window.__fieldsense && window.__fieldsense.viewport)', undefined, { timeout: 30_000 });
  await setViewWindow(page, fromS, toS);
}

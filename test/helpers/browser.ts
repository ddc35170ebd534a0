import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

/** Debian's Chromium (package `chromium`): the browser tests never download a browser of their own. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless, as root, on a machine with no network but loopback: without the background-networking flags
 * Chromium keeps trying to reach its vendor's hosts, and those refused connections show up as noise.
 * `--user-data-dir` is not among them: playwright-core passes the persistent context's folder itself.
 */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const VIEWPORT = { width: 1280, height: 800 };

/** One Chromium with its own fresh profile, and every page error and console error it has shown. */
export interface ConsoleBrowser {
  context: BrowserContext;
  /** The context's first page. */
  page: Page;
  /** Every page error and console error seen so far, expected or not (`<kind>: <text> @ <url>`). */
  errors: string[];
  /** Errors matching `pattern` are expected (say, the 412 of a stale edit that the console handles). */
  allowError(pattern: RegExp): void;
  /** The errors not matched by an allowed pattern. */
  unexpectedErrors(): string[];
  /** Throws, listing them, when any unexpected page error or console error was seen. */
  assertNoUnexpectedErrors(): void;
  /** Closes Chromium and removes its profile folder. */
  close(): Promise<void>;
}

/**
 * Starts Debian's Chromium through playwright-core with a new empty profile. Fails (never skips) when the
 * package is missing, saying how to install it.
 */
export async function openBrowser(opts: { viewport?: { width: number; height: number } } = {}): Promise<ConsoleBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Debian's Chromium is not installed (${CHROMIUM} is missing): run \`apt-get install -y chromium\`. The browser tests drive it through playwright-core and never download a browser.`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'fieldsense-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: opts.viewport ?? VIEWPORT,
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const errors: string[] = [];
  const allowed: RegExp[] = [];
  const watch = (page: Page): void => {
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.stack ?? err.message} @ ${page.url()}`));
    page.on('console', (msg: ConsoleMessage) => {
      if (msg.type() !== 'error') return;
      const where = msg.location().url || page.url();
      errors.push(`console.error: ${msg.text()} @ ${where}`);
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  const unexpectedErrors = (): string[] => errors.filter((e) => !allowed.some((re) => re.test(e)));
  return {
    context,
    page,
    errors,
    allowError: (pattern) => allowed.push(pattern),
    unexpectedErrors,
    assertNoUnexpectedErrors() {
      const bad = unexpectedErrors();
      if (bad.length > 0) throw new Error(`the browser showed ${bad.length} unexpected error(s):\n${bad.join('\n')}`);
    },
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

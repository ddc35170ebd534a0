import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib/ → ../..). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Scratch space of the benchmarks; every run works in a folder of its own below it and removes it. */
export const SCRATCH = path.join(ROOT, '.tmp/bench');

type Cleanup = { what: string; run: () => Promise<void> | void };

/**
 * One benchmark run's temporary folder plus a stack of clean-up steps, run last-in first-out on success,
 * failure, or Ctrl-C / SIGTERM, so that no child process, schema, queue key or temp file outlives the run.
 */
export class Workspace {
  readonly id = randomBytes(4).toString('hex');
  readonly dir: string;
  private readonly cleanups: Cleanup[] = [];
  private cleaning: Promise<void> | null = null;
  /** Set by Ctrl-C / SIGTERM: no further benchmark should start. */
  interrupted = false;
  // `on`, not `once`: Ctrl-C reaches this process twice (from the terminal and relayed by the tsx CLI), and
  // a second signal without a handler would kill it in the middle of its clean-up.
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.cleaning) return;
    this.interrupted = true;
    console.error(`\n${signal}: cleaning up…`);
    void this.cleanup(true).finally(() => process.exit(130));
  };

  constructor() {
    this.dir = path.join(SCRATCH, `run-${this.id}`);
    mkdirSync(this.dir, { recursive: true });
    this.defer('temp folder', () => rmSync(this.dir, { recursive: true, force: true }));
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** A path inside the run's folder. */
  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** Registers a clean-up step (run in reverse order of registration). */
  defer(what: string, run: () => Promise<void> | void): void {
    this.cleanups.push({ what, run });
  }

  /** Runs every clean-up step once, even when some fail (failures are reported, not thrown). */
  cleanup(keepSignalHandlers = false): Promise<void> {
    this.cleaning ??= (async () => {
      if (!keepSignalHandlers) {
        process.off('SIGINT', this.onSignal);
        process.off('SIGTERM', this.onSignal);
      }
      while (this.cleanups.length > 0) {
        const c = this.cleanups.pop()!;
        try {
          await c.run();
        } catch (err) {
          console.error(`clean-up of ${c.what} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
    return this.cleaning;
  }
}

import type { Logger } from '../lib/logger.js';

/**
 * When a FieldSense process (API, workers, embedded object store) stops:
 * - SIGTERM, always;
 * - SIGINT and SIGHUP only when it runs on its own: under the launcher, Ctrl-C reaches the whole process
 *   group at once, and the launcher stops its children in order (the API before the object store it
 *   writes to), so the child leaves the decision to it;
 * - its launcher's IPC channel closing: the launcher is gone (even SIGKILLed), and nobody would stop
 *   this process any more.
 * `stop` is called once; it must end the process itself (with its own deadline).
 */
export function onStopRequest(log: Logger, stop: (reason: string) => Promise<void>): void {
  let called = false;
  const once = (reason: string): void => {
    if (called) return;
    called = true;
    stop(reason).catch((err: unknown) => {
      log.error({ err }, 'could not stop cleanly');
      process.exit(1);
    });
  };
  const underLauncher = typeof process.send === 'function';
  process.on('SIGTERM', () => once('SIGTERM'));
  for (const signal of ['SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (underLauncher && process.connected) return;
      once(signal);
    });
  }
  if (underLauncher) {
    process.on('disconnect', () => {
      log.warn('the launcher is gone (its IPC channel closed): stopping');
      once('launcher gone');
    });
  }
}

import { pino, type DestinationStream, type Logger } from 'pino';

export type { DestinationStream, Logger };

/**
 * Builds the root logger. Level comes from config; tests pass 'silent'. `mixin` adds fields to every line
 * (the workers' job context); `destination` replaces stdout (a test reading the lines).
 */
export function createLogger(level: string, name = 'fieldsense', opts: { mixin?: () => object; destination?: DestinationStream } = {}): Logger {
  const options = { name, level, base: { pid: process.pid }, ...(opts.mixin ? { mixin: opts.mixin } : {}) };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

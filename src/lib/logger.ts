import { pino, type Logger } from 'pino';

export type { Logger };

/** Builds the root logger. Level comes from config; tests pass 'silent'. */
export function createLogger(level: string, name = 'fieldsense'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}

import type { Logger } from '../lib/logger.js';

export type Dependency = 'database' | 'redis' | 'objectStorage';

/** One probe's outcome; `error` is for operators only (log, admin token), never for anonymous callers. */
export interface Check {
  ok: boolean;
  error?: string;
}

/**
 * Readiness: each backing service answers, or the API says which one does not. A probe that starts or
 * stops failing is logged once, with the error, so that the log has what the public answer leaves out.
 */
export class HealthService {
  private readonly down = new Set<string>();

  constructor(private readonly probes: Record<Dependency, () => Promise<unknown>>, private readonly log?: Logger) {}

  async readiness(): Promise<{ ready: boolean; checks: Record<Dependency, Check> }> {
    const entries = await Promise.all(Object.entries(this.probes).map(async ([name, probe]): Promise<[string, Check]> => {
      try {
        await withTimeout(probe(), 2000);
        return [name, { ok: true }];
      } catch (e) {
        return [name, { ok: false, error: e instanceof Error ? e.message.slice(0, 500) : 'unreachable' }];
      }
    }));
    for (const [name, c] of entries) {
      if (!c.ok && !this.down.has(name)) this.log?.warn({ dependency: name, error: c.error }, 'readiness: a backing service is unreachable');
      if (c.ok && this.down.delete(name)) this.log?.info({ dependency: name }, 'readiness: a backing service is reachable again');
      if (!c.ok) this.down.add(name);
    }
    return { ready: entries.every(([, c]) => c.ok), checks: Object.fromEntries(entries) as Record<Dependency, Check> };
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

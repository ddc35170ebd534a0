/** Readiness: each backing service answers, or the API says which one does not. */
export class HealthService {
  constructor(private readonly probes: Record<'database' | 'redis' | 'objectStorage', () => Promise<unknown>>) {}

  async readiness(): Promise<{ ready: boolean; checks: Record<string, { ok: boolean; error?: string }> }> {
    type Check = { ok: boolean; error?: string };
    const entries = await Promise.all(Object.entries(this.probes).map(async ([name, probe]): Promise<[string, Check]> => {
      try {
        await withTimeout(probe(), 2000);
        return [name, { ok: true }];
      } catch (e) {
        return [name, { ok: false, error: e instanceof Error ? e.message.slice(0, 200) : 'unreachable' }];
      }
    }));
    const checks = Object.fromEntries(entries);
    return { ready: entries.every(([, c]) => c.ok), checks };
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

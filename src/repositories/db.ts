import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { pgConnectionFields } from '../config/database-url.js';

export type Db = PrismaClient;
export { Prisma } from '../generated/prisma/client.js';

/** Told of each failed query: the operation (`Recording.findUnique`, `$queryRaw`) and the kind (a Prisma code such as P1001, else the error's name). */
export type DbFailureListener = (operation: string, kind: string) => void;

/**
 * The Prisma client over the pg driver adapter; `?schema=` in the URL selects the schema. With `onFailure`,
 * every query that fails (in a transaction too) is reported before it is rethrown unchanged — except the
 * failures that are answers: a unique violation (P2002, "it exists already") and "no such record" (P2025).
 */
export function createDb(databaseUrl: string, opts: { poolMax?: number; onFailure?: DbFailureListener } = {}): Db {
  const { fields, schema } = pgConnectionFields(databaseUrl);
  const adapter = new PrismaPg({ ...fields, max: opts.poolMax ?? 10 }, schema ? { schema } : undefined);
  const client = new PrismaClient({ adapter });
  const onFailure = opts.onFailure;
  if (!onFailure) return client;
  const counted = client.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        try {
          const result: unknown = await query(args);
          return result;
        } catch (e) {
          const kind = dbFailureKind(e);
          if (kind !== 'P2002' && kind !== 'P2025') onFailure(model ? `${model}.${operation}` : operation, kind);
          throw e;
        }
      },
    },
  });
  // A query extension changes no method's type: the extended client is used as the plain one.
  return counted as unknown as Db;
}

function dbFailureKind(e: unknown): string {
  const x = e as { name?: unknown; code?: unknown };
  const candidate = typeof x.code === 'string' && /^P\d{4}$/.test(x.code) ? x.code : x.name;
  return typeof candidate === 'string' && /^[A-Za-z0-9_.-]{1,60}$/.test(candidate) ? candidate : 'unknown';
}

/** True when a Prisma error is a unique-constraint violation. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'P2002';
}

/**
 * Closes the pool, waiting at most `waitMs`. A pool client lost in a database outage (a connection cut inside
 * a transaction is not always given back by the driver adapter) would otherwise keep `$disconnect()` — and the
 * process's shutdown — waiting forever. Resolves `false` when it gave up waiting.
 */
export async function disconnectDb(db: Db, waitMs = 5000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), waitMs); });
  try {
    return await Promise.race([db.$disconnect().then(() => true as const), gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}

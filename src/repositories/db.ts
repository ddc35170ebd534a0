import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { pgConnectionFields } from '../config/database-url.js';

export type Db = PrismaClient;
export { Prisma } from '../generated/prisma/client.js';

/** The Prisma client over the pg driver adapter; `?schema=` in the URL selects the schema. */
export function createDb(databaseUrl: string, opts: { poolMax?: number } = {}): Db {
  const { fields, schema } = pgConnectionFields(databaseUrl);
  const adapter = new PrismaPg({ ...fields, max: opts.poolMax ?? 10 }, schema ? { schema } : undefined);
  return new PrismaClient({ adapter });
}

/** True when a Prisma error is a unique-constraint violation. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'P2002';
}

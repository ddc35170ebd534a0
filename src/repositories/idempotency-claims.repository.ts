import type { Db } from './db.js';

/**
 * Claims on Idempotency-Keys whose upload is being received (table IdempotencyClaim). Leases run on the
 * database's clock, so API processes on several machines agree on when a claim has lapsed.
 */
export class IdempotencyClaimsRepository {
  constructor(private readonly db: Db) {}

  /** Takes the key for `token` unless another holder's lease is still running; true when taken. */
  async claim(participantId: string, idempotencyKey: string, token: string, leaseMs: number): Promise<boolean> {
    const rows = await this.db.$queryRaw<{ token: string }[]>`
      INSERT INTO "IdempotencyClaim" ("participantId", "idempotencyKey", "token", "expiresAt")
      VALUES (${participantId}, ${idempotencyKey}, ${token}, now() + ${leaseMs}::integer * interval '1 millisecond')
      ON CONFLICT ("participantId", "idempotencyKey") DO UPDATE SET "token" = EXCLUDED."token", "expiresAt" = EXCLUDED."expiresAt"
        WHERE "IdempotencyClaim"."expiresAt" < now()
      RETURNING "token"`;
    return rows.length === 1;
  }

  /** Extends the holder's lease; false when the claim is no longer its own (it lapsed and was taken). */
  async renew(participantId: string, idempotencyKey: string, token: string, leaseMs: number): Promise<boolean> {
    const n = await this.db.$executeRaw`
      UPDATE "IdempotencyClaim" SET "expiresAt" = now() + ${leaseMs}::integer * interval '1 millisecond'
      WHERE "participantId" = ${participantId} AND "idempotencyKey" = ${idempotencyKey} AND "token" = ${token}`;
    return n === 1;
  }

  /** Gives the key up (only the holder's own claim). */
  async release(participantId: string, idempotencyKey: string, token: string): Promise<void> {
    await this.db.idempotencyClaim.deleteMany({ where: { participantId, idempotencyKey, token } });
  }
}

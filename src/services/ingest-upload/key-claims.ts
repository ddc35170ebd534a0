import { randomBytes } from 'node:crypto';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { IdempotencyClaimsRepository } from '../../repositories/idempotency-claims.repository.js';
import type { ParticipantRef } from './types.js';

/** An Idempotency-Key held by one request while it is received; released once it has been answered. */
export interface KeyClaim {
  /** Gives the key up; safe to call more than once (every call awaits the one release). Never throws. */
  release(): Promise<void>;
}

/**
 * Holds a participant's Idempotency-Key for one request, across every API process: a row in PostgreSQL with a
 * lease that the holder renews while it reads the body (Redis is not needed to accept uploads). A holder that
 * crashed stops renewing, and its lease lapses.
 */
export class IdempotencyKeyClaims {
  constructor(
    private readonly claims: IdempotencyClaimsRepository,
    private readonly log: Logger,
    /** How long a claim outlives a request that stopped renewing it (it crashed). */
    private readonly leaseMs = 30_000,
  ) {}

  /** Takes the key; throws `idempotency_key_in_flight` while another request holds it. */
  async claim(who: ParticipantRef, idempotencyKey: string): Promise<KeyClaim> {
    const token = randomBytes(16).toString('hex');
    const { participantId } = who;
    if (!(await this.claims.claim(participantId, idempotencyKey, token, this.leaseMs))) {
      throw new AppError('idempotency_key_in_flight', 'An upload with this Idempotency-Key is still being received; send it again once that one has been answered.');
    }
    const renew = setInterval(() => {
      this.claims.renew(participantId, idempotencyKey, token, this.leaseMs).then(
        (held) => { if (!held) this.log.warn({ participantId }, 'an Idempotency-Key claim lapsed while its upload was still being received'); },
        (err: unknown) => this.log.warn({ err, participantId }, 'could not renew an Idempotency-Key claim'),
      );
    }, Math.max(100, Math.floor(this.leaseMs / 3)));
    renew.unref();
    let released: Promise<void> | undefined;
    return {
      release: () => {
        clearInterval(renew);
        released ??= this.claims.release(participantId, idempotencyKey, token)
          .catch((err: unknown) => this.log.warn({ err, participantId }, 'could not release an Idempotency-Key claim; its lease will lapse'));
        return released;
      },
    };
  }
}

import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../lib/errors.js';
import { hashToken } from '../lib/ids.js';
import type { Principal } from '../domain/principal.js';
import type { CredentialsRepository } from '../repositories/credentials.repository.js';

/** Resolves bearer tokens. Tokens are compared by hash; the admin token comes from the configuration. */
export class AuthService {
  private readonly adminHash: Buffer;

  constructor(private readonly credentials: CredentialsRepository, adminToken: string) {
    this.adminHash = Buffer.from(hashToken(adminToken), 'hex');
  }

  /** The caller's principal with its holder's name. */
  async whoami(p: Principal): Promise<Whoami> {
    switch (p.kind) {
      case 'admin':
        return { kind: 'admin', name: 'Admin' };
      case 'annotator': {
        const name = await this.credentials.holderName({ annotatorId: p.annotatorId });
        return { kind: 'annotator', ...(name !== null ? { name } : {}), studyId: p.studyId, annotatorId: p.annotatorId };
      }
      case 'participant': {
        const name = await this.credentials.holderName({ participantId: p.participantId });
        return { kind: 'participant', ...(name !== null ? { name } : {}), studyId: p.studyId, participantId: p.participantId };
      }
    }
  }

  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new AppError('unauthorized', 'Send a token as "Authorization: Bearer <token>".');
    const hash = hashToken(token);
    const hashBytes = Buffer.from(hash, 'hex');
    if (timingSafeEqual(hashBytes, this.adminHash)) return { kind: 'admin' };
    const c = await this.credentials.findByHash(hash);
    if (!c) throw new AppError('unauthorized', 'This token is not valid. Ask the study admin for a new one.');
    if (c.revoked) throw new AppError('token_revoked', 'This token was revoked. Ask the study admin for a new one.');
    if (c.kind === 'participant' && c.participantId) return { kind: 'participant', studyId: c.studyId, participantId: c.participantId };
    if (c.kind === 'annotator' && c.annotatorId) return { kind: 'annotator', studyId: c.studyId, annotatorId: c.annotatorId };
    throw new AppError('unauthorized', 'This token is not valid. Ask the study admin for a new one.');
  }
}

/** Who a token belongs to, as the console shows it (GET /v1/whoami). */
export interface Whoami {
  kind: Principal['kind'];
  /** The annotator's name, the participant's code, or "Admin". */
  name?: string;
  studyId?: string;
  annotatorId?: string;
  participantId?: string;
}

export function requireAdmin(p: Principal): void {
  if (p.kind !== 'admin') throw new AppError('forbidden', 'Only the admin token may do this.');
}

import { newId } from '../lib/ids.js';
import type { Db } from './db.js';
import { isUniqueViolation } from './db.js';

export interface CredentialPrincipal {
  kind: 'participant' | 'annotator';
  studyId: string;
  participantId: string | null;
  annotatorId: string | null;
  revoked: boolean;
}

export class CredentialsRepository {
  constructor(private readonly db: Db) {}

  async findByHash(tokenHash: string): Promise<CredentialPrincipal | null> {
    const c = await this.db.credential.findUnique({
      where: { tokenHash },
      select: { kind: true, studyId: true, participantId: true, annotatorId: true, revokedAt: true },
    });
    if (!c) return null;
    return { kind: c.kind, studyId: c.studyId, participantId: c.participantId, annotatorId: c.annotatorId, revoked: c.revokedAt !== null };
  }

  /** The name a token's holder is shown by: an annotator's name, a participant's code; null when gone. */
  async holderName(holder: { annotatorId: string } | { participantId: string }): Promise<string | null> {
    if ('annotatorId' in holder) return (await this.db.annotator.findUnique({ where: { id: holder.annotatorId }, select: { name: true } }))?.name ?? null;
    return (await this.db.participant.findUnique({ where: { id: holder.participantId }, select: { code: true } }))?.code ?? null;
  }

  /** Enrolls a participant with its credential in one transaction; null when the code is taken. */
  async createParticipant(studyId: string, code: string, tokenHash: string): Promise<{ id: string; code: string; studyId: string; createdAt: Date } | null> {
    try {
      return await this.db.$transaction(async (tx) => {
        const p = await tx.participant.create({
          data: { id: newId('par'), studyId, code },
          select: { id: true, code: true, studyId: true, createdAt: true },
        });
        await tx.credential.create({ data: { id: newId('cred'), tokenHash, kind: 'participant', studyId, participantId: p.id } });
        return p;
      });
    } catch (e) {
      if (isUniqueViolation(e)) return null;
      throw e;
    }
  }

  async createAnnotator(studyId: string, name: string, tokenHash: string): Promise<{ id: string; name: string; studyId: string; createdAt: Date }> {
    return this.db.$transaction(async (tx) => {
      const a = await tx.annotator.create({
        data: { id: newId('ann'), studyId, name },
        select: { id: true, name: true, studyId: true, createdAt: true },
      });
      await tx.credential.create({ data: { id: newId('cred'), tokenHash, kind: 'annotator', studyId, annotatorId: a.id } });
      return a;
    });
  }

  async listParticipants(studyId: string): Promise<{ id: string; code: string; studyId: string; createdAt: Date; revokedAt: Date | null }[]> {
    return this.db.participant.findMany({ where: { studyId }, orderBy: { code: 'asc' }, select: { id: true, code: true, studyId: true, createdAt: true, revokedAt: true } });
  }

  /** Revokes a participant's tokens; false when there is no such participant. */
  async revokeParticipant(participantId: string): Promise<boolean> {
    const now = new Date();
    return this.db.$transaction(async (tx) => {
      const r = await tx.participant.updateMany({ where: { id: participantId }, data: { revokedAt: now } });
      if (r.count === 0) return false;
      await tx.credential.updateMany({ where: { participantId, revokedAt: null }, data: { revokedAt: now } });
      return true;
    });
  }

  async revokeAnnotator(annotatorId: string): Promise<boolean> {
    const now = new Date();
    return this.db.$transaction(async (tx) => {
      const r = await tx.annotator.updateMany({ where: { id: annotatorId }, data: { revokedAt: now } });
      if (r.count === 0) return false;
      await tx.credential.updateMany({ where: { annotatorId, revokedAt: null }, data: { revokedAt: now } });
      return true;
    });
  }
}

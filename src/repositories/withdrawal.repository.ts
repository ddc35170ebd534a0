import type { Db } from './db.js';

/** What a consent withdrawal reads and deletes of one participant. */
export class WithdrawalRepository {
  constructor(private readonly db: Db) {}

  async participant(id: string): Promise<{ id: string; studyId: string; code: string; withdrawnAt: Date | null; withdrawnBy: string | null } | null> {
    return this.db.participant.findUnique({ where: { id }, select: { id: true, studyId: true, code: true, withdrawnAt: true, withdrawnBy: true } });
  }

  /**
   * Marks the participant withdrawn (once: a second call keeps the first time and author) and revokes its tokens,
   * in one transaction, before anything is deleted: no new upload is accepted from then on.
   */
  async markWithdrawn(id: string, by: string): Promise<{ withdrawnAt: Date; withdrawnBy: string }> {
    const now = new Date();
    return this.db.$transaction(async (tx) => {
      await tx.participant.updateMany({ where: { id, withdrawnAt: null }, data: { withdrawnAt: now, withdrawnBy: by } });
      await tx.participant.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
      await tx.credential.updateMany({ where: { participantId: id, revokedAt: null }, data: { revokedAt: now } });
      const p = await tx.participant.findUniqueOrThrow({ where: { id }, select: { withdrawnAt: true, withdrawnBy: true } });
      return { withdrawnAt: p.withdrawnAt!, withdrawnBy: p.withdrawnBy ?? by };
    });
  }

  /** The participant's uploads (with their objects) and recordings. */
  async dataOf(id: string): Promise<{ uploads: { id: string; objectKey: string }[]; recordings: string[] }> {
    const [uploads, recordings] = await Promise.all([
      this.db.upload.findMany({ where: { participantId: id }, select: { id: true, objectKey: true }, orderBy: { id: 'asc' } }),
      this.db.recording.findMany({ where: { participantId: id }, select: { id: true }, orderBy: { id: 'asc' } }),
    ]);
    return { uploads, recordings: recordings.map((r) => r.id) };
  }

  /**
   * Deletes the participant's recordings (their streams, segments, annotations and alignments go with them),
   * uploads and idempotency claims, and the outbox rows that announce jobs for those recordings.
   */
  async deleteData(id: string, recordingIds: readonly string[]): Promise<{ recordings: number; uploads: number }> {
    return this.db.$transaction(async (tx) => {
      const recordings = await tx.recording.deleteMany({ where: { participantId: id } });
      const uploads = await tx.upload.deleteMany({ where: { participantId: id } });
      await tx.idempotencyClaim.deleteMany({ where: { participantId: id } });
      for (const rec of recordingIds) await tx.outboxEvent.deleteMany({ where: { jobId: { startsWith: `${rec}-` } } });
      return { recordings: recordings.count, uploads: uploads.count };
    });
  }

  /** The datasets the export wrote that held this participant, newest first. */
  async exportsWith(id: string): Promise<{ id: string; version: string; location: string; recordings: number; windows: number; createdAt: Date }[]> {
    const rows = await this.db.datasetExport.findMany({
      // Finished datasets only: a queued or failed export holds nobody (participantIds is set when it finishes).
      where: { participantIds: { has: id }, status: 'finished', version: { not: null } },
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      select: { id: true, version: true, location: true, recordings: true, windows: true, createdAt: true },
    });
    return rows.map((r) => ({ ...r, version: r.version! }));
  }
}

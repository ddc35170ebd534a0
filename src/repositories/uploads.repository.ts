import { AppError } from '../lib/errors.js';
import type { Db } from './db.js';
import { isUniqueViolation, Prisma } from './db.js';
import type { StepPayload } from '../jobs/catalogue.js';
import { jobId } from '../jobs/catalogue.js';

export interface UploadRow {
  id: string;
  studyId: string;
  participantId: string;
  filename: string;
  bytes: bigint;
  sha256: string;
  objectKey: string;
  receivedAt: Date;
  recording: { id: string; status: string } | null;
}

const uploadSelect = {
  id: true, studyId: true, participantId: true, filename: true, bytes: true, sha256: true, objectKey: true, receivedAt: true,
  recording: { select: { id: true, status: true } },
} as const;

export interface NewUpload {
  id: string;
  recordingId: string;
  studyId: string;
  participantId: string;
  filename: string;
  bytes: number;
  sha256: string;
  contentType: string | null;
  objectKey: string;
  idempotencyKey: string | null;
  metadata: Record<string, unknown> | null;
  device: Record<string, unknown> | null;
  timezone: string | null;
  /** The request that uploaded it: carried in the outbox row and the jobs, for their log lines. */
  requestId?: string;
}

export class UploadsRepository {
  constructor(private readonly db: Db) {}

  async findById(id: string): Promise<UploadRow | null> {
    return this.db.upload.findUnique({ where: { id }, select: uploadSelect });
  }

  async findByIdempotencyKey(participantId: string, idempotencyKey: string): Promise<UploadRow | null> {
    return this.db.upload.findUnique({ where: { participantId_idempotencyKey: { participantId, idempotencyKey } }, select: uploadSelect });
  }

  async findBySha256(participantId: string, sha256: string): Promise<UploadRow | null> {
    return this.db.upload.findUnique({ where: { participantId_sha256: { participantId, sha256 } }, select: uploadSelect });
  }

  /**
   * Commits the upload, its recording and the outbox row that announces it, in one transaction.
   * Returns null when another upload with the same bytes or idempotency key won the race.
   */
  async createWithRecording(u: NewUpload): Promise<UploadRow | null> {
    const payload: StepPayload = { recordingId: u.recordingId, run: 0, ...(u.requestId ? { requestId: u.requestId } : {}) };
    try {
      return await this.db.$transaction(async (tx) => {
        // A withdrawal marks the participant in a transaction of its own before it lists what to delete. Reading
        // the mark under a share lock orders this commit against it: either the withdrawal sees this upload and
        // deletes it, or this upload sees the withdrawal and is refused (its token was checked before it began).
        const [who] = await tx.$queryRaw<{ withdrawnAt: Date | null }[]>`SELECT "withdrawnAt" FROM "Participant" WHERE "id" = ${u.participantId} FOR SHARE`;
        if (who?.withdrawnAt) throw new AppError('token_revoked', 'This participant has withdrawn from the study: nothing more is accepted from them.');
        await tx.upload.create({
          data: {
            id: u.id, studyId: u.studyId, participantId: u.participantId, filename: u.filename, bytes: BigInt(u.bytes),
            sha256: u.sha256, contentType: u.contentType, objectKey: u.objectKey, idempotencyKey: u.idempotencyKey,
            metadata: u.metadata === null ? Prisma.DbNull : (u.metadata as Prisma.InputJsonValue),
          },
        });
        await tx.recording.create({
          data: {
            id: u.recordingId, studyId: u.studyId, participantId: u.participantId, uploadId: u.id, status: 'queued',
            device: u.device === null ? Prisma.DbNull : (u.device as Prisma.InputJsonValue), timezone: u.timezone,
          },
        });
        await tx.outboxEvent.create({
          data: { jobName: 'recording.process', jobId: jobId(u.recordingId, 0, 'align'), payload },
        });
        return tx.upload.findUniqueOrThrow({ where: { id: u.id }, select: uploadSelect });
      });
    } catch (e) {
      if (isUniqueViolation(e)) return null;
      throw e;
    }
  }
}

import type { Db } from './db.js';

export type OverviewStatus = 'queued' | 'processing' | 'ready' | 'rejected' | 'failed';

/** What the coordinator's overview of a study is made of, each part read by one grouped query. */
export interface StudyOverviewRows {
  study: { id: string; slug: string; name: string };
  participants: { id: string; code: string; revokedAt: Date | null }[];
  uploads: { participantId: string; uploads: number; bytes: bigint; lastUploadAt: Date | null }[];
  recordingCounts: { participantId: string; status: OverviewStatus; count: number }[];
  devices: { participantId: string; devices: string[] }[];
  /** Rejected and failed recordings, newest upload first. */
  rejected: { recordingId: string; status: OverviewStatus; participantCode: string; filename: string; receivedAt: Date; code: string | null; message: string | null }[];
  /** warn/bad checks of ready recordings, bad first, then newest upload first. */
  qualityProblems: { recordingId: string; participantCode: string; check: string; status: 'warn' | 'bad'; message: string }[];
  annotators: { id: string; name: string; revokedAt: Date | null; annotations: number }[];
}

/** Reads a study's overview for its coordinator: a fixed number of queries whatever the study's size. */
export class StudyOverviewRepository {
  constructor(private readonly db: Db) {}

  /** Null when there is no such study. Lists are cut at `limits` (the newest or worst kept). */
  async read(studyId: string, limits: { rejected: number; qualityProblems: number }): Promise<StudyOverviewRows | null> {
    const study = await this.db.study.findUnique({ where: { id: studyId }, select: { id: true, slug: true, name: true } });
    if (!study) return null;
    const [participants, uploads, counts, devices, rejected, qualityProblems, annotators] = await Promise.all([
      this.db.participant.findMany({ where: { studyId }, orderBy: { code: 'asc' }, select: { id: true, code: true, revokedAt: true } }),
      this.db.upload.groupBy({ by: ['participantId'], where: { studyId }, _count: { _all: true }, _sum: { bytes: true }, _max: { receivedAt: true } }),
      this.db.recording.groupBy({ by: ['participantId', 'status'], where: { studyId }, _count: { _all: true } }),
      // What the file says about the device wins over what the uploading app declared (as the recording shows it).
      this.db.$queryRaw<{ participantId: string; devices: string[] }[]>`
        SELECT "participantId", array_agg(DISTINCT d ORDER BY d) AS devices
        FROM (
          SELECT "participantId", COALESCE(
            NULLIF("fileMetadata"->'device'->>'model', ''), NULLIF(device->>'model', ''),
            NULLIF("fileMetadata"->'device'->>'kind', ''), NULLIF(device->>'kind', '')) AS d
          FROM "Recording" WHERE "studyId" = ${studyId}
        ) AS r
        WHERE d IS NOT NULL
        GROUP BY "participantId"`,
      this.db.recording.findMany({
        where: { studyId, status: { in: ['rejected', 'failed'] } },
        orderBy: [{ upload: { receivedAt: 'desc' } }, { id: 'asc' }],
        take: limits.rejected,
        select: { id: true, status: true, errorCode: true, errorMessage: true, participant: { select: { code: true } }, upload: { select: { filename: true, receivedAt: true } } },
      }),
      this.db.$queryRaw<StudyOverviewRows['qualityProblems']>`
        SELECT r.id AS "recordingId", p.code AS "participantCode", c.value->>'name' AS "check",
               c.value->>'status' AS status, COALESCE(c.value->>'message', '') AS message
        FROM "Recording" r
        JOIN "Participant" p ON p.id = r."participantId"
        JOIN "Upload" u ON u.id = r."uploadId"
        CROSS JOIN LATERAL jsonb_array_elements(
          CASE WHEN jsonb_typeof(r.quality->'checks') = 'array' THEN r.quality->'checks' ELSE '[]'::jsonb END
        ) WITH ORDINALITY AS c(value, n)
        WHERE r."studyId" = ${studyId} AND r.status = 'ready' AND c.value->>'status' IN ('warn', 'bad')
        ORDER BY (c.value->>'status') = 'bad' DESC, u."receivedAt" DESC, r.id, c.n
        LIMIT ${limits.qualityProblems}`,
      this.db.annotator.findMany({ where: { studyId }, orderBy: [{ name: 'asc' }, { id: 'asc' }], select: { id: true, name: true, revokedAt: true, _count: { select: { annotations: true } } } }),
    ]);
    return {
      study,
      participants,
      uploads: uploads.map((u) => ({ participantId: u.participantId, uploads: u._count._all, bytes: u._sum.bytes ?? 0n, lastUploadAt: u._max.receivedAt })),
      recordingCounts: counts.map((c) => ({ participantId: c.participantId, status: c.status, count: c._count._all })),
      devices,
      rejected: rejected.map((r) => ({
        recordingId: r.id, status: r.status, participantCode: r.participant.code, filename: r.upload.filename, receivedAt: r.upload.receivedAt,
        code: r.errorCode, message: r.errorMessage,
      })),
      qualityProblems,
      annotators: annotators.map((a) => ({ id: a.id, name: a.name, revokedAt: a.revokedAt, annotations: a._count.annotations })),
    };
  }
}

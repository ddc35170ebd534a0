import { AppError } from '../lib/errors.js';
import type { OverviewStatus, StudyOverviewRepository } from '../repositories/study-overview.repository.js';

/** Rejected (and failed) recordings listed, newest first. */
export const OVERVIEW_REJECTED_LIMIT = 200;
/** Quality problems listed, bad before warn. */
export const OVERVIEW_QUALITY_LIMIT = 500;
const DAY_MS = 86_400_000;

export type Freshness = 'fresh' | 'stale' | 'never';
type ByStatus = Record<OverviewStatus, number>;

export interface StudyOverview {
  study: { id: string; slug: string; name: string };
  recordingsByStatus: ByStatus;
  participants: {
    id: string; code: string; revoked: boolean; lastUploadAt: Date | null; daysSinceLastUpload: number | null; freshness: Freshness;
    uploads: number; bytes: number; devices: string[]; recordingsByStatus: ByStatus;
  }[];
  rejected: { recordingId: string; participantCode: string; filename: string; receivedAt: Date; code: string; message: string }[];
  qualityProblems: { recordingId: string; participantCode: string; check: string; status: 'warn' | 'bad'; message: string }[];
  annotators: { id: string; name: string; revoked: boolean; annotations: number }[];
}

/**
 * What a coordinator reads first about a rejected recording, by code. The pipeline's own message follows,
 * except where it is about our side (processing_failed: it names internals) or is a list of every format
 * (format_unrecognized).
 */
const REASONS: Record<string, { lead: string; detail: boolean }> = {
  file_empty: { lead: 'The file was empty (0 bytes): the device or app sent nothing.', detail: false },
  format_unrecognized: { lead: 'This file is not a recording FieldSense can read (for example a text document, a photo, or an export in another format).', detail: false },
  format_unsupported_variant: { lead: 'The file is a known format, but a variant of it FieldSense does not read.', detail: true },
  wav_invalid: { lead: 'The WAV file is damaged.', detail: true },
  wav_truncated: { lead: 'The WAV file was cut short (during copy or upload).', detail: true },
  csv_invalid: { lead: 'The table file could not be read.', detail: true },
  csv_column_count: { lead: 'Rows of the table file have different numbers of columns.', detail: true },
  csv_bad_value: { lead: 'The table file holds a value that is not a number or a time where one is expected.', detail: true },
  csv_missing_column: { lead: 'The table file lacks a column FieldSense needs.', detail: true },
  csv_ambiguous: { lead: 'The table file\'s columns cannot be told apart.', detail: true },
  no_samples: { lead: 'The file was read but holds no measurements.', detail: true },
  format_truncated: { lead: 'The file was cut short (during copy or upload).', detail: true },
  format_corrupt: { lead: 'The file is damaged: its contents are not what its format says.', detail: true },
  format_limits: { lead: 'The file declares sizes or rates no real device writes (damaged or not a recording).', detail: true },
  json_too_deep: { lead: 'The file is not a sensor export (its structure is far deeper than any export).', detail: false },
  archive_unsafe: { lead: 'The archive holds entries FieldSense refuses for safety (paths leaving the archive, links, or archives inside it).', detail: true },
  archive_too_large: { lead: 'The archive unpacks to more than FieldSense accepts.', detail: true },
  archive_encrypted: { lead: 'The archive is password-protected: send it without a password.', detail: false },
  decoder_missing: { lead: 'The audio codec needs a decoder this server does not have installed.', detail: true },
  signature_invalid: { lead: 'The file\'s signature does not match the study\'s key: it was changed after signing, or signed with another key.', detail: false },
  processing_failed: { lead: 'FieldSense could not process this recording because of a problem on its side, not the file\'s; an admin can reprocess it.', detail: false },
};

/** The coordinator's sentence for a rejected or failed recording, from its code and the pipeline's message. */
export function plainReason(status: OverviewStatus, code: string | null, message: string | null): { code: string; message: string } {
  const c = code ?? (status === 'failed' ? 'processing_failed' : 'format_unrecognized');
  const reason = REASONS[c];
  if (!reason) return { code: c, message: message ?? 'The recording could not be read.' };
  return { code: c, message: reason.detail && message ? `${reason.lead} ${message}` : reason.lead };
}

function byStatus(): ByStatus {
  return { queued: 0, processing: 0, ready: 0, rejected: 0, failed: 0 };
}

/** A study at a glance for its coordinator (admin): who uploads, what was refused, what looks wrong. */
export class StudyOverviewService {
  constructor(private readonly overview: StudyOverviewRepository, private readonly now: () => Date = () => new Date()) {}

  /** `staleDays`: a participant whose last upload is older than this many days is `stale`. */
  async get(studyId: string, staleDays: number): Promise<StudyOverview> {
    const rows = await this.overview.read(studyId, { rejected: OVERVIEW_REJECTED_LIMIT, qualityProblems: OVERVIEW_QUALITY_LIMIT });
    if (!rows) throw new AppError('not_found', `There is no study ${studyId}.`);
    const now = this.now().getTime();
    const uploads = new Map(rows.uploads.map((u) => [u.participantId, u]));
    const devices = new Map(rows.devices.map((d) => [d.participantId, d.devices]));
    const counts = new Map<string, ByStatus>();
    const total = byStatus();
    for (const c of rows.recordingCounts) {
      let m = counts.get(c.participantId);
      if (!m) counts.set(c.participantId, (m = byStatus()));
      m[c.status] += c.count;
      total[c.status] += c.count;
    }
    return {
      study: rows.study,
      recordingsByStatus: total,
      participants: rows.participants.map((p) => {
        const u = uploads.get(p.id);
        const last = u?.lastUploadAt ?? null;
        const ageMs = last ? Math.max(0, now - last.getTime()) : null;
        return {
          id: p.id, code: p.code, revoked: p.revokedAt !== null, lastUploadAt: last,
          // Tenths of a day: "2.5 days ago" is what a coordinator acts on; the flag uses the exact age.
          daysSinceLastUpload: ageMs === null ? null : Math.floor((ageMs / DAY_MS) * 10) / 10,
          freshness: ageMs === null ? 'never' : ageMs > staleDays * DAY_MS ? 'stale' : 'fresh',
          uploads: u?.uploads ?? 0, bytes: Number(u?.bytes ?? 0n), devices: devices.get(p.id) ?? [], recordingsByStatus: counts.get(p.id) ?? byStatus(),
        };
      }),
      rejected: rows.rejected.map((r) => ({
        recordingId: r.recordingId, participantCode: r.participantCode, filename: r.filename, receivedAt: r.receivedAt, ...plainReason(r.status, r.code, r.message),
      })),
      qualityProblems: rows.qualityProblems,
      annotators: rows.annotators.map((a) => ({ id: a.id, name: a.name, revoked: a.revokedAt !== null, annotations: a.annotations })),
    };
  }
}

import type { Principal } from '../domain/principal.js';
import { AppError } from '../lib/errors.js';
import { hashToken, newToken } from '../lib/ids.js';
import type { StudyLabel, StudySettings } from '../domain/study.js';
import { DEFAULT_THRESHOLDS } from '../pipeline/quality-thresholds.js';
import type { StudiesRepository, StudyRow } from '../repositories/studies.repository.js';
import type { CredentialsRepository } from '../repositories/credentials.repository.js';

/** Study administration: studies, enrolment of participants, annotators, revocation. Admin only. */
export class StudiesService {
  constructor(private readonly studies: StudiesRepository, private readonly credentials: CredentialsRepository) {}

  async create(input: { slug: string; name: string; labels: StudyLabel[]; settings?: StudySettings }): Promise<StudyRow> {
    checkLabels(input.labels);
    checkSettings(input.settings);
    const s = await this.studies.create({ ...input, settings: input.settings ?? {} });
    if (!s) throw new AppError('slug_taken', `A study with the slug "${input.slug}" exists already; choose another slug.`, { slug: input.slug });
    return s;
  }

  /** Changes a study's name, labels or settings (settings replace the old ones whole). */
  async update(studyId: string, patch: { name?: string; labels?: StudyLabel[]; settings?: StudySettings }): Promise<StudyRow> {
    if (patch.labels) checkLabels(patch.labels);
    checkSettings(patch.settings);
    const s = await this.studies.update(studyId, patch);
    if (!s) throw new AppError('not_found', `There is no study ${studyId}.`);
    return s;
  }

  /** The studies a token may read: all for the admin, its own for an annotator (the routes refuse other tokens). */
  async list(p: Principal, limit: number, after?: string): Promise<StudyRow[]> {
    if (p.kind !== 'admin') {
      const own = p.kind === 'annotator' ? await this.studies.findById(p.studyId) : null;
      return own && (!after || own.id > after) ? [own] : [];
    }
    return this.studies.list({ limit, ...(after ? { after } : {}) });
  }

  /** One study with its counts; an annotator sees only its own (another is not found, as for anything it may not see). */
  async get(studyId: string, p: Principal): Promise<StudyRow & { counts: Awaited<ReturnType<StudiesRepository['counts']>> }> {
    if (p.kind !== 'admin' && !(p.kind === 'annotator' && p.studyId === studyId)) throw new AppError('not_found', `There is no study ${studyId}.`);
    const s = await this.require(studyId);
    return { ...s, counts: await this.studies.counts(studyId) };
  }

  async require(studyId: string): Promise<StudyRow> {
    const s = await this.studies.findById(studyId);
    if (!s) throw new AppError('not_found', `There is no study ${studyId}.`);
    return s;
  }

  async enrollParticipant(studyId: string, code: string): Promise<{ participant: { id: string; code: string; studyId: string; createdAt: Date }; token: string }> {
    await this.require(studyId);
    const token = newToken('fsp');
    const participant = await this.credentials.createParticipant(studyId, code, hashToken(token));
    if (!participant) throw new AppError('code_taken', `Participant code "${code}" is already enrolled in this study.`, { code });
    return { participant, token };
  }

  async listParticipants(studyId: string): Promise<{ id: string; code: string; studyId: string; createdAt: Date; revokedAt: Date | null }[]> {
    await this.require(studyId);
    return this.credentials.listParticipants(studyId);
  }

  async addAnnotator(studyId: string, name: string): Promise<{ annotator: { id: string; name: string; studyId: string; createdAt: Date }; token: string }> {
    await this.require(studyId);
    const token = newToken('fsn');
    const annotator = await this.credentials.createAnnotator(studyId, name, hashToken(token));
    return { annotator, token };
  }

  async revokeParticipant(participantId: string): Promise<void> {
    if (!(await this.credentials.revokeParticipant(participantId))) throw new AppError('not_found', `There is no participant ${participantId}.`);
  }

  async revokeAnnotator(annotatorId: string): Promise<void> {
    if (!(await this.credentials.revokeAnnotator(annotatorId))) throw new AppError('not_found', `There is no annotator ${annotatorId}.`);
  }
}

function checkLabels(labels: StudyLabel[]): void {
  const names = new Set<string>();
  for (const l of labels) {
    if (names.has(l.name)) throw new AppError('validation_failed', `The label "${l.name}" is listed twice.`, { label: l.name });
    names.add(l.name);
  }
}

function checkSettings(settings: StudySettings | undefined): void {
  const unknown = Object.keys(settings?.quality ?? {}).filter((k) => !(k in DEFAULT_THRESHOLDS));
  if (unknown.length > 0) {
    throw new AppError('validation_failed', `Unknown quality thresholds: ${unknown.join(', ')}. Known: ${Object.keys(DEFAULT_THRESHOLDS).join(', ')}.`, { unknown });
  }
}

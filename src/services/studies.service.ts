import { AppError } from '../lib/errors.js';
import { hashToken, newToken } from '../lib/ids.js';
import type { StudyLabel } from '../domain/study.js';
import type { StudiesRepository, StudyRow } from '../repositories/studies.repository.js';
import type { CredentialsRepository } from '../repositories/credentials.repository.js';

/** Study administration: studies, enrolment of participants, annotators, revocation. Admin only. */
export class StudiesService {
  constructor(private readonly studies: StudiesRepository, private readonly credentials: CredentialsRepository) {}

  async create(input: { slug: string; name: string; labels: StudyLabel[] }): Promise<StudyRow> {
    const names = new Set<string>();
    for (const l of input.labels) {
      if (names.has(l.name)) throw new AppError('validation_failed', `The label "${l.name}" is listed twice.`, { label: l.name });
      names.add(l.name);
    }
    const s = await this.studies.create(input);
    if (!s) throw new AppError('slug_taken', `A study with the slug "${input.slug}" exists already; choose another slug.`, { slug: input.slug });
    return s;
  }

  async list(limit: number, after?: string): Promise<StudyRow[]> {
    return this.studies.list({ limit, ...(after ? { after } : {}) });
  }

  async get(studyId: string): Promise<StudyRow & { counts: Awaited<ReturnType<StudiesRepository['counts']>> }> {
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

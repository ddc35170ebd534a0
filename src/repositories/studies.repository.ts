import { newId } from '../lib/ids.js';
import type { Db } from './db.js';
import { isUniqueViolation, type Prisma } from './db.js';
import type { StudyLabel, StudySettings } from '../domain/study.js';

export interface StudyRow { id: string; slug: string; name: string; labels: StudyLabel[]; settings: StudySettings; createdAt: Date }

const studySelect = { id: true, slug: true, name: true, labels: true, settings: true, createdAt: true } as const;

function toStudy(r: { id: string; slug: string; name: string; labels: unknown; settings: unknown; createdAt: Date }): StudyRow {
  return { ...r, labels: r.labels as StudyLabel[], settings: r.settings ?? {} };
}

export class StudiesRepository {
  constructor(private readonly db: Db) {}

  /** Returns null when the slug is taken. */
  async create(input: { slug: string; name: string; labels: StudyLabel[]; settings: StudySettings }): Promise<StudyRow | null> {
    try {
      return toStudy(await this.db.study.create({
        data: {
          id: newId('std'), slug: input.slug, name: input.name, labels: input.labels as unknown as Prisma.InputJsonValue,
          settings: input.settings as Prisma.InputJsonValue,
        },
        select: studySelect,
      }));
    } catch (e) {
      if (isUniqueViolation(e)) return null;
      throw e;
    }
  }

  async list(opts: { limit: number; after?: string }): Promise<StudyRow[]> {
    const rows = await this.db.study.findMany({
      select: studySelect,
      orderBy: { id: 'asc' },
      take: opts.limit,
      ...(opts.after ? { where: { id: { gt: opts.after } } } : {}),
    });
    return rows.map(toStudy);
  }

  /** Changes name, labels or settings; null when there is no such study. */
  async update(id: string, patch: { name?: string; labels?: StudyLabel[]; settings?: StudySettings }): Promise<StudyRow | null> {
    const r = await this.db.study.updateMany({
      where: { id },
      data: {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.labels !== undefined ? { labels: patch.labels as unknown as Prisma.InputJsonValue } : {}),
        ...(patch.settings !== undefined ? { settings: patch.settings as Prisma.InputJsonValue } : {}),
      },
    });
    return r.count === 1 ? this.findById(id) : null;
  }

  async findById(id: string): Promise<StudyRow | null> {
    const r = await this.db.study.findUnique({ where: { id }, select: studySelect });
    return r ? toStudy(r) : null;
  }

  async findBySlug(slug: string): Promise<StudyRow | null> {
    const r = await this.db.study.findUnique({ where: { slug }, select: studySelect });
    return r ? toStudy(r) : null;
  }

  /** Participants and recordings by status, for the study page. */
  async counts(studyId: string): Promise<{ participants: number; annotators: number; recordings: Record<string, number> }> {
    const [participants, annotators, byStatus] = await Promise.all([
      this.db.participant.count({ where: { studyId } }),
      this.db.annotator.count({ where: { studyId } }),
      this.db.recording.groupBy({ by: ['status'], where: { studyId }, _count: { _all: true } }),
    ]);
    const recordings: Record<string, number> = { queued: 0, processing: 0, ready: 0, rejected: 0, failed: 0 };
    for (const g of byStatus) recordings[g.status] = g._count._all;
    return { participants, annotators, recordings };
  }
}

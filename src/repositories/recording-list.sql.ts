import { Prisma } from './db.js';
import type { RecordingStatus } from './recordings.repository.js';

/**
 * The work queue's SQL: which recordings a page holds (every filter in one query, keyset-paged by id), and how
 * far each is labelled (grouped over the page's ids at once, never a query per recording). Auto annotations
 * count only for the pipeline version the recording shows, as everywhere else.
 */

export interface RecordingListFilter {
  studyId?: string;
  participantId?: string;
  status?: RecordingStatus;
  /** The quality report's overall status. */
  quality?: 'ok' | 'warn' | 'bad';
  /** Has an accepted human annotation with this label. */
  label?: string;
  /** `pending`: has auto annotations still proposed. */
  review?: 'pending';
  /** `none`: no human annotation that is not rejected; `some`: at least one. */
  labelled?: 'none' | 'some';
}

export interface Labelling {
  /** Human annotations not rejected. */
  humanCount: number;
  /** Seconds covered by accepted human annotations: the union of their intervals, overlaps counted once. */
  labelledS: number;
  /** Auto annotations still proposed. */
  proposedCount: number;
  /** Auto annotations accepted or rejected. */
  reviewedCount: number;
  /** Per annotator, their human annotations not rejected (most first). */
  annotators: { id: string; name: string; count: number }[];
}

const HUMAN_LIVE = Prisma.sql`a.source = 'human' AND a.status <> 'rejected'`;
const AUTO_OF_VERSION = Prisma.sql`a.source = 'auto' AND a."pipelineVersion" IS NOT DISTINCT FROM r."pipelineVersion"`;

function exists(condition: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM "Annotation" a WHERE a."recordingId" = r.id AND ${condition})`;
}

/** The ids of one page: every filter, then `id > after`, in id order. */
export function recordingPageQuery(f: RecordingListFilter, opts: { limit: number; after?: string }): Prisma.Sql {
  const where: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (f.studyId !== undefined) where.push(Prisma.sql`r."studyId" = ${f.studyId}`);
  if (f.participantId !== undefined) where.push(Prisma.sql`r."participantId" = ${f.participantId}`);
  if (f.status !== undefined) where.push(Prisma.sql`r.status::text = ${f.status}`);
  if (f.quality !== undefined) where.push(Prisma.sql`r.quality->>'status' = ${f.quality}`);
  if (f.label !== undefined) where.push(exists(Prisma.sql`a.source = 'human' AND a.status = 'accepted' AND a.label = ${f.label}`));
  if (f.review === 'pending') where.push(exists(Prisma.sql`${AUTO_OF_VERSION} AND a.status = 'proposed'`));
  if (f.labelled === 'none') where.push(Prisma.sql`NOT ${exists(HUMAN_LIVE)}`);
  if (f.labelled === 'some') where.push(exists(HUMAN_LIVE));
  if (opts.after !== undefined) where.push(Prisma.sql`r.id > ${opts.after}`);
  return Prisma.sql`SELECT r.id FROM "Recording" r WHERE ${Prisma.join(where, ' AND ')} ORDER BY r.id LIMIT ${opts.limit}`;
}

/** Human, proposed and reviewed counts per recording of the page. */
export function labellingCountsQuery(ids: readonly string[]): Prisma.Sql {
  return Prisma.sql`
    SELECT r.id,
      COUNT(*) FILTER (WHERE ${HUMAN_LIVE})::int AS human,
      COUNT(*) FILTER (WHERE ${AUTO_OF_VERSION} AND a.status = 'proposed')::int AS proposed,
      COUNT(*) FILTER (WHERE ${AUTO_OF_VERSION} AND a.status <> 'proposed')::int AS reviewed
    FROM "Recording" r JOIN "Annotation" a ON a."recordingId" = r.id
    WHERE r.id IN (${Prisma.join(ids)})
    GROUP BY r.id`;
}

/**
 * Seconds covered by accepted human annotations per recording: intervals in start order form islands (a new
 * one starts where an interval begins after every earlier one has ended), and each island counts once.
 */
export function labelledSecondsQuery(ids: readonly string[]): Prisma.Sql {
  return Prisma.sql`
    WITH iv AS (
      SELECT a."recordingId" AS id, a.id AS aid, a."startS" AS s, a."endS" AS e,
        MAX(a."endS") OVER (PARTITION BY a."recordingId" ORDER BY a."startS", a."endS", a.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
      FROM "Annotation" a
      WHERE a."recordingId" IN (${Prisma.join(ids)}) AND a.source = 'human' AND a.status = 'accepted' AND a."endS" > a."startS"
    ), islands AS (
      SELECT id, s, e, SUM(CASE WHEN reach IS NULL OR s > reach THEN 1 ELSE 0 END) OVER (PARTITION BY id ORDER BY s, e, aid ROWS UNBOUNDED PRECEDING) AS island
      FROM iv
    )
    SELECT id, SUM(hi - lo)::float8 AS seconds
    FROM (SELECT id, island, MIN(s) AS lo, MAX(e) AS hi FROM islands GROUP BY id, island) x
    GROUP BY id`;
}

/** Per recording and annotator, the annotator's human annotations not rejected. */
export function annotatorCountsQuery(ids: readonly string[]): Prisma.Sql {
  return Prisma.sql`
    SELECT a."recordingId" AS id, n.id AS "annotatorId", n.name, COUNT(*)::int AS count
    FROM "Annotation" a JOIN "Annotator" n ON n.id = a."annotatorId"
    WHERE a."recordingId" IN (${Prisma.join(ids)}) AND a.source = 'human' AND a.status <> 'rejected'
    GROUP BY a."recordingId", n.id, n.name
    ORDER BY a."recordingId", count DESC, n.name, n.id`;
}

import type { Request, Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../../lib/errors.js';
import { StaleAnnotationRevision } from '../../../services/annotations.service.js';
import { presentAnnotation } from '../presenters.js';

/**
 * Annotation revisions over HTTP: the ETag an answer carries ("<revision>"), the If-Match a change sends back,
 * and the 412 whose details hold the annotation as it is now.
 */

export const IfMatchHeaders = z.object({
  'If-Match': z.string().optional().describe('The revision the change was made from, as the ETag gave it ("3"; 3 and W/"3" are read the same; * or no header: no condition). A stale one: 412 annotation_revision_stale'),
});

export const ETAG = { ETag: { description: 'The annotation\'s revision, quoted: "<revision>"', schema: z.string() } };

export const STALE = {
  description: 'Someone else changed the annotation since the If-Match revision (annotation_revision_stale): details.current is the annotation as it is now, details.revision its revision',
};

/** The revision If-Match names; undefined without one (or `*`). */
export function ifMatchRevision(req: Request): number | undefined {
  const raw = req.header('if-match')?.trim();
  if (raw === undefined || raw === '' || raw === '*') return undefined;
  const m = /^(?:W\/)?(?:"(\d{1,9})"|(\d{1,9}))$/.exec(raw);
  if (!m) {
    const message = 'must be the annotation\'s revision as its ETag gives it: "<revision>"';
    throw new AppError('validation_failed', `The request is not valid: headers.If-Match: ${message}.`, { problems: [{ path: 'headers.If-Match', message }] });
  }
  return Number(m[1] ?? m[2]);
}

export function setETag(res: Response, revision: number): void {
  res.setHeader('ETag', `"${revision}"`);
}

/** Runs a change; a stale revision becomes the contract's 412 with the current annotation presented. */
export async function withRevisionCheck<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof StaleAnnotationRevision) throw new AppError(e.code, e.message, { ...e.details, current: presentAnnotation(e.current) });
    throw e;
  }
}

/**
 * The work queue's filters and order, kept in the address bar (so a reload or a shared link keeps them) and
 * turned into the API's query (the API filters; the console only sorts what it was given).
 */
import { isSortKey, type SortKey } from './queue-order';
import type { SortDir } from './sort';

export const STATUSES = ['queued', 'processing', 'ready', 'rejected', 'failed'] as const;
export const QUALITIES = ['ok', 'warn', 'bad'] as const;
export const LABELLED = ['none', 'some'] as const;
export type Status = (typeof STATUSES)[number];
export type Quality = (typeof QUALITIES)[number];

export interface QueueFilters {
  status?: Status;
  participantId?: string;
  label?: string;
  quality?: Quality;
  labelled?: (typeof LABELLED)[number];
  /** Only recordings with proposals nobody has reviewed (`review=pending`). */
  pendingReview: boolean;
}

export interface QueueQuery { filters: QueueFilters; sort: SortKey; dir: SortDir }

export const DEFAULT_ORDER: { sort: SortKey; dir: SortDir } = { sort: 'start', dir: 'desc' };

function oneOf<T extends string>(list: readonly T[], v: string | null): T | undefined {
  return v !== null && (list as readonly string[]).includes(v) ? (v as T) : undefined;
}

/** Reads the address bar's query; anything unknown is dropped rather than sent on to the API. */
export function parseQueueQuery(search: string): QueueQuery {
  const q = new URLSearchParams(search);
  const filters: QueueFilters = { pendingReview: q.get('review') === 'pending' };
  const status = oneOf(STATUSES, q.get('status'));
  if (status) filters.status = status;
  const quality = oneOf(QUALITIES, q.get('quality'));
  if (quality) filters.quality = quality;
  const labelled = oneOf(LABELLED, q.get('labelled'));
  if (labelled) filters.labelled = labelled;
  const participant = q.get('participant');
  if (participant) filters.participantId = participant;
  const label = q.get('label');
  if (label) filters.label = label;
  const sort = q.get('sort');
  const dir = q.get('dir');
  return { filters, sort: isSortKey(sort) ? sort : DEFAULT_ORDER.sort, dir: dir === 'asc' || dir === 'desc' ? dir : DEFAULT_ORDER.dir };
}

/** The address bar's query for a state: only what differs from the defaults, in a fixed order. */
export function queueSearch({ filters: f, sort, dir }: QueueQuery): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.participantId) q.set('participant', f.participantId);
  if (f.label) q.set('label', f.label);
  if (f.quality) q.set('quality', f.quality);
  if (f.labelled) q.set('labelled', f.labelled);
  if (f.pendingReview) q.set('review', 'pending');
  if (sort !== DEFAULT_ORDER.sort || dir !== DEFAULT_ORDER.dir) { q.set('sort', sort); q.set('dir', dir); }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export interface RecordingsApiQuery {
  studyId: string;
  status?: Status;
  participantId?: string;
  label?: string;
  quality?: Quality;
  labelled?: (typeof LABELLED)[number];
  review?: 'pending';
}

/** The `GET /v1/recordings` query for a study and the filters. */
export function apiQuery(studyId: string, f: QueueFilters): RecordingsApiQuery {
  const q: RecordingsApiQuery = { studyId };
  if (f.status) q.status = f.status;
  if (f.participantId) q.participantId = f.participantId;
  if (f.label) q.label = f.label;
  if (f.quality) q.quality = f.quality;
  if (f.labelled) q.labelled = f.labelled;
  if (f.pendingReview) q.review = 'pending';
  return q;
}

export function hasFilters(f: QueueFilters): boolean {
  return !!(f.status || f.participantId || f.label || f.quality || f.labelled || f.pendingReview);
}
